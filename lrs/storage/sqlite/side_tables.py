"""Tables kept apart from the versioned schema (rate counters, `more` cursors).

Their rows are disposable, so each table is made when missing (a fresh store,
or one restored from an older backup) on first use in the process.
"""

from __future__ import annotations

import sqlite3

from lrs.storage.sqlite.store import SqliteStore


class SideTable:
    SCHEMA = ""  # CREATE TABLE/INDEX IF NOT EXISTS statements

    def __init__(self, store: SqliteStore) -> None:
        self._store = store
        self._ready = False

    def _conn(self) -> sqlite3.Connection:
        conn = self._store._connection()
        if not self._ready:
            conn.executescript(self.SCHEMA)
            self._ready = True
        return conn
