"""The MongoDB store: connection, start-up (indexes, recovery), the standalone commit lock."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from lrs.storage.mongo import ops
from lrs.storage.mongo.connection import Connection, connect
from lrs.storage.mongo.indexes import ensure_indexes
from lrs.storage.mongo.statements import PENDING_TTL, aware
from lrs.storage.mongo.unit_of_work import COUNTER_ID, MongoUnitOfWork
from lrs.storage.port.cursor_tokens import CursorTokens
from lrs.storage.port.rate_counters import RateCounters
from lrs.storage.port.unit_of_work import Store
from lrs.timeutil import utcnow

log = logging.getLogger(__name__)

LOCK_ID = "commit"
# A commit holds the lock for a few round trips; a holder silent for this long
# is presumed dead and its lock taken over (its journal, if any, rolled forward).
LOCK_LEASE = timedelta(seconds=30)
LOCK_WAIT_S = 30.0

MOCK_WARNING = (
    "LRS_DATABASE_URL is mongomock:// — an in-memory imitation of MongoDB for demos and "
    "tests ONLY: every process (each gunicorn worker) has its own empty database, nothing "
    "is persisted, and nothing survives a restart. Use mongodb:// for real data."
)


class CommitLockTimeout(RuntimeError):
    pass


class MongoStore(Store):
    """A store in one MongoDB database (replica set, sharded cluster or standalone)."""

    def __init__(
        self,
        url: str = "",
        *,
        database: str | None = None,
        transactions: bool | None = None,
        connection: Connection | None = None,
    ) -> None:
        self._owns_client = connection is None
        self.conn = connection or connect(url, database=database, transactions=transactions)
        if self.conn.mock:
            log.warning(MOCK_WARNING)
        self.client = self.conn.client
        self.db = self.conn.db
        self.transactions = self.conn.transactions
        self._local_lock = threading.Lock()
        ensure_indexes(self.db)
        self.db["counters"].update_one(
            {"_id": COUNTER_ID},
            {"$setOnInsert": {"seq": 0, "visible": 0}},
            upsert=True,
        )
        self.recover()

    # ------------------------------------------------------------ the port

    def unit_of_work(self, write: bool = True) -> MongoUnitOfWork:
        return MongoUnitOfWork(self, write)

    def rate_counters(self) -> RateCounters:
        from lrs.storage.mongo.rate_counters import MongoRateCounters  # it imports this module

        return MongoRateCounters(self)

    def cursor_tokens(self) -> CursorTokens:
        from lrs.storage.mongo.cursor_tokens import MongoCursorTokens  # it imports this module

        return MongoCursorTokens(self)

    def close(self) -> None:
        if self._owns_client:
            self.client.close()

    def snapshot_session(self) -> Any:
        """A snapshot-read session for a read unit, on deployments that have them."""
        if not self.transactions:
            return None
        return self.client.start_session(snapshot=True)

    # ------------------------------------------------------------ standalone commits

    @contextmanager
    def commit_lock(self, token: str) -> Iterator[None]:
        """Hold the store-wide commit lock (standalone path only).

        Threads of one process queue on a local lock first, so only one of
        them polls the database for the lease.
        """
        with self._local_lock:
            self.acquire_lease(LOCK_ID, token)
            try:
                yield
            finally:
                self.release_lease(LOCK_ID, token)

    def acquire_lease(self, lock_id: str, token: str) -> None:
        """Take the lease ``lock_id`` for ``token``, waiting while someone else holds it.

        A lease whose holder has been silent for ``LOCK_LEASE`` is taken over:
        a crashed process never blocks the others for longer than that.
        """
        deadline = time.monotonic() + LOCK_WAIT_S
        attempt = 0
        while True:
            now = utcnow()
            try:
                held = self.db["locks"].find_one_and_update(
                    {"_id": lock_id, "$or": [{"owner": None}, {"expires": {"$lt": now}}]},
                    {"$set": {"owner": token, "expires": now + LOCK_LEASE}},
                    upsert=True,
                    return_document=ReturnDocument.AFTER,
                )
                if held and held.get("owner") == token:
                    return
            except DuplicateKeyError:
                pass  # held by someone else: the upsert's insert hit the existing lease
            if time.monotonic() > deadline:
                raise CommitLockTimeout(f"timed out waiting for the MongoDB lease {lock_id!r}")
            time.sleep(min(0.001 * (2**attempt), 0.05))
            attempt += 1

    def release_lease(self, lock_id: str, token: str) -> None:
        released = self.db["locks"].delete_one({"_id": lock_id, "owner": token})
        if released.deleted_count == 0:
            log.error("lease %s of %s expired before release", lock_id, token)

    def recover_locked(self) -> None:
        """Roll forward journal entries of committers that died after their commit point.

        Called with the commit lock held; a live committer deletes its entry
        before releasing the lock, so any entry found here is a dead one's.
        """
        for entry in self.db["journal"].find({}, sort=[("created", 1)]):
            log.warning("rolling forward unit of work %s left in the journal", entry["_id"])
            self.roll_forward(entry)

    def roll_forward(self, entry: dict[str, Any]) -> None:
        """Apply a journal entry; every step is idempotent, so a repeat is harmless."""
        token = entry["_id"]
        flips = ops.flip_operations(token, entry.get("seqs") or [])
        if flips:
            self.db["statements"].bulk_write(flips, ordered=False)
        for raw in entry.get("ops") or []:
            ops.apply(self.db, ops.decode(bytes(raw)))
        if entry.get("visible") is not None:
            # Publishing the watermark makes the whole batch visible at once.
            self.db["counters"].update_one(
                {"_id": COUNTER_ID},
                {"$max": {
                    "seq": entry["visible"],
                    "visible": entry["visible"],
                    "last_stored": entry["last_stored"],
                }},
                upsert=True,
            )
        self.db["journal"].delete_one({"_id": token})

    def recover(self) -> None:
        """Start-up: finish dead commits, then drop statements left pending by dead writers."""
        if not self.transactions:
            with self.commit_lock(f"recovery-{id(self)}"):
                self.recover_locked()
        cutoff = utcnow() - PENDING_TTL
        tokens = self.db["statements"].distinct("pending", {"pending_since": {"$lt": cutoff}})
        if not tokens:
            return
        live = set(self.db["journal"].distinct("_id", {"_id": {"$in": tokens}}))
        for token in set(tokens) - live:
            removed = self.db["statements"].delete_many(
                {"pending": token, "pending_since": {"$lt": cutoff}}
            )
            log.warning(
                "removed %d statements left pending by dead unit of work %s",
                removed.deleted_count,
                token,
            )

    def pending_is_dead(self, doc: dict[str, Any]) -> bool:
        """Whether a pending statement row belongs to a unit of work that died."""
        since = aware(doc.get("pending_since"))
        if since is None or utcnow() - since < PENDING_TTL:
            return False
        return self.db["journal"].find_one({"_id": doc["pending"]}) is None
