"""The MongoDB adapter's xAPI Profile pattern states and violations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bson import ObjectId

from lrs.storage.mongo.schema import digest
from lrs.storage.mongo.statements import aware, in_org, org_clause
from lrs.storage.port.profiles import (
    PatternState,
    PatternStateRepository,
    Violation,
    ViolationRepository,
)
from lrs.timeutil import utcnow

if TYPE_CHECKING:
    from lrs.storage.mongo.unit_of_work import MongoUnitOfWork


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
