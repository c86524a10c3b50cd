"""What every connection of the embedded store is opened with (README, Architecture):
WAL, synchronous NORMAL (durable across application crashes), foreign keys, and a
page cache large enough for the indexes a write touches at a million statements."""

from __future__ import annotations

import threading

from lrs.storage.sqlite.store import CACHE_KIB, SqliteStore


def _pragmas(store: SqliteStore) -> dict[str, object]:
    conn = store._connection()
    return {name: conn.execute(f"PRAGMA {name}").fetchone()[0]
            for name in ("journal_mode", "synchronous", "foreign_keys", "cache_size")}


def test_every_thread_connection_has_the_documented_settings(tmp_path):
    store = SqliteStore(tmp_path / "lrs.sqlite3")
    try:
        seen = [_pragmas(store)]
        thread = threading.Thread(target=lambda: seen.append(_pragmas(store)))
        thread.start()
        thread.join()
        expected = {"journal_mode": "wal", "synchronous": 1, "foreign_keys": 1,
                    "cache_size": -CACHE_KIB}
        assert seen == [expected, expected]
        # A write unit of work still takes, and gives back, the write lock.
        with store.transaction() as uow:
            uow.archive.set_meta("probe", {"ok": True})
        with store.read() as uow:
            assert uow.archive.get_meta("probe") == {"ok": True}
    finally:
        store.close()
