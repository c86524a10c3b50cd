"""The embedded store's derived archive rows (GB/T 38856 §9.1.2): trainee × course|class
× period, rebuildable from the statements and the ledger. Part of :class:`SqliteArchive`
(``archive.py``); ``data`` is sorted JSON text, amounts in it canonical text."""

from __future__ import annotations

import sqlite3
from typing import Any, Literal

import orjson

from lrs import compactjson
from lrs.storage.port import ArchiveRow, RowPosition
from lrs.storage.sqlite.common import chunks, marks, org_filter
from lrs.timeutil import format_timestamp, parse_stored, utcnow

ROWS_SCHEMA = """
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
"""

# In ArchiveRow's field order.
_ROW_COLUMNS = "kind, trainee_key, period_key, activity_id, unit, institution, org, data, updated"
_PAGE_ORDER = " ORDER BY trainee_key, kind, period_key, activity_id"


def _row(r: tuple[Any, ...]) -> ArchiveRow:
    kind, trainee, period, activity, unit, institution, org, data, updated = r
    # ``data`` is text this adapter wrote: plain JSON.
    return ArchiveRow(kind, trainee, period, activity, unit, institution, org,
                      orjson.loads(data), parse_stored(updated))


class SqliteArchiveRows:
    """The derived rows of :class:`lrs.storage.sqlite.archive.SqliteArchive`."""

    _conn: sqlite3.Connection

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
                # Sorted keys: the text the standard encoder wrote before (orjson is ~10x
                # faster).
                compactjson.dumps(row.data, sort_keys=True),
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
        for chunk in chunks(sorted(set(trainee_keys))):
            rows = self._conn.execute(
                f"SELECT {_ROW_COLUMNS} FROM archive_rows WHERE trainee_key IN ({marks(chunk)}) "
                "AND period_key = ?" + _PAGE_ORDER,
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

    def rows_under(
        self, column: Literal["unit", "org"], scope: str, period_key: str,
        after: RowPosition | None, limit: int,
    ) -> list[ArchiveRow]:
        # The page's keys come from the index alone (sorting only keys), then the rows by
        # primary key: sorting whole rows (their JSON data) costs several times more.
        sql, params = _under("trainee_key, kind, period_key, activity_id", column, scope,
                             period_key)
        if after is not None:
            sql += " AND (trainee_key, kind, period_key, activity_id) > (?, ?, ?, ?)"
            params.extend(after)
        sql += _PAGE_ORDER + " LIMIT ?"
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
        sql, params = _under("DISTINCT trainee_key", "unit", unit_scope, period_key)
        rows = self._conn.execute(sql + " ORDER BY trainee_key", params).fetchall()
        return [r[0] for r in rows]


def _under(
    select: str, column: Literal["unit", "org"], scope: str, period_key: str
) -> tuple[str, list[Any]]:
    """``SELECT select`` of the rows of ``period_key`` whose ``column`` is ``scope`` or
    below it; both columns are indexed after period_key."""
    sql = f"SELECT {select} FROM archive_rows WHERE period_key = ?"
    params: list[Any] = [period_key]
    if scope:
        # The range [scope, scope + "0") ("0" follows "/") holds the scope and its
        # subtree, so the index on (period_key, column) serves it; a LIKE alone (case-
        # insensitive, with ESCAPE) scans the whole period. The filter keeps it exact.
        column_sql, column_params = org_filter(column, scope)
        sql += f" AND {column} >= ? AND {column} < ?{column_sql}"
        params += [scope, scope + "0", *column_params]
    return sql, params
