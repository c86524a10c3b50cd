"""The archive projector alone: how long each batch holds the SQLite write lock, and why.

Copies a cached store of run.py (``--size``; built first when missing), stores
``--statements`` more statements through the service layer with the identity
hook (so the outbox holds their ``statement.stored`` events, nothing projected
yet), then drains them with the projector the way ``lrs archive follow`` does,
one batch per transaction, and reports per batch: events, wall time inside the
write transaction (the lock hold: nothing else writes during the run, so the
transaction's wall time is how long it would keep ingest waiting), CPU, and
with ``--profile`` the functions that took the time.

    python scripts/bench/projector.py --size 100000 --statements 5000 --batch 100
    python scripts/bench/projector.py --size 100000 --statements 5000 --batch 1000 --profile
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--statements", type=int, default=5_000)
    parser.add_argument("--batch", type=int, default=100, help="LRS_ARCHIVE_BATCH")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--variety", choices=("low", "high"), default="high",
                        help="run.py's ingest worlds: 20 trainees and 10 courses, or 50,000 "
                             "and 3,000")
    parser.add_argument("--profile", action="store_true", help="cProfile the drain")
    parser.add_argument("--cache-dir", default=str(Path(tempfile.gettempdir()) / "lrs-bench"))
    args = parser.parse_args(argv)
    os.environ.setdefault("LRS_IDENTITY_SECRET", "bench-identity-secret-0123456789abcdef")
    os.environ["LRS_ARCHIVE_PROJECTOR"] = "off"

    from lrs.config import Settings
    from lrs.domain.archive.policy_book import load_policy_book
    from lrs.domain.archive.projector import Projector
    from lrs.domain.credentials import authority_agent, create_credential
    from lrs.domain.identity.ingest import identity_hook
    from lrs.domain.identity.keys import IdentityKeys
    from lrs.domain.statements import service
    from lrs.storage.sqlite.store import SqliteStore

    cache_dir = Path(args.cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    work_dir = Path(tempfile.mkdtemp(prefix="proj-", dir=cache_dir))
    try:
        path, _meta = run.prepare_sqlite(args.size, args.seed, cache_dir, work_dir, True, False)
        store = SqliteStore(path)
        keys = IdentityKeys(os.environ["LRS_IDENTITY_SECRET"].encode())
        credential, _ = create_credential(store, "bench-projector", "all")
        authority = authority_agent(credential, "http://localhost/xapi/credentials")
        world = ({"trainees": 20, "courses": 10, "classes": 2} if args.variety == "low"
                 else {"trainees": 50_000, "courses": 3_000, "classes": 200})
        gen = run.CadreTrainingGenerator(seed=args.seed + 77, profile=True, **world)
        for batch in gen.batches(args.statements, 100):
            service.store_statements(store, service.StoreRequest(
                batch, credential, run.VERSION, authority, {}, hooks=(identity_hook(keys),)))
        projector = Projector(store, load_policy_book(Settings.from_env()), args.batch)
        profiler = cProfile.Profile() if args.profile else None
        holds: list[float] = []  # wall time of each write transaction
        batches: list[float] = []  # wall time of each drain_once (read ahead included)
        transaction = store.transaction

        @contextlib.contextmanager
        def timed_transaction():
            t0 = time.perf_counter()
            with transaction() as uow:
                yield uow
            holds.append((time.perf_counter() - t0) * 1000)

        store.transaction = timed_transaction  # type: ignore[method-assign]
        cpu0, wall0 = time.process_time(), time.perf_counter()
        events = 0
        while True:
            t0 = time.perf_counter()
            if profiler is not None:
                profiler.enable()
            handled, _ = projector.drain_once()
            if profiler is not None:
                profiler.disable()
            if handled == 0:
                break
            batches.append((time.perf_counter() - t0) * 1000)
            events += handled
        wall = time.perf_counter() - wall0
        cpu = time.process_time() - cpu0
        store.close()
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    holds = sorted(holds[: len(batches)])  # the last, empty drain took no write lock
    result = {
        "size": args.size, "variety": args.variety, "events": events, "batch": args.batch,
        "batches": len(holds),
        "events_per_s": round(events / wall, 1),
        "cpu_us_per_event": round(cpu * 1e6 / max(events, 1), 1),
        "hold_ms_p50": round(run.percentile(holds, 50), 2),
        "hold_ms_p95": round(run.percentile(holds, 95), 2),
        "hold_ms_max": round(holds[-1], 2) if holds else None,
        "hold_ms_per_100_events": round(sum(holds) * 100 / max(events, 1), 2),
        "batch_ms_per_100_events": round(sum(batches) * 100 / max(events, 1), 2),
    }
    print(json.dumps(result))
    if profiler is not None:
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(45)
    return 0


if __name__ == "__main__":
    sys.exit(main())
