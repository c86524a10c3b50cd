"""Archive periods (GB/T 38856 §9.1.2) and the yearly study window of a credit policy.

Archives are counted per year: a calendar year by default, or a period the management
department sets (Hunan 第五条: the pilot year 2010-11-01 – 2011-10-31). All days here are
calendar days in the policy's timezone; the caller converts instants first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_YEAR_KEY = re.compile(r"[0-9]{4}")


@dataclass(frozen=True)
class Period:
    """One archive period, ``start`` and ``end`` both inclusive."""

    key: str  # "2024" for calendar years; "2010-11-01..2011-10-31" for a fixed range
    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


@dataclass(frozen=True)
class Placement:
    """Where a crediting moment falls under a policy."""

    period: Period | None  # None: the moment is in no period the policy covers
    counted: bool  # False when outside the study window and the policy says "not-counted"
    reason: str = ""  # why not counted ("" when counted)


def calendar_year(year: int) -> Period:
    return Period(f"{year:04d}", date(year, 1, 1), date(year, 12, 31))


def fixed_range(start: date, end: date) -> Period:
    return Period(f"{start.isoformat()}..{end.isoformat()}", start, end)


@dataclass(frozen=True)
class PeriodScheme:
    """``calendar-year`` (``fixed`` is None) or the one ``fixed-range`` period."""

    fixed: Period | None = None

    def containing(self, day: date) -> Period | None:
        if self.fixed is None:
            return calendar_year(day.year)
        return self.fixed if day in self.fixed else None

    def current(self, today: date) -> Period:
        # A fixed-range policy has exactly one period; it stays "current" before and after
        # it, since the policy knows no other.
        return self.fixed if self.fixed is not None else calendar_year(today.year)

    def parse(self, key: str) -> Period:
        if self.fixed is not None:
            if key == self.fixed.key:
                return self.fixed
            raise ValueError(
                f"unknown period {key!r}: this policy has one period, {self.fixed.key!r}"
            )
        if isinstance(key, str) and _YEAR_KEY.fullmatch(key) and int(key) >= 1:
            return calendar_year(int(key))
        raise ValueError(f"unknown period {key!r}: expected a calendar year such as '2024'")


def month_day(raw: str) -> tuple[int, int]:
    """``"12-20"`` → (12, 20); ValueError for a day no year has (``"02-30"``)."""
    month, day = (int(part) for part in raw.split("-"))
    date(2000, month, day)  # a leap year, so 02-29 is allowed
    return month, day


@dataclass(frozen=True)
class Window:
    """A yearly window of month-days, both ends inclusive (Fujian 第十四条: 01-01 – 12-20).
    A window whose start is after its end runs over New Year."""

    start: tuple[int, int]
    end: tuple[int, int]

    @classmethod
    def parse(cls, raw: dict[str, str] | None) -> Window | None:
        if raw is None:
            return None
        return cls(month_day(raw["start"]), month_day(raw["end"]))

    def contains(self, day: date) -> bool:
        md = (day.month, day.day)
        if self.start <= self.end:
            return self.start <= md <= self.end
        return md >= self.start or md <= self.end

    def next_start(self, day: date) -> date | None:
        """The first day on or after ``day`` that opens the window (for a day outside it,
        the next day inside it). Nine years cover a window opening on 02-29."""
        for year in range(day.year, min(day.year + 9, 10000)):
            try:
                candidate = date(year, *self.start)
            except ValueError:  # 02-29 in a common year
                continue
            if candidate >= day:
                return candidate
        return None

    def __str__(self) -> str:
        return "{:02d}-{:02d}..{:02d}-{:02d}".format(*self.start, *self.end)
