"""Gateway jobs and dead letters on MongoDB.

Same write model as the other repositories: whole-document upserts recorded in
the unit of work and applied at commit (replay-safe on the journaled path), with
this unit's own writes laid over its reads. Config and state are JSON text, like
other free-form content (endpoint URLs and IRIs as keys contain dots).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson

from lrs import compactjson
from lrs.storage.mongo.identity import _merged
from lrs.storage.mongo.statements import aware, in_org, org_clause
from lrs.storage.port.gateway import DeadLetter, GatewayJob, GatewayRepository
from lrs.timeutil import utcnow

if TYPE_CHECKING:
    from lrs.storage.mongo.unit_of_work import MongoUnitOfWork

JOBS = "gateway_jobs"
LETTERS = "gateway_dead_letters"


def _job(doc: dict[str, Any]) -> GatewayJob:
    return GatewayJob(
        name=doc["_id"], kind=doc["kind"], org=doc.get("org", ""),
        config=orjson.loads(doc["config"]), state=orjson.loads(doc["state"]),
        paused=bool(doc.get("paused")), created=aware(doc.get("created")),
        updated=aware(doc.get("updated")),
    )


def _letter(doc: dict[str, Any]) -> DeadLetter:
    return DeadLetter(
        id=doc["_id"], job=doc["job"], item=doc["item"], reason=doc["reason"],
        payload=orjson.loads(doc["payload"]), org=doc.get("org", ""), status=doc["status"],
        attempts=int(doc["attempts"]), created=aware(doc.get("created")),
        updated=aware(doc.get("updated")),
    )


class MongoGateway(GatewayRepository):
    def __init__(self, uow: MongoUnitOfWork) -> None:
        self._uow = uow

    def _upsert(self, collection: str, doc: dict[str, Any]) -> None:
        self._uow.record(
            {"op": "upsert", "c": collection, "id": doc["_id"], "doc": doc}, overlay=doc
        )

    def get_job(self, name: str) -> GatewayJob | None:
        doc = self._uow.lookup(JOBS, name)
        return _job(doc) if doc else None

    def save_job(self, job: GatewayJob) -> None:
        now = utcnow()
        existing = self._uow.lookup(JOBS, job.name)
        created = job.created or (existing or {}).get("created") or now
        self._upsert(JOBS, {
            "_id": job.name, "kind": job.kind, "org": job.org,
            "config": compactjson.dumps(job.config), "state": compactjson.dumps(job.state),
            "paused": job.paused, "created": created, "updated": now,
        })

    def list_jobs(self, org_scope: str | None = None) -> list[GatewayJob]:
        docs = _merged(
            self._uow, JOBS, org_clause(org_scope) or {},
            lambda d: in_org(d.get("org", ""), org_scope), lambda d: d["_id"],
        )
        return [_job(d) for d in docs]

    def put_dead_letter(self, letter: DeadLetter) -> DeadLetter:
        now = utcnow()
        existing = self._uow.lookup(LETTERS, letter.id)
        doc = {
            "_id": letter.id, "job": letter.job, "item": letter.item, "reason": letter.reason,
            "payload": compactjson.dumps(letter.payload), "org": letter.org, "status": "open",
            "attempts": int(existing["attempts"]) + 1 if existing else 1,
            "created": existing["created"] if existing else now, "updated": now,
        }
        self._upsert(LETTERS, doc)
        return _letter(doc)

    def get_dead_letter(self, letter_id: str) -> DeadLetter | None:
        doc = self._uow.lookup(LETTERS, letter_id)
        return _letter(doc) if doc else None

    def set_dead_letter_status(self, letter_id: str, status: str, reason: str = "") -> bool:
        doc = self._uow.lookup(LETTERS, letter_id)
        if doc is None:
            return False
        doc = {**doc, "status": status, "updated": utcnow()}
        if reason:
            doc["reason"] = reason
        self._upsert(LETTERS, doc)
        return True

    def dead_letters(
        self, job: str | None = None, status: str | None = "open",
        org_scope: str | None = None, limit: int = 100,
    ) -> list[DeadLetter]:
        query: dict[str, Any] = {**(org_clause(org_scope) or {})}
        if job is not None:
            query["job"] = job
        if status is not None:
            query["status"] = status

        def wanted(d: dict[str, Any]) -> bool:
            return (
                (job is None or d["job"] == job) and (status is None or d["status"] == status)
                and in_org(d.get("org", ""), org_scope)
            )

        docs = _merged(self._uow, LETTERS, query, wanted, lambda d: (aware(d["created"]), d["_id"]))
        return [_letter(d) for d in docs[:limit]]

    def count_dead_letters(self, job: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for letter in self.dead_letters(job, None, None, limit=10**9):
            counts[letter.status] = counts.get(letter.status, 0) + 1
        return counts
