"""The embedded store: one SQLite file in WAL mode, one transaction per unit of work."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
import time
from pathlib import Path

from lrs.storage.errors import StoreUnavailable, classify, unavailable
from lrs.storage.port.cursor_tokens import CursorTokens
from lrs.storage.port.rate_counters import RateCounters
from lrs.storage.port.unit_of_work import Store, UnitOfWork
from lrs.storage.sqlite import inuse
from lrs.storage.sqlite.activities import SqliteActivities, SqliteAttachments
from lrs.storage.sqlite.aggregates import AGGREGATES_SCHEMA, SqliteAggregates
from lrs.storage.sqlite.archive import ARCHIVE_SCHEMA, SqliteArchive
from lrs.storage.sqlite.credentials import SqliteCredentials
from lrs.storage.sqlite.documents import SqliteDocuments
from lrs.storage.sqlite.gateway import GATEWAY_SCHEMA, SqliteGateway
from lrs.storage.sqlite.identity import IDENTITY_SCHEMA, SqliteAccountLinks, SqliteTrainees
from lrs.storage.sqlite.identity_conflicts import SqliteIdentityConflicts
from lrs.storage.sqlite.outbox import SqliteOutbox
from lrs.storage.sqlite.profiles import SqlitePatternStates, SqliteViolations
from lrs.storage.sqlite.schema import SCHEMA, SCHEMA_VERSION
from lrs.storage.sqlite.statements import SqliteStatements

log = logging.getLogger(__name__)

# A writer waits this long for another process's write lock before giving up.
BUSY_TIMEOUT_MS = 30_000
# Pages each connection keeps (SQLite's default is 2 MiB). At a million statements the
# indexes a write touches no longer fit in 2 MiB and every miss is a read() from the
# OS cache: 16 MiB cut the kernel time of an ingested statement by a third and its
# CPU by ~20 % (scripts/bench, docs/benchmarks.md Round 4). Used only as filled.
CACHE_KIB = 16 * 1024


def _begin_immediate(conn: sqlite3.Connection) -> None:
    """Take the write lock, retrying every half millisecond while another holds it.

    SQLite's own busy handler sleeps in growing steps (up to 100 ms) between
    tries, so with concurrent writers (gunicorn workers and threads) the lock
    sat free while the next writer slept: 10% of batch-ingest time was spent
    there. Polling hands it over as soon as it is released.
    """
    conn.execute("PRAGMA busy_timeout = 0")
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    try:
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.0005)
    finally:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


class SqliteUnitOfWork(UnitOfWork):
    def __init__(self, conn: sqlite3.Connection, write: bool) -> None:
        self._conn = conn
        # IMMEDIATE takes the write lock now, so every check made inside the
        # unit (ETags, voiding targets, stored order) still holds at commit.
        if write:
            _begin_immediate(conn)
        else:
            conn.execute("BEGIN")
        self.statements = SqliteStatements(conn)
        self.activities = SqliteActivities(conn)
        self.attachments = SqliteAttachments(conn)
        self.documents = SqliteDocuments(conn)
        self.credentials = SqliteCredentials(conn)
        self.outbox = SqliteOutbox(conn)
        self.pattern_states = SqlitePatternStates(conn)
        self.violations = SqliteViolations(conn)
        self.trainees = SqliteTrainees(conn)
        self.account_links = SqliteAccountLinks(conn)
        self.identity_conflicts = SqliteIdentityConflicts(conn)
        self.archive = SqliteArchive(conn)
        self.aggregates = SqliteAggregates(conn)
        self.gateway = SqliteGateway(conn)

    def commit(self) -> None:
        if self._conn.in_transaction:
            self._conn.execute("COMMIT")

    def rollback(self) -> None:
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")


class SqliteStore(Store):
    """A store in one SQLite file; safe to share between threads and processes."""

    def __init__(self, path: str | os.PathLike[str], tolerate_unavailable: bool = False) -> None:
        """Open (creating if need be) the store at ``path``.

        ``tolerate_unavailable``: a read-only or unreachable file does not fail
        here (a server worker must boot through a storage outage and answer 503
        until it ends); the schema is then checked at the first unit of work.
        """
        self.path = str(path)
        if self.path == ":memory:" or self.path.startswith("file:"):
            # Each thread has its own connection, and an in-memory database is
            # private to its connection: threads would see different stores.
            raise ValueError("the embedded store needs a file path, not an in-memory database")
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._migrated = False
        self._inuse: int | None = None
        try:
            _create_private(Path(self.path))
            # Held while open: `lrs restore` refuses to replace a store in use.
            self._inuse = inuse.hold_shared(Path(self.path))
            self._migrate()
        except sqlite3.Error as exc:
            if not (tolerate_unavailable and isinstance(classify(exc), StoreUnavailable)):
                raise
            log.warning("the store %s is unavailable at start (%s); retrying on use", path, exc)
            self.discard_connection()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path,
            isolation_level=None,  # we issue BEGIN/COMMIT ourselves
            check_same_thread=False,
            timeout=BUSY_TIMEOUT_MS / 1000,
        )
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        # NORMAL is durable across application crashes in WAL mode; only an OS
        # crash can lose the last commits, never corrupt the file.
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        # Checkpoint every ~40 MB of WAL instead of every 4 MB: pages rewritten by
        # consecutive batches are copied back once (+20% batch ingest, measured
        # with scripts/bench).
        conn.execute("PRAGMA wal_autocheckpoint = 10000")
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        return conn

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        pid = getattr(self._local, "pid", None)
        if conn is None or pid != os.getpid():
            # A connection must never cross a fork (gunicorn workers).
            conn = self._connect()
            self._local.conn = conn
            # SQLite silently opens a file it may not write read-only, and the
            # connection stays so after the file is writable again (EROFS, chattr +i).
            self._local.readonly = not os.access(self.path, os.W_OK)
            self._local.pid = os.getpid()
            with self._lock:
                self._connections.append(conn)
        return conn

    def _migrate(self) -> None:
        if self._migrated:
            return
        # executescript commits any open transaction first, so the script
        # carries its own; concurrent starters serialise on the write lock.
        self._connection().executescript(
            "BEGIN IMMEDIATE;"
            + SCHEMA
            + IDENTITY_SCHEMA
            + ARCHIVE_SCHEMA
            + AGGREGATES_SCHEMA
            + GATEWAY_SCHEMA
            + "INSERT OR IGNORE INTO meta (name, value) "
            + f"VALUES ('schema_version', '{SCHEMA_VERSION}');"
            + "COMMIT;"
        )
        self._migrated = True

    def unit_of_work(self, write: bool = True) -> SqliteUnitOfWork:
        if write and getattr(self._local, "readonly", False):
            self.discard_connection()  # opened during an outage: try a fresh one
        try:
            self._migrate()
            conn = self._connection()
        except sqlite3.Error as exc:
            error = classify(exc)
            if error is None:
                raise
            self.discard_connection()
            raise error from exc
        if write and self._local.readonly:
            raise unavailable("the database file is read-only")
        return SqliteUnitOfWork(conn, write)

    def checkpoint(self) -> None:
        # PASSIVE copies what no reader still needs and never waits for a lock. Run by
        # the archive follower, so the worker whose commit would pass wal_autocheckpoint
        # rarely has to: that request waited ~1 s for ~40 MB of pages at a million
        # statements. wal_autocheckpoint stays as the backstop (no follower running).
        self._connection().execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()

    def discard_connection(self) -> None:
        """Close this thread's connection; the next unit of work opens a fresh one.

        Called after a storage failure (read-only file, I/O error): the old
        connection may keep the failure after the cause is gone.
        """
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is None:
            return
        with self._lock:
            if conn in self._connections:
                self._connections.remove(conn)
        with contextlib.suppress(sqlite3.Error):
            conn.close()

    def rate_counters(self) -> RateCounters:
        from lrs.storage.sqlite.rate_counters import SqliteRateCounters  # it imports this module

        return SqliteRateCounters(self)

    def cursor_tokens(self) -> CursorTokens:
        from lrs.storage.sqlite.cursor_tokens import SqliteCursorTokens  # it imports this module

        return SqliteCursorTokens(self)

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                with contextlib.suppress(sqlite3.ProgrammingError):
                    conn.close()
            self._connections.clear()
        self._local = threading.local()
        inuse.release(self._inuse)
        self._inuse = None


def _create_private(path: Path) -> None:
    """Create the data directory (0700) and an empty database file (0600).

    SQLite creates its -wal and -shm files with the database file's mode, so
    they are private too; an existing file keeps the mode its operator chose.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
