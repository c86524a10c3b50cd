"""The learning archive on MongoDB: derived rows, the credit ledger, projection markers.

Same write model as the other repositories: writes are recorded and applied at
commit (one transaction on a replica set; the journal on a standalone server),
and this unit's own writes are laid over its reads. Every write here is a
whole-document upsert or a fresh insert, so replaying a journal entry after a
crash applies it once (``$inc`` would not be replay-safe on the standalone
path). Concurrent projectors never interleave: a write unit that projects
holds the ``archive-projector`` lease (:meth:`lock_projector`) from before its
first read until it ends, so a read-modify-write of a row cannot be lost.

Every key starts with the trainee key (an HMAC digest, evenly spread), so the
collections shard on ``trainee_key`` ranges and a trainee's archive and ledger
live on one shard (see ``SHARD_KEYS`` in indexes.py). Row ``data`` is JSON
text like other free-form content (course IRIs as keys contain dots).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import orjson

from lrs import compactjson
from lrs.storage.mongo.identity import _merged
from lrs.storage.mongo.schema import digest
from lrs.storage.mongo.statements import aware, in_org, org_clause
from lrs.storage.port import ArchiveRepository, ArchiveRow, LedgerEntry, ProjectedStatement
from lrs.timeutil import utcnow

if TYPE_CHECKING:
    from lrs.storage.mongo.unit_of_work import MongoUnitOfWork

PROJECTOR_LEASE = "archive-projector"


def _json(value: Any) -> str:
    # Sorted keys: the same text the standard encoder wrote before (orjson is ~10x faster).
    return compactjson.dumps(value, sort_keys=True)


def row_id(kind: str, trainee_key: str, period_key: str, activity_id: str) -> str:
    return f"{trainee_key}|{period_key}|{kind}|{digest(activity_id)[:40]}"


def unattributed_id(agent_key: str, statement_id: str) -> str:
    return f"{agent_key}|{statement_id}"


def entry_id(trainee_key: str, seq: int) -> str:
    return f"{trainee_key}:{seq:012d}"


def _row(doc: dict[str, Any]) -> ArchiveRow:
    return ArchiveRow(
        kind=doc["kind"],
        trainee_key=doc["trainee_key"],
        period_key=doc["period_key"],
        activity_id=doc["activity_id"],
        unit=doc.get("unit", ""),
        institution=doc.get("institution", ""),
        org=doc.get("org", ""),
        data=orjson.loads(doc.get("data") or "{}"),  # text this adapter wrote: plain JSON
        updated=aware(doc.get("updated")),
    )


def _entry(doc: dict[str, Any]) -> LedgerEntry:
    return LedgerEntry(
        trainee_key=doc["trainee_key"],
        seq=doc["seq"],
        period_key=doc["period_key"],
        kind=doc["kind"],
        activity_id=doc["activity_id"],
        credit_hours=Decimal(doc["credit_hours"]),
        credits=Decimal(doc["credits"]),
        requirement=doc.get("requirement", ""),
        unit=doc.get("unit", ""),
        policy_id=doc.get("policy_id", ""),
        statement_id=doc["statement_id"],
        recorded=aware(doc["recorded"]),
        reason=doc.get("reason", ""),
        reverses=doc.get("reverses"),
        org=doc.get("org", ""),
        prev_hash=doc.get("prev_hash", ""),
        hash=doc.get("hash", ""),
    )


def _sort_row(doc: dict[str, Any]) -> tuple[str, str, str, str]:
    return (doc["trainee_key"], doc["kind"], doc["period_key"], doc["activity_id"])


class MongoArchive(ArchiveRepository):
    def __init__(self, uow: MongoUnitOfWork) -> None:
        self._uow = uow

    # ------------------------------------------------------------ derived rows

    def get_row(
        self, kind: str, trainee_key: str, period_key: str, activity_id: str
    ) -> ArchiveRow | None:
        doc = self._uow.lookup("archive_rows", row_id(kind, trainee_key, period_key, activity_id))
        return _row(doc) if doc else None

    def save_row(self, row: ArchiveRow) -> None:
        rid = row_id(row.kind, row.trainee_key, row.period_key, row.activity_id)
        doc = {
            "_id": rid,
            "trainee_key": row.trainee_key,
            "kind": row.kind,
            "period_key": row.period_key,
            "activity_id": row.activity_id,
            "unit": row.unit,
            "institution": row.institution,
            "org": row.org,
            "data": _json(row.data),
            "updated": row.updated or utcnow(),
        }
        self._uow.record({"op": "upsert", "c": "archive_rows", "id": rid, "doc": doc}, overlay=doc)

    def delete_row(self, kind: str, trainee_key: str, period_key: str, activity_id: str) -> None:
        rid = row_id(kind, trainee_key, period_key, activity_id)
        self._uow.record(
            {"op": "delete", "c": "archive_rows", "id": rid, "q": {"_id": rid}}, overlay=None
        )

    def _rows(self, query: dict[str, Any], wanted: Any) -> list[dict[str, Any]]:
        return _merged(self._uow, "archive_rows", query, wanted, _sort_row)

    def rows_for_trainee(
        self, trainee_key: str, period_key: str | None = None
    ) -> list[ArchiveRow]:
        query: dict[str, Any] = {"trainee_key": trainee_key}
        if period_key is not None:
            query["period_key"] = period_key
        docs = self._rows(
            query,
            lambda d: d["trainee_key"] == trainee_key
            and (period_key is None or d["period_key"] == period_key),
        )
        return [_row(d) for d in docs]

    def rows_for_trainees(self, trainee_keys: list[str], period_key: str) -> list[ArchiveRow]:
        found: list[ArchiveRow] = []
        unique = sorted(set(trainee_keys))
        for start in range(0, len(unique), 1000):
            chunk = unique[start : start + 1000]
            wanted = set(chunk)
            docs = self._rows(
                {"trainee_key": {"$in": chunk}, "period_key": period_key},
                lambda d, w=wanted: d["trainee_key"] in w and d["period_key"] == period_key,
            )
            found += [_row(d) for d in docs]
        return found

    def rows_for_activity(self, trainee_key: str, activity_id: str) -> list[ArchiveRow]:
        docs = self._rows(
            {"trainee_key": trainee_key, "activity_id": activity_id},
            lambda d: d["trainee_key"] == trainee_key and d["activity_id"] == activity_id,
        )
        return sorted((_row(d) for d in docs), key=lambda r: (r.period_key, r.kind))

    def rows_in_units(
        self,
        unit_scope: str,
        period_key: str,
        after: tuple[str, str, str, str] | None = None,
        limit: int = 1000,
    ) -> list[ArchiveRow]:
        clauses: list[dict[str, Any]] = [{"period_key": period_key}]
        unit = org_clause(unit_scope or None, "unit")
        if unit is not None:
            clauses.append(unit)
        if after is not None:
            clauses.append({"trainee_key": {"$gte": after[0]}})
        docs = self._rows(
            {"$and": clauses},
            lambda d: d["period_key"] == period_key and in_org(d.get("unit", ""), unit_scope),
        )
        if after is not None:
            docs = [d for d in docs if _sort_row(d) > after]
        return [_row(d) for d in docs[:limit]]

    def rows_by_org(
        self,
        org_scope: str,
        period_key: str,
        after: tuple[str, str, str, str] | None = None,
        limit: int = 1000,
    ) -> list[ArchiveRow]:
        clauses: list[dict[str, Any]] = [{"period_key": period_key}]
        org = org_clause(org_scope or None, "org")
        if org is not None:
            clauses.append(org)
        if after is not None:
            clauses.append({"trainee_key": {"$gte": after[0]}})
        docs = self._rows(
            {"$and": clauses},
            lambda d: d["period_key"] == period_key and in_org(d.get("org", ""), org_scope),
        )
        if after is not None:
            docs = [d for d in docs if _sort_row(d) > after]
        return [_row(d) for d in docs[:limit]]

    def trainees_in_units(self, unit_scope: str, period_key: str) -> list[str]:
        clauses: list[dict[str, Any]] = [{"period_key": period_key}]
        unit = org_clause(unit_scope or None, "unit")
        if unit is not None:
            clauses.append(unit)
        docs = self._rows(
            {"$and": clauses},
            lambda d: d["period_key"] == period_key and in_org(d.get("unit", ""), unit_scope),
        )
        return sorted({d["trainee_key"] for d in docs})

    def delete_rows(self) -> int:
        count = self._uow.db["archive_rows"].count_documents({}, session=self._uow.session)
        for collection in ("archive_rows", "archive_projected", "archive_unattributed"):
            self._uow.record(
                {"op": "delete", "c": collection, "q": {}, "multi": True},
                overlay_fn=lambda _doc: None,
            )
        return count

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

    # ------------------------------------------------------------ ledger

    def _entries(self, query: dict[str, Any], wanted: Any) -> list[dict[str, Any]]:
        return _merged(
            self._uow, "archive_ledger", query, wanted, lambda d: (d["trainee_key"], d["seq"])
        )

    def last_entry(self, trainee_key: str) -> LedgerEntry | None:
        committed = self._uow.db["archive_ledger"].find_one(
            {"trainee_key": trainee_key}, sort=[("seq", -1)], session=self._uow.session
        )
        mine = [
            op["doc"]
            for op in self._uow.recorded("archive_ledger", "insert")
            if op["doc"]["trainee_key"] == trainee_key
        ]
        docs = [d for d in [committed, *mine] if d is not None]
        return _entry(max(docs, key=lambda d: d["seq"])) if docs else None

    def append(self, entry: LedgerEntry) -> None:
        doc = {
            "_id": entry_id(entry.trainee_key, entry.seq),
            "trainee_key": entry.trainee_key,
            "seq": entry.seq,
            "period_key": entry.period_key,
            "kind": entry.kind,
            "activity_id": entry.activity_id,
            "credit_hours": str(entry.credit_hours),
            "credits": str(entry.credits),
            "requirement": entry.requirement,
            "unit": entry.unit,
            "policy_id": entry.policy_id,
            "statement_id": entry.statement_id,
            "recorded": entry.recorded,
            "reason": entry.reason,
            "reverses": entry.reverses,
            "org": entry.org,
            "prev_hash": entry.prev_hash,
            "hash": entry.hash,
        }
        # An insert with a fresh (trainee, seq) id: the unique _id refuses a
        # second writer of the same seq; a journal replay of it is skipped.
        self._uow.record({"op": "insert", "c": "archive_ledger", "doc": doc})

    def ledger(
        self, trainee_key: str, after_seq: int = 0, limit: int = 1000
    ) -> list[LedgerEntry]:
        docs = self._entries(
            {"trainee_key": trainee_key, "seq": {"$gt": after_seq}},
            lambda d: d["trainee_key"] == trainee_key and d["seq"] > after_seq,
        )
        return [_entry(d) for d in docs[:limit]]

    def entries_for_statement(self, statement_id: str) -> list[LedgerEntry]:
        docs = self._entries(
            {"statement_id": statement_id}, lambda d: d["statement_id"] == statement_id
        )
        return [_entry(d) for d in docs]

    def ledger_trainees(self, after_key: str | None = None, limit: int = 500) -> list[str]:
        keys: set[str] = set(
            self._uow.db["archive_ledger"].distinct(
                "trainee_key", {"trainee_key": {"$gt": after_key or ""}}, session=self._uow.session
            )
        )
        keys.update(
            op["doc"]["trainee_key"]
            for op in self._uow.recorded("archive_ledger", "insert")
            if op["doc"]["trainee_key"] > (after_key or "")
        )
        return sorted(keys)[:limit]

    # ------------------------------------------------------------ checkpoint

    def get_meta(self, name: str) -> dict[str, Any] | None:
        doc = self._uow.lookup("archive_meta", name)
        return orjson.loads(doc["value"]) if doc else None

    def set_meta(self, name: str, value: dict[str, Any]) -> None:
        doc = {"_id": name, "value": _json(value)}
        self._uow.record({"op": "upsert", "c": "archive_meta", "id": name, "doc": doc}, overlay=doc)

    def lock_projector(self) -> None:
        self._uow.lock(PROJECTOR_LEASE)
