"""CPU time of starting the LRS: ``import lrs.app``, ``lrs --help``, the archive follower.

Each command runs in a fresh interpreter three times; the least user + system CPU
(``resource.getrusage`` of the children) is printed, the interpreter's own start
included (shown as ``python -c pass``). CPU time, unlike ``-X importtime``'s wall
clock, hardly moves when other work shares the machine.

    python scripts/bench/startup.py                 # this interpreter's environment
    python scripts/bench/startup.py /path/to/venv/bin/python
"""

from __future__ import annotations

import resource
import subprocess
import sys

FOLLOWER = (
    "import lrs.cli.archive, lrs.config\n"
    "from lrs.domain.archive.policy_book import load_policy_book\n"
    "load_policy_book(lrs.config.Settings.from_env())"
)


def cpu_seconds(command: list[str], rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best = min(best, used)
    return best


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    python = args[0] if args else sys.executable
    commands = {
        "python -c pass": [python, "-c", "pass"],
        "import lrs.app": [python, "-c", "import lrs.app"],
        "lrs --help": [python, "-m", "lrs.cli", "--help"],
        "archive follower start": [python, "-c", FOLLOWER],
    }
    for name, command in commands.items():
        print(f"{name:26} {cpu_seconds(command) * 1000:7.0f} ms CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
