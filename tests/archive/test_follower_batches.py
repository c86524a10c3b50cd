"""The follower's batches: full ones back to back, a short one then a pause for events to
gather, and statements read ahead of the write transaction without changing the archive."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from lrs.domain.archive import follower
from lrs.domain.archive.policy_book import PolicyBook
from lrs.domain.archive.projector import Projector
from lrs.domain.archive.read_ahead import ReadAhead, read_ahead
from tests.archive.conftest import HOME_A, UNIT_FGW, build, key_of
from tests.identity.conftest import account

BOOK = PolicyBook.load(Path(__file__).resolve().parents[2] / "profiles/credit-policies")
ZS = "FJ-350100-2019-004217"


class RecordingStop(threading.Event):
    """A stop event that notes every pause the follower takes and ends it after ``pauses``."""

    def __init__(self, pauses: int) -> None:
        super().__init__()
        self.pauses: list[float] = []
        self._left = pauses

    def wait(self, timeout: float | None = None) -> bool:
        self.pauses.append(timeout or 0.0)
        self._left -= 1
        if self._left <= 0:
            self.set()
        return self.is_set()


def _send_courses(admin, count: int) -> list[dict]:
    admin.upsert(agreed_id=ZS, name="张三", unit=UNIT_FGW,
                 accounts=[account(HOME_A, "fz-fgw-0007")])
    statements = [build("course-completed", course=f"F{n}", duration=28, assessment=False)
                  for n in range(count)]
    admin.send(*statements)
    return statements


def _pending(store) -> int:
    with store.read() as uow:
        return uow.outbox.lag().pending


def test_full_batches_follow_each_other_and_a_short_one_waits_for_more(admin, store):
    _send_courses(admin, 12)
    pending = _pending(store)  # the statements and the registry's events for the upsert
    full, rest = divmod(pending, 5)
    assert full >= 2 and rest > 0
    # Full batches with a moment between (nothing else was writing), then the short one:
    # a pause for events to gather, then an empty drain and the idle interval.
    expected = [follower.YIELD_SECONDS] * full + [follower.GATHER_SECONDS, 0.5]
    stop = RecordingStop(pauses=len(expected))
    projected = follower.follow(Projector(store, BOOK, batch=5), stop, interval=0.5)
    assert projected == pending
    assert stop.pauses == expected
    assert _pending(store) == 0
    with store.read() as uow:
        assert len(uow.archive.ledger(key_of(ZS))) == 12


def test_the_gathering_pause_never_exceeds_the_idle_interval(admin, store):
    _send_courses(admin, 3)
    stop = RecordingStop(pauses=1)
    follower.follow(Projector(store, BOOK, batch=_pending(store) + 1), stop, interval=0.02)
    assert stop.pauses == [0.02]


def test_a_batch_that_waited_for_the_lock_leaves_ingest_most_of_it(admin, store):
    # Another writer (an ingest request) holds the write lock when the batch starts.
    if not hasattr(store, "path"):
        pytest.skip("MongoDB has no database-wide write lock to wait for")
    import sqlite3

    _send_courses(admin, 6)
    projector = Projector(store, BOOK, batch=5)
    writer = sqlite3.connect(store.path, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.05, writer.execute, ("COMMIT",))
    release.start()
    try:
        assert projector.drain_once()[0] == 5
    finally:
        release.join()
        writer.close()
    assert projector.last_wait >= follower.CONTENDED_SECONDS
    pause = follower.pause_when_behind(projector.last_wait, projector.last_hold)
    assert pause == pytest.approx(min(follower.MAX_PAUSE_SECONDS, max(
        follower.YIELD_SECONDS, 2 * projector.last_hold)))


def test_the_pause_when_behind_keeps_a_third_of_the_lock():
    assert follower.pause_when_behind(0.0, 0.040) == follower.YIELD_SECONDS  # lock to itself
    assert follower.pause_when_behind(0.010, 0.040) == pytest.approx(0.080)
    assert follower.pause_when_behind(0.010, 0.001) == follower.YIELD_SECONDS
    assert follower.pause_when_behind(0.010, 5.0) == follower.MAX_PAUSE_SECONDS


def test_events_stored_after_the_read_ahead_wait_for_the_next_batch(admin, store):
    first = _send_courses(admin, 2)
    projector = Projector(store, BOOK, batch=50)
    ahead = read_ahead(store, projector._pending)
    assert set(ahead.records) == {s["id"] for s in first}
    later = build("course-completed", course="LATE", duration=28, assessment=False)
    admin.send(later)
    with store.read() as uow:
        now_pending = projector._pending(uow)
    kept = ahead.still_pending(now_pending)
    assert [e.id for e in kept] == [e.id for e in ahead.events]
    assert len(now_pending) > len(kept)


def test_events_another_projector_applied_are_not_applied_again(admin, store):
    _send_courses(admin, 6)
    projector = Projector(store, BOOK, batch=50)
    ahead = read_ahead(store, projector._pending)
    # Another projector drains everything between the read ahead and the write.
    assert Projector(store, BOOK).drain().events == len(ahead.events)
    with store.read() as uow:
        assert ahead.still_pending(projector._pending(uow)) == []
    assert projector.drain_once() == (0, {})
    with store.read() as uow:
        assert len(uow.archive.ledger(key_of(ZS))) == 6


def test_still_pending_keeps_only_the_leading_events_read_ahead():
    from datetime import UTC, datetime

    from lrs.storage.port import OutboxEvent

    def event(n: int) -> OutboxEvent:
        return OutboxEvent(n, "statement.stored", {"id": f"s{n}"}, datetime(2026, 1, 1, tzinfo=UTC))

    ahead = ReadAhead([event(1), event(2), event(4)], {})
    # 3 appeared since (a lower id made visible late): it and what follows wait.
    assert [e.id for e in ahead.still_pending([event(2), event(3), event(4)])] == [2]


def test_a_statement_voided_after_the_read_ahead_loses_its_credit_in_the_next_batch(
    admin, store, monkeypatch
):
    from lrs.domain.archive import projector as projector_module

    proxy = _send_courses(admin, 1)[0]
    projector = Projector(store, BOOK, batch=50)
    stale = read_ahead(store, projector._pending)  # the statement, not voided yet
    admin.send({
        "actor": {"objectType": "Agent", "account": {"homePage": HOME_A, "name": "admin"}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
        "object": {"objectType": "StatementRef", "id": proxy["id"]},
    })
    monkeypatch.setattr(projector_module, "read_ahead", lambda *_: stale)
    handled, outcomes = projector.drain_once()
    assert handled == len(stale.events)  # the voiding statement's event waits
    assert outcomes.get("projected") == 1
    monkeypatch.undo()
    projector.drain()
    with store.read() as uow:
        entries = uow.archive.ledger(key_of(ZS))
        assert uow.outbox.lag().pending == 0
    # Credited as of the read ahead, then reversed by the voiding statement's own event:
    # the archive a projector running at that moment makes.
    assert [str(e.credit_hours) for e in entries] == ["0.5", "-0.5"]
    assert entries[-1].reverses == entries[0].seq
