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


def test_a_checkpoint_lets_the_next_writes_reuse_the_write_ahead_log(tmp_path):
    """Store.checkpoint (run by the archive follower) copies the log into the database
    without waiting for anyone, so the next writer starts the log over instead of
    growing it (nor does a writer have to checkpoint it)."""
    path = tmp_path / "lrs.sqlite3"
    wal = tmp_path / "lrs.sqlite3-wal"
    store = SqliteStore(path)

    def write(tag: str) -> None:
        with store.transaction() as uow:
            for n in range(200):  # ~1 MB of log, far below wal_autocheckpoint
                uow.archive.set_meta(f"{tag}-{n}", {"pad": "x" * 4000})

    try:
        write("a")
        first = wal.stat().st_size
        write("b")
        assert wal.stat().st_size > first * 1.5  # without a checkpoint the log grows
        store.checkpoint()
        grown = wal.stat().st_size
        write("c")
        write("d")
        assert wal.stat().st_size <= grown  # restarted from its beginning
        with store.read() as uow:
            assert uow.archive.get_meta("d-199") == {"pad": "x" * 4000}
    finally:
        store.close()
