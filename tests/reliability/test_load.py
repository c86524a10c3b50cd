"""N concurrent clients write and read against a real `lrs serve` for a bounded time.

Afterwards every acknowledged statement is stored exactly once and nothing
else is: compared through the API (GET paging with `more`) and in the SQLite
file itself.
"""

from __future__ import annotations

import os
import random
import threading
import time
import uuid
from collections import Counter

from .conftest import create_credential, db_ids, integrity, served_ids, statement

CLIENTS = 8
DURATION = float(os.environ.get("LRS_LOAD_SECONDS", "8"))
MAX_REQUESTS_PER_CLIENT = 400  # bounds the loop even on a very fast machine


def test_concurrent_clients_lose_and_duplicate_nothing(server_factory, tmp_path):
    key, secret = create_credential(tmp_path)
    server = server_factory(workers=2, threads=4)
    acked: list[str] = []
    statuses: Counter[int] = Counter()
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + DURATION

    def client(number: int) -> None:
        rnd = random.Random(number)
        session = server.session(key, secret, rnd.choice(["1.0.3", "2.0.0"]))
        mine: list[str] = []
        for _ in range(MAX_REQUESTS_PER_CLIENT):
            if time.monotonic() >= stop_at:
                break
            roll = rnd.random()
            try:
                if roll < 0.55:  # one statement, client-assigned id
                    body = statement(
                        actor={"mbox": f"mailto:trainee{rnd.randrange(50)}@example.gov.cn"},
                        object={"id": f"http://example.gov.cn/course/{rnd.randrange(20)}"},
                    )
                    res = session.post(server.base + "/statements", json=body, timeout=60)
                    if res.status_code == 200:
                        assert res.json() == [body["id"]]
                        mine.append(body["id"])
                elif roll < 0.7:  # a batch, ids assigned by the LRS
                    batch = [statement() for _ in range(rnd.randrange(2, 20))]
                    for item in batch:
                        del item["id"]
                    res = session.post(server.base + "/statements", json=batch, timeout=60)
                    if res.status_code == 200:
                        ids = res.json()
                        assert len(ids) == len(batch) == len(set(ids))
                        mine += ids
                elif roll < 0.75:  # PUT with an id
                    sid = str(uuid.uuid4())
                    res = session.put(f"{server.base}/statements?statementId={sid}",
                                      json=statement(sid), timeout=60)
                    if res.status_code == 204:
                        mine.append(sid)
                elif roll < 0.8 and mine:  # read back one of ours
                    res = session.get(f"{server.base}/statements?statementId={rnd.choice(mine)}",
                                      timeout=60)
                else:  # a query page
                    res = session.get(
                        f"{server.base}/statements?limit=25&agent="
                        f'{{"mbox":"mailto:trainee{rnd.randrange(50)}@example.gov.cn"}}',
                        timeout=60,
                    )
                    if res.status_code == 200:
                        assert len(res.json()["statements"]) <= 25
                with lock:
                    statuses[res.status_code] += 1
                if res.status_code >= 300:
                    with lock:
                        errors.append(f"{res.status_code} {res.text[:200]}")
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                with lock:
                    errors.append(repr(exc))
        with lock:
            acked.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=DURATION + 120)
    elapsed = time.monotonic() - started
    assert not any(t.is_alive() for t in threads), "a client hung"
    assert not errors, errors[:5]
    total = sum(statuses.values())
    print(f"\nload: {total} requests, {len(acked)} statements in {elapsed:.1f} s "
          f"({total / elapsed:.0f} req/s, {len(acked) / elapsed:.0f} statements/s); {statuses}")
    assert len(acked) > 0
    assert len(acked) == len(set(acked)), "an id was acknowledged twice"

    # Through the API: every acknowledged statement, once, and nothing else.
    reader = server.session(key, secret)
    served = served_ids(reader, server.base, limit=500)
    assert len(served) == len(set(served)), "a statement was served twice across pages"
    assert set(served) == set(acked)

    assert server.stop() == 0
    # In the file itself, after a clean shutdown.
    db = tmp_path / "lrs.sqlite3"
    stored = db_ids(db)
    assert len(stored) == len(set(stored))
    assert set(stored) == set(acked)
    assert integrity(db) == "ok"
