"""Server CPU per request of a real ``lrs serve``, one client, one request at a time.

    python scripts/bench/request_cost.py --requests 1000 --workers 1 --threads 1

What the rates of run.py cannot show on a shared machine: the CPU (user + system,
from /proc) a worker spends on one request, with nothing competing inside the
server. Three kinds, on a fresh store: ``GET /xapi/about`` (the HTTP stack and the
app's hooks, no store), a ``GET /xapi/statements`` refused with 401 (plus the
credential check) and a one-statement POST (validation, the cadre-training profile
under enforce, the identity hook, the write). The follower's CPU (the projector
process) is counted apart. In-process WSGI costs are in sql_count.py.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

os.environ.setdefault("LRS_PROFILE_POLICY", "enforce")
os.environ.setdefault("LRS_IDENTITY_SECRET", "bench-identity-secret-0123456789abcdef")

import run  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="request-cost-"))
    server = run.Server(f"sqlite:///{work}/lrs.sqlite3", work, args.workers, args.threads,
                        work / "server.log")
    n = args.requests
    results: dict[str, dict[str, float]] = {}
    try:
        auth = server.credential()
        sampler = run.RssSampler(server.proc.pid)
        client = run.Client(server.base, auth)
        bodies = run.ingest_bodies(5, 1, n + 100, "high", True)
        for body in bodies[:100]:  # warm-up: first-use tables, caches, the profile
            client.request("POST", "/xapi/statements", body)
        anonymous = run.Client(server.base, "")
        anonymous.headers.pop("Authorization")
        cases = {
            "about": lambda i: client.request("GET", "/xapi/about"),
            "statements_401": lambda i: anonymous.request("GET", "/xapi/statements"),
            "post_1": lambda i: client.request("POST", "/xapi/statements", bodies[100 + i]),
        }
        for name, send in cases.items():
            time.sleep(1.0)  # let the follower settle
            cpu0, follower0 = sampler.cpu_seconds(), sampler.follower_cpu_seconds()
            start = time.perf_counter()
            for i in range(n):
                status, _ = send(i)
            seconds = time.perf_counter() - start
            time.sleep(0.5)  # the follower projects what the POSTs stored
            follower = sampler.follower_cpu_seconds() - follower0
            server_cpu = sampler.cpu_seconds() - cpu0 - follower
            results[name] = {
                "worker_cpu_ms": round(server_cpu / n * 1000, 3),
                "follower_cpu_ms": round(follower / n * 1000, 3),
                "requests_per_s": round(n / seconds, 1),
                "last_status": status,
            }
            print(f"{name:16} worker {results[name]['worker_cpu_ms']:.3f} ms/request "
                  f"(follower {results[name]['follower_cpu_ms']:.3f}), "
                  f"{results[name]['requests_per_s']:,.0f} requests/s, last {status}",
                  file=sys.stderr)
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
