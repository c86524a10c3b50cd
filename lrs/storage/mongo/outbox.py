"""The MongoDB adapter's outbox."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bson import ObjectId

from lrs.storage.mongo.schema import json_text
from lrs.storage.mongo.statements import aware
from lrs.storage.port.outbox import Outbox, OutboxEvent, OutboxLag
from lrs.timeutil import utcnow

if TYPE_CHECKING:
    from lrs.storage.mongo.unit_of_work import MongoUnitOfWork


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
            "payload": json_text(payload),
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
