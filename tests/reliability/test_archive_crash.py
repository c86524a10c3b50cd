"""kill -9 while statements are ingested AND the archive projector is running.

The projector is `lrs serve`'s default: one follower process beside the workers,
in the server's process group, so the kill -9 takes it mid-batch too.

After the restart the projector catches up from the outbox; the archive it ends
with must equal the archive computed from scratch over the same statements
(``lrs archive rebuild``), the rebuild must find every credit decision already
in the ledger (none missing, none doubled), and every ledger chain verifies.
"""

from __future__ import annotations

import json
import random
import sqlite3
import threading
import time
import uuid

import requests

from .conftest import create_credential, run_lrs

CT = "https://w3id.org/xapi/cadre-training/"
EXT = CT + "extensions/"
WRITERS = 3
BATCH = 20
TRAINEES = 12
COURSES = 6
RUN_BEFORE_KILL = 1.5


def cadre_statement(rnd: random.Random) -> dict:
    """An elective-course statement of the profile: mostly study, some completions."""
    n = rnd.randrange(TRAINEES)
    course = rnd.randrange(COURSES)
    verb = rnd.choice(["launched", "progressed", "completed", "completed"])
    duration = [10, 28, 45][course % 3]
    statement = {
        "id": str(uuid.uuid4()),
        "timestamp": f"202{4 + rnd.randrange(2)}-0{1 + rnd.randrange(9)}-1{rnd.randrange(9)}"
                     "T10:00:00+08:00",
        "actor": {"objectType": "Agent",
                  "account": {"homePage": "https://fsa.example.gov.cn", "name": f"t{n}"}},
        "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb}"},
        "object": {
            "objectType": "Activity",
            "id": f"http://example.gov.cn/fsa/courses/K{course}",
            "definition": {
                "type": CT + "activity-types/course",
                "name": {"zh-CN": f"课程{course}"},
                "extensions": {
                    EXT + "course-duration": duration,
                    EXT + "course-credit-hours": 0.25 if duration <= 15 else (
                        0.5 if duration <= 30 else 1),
                    EXT + "assessment-required": False,
                },
            },
        },
        "context": {
            "registration": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{n}|{course}")),
            "contextActivities": {
                "parent": [{"id": "http://example.gov.cn/fsa/elective/2024", "definition": {
                    "type": CT + "activity-types/elective-programme"}}],
                "category": [{"id": CT + "v1.0", "definition": {
                    "type": "http://adlnet.gov/expapi/activities/profile"}}],
            },
            "extensions": {
                EXT + "agreed-identifier": f"FJ-350100-2020-{n:06d}",
                EXT + "institution-code": "12350000MB0A12345Y",
                EXT + "unit-code": f"11350100MB0B2345{n % 3}K",
                EXT + "course-requirement": rnd.choice(["required", "elective"]),
            },
        },
    }
    if verb in ("progressed", "completed"):
        statement["result"] = {"extensions": {EXT + "learning-duration": rnd.randrange(5, 60)}}
        if verb == "completed":
            statement["result"]["completion"] = True
    return statement


def ingest_until_killed(server, key, secret, seed):
    acked: list[list[str]] = []
    in_flight: list[list[dict]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def writer(number: int) -> None:
        rnd = random.Random(seed * 100 + number)
        session = server.session(key, secret)
        for _ in range(200):
            if stop.is_set():
                return
            batch = [cadre_statement(rnd) for _ in range(BATCH)]
            try:
                res = session.post(server.base + "/statements", json=batch, timeout=60)
            except requests.RequestException:
                with lock:
                    in_flight.append(batch)
                return
            assert res.status_code == 200, res.text
            with lock:
                acked.append(res.json())

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    time.sleep(RUN_BEFORE_KILL)
    while len(acked) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.kill9()
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    return acked, in_flight


def wait_caught_up(server, session, timeout: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = session.get(server.base + "/archives/status", timeout=30).json()
        if state["pendingEvents"] == 0:
            return state
        time.sleep(0.2)
    raise AssertionError(f"the projector did not catch up: {state}")


def snapshot(db) -> tuple[list, list]:
    conn = sqlite3.connect(db, timeout=30)
    try:
        rows = sorted(
            (kind, trainee, period, activity, unit, institution, org, json.loads(data))
            for kind, trainee, period, activity, unit, institution, org, data in conn.execute(
                "SELECT kind, trainee_key, period_key, activity_id, unit, institution, org, "
                "data FROM archive_rows"
            )
        )
        ledger = conn.execute(
            "SELECT trainee_key, seq, statement_id, kind, activity_id, credit_hours, reason, hash "
            "FROM archive_ledger ORDER BY trainee_key, seq"
        ).fetchall()
    finally:
        conn.close()
    return [json.dumps(r, sort_keys=True, ensure_ascii=False) for r in rows], ledger


def test_kill_9_with_the_projector_running_then_catch_up(server_factory, tmp_path):
    key, secret = create_credential(tmp_path)
    db = tmp_path / "lrs.sqlite3"
    env = {"LRS_ARCHIVE_PROJECTOR": ""}  # unset: lrs serve's default, the follower process
    server = server_factory(workers=2, threads=4, env=env)
    acked, in_flight = ingest_until_killed(server, key, secret, seed=7)
    assert acked, "nothing was acknowledged before the kill"

    server = server_factory(workers=2, threads=4, env=env)
    session = server.session(key, secret)
    for batch in in_flight:  # clients retry; a batch that did commit is not doubled
        res = session.post(server.base + "/statements", json=batch, timeout=60)
        assert res.status_code == 200, res.text
    state = wait_caught_up(server, session)
    assert state["mode"] == "process" and state["eventsProjected"] > 0
    session.close()
    server.stop()

    projected_rows, projected_ledger = snapshot(db)
    assert projected_rows and projected_ledger
    decisions = [(t, s, k, a) for t, _, s, k, a, *_ in projected_ledger]
    assert len(decisions) == len(set(decisions)), "a decision was recorded twice"

    # From scratch: the derived rows recomputed from the statements alone.
    out = run_lrs(tmp_path, "archive", "rebuild").stdout
    assert "0 ledger entries added" in out, out
    rebuilt_rows, rebuilt_ledger = snapshot(db)
    assert rebuilt_rows == projected_rows
    assert rebuilt_ledger == projected_ledger
    assert run_lrs(tmp_path, "archive", "verify", check=False).returncode == 0
