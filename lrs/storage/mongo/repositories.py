"""The MongoDB repositories other than statements.

Writes go into the unit of work's write set (see unit_of_work and ops) and
reach the database at commit; reads see the unit's own writes through its
overlay, then the committed documents.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from lrs.domain.activities import merge_activity_definitions
from lrs.domain.errors import ConcurrentUpdate
from lrs.storage.mongo.documents import digest
from lrs.storage.mongo.statements import aware, in_org, org_clause
from lrs.storage.port import (
    ANY,
    ActivityRepository,
    Attachment,
    AttachmentRepository,
    Credential,
    CredentialRepository,
    Document,
    DocumentKey,
    DocumentRepository,
    DocumentScope,
    Outbox,
    OutboxEvent,
    OutboxLag,
    PatternState,
    PatternStateRepository,
    Violation,
    ViolationRepository,
)
from lrs.timeutil import utcnow

if TYPE_CHECKING:
    from lrs.storage.mongo.unit_of_work import MongoUnitOfWork


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# ---------------------------------------------------------------- activities


class MongoActivities(ActivityRepository):
    def __init__(self, uow: MongoUnitOfWork) -> None:
        self._uow = uow

    def merge_definition(self, activity_id: str, definition: dict[str, Any]) -> None:
        current = self.get(activity_id)
        merged = merge_activity_definitions(current or {}, definition)
        if merged == current:
            return
        # Recorded as a merge, not as the merged result: it is folded into the
        # definition stored at commit time, so concurrent writers' languages
        # are kept instead of the last one overwriting the others.
        self._uow.record(
            {"op": "merge_activity", "c": "activities", "id": activity_id,
             "definition": _json(definition)},
            overlay={"_id": activity_id, "definition": _json(merged)},
        )

    def get(self, activity_id: str) -> dict[str, Any] | None:
        doc = self._uow.lookup("activities", activity_id)
        return json.loads(doc["definition"]) if doc else None


# ---------------------------------------------------------------- attachments

# Below BSON's 16 MiB document limit with room for the other fields.
CHUNK_BYTES = 4 * 1024 * 1024


def write_attachments(db: Any, attachments: Iterable[Attachment]) -> None:
    """Store attachments by content hash, chunked when large; idempotent.

    Chunks go first and the metadata row last, so a row that exists is
    complete; a writer that dies half-way leaves only unreferenced chunks.
    """
    for attachment in attachments:
        if db["attachments"].find_one({"_id": attachment.sha2}, projection={"_id": 1}):
            continue
        data = attachment.data
        meta: dict[str, Any] = {
            "_id": attachment.sha2,
            "content_type": attachment.content_type,
            "length": len(data),
        }
        if len(data) <= CHUNK_BYTES:
            meta["data"] = data
            meta["chunks"] = 0
        else:
            chunks = [data[i : i + CHUNK_BYTES] for i in range(0, len(data), CHUNK_BYTES)]
            for n, chunk in enumerate(chunks):
                db["attachment_chunks"].replace_one(
                    {"_id": f"{attachment.sha2}:{n}"},
                    {"_id": f"{attachment.sha2}:{n}", "sha2": attachment.sha2, "n": n,
                     "data": chunk},
                    upsert=True,
                )
            meta["chunks"] = len(chunks)
        # Stored concurrently by another request: same hash, same bytes.
        with contextlib.suppress(DuplicateKeyError):
            db["attachments"].insert_one(meta)


class MongoAttachments(AttachmentRepository):
    def __init__(self, uow: MongoUnitOfWork) -> None:
        self._uow = uow

    def put(self, attachment: Attachment) -> None:
        self._uow.attachments_to_write[attachment.sha2] = attachment

    def get_many(self, hashes: list[str]) -> dict[str, Attachment]:
        found = {
            h: a for h, a in self._uow.attachments_to_write.items() if h in set(hashes)
        }
        wanted = [h for h in hashes if h not in found]
        if not wanted:
            return found
        db, session = self._uow.db, self._uow.session
        for doc in db["attachments"].find({"_id": {"$in": wanted}}, session=session):
            if doc.get("chunks"):
                parts = db["attachment_chunks"].find(
                    {"sha2": doc["_id"]}, sort=[("n", 1)], session=session
                )
                data = b"".join(bytes(p["data"]) for p in parts)
            else:
                data = bytes(doc["data"])
            found[doc["_id"]] = Attachment(doc["_id"], doc["content_type"], data)
        return found


# ---------------------------------------------------------------- documents


def document_id(key: DocumentKey) -> str:
    return digest(key.kind, key.org, key.activity_id, key.agent_key, key.registration, key.doc_id)


def scope_id(kind: str, org: str, activity_id: str, agent_key: str) -> str:
    return digest(kind, org, activity_id, agent_key)


def _scope_filter(scope: DocumentScope) -> dict[str, Any]:
    q: dict[str, Any] = {
        "scope": scope_id(scope.kind, scope.org, scope.activity_id, scope.agent_key)
    }
    if scope.registration is not None:
        q["registration"] = scope.registration
    return q


def _in_scope(doc: dict[str, Any], q: dict[str, Any]) -> bool:
    return all(doc.get(name) == value for name, value in q.items())


class MongoDocuments(DocumentRepository):
    def __init__(self, uow: MongoUnitOfWork) -> None:
        self._uow = uow

    def get(self, key: DocumentKey) -> Document | None:
        doc_id = document_id(key)
        # Reading a document to change it: queue behind its other writers.
        self._uow.lock(f"document:{doc_id}")
        doc = self._uow.lookup("documents", doc_id)
        if doc is None:
            return None
        return Document(
            key, bytes(doc["content"]), doc["content_type"], doc["etag"], aware(doc["updated"])
        )

    def list_ids(self, scope: DocumentScope, since: datetime | None = None) -> list[str]:
        q = _scope_filter(scope)

        def wanted(doc: dict[str, Any]) -> bool:
            return _in_scope(doc, q) and (since is None or aware(doc["updated"]) > since)

        query = dict(q)
        if since is not None:
            query["updated"] = {"$gt": since}
        overlay = dict(self._uow.overlay_items("documents"))
        ids = {
            doc["doc_id"]
            for doc in self._uow.db["documents"].find(
                query, projection={"doc_id": 1}, session=self._uow.session
            )
            if doc["_id"] not in overlay
        }
        ids.update(doc["doc_id"] for doc in overlay.values() if doc is not None and wanted(doc))
        return sorted(ids)

    def save(self, document: Document, expected_etag: str | None) -> None:
        key = document.key
        doc_id = document_id(key)
        current = self._uow.lookup("documents", doc_id)
        # Checked now so the caller learns at once; enforced again, atomically,
        # when the write is applied (update filtered on the ETag, or an insert
        # the unique _id refuses).
        if expected_etag is None and current is not None:
            raise ConcurrentUpdate(key.doc_id)
        moved = current is None or current["etag"] != expected_etag
        if expected_etag not in (None, ANY) and moved:
            raise ConcurrentUpdate(key.doc_id)
        row = {
            "_id": doc_id,
            "scope": scope_id(key.kind, key.org, key.activity_id, key.agent_key),
            "kind": key.kind,
            "org": key.org,
            "activity_id": key.activity_id,
            "agent_key": key.agent_key,
            "registration": key.registration,
            "doc_id": key.doc_id,
            "content": document.content,
            "content_type": document.content_type,
            "etag": document.etag,
            "updated": document.updated,
        }
        self._uow.record_cas("documents", doc_id, row, expected_etag)

    def delete(self, key: DocumentKey) -> None:
        doc_id = document_id(key)
        self._uow.record(
            {"op": "delete", "c": "documents", "id": doc_id, "q": {"_id": doc_id}}, overlay=None
        )

    def delete_all(self, scope: DocumentScope) -> None:
        q = _scope_filter(scope)
        self._uow.record(
            {"op": "delete", "c": "documents", "q": q, "multi": True},
            overlay_fn=lambda doc: None if _in_scope(doc, q) else doc,
        )


# ---------------------------------------------------------------- credentials


def _credential(doc: dict[str, Any]) -> Credential:
    return Credential(
        key=doc["_id"],
        secret_hash=doc["secret_hash"],
        name=doc["name"],
        scopes=tuple(doc["scopes"]),
        org=doc["org"],
        created=aware(doc["created"]),
        revoked=bool(doc.get("revoked")),
        settings=json.loads(doc.get("settings") or "{}"),
    )


class MongoCredentials(CredentialRepository):
    def __init__(self, uow: MongoUnitOfWork) -> None:
        self._uow = uow

    def add(self, credential: Credential) -> None:
        row = {
            "_id": credential.key,
            "secret_hash": credential.secret_hash,
            "name": credential.name,
            "scopes": list(credential.scopes),
            "org": credential.org,
            "created": credential.created or utcnow(),
            "revoked": credential.revoked,
            "settings": _json(credential.settings),
        }
        # Insert-if-absent: a second credential with the same key is refused.
        self._uow.record_cas("credentials", credential.key, row, None)

    def get(self, key: str) -> Credential | None:
        doc = self._uow.lookup("credentials", key)
        return _credential(doc) if doc else None

    def list(self) -> list[Credential]:
        overlay = dict(self._uow.overlay_items("credentials"))
        docs = [
            doc
            for doc in self._uow.db["credentials"].find({}, session=self._uow.session)
            if doc["_id"] not in overlay
        ]
        docs += [doc for doc in overlay.values() if doc is not None]
        return sorted((_credential(d) for d in docs), key=lambda c: (c.created, c.key))

    def revoke(self, key: str) -> bool:
        doc = self._uow.lookup("credentials", key)
        if doc is None:
            return False
        doc["revoked"] = True
        self._uow.record(
            {"op": "update", "c": "credentials", "id": key, "q": {"_id": key},
             "u": {"$set": {"revoked": True}}},
            overlay=doc,
        )
        return True


# ---------------------------------------------------------------- outbox


class MongoOutbox(Outbox):
    def __init__(self, uow: MongoUnitOfWork) -> None:
        self._uow = uow
        self._done: set[ObjectId] = set()

    def add(self, topic: str, payload: dict[str, Any]) -> None:
        # ObjectIds made by one process increase, so id order is the order
        # events were written in; across processes it is creation-time order.
        row = {
            "_id": ObjectId(),
            "topic": topic,
            "payload": _json(payload),
            "created": utcnow(),
            "done": False,
        }
        self._uow.record({"op": "insert", "c": "outbox", "doc": row})

    def pending(self, topic: str | None = None, limit: int = 100) -> list[OutboxEvent]:
        q: dict[str, Any] = {"done": False}
        if topic is not None:
            q["topic"] = topic
        rows = list(
            self._uow.db["outbox"].find(
                q, sort=[("_id", 1)], limit=limit, session=self._uow.session
            )
        )
        rows += [
            op["doc"]
            for op in self._uow.recorded("outbox", "insert")
            if topic is None or op["doc"]["topic"] == topic
        ]
        rows = sorted(
            (r for r in rows if r["_id"] not in self._done), key=lambda r: r["_id"]
        )[:limit]
        return [
            OutboxEvent(str(r["_id"]), r["topic"], json.loads(r["payload"]), aware(r["created"]))
            for r in rows
        ]

    def mark_done(self, event_ids: list[int | str]) -> None:
        ids = [ObjectId(str(i)) for i in event_ids]
        if not ids:
            return
        self._done.update(ids)
        for op in self._uow.recorded("outbox", "insert"):
            if op["doc"]["_id"] in self._done:
                op["doc"]["done"] = True
        self._uow.record(
            {"op": "update", "c": "outbox", "q": {"_id": {"$in": ids}},
             "u": {"$set": {"done": True}}, "multi": True}
        )

    # ObjectIds order by creation second, then by a per-process random part: an event
    # written earlier may commit after a later one, so cursors read settled events.
    commit_ordered = False

    def after(
        self, cursor: int | str | None, topic: str, limit: int = 100,
        created_before: datetime | None = None,
    ) -> list[OutboxEvent]:
        q: dict[str, Any] = {"topic": topic}
        bounds: dict[str, Any] = {}
        if cursor is not None:
            bounds["$gt"] = ObjectId(str(cursor))
        if created_before is not None:
            # ObjectIds keep whole seconds: bound the index range by the next second,
            # and the events exactly by their creation time.
            bounds["$lt"] = ObjectId.from_datetime(created_before + timedelta(seconds=1))
            q["created"] = {"$lt": created_before}
        if bounds:
            q["_id"] = bounds
        rows = self._uow.db["outbox"].find(
            q, sort=[("_id", 1)], limit=limit, session=self._uow.session
        )
        return [
            OutboxEvent(str(r["_id"]), r["topic"], json.loads(r["payload"]), aware(r["created"]))
            for r in rows
        ]

    def lag(self) -> OutboxLag:
        # Served by the ("done", "id") index: a count and the first pending event.
        pending = {"done": False}
        outbox = self._uow.db["outbox"]
        count = outbox.count_documents(pending, session=self._uow.session)
        first = outbox.find_one(pending, sort=[("_id", 1)], session=self._uow.session)
        return OutboxLag(count, aware(first["created"]) if first else None)


# ---------------------------------------------------------------- pattern states


class MongoPatternStates(PatternStateRepository):
    def __init__(self, uow: MongoUnitOfWork) -> None:
        self._uow = uow

    def get(
        self, pattern_id: str, registration: str, subregistration: str = ""
    ) -> PatternState | None:
        doc = self._uow.lookup("pattern_states", digest(pattern_id, registration, subregistration))
        if doc is None:
            return None
        return PatternState(
            doc["pattern_id"],
            doc["registration"],
            doc["subregistration"],
            tuple(doc["states"]),
            bool(doc["failed"]),
            aware(doc["updated"]),
        )

    def save(self, state: PatternState) -> None:
        doc_id = digest(state.pattern_id, state.registration, state.subregistration)
        row = {
            "_id": doc_id,
            "pattern_id": state.pattern_id,
            "registration": state.registration,
            "subregistration": state.subregistration,
            "states": list(state.states),
            "failed": state.failed,
            "updated": state.updated or utcnow(),
        }
        self._uow.record(
            {"op": "upsert", "c": "pattern_states", "id": doc_id, "doc": row}, overlay=row
        )


# ---------------------------------------------------------------- violations


def _violation(doc: dict[str, Any]) -> Violation:
    return Violation(
        statement_id=doc["statement_id"],
        profile_id=doc["profile_id"],
        subject_id=doc["subject_id"],
        rule=doc["rule"],
        message=doc["message"],
        location=doc["location"],
        registration=doc.get("registration"),
        org=doc["org"],
        created=aware(doc["created"]),
    )


class MongoViolations(ViolationRepository):
    def __init__(self, uow: MongoUnitOfWork) -> None:
        self._uow = uow

    def add(self, violations: list[Violation]) -> None:
        for v in violations:
            row: dict[str, Any] = {
                "_id": ObjectId(),
                "statement_id": v.statement_id,
                "profile_id": v.profile_id,
                "subject_id": v.subject_id,
                "rule": v.rule,
                "message": v.message,
                "location": v.location,
                "org": v.org,
                "created": v.created or utcnow(),
            }
            if v.registration is not None:
                row["registration"] = v.registration
            self._uow.record({"op": "insert", "c": "violations", "doc": row})

    def _find(
        self, field: str, value: str, org_scope: str | None, limit: int | None
    ) -> list[Violation]:
        q: dict[str, Any] = {field: value}
        org = org_clause(org_scope)
        if org is not None:
            q = {"$and": [q, org]}
        rows = list(
            self._uow.db["violations"].find(
                q, sort=[("_id", 1)], limit=limit or 0, session=self._uow.session
            )
        )
        rows += [
            op["doc"]
            for op in self._uow.recorded("violations", "insert")
            if op["doc"].get(field) == value and in_org(op["doc"]["org"], org_scope)
        ]
        rows.sort(key=lambda r: r["_id"])
        return [_violation(r) for r in rows[:limit] if r]

    def for_statement(self, statement_id: str, org_scope: str | None = None) -> list[Violation]:
        return self._find("statement_id", statement_id, org_scope, None)

    def for_registration(
        self, registration: str, org_scope: str | None = None, limit: int = 1000
    ) -> list[Violation]:
        return self._find("registration", registration, org_scope, limit)

    def recent(self, org_scope: str | None = None, limit: int = 100) -> list[Violation]:
        rows = list(
            self._uow.db["violations"].find(
                org_clause(org_scope) or {}, sort=[("_id", -1)], limit=limit,
                session=self._uow.session,
            )
        )
        rows += [
            op["doc"]
            for op in self._uow.recorded("violations", "insert")
            if in_org(op["doc"]["org"], org_scope)
        ]
        rows.sort(key=lambda r: r["_id"], reverse=True)
        return [_violation(r) for r in rows[:limit]]
