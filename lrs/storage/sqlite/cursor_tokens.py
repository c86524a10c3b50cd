"""Server-side `more` cursors in the SQLite file; expired ones are deleted on each write."""

from __future__ import annotations

import sqlite3

from lrs.storage.port.cursor_tokens import CursorTokens
from lrs.storage.sqlite.side_tables import SideTable
from lrs.storage.sqlite.store import _begin_immediate

# Kept apart from the versioned schema: tokens are disposable, so the table is
# made when missing (a fresh store, or one restored from an older backup).
CURSOR_SCHEMA = """
CREATE TABLE IF NOT EXISTS cursor_tokens (
    token TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    state TEXT NOT NULL,
    expires REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS cursor_tokens_expires ON cursor_tokens (expires);
"""


class SqliteCursorTokens(SideTable, CursorTokens):
    SCHEMA = CURSOR_SCHEMA

    def put(self, token: str, owner: str, state: str, expires: float, now: float) -> None:
        with self._healthy_connection() as conn:
            self._insert(conn, token, owner, state, expires, now)

    def _insert(
        self, conn: sqlite3.Connection, token: str, owner: str, state: str, expires: float,
        now: float,
    ) -> None:
        _begin_immediate(conn)  # polls for the write lock like every other writer
        try:
            # The expires index makes this a range scan over the expired rows only.
            conn.execute("DELETE FROM cursor_tokens WHERE expires < ?", (now,))
            conn.execute(
                "INSERT INTO cursor_tokens (token, owner, state, expires) VALUES (?, ?, ?, ?)",
                (token, owner, state, expires),
            )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def get(self, token: str, owner: str, now: float) -> str | None:
        row = self._conn().execute(
            "SELECT state FROM cursor_tokens WHERE token = ? AND owner = ? AND expires >= ?",
            (token, owner, now),
        ).fetchone()
        return None if row is None else str(row[0])

    def purge(self, now: float) -> int:
        conn = self._conn()
        _begin_immediate(conn)
        try:
            cursor = conn.execute("DELETE FROM cursor_tokens WHERE expires < ?", (now,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return cursor.rowcount
