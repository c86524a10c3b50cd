"""The trainee registry on MongoDB: trainees, memberships, account links, identity conflicts.

Same write model as the other repositories (recorded, applied at commit,
overlay for this unit's own reads). The two rules the database enforces:
one active link per agent key (unique partial index on ``agent_key`` where
``active``) and one open conflict per dedupe key (unique partial index where
``status: open``); a unit that loses either race fails at commit with
``ConcurrentUpdate`` instead of both winning.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from bson import ObjectId

from lrs.storage.mongo.schema import json_text
from lrs.storage.mongo.statements import aware, in_org, org_clause
from lrs.storage.port.identity import (
    AccountLink,
    AccountLinkRepository,
    Membership,
    Trainee,
    TraineeRepository,
)
from lrs.timeutil import utcnow

if TYPE_CHECKING:
    from lrs.storage.mongo.unit_of_work import MongoUnitOfWork


def _merged(
    uow: MongoUnitOfWork,
    collection: str,
    query: dict[str, Any],
    wanted: Any,
    sort_key: Any,
) -> list[dict[str, Any]]:
    """Committed rows matching ``query``, with this unit's own writes laid over them."""
    overlay = dict(uow.overlay_items(collection))
    rows = [
        doc
        for doc in uow.db[collection].find(query, session=uow.session)
        if doc["_id"] not in overlay
    ]
    rows += [doc for doc in overlay.values() if doc is not None and wanted(doc)]
    rows += [
        op["doc"] for op in uow.recorded(collection, "insert") if wanted(op["doc"])
    ]
    return sorted(rows, key=sort_key)


# ---------------------------------------------------------------- trainees


def _trainee(doc: dict[str, Any]) -> Trainee:
    return Trainee(
        key=doc["_id"],
        masked_id=doc["masked_id"],
        name=doc.get("name", ""),
        position=doc.get("position", ""),
        rank=doc.get("rank", ""),
        unit=doc.get("unit", ""),
        provisional=bool(doc.get("provisional")),
        created=aware(doc.get("created")),
        updated=aware(doc.get("updated")),
    )


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _membership(raw: dict[str, Any]) -> Membership:
    return Membership(
        unit=raw["unit"],
        joined=date.fromisoformat(raw["joined"]) if raw.get("joined") else None,
        left=date.fromisoformat(raw["left"]) if raw.get("left") else None,
        source=raw.get("source", ""),
    )


class MongoTrainees(TraineeRepository):
    def __init__(self, uow: MongoUnitOfWork) -> None:
        self._uow = uow

    def get(self, key: str) -> Trainee | None:
        doc = self._uow.lookup("trainees", key)
        return _trainee(doc) if doc else None

    def save(self, trainee: Trainee) -> None:
        now = utcnow()
        current = self._uow.lookup("trainees", trainee.key)
        row = {
            "_id": trainee.key,
            "masked_id": trainee.masked_id,
            "name": trainee.name,
            "position": trainee.position,
            "rank": trainee.rank,
            "unit": trainee.unit,
            "provisional": trainee.provisional,
            # An existing trainee keeps the creation time first stored.
            "created": (current or {}).get("created") or trainee.created or now,
            "updated": trainee.updated or now,
        }
        fields = {k: v for k, v in row.items() if k not in ("_id", "created")}
        self._uow.record(
            {
                "op": "update",
                "c": "trainees",
                "id": trainee.key,
                "q": {"_id": trainee.key},
                "u": {"$set": fields, "$setOnInsert": {"created": row["created"]}},
                "upsert": True,
            },
            overlay=row,
        )

    def list_trainees(
        self, org_scope: str | None = None, after_key: str | None = None, limit: int = 500
    ) -> list[Trainee]:
        clauses: list[dict[str, Any]] = []
        unit = org_clause(org_scope, "unit")
        if unit is not None:
            clauses.append(unit)
        if after_key is not None:
            clauses.append({"_id": {"$gt": after_key}})
        query = {"$and": clauses} if clauses else {}

        def wanted(doc: dict[str, Any]) -> bool:
            return in_org(doc.get("unit", ""), org_scope) and (
                after_key is None or doc["_id"] > after_key
            )

        rows = _merged(self._uow, "trainees", query, wanted, lambda d: d["_id"])
        return [_trainee(d) for d in rows[:limit]]

    def _many(self, collection: str, keys: list[str]) -> dict[str, dict[str, Any]]:
        """One ``$in`` read for many keys, with this unit's own writes laid over it."""
        wanted = list(dict.fromkeys(keys))
        overlay = dict(self._uow.overlay_items(collection))
        rows = {
            doc["_id"]: doc
            for doc in self._uow.db[collection].find(
                {"_id": {"$in": wanted}}, session=self._uow.session
            )
        }
        for key in wanted:
            if key in overlay:
                rows[key] = overlay[key]
        return {k: rows[k] for k in wanted if rows.get(k) is not None}

    def get_many(self, keys: list[str]) -> dict[str, Trainee]:
        return {k: _trainee(d) for k, d in self._many("trainees", keys).items()}

    def memberships_many(self, keys: list[str]) -> dict[str, list[Membership]]:
        found: dict[str, list[Membership]] = {}
        for key, doc in self._many("trainee_memberships", keys).items():
            items = [_membership(m) for m in doc.get("memberships", [])]
            if items:
                found[key] = sorted(items, key=lambda m: (_day(m.joined), m.unit))
        return found

    def memberships(self, key: str) -> list[Membership]:
        doc = self._uow.lookup("trainee_memberships", key)
        items = [_membership(m) for m in (doc or {}).get("memberships", [])]
        # Oldest first; an unknown start sorts first.
        return sorted(items, key=lambda m: (_day(m.joined), m.unit))

    def set_memberships(self, key: str, memberships: list[Membership]) -> None:
        row = {
            "_id": key,
            "memberships": [
                {"unit": m.unit, "joined": _day(m.joined), "left": _day(m.left),
                 "source": m.source}
                for m in memberships
            ],
            "units": sorted({m.unit for m in memberships}),
        }
        self._uow.record(
            {"op": "upsert", "c": "trainee_memberships", "id": key, "doc": row}, overlay=row
        )

    def with_memberships_in(
        self, org_scope: str, after_key: str | None = None, limit: int = 500
    ) -> list[Trainee]:
        unit = org_clause(org_scope, "units")
        clauses: list[dict[str, Any]] = []
        if unit is not None:
            clauses.append(unit)
        if after_key is not None:
            clauses.append({"_id": {"$gt": after_key}})

        def wanted(doc: dict[str, Any]) -> bool:
            return any(in_org(u, org_scope) for u in doc.get("units", [])) and (
                after_key is None or doc["_id"] > after_key
            )

        keys = [
            d["_id"]
            for d in _merged(
                self._uow,
                "trainee_memberships",
                {"$and": clauses} if clauses else {},
                wanted,
                lambda d: d["_id"],
            )
        ]
        trainees = self.get_many(keys)
        return [trainees[k] for k in keys if k in trainees][:limit]


# ---------------------------------------------------------------- account links


def _link(doc: dict[str, Any]) -> AccountLink:
    return AccountLink(
        agent_key=doc["agent_key"],
        trainee_key=doc["trainee_key"],
        ifi=json.loads(doc["ifi"]),
        source=doc["source"],
        org=doc.get("org", ""),
        linked=aware(doc["linked"]),
        linked_by=doc.get("linked_by", ""),
        statement_id=doc.get("statement_id"),
        unlinked=aware(doc.get("unlinked")),
        unlinked_by=doc.get("unlinked_by", ""),
    )


class MongoAccountLinks(AccountLinkRepository):
    def __init__(self, uow: MongoUnitOfWork) -> None:
        self._uow = uow

    def _rows(self, query: dict[str, Any], wanted: Any) -> list[dict[str, Any]]:
        return _merged(self._uow, "trainee_links", query, wanted, lambda d: d["_id"])

    def _active(self, agent_keys: list[str]) -> dict[str, dict[str, Any]]:
        keys = list(dict.fromkeys(agent_keys))
        rows = self._rows(
            {"agent_key": {"$in": keys}, "active": True},
            lambda d: d.get("active") is True and d["agent_key"] in keys,
        )
        return {row["agent_key"]: row for row in rows}

    def link(self, link: AccountLink) -> AccountLink | None:
        existing = self._active([link.agent_key]).get(link.agent_key)
        if existing is not None:
            return _link(existing)
        row: dict[str, Any] = {
            "_id": ObjectId(),
            "agent_key": link.agent_key,
            "trainee_key": link.trainee_key,
            "ifi": json_text(link.ifi),
            "source": link.source,
            "org": link.org,
            "linked": link.linked or utcnow(),
            "linked_by": link.linked_by,
            "unlinked_by": "",
            "active": True,
        }
        if link.statement_id is not None:
            row["statement_id"] = link.statement_id
        # Insert-if-absent: the unique partial index refuses a second active
        # link to the key at commit, whoever inserted it meanwhile.
        self._uow.record_cas("trainee_links", row["_id"], row, None)
        return None

    def unlink(self, agent_key: str, when: datetime, by: str = "") -> AccountLink | None:
        current = self._active([agent_key]).get(agent_key)
        if current is None:
            return None
        ended = {**current, "unlinked": when, "unlinked_by": by}
        ended.pop("active", None)
        self._uow.record(
            {
                "op": "guarded_update",
                "c": "trainee_links",
                "id": current["_id"],
                "q": {"active": True},
                "u": {"$set": {"unlinked": when, "unlinked_by": by}, "$unset": {"active": ""}},
            },
            overlay=ended,
        )
        return _link(ended)

    def owners(self, agent_keys: list[str]) -> dict[str, AccountLink]:
        return {key: _link(row) for key, row in self._active(agent_keys).items()}

    def agent_keys(self, trainee_key: str) -> list[str]:
        rows = self._rows(
            {"trainee_key": trainee_key, "active": True},
            lambda d: d["trainee_key"] == trainee_key and d.get("active") is True,
        )
        return sorted(row["agent_key"] for row in rows)

    def for_trainee(self, trainee_key: str, include_unlinked: bool = False) -> list[AccountLink]:
        query: dict[str, Any] = {"trainee_key": trainee_key}
        if not include_unlinked:
            query["active"] = True
        rows = self._rows(
            query,
            lambda d: d["trainee_key"] == trainee_key
            and (include_unlinked or d.get("active") is True),
        )
        return [_link(row) for row in rows]

    def was_unlinked(self, agent_key: str, trainee_key: str) -> bool:
        rows = self._rows(
            {"agent_key": agent_key, "trainee_key": trainee_key, "unlinked": {"$ne": None}},
            lambda d: d["agent_key"] == agent_key
            and d["trainee_key"] == trainee_key
            and d.get("unlinked") is not None,
        )
        return bool(rows)
