"""Storage port: the archive aggregates a summary adds up (lrs.domain.archive.aggregates).

A department or province summary is a sum over its units' rows here, never
over trainees. The projector keeps them in the same unit of work as the
archive rows they summarise, as increments; ``lrs archive rebuild`` clears and
recomputes them. Amounts are integers in millionths (``SCALE``) so a database
adds them exactly.

Kinds of rows:

* totals: period × unit (where earned) × institution → the summed values of
  :data:`TOTAL_FIELDS`;
* counts: period × unit → :data:`COUNT_FIELDS` (trainees with records earned
  there; current trainees of the unit with records in the period, and of them
  the ones whose targets are met);
* members: unit → current trainees (every period);
* contributions: trainee × period → what that trainee added above (a JSON
  document), so a change is applied as new minus old; the adapters index the
  few trainees with records in more than one unit of a period (a transfer),
  which a summary needs to count each trainee once (``spread_in``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SCALE = 1_000_000
TOTAL_FIELDS = (
    "courses", "classes",
    "credits_required", "credits_elective", "credits_classes", "credits_bonus",
    "hours_required", "hours_elective", "hours_classes",
)
COUNT_FIELDS = ("with_records", "current", "met")


@dataclass(frozen=True)
class UnitTotals:
    period_key: str
    unit: str
    institution: str
    values: Mapping[str, int]


@dataclass(frozen=True)
class UnitCounts:
    period_key: str
    unit: str
    values: Mapping[str, int]


class AggregateRepository(ABC):
    @abstractmethod
    def add_totals(
        self, period_key: str, unit: str, institution: str, delta: Mapping[str, int]
    ) -> None:
        """Add ``delta`` (some of TOTAL_FIELDS) to the cell, creating it at zero."""

    @abstractmethod
    def add_counts(self, period_key: str, unit: str, delta: Mapping[str, int]) -> None:
        """Add ``delta`` (some of COUNT_FIELDS) to the unit's counts, creating them at zero."""

    @abstractmethod
    def add_members(self, unit: str, delta: int) -> None:
        """Add ``delta`` to the unit's current trainees."""

    @abstractmethod
    def contributions(self, trainee_key: str) -> dict[str, dict[str, Any]]:
        """The trainee's contributions by period key."""

    @abstractmethod
    def contributions_for(
        self, trainee_keys: list[str], period_key: str
    ) -> dict[str, dict[str, Any]]:
        """The contributions of these trainees to one period, by trainee key."""

    @abstractmethod
    def put_contribution(
        self, trainee_key: str, period_key: str, data: dict[str, Any], units: list[str]
    ) -> None:
        """Insert or replace the trainee's contribution to the period; ``units`` are where
        its records were earned (kept for :meth:`spread_in` when there are several)."""

    @abstractmethod
    def delete_contribution(self, trainee_key: str, period_key: str) -> None: ...

    @abstractmethod
    def totals_in(self, unit_scope: str, period_key: str) -> list[UnitTotals]:
        """The period's totals of units at or under ``unit_scope`` (``""``: all)."""

    @abstractmethod
    def counts_in(self, unit_scope: str, period_key: str) -> list[UnitCounts]:
        """The period's counts of units at or under ``unit_scope`` (``""``: all)."""

    @abstractmethod
    def members_in(self, unit_scope: str) -> dict[str, int]:
        """Current trainees of each unit at or under ``unit_scope`` (``""``: all)."""

    @abstractmethod
    def spread_in(self, unit_scope: str, period_key: str) -> dict[str, list[str]]:
        """Trainees with records of the period in more than one unit: trainee key → those
        of their units at or under ``unit_scope``, for the ones with any there."""

    @abstractmethod
    def clear(self) -> None:
        """Delete every aggregate and contribution (a rebuild recomputes them)."""
