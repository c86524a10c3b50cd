"""``lrs archive verify``'s walk over every ledger (lrs.domain.archive.verification), on
the store the suite selects: every trainee once, in key order, across pages."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from lrs.domain.archive.ledger import entry_hash
from lrs.domain.archive.verification import verify_ledgers
from lrs.storage.port import LedgerEntry

TRAINEES = [f"trainee-{i}" for i in range(5)]


def first_entry(trainee_key: str, tampered: bool) -> LedgerEntry:
    entry = LedgerEntry(
        trainee_key=trainee_key, seq=1, period_key="2026", kind="course",
        activity_id="https://example.cn/course/1", credit_hours=Decimal("1"),
        credits=Decimal("1"), requirement="required", unit="fj/fz", policy_id="p",
        statement_id="5f0b9a3c-0000-4000-8000-000000000001",
        recorded=datetime(2026, 3, 1, tzinfo=UTC),
    )
    entry = replace(entry, hash=entry_hash("", entry))
    # A credit changed after the fact: the stored hash no longer matches.
    return replace(entry, credits=Decimal("2")) if tampered else entry


def test_every_ledger_once_in_key_order_across_pages(store):
    with store.transaction() as uow:
        for key in reversed(TRAINEES):
            uow.archive.append(first_entry(key, tampered=key == "trainee-3"))
    results = list(verify_ledgers(store, page=2))
    assert [r.trainee_key for r in results] == TRAINEES
    assert [r.trainee_key for r in results if not r.ok] == ["trainee-3"]
    assert all(r.entries == 1 for r in results)


def test_one_trainee(store):
    with store.transaction() as uow:
        for key in TRAINEES:
            uow.archive.append(first_entry(key, tampered=False))
    (result,) = verify_ledgers(store, "trainee-2")
    assert (result.trainee_key, result.ok) == ("trainee-2", True)


def test_no_ledgers(store):
    assert list(verify_ledgers(store)) == []
