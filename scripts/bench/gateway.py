"""Gateway throughput between local servers: pull and forward, statements/s, and catch-up time.

1. A *source* `lrs serve` (a platform's LRS) is loaded with ``--count`` statements
   (POSTs of 500, cadre-style: an account actor, a course, a result).
2. **Pull**: a pull job (pages of ``--page``) brings them all into a fresh *hub*
   store, in this process, through the POST path (validation, profile policy
   ``flag``, identity hook, outbox): the catch-up time of a hub that was
   ``--count`` statements behind, and statements/s.
3. **Forward**: a forward job sends the hub's outbox to a fresh *upstream*
   `lrs serve` in batches of ``--batch``: catch-up time and statements/s.
4. Both stores are checked to hold the same ids, each once.

Servers run with 2 workers × 4 threads on 127.0.0.1 (LRS_ARCHIVE_PROJECTOR=off:
this measures the gateway, not the archive).

    python scripts/bench/gateway.py [--count 100000] [--page 500] [--batch 500]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("LRS_ARCHIVE_PROJECTOR", "off")

import requests  # noqa: E402

from adapters.forward import Forwarder, add_forward_job  # noqa: E402
from adapters.pull import Puller  # noqa: E402
from lrs.config import Settings  # noqa: E402
from lrs.domain.gateway import jobs  # noqa: E402
from lrs.gateway_hub import build_hub  # noqa: E402
from lrs.storage.port import StatementQuery  # noqa: E402
from tests.reliability.conftest import LiveServer, create_credential, served_ids  # noqa: E402


def make_statement(n: int) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "account": {"homePage": "https://pa.example.cn",
                                                      "name": f"u{n % 5000:05d}"}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
        "object": {"id": f"https://pa.example.cn/course/{n % 300}",
                   "definition": {"name": {"zh-CN": f"课程 {n % 300}"}}},
        "result": {"completion": True, "duration": "PT28M"},
        "timestamp": "2026-05-06T09:00:00+08:00",
    }


def serve(data: Path) -> tuple[LiveServer, requests.Session]:
    key, secret = create_credential(data)
    server = LiveServer(data, workers=2, threads=4).start()
    session = server.session(key, secret)
    server.key, server.secret = key, secret
    return server, session


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--page", type=int, default=500)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="gw-bench-"))
    source, src = serve(root / "source")
    upstream, up = serve(root / "upstream")
    try:
        t = time.perf_counter()
        for start in range(0, args.count, 500):
            body = [make_statement(n) for n in range(start, min(start + 500, args.count))]
            res = src.post(source.base + "/statements", json=body, timeout=120)
            res.raise_for_status()
        load = time.perf_counter() - t

        settings = replace(Settings.from_env(), data_dir=root / "hub", database_url="",
                           archive_projector="off")
        hub = build_hub(settings)
        jobs.add_pull_job(hub.store, settings, name="bench-pull", endpoint=source.base,
                          key=source.key, secret=source.secret, page_size=args.page)
        t = time.perf_counter()
        pulled = Puller(hub, settings, "bench-pull").run()
        pull_s = time.perf_counter() - t
        assert pulled.error is None, pulled.error

        add_forward_job(hub.store, settings, name="bench-forward", endpoint=upstream.base,
                        key=upstream.key, secret=upstream.secret, batch=args.batch)
        t = time.perf_counter()
        sent = Forwarder(hub.store, settings, "bench-forward", settle=timedelta(0)).run()
        forward_s = time.perf_counter() - t
        assert sent.error is None, sent.error

        with hub.store.read() as uow:
            hub_count = len(uow.statements.query(StatementQuery(limit=10**9)))
        src_ids, up_ids = served_ids(src, source.base, 500), served_ids(up, upstream.base, 500)
        assert len(src_ids) == len(set(src_ids)) == hub_count == len(set(up_ids)) == len(up_ids)
        assert set(src_ids) == set(up_ids)
        result = {
            "count": args.count, "page": args.page, "batch": args.batch,
            "load_source_per_s": round(args.count / load),
            "pull": {"seconds": round(pull_s, 1), "per_s": round(args.count / pull_s),
                     "pages": pulled.pages},
            "forward": {"seconds": round(forward_s, 1), "per_s": round(args.count / forward_s),
                        "batches": sent.pages},
            "same_ids_each_once": True,
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, load "
                       f"{os.getloadavg()[0]:.1f}",
        }
        print(json.dumps(result, ensure_ascii=False, indent=2))
        hub.store.close()
    finally:
        source.stop()
        upstream.stop()


if __name__ == "__main__":
    main()
