"""The embedded store's learning archive: derived rows, credit ledger, projection markers.

Kept apart from ``repositories.py`` like the identity registry; ``store.py``
applies :data:`ARCHIVE_SCHEMA` with the main schema (``CREATE … IF NOT EXISTS``,
so an existing data file gains the tables on its next start) and hangs
:class:`SqliteArchive` on each unit of work. Decimal amounts are stored as
their canonical text (``lrs.domain.archive.amounts``), never as REAL.
"""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from typing import Any

import orjson

from lrs import compactjson
from lrs.storage.port import ArchiveRepository, ArchiveRow, LedgerEntry, ProjectedStatement
from lrs.storage.sqlite.common import org_filter
from lrs.timeutil import format_timestamp, parse_stored, utcnow

ARCHIVE_SCHEMA = """
-- Derived rows (GB/T 38856 §9.1.2): trainee × course|class × period. Rebuildable.
CREATE TABLE IF NOT EXISTS archive_rows (
    trainee_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    period_key TEXT NOT NULL,
    activity_id TEXT NOT NULL,
    unit TEXT NOT NULL,
    institution TEXT NOT NULL,
    org TEXT NOT NULL,
    data TEXT NOT NULL,
    updated TEXT NOT NULL,
    PRIMARY KEY (trainee_key, period_key, kind, activity_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS archive_rows_unit ON archive_rows (period_key, unit, trainee_key);
CREATE INDEX IF NOT EXISTS archive_rows_org ON archive_rows (period_key, org, trainee_key);
CREATE INDEX IF NOT EXISTS archive_rows_activity ON archive_rows (activity_id, trainee_key);
CREATE INDEX IF NOT EXISTS archive_rows_trainee_activity
    ON archive_rows (trainee_key, activity_id);

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

-- Statements the projection has applied, and the rows each touched.
CREATE TABLE IF NOT EXISTS archive_projected (
    statement_id TEXT PRIMARY KEY,
    trainee_key TEXT NOT NULL,
    rows TEXT NOT NULL,
    projected TEXT NOT NULL
) WITHOUT ROWID;

-- Statements left unattributed (their actor linked to no trainee yet), so that a
-- trainee.linked event projects just these. The key is the lookup index:
-- one agent's markers in store order.
CREATE TABLE IF NOT EXISTS archive_unattributed (
    agent_key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    statement_id TEXT NOT NULL,
    PRIMARY KEY (agent_key, seq, statement_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS archive_meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
"""

_ROW_COLUMNS = "kind, trainee_key, period_key, activity_id, unit, institution, org, data, updated"
_LEDGER_COLUMNS = (
    "trainee_key, seq, period_key, kind, activity_id, credit_hours, credits, requirement, unit, "
    "policy_id, statement_id, recorded, reason, reverses, org, prev_hash, hash"
)


def _dumps(value: Any) -> str:
    # Sorted keys: the same text the standard encoder wrote before (orjson is ~10x faster).
    return compactjson.dumps(value, sort_keys=True)


def _row(r: tuple[Any, ...]) -> ArchiveRow:
    kind, trainee, period, activity, unit, institution, org, data, updated = r
    return ArchiveRow(
        kind=kind,
        trainee_key=trainee,
        period_key=period,
        activity_id=activity,
        unit=unit,
        institution=institution,
        org=org,
        data=orjson.loads(data),  # text this adapter wrote: plain JSON
        updated=parse_stored(updated),
    )


def _entry(r: tuple[Any, ...]) -> LedgerEntry:
    (trainee, seq, period, kind, activity, hours, credits, requirement, unit, policy,
     statement_id, recorded, reason, reverses, org, prev_hash, hash_) = r
    return LedgerEntry(
        trainee_key=trainee,
        seq=seq,
        period_key=period,
        kind=kind,
        activity_id=activity,
        credit_hours=Decimal(hours),
        credits=Decimal(credits),
        requirement=requirement,
        unit=unit,
        policy_id=policy,
        statement_id=statement_id,
        recorded=parse_stored(recorded),
        reason=reason,
        reverses=reverses,
        org=org,
        prev_hash=prev_hash,
        hash=hash_,
    )


class SqliteArchive(ArchiveRepository):
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    # ------------------------------------------------------------ derived rows

    def get_row(
        self, kind: str, trainee_key: str, period_key: str, activity_id: str
    ) -> ArchiveRow | None:
        r = self._conn.execute(
            f"SELECT {_ROW_COLUMNS} FROM archive_rows WHERE trainee_key = ? AND period_key = ? "
            "AND kind = ? AND activity_id = ?",
            (trainee_key, period_key, kind, activity_id),
        ).fetchone()
        return _row(r) if r else None

    def save_row(self, row: ArchiveRow) -> None:
        self._conn.execute(
            f"INSERT OR REPLACE INTO archive_rows ({_ROW_COLUMNS}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                row.kind,
                row.trainee_key,
                row.period_key,
                row.activity_id,
                row.unit,
                row.institution,
                row.org,
                _dumps(row.data),
                format_timestamp(row.updated or utcnow()),
            ),
        )

    def delete_row(self, kind: str, trainee_key: str, period_key: str, activity_id: str) -> None:
        self._conn.execute(
            "DELETE FROM archive_rows WHERE trainee_key = ? AND period_key = ? AND kind = ? "
            "AND activity_id = ?",
            (trainee_key, period_key, kind, activity_id),
        )

    def rows_for_trainee(
        self, trainee_key: str, period_key: str | None = None
    ) -> list[ArchiveRow]:
        sql = f"SELECT {_ROW_COLUMNS} FROM archive_rows WHERE trainee_key = ?"
        params: list[Any] = [trainee_key]
        if period_key is not None:
            sql += " AND period_key = ?"
            params.append(period_key)
        rows = self._conn.execute(sql + " ORDER BY kind, period_key, activity_id", params)
        return [_row(r) for r in rows.fetchall()]

    def rows_for_trainees(self, trainee_keys: list[str], period_key: str) -> list[ArchiveRow]:
        found: list[ArchiveRow] = []
        unique = sorted(set(trainee_keys))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            rows = self._conn.execute(
                f"SELECT {_ROW_COLUMNS} FROM archive_rows WHERE trainee_key IN ({marks}) "
                "AND period_key = ? ORDER BY trainee_key, kind, period_key, activity_id",
                [*chunk, period_key],
            ).fetchall()
            found += [_row(r) for r in rows]
        return found

    def rows_for_activity(self, trainee_key: str, activity_id: str) -> list[ArchiveRow]:
        rows = self._conn.execute(
            f"SELECT {_ROW_COLUMNS} FROM archive_rows WHERE trainee_key = ? AND activity_id = ? "
            "ORDER BY period_key, kind",
            (trainee_key, activity_id),
        ).fetchall()
        return [_row(r) for r in rows]

    def rows_in_units(
        self,
        unit_scope: str,
        period_key: str,
        after: tuple[str, str, str, str] | None = None,
        limit: int = 1000,
    ) -> list[ArchiveRow]:
        return self._rows_under("unit", unit_scope, period_key, after, limit)

    def rows_by_org(
        self,
        org_scope: str,
        period_key: str,
        after: tuple[str, str, str, str] | None = None,
        limit: int = 1000,
    ) -> list[ArchiveRow]:
        return self._rows_under("org", org_scope, period_key, after, limit)

    def _rows_under(
        self,
        column: str,
        unit_scope: str,
        period_key: str,
        after: tuple[str, str, str, str] | None,
        limit: int,
    ) -> list[ArchiveRow]:
        # ``column`` is "unit" or "org", both indexed after period_key.
        # The page's keys come from the index alone (sorting only keys), then the rows by
        # primary key: sorting whole rows (their JSON data) costs several times more.
        sql = (
            "SELECT trainee_key, kind, period_key, activity_id FROM archive_rows "
            "WHERE period_key = ?"
        )
        params: list[Any] = [period_key]
        if unit_scope:
            # The range [scope, scope + "0") ("0" follows "/") holds the scope and its
            # subtree, so the index on (period_key, unit) serves it; a LIKE alone (case-
            # insensitive, with ESCAPE) scans the whole period. The filter keeps it exact.
            unit_sql, unit_params = org_filter(column, unit_scope)
            sql += f" AND {column} >= ? AND {column} < ?{unit_sql}"
            params += [unit_scope, unit_scope + "0", *unit_params]
        if after is not None:
            sql += " AND (trainee_key, kind, period_key, activity_id) > (?, ?, ?, ?)"
            params.extend(after)
        sql += " ORDER BY trainee_key, kind, period_key, activity_id LIMIT ?"
        columns = ", ".join(f"r.{c.strip()}" for c in _ROW_COLUMNS.split(","))
        rows = self._conn.execute(
            f"SELECT {columns} FROM ({sql}) AS k JOIN archive_rows AS r "
            "ON r.trainee_key = k.trainee_key AND r.period_key = k.period_key "
            "AND r.kind = k.kind AND r.activity_id = k.activity_id",
            [*params, limit],
        ).fetchall()
        rows.sort(key=lambda r: (r[1], r[0], r[2], r[3]))
        return [_row(r) for r in rows]

    def trainees_in_units(self, unit_scope: str, period_key: str) -> list[str]:
        sql = "SELECT DISTINCT trainee_key FROM archive_rows WHERE period_key = ?"
        params: list[Any] = [period_key]
        if unit_scope:
            unit_sql, unit_params = org_filter("unit", unit_scope)
            sql += f" AND unit >= ? AND unit < ?{unit_sql}"
            params += [unit_scope, unit_scope + "0", *unit_params]
        rows = self._conn.execute(sql + " ORDER BY trainee_key", params).fetchall()
        return [r[0] for r in rows]

    def delete_rows(self) -> int:
        deleted = self._conn.execute("DELETE FROM archive_rows").rowcount
        self._conn.execute("DELETE FROM archive_projected")
        self._conn.execute("DELETE FROM archive_unattributed")
        return deleted

    # ------------------------------------------------------------ projected markers

    def projected(self, statement_ids: list[str]) -> dict[str, ProjectedStatement]:
        found: dict[str, ProjectedStatement] = {}
        unique = list(dict.fromkeys(statement_ids))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            rows = self._conn.execute(
                "SELECT statement_id, trainee_key, rows, projected FROM archive_projected "
                f"WHERE statement_id IN ({marks})",
                chunk,
            ).fetchall()
            for sid, trainee, touched, when in rows:
                found[sid] = ProjectedStatement(
                    sid, trainee, tuple(tuple(t) for t in orjson.loads(touched)), parse_stored(when)
                )
        return found

    def mark_projected(self, marker: ProjectedStatement) -> None:
        self._conn.execute(
            "INSERT OR REPLACE INTO archive_projected (statement_id, trainee_key, rows, projected) "
            "VALUES (?, ?, ?, ?)",
            (
                marker.statement_id,
                marker.trainee_key,
                _dumps([list(t) for t in marker.rows]),
                format_timestamp(marker.projected or utcnow()),
            ),
        )

    def clear_projected(self, statement_ids: list[str]) -> None:
        unique = list(dict.fromkeys(statement_ids))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            self._conn.execute(
                f"DELETE FROM archive_projected WHERE statement_id IN ({marks})", chunk
            )

    # ------------------------------------------------------------ unattributed markers

    def mark_unattributed(self, statement_id: str, seq: int, agent_key: str) -> None:
        self._conn.execute(
            "INSERT OR IGNORE INTO archive_unattributed (agent_key, seq, statement_id) "
            "VALUES (?, ?, ?)",
            (agent_key, seq, statement_id),
        )

    def unattributed(self, agent_key: str) -> list[str]:
        rows = self._conn.execute(
            "SELECT statement_id FROM archive_unattributed WHERE agent_key = ? ORDER BY seq",
            (agent_key,),
        ).fetchall()
        return [r[0] for r in rows]

    def clear_unattributed(self, agent_key: str, statement_ids: list[str]) -> None:
        unique = list(dict.fromkeys(statement_ids))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            self._conn.execute(
                "DELETE FROM archive_unattributed WHERE agent_key = ? "
                f"AND statement_id IN ({marks})",
                [agent_key, *chunk],
            )

    # ------------------------------------------------------------ ledger

    def last_entry(self, trainee_key: str) -> LedgerEntry | None:
        r = self._conn.execute(
            f"SELECT {_LEDGER_COLUMNS} FROM archive_ledger WHERE trainee_key = ? "
            "ORDER BY seq DESC LIMIT 1",
            (trainee_key,),
        ).fetchone()
        return _entry(r) if r else None

    def append(self, entry: LedgerEntry) -> None:
        self._conn.execute(
            f"INSERT INTO archive_ledger ({_LEDGER_COLUMNS}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                entry.trainee_key,
                entry.seq,
                entry.period_key,
                entry.kind,
                entry.activity_id,
                str(entry.credit_hours),
                str(entry.credits),
                entry.requirement,
                entry.unit,
                entry.policy_id,
                entry.statement_id,
                format_timestamp(entry.recorded),
                entry.reason,
                entry.reverses,
                entry.org,
                entry.prev_hash,
                entry.hash,
            ),
        )

    def ledger(
        self, trainee_key: str, after_seq: int = 0, limit: int = 1000
    ) -> list[LedgerEntry]:
        rows = self._conn.execute(
            f"SELECT {_LEDGER_COLUMNS} FROM archive_ledger WHERE trainee_key = ? AND seq > ? "
            "ORDER BY seq LIMIT ?",
            (trainee_key, after_seq, limit),
        ).fetchall()
        return [_entry(r) for r in rows]

    def entries_for_statement(self, statement_id: str) -> list[LedgerEntry]:
        rows = self._conn.execute(
            f"SELECT {_LEDGER_COLUMNS} FROM archive_ledger WHERE statement_id = ? "
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

    # ------------------------------------------------------------ checkpoint

    def get_meta(self, name: str) -> dict[str, Any] | None:
        r = self._conn.execute("SELECT value FROM archive_meta WHERE name = ?", (name,)).fetchone()
        return orjson.loads(r[0]) if r else None

    def set_meta(self, name: str, value: dict[str, Any]) -> None:
        self._conn.execute(
            "INSERT OR REPLACE INTO archive_meta (name, value) VALUES (?, ?)",
            (name, _dumps(value)),
        )

    def lock_projector(self) -> None:
        # A write unit of work holds SQLite's write lock from BEGIN IMMEDIATE.
        return None
