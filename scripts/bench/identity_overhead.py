"""What the identity hook costs at ingest: statements/s with and without it.

Stores batches of 100 statements through the service layer
(``lrs.domain.statements.service.store_statements``: normalisation, index
links, outbox; no HTTP and no profile validation) into a fresh temporary SQLite
store per case, and reports statements/s by wall clock and by this process's
CPU time, median of ``--repeat`` interleaved runs, and the CPU time spent
inside the hook per statement, measured around the hook itself: on a shared,
busy machine that is steadier than the difference between two runs.

Cases (each hook case is compared with the no-hook case of the same statements):
  plain           no hook; statements without the identity extensions
  plain+hook      hook on; the same (the fast path: one dict lookup each)
  ext             no hook; statements carry the agreed identifier and unit code
  steady          hook on; 1,000 registered cadres with linked accounts and
                  units, statements carry matching agreed identifiers and unit codes
  first-contact   hook on; every statement names a new cadre: a provisional
                  trainee and a link are written per statement (worst case)
  conflicts       hook on; every statement's unit code contradicts the registry
                  (one open conflict per cadre, counted up on each repeat)

    python scripts/bench/identity_overhead.py [--batches 50] [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from lrs.domain.credentials import authority_agent, create_credential  # noqa: E402
from lrs.domain.identity.ingest import identity_hook  # noqa: E402
from lrs.domain.identity.keys import IdentityKeys  # noqa: E402
from lrs.domain.identity.registry import TraineeInput, upsert_trainee  # noqa: E402
from lrs.domain.identity.roles import Reader  # noqa: E402
from lrs.domain.identity.vocabulary import (  # noqa: E402
    AGREED_ID_EXTENSION,
    UNIT_CODE_EXTENSION,
)
from lrs.domain.statements.service import StoreRequest, store_statements  # noqa: E402
from lrs.storage.sqlite.store import SqliteStore  # noqa: E402

BATCH = 100
CADRES = 1000
KEYS = IdentityKeys(b"bench-identity-secret-0123456789")
UNIT = "fj/fz/11350100MB0B23456K"
CODE, OTHER_CODE = "11350100MB0B23456K", "11350200MB0C34567P"
HOME = "https://platform-a.example.gov.cn"


def statement(cadre: str, extension: bool, code: str = CODE) -> dict:
    body = {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "account": {"homePage": HOME, "name": f"u{cadre}"}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
        "object": {"id": f"http://example.gov.cn/courses/{uuid.uuid4().int % 500}"},
        "timestamp": "2026-05-01T10:00:00+08:00",
    }
    if extension:
        body["context"] = {
            "extensions": {AGREED_ID_EXTENSION: f"FJ-{cadre}", UNIT_CODE_EXTENSION: code}
        }
    return body


def register(store: SqliteStore) -> None:
    operator = Reader("admin", "", None, "bench")
    with store.transaction() as uow:
        for n in range(CADRES):
            upsert_trainee(
                uow,
                KEYS,
                operator,
                TraineeInput(
                    agreed_id=f"FJ-{n}",
                    name="张三",
                    unit=UNIT,
                    accounts=({"account": {"homePage": HOME, "name": f"u{n}"}},),
                ),
                "import",
            )


def timed(hook, spent: list[float]):
    """The hook, adding the CPU seconds it takes to ``spent[0]``."""

    def run_hook(uow, records, context):
        started = time.process_time()
        hook(uow, records, context)
        spent[0] += time.process_time() - started

    return run_hook


def run(case: str, batches: int) -> tuple[float, float, float]:
    """(statements per wall-clock second, per CPU second, hook CPU µs per statement)."""
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteStore(Path(tmp) / "bench.sqlite3")
        credential, _ = create_credential(store, "platform A", "statements/write", org="fj")
        spent = [0.0]
        hooks = () if case in ("plain", "ext") else (timed(identity_hook(KEYS), spent),)
        if case in ("steady", "conflicts"):
            register(store)
        counter = iter(range(10**9))

        def batch() -> list[dict]:
            if case == "first-contact":
                return [statement(f"new-{next(counter)}", True) for _ in range(BATCH)]
            if case in ("plain", "plain+hook"):
                return [statement(str(next(counter) % CADRES), False) for _ in range(BATCH)]
            code = OTHER_CODE if case == "conflicts" else CODE
            return [statement(str(next(counter) % CADRES), True, code) for _ in range(BATCH)]

        payloads = [batch() for _ in range(batches)]
        authority = authority_agent(credential, "http://localhost/xapi/credentials")
        started, cpu = time.perf_counter(), time.process_time()
        for statements in payloads:
            store_statements(
                store,
                StoreRequest(statements, credential, "2.0.0", authority, {}, hooks=hooks),
            )
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        store.close()
    n = batches * BATCH
    return n / elapsed, n / cpu, spent[0] * 1e6 / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    cases = ("plain", "plain+hook", "ext", "steady", "first-contact", "conflicts")
    run("ext", 3)  # warm up: imports, page cache
    rates: dict[str, list[tuple[float, float, float]]] = {c: [] for c in cases}
    for _ in range(args.repeat):  # interleaved, so drift in machine load hits every case
        for case in cases:
            rates[case].append(run(case, args.batches))
    wall = {c: statistics.median(r[0] for r in rs) for c, rs in rates.items()}
    cpu = {c: statistics.median(r[1] for r in rs) for c, rs in rates.items()}
    hook = {c: statistics.median(r[2] for r in rs) for c, rs in rates.items()}
    print(f"{args.batches} batches of {BATCH} statements, median of {args.repeat} runs")
    print(
        f"{'case':14} {'wall st/s':>10} {'CPU st/s':>9} {'CPU µs/st':>10} "
        f"{'in hook µs/st':>14} {'hook share':>11}"
    )
    for case in cases:
        line = f"{case:14} {wall[case]:10,.0f} {cpu[case]:9,.0f} {1e6 / cpu[case]:10,.0f}"
        if hook[case]:
            line += f" {hook[case]:14,.1f} {hook[case] * cpu[case] / 1e6:11.1%}"
        print(line)


if __name__ == "__main__":
    main()
