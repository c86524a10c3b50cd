"""Tables kept apart from the versioned schema (rate counters, `more` cursors).

Their rows are disposable, so each table is made when missing (a fresh store,
or one restored from an older backup) on first use in the process.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator

from lrs.storage.errors import classify
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

    @contextlib.contextmanager
    def _healthy_connection(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection, dropped after a storage failure (as units of work do):
        one opened read-only during an outage would otherwise keep failing after it."""
        if getattr(self._store._local, "readonly", False):
            self._store.discard_connection()
        try:
            yield self._conn()
        except sqlite3.Error as exc:
            if classify(exc) is not None:
                self._store.discard_connection()
            raise
