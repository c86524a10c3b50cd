"""The MongoDB adapter's identity conflicts (and transfer requests): recorded, listed,
closed once."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from bson import ObjectId
from bson.errors import InvalidId

from lrs.storage.mongo.identity import _merged
from lrs.storage.mongo.schema import json_text
from lrs.storage.mongo.statements import aware, in_org, org_clause
from lrs.storage.port.identity import IdentityConflict, IdentityConflictRepository
from lrs.timeutil import utcnow

if TYPE_CHECKING:
    from lrs.storage.mongo.unit_of_work import MongoUnitOfWork


def _conflict(doc: dict[str, Any]) -> IdentityConflict:
    return IdentityConflict(
        id=str(doc["_id"]),
        kind=doc["kind"],
        dedupe_key=doc["dedupe_key"],
        status=doc["status"],
        org=doc.get("org", ""),
        trainee_key=doc["trainee_key"],
        other_trainee_key=doc.get("other_trainee_key"),
        agent_key=doc.get("agent_key"),
        details=json.loads(doc.get("details") or "{}"),
        count=int(doc.get("count", 1)),
        resolution=json.loads(doc.get("resolution") or "{}"),
        created=aware(doc.get("created")),
        updated=aware(doc.get("updated")),
    )


def _object_id(value: int | str | None) -> ObjectId | None:
    try:
        return ObjectId(str(value))
    except (InvalidId, TypeError):
        return None


class MongoIdentityConflicts(IdentityConflictRepository):
    def __init__(self, uow: MongoUnitOfWork) -> None:
        self._uow = uow

    def _open(self, dedupe_key: str) -> dict[str, Any] | None:
        rows = _merged(
            self._uow,
            "identity_conflicts",
            {"dedupe_key": dedupe_key, "status": "open"},
            lambda d: d["dedupe_key"] == dedupe_key and d["status"] == "open",
            lambda d: d["_id"],
        )
        return rows[0] if rows else None

    def record(self, conflict: IdentityConflict) -> IdentityConflict:
        now = conflict.updated or utcnow()
        current = self._open(conflict.dedupe_key)
        if current is not None:
            row = {**current, "count": int(current.get("count", 1)) + 1, "updated": now}
        else:
            row = {
                "_id": ObjectId(),
                "kind": conflict.kind,
                "dedupe_key": conflict.dedupe_key,
                "status": "open",
                "org": conflict.org,
                "trainee_key": conflict.trainee_key,
                "other_trainee_key": conflict.other_trainee_key,
                "agent_key": conflict.agent_key,
                "details": json_text(conflict.details),
                "count": 1,
                "resolution": "{}",
                "created": conflict.created or now,
                "updated": now,
            }
        self._uow.record(
            {
                "op": "conflict_upsert",
                "c": "identity_conflicts",
                "id": row["_id"],
                "op_id": ObjectId().binary.hex(),
                "doc": {k: v for k, v in row.items() if k != "applied"},
            },
            overlay=row,
        )
        return _conflict(row)

    def get(self, conflict_id: int | str) -> IdentityConflict | None:
        oid = _object_id(conflict_id)
        doc = self._uow.lookup("identity_conflicts", oid) if oid else None
        return _conflict(doc) if doc else None

    def list_conflicts(
        self, status: str | None = "open", org_scope: str | None = None,
        trainee_key: str | None = None, limit: int = 100,
    ) -> list[IdentityConflict]:
        clauses: list[dict[str, Any]] = []
        if status is not None:
            clauses.append({"status": status})
        org = org_clause(org_scope)
        if org is not None:
            clauses.append(org)
        if trainee_key is not None:
            clauses.append({"$or": [{"trainee_key": trainee_key},
                                    {"other_trainee_key": trainee_key}]})

        def wanted(doc: dict[str, Any]) -> bool:
            return (
                (status is None or doc["status"] == status)
                and in_org(doc.get("org", ""), org_scope)
                and (trainee_key is None
                     or trainee_key in (doc["trainee_key"], doc.get("other_trainee_key")))
            )

        rows = _merged(
            self._uow,
            "identity_conflicts",
            {"$and": clauses} if clauses else {},
            wanted,
            lambda d: d["_id"],
        )
        return [_conflict(d) for d in rows[:limit]]

    def close(self, conflict_id: int | str, status: str, resolution: dict[str, Any]) -> bool:
        oid = _object_id(conflict_id)
        current = self._uow.lookup("identity_conflicts", oid) if oid else None
        if current is None or current["status"] != "open":
            return False
        now = utcnow()
        closed = {**current, "status": status, "resolution": json_text(resolution), "updated": now}
        self._uow.record(
            {
                "op": "guarded_update",
                "c": "identity_conflicts",
                "id": oid,
                "q": {"status": "open"},
                "u": {"$set": {"status": status, "resolution": json_text(resolution),
                               "updated": now}},
            },
            overlay=closed,
        )
        return True
