"""The credit ledger: every credit decision, append-only, hash-chained per trainee.

GB/T 38856 §9.1.1: once made, an archive cannot normally be revoked and its
history must not be altered. Derived archive rows may be rebuilt; the ledger is
never updated or deleted (SQLite refuses it with triggers). A cancelled credit
(Fujian 第十七条, proxy study: the crediting statement is voided) is a new
*reversal* entry with negative amounts that names the entry it reverses.

Each entry's ``hash`` = sha256(prev_hash + canonical JSON of the entry's
fields), ``prev_hash`` being the previous entry's hash ("" for the first), so
changing, removing or reordering any stored entry breaks every hash after it;
:func:`verify` recomputes the chain and names the first entry that disagrees.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, fields, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from lrs.storage.port import LedgerDraft, LedgerEntry, UnitOfWork
from lrs.timeutil import format_timestamp


def canon(value: Decimal) -> Decimal:
    """``value`` without exponent or trailing zeros (``1.50`` → ``1.5``, ``1E+1`` → ``10``),
    so the same amount always has the same text on every store."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def amount(value: Decimal) -> str:
    return format(canon(value), "f")


def canonical_json(entry: LedgerEntry) -> str:
    """The hashed content: every field but ``hash``, sorted keys, no spaces, UTF-8 text."""
    body: dict[str, Any] = {
        "trainee_key": entry.trainee_key,
        "seq": entry.seq,
        "period_key": entry.period_key,
        "kind": entry.kind,
        "activity_id": entry.activity_id,
        "credit_hours": amount(entry.credit_hours),
        "credits": amount(entry.credits),
        "requirement": entry.requirement,
        "unit": entry.unit,
        "policy_id": entry.policy_id,
        "statement_id": entry.statement_id,
        "recorded": format_timestamp(entry.recorded),
        "reason": entry.reason,
        "reverses": entry.reverses,
        "org": entry.org,
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def entry_hash(prev_hash: str, entry: LedgerEntry) -> str:
    return hashlib.sha256((prev_hash + canonical_json(entry)).encode("utf-8")).hexdigest()


def append(uow: UnitOfWork, trainee_key: str, draft: LedgerDraft, now: datetime) -> LedgerEntry:
    """Chain ``draft`` (its :class:`LedgerDraft` fields: an entry to reverse may be given as
    it is, with its amounts negated) after the trainee's last entry and store it."""
    last = uow.archive.last_entry(trainee_key)
    decided = {f.name: getattr(draft, f.name) for f in fields(LedgerDraft)}
    entry = LedgerEntry(
        **decided | {"credit_hours": canon(draft.credit_hours), "credits": canon(draft.credits)},
        trainee_key=trainee_key,
        seq=(last.seq if last else 0) + 1,
        # Stored at millisecond precision: hash what will be read back.
        recorded=datetime.fromisoformat(format_timestamp(now)),
        prev_hash=last.hash if last else "",
    )
    entry = replace(entry, hash=entry_hash(entry.prev_hash, entry))
    uow.archive.append(entry)
    return entry


@dataclass(frozen=True)
class Verification:
    trainee_key: str
    entries: int
    ok: bool
    first_broken: int | None = None  # seq of the first entry whose hash or link is wrong
    problem: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "trainee": self.trainee_key,
            "entries": self.entries,
            "ok": self.ok,
            "firstBrokenSeq": self.first_broken,
            "problem": self.problem,
        }


def verify(uow: UnitOfWork, trainee_key: str, page: int = 1000) -> Verification:
    """Recompute the trainee's chain; the first entry that breaks it, if any."""
    prev_hash = ""
    expected_seq = 1
    count = 0
    after = 0
    while True:
        entries = uow.archive.ledger(trainee_key, after_seq=after, limit=page)
        for entry in entries:
            count += 1
            problem = ""
            if entry.seq != expected_seq:
                problem = f"expected entry {expected_seq}, found {entry.seq} (an entry is missing)"
            elif entry.prev_hash != prev_hash:
                problem = "prev_hash does not match the previous entry's hash"
            elif entry_hash(prev_hash, entry) != entry.hash:
                problem = "the entry's content does not match its hash (altered)"
            if problem:
                return Verification(trainee_key, count, False, entry.seq, problem)
            prev_hash = entry.hash
            expected_seq += 1
            after = entry.seq
        if len(entries) < page:
            return Verification(trainee_key, count, True)


def net_entries(entries: list[LedgerEntry]) -> list[LedgerEntry]:
    """The entries that still stand: neither a reversal nor reversed by one."""
    reversed_seqs = {e.reverses for e in entries if e.reverses is not None}
    return [e for e in entries if e.reverses is None and e.seq not in reversed_seqs]


def view(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "period": entry.period_key,
        "kind": entry.kind,
        "activity": entry.activity_id,
        "creditHours": amount(entry.credit_hours),
        "credits": amount(entry.credits),
        "requirement": entry.requirement,
        "unit": entry.unit,
        "policy": entry.policy_id,
        "statement": entry.statement_id,
        "recorded": format_timestamp(entry.recorded),
        "reason": entry.reason,
        "reverses": entry.reverses,
        "prevHash": entry.prev_hash,
        "hash": entry.hash,
    }
