"""The embedded store's projector bookkeeping: which statements the archive projection
applied (and the rows each touched), which wait for their actor's trainee, and the
projector's checkpoint. Part of :class:`SqliteArchive` (``archive.py``)."""

from __future__ import annotations

import sqlite3
from typing import Any

import orjson

from lrs import compactjson
from lrs.storage.port import ProjectedStatement
from lrs.storage.sqlite.common import chunks, marks
from lrs.timeutil import format_timestamp, parse_stored, utcnow

MARKERS_SCHEMA = """
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


class SqliteArchiveMarkers:
    """The markers and checkpoint of :class:`lrs.storage.sqlite.archive.SqliteArchive`."""

    _conn: sqlite3.Connection

    # ------------------------------------------------------------ projected markers

    def projected(self, statement_ids: list[str]) -> dict[str, ProjectedStatement]:
        found: dict[str, ProjectedStatement] = {}
        for chunk in chunks(statement_ids):
            rows = self._conn.execute(
                "SELECT statement_id, trainee_key, rows, projected FROM archive_projected "
                f"WHERE statement_id IN ({marks(chunk)})",
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
                compactjson.dumps([list(t) for t in marker.rows], sort_keys=True),
                format_timestamp(marker.projected or utcnow()),
            ),
        )

    def clear_projected(self, statement_ids: list[str]) -> None:
        for chunk in chunks(statement_ids):
            self._conn.execute(
                f"DELETE FROM archive_projected WHERE statement_id IN ({marks(chunk)})", chunk
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
        for chunk in chunks(statement_ids):
            self._conn.execute(
                "DELETE FROM archive_unattributed WHERE agent_key = ? "
                f"AND statement_id IN ({marks(chunk)})",
                [agent_key, *chunk],
            )

    # ------------------------------------------------------------ checkpoint

    def get_meta(self, name: str) -> dict[str, Any] | None:
        r = self._conn.execute("SELECT value FROM archive_meta WHERE name = ?", (name,)).fetchone()
        return orjson.loads(r[0]) if r else None

    def set_meta(self, name: str, value: dict[str, Any]) -> None:
        self._conn.execute(
            "INSERT OR REPLACE INTO archive_meta (name, value) VALUES (?, ?)",
            (name, compactjson.dumps(value, sort_keys=True)),
        )

    def lock_projector(self) -> None:
        # A write unit of work holds SQLite's write lock from BEGIN IMMEDIATE.
        return None
