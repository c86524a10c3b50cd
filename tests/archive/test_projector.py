"""The projector loop: visibility, concurrency of two projectors, idempotent replays."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

from lrs.domain.archive.policy import PolicyBook
from lrs.domain.archive.projector import Projector
from lrs.timeutil import utcnow
from tests.archive.conftest import HOME_A, UNIT_FGW, build, key_of
from tests.identity.conftest import account

BOOK = PolicyBook.load(Path(__file__).resolve().parents[2] / "profiles/credit-policies")
ZS = "FJ-350100-2019-004217"


def test_an_event_waits_for_its_statement_then_is_given_up(store):
    with store.transaction() as uow:
        uow.outbox.add("statement.stored", {"id": "not-visible-yet"})
    projector = Projector(store, BOOK)
    assert projector.drain().events == 0
    assert projector.pending() == 1
    projector.clock = lambda: utcnow() + timedelta(minutes=2)
    assert projector.drain().events == 1
    assert projector.pending() == 0


def test_other_topics_are_left_for_their_consumers(store):
    with store.transaction() as uow:
        uow.outbox.add("something.else", {"x": 1})
    assert Projector(store, BOOK).drain().events == 0
    with store.read() as uow:
        assert [e.topic for e in uow.outbox.pending()] == ["something.else"]


def test_two_projectors_at_once_record_each_decision_once(admin, store):
    admin.upsert(agreed_id=ZS, name="张三", unit=UNIT_FGW,
                 accounts=[account(HOME_A, "fz-fgw-0007")])
    statements = [
        build("course-completed", course=f"P{n}", duration=28, assessment=False)
        for n in range(60)
    ]
    for start in range(0, 60, 10):
        admin.send(*statements[start : start + 10])
    projectors = [Projector(store, BOOK, batch=7) for _ in range(2)]
    threads = [threading.Thread(target=p.drain) for p in projectors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    with store.read() as uow:
        entries = uow.archive.ledger(key_of(ZS))
        assert uow.outbox.lag().pending == 0
    assert len(entries) == 60
    assert [e.seq for e in entries] == list(range(1, 61))
    assert len({e.statement_id for e in entries}) == 60
