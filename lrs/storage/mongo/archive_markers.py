"""The projector's bookkeeping on MongoDB: which statements the archive projection
applied (and the rows each touched), which wait for their actor's trainee, the
projector's checkpoint and its lease. Part of :class:`MongoArchive` (``archive.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson

from lrs import compactjson
from lrs.storage.mongo.identity import _merged
from lrs.storage.mongo.statements import aware
from lrs.storage.port import ProjectedStatement
from lrs.timeutil import utcnow

if TYPE_CHECKING:
    from lrs.storage.mongo.unit_of_work import MongoUnitOfWork

PROJECTOR_LEASE = "archive-projector"


def unattributed_id(agent_key: str, statement_id: str) -> str:
    return f"{agent_key}|{statement_id}"


class MongoArchiveMarkers:
    """The markers, checkpoint and lease of :class:`lrs.storage.mongo.archive.MongoArchive`."""

    _uow: MongoUnitOfWork

    # ------------------------------------------------------------ projected markers

    def projected(self, statement_ids: list[str]) -> dict[str, ProjectedStatement]:
        wanted = list(dict.fromkeys(statement_ids))
        overlay = dict(self._uow.overlay_items("archive_projected"))
        docs = {
            d["_id"]: d
            for d in self._uow.db["archive_projected"].find(
                {"_id": {"$in": wanted}}, session=self._uow.session
            )
        }
        for sid in wanted:
            if sid in overlay:
                docs[sid] = overlay[sid]
        return {
            sid: ProjectedStatement(
                sid,
                doc["trainee_key"],
                tuple(tuple(t) for t in doc.get("rows", [])),
                aware(doc.get("projected")),
            )
            for sid in wanted
            if (doc := docs.get(sid)) is not None
        }

    def mark_projected(self, marker: ProjectedStatement) -> None:
        doc = {
            "_id": marker.statement_id,
            "trainee_key": marker.trainee_key,
            "rows": [list(t) for t in marker.rows],
            "projected": marker.projected or utcnow(),
        }
        self._uow.record(
            {"op": "upsert", "c": "archive_projected", "id": marker.statement_id, "doc": doc},
            overlay=doc,
        )

    def clear_projected(self, statement_ids: list[str]) -> None:
        for statement_id in dict.fromkeys(statement_ids):
            self._uow.record(
                {"op": "delete", "c": "archive_projected", "id": statement_id,
                 "q": {"_id": statement_id}},
                overlay=None,
            )

    # ------------------------------------------------------------ unattributed markers

    def mark_unattributed(self, statement_id: str, seq: int, agent_key: str) -> None:
        uid = unattributed_id(agent_key, statement_id)
        doc = {"_id": uid, "agent_key": agent_key, "seq": seq, "statement_id": statement_id}
        self._uow.record(
            {"op": "upsert", "c": "archive_unattributed", "id": uid, "doc": doc}, overlay=doc
        )

    def unattributed(self, agent_key: str) -> list[str]:
        docs = _merged(
            self._uow, "archive_unattributed", {"agent_key": agent_key},
            lambda d: d["agent_key"] == agent_key, lambda d: (d["seq"], d["statement_id"]),
        )
        return [d["statement_id"] for d in docs]

    def clear_unattributed(self, agent_key: str, statement_ids: list[str]) -> None:
        for statement_id in dict.fromkeys(statement_ids):
            uid = unattributed_id(agent_key, statement_id)
            self._uow.record(
                {"op": "delete", "c": "archive_unattributed", "id": uid, "q": {"_id": uid}},
                overlay=None,
            )

    # ------------------------------------------------------------ checkpoint

    def get_meta(self, name: str) -> dict[str, Any] | None:
        doc = self._uow.lookup("archive_meta", name)
        return orjson.loads(doc["value"]) if doc else None

    def set_meta(self, name: str, value: dict[str, Any]) -> None:
        doc = {"_id": name, "value": compactjson.dumps(value, sort_keys=True)}
        self._uow.record({"op": "upsert", "c": "archive_meta", "id": name, "doc": doc}, overlay=doc)

    def lock_projector(self) -> None:
        self._uow.lock(PROJECTOR_LEASE)
