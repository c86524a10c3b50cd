"""The projector loop: visibility, concurrency of two projectors, idempotent replays,
late links (unattributed markers)."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

from lrs.domain.archive.policy_book import PolicyBook
from lrs.domain.archive.projector import CHECKPOINT, MARKERS, Projector, rebuild
from lrs.timeutil import utcnow
from tests.archive.conftest import HOME_A, HOME_B, UNIT_FGW, build, key_of
from tests.identity.conftest import account

BOOK = PolicyBook.load(Path(__file__).resolve().parents[2] / "profiles/credit-policies")
ZS = "FJ-350100-2019-004217"
CT_EXT = "https://w3id.org/xapi/cadre-training/extensions/"
ACCOUNT_B = f"account:{HOME_B}|unlinked-0001"


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


def _unlinked(course: str, name: str = "unlinked-0001") -> dict:
    # No agreed identifier: the platform's account is linked to no trainee yet.
    statement = build("course-completed", course=course, duration=28, assessment=False,
                      account=(HOME_B, name))
    del statement["context"]["extensions"][CT_EXT + "agreed-identifier"]
    return statement


def test_a_link_projects_just_the_statements_left_unattributed(admin, store, drain):
    first, second = _unlinked("U1"), _unlinked("U2")
    admin.send(first, second, _unlinked("U3", name="someone-else"))
    assert drain().outcomes == {"unattributed": 3}
    with store.read() as uow:
        assert uow.archive.unattributed(ACCOUNT_B) == [first["id"], second["id"]]
    admin.upsert(agreed_id=ZS, name="张三", unit=UNIT_FGW,
                 accounts=[account(HOME_B, "unlinked-0001")])
    report = drain()
    assert report.outcomes == {"projected": 2}  # nothing re-read, nothing duplicate
    with store.read() as uow:
        assert uow.archive.unattributed(ACCOUNT_B) == []
        assert set(uow.archive.projected([first["id"], second["id"]])) == {
            first["id"], second["id"]}
        assert len(uow.archive.unattributed(f"account:{HOME_B}|someone-else")) == 1


def test_a_new_trainees_first_statement_is_projected_once(admin, drain):
    # The statement links its actor (trainee.linked) and is projected by its own event:
    # the link's event finds no unattributed statement and re-reads nothing.
    admin.upsert(agreed_id=ZS, name="张三", unit=UNIT_FGW, accounts=[])
    admin.send(build("course-completed", course="N1", duration=28, assessment=False))
    assert drain().outcomes == {"projected": 1}


def test_a_store_projected_before_markers_re_reads_until_rebuilt(admin, store, drain):
    # An older version projected this store (a checkpoint, no markers): its
    # unattributed statements have none, so a link still re-reads the agent's
    # statements; a rebuild records the markers and ends that.
    with store.transaction() as uow:
        uow.archive.set_meta(CHECKPOINT, {"events": 0})
    statement = _unlinked("O1")
    admin.send(statement)
    drain()
    with store.transaction() as uow:
        uow.archive.clear_unattributed(ACCOUNT_B, [statement["id"]])  # as if never kept
    admin.upsert(agreed_id=ZS, name="张三", unit=UNIT_FGW,
                 accounts=[account(HOME_B, "unlinked-0001")])
    assert drain().outcomes == {"projected": 1}
    with store.read() as uow:
        assert uow.archive.get_meta(MARKERS) is None
    rebuild(store, BOOK)
    with store.read() as uow:
        assert uow.archive.get_meta(MARKERS) is not None
