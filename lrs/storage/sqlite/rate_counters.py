"""Rate-limit counters in the SQLite file: one upsert per hit, in autocommit mode."""

from __future__ import annotations

import sqlite3

from lrs.storage.port.rate_counters import RateCounters
from lrs.storage.sqlite.side_tables import SideTable
from lrs.storage.sqlite.store import _begin_immediate

# Kept apart from the versioned schema: counters are disposable, so the table is
# made when missing (a fresh store, or one restored from an older backup).
RATE_SCHEMA = """
CREATE TABLE IF NOT EXISTS rate_counters (
    name TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    expires REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rate_counters_expires ON rate_counters (expires);
"""


class SqliteRateCounters(SideTable, RateCounters):
    SCHEMA = RATE_SCHEMA

    def hit(self, name: str, amount: int, expires: float) -> int:
        with self._healthy_connection() as conn:
            return self._hit(conn, name, amount, expires)

    def _hit(self, conn: sqlite3.Connection, name: str, amount: int, expires: float) -> int:
        _begin_immediate(conn)  # polls for the write lock like every other writer
        try:
            (count,) = conn.execute(
                "INSERT INTO rate_counters (name, count, expires) VALUES (?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET count = count + excluded.count "
                "RETURNING count",
                (name, amount, expires),
            ).fetchone()
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return int(count)

    def counts(self, names: list[str]) -> dict[str, int]:
        if not names:
            return {}
        marks = ",".join("?" * len(names))
        rows = self._conn().execute(
            f"SELECT name, count FROM rate_counters WHERE name IN ({marks})", names
        )
        return {name: int(count) for name, count in rows}

    def purge(self, now: float) -> int:
        with self._healthy_connection() as conn:
            return self._purge(conn, now)

    def _purge(self, conn: sqlite3.Connection, now: float) -> int:
        _begin_immediate(conn)
        try:
            cursor = conn.execute("DELETE FROM rate_counters WHERE expires < ?", (now,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return cursor.rowcount
