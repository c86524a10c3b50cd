"""The credit ledger on MongoDB (GB/T 38856 §9.1.1): append-only, hash-chained per
trainee; each entry a fresh insert under (trainee, seq). Part of :class:`MongoArchive`
(``archive.py``); amounts are stored as their canonical text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from lrs.storage.mongo.identity import _merged
from lrs.storage.mongo.statements import aware
from lrs.storage.port import LedgerEntry

if TYPE_CHECKING:
    from lrs.storage.mongo.unit_of_work import MongoUnitOfWork


def entry_id(trainee_key: str, seq: int) -> str:
    return f"{trainee_key}:{seq:012d}"


# A document holds LedgerEntry's fields by the same names, amounts as canonical text.
_FIELDS = tuple(f.name for f in fields(LedgerEntry))
_TO_DOC: dict[str, Callable[[Any], Any]] = {"credit_hours": str, "credits": str}
_FROM_DOC: dict[str, Callable[[Any], Any]] = {
    "credit_hours": Decimal, "credits": Decimal, "recorded": aware,
}
# What a document written before a field existed reads as.
_ABSENT: dict[str, Any] = {
    "requirement": "", "unit": "", "policy_id": "", "reason": "", "reverses": None, "org": "",
    "prev_hash": "", "hash": "",
}


def _entry(doc: dict[str, Any]) -> LedgerEntry:
    found = _ABSENT | doc
    return LedgerEntry(**{name: _FROM_DOC.get(name, _same)(found[name]) for name in _FIELDS})


def _same(value: Any) -> Any:
    return value


class MongoLedger:
    """The credit ledger of :class:`lrs.storage.mongo.archive.MongoArchive`."""

    _uow: MongoUnitOfWork

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
            **{name: _TO_DOC.get(name, _same)(getattr(entry, name)) for name in _FIELDS},
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
