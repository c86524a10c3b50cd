"""Concurrent writers against a real `lrs serve` (2 worker processes × 4 threads).

* Read-modify-write of one State document with ETags: every client retries on
  412 with the new ETag; N clients × M increments must all arrive.
* Concurrent merges without preconditions: no key is lost.
* Concurrent batches that share activities and agents: no deadlock, no 500.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter
from urllib.parse import quote

import pytest

from .conftest import LiveServer, create_credential, db_ids, statement

CLIENTS = 6
INCREMENTS = 12
MAX_ATTEMPTS = 500  # per increment; bounds the retry loop
TIME_LIMIT = 90.0


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """One server for the module: each test writes to its own documents or activities."""
    data_dir = tmp_path_factory.mktemp("concurrency")
    all_key = create_credential(data_dir)
    state_key = create_credential(data_dir, scopes="state")
    server = LiveServer(data_dir, workers=2, threads=4).start()
    yield server, data_dir, all_key, state_key
    server.kill9()


def state_url(base: str, state_id: str) -> str:
    agent = quote(json.dumps({"mbox": "mailto:zs@example.gov.cn"}))
    return (f"{base}/activities/state?activityId=http://example.gov.cn/course/1"
            f"&agent={agent}&stateId={state_id}")


def run_threads(target, count: int) -> None:
    threads = [threading.Thread(target=target, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIME_LIMIT + 60)
    assert not any(t.is_alive() for t in threads), "a client hung (deadlock?)"


def test_etag_retry_loop_never_loses_an_update(live):
    server, _, _, (key, secret) = live
    url = state_url(server.base, "progress")
    errors: list[str] = []
    retries: Counter[int] = Counter()
    deadline = time.monotonic() + TIME_LIMIT

    def client(number: int) -> None:
        session = server.session(key, secret)
        for step in range(INCREMENTS):
            for _ in range(MAX_ATTEMPTS):
                if time.monotonic() > deadline:
                    errors.append(f"client {number} ran out of time")
                    return
                got = session.get(url, timeout=60)
                if got.status_code == 404:
                    doc, condition = {}, {"If-None-Match": "*"}
                elif got.status_code == 200:
                    doc, condition = got.json(), {"If-Match": got.headers["ETag"]}
                else:
                    errors.append(f"GET {got.status_code} {got.text[:200]}")
                    return
                update = {"count": doc.get("count", 0) + 1, f"c{number}-{step}": True}
                res = session.post(url, json=update, headers=condition, timeout=60)
                if res.status_code == 204:
                    break
                if res.status_code != 412:
                    errors.append(f"POST {res.status_code} {res.text[:200]}")
                    return
                retries[number] += 1
            else:
                errors.append(f"client {number} gave up on step {step}")
                return

    run_threads(client, CLIENTS)
    assert not errors, errors[:5]
    final = server.session(key, secret).get(url, timeout=60).json()
    assert final["count"] == CLIENTS * INCREMENTS, final
    missing = [
        f"c{n}-{s}" for n in range(CLIENTS) for s in range(INCREMENTS) if f"c{n}-{s}" not in final
    ]
    assert not missing, missing
    print(f"\netag: {CLIENTS}×{INCREMENTS} increments, {sum(retries.values())} retries on 412")


def test_concurrent_merges_without_preconditions_keep_every_key(live):
    server, _, _, (key, secret) = live
    url = state_url(server.base, "answers")
    errors: list[str] = []

    def client(number: int) -> None:
        session = server.session(key, secret)
        for step in range(INCREMENTS):
            res = session.post(url, json={f"c{number}-{step}": step}, timeout=60)
            if res.status_code != 204:
                errors.append(f"{res.status_code} {res.text[:200]}")

    run_threads(client, CLIENTS)
    assert not errors, errors[:5]
    final = server.session(key, secret).get(url, timeout=60).json()
    assert final == {f"c{n}-{s}": s for n in range(CLIENTS) for s in range(INCREMENTS)}


def test_batches_sharing_activities_never_deadlock(live):
    server, data_dir, (key, secret), _ = live
    before = set(db_ids(data_dir / "lrs.sqlite3"))
    shared = [f"http://example.gov.cn/course/{n}" for n in range(3)]
    acked: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()
    batches_per_client = 10

    def client(number: int) -> None:
        session = server.session(key, secret, "2.0.0" if number % 2 else "1.0.3")
        for step in range(batches_per_client):
            # Every batch touches every shared activity, each time with a new
            # translation, so the shared definition rows change in every batch;
            # in reverse order for odd clients, the classic lock-order trap.
            order = shared if number % 2 else list(reversed(shared))
            batch = [
                statement(
                    str(uuid.uuid4()),
                    actor={"mbox": f"mailto:t{number}@example.gov.cn"},
                    object={"id": activity, "definition": {
                        "name": {f"x-c{number}s{step}": f"课程 {number}/{step}"}}},
                    context={"contextActivities": {"parent": [{"id": shared[0]}],
                                                   "grouping": [{"id": shared[-1]}]}},
                )
                for activity in order
            ]
            started = time.monotonic()
            res = session.post(server.base + "/statements", json=batch, timeout=TIME_LIMIT)
            took = time.monotonic() - started
            with lock:
                if res.status_code != 200:
                    errors.append(f"{res.status_code} {res.text[:200]}")
                elif took > 30:
                    errors.append(f"a batch took {took:.1f} s")
                else:
                    acked.extend(res.json())

    run_threads(client, CLIENTS)
    assert not errors, errors[:5]
    assert sorted(set(db_ids(data_dir / "lrs.sqlite3")) - before) == sorted(acked)
    assert len(acked) == CLIENTS * batches_per_client * len(shared)
    # Every translation sent for the shared activity was merged into its definition.
    session = server.session(key, secret)
    got = session.get(f"{server.base}/activities?activityId={shared[1]}", timeout=60).json()
    names = got["definition"]["name"]
    assert {f"x-c{n}s{s}" for n in range(CLIENTS) for s in range(batches_per_client)} <= set(names)
