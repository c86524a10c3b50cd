"""Statements on MongoDB: insert-as-pending, reads capped at the watermark, indexed queries."""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, overload

from pymongo.errors import DuplicateKeyError

from lrs.storage.port.errors import ConcurrentUpdate
from lrs.storage.port.statements import StatementQuery, StatementRecord, StatementRepository
from lrs.timeutil import utcnow

if TYPE_CHECKING:
    from lrs.storage.mongo.unit_of_work import MongoUnitOfWork


log = logging.getLogger(__name__)


# A pending row older than this belongs to a unit of work that died (a request
# lives at most gunicorn's 120 s timeout): it may be deleted.
PENDING_TTL = timedelta(minutes=10)


# How long a writer waits for another unit of work holding the same statement id.
DUPLICATE_WAIT_S = 30.0


# The usages a default (not related_*) agent or activity query matches; only
# these get usage-qualified keys in the multikey arrays.
AGENT_QUALIFIED = ("actor", "object")


ACTIVITY_QUALIFIED = ("object",)


@dataclass(frozen=True)
class PendingStatement:
    id: str
    stored: datetime
    payload: str
    object_ref: str | None


def wait_backoff(attempt: int) -> None:
    """Sleep before re-checking a row another unit of work holds: 1 ms doubling to 50 ms."""
    time.sleep(min(0.001 * (2**attempt), 0.05))


@overload
def aware(value: datetime) -> datetime: ...


@overload
def aware(value: None) -> None: ...


def aware(value: datetime | None) -> datetime | None:
    """BSON datetimes are UTC milliseconds; hand them back as aware UTC datetimes."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def org_clause(scope: str | None, field: str = "org") -> dict[str, Any] | None:
    """Rows of the organisation ``scope`` and its subtree; None when unscoped.

    The anchored prefix regex is served by the index on ``org`` as a range.
    """
    if not scope:
        return None
    return {"$or": [{field: scope}, {field: {"$regex": "^" + re.escape(scope + "/")}}]}


def in_org(org: str, scope: str | None) -> bool:
    return not scope or org == scope or org.startswith(scope + "/")


def statement_document(
    record: StatementRecord, token: str, now: datetime
) -> dict[str, Any]:
    """The row for ``record``, pending in the unit of work ``token``."""
    agents = list(dict.fromkeys(key for _, key in record.agents))
    agents += list(
        dict.fromkeys(f"{u}|{key}" for u, key in record.agents if u in AGENT_QUALIFIED)
    )
    activities = list(dict.fromkeys(a for _, a in record.activities))
    activities += list(
        dict.fromkeys(f"{u}|{a}" for u, a in record.activities if u in ACTIVITY_QUALIFIED)
    )
    doc: dict[str, Any] = {
        "_id": record.id,
        "stored": record.stored,
        "org": record.org,
        "authority_key": record.authority_key,
        "verb": record.verb_id,
        "voided": record.voided,
        "agents": agents,
        "activities": activities,
        "links": {
            "agents": [list(pair) for pair in record.agents],
            "activities": [list(pair) for pair in record.activities],
        },
        "attachment_hashes": list(record.attachment_hashes),
        "payload": json.dumps(record.statement, ensure_ascii=False, separators=(",", ":")),
        "pending": token,
        "pending_since": now,
    }
    # Absent rather than null, so the partial indexes stay small.
    for name, value in (
        ("registration", record.registration),
        ("voids", record.voids),
        ("object_ref", record.object_ref),
    ):
        if value is not None:
            doc[name] = value
    return doc


def record_from_document(doc: dict[str, Any]) -> StatementRecord:
    links = doc.get("links") or {}
    return StatementRecord(
        id=doc["_id"],
        statement=json.loads(doc["payload"]),
        stored=aware(doc["stored"]),
        org=doc["org"],
        authority_key=doc["authority_key"],
        verb_id=doc["verb"],
        registration=doc.get("registration"),
        voided=bool(doc.get("voided")),
        voids=doc.get("voids"),
        object_ref=doc.get("object_ref"),
        agents=tuple((u, k) for u, k in links.get("agents", [])),
        activities=tuple((u, a) for u, a in links.get("activities", [])),
        attachment_hashes=tuple(doc.get("attachment_hashes", [])),
        seq=doc.get("seq"),
    )


class MongoStatements(StatementRepository):
    def __init__(self, uow: MongoUnitOfWork) -> None:
        self._uow = uow
        self._collection = uow.db["statements"]
        self._voided: set[str] = set()

    # ------------------------------------------------------------ writes

    def add(self, record: StatementRecord) -> StatementRecord | None:
        uow = self._uow
        doc = statement_document(record, uow.token, utcnow())
        deadline = time.monotonic() + DUPLICATE_WAIT_S
        attempt = 0
        while True:
            try:
                # Outside any transaction, majority-acknowledged: the unique _id
                # index is the arbiter between concurrent writers of one id.
                self._collection.insert_one(dict(doc))
            except DuplicateKeyError:
                existing = self._collection.find_one({"_id": record.id})
            else:
                uow.pending.append(
                    PendingStatement(record.id, record.stored, doc["payload"], record.object_ref)
                )
                return None
            if existing is None:
                continue  # the other unit rolled back between our insert and read
            holder = existing.get("pending")
            if holder is None or holder == uow.token:
                return record_from_document(existing)
            if uow.store.pending_is_dead(existing):
                log.warning("removing statement %s left pending by a dead writer", record.id)
                self._collection.delete_one({"_id": record.id, "pending": holder})
                continue
            if time.monotonic() > deadline:
                raise ConcurrentUpdate(
                    f"statement {record.id} is being stored by another request; retry later"
                )
            # Another request is storing this id now: its outcome decides ours,
            # as a database lock would (SQLite) or a transaction conflict retry.
            wait_backoff(attempt)
            attempt += 1

    def mark_voided(self, statement_id: str) -> None:
        self._uow.record(
            {
                "op": "update",
                "c": "statements",
                "q": {"_id": statement_id},
                "u": {"$set": {"voided": True}},
            }
        )
        self._voided.add(statement_id)

    # ------------------------------------------------------------ reads

    def _visible(self) -> int:
        return int(self._uow.counter().get("visible", 0))

    def get(self, statement_id: str, org_scope: str | None = None) -> StatementRecord | None:
        doc = self._collection.find_one({"_id": statement_id}, session=self._uow.session)
        if doc is None or not in_org(doc["org"], org_scope):
            return None
        return self._visible_record(doc)

    def get_many(self, statement_ids: list[str]) -> dict[str, StatementRecord]:
        found: dict[str, StatementRecord] = {}
        wanted = list(dict.fromkeys(statement_ids))
        for start in range(0, len(wanted), 1000):
            docs = self._collection.find(
                {"_id": {"$in": wanted[start : start + 1000]}}, session=self._uow.session
            )
            for doc in docs:
                record = self._visible_record(doc)
                if record is not None:
                    found[record.id] = record
        return found

    def _visible_record(self, doc: dict[str, Any]) -> StatementRecord | None:
        mine = doc.get("pending") == self._uow.token
        seq = doc.get("seq")
        if not mine and (seq is None or seq > self._visible()):
            return None  # pending elsewhere, or in a batch not yet published
        record = record_from_document(doc)
        if record.id in self._voided and not record.voided:
            record = replace(record, voided=True)
        return record

    def last_seq(self) -> int:
        return self._visible()

    def last_stored(self) -> datetime | None:
        return aware(self._uow.counter().get("last_stored"))

    def query(self, q: StatementQuery) -> list[StatementRecord]:
        cap = self._visible()
        if q.max_seq is not None:
            cap = min(cap, q.max_seq)
        seq: dict[str, Any] = {"$lte": cap}
        if q.after_seq is not None:
            seq["$gt" if q.ascending else "$lt"] = q.after_seq
        # stored never decreases along seq, so since/until are seq bounds, and
        # every query is a single range scan of an index ending in seq.
        if q.since is not None:
            first = self._bound({"$gt": q.since}, cap, 1)
            if first is None:
                return []
            seq["$gte"] = first
        if q.until is not None:
            last = self._bound({"$lte": q.until}, cap, -1)
            if last is None:
                return []
            seq["$lte"] = min(seq["$lte"], last)
        clauses: list[dict[str, Any]] = [{"seq": seq}]
        match = _match(q)
        if match is not None:
            targets = self._targets(match)
            clauses.append({"$or": [match, {"object_ref": {"$in": targets}}]} if targets else match)
        if not q.include_voided:
            clauses.append({"voided": False})
        if q.authority_key is not None:
            clauses.append({"authority_key": q.authority_key})
        org = org_clause(q.org_scope)
        if org is not None:
            clauses.append(org)
        docs = self._collection.find(
            {"$and": clauses} if len(clauses) > 1 else clauses[0],
            sort=[("seq", 1 if q.ascending else -1)],
            limit=q.limit,
            session=self._uow.session,
        )
        return [record_from_document(doc) for doc in docs]

    def _bound(self, stored: dict[str, Any], cap: int, direction: int) -> int | None:
        """The first (1) or last (-1) committed seq whose ``stored`` satisfies ``stored``."""
        docs = list(
            self._collection.find(
                {"stored": stored, "seq": {"$lte": cap}},
                projection={"seq": 1},
                sort=[("stored", direction), ("seq", direction)],
                limit=1,
                session=self._uow.session,
            )
        )
        return docs[0]["seq"] if docs else None

    def _targets(self, match: dict[str, Any]) -> list[str]:
        """Ids of statements that match and that some StatementRef targets.

        A query also returns statements whose StatementRef points at a match
        (xAPI Communication 2.1.3), voided or not. Only ``referenced`` rows are
        in the partial indexes this reads, so it stays small however many
        statements match.
        """
        return list(
            self._collection.distinct(
                "_id",
                {"$and": [match, {"referenced": True}, {"seq": {"$exists": True}}]},
                session=self._uow.session,
            )
        )


def _match(q: StatementQuery) -> dict[str, Any] | None:
    """The agent, verb, activity and registration filters on one statement."""
    clauses: list[dict[str, Any]] = []
    if q.agent_keys:
        if q.related_agents:
            keys = list(q.agent_keys)
        else:
            keys = [f"{u}|{k}" for k in q.agent_keys for u in AGENT_QUALIFIED]
        clauses.append({"agents": {"$in": keys}})
    if q.activity_id is not None:
        activity = q.activity_id if q.related_activities else f"object|{q.activity_id}"
        clauses.append({"activities": activity})
    if q.verb_id is not None:
        clauses.append({"verb": q.verb_id})
    if q.registration is not None:
        clauses.append({"registration": q.registration})
    if not clauses:
        return None
    return {"$and": clauses} if len(clauses) > 1 else clauses[0]
