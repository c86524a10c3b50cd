"""The archive aggregates on MongoDB (lrs.storage.port.aggregates).

Increments are ``$inc`` upserts applied at commit with the unit of work's other
writes (one transaction on a replica set; the journal on a standalone server).
A unit of work records at most one increment per document (later additions in
the same unit fold into it), tagged with the unit's token and remembered in the
document's ``applied`` list, so replaying a journal entry never counts twice
(see ``ops.increment``). Contributions are whole-document upserts, laid over
this unit's reads like the archive rows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import orjson

from lrs.storage.mongo.identity import _merged
from lrs.storage.mongo.statements import in_org
from lrs.storage.port.aggregates import (
    COUNT_FIELDS,
    TOTAL_FIELDS,
    AggregateRepository,
    UnitCounts,
    UnitTotals,
)

if TYPE_CHECKING:
    from lrs.storage.mongo.unit_of_work import MongoUnitOfWork

TOTALS, COUNTS, MEMBERS = "archive_agg_totals", "archive_agg_counts", "archive_agg_members"
CONTRIBUTIONS = "archive_agg_contributions"


def _scope(scope: str) -> dict[str, Any]:
    # An anchored prefix regex: served by the (period_key, unit) index as a range.
    if not scope:
        return {}
    return {"$or": [{"unit": scope}, {"unit": {"$regex": "^" + re.escape(scope + "/")}}]}


def _ancestors(unit: str) -> list[str]:
    parts = unit.split("/") if unit else []
    return ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]


def _under(org: str) -> dict[str, Any]:
    # Served by the multikey (period_key, ancestors) indexes.
    return {"ancestors": org} if org else {}


def _child_expr(org: str) -> dict[str, Any]:
    # The ancestor one level below ``org``; a unit that is ``org`` itself (or "") has none.
    depth = len(org.split("/")) if org else 0
    return {"$ifNull": [{"$arrayElemAt": ["$ancestors", depth]}, org]}


def _contribution_id(trainee_key: str, period_key: str) -> str:
    return f"{trainee_key}|{period_key}"


class MongoAggregates(AggregateRepository):
    def __init__(self, uow: MongoUnitOfWork) -> None:
        self._uow = uow
        self._increments: dict[tuple[str, str], dict[str, Any]] = {}

    def _increment(self, collection: str, doc_id: str, fields: dict[str, Any],
                   delta: Mapping[str, int]) -> None:
        op = self._increments.get((collection, doc_id))
        if op is None:
            op = {"op": "increment", "c": collection, "id": doc_id, "inc": {},
                  "doc": fields, "op_id": self._uow.token}
            self._increments[(collection, doc_id)] = op
            self._uow.record(op)
        for name, n in delta.items():
            op["inc"][name] = op["inc"].get(name, 0) + int(n)

    def add_totals(
        self, period_key: str, unit: str, institution: str, delta: Mapping[str, int]
    ) -> None:
        _check(delta, TOTAL_FIELDS)
        if delta:
            self._increment(TOTALS, f"{period_key}|{unit}|{institution}",
                            {"period_key": period_key, "unit": unit, "institution": institution,
                             "ancestors": _ancestors(unit)}, delta)

    def add_counts(self, period_key: str, unit: str, delta: Mapping[str, int]) -> None:
        _check(delta, COUNT_FIELDS)
        if delta:
            self._increment(COUNTS, f"{period_key}|{unit}",
                            {"period_key": period_key, "unit": unit,
                             "ancestors": _ancestors(unit)}, delta)

    def add_members(self, unit: str, delta: int) -> None:
        if delta:
            self._increment(MEMBERS, unit, {"unit": unit, "ancestors": _ancestors(unit)},
                            {"trainees": delta})

    def contributions(self, trainee_key: str) -> dict[str, dict[str, Any]]:
        docs = _merged(self._uow, CONTRIBUTIONS, {"trainee_key": trainee_key},
                       lambda d: d["trainee_key"] == trainee_key, lambda d: d["_id"])
        return {d["period_key"]: orjson.loads(d["data"]) for d in docs}

    def contributions_for(
        self, trainee_keys: list[str], period_key: str
    ) -> dict[str, dict[str, Any]]:
        wanted = set(trainee_keys)
        docs = _merged(
            self._uow, CONTRIBUTIONS,
            {"_id": {"$in": [_contribution_id(k, period_key) for k in sorted(wanted)]}},
            lambda d: d["trainee_key"] in wanted and d["period_key"] == period_key,
            lambda d: d["_id"],
        )
        return {d["trainee_key"]: orjson.loads(d["data"]) for d in docs}

    def put_contribution(
        self, trainee_key: str, period_key: str, data: dict[str, Any], units: list[str],
        units_changed: bool = True,
    ) -> None:
        cid = _contribution_id(trainee_key, period_key)
        doc: dict[str, Any] = {"_id": cid, "trainee_key": trainee_key,
                               "period_key": period_key, "data": orjson.dumps(data).decode()}
        if len(units) > 1:
            doc["spread_units"] = sorted(set(units))
        self._uow.record({"op": "upsert", "c": CONTRIBUTIONS, "id": cid, "doc": doc},
                         overlay=doc)

    def delete_contribution(self, trainee_key: str, period_key: str) -> None:
        cid = _contribution_id(trainee_key, period_key)
        self._uow.record({"op": "delete", "c": CONTRIBUTIONS, "id": cid, "q": {"_id": cid}},
                         overlay=None)

    def _find(self, collection: str, query: dict[str, Any]) -> list[dict[str, Any]]:
        return list(self._uow.db[collection].find(query, session=self._uow.session))

    def totals_in(self, unit_scope: str, period_key: str) -> list[UnitTotals]:
        docs = self._find(TOTALS, {"period_key": period_key, **_scope(unit_scope)})
        return sorted(
            (UnitTotals(period_key, d.get("unit", ""), d.get("institution", ""),
                        {name: int(d.get(name, 0)) for name in TOTAL_FIELDS}) for d in docs),
            key=lambda t: (t.unit, t.institution),
        )

    def counts_in(self, unit_scope: str, period_key: str) -> list[UnitCounts]:
        docs = self._find(COUNTS, {"period_key": period_key, **_scope(unit_scope)})
        return sorted(
            (UnitCounts(period_key, d.get("unit", ""),
                        {name: int(d.get(name, 0)) for name in COUNT_FIELDS}) for d in docs),
            key=lambda c: c.unit,
        )

    def members_in(self, unit_scope: str) -> dict[str, int]:
        docs = self._find(MEMBERS, _scope(unit_scope))
        return {d.get("unit", ""): int(d.get("trainees", 0)) for d in docs
                if d.get("trainees")}

    def spread_in(self, unit_scope: str, period_key: str) -> dict[str, list[str]]:
        docs = self._find(CONTRIBUTIONS, {"period_key": period_key,
                                          "spread_units": {"$exists": True}})
        found: dict[str, list[str]] = {}
        for doc in sorted(docs, key=lambda d: d["trainee_key"]):
            units = [u for u in doc["spread_units"] if in_org(u, unit_scope)]
            if units:
                found[doc["trainee_key"]] = units
        return found

    # Summaries: the database groups by child org (``ancestors``), not this process.

    def _grouped(self, collection: str, match: dict[str, Any], key: dict[str, Any],
                 fields: tuple[str, ...]) -> list[dict[str, Any]]:
        pipeline = [{"$match": match},
                    {"$group": {"_id": key, **{f: {"$sum": f"${f}"} for f in fields}}}]
        return list(self._uow.db[collection].aggregate(pipeline, session=self._uow.session))

    def totals_by_child(self, org: str, period_key: str) -> list[UnitTotals]:
        docs = self._grouped(TOTALS, {"period_key": period_key, **_under(org)},
                             {"child": _child_expr(org), "institution": "$institution"},
                             TOTAL_FIELDS)
        found = [UnitTotals(period_key, d["_id"]["child"], d["_id"].get("institution", ""),
                            {f: int(d.get(f) or 0) for f in TOTAL_FIELDS}) for d in docs]
        return sorted((t for t in found if t.values["courses"] or t.values["classes"]),
                      key=lambda t: (t.unit, t.institution))

    def counts_by_child(self, org: str, period_key: str) -> list[UnitCounts]:
        docs = self._grouped(COUNTS, {"period_key": period_key, **_under(org)},
                             _child_expr(org), COUNT_FIELDS)
        return sorted((UnitCounts(period_key, d["_id"],
                                  {f: int(d.get(f) or 0) for f in COUNT_FIELDS}) for d in docs),
                      key=lambda c: c.unit)

    def members_by_child(self, org: str) -> dict[str, int]:
        docs = self._grouped(MEMBERS, _under(org), _child_expr(org), ("trainees",))
        return {d["_id"]: int(d["trainees"]) for d in sorted(docs, key=lambda d: d["_id"])
                if d.get("trainees")}

    def clear(self) -> None:
        self._increments.clear()  # later additions must come after the deletes
        for collection in (TOTALS, COUNTS, MEMBERS, CONTRIBUTIONS):
            self._uow.record({"op": "delete", "c": collection, "q": {}, "multi": True},
                             overlay_fn=lambda _doc: None)


def _check(delta: Mapping[str, int], fields: tuple[str, ...]) -> None:
    unknown = set(delta) - set(fields)
    if unknown:
        raise ValueError(f"unknown aggregate fields: {sorted(unknown)}")
