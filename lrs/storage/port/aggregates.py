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

__all__ = ["AggregateRepository", "COUNT_FIELDS", "SCALE", "TOTAL_FIELDS", "UnitCounts",
           "UnitTotals", "child_org"]

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


def child_org(org: str, unit: str) -> str:
    """The child org of ``org`` (one level down) that ``unit`` lies in; ``org`` itself for
    a unit that is ``org``, "" for records without a unit."""
    if not unit:
        return ""
    if unit == org:
        return org
    rest = unit[len(org) + 1:] if org else unit
    head = rest.split("/", 1)[0]
    return f"{org}/{head}" if org else head


def _by_child(org: str, rows: list[tuple[str, Mapping[str, int]]]) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {}
    for unit, values in rows:
        total = found.setdefault(child_org(org, unit), {})
        for name, n in values.items():
            total[name] = total.get(name, 0) + n
    return found


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
        self, trainee_key: str, period_key: str, data: dict[str, Any], units: list[str],
        units_changed: bool = True,
    ) -> None:
        """Insert or replace the trainee's contribution to the period; ``units`` are where
        its records were earned (kept for :meth:`spread_in` when there are several);
        ``units_changed`` False says they are those of the contribution replaced, so an
        adapter that indexes them apart may leave that index alone."""

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

    # What a summary reads: sums per child org of ``org`` (one level down). These
    # defaults add up the per-unit rows here; an adapter may have its database do it.

    def totals_by_child(self, org: str, period_key: str) -> list[UnitTotals]:
        """:meth:`totals_in` added up per child org of ``org`` (in ``unit``) and
        institution, leaving out sums without a row (no course and no class)."""
        cells: dict[tuple[str, str], dict[str, int]] = {}
        for cell in self.totals_in(org, period_key):
            total = cells.setdefault((child_org(org, cell.unit), cell.institution), {})
            for name, n in cell.values.items():
                total[name] = total.get(name, 0) + n
        return [UnitTotals(period_key, child, inst, values)
                for (child, inst), values in sorted(cells.items())
                if values.get("courses") or values.get("classes")]

    def counts_by_child(self, org: str, period_key: str) -> list[UnitCounts]:
        """:meth:`counts_in` added up per child org of ``org`` (in ``unit``)."""
        found = _by_child(org, [(c.unit, c.values) for c in self.counts_in(org, period_key)])
        return [UnitCounts(period_key, child, values) for child, values in sorted(found.items())]

    def members_by_child(self, org: str) -> dict[str, int]:
        """:meth:`members_in` added up per child org of ``org``, leaving out zeros."""
        found = _by_child(org, [(u, {"n": n}) for u, n in self.members_in(org).items()])
        return {child: v["n"] for child, v in sorted(found.items()) if v["n"]}

    def idle_in(self, org: str, period_key: str) -> dict[str, int]:
        """Per unit at or under ``org``: its current trainees without records in the period
        (members minus current trainees with records), where there are any."""
        current = {c.unit: c.values.get("current", 0) for c in self.counts_in(org, period_key)}
        return {unit: n - current.get(unit, 0) for unit, n in self.members_in(org).items()
                if n > current.get(unit, 0)}

    def spread_excess(self, org: str, period_key: str) -> tuple[dict[str, int], int]:
        """How many times too many the per-unit "with records" counts count the trainees
        who earned in several units (:meth:`spread_in`): per child org of ``org`` (only
        the non-zero ones) and over all of ``org``."""
        per_child: dict[str, int] = {}
        overall = 0
        for units in self.spread_in(org, period_key).values():
            counted: dict[str, int] = {}
            for unit in units:
                child = child_org(org, unit)
                counted[child] = counted.get(child, 0) + 1
            for child, n in counted.items():
                if n > 1:
                    per_child[child] = per_child.get(child, 0) + n - 1
            overall += len(units) - 1
        return per_child, overall

    @abstractmethod
    def clear(self) -> None:
        """Delete every aggregate and contribution (a rebuild recomputes them)."""
