"""Count the SQL statements one-statement POSTs run, through a sqlite3 trace callback.

    python scripts/bench/sql_count.py --requests 200 --variety high
    python scripts/bench/sql_count.py --requests 200 --profile     # cProfile of the same POSTs

In process (Flask test client), on a fresh SQLite store in a temporary directory, with
what the benchmark's server runs: full validation, the cadre-training profile under
``LRS_PROFILE_POLICY=enforce``, the identity hook. Every connection the store opens is
traced (request threads and side tables alike); prints the statements per request and
the commonest statement texts. No projector runs (it is another process in ``lrs serve``).
"""

from __future__ import annotations

import argparse
import base64
import collections
import cProfile
import json
import os
import pstats
import re
import sqlite3
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))

os.environ.setdefault("LRS_PROFILE_POLICY", "enforce")
os.environ.setdefault("LRS_IDENTITY_SECRET", "bench-identity-secret-0123456789abcdef")
os.environ["LRS_ARCHIVE_PROJECTOR"] = "off"

import run  # noqa: E402

from lrs.storage.sqlite import store as sqlite_store  # noqa: E402


class Tracer:
    def __init__(self) -> None:
        self.texts: list[str] = []

    def __call__(self, sql: str) -> None:
        self.texts.append(sql)


def traced_connect(tracer: Tracer):  # type: ignore[no-untyped-def]
    plain = sqlite_store.SqliteStore._connect

    def connect(self: sqlite_store.SqliteStore) -> sqlite3.Connection:
        conn = plain(self)
        conn.set_trace_callback(tracer)
        return conn

    return connect


def shape(sql: str) -> str:
    """A statement's text without its values, for grouping."""
    text = re.sub(r"'[^']*'", "?", " ".join(sql.split()))
    text = re.sub(r"\b\d+(\.\d+)?\b", "N", text)
    text = re.sub(r"(\?, )+\?", "?…", text)
    return text[:110]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--variety", choices=("low", "high"), default="high")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--profile", action="store_true", help="cProfile the POSTs")
    args = parser.parse_args(argv)

    from lrs.app import create_app
    from lrs.config import Settings
    from lrs.domain.credentials import create_credential

    tracer = Tracer()
    sqlite_store.SqliteStore._connect = traced_connect(tracer)  # type: ignore[method-assign]
    work = Path(tempfile.mkdtemp(prefix="sqlcount-"))
    store = sqlite_store.SqliteStore(work / "lrs.sqlite3")
    app = create_app(replace(Settings.from_env(), database_url="sqlite:///unused",
                             data_dir=work), store=store)
    credential, secret = create_credential(store, "sql-count", "all")
    auth = "Basic " + base64.b64encode(f"{credential.key}:{secret}".encode()).decode()
    client = run.Client(None, auth, app=app)
    bodies = run.ingest_bodies(3, 1, args.requests + 20, args.variety, True)
    for body in bodies[:20]:  # warm-up: schema checks, first-use tables, caches
        status, content = client.request("POST", "/xapi/statements", body)
        assert status == 200, content
    tracer.texts.clear()
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    cpu = time.process_time()
    for body in bodies[20:]:
        status, content = client.request("POST", "/xapi/statements", body)
        assert status == 200, content
    cpu = time.process_time() - cpu
    if profiler:
        profiler.disable()
    n = args.requests
    print(f"{len(tracer.texts) / n:.2f} SQL statements per one-statement POST "
          f"({len(tracer.texts)} in {n} requests, {args.variety} variety); "
          f"{cpu / n * 1000:.3f} ms CPU per request (client included)")
    counts = collections.Counter(shape(t) for t in tracer.texts)
    for text, count in counts.most_common(args.top):
        print(f"{count / n:6.2f}  {text}")
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("tottime").print_stats(25)
    print(json.dumps({"sql_per_request": round(len(tracer.texts) / n, 2),
                      "cpu_ms_per_request": round(cpu / n * 1000, 3)}))
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
