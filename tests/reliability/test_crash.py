"""kill -9 in the middle of batch ingest, then restart.

After each crash: no batch is partly stored, no acknowledged statement is
lost, and the outbox holds exactly one pending `statement.stored` event per
stored statement, so the archive projection can catch up from it. Clients
then retry what was in flight, and the retries are idempotent.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter

import requests

from .conftest import (
    create_credential,
    db_ids,
    integrity,
    pending_outbox_ids,
    served_ids,
    statement,
)

WRITERS = 4
BATCH = 40
CRASHES = 2
RUN_BEFORE_KILL = 1.5  # seconds of ingest before each kill -9
MAX_BATCHES_PER_WRITER = 200
MIN_ACKED_BEFORE_KILL = 4


def make_batch(rnd: random.Random) -> list[dict]:
    return [
        statement(
            str(uuid.uuid4()),
            actor={"mbox": f"mailto:trainee{rnd.randrange(30)}@example.gov.cn"},
            object={"id": f"http://example.gov.cn/course/{rnd.randrange(5)}",
                    "definition": {"name": {"zh-CN": f"课程{rnd.randrange(5)}"}}},
        )
        for _ in range(BATCH)
    ]


def ingest_until_killed(server, key, secret, seed):
    """Writers post batches until the server dies; returns (acked, in_flight) batches."""
    acked: list[list[str]] = []
    in_flight: list[list[dict]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def writer(number: int) -> None:
        rnd = random.Random(seed * 100 + number)
        session = server.session(key, secret)
        for _ in range(MAX_BATCHES_PER_WRITER):
            if stop.is_set():
                return
            batch = make_batch(rnd)
            try:
                res = session.post(server.base + "/statements", json=batch, timeout=60)
            except requests.RequestException:
                with lock:
                    in_flight.append(batch)  # the server died under this request
                return
            assert res.status_code == 200, res.text
            assert res.json() == [s["id"] for s in batch]
            with lock:
                acked.append(res.json())

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    # Ingest for a while, and at least until some batches are acknowledged
    # (a loaded CI machine may need longer than RUN_BEFORE_KILL for the first).
    deadline = time.monotonic() + 60
    time.sleep(RUN_BEFORE_KILL)
    while len(acked) < MIN_ACKED_BEFORE_KILL and time.monotonic() < deadline:
        time.sleep(0.05)
    server.kill9()  # mid-ingest: writers have requests in flight
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    return acked, in_flight


def check_store(db, attempted: list[list[str]], acked: list[list[str]]) -> set[str]:
    stored = db_ids(db)
    assert len(stored) == len(set(stored)), "a statement is stored twice"
    stored_set = set(stored)
    everything = {sid for batch in attempted for sid in batch}
    assert stored_set <= everything, "the store holds statements nobody sent"
    partial = [
        len(stored_set & set(batch)) for batch in attempted
        if 0 < len(stored_set & set(batch)) < len(batch)
    ]
    assert not partial, f"batches stored in part: {partial}"
    lost = [sid for batch in acked for sid in batch if sid not in stored_set]
    assert not lost, f"{len(lost)} acknowledged statements lost"
    # The archive projection catches up from the outbox: one event per statement.
    events = pending_outbox_ids(db)
    assert Counter(events) == Counter(stored), "outbox and statements disagree"
    assert integrity(db) == "ok"
    return stored_set


def test_kill_9_mid_batch_ingest(server_factory, tmp_path):
    key, secret = create_credential(tmp_path)
    db = tmp_path / "lrs.sqlite3"
    attempted: list[list[str]] = []
    acked_all: list[list[str]] = []
    retried_statements = 0

    server = server_factory(workers=2, threads=4)
    for crash in range(CRASHES):
        acked, in_flight = ingest_until_killed(server, key, secret, seed=crash)
        attempted += acked + [[s["id"] for s in b] for b in in_flight]
        acked_all += acked
        assert acked, "nothing was acknowledged before the kill"
        check_store(db, attempted, acked_all)

        # Restart on the same file; clients retry what was in flight. A batch
        # that did commit is accepted again (same statements) and not doubled.
        server = server_factory(workers=2, threads=4)
        session = server.session(key, secret)
        for batch in in_flight:
            res = session.post(server.base + "/statements", json=batch, timeout=60)
            assert res.status_code == 200, res.text
            acked_all.append(res.json())
            retried_statements += len(batch)
        stored = check_store(db, attempted, acked_all)
        assert stored == {sid for batch in attempted for sid in batch}
        served = served_ids(session, server.base, limit=500)
        assert len(served) == len(set(served)) and set(served) == stored
        session.close()  # the next round ingests into this restarted server, then kills it

    print(f"\ncrash: {CRASHES} kills, {len(attempted)} batches of {BATCH}, "
          f"{retried_statements} statements retried after a crash")
