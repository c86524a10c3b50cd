"""The SQLite ledger table: its columns are LedgerEntry's fields by name, amounts and
times stored as text (archive_ledger.py maps them through one table), and a reversal
built from the entry it reverses chains after it."""

from __future__ import annotations

import sqlite3
from dataclasses import fields
from datetime import UTC, datetime
from decimal import Decimal

from lrs.domain.archive import ledger
from lrs.storage.port import LedgerDraft, LedgerEntry
from lrs.storage.sqlite.store import SqliteStore

NOW = datetime(2024, 5, 1, 8, 30, 15, 123000, tzinfo=UTC)


def draft(**changes) -> LedgerDraft:
    values = dict(
        period_key="2024", kind="course", activity_id="http://x/c/1",
        credit_hours=Decimal("0.50"), credits=Decimal("1E+1"), requirement="elective",
        unit="fj/fz/u1", policy_id="p", statement_id="s1", org="fj",
    )
    return LedgerDraft(**values | changes)


def test_columns_are_the_entry_fields_and_amounts_are_canonical_text(tmp_path):
    store = SqliteStore(tmp_path / "lrs.sqlite3")
    with store.transaction() as uow:
        first = ledger.append(uow, "t1", draft(), NOW)
        uow.commit()
    store.close()
    conn = sqlite3.connect(tmp_path / "lrs.sqlite3")
    cursor = conn.execute("SELECT * FROM archive_ledger")
    columns = [c[0] for c in cursor.description]
    (row,) = cursor.fetchall()
    conn.close()
    assert set(columns) == {f.name for f in fields(LedgerEntry)}
    stored = dict(zip(columns, row, strict=True))
    assert (stored["credit_hours"], stored["credits"]) == ("0.5", "10")
    assert stored["recorded"] == "2024-05-01T08:30:15.123Z"
    assert (stored["seq"], stored["reverses"], stored["hash"]) == (1, None, first.hash)


def test_a_reversal_is_the_entry_negated_and_chains_after_it(tmp_path):
    store = SqliteStore(tmp_path / "lrs.sqlite3")
    with store.transaction() as uow:
        first = ledger.append(uow, "t1", draft(), NOW)
        reversal = ledger.append(uow, "t1", LedgerEntry(
            **{f.name: getattr(first, f.name) for f in fields(LedgerEntry)}
            | {"credit_hours": -first.credit_hours, "credits": -first.credits,
               "statement_id": "void-1", "reason": "voided", "reverses": first.seq},
        ), NOW)
        uow.commit()
    with store.read() as uow:
        entries = uow.archive.ledger("t1")
        check = ledger.verify(uow, "t1")
    store.close()
    assert entries == [first, reversal]
    assert (reversal.seq, reversal.prev_hash, reversal.reverses) == (2, first.hash, 1)
    assert (reversal.credit_hours, reversal.credits) == (Decimal("-0.5"), Decimal("-10"))
    assert reversal.trainee_key == "t1" and reversal.statement_id == "void-1"
    assert check.ok and check.entries == 2
