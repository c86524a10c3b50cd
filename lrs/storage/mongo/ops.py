"""Write operations a unit of work collects, and how they are applied.

A unit of work does not write as it goes (except pending statements, see
unit_of_work): it records operations, plain dicts so a standalone commit can
journal them, and applies them at commit, inside a transaction or through the
journal. Every kind is idempotent when replayed from the journal:

``upsert``          replace the document with ``_id`` (insert if absent)
``insert``          insert a document with a fresh ``_id`` (a replayed duplicate is skipped)
``update``          ``update_one``/``update_many`` with ``$set``-style updates only
``delete``          ``delete_one``/``delete_many``
``guarded_update``  update one document only if it still matches ``q``, else raise
                    ``ConcurrentUpdate`` (closing an open conflict, ending a link)
``conflict_upsert`` count a claim on an open identity conflict, or open it
``increment``       ``$inc`` numeric fields of one document (created with ``doc`` if absent),
                    at most once per ``op_id`` (the document remembers its last ids)
``cas``             compare-and-set on ``etag`` (``expected``: None = must be absent,
                    ``"*"`` = unconditional, else the current ETag); raises
                    ``ConcurrentUpdate``. Never journaled: it can fail, and nothing
                    after the commit point may fail. Neither may the two above: the
                    standalone path applies every write to their collections before
                    the commit point (see unit_of_work.CONDITIONAL).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import bson
from pymongo import UpdateOne
from pymongo.errors import DuplicateKeyError

from lrs.storage.port.documents import ANY
from lrs.storage.port.errors import ConcurrentUpdate

log = logging.getLogger(__name__)

Op = dict[str, Any]
Undo = Callable[[], None]


def encode(op: Op) -> bytes:
    return bson.encode(op)


def decode(raw: bytes) -> Op:
    return bson.decode(raw, codec_options=bson.CodecOptions(tz_aware=True))


def apply(db: Any, op: Op, session: Any = None) -> None:
    """Apply one operation (inside a transaction when ``session`` is given)."""
    collection = db[op["c"]]
    kind = op["op"]
    if kind == "upsert":
        collection.replace_one({"_id": op["id"]}, op["doc"], upsert=True, session=session)
    elif kind == "insert":
        try:
            collection.insert_one(dict(op["doc"]), session=session)
        except DuplicateKeyError:
            # Fresh ids never collide: this is a journal replay of a done insert.
            log.debug("insert into %s already applied", op["c"])
    elif kind == "update":
        update = collection.update_many if op.get("multi") else collection.update_one
        update(op["q"], op["u"], upsert=op.get("upsert", False), session=session)
    elif kind == "delete":
        delete = collection.delete_many if op.get("multi") else collection.delete_one
        delete(op["q"], session=session)
    elif kind == "cas":
        apply_cas(db, op, session)
    elif kind == "guarded_update":
        # An update that must find its document in the state read earlier.
        result = collection.update_one({"_id": op["id"], **op["q"]}, op["u"], session=session)
        if result.matched_count == 0:
            raise ConcurrentUpdate(str(op["id"]))
    elif kind == "conflict_upsert":
        _conflict_upsert(collection, op, session)
    elif kind == "increment":
        _increment(collection, op, session)
    else:  # pragma: no cover - ops are built in this package only
        raise ValueError(f"unknown operation {kind!r}")


def _conflict_upsert(collection: Any, op: Op, session: Any) -> None:
    """Count one more claim on the open conflict with this dedupe key, or open one.

    ``applied`` remembers the last operation ids counted, so replaying a
    journal entry never counts a claim twice.
    """
    doc = op["doc"]
    selector = {"dedupe_key": doc["dedupe_key"], "status": "open"}
    update = {
        "$inc": {"count": 1},
        "$set": {"updated": doc["updated"]},
        "$push": {"applied": {"$each": [op["op_id"]], "$slice": -20}},
    }
    insert = {k: v for k, v in doc.items() if k not in ("count", "updated", "applied")}
    try:
        collection.update_one(
            {**selector, "applied": {"$ne": op["op_id"]}},
            {**update, "$setOnInsert": insert},
            upsert=True,
            session=session,
        )
    except DuplicateKeyError:
        # Either already counted (a replay), or another writer opened it just now.
        collection.update_one(
            {**selector, "applied": {"$ne": op["op_id"]}}, update, session=session
        )


def _increment(collection: Any, op: Op, session: Any) -> None:
    """``$inc`` once: the ``applied`` guard makes a replayed journal entry a no-op (its
    upsert then collides with the existing document's ``_id``)."""
    update = {
        "$inc": op["inc"],
        "$setOnInsert": op["doc"],
        "$push": {"applied": {"$each": [op["op_id"]], "$slice": -20}},
    }
    try:
        collection.update_one({"_id": op["id"], "applied": {"$ne": op["op_id"]}}, update,
                              upsert=True, session=session)
    except DuplicateKeyError:
        log.debug("increment of %s %s already applied", op["c"], op["id"])


def apply_cas(db: Any, op: Op, session: Any = None) -> dict[str, Any] | None:
    """Compare-and-set one document; return what was there before (None: nothing)."""
    collection = db[op["c"]]
    doc, expected = op["doc"], op["expected"]
    if expected is None:
        try:
            collection.insert_one(dict(doc), session=session)
        except DuplicateKeyError as exc:
            raise ConcurrentUpdate(str(op["id"])) from exc
        return None
    if expected == ANY:
        return collection.find_one_and_replace(
            {"_id": op["id"]}, doc, upsert=True, session=session
        )
    before = collection.find_one_and_replace(
        {"_id": op["id"], "etag": expected}, doc, session=session
    )
    if before is None:
        raise ConcurrentUpdate(str(op["id"]))
    return before


def target(op: Op) -> dict[str, Any]:
    """The filter selecting every document ``op`` may touch (for before-images)."""
    if op["op"] == "conflict_upsert":
        return {"dedupe_key": op["doc"]["dedupe_key"], "status": "open"}
    if "id" in op:
        return {"_id": op["id"]}
    return op["q"]


def apply_undoable(db: Any, op: Op) -> Undo:
    """Apply ``op`` outside any transaction and return how to take it back.

    The standalone path applies the writes that can fail (compare-and-set,
    unique claims, guarded updates) before its commit point; if the unit of
    work then fails, each is undone from before-images, newest first. A
    compare-and-set is restored only while the document still carries the
    ETag this unit wrote, so a newer writer's document always wins.
    """
    collection = db[op["c"]]
    if op["op"] == "cas":
        before = apply_cas(db, op)
        after = op["doc"]
        return lambda: _restore(collection, op["id"], after, before)
    selector = target(op)
    befores = list(collection.find(selector))
    apply(db, op)

    def undo() -> None:
        kept = {doc["_id"] for doc in befores}
        for doc in collection.find(selector, projection={"_id": 1}):
            if doc["_id"] not in kept:
                collection.delete_one({"_id": doc["_id"]})  # inserted by this op
        for doc in befores:
            collection.replace_one({"_id": doc["_id"]}, doc, upsert=True)

    return undo


def _restore(collection: Any, doc_id: Any, after: dict[str, Any], before: Any) -> None:
    # Only if the document is still the one this unit of work wrote.
    guard = {"_id": doc_id}
    if "etag" in after:
        guard["etag"] = after["etag"]
    if before is None:
        collection.delete_one(guard)
    else:
        collection.replace_one(guard, before)


def flip_operations(token: str, seqs: list[list[Any]]) -> list[UpdateOne]:
    """Make this unit of work's pending statements committed rows with their seq."""
    flips = []
    for statement_id, seq, stored, payload, referenced in seqs:
        fields: dict[str, Any] = {"seq": seq, "stored": stored}
        if payload is not None:
            fields["payload"] = payload
        if referenced:
            fields["referenced"] = True
        flips.append(
            UpdateOne(
                {"_id": statement_id, "pending": token},
                {"$set": fields, "$unset": {"pending": "", "pending_since": ""}},
            )
        )
    return flips
