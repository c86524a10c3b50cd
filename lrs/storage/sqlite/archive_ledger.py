"""The embedded store's credit ledger (GB/T 38856 §9.1.1): append-only (triggers refuse
an UPDATE or DELETE), hash-chained per trainee. Part of :class:`SqliteArchive`
(``archive.py``); amounts are stored as their canonical text, never as REAL."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import fields
from decimal import Decimal
from typing import Any

from lrs.storage.port import LedgerEntry
from lrs.storage.sqlite.common import marks
from lrs.timeutil import format_timestamp, parse_stored

LEDGER_SCHEMA = """
-- The credit ledger (§9.1.1): append-only, hash-chained per trainee.
CREATE TABLE IF NOT EXISTS archive_ledger (
    trainee_key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    period_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    activity_id TEXT NOT NULL,
    credit_hours TEXT NOT NULL,
    credits TEXT NOT NULL,
    requirement TEXT NOT NULL,
    unit TEXT NOT NULL,
    policy_id TEXT NOT NULL,
    statement_id TEXT NOT NULL,
    recorded TEXT NOT NULL,
    reason TEXT NOT NULL,
    reverses INTEGER,
    org TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (trainee_key, seq)
) WITHOUT ROWID;
-- One decision per (statement, kind, activity): a replayed statement adds nothing.
CREATE UNIQUE INDEX IF NOT EXISTS archive_ledger_decision
    ON archive_ledger (statement_id, kind, activity_id, trainee_key);
CREATE TRIGGER IF NOT EXISTS archive_ledger_no_update BEFORE UPDATE ON archive_ledger
BEGIN SELECT RAISE(ABORT, 'the credit ledger is append-only'); END;
CREATE TRIGGER IF NOT EXISTS archive_ledger_no_delete BEFORE DELETE ON archive_ledger
BEGIN SELECT RAISE(ABORT, 'the credit ledger is append-only'); END;
"""

# The table's columns are LedgerEntry's fields, by the same names.
_FIELDS = tuple(f.name for f in fields(LedgerEntry))
_COLUMNS = ", ".join(_FIELDS)
# The fields stored as text other than their Python value: amounts and the time.
_TO_TEXT: dict[str, Callable[[Any], Any]] = {
    "credit_hours": str, "credits": str, "recorded": format_timestamp,
}
_FROM_TEXT: dict[str, Callable[[str], Any]] = {
    "credit_hours": Decimal, "credits": Decimal, "recorded": parse_stored,
}


def _entry(r: tuple[Any, ...]) -> LedgerEntry:
    values = dict(zip(_FIELDS, r, strict=True))
    for name, convert in _FROM_TEXT.items():
        values[name] = convert(values[name])
    return LedgerEntry(**values)


def _same(value: Any) -> Any:
    return value


class SqliteLedger:
    """The credit ledger of :class:`lrs.storage.sqlite.archive.SqliteArchive`."""

    _conn: sqlite3.Connection

    def last_entry(self, trainee_key: str) -> LedgerEntry | None:
        r = self._conn.execute(
            f"SELECT {_COLUMNS} FROM archive_ledger WHERE trainee_key = ? "
            "ORDER BY seq DESC LIMIT 1",
            (trainee_key,),
        ).fetchone()
        return _entry(r) if r else None

    def append(self, entry: LedgerEntry) -> None:
        values = [_TO_TEXT.get(name, _same)(getattr(entry, name)) for name in _FIELDS]
        self._conn.execute(
            f"INSERT INTO archive_ledger ({_COLUMNS}) VALUES ({marks(values)})", values
        )

    def ledger(
        self, trainee_key: str, after_seq: int = 0, limit: int = 1000
    ) -> list[LedgerEntry]:
        rows = self._conn.execute(
            f"SELECT {_COLUMNS} FROM archive_ledger WHERE trainee_key = ? AND seq > ? "
            "ORDER BY seq LIMIT ?",
            (trainee_key, after_seq, limit),
        ).fetchall()
        return [_entry(r) for r in rows]

    def entries_for_statement(self, statement_id: str) -> list[LedgerEntry]:
        rows = self._conn.execute(
            f"SELECT {_COLUMNS} FROM archive_ledger WHERE statement_id = ? "
            "ORDER BY trainee_key, seq",
            (statement_id,),
        ).fetchall()
        return [_entry(r) for r in rows]

    def ledger_trainees(self, after_key: str | None = None, limit: int = 500) -> list[str]:
        rows = self._conn.execute(
            "SELECT DISTINCT trainee_key FROM archive_ledger WHERE trainee_key > ? "
            "ORDER BY trainee_key LIMIT ?",
            (after_key or "", limit),
        ).fetchall()
        return [r[0] for r in rows]
