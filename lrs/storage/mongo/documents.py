"""The MongoDB adapter's state, activity profile and agent profile documents.

Writes go into the unit of work's write set (see unit_of_work and ops) and
reach the database at commit; reads see the unit's own writes through its
overlay, then the committed documents.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from lrs.storage.mongo.schema import digest
from lrs.storage.mongo.statements import aware
from lrs.storage.port.documents import ANY, Document, DocumentKey, DocumentRepository, DocumentScope
from lrs.storage.port.errors import ConcurrentUpdate

if TYPE_CHECKING:
    from lrs.storage.mongo.unit_of_work import MongoUnitOfWork


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
