"""The MongoDB unit of work: deferred writes, pending statements, two commit paths.

How a unit of work keeps the port's promise ("``commit`` makes every write
visible at once; leaving the block without committing discards them all"):

* **Statements are inserted at once, as pending.** ``add`` inserts the row with
  ``pending: <token>`` and no ``seq``, so the unique ``_id`` index decides
  between two writers of one id the moment they write (DuplicateKeyError, then
  the existing row is returned for the equivalence check; a row still pending
  in another unit is waited for until it commits or disappears). Readers never
  see a pending row: every statement read is capped at the ``visible``
  watermark, and a pending row has no ``seq``.
* **Everything else is recorded, not written** (see :mod:`.ops`), and applied
  at commit. Reads inside the unit see its own writes through an overlay
  keyed by ``(collection, _id)``.
* **Commit on a replica set or sharded cluster** is one multi-document
  transaction (snapshot read concern, majority write concern): the recorded
  operations, then, last, ``$inc`` of the statement counter and the flip of
  the pending rows to their ``seq``. Taking ``seq`` last keeps the window in
  which two committers conflict on the counter short; the conflict itself is
  what makes seq order equal commit order (the loser is retried by
  ``with_transaction`` and gets the next numbers), and the counter's
  ``visible`` moves in the same transaction.
* **Commit on a standalone server** (and mongomock) has no transactions. Under
  a lease lock (one document in ``locks``) the unit applies its
  compare-and-set writes (undone if anything later fails), numbers its
  statements from the ``visible`` watermark and inserts one ``journal``
  document holding the rest of its write set: that insert is the commit
  point. It then flips the pending rows, applies the journaled operations,
  raises ``visible`` and deletes the journal entry. Readers capped at
  ``visible`` see a whole batch or none of it. A committer that dies after the
  commit point is rolled forward by the next lock holder (or at start-up);
  one that dies before it leaves only pending rows, deleted once older than
  ``PENDING_TTL``.
* **Rollback** deletes this unit's pending rows (unless it passed the commit
  point) and drops the recorded operations.
"""

from __future__ import annotations

import copy
import json
import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from types import EllipsisType
from typing import TYPE_CHECKING, Any

from lrs.storage.mongo import ops
from lrs.storage.mongo.activities import MongoActivities, MongoAttachments, write_attachments
from lrs.storage.mongo.aggregates import MongoAggregates
from lrs.storage.mongo.archive import MongoArchive
from lrs.storage.mongo.credentials import MongoCredentials
from lrs.storage.mongo.documents import MongoDocuments
from lrs.storage.mongo.gateway import MongoGateway
from lrs.storage.mongo.identity import MongoAccountLinks, MongoTrainees
from lrs.storage.mongo.identity_conflicts import MongoIdentityConflicts
from lrs.storage.mongo.ops import Op, Undo
from lrs.storage.mongo.outbox import MongoOutbox
from lrs.storage.mongo.profiles import MongoPatternStates, MongoViolations
from lrs.storage.mongo.statements import MongoStatements, PendingStatement
from lrs.storage.port.documents import ANY
from lrs.storage.port.unit_of_work import UnitOfWork
from lrs.timeutil import format_timestamp, utcnow

if TYPE_CHECKING:
    from lrs.storage.mongo.store import MongoStore

log = logging.getLogger(__name__)

COUNTER_ID = "statements"
# Collections whose writes can fail a commit (compare-and-set, insert-if-absent).
# On the standalone path they are applied before the commit point, with undo.
CONDITIONAL = frozenset({"documents", "credentials", "trainee_links", "identity_conflicts"})


class MongoUnitOfWork(UnitOfWork):
    def __init__(self, store: MongoStore, write: bool) -> None:
        self.store = store
        self.db = store.db
        self.write = write
        self.token = uuid.uuid4().hex
        self._ops: list[Op] = []
        self._overlay: dict[tuple[str, Any], dict[str, Any] | None] = {}
        self.pending: list[PendingStatement] = []
        self.attachments_to_write: dict[str, Any] = {}
        self._counter: dict[str, Any] | None = None
        self._journaled = False
        self._finished = False
        self._leases: list[str] = []
        # Read units on a replica set read one snapshot: a query and the
        # last_seq it is capped at agree even across shards.
        self.session = store.snapshot_session() if not write else None
        self.statements = MongoStatements(self)
        self.activities = MongoActivities(self)
        self.attachments = MongoAttachments(self)
        self.documents = MongoDocuments(self)
        self.credentials = MongoCredentials(self)
        self.outbox = MongoOutbox(self)
        self.pattern_states = MongoPatternStates(self)
        self.violations = MongoViolations(self)
        self.trainees = MongoTrainees(self)
        self.account_links = MongoAccountLinks(self)
        self.identity_conflicts = MongoIdentityConflicts(self)
        self.archive = MongoArchive(self)
        self.aggregates = MongoAggregates(self)
        self.gateway = MongoGateway(self)

    # ------------------------------------------------------------ write set

    def record(
        self,
        op: Op,
        *,
        overlay: dict[str, Any] | None | EllipsisType = ...,
        overlay_fn: Callable[[dict[str, Any]], dict[str, Any] | None] | None = None,
    ) -> None:
        """Add ``op`` to the write set; ``overlay`` is the document's new state in this unit."""
        self._require_open()
        self._ops.append(op)
        if not isinstance(overlay, EllipsisType):  # "...": no new state to overlay
            self._overlay[(op["c"], op["id"])] = copy.deepcopy(overlay)
        if overlay_fn is not None:
            for key, doc in list(self._overlay.items()):
                if key[0] == op["c"] and doc is not None:
                    self._overlay[key] = overlay_fn(doc)

    def record_cas(
        self, collection: str, doc_id: Any, doc: dict[str, Any], expected: str | None
    ) -> None:
        """A conditional write; a second one to the same document in this unit replaces
        the first and keeps its condition against the committed document."""
        for index, earlier in enumerate(self._ops):
            if earlier["c"] == collection and earlier.get("id") == doc_id:
                expected = earlier["expected"] if earlier["op"] == "cas" else ANY
                del self._ops[index]
                break
        op = {"op": "cas", "c": collection, "id": doc_id, "doc": doc, "expected": expected}
        self.record(op, overlay=doc)

    def lookup(self, collection: str, doc_id: Any) -> dict[str, Any] | None:
        """The document as this unit sees it: its own write, else the committed one."""
        key = (collection, doc_id)
        if key in self._overlay:
            found = self._overlay[key]
            return copy.deepcopy(found) if found is not None else None
        return self.db[collection].find_one({"_id": doc_id}, session=self.session)

    def overlay_items(self, collection: str) -> list[tuple[Any, dict[str, Any] | None]]:
        return [(k[1], v) for k, v in self._overlay.items() if k[0] == collection]

    def recorded(self, collection: str, kind: str) -> list[Op]:
        return [op for op in self._ops if op["c"] == collection and op["op"] == kind]

    def counter(self) -> dict[str, Any]:
        """The statement counter as first read by this unit (its statement snapshot)."""
        if self._counter is None:
            self._counter = (
                self.db["counters"].find_one({"_id": COUNTER_ID}, session=self.session) or {}
            )
        return self._counter

    def lock(self, lock_id: str) -> None:
        """Hold ``lock_id`` until this unit ends (write units only).

        The port lets a write unit rely on what it read until it commits
        (SQLite takes its write lock at BEGIN). Here a document a write unit
        reads is leased to it, so concurrent writers of one document queue
        instead of failing their compare-and-set; the compare-and-set still
        guards against a lease that expired.
        """
        if not self.write or lock_id in self._leases:
            return
        self.store.acquire_lease(lock_id, self.token)
        self._leases.append(lock_id)

    def _require_open(self) -> None:
        if self._finished:
            raise RuntimeError("this unit of work has already committed or rolled back")

    # ------------------------------------------------------------ commit

    def commit(self) -> None:
        if self._finished:
            return
        if self.pending or self._ops or self.attachments_to_write:
            # Content-addressed and idempotent: written first, outside any
            # transaction (they may exceed a transaction's size), and harmless
            # if the unit then fails.
            write_attachments(self.db, self.attachments_to_write.values())
            if self.store.transactions:
                self._commit_transaction()
            else:
                self._commit_standalone()
        self._finish()

    def rollback(self) -> None:
        if self._finished:
            return
        try:
            if self.pending and not self._journaled:
                self.db["statements"].delete_many({"pending": self.token})
        finally:
            self._finish()

    def _finish(self) -> None:
        self._finished = True
        for lock_id in self._leases:
            try:
                self.store.release_lease(lock_id, self.token)
            except Exception:  # noqa: BLE001 - the lease expires on its own
                log.exception("could not release lease %s", lock_id)
        self._leases.clear()
        if self.session is not None:
            self.session.end_session()
            self.session = None

    # -- replica set / sharded cluster

    def _commit_transaction(self) -> None:
        if not self.pending and len(self._ops) == 1:
            ops.apply(self.db, self._ops[0])  # one document: atomic without a transaction
            return
        from pymongo import ReturnDocument
        from pymongo.read_concern import ReadConcern
        from pymongo.read_preferences import ReadPreference
        from pymongo.write_concern import WriteConcern

        def run(session: Any) -> None:
            for op in self._ops:
                ops.apply(self.db, op, session)
            if not self.pending:
                return
            n = len(self.pending)
            batch_max = max(p.stored for p in self.pending)
            before = self.db["counters"].find_one_and_update(
                {"_id": COUNTER_ID},
                {"$inc": {"seq": n, "visible": n}, "$max": {"last_stored": batch_max}},
                upsert=True,
                return_document=ReturnDocument.BEFORE,
                session=session,
            ) or {}
            seqs, ref_ops = self._number(before, session)
            result = self.db["statements"].bulk_write(
                ops.flip_operations(self.token, seqs), ordered=False, session=session
            )
            if result.matched_count != n:
                raise RuntimeError(
                    f"{n - result.matched_count} pending statements of this unit of work "
                    "disappeared before commit (older than the pending TTL?)"
                )
            for op in ref_ops:
                ops.apply(self.db, op, session)

        with self.store.client.start_session() as session:
            session.with_transaction(
                run,
                read_concern=ReadConcern("snapshot"),
                write_concern=WriteConcern("majority"),
                read_preference=ReadPreference.PRIMARY,
            )

    # -- standalone server

    def _commit_standalone(self) -> None:
        conditional = [op for op in self._ops if op["c"] in CONDITIONAL]
        journaled = [op for op in self._ops if op["c"] not in CONDITIONAL]
        if not self.pending and len(journaled) <= 1:
            # No statements and at most one plain write: single-document
            # atomicity is enough; no lock, no journal.
            undos = self._apply_conditional(conditional)
            try:
                for op in journaled:
                    ops.apply(self.db, op)
            except BaseException:
                _undo_all(undos)
                raise
            return
        with self.store.commit_lock(self.token):
            self.store.recover_locked()
            undos = self._apply_conditional(conditional)
            try:
                counter = self.db["counters"].find_one({"_id": COUNTER_ID}) or {}
                seqs, ref_ops = self._number(counter, None)
                entry: dict[str, Any] = {
                    "_id": self.token,
                    "seqs": seqs,
                    "ops": [ops.encode(op) for op in journaled + ref_ops],
                    "created": utcnow(),
                }
                if seqs:
                    entry["visible"] = seqs[-1][1]
                    entry["last_stored"] = max(s[2] for s in seqs)
                self.db["journal"].insert_one(entry)  # the commit point
                self._journaled = True
            except BaseException:
                _undo_all(undos)
                raise
            self.store.roll_forward(entry)

    def _apply_conditional(self, conditional: list[Op]) -> list[Undo]:
        undos: list[Undo] = []
        try:
            for op in conditional:
                undos.append(ops.apply_undoable(self.db, op))
        except BaseException:
            _undo_all(undos)
            raise
        return undos

    def _number(
        self, counter: dict[str, Any], session: Any
    ) -> tuple[list[list[Any]], list[Op]]:
        """Seq, stored and the referenced flag for each pending statement, in add order.

        ``stored`` is raised to the newest committed ``stored`` when a unit that
        read an older one commits after it, so ``stored`` never decreases along
        seq (the port's rule; since/until queries rely on it).
        """
        base = counter.get("seq", 0) if self.store.transactions else counter.get("visible", 0)
        last = counter.get("last_stored")
        ids = [p.id for p in self.pending]
        # Statements already pointing at the new ones (targets arriving late).
        referenced = set(
            self.db["statements"].distinct(
                "object_ref",
                {"object_ref": {"$in": ids}, "pending": {"$exists": False}},
                session=session,
            )
        )
        referenced.update(p.object_ref for p in self.pending if p.object_ref)
        seqs: list[list[Any]] = []
        for index, p in enumerate(self.pending):
            stored = p.stored
            payload = None
            if last is not None and last > stored:
                stored = last
                payload = _restamp(p.payload, p.stored, stored)
            seqs.append([p.id, base + index + 1, stored, payload, p.id in referenced])
        targets = sorted({p.object_ref for p in self.pending if p.object_ref})
        ref_ops: list[Op] = [
            {
                "op": "update",
                "c": "statements",
                "q": {"_id": target},
                "u": {"$set": {"referenced": True}},
            }
            for target in targets
        ]
        return seqs, ref_ops


def _undo_all(undos: list[Undo]) -> None:
    for undo in reversed(undos):
        try:
            undo()
        except Exception:  # noqa: BLE001 - keep undoing the rest; the cause is re-raised
            log.exception("undo of a failed unit of work's write failed")


def _restamp(payload: str, old: datetime, new: datetime) -> str | None:
    statement = json.loads(payload)
    if statement.get("stored") != format_timestamp(old):
        return None
    statement["stored"] = format_timestamp(new)
    return json.dumps(statement, ensure_ascii=False, separators=(",", ":"))
