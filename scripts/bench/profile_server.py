"""Profile ``lrs serve`` under one benchmark case with py-spy; print where the time goes.

    pip install py-spy        # or: pip install -e '.[bench]'
    python scripts/bench/profile_server.py --size 10000 --case post_100_high
    python scripts/bench/profile_server.py --size 1000000 --case get_verb_common --rounds 3

The server runs with one worker so all samples come from one process; py-spy
samples it while run.py's case drives it: by default the wall time of the
request threads (waits for locks and the GIL included, idle threads dropped),
with ``--gil`` only the thread holding the GIL (where the CPU goes). Prints
the functions with the largest inclusive and exclusive share of samples, and
keeps the collapsed stacks (for speedscope or flamegraph.pl) next to the results.
"""

from __future__ import annotations

import argparse
import collections
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--case", default="post_100_high", help="a run.py case name (regex)")
    parser.add_argument("--rounds", type=int, default=2, help="times the case is repeated")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--cache-dir", default=str(Path(tempfile.gettempdir()) / "lrs-bench"))
    parser.add_argument("--out", default=None, help="collapsed stacks file")
    parser.add_argument("--gil", action="store_true",
                        help="sample only the thread holding the GIL (CPU profile, no waits)")
    args = parser.parse_args(argv)
    py_spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if not py_spy:
        print("py-spy is not installed: pip install py-spy", file=sys.stderr)
        return 2

    cache_dir = Path(args.cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    work_dir = Path(tempfile.mkdtemp(prefix="prof-", dir=cache_dir))
    path, meta = run.prepare_sqlite(args.size, args.seed, cache_dir, work_dir, True, False)
    server = run.Server(f"sqlite:///{path}", work_dir, 1, args.threads, work_dir / "server.log")
    out = Path(args.out or cache_dir / f"profile-{args.case.strip('^$')}-{args.size}.txt")
    try:
        auth = server.credential()
        worker = next(p for p in run.RssSampler(server.proc.pid).tree()
                      if p != server.proc.pid and not run.is_follower(p))
        spy = subprocess.Popen(
            [py_spy, "record", "--pid", str(worker), "--format", "raw", "--output", str(out),
             "--rate", "250", "--nonblocking", *(["--gil"] if args.gil else [])],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        time.sleep(1.0)
        clients = [run.Client(server.base, auth, ident=c) for c in range(args.concurrency)]
        only = re.compile(args.case)
        for _ in range(args.rounds):
            run.run_cases(clients, meta, run.FULL, args.seed + args.size, True, {}, "prof",
                          only)
        spy.send_signal(2)  # SIGINT: py-spy writes its output and exits
        spy.wait(timeout=60)
    finally:
        server.stop()
    report(out, args.top)
    print(f"\ncollapsed stacks: {out}", file=sys.stderr)
    shutil.rmtree(work_dir, ignore_errors=True)
    return 0


IDLE = re.compile(r"\b(wait|select|poll|accept|_worker|run_for_one|sleep|handle_request)\b")


def report(path: Path, top: int) -> None:
    inclusive: collections.Counter[str] = collections.Counter()
    exclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [_short(f) for f in stack.split(";")]
        leaf = frames[-1]
        if IDLE.search(leaf) and "sqlite" not in leaf:
            continue  # an idle thread waiting for work
        n = int(count)
        total += n
        exclusive[leaf] += n
        for frame in set(frames):
            inclusive[frame] += n
    print(f"busy samples: {total}")
    print("\ninclusive (share of busy samples):")
    for frame, n in inclusive.most_common(top):
        print(f"  {n / total:6.1%}  {frame}")
    print("\nexclusive:")
    for frame, n in exclusive.most_common(top):
        print(f"  {n / total:6.1%}  {frame}")


def _short(frame: str) -> str:
    # "function (path/to/file.py:123)" -> "function (file.py)"
    match = re.match(r"(.*) \((.*?):\d+\)$", frame)
    if not match:
        return frame
    name, file = match.groups()
    file = file.split("site-packages/")[-1].split("/work/main/")[-1]
    return f"{name} ({file})"


if __name__ == "__main__":
    sys.exit(main())
