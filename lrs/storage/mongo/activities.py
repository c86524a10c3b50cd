"""The MongoDB adapter's activity definitions and attachments."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pymongo.errors import DuplicateKeyError

from lrs.storage.mongo.schema import json_text
from lrs.storage.port.statements import ActivityRepository, Attachment, AttachmentRepository

if TYPE_CHECKING:
    from lrs.storage.mongo.unit_of_work import MongoUnitOfWork


class MongoActivities(ActivityRepository):
    def __init__(self, uow: MongoUnitOfWork) -> None:
        self._uow = uow

    def save_definition(self, activity_id: str, definition: dict[str, Any]) -> None:
        doc = {"_id": activity_id, "definition": json_text(definition)}
        self._uow.record(
            {"op": "upsert", "c": "activities", "id": activity_id, "doc": doc}, overlay=doc
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
