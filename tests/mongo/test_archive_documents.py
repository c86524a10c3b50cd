"""The archive's MongoDB documents: what a ledger entry is stored as, and how a document
written before a field existed reads back (the adapter maps LedgerEntry's fields
through one table, archive_ledger.py)."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime
from decimal import Decimal

from lrs.storage.mongo.archive_ledger import entry_id
from lrs.storage.port import LedgerEntry

NOW = datetime(2024, 5, 1, 8, 30, tzinfo=UTC)


def entry(**changes) -> LedgerEntry:
    values = dict(
        trainee_key="t1", seq=1, period_key="2024", kind="course", activity_id="http://x/c/1",
        credit_hours=Decimal("0.5"), credits=Decimal("0.25"), requirement="elective",
        unit="fj/fz/u1", policy_id="p", statement_id="s1", recorded=NOW, reason="",
        reverses=None, org="fj", prev_hash="", hash="h1",
    )
    return LedgerEntry(**values | changes)


def test_an_entry_is_stored_with_every_field_by_name_and_amounts_as_text(store):
    with store.transaction() as uow:
        uow.archive.append(entry(seq=2, reverses=1, reason="reversal", credit_hours=Decimal("-1")))
        uow.commit()
    doc = store.db["archive_ledger"].find_one({"_id": entry_id("t1", 2)})
    assert set(doc) == {"_id"} | {f.name for f in fields(LedgerEntry)}
    assert (doc["credit_hours"], doc["credits"]) == ("-1", "0.25")  # text, never a float
    assert (doc["seq"], doc["reverses"], doc["reason"]) == (2, 1, "reversal")


def test_an_entry_reads_back_as_written(store):
    written = entry(seq=1, reverses=None)
    with store.transaction() as uow:
        uow.archive.append(written)
        # This unit's own insert, then the committed document.
        assert uow.archive.last_entry("t1") == written
        uow.commit()
    with store.read() as uow:
        assert uow.archive.ledger("t1") == [written]
        assert uow.archive.entries_for_statement("s1") == [written]


def test_a_document_without_the_later_fields_reads_with_their_defaults(store):
    store.db["archive_ledger"].insert_one({
        "_id": entry_id("t1", 1), "trainee_key": "t1", "seq": 1, "period_key": "2024",
        "kind": "course", "activity_id": "http://x/c/1", "credit_hours": "1",
        "credits": "1.5", "statement_id": "s1", "recorded": NOW.replace(tzinfo=None),
    })
    with store.read() as uow:
        (found,) = uow.archive.ledger("t1")
    assert found == LedgerEntry(
        trainee_key="t1", seq=1, period_key="2024", kind="course", activity_id="http://x/c/1",
        credit_hours=Decimal("1"), credits=Decimal("1.5"), requirement="", unit="",
        policy_id="", statement_id="s1", recorded=NOW,
    )
    assert found.recorded.tzinfo is not None  # BSON's naive UTC read back as aware
