"""Storage port: the training archive: rows, the credit ledger and projection markers.

See :mod:`lrs.storage.port` for the rules every adapter follows.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

__all__ = [
    "ArchiveRepository", "ArchiveRow", "LedgerDraft", "LedgerEntry", "ProjectedStatement",
    "RowPosition",
]

# Where a page of archive rows ends: (trainee, kind, period, activity), their sort order.
RowPosition = tuple[str, str, str, str]


@dataclass(frozen=True)
class ArchiveRow:
    """One derived learning-archive row (GB/T 38856 §9.1.2's smallest units).

    ``kind`` "course" is one trainee × one course × one period, "class" one
    trainee × one theme class × one period. ``data`` holds the process and
    result data (JSON-safe; Decimal amounts as strings). Rows are derived from
    statements and the credit ledger and may be rebuilt; history lives in the ledger.
    """

    kind: str  # "course" | "class"
    trainee_key: str
    period_key: str
    activity_id: str
    unit: str = ""  # org path the record was earned under ("" unknown)
    institution: str = ""  # institution code of the platform that reported it
    org: str = ""  # org path of the credential that stored its first statement
    data: dict[str, Any] = field(default_factory=dict)
    updated: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class LedgerDraft:
    """One credit decision as made, before the ledger gives it its place in a trainee's
    chain (:class:`LedgerEntry`)."""

    period_key: str
    kind: str  # "course" | "class" | "bonus"
    activity_id: str
    credit_hours: Decimal
    credits: Decimal
    requirement: str
    unit: str
    policy_id: str
    statement_id: str
    reason: str = ""
    reverses: int | None = None
    org: str = ""


@dataclass(frozen=True, kw_only=True)
class LedgerEntry(LedgerDraft):
    """One credit decision in the ledger, append-only and hash-chained per trainee (§9.1.1).

    A reversal (a voided crediting statement) is a new entry with negative
    amounts and ``reverses`` = the reversed entry's ``seq``.
    """

    trainee_key: str
    seq: int  # 1, 2, … per trainee
    recorded: datetime
    prev_hash: str = ""
    hash: str = ""


@dataclass(frozen=True)
class ProjectedStatement:
    """A statement the archive projection has applied (the projection's idempotency key)."""

    statement_id: str
    trainee_key: str
    # (kind, period_key, activity_id) of every archive row it touched.
    rows: tuple[tuple[str, str, str], ...] = ()
    projected: datetime | None = None


class ArchiveRepository(ABC):
    """The learning-archive projection (lrs.domain.archive): derived rows, the credit
    ledger, the projected-statement markers and the projector's checkpoint."""

    @abstractmethod
    def get_row(
        self, kind: str, trainee_key: str, period_key: str, activity_id: str
    ) -> ArchiveRow | None: ...

    @abstractmethod
    def save_row(self, row: ArchiveRow) -> None:
        """Insert or replace the row with this (kind, trainee, period, activity)."""

    @abstractmethod
    def delete_row(self, kind: str, trainee_key: str, period_key: str, activity_id: str) -> None:
        """Delete this derived row if it is there (a released account's last statements
        were all it held)."""

    @abstractmethod
    def rows_for_trainee(
        self, trainee_key: str, period_key: str | None = None
    ) -> list[ArchiveRow]:
        """The trainee's rows (of one period, or all), by kind, period and activity."""

    def rows_for_trainees(self, trainee_keys: list[str], period_key: str) -> list[ArchiveRow]:
        """:meth:`rows_for_trainee` of each of these trainees for one period, in (trainee,
        kind, period, activity) order; one query per batch of keys instead of one per
        trainee (adapters batch this)."""
        return [
            row
            for key in sorted(set(trainee_keys))
            for row in self.rows_for_trainee(key, period_key)
        ]

    @abstractmethod
    def rows_for_activity(self, trainee_key: str, activity_id: str) -> list[ArchiveRow]:
        """The trainee's rows about one activity in every period (no double counting)."""

    def rows_in_units(
        self, unit_scope: str, period_key: str, after: RowPosition | None = None,
        limit: int = 1000,
    ) -> list[ArchiveRow]:
        """Rows of ``period_key`` earned under ``unit_scope`` or below (``""``: all), in
        (trainee, kind, activity) order after ``after`` = (trainee, kind, period, activity)."""
        return self.rows_under("unit", unit_scope, period_key, after, limit)

    def rows_by_org(
        self, org_scope: str, period_key: str, after: RowPosition | None = None,
        limit: int = 1000,
    ) -> list[ArchiveRow]:
        """Rows of ``period_key`` whose first statement was stored by a credential of
        ``org_scope`` or below (what an institution's statements earned), in (trainee,
        kind, activity) order after ``after`` = (trainee, kind, period, activity)."""
        return self.rows_under("org", org_scope, period_key, after, limit)

    @abstractmethod
    def rows_under(
        self, column: Literal["unit", "org"], scope: str, period_key: str,
        after: RowPosition | None, limit: int,
    ) -> list[ArchiveRow]:
        """Rows of ``period_key`` whose ``column`` is ``scope`` or below it (``""``: all),
        at most ``limit``, in (trainee, kind, period, activity) order after ``after``."""

    def trainees_in_units(self, unit_scope: str, period_key: str) -> list[str]:
        """Keys of the trainees with rows of ``period_key`` earned under ``unit_scope`` or
        below (``""``: all), in key order (adapters read just the index)."""
        keys: set[str] = set()
        after: RowPosition | None = None
        while True:
            page = self.rows_in_units(unit_scope, period_key, after, 1000)
            keys.update(r.trainee_key for r in page)
            if len(page) < 1000:
                return sorted(keys)
            last = page[-1]
            after = (last.trainee_key, last.kind, last.period_key, last.activity_id)

    @abstractmethod
    def delete_rows(self) -> int:
        """Delete every derived row, projected and unattributed marker (rebuild); the
        ledger stays."""

    @abstractmethod
    def projected(self, statement_ids: list[str]) -> dict[str, ProjectedStatement]: ...

    @abstractmethod
    def mark_projected(self, marker: ProjectedStatement) -> None:
        """Insert or replace the marker for its statement id."""

    @abstractmethod
    def clear_projected(self, statement_ids: list[str]) -> None:
        """Forget these statements' projected markers (their account was released from the
        trainee they were projected to: they may be projected again, elsewhere)."""

    @abstractmethod
    def mark_unattributed(self, statement_id: str, seq: int, agent_key: str) -> None:
        """Remember that this statement (store position ``seq``) was left unattributed
        because its actor ``agent_key`` was linked to no trainee (idempotent)."""

    @abstractmethod
    def unattributed(self, agent_key: str) -> list[str]:
        """Ids of the agent's unattributed statements, in store (``seq``) order; a
        ``trainee.linked`` event projects exactly these."""

    @abstractmethod
    def clear_unattributed(self, agent_key: str, statement_ids: list[str]) -> None:
        """Forget these statements' unattributed markers for ``agent_key``."""

    @abstractmethod
    def last_entry(self, trainee_key: str) -> LedgerEntry | None: ...

    @abstractmethod
    def append(self, entry: LedgerEntry) -> None:
        """Append ``entry``; (trainee_key, seq) is unique in the database itself."""

    @abstractmethod
    def ledger(
        self, trainee_key: str, after_seq: int = 0, limit: int = 1000
    ) -> list[LedgerEntry]:
        """The trainee's entries with seq > ``after_seq``, in seq order."""

    @abstractmethod
    def entries_for_statement(self, statement_id: str) -> list[LedgerEntry]:
        """Entries recorded for (or reversing because of) this statement."""

    @abstractmethod
    def ledger_trainees(self, after_key: str | None = None, limit: int = 500) -> list[str]:
        """Trainee keys that have ledger entries, in key order after ``after_key``."""

    @abstractmethod
    def get_meta(self, name: str) -> dict[str, Any] | None: ...

    @abstractmethod
    def set_meta(self, name: str, value: dict[str, Any]) -> None: ...

    @abstractmethod
    def lock_projector(self) -> None:
        """Hold the projector's lock until this (write) unit ends, so two projectors never
        apply the same events (SQLite: the write transaction already serialises them)."""
