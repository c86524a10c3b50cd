"""The derived archive rows on MongoDB (GB/T 38856 §9.1.2): trainee × course|class ×
period, rebuildable from the statements and the ledger. Part of :class:`MongoArchive`
(``archive.py``); row ``data`` is JSON text like other free-form content (course IRIs
as keys contain dots)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import orjson

from lrs import compactjson
from lrs.storage.mongo.identity import _merged
from lrs.storage.mongo.schema import digest
from lrs.storage.mongo.statements import aware, in_org, org_clause
from lrs.storage.port import ArchiveRow, RowPosition
from lrs.timeutil import utcnow

if TYPE_CHECKING:
    from lrs.storage.mongo.unit_of_work import MongoUnitOfWork


def row_id(kind: str, trainee_key: str, period_key: str, activity_id: str) -> str:
    return f"{trainee_key}|{period_key}|{kind}|{digest(activity_id)[:40]}"


def _row(doc: dict[str, Any]) -> ArchiveRow:
    return ArchiveRow(
        doc["kind"], doc["trainee_key"], doc["period_key"], doc["activity_id"],
        doc.get("unit", ""), doc.get("institution", ""), doc.get("org", ""),
        orjson.loads(doc.get("data") or "{}"),  # text this adapter wrote: plain JSON
        aware(doc.get("updated")),
    )


def _position(doc: dict[str, Any]) -> RowPosition:
    return (doc["trainee_key"], doc["kind"], doc["period_key"], doc["activity_id"])


class MongoArchiveRows:
    """The derived rows of :class:`lrs.storage.mongo.archive.MongoArchive`."""

    _uow: MongoUnitOfWork

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
            # Sorted keys: the text the standard encoder wrote before (orjson is ~10x faster).
            "data": compactjson.dumps(row.data, sort_keys=True),
            "updated": row.updated or utcnow(),
        }
        self._uow.record({"op": "upsert", "c": "archive_rows", "id": rid, "doc": doc}, overlay=doc)

    def delete_row(self, kind: str, trainee_key: str, period_key: str, activity_id: str) -> None:
        rid = row_id(kind, trainee_key, period_key, activity_id)
        self._uow.record(
            {"op": "delete", "c": "archive_rows", "id": rid, "q": {"_id": rid}}, overlay=None
        )

    def _rows(self, query: dict[str, Any], wanted: Any) -> list[dict[str, Any]]:
        return _merged(self._uow, "archive_rows", query, wanted, _position)

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

    def rows_under(
        self, column: Literal["unit", "org"], scope: str, period_key: str,
        after: RowPosition | None, limit: int,
    ) -> list[ArchiveRow]:
        first = None if after is None else {"trainee_key": {"$gte": after[0]}}
        docs = self._under(column, scope, period_key, first)
        if after is not None:
            docs = [d for d in docs if _position(d) > after]
        return [_row(d) for d in docs[:limit]]

    def trainees_in_units(self, unit_scope: str, period_key: str) -> list[str]:
        return sorted({d["trainee_key"] for d in self._under("unit", unit_scope, period_key)})

    def _under(
        self, column: Literal["unit", "org"], scope: str, period_key: str,
        clause: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """The documents of ``period_key`` whose ``column`` is ``scope`` or below it (and
        that match ``clause``), in row order."""
        clauses: list[dict[str, Any]] = [{"period_key": period_key}]
        for extra in (org_clause(scope or None, column), clause):
            if extra is not None:
                clauses.append(extra)
        return self._rows(
            {"$and": clauses},
            lambda d: d["period_key"] == period_key and in_org(d.get(column, ""), scope),
        )
