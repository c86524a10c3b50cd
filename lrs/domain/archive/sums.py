"""Sums of archive rows: credit-hours and credits by bucket, courses and classes.

What a trainee's archive, a unit's report and a summary add up; a course credited
through its class counts within the class hours (§8.3.6), not twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from lrs.domain.archive.ledger import amount
from lrs.domain.archive.policy import CreditTotals
from lrs.domain.cadre import ZERO
from lrs.domain.cadre import dec_or_zero as dec  # stored amounts; None is 0
from lrs.storage.port import ArchiveRow


@dataclass
class Sums:
    """Credit-hours and credits of some rows, by bucket."""

    credits: dict[str, Decimal] = field(
        default_factory=lambda: {"required": ZERO, "elective": ZERO, "classes": ZERO, "bonus": ZERO}
    )
    hours: dict[str, Decimal] = field(
        default_factory=lambda: {"required": ZERO, "elective": ZERO, "classes": ZERO}
    )
    courses: int = 0
    classes: int = 0

    def add(self, row: ArchiveRow) -> None:
        data = row.data
        if row.kind == "class":
            self.classes += 1
            if data.get("credited"):
                self.credits["classes"] += dec(data.get("credits"))
                self.hours["classes"] += dec(data.get("creditHours"))
            return
        self.courses += 1
        # A course credited by its class counts within the class hours (§8.3.6).
        if data.get("credited") and not data.get("creditedVia"):
            bucket = "required" if data.get("requirement") == "required" else "elective"
            self.credits[bucket] += dec(data.get("credits"))
            self.hours[bucket] += dec(data.get("creditHours"))
            self.credits["bonus"] += dec(data.get("bonus"))

    def totals(self) -> CreditTotals:
        c = self.credits
        return CreditTotals(c["required"], c["elective"], c["classes"], c["bonus"])

    def view(self) -> dict[str, Any]:
        totals = self.totals()
        return {
            "credits": {**{k: amount(v) for k, v in self.credits.items()},
                        "total": amount(totals.total)},
            "creditHours": {**{k: amount(v) for k, v in self.hours.items()},
                            "total": amount(sum(self.hours.values(), ZERO))},
            "courses": self.courses,
            "classes": self.classes,
        }


def sums(rows: Iterable[ArchiveRow]) -> Sums:
    result = Sums()
    for row in rows:
        result.add(row)
    return result


def merged(parts: Iterable[Sums]) -> Sums:
    """The sums of several disjoint sets of rows, as :func:`sums` of their union."""
    result = Sums()
    for part in parts:
        for name, value in part.credits.items():
            result.credits[name] += value
        for name, value in part.hours.items():
            result.hours[name] += value
        result.courses += part.courses
        result.classes += part.classes
    return result
