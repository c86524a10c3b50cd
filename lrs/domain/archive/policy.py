"""Annual credit policies (年度学时政策): ``profiles/credit-policies/*.json`` as domain objects.

GB/T 38856—2020 §9.1.2 counts archives per year and leaves the numbers to the management
departments, so credit-hours, credits, periods, windows and targets are read from data, not
code (profiles/credit-policies/README.md). All arithmetic is decimal: 0.25 steps must not
drift as binary floats, so JSON numbers become ``Decimal(str(number))``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lrs.domain.archive.periods import (
    Period,
    PeriodScheme,
    Placement,
    Window,
    fixed_range,
)
from lrs.domain.cadre import band_value, dec, standard_credit_hours

__all__ = [
    "CreditPolicy",
    "CreditTotals",
    "Period",
    "Placement",
    "PolicyError",
    "TargetReport",
]

DEFAULT_POLICY = "gbt38856-default"
REQUIREMENTS = ("required", "elective", "class")
TARGETS = ("total", "required", "elective")
_ROUNDING = {
    "half-up": ROUND_HALF_UP,  # 四舍五入 (Hunan 第十二条)
    "half-even": ROUND_HALF_EVEN,
    "down": ROUND_DOWN,
    "up": ROUND_UP,
}
_CENT = Decimal("0.01")


class PolicyError(ValueError):
    """A credit policy (file, assignment or reference) that cannot be used."""

    def __init__(self, message: str, *, file: str = "", path: str = "") -> None:
        self.detail, self.file, self.path = message, file, path
        where = ": ".join(part for part in (file, path) if part)
        super().__init__(f"{where}: {message}" if where else message)


def tidy(value: Decimal) -> Decimal:
    """To the cent at most, without trailing zeros: 0.25 → 0.25, 0.50 → 0.5, 2.00 → 2."""
    cents = value.quantize(_CENT, rounding=ROUND_HALF_UP)
    if cents == cents.to_integral_value():
        return cents.quantize(Decimal(1))
    return cents.normalize()


def _round(value: Decimal, rule: Mapping[str, Any] | None) -> Decimal:
    """``rule`` = {mode, increment}: round to a multiple of increment; None: unchanged."""
    if rule is None:
        return value
    step = dec(rule["increment"])
    return (value / step).quantize(Decimal(1), rounding=_ROUNDING[rule["mode"]]) * step


def _day(raw: str, path: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise PolicyError(f"not a date: {raw!r}", path=path) from exc


def _bands(raw: list[dict[str, Any]]) -> tuple[tuple[Decimal | None, Decimal], ...]:
    """§3.8 bands as (maxMinutes, creditHours): ascending, inclusive, last unbounded."""
    bands = tuple(
        (None if b["maxMinutes"] is None else dec(b["maxMinutes"]), dec(b["creditHours"]))
        for b in raw
    )
    for i, (upper, _) in enumerate(bands):
        last = i == len(bands) - 1
        path = f"$.courseCreditHours.bands[{i}].maxMinutes"
        if last and upper is not None:
            raise PolicyError("the last band must have maxMinutes null (no upper bound)", path=path)
        if not last and upper is None:
            raise PolicyError("only the last band may have maxMinutes null", path=path)
        previous = bands[i - 1][0] if i else None
        if upper is not None and previous is not None and upper <= previous:
            raise PolicyError("bands must be in ascending order of maxMinutes", path=path)
    return bands


@dataclass(frozen=True)
class CreditTotals:
    """One trainee's credits in one period, in the policy's ``credits.unit``."""

    required: Decimal = Decimal(0)  # credits from required courses
    elective: Decimal = Decimal(0)  # credits from elective courses
    classes: Decimal = Decimal(0)  # credits from theme classes
    bonus: Decimal = Decimal(0)  # exam bonus credits

    @property
    def total(self) -> Decimal:
        return self.required + self.elective + self.classes + self.bonus

    def __add__(self, other: object) -> CreditTotals:
        if not isinstance(other, CreditTotals):
            return NotImplemented
        return CreditTotals(
            self.required + other.required,
            self.elective + other.elective,
            self.classes + other.classes,
            self.bonus + other.bonus,
        )


@dataclass(frozen=True)
class TargetReport:
    unit: str  # "credit-hour" | "credit"
    targets: dict[str, Decimal | None]  # {"total": .., "required": .., "elective": ..}
    met: bool | None  # None when no number is set (by the policy or the plan)
    shortfall: dict[str, Decimal]  # still missing per enforced target, only > 0 entries
    certificate: bool  # annualCertificate.issued and met
    # What counted towards each target (bonus included only where countsTowards says).
    achieved: dict[str, Decimal] = field(default_factory=dict)


class CreditPolicy:
    """One policy file, read once; every method is pure."""

    def __init__(self, document: Mapping[str, Any], slug: str) -> None:
        """``document`` must already satisfy schema.json; the cross-field rules the schema
        cannot express raise :class:`PolicyError` with the JSON path."""
        self.document = dict(document)
        self.slug = slug
        self.id: str = document["id"]
        self.name: dict[str, str] = dict(document["name"])
        self._read_validity(document["validFrom"], document["validUntil"])
        self._read_period(document["period"])
        self._read_course_credit_hours(document["courseCreditHours"])
        self._read_credits(document["credits"], document["crediting"])
        self._read_exam_bonus(document["examBonus"])
        self._read_targets(document["targets"])
        self.certificate_issued: bool = document["annualCertificate"]["issued"]

    def _read_validity(self, valid_from: str, valid_until: str | None) -> None:
        self.valid_from = _day(valid_from, "$.validFrom")
        self.valid_until = None if valid_until is None else _day(valid_until, "$.validUntil")
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise PolicyError("validUntil is before validFrom", path="$.validUntil")

    def _read_period(self, period: Mapping[str, Any]) -> None:
        """The counting period (§9.1.2), its timezone and its month-day windows."""
        try:
            self.timezone = ZoneInfo(period["timezone"])
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise PolicyError(
                f"unknown IANA timezone {period['timezone']!r} (is tzdata installed?)",
                path="$.period.timezone",
            ) from exc
        if period["kind"] == "fixed-range":
            start = _day(period["from"], "$.period.from")
            end = _day(period["to"], "$.period.to")
            if end < start:
                raise PolicyError("period.to is before period.from", path="$.period.to")
            self._periods = PeriodScheme(fixed_range(start, end))
        else:
            self._periods = PeriodScheme()
        self.study_window = self._window(period, "studyWindow")
        self.statistics_window = self._window(period, "statisticsWindow")
        self.outside_study_window: str = period["outsideStudyWindow"]
        self.theme_class_window: str = period["themeClassWindow"]

    def _read_course_credit_hours(self, hours: Mapping[str, Any]) -> None:
        """How a course's duration becomes credit-hours: §3.8 bands or minutes per hour."""
        self._hours_method: str = hours["method"]
        if self._hours_method == "duration-bands":
            self._bands = _bands(hours["bands"])
        else:
            self._minutes_per_credit_hour = dec(hours["minutesPerCreditHour"])
        self._hours_rounding = hours["rounding"]
        self.assigned_values_allowed: bool = hours["assignedValuesAllowed"]

    def _read_credits(self, credits: Mapping[str, Any], crediting: Mapping[str, Any]) -> None:
        """Credits per credit-hour, and when and how often a course or class credits."""
        self.credit_unit: str = credits["unit"]
        self._per_credit_hour = {k: dec(v) for k, v in credits["perCreditHour"].items()}
        self._credits_rounding = credits["rounding"]
        self._crediting = crediting
        self.exempted_class_courses: str = crediting["themeClassExemptedCourses"]
        self.no_double_counting_scope: str = crediting["noDoubleCounting"]["scope"]
        self.no_double_counting_key: str = crediting["noDoubleCounting"]["key"]

    def _read_exam_bonus(self, bonus: Mapping[str, Any]) -> None:
        self.bonus_allowed: bool = bonus["allowed"]
        self.bonus_extension: str | None = bonus["source"]
        if self.bonus_allowed and not self.bonus_extension:
            raise PolicyError("an allowed exam bonus needs its source", path="$.examBonus.source")
        # Hunan's note: the bonus counts towards the total only; that is also the reading
        # when an allowed bonus names no target.
        self.bonus_counts_towards: tuple[str, ...] = tuple(bonus["countsTowards"] or ("total",))

    def _read_targets(self, targets: Mapping[str, Any]) -> None:
        """The annual targets; read after the credits, whose unit they must count in."""
        if targets["unit"] != self.credit_unit:
            # credits.unit is "what targets count" (README): totals and targets must agree.
            raise PolicyError(
                f"targets.unit {targets['unit']!r} differs from credits.unit {self.credit_unit!r}",
                path="$.targets.unit",
            )
        self._targets = {k: None if targets[k] is None else dec(targets[k]) for k in TARGETS}
        self.require_each: bool = targets["requireEach"]

    @staticmethod
    def _window(period: Mapping[str, Any], name: str) -> Window | None:
        try:
            return Window.parse(period[name])
        except ValueError as exc:
            raise PolicyError(f"not a month-day window: {exc}", path=f"$.period.{name}") from exc

    def __repr__(self) -> str:
        return f"CreditPolicy({self.slug!r})"

    def applies_on(self, day: date) -> bool:
        """validFrom – validUntil, both inclusive (Hunan 第五条; Fujian 第二十四条)."""
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    # -- credit-hours and credits ---------------------------------------------------------

    def course_credit_hours(
        self, *, duration_minutes: Decimal | None, stated: Decimal | None
    ) -> Decimal:
        """A course's credit-hours (课程学时) from its duration (课程时长, minutes).

        Which wins: the duration, whenever it is given. The profile's course-credit-hours
        extension (``stated``) always holds the §3.8 band value, which a per-minutes policy
        recomputes (README step 2). ``stated`` is used instead only
        - when the duration is missing, or
        - when the policy allows assigned values (Hunan 第十二条 特殊课程将指定学分) and
          ``stated`` is not the §3.8 value of the duration: it was assigned, not derived.
        Neither given: 0.
        """
        if duration_minutes is None:
            return Decimal(0) if stated is None else tidy(_non_negative(stated, "stated"))
        duration = _non_negative(duration_minutes, "duration_minutes")
        if (
            stated is not None
            and self.assigned_values_allowed
            and dec(stated) != standard_credit_hours(duration)
        ):
            return tidy(_non_negative(stated, "stated"))
        if self._hours_method == "duration-bands":
            return tidy(band_value(self._bands, duration))
        # Hunan 第十二条: 一个学时为45分钟, 不足或超过1个学时的按四舍五入法则计算.
        exact = duration / self._minutes_per_credit_hour
        return tidy(_round(exact, self._hours_rounding))

    def credits(self, credit_hours: Decimal, requirement: str) -> Decimal:
        """Credits for ``credit_hours`` of a ``required``/``elective`` course or a ``class``.

        Hunan 第十二条: required 1 credit per credit-hour, elective 0.5. Class credit-hours
        take the ``required`` factor (README step 3, unless the annual plan says otherwise).
        """
        if requirement not in REQUIREMENTS:
            raise ValueError(f"requirement must be one of {REQUIREMENTS}, got {requirement!r}")
        factor = self._per_credit_hour["required" if requirement == "class" else requirement]
        value = _non_negative(credit_hours, "credit_hours") * factor
        return tidy(_round(value, self._credits_rounding))

    def crediting_trigger(self, *, assessment_required: bool) -> str:
        """``on-pass`` or ``on-completion`` (GB/T 38856 §8.2.5)."""
        key = "courseWithAssessment" if assessment_required else "courseWithoutAssessment"
        return self._crediting[key]

    # -- periods ------------------------------------------------------------------------------

    def place(self, when: datetime, *, kind: str = "course") -> Placement:
        """The period a crediting moment counts for, read as a day in the policy timezone.

        ``kind`` is ``course`` or ``class``. The study window (Fujian 第十四条: 01-01 – 12-20)
        applies to classes only when ``themeClassWindow`` is ``study-window``; ``per-class``
        leaves class dates to each class's teaching plan (专题培训视情况而定). The policy's
        validity dates are not checked here: choose the policy with PolicyBook.for_org.
        """
        if when.tzinfo is None or when.utcoffset() is None:
            raise ValueError("place() needs an aware datetime (xAPI timestamps carry an offset)")
        if kind not in ("course", "class"):
            raise ValueError(f"kind must be 'course' or 'class', got {kind!r}")
        day = when.astimezone(self.timezone).date()
        period = self._periods.containing(day)
        if period is None:
            # Only a fixed-range policy has days outside every period.
            outside = self._periods.fixed.key if self._periods.fixed else day.isoformat()
            return Placement(None, False, f"outside the policy period {outside}")
        window = self.study_window
        if window is None or window.contains(day):
            return Placement(period, True)
        if kind == "class" and self.theme_class_window == "per-class":
            return Placement(period, True)
        if self.outside_study_window == "counted":
            return Placement(period, True)
        reason = f"outside the study window {window}"
        if self.statistics_window is not None and self.statistics_window.contains(day):
            reason = f"in the statistics window {self.statistics_window}, {reason}"
        if self.outside_study_window == "next-period":
            # Credited to the period whose study window opens next.
            opening = window.next_start(day)
            later = None if opening is None else self._periods.containing(opening)
            if later is not None:
                return Placement(later, True)
            return Placement(None, False, f"{reason}; the policy has no later period")
        return Placement(period, False, reason)  # "not-counted"

    def period_for(self, key: str) -> Period:
        """``"2024"`` (calendar-year) or ``"2010-11-01..2011-10-31"`` (fixed-range)."""
        try:
            return self._periods.parse(key)
        except ValueError as exc:
            raise ValueError(f"credit policy {self.slug}: {exc}") from None

    def current_period(self, today: date) -> Period:
        return self._periods.current(today)

    # -- targets --------------------------------------------------------------------------

    def evaluate(
        self, totals: CreditTotals, *, plan: Mapping[str, Decimal | None] | None = None
    ) -> TargetReport:
        """Compare a period's totals with the targets (GB/T 38856 §8.1, §8.2.1).

        ``plan``: numbers from the management department's annual plan (``targets.setBy``)
        for the targets this policy leaves null; numbers the policy fixes are kept.
        Enforced: ``total`` and ``required`` whenever set (Hunan 第十二条: 40, of which at
        least 24 required); ``elective`` only with ``requireEach`` (Fujian 第七条:
        必修课和选修课规定的学分都要修完) — without it the elective number is a guide that
        other credits may make up. Class credits count towards the total only.
        """
        targets = dict(self._targets)
        for name, value in (plan or {}).items():
            if name not in TARGETS:
                raise ValueError(f"plan targets must be among {TARGETS}, got {name!r}")
            if targets[name] is None and value is not None:
                targets[name] = _non_negative(value, f"plan[{name!r}]")
        achieved = self._achieved(totals)
        enforced = {
            name: target
            for name in TARGETS
            if (target := targets[name]) is not None and (name != "elective" or self.require_each)
        }
        shortfall = {
            name: tidy(target - achieved[name])
            for name, target in enforced.items()
            if achieved[name] < target
        }
        met = (not shortfall) if enforced else None
        return TargetReport(
            unit=self.credit_unit,
            targets={k: None if v is None else tidy(v) for k, v in targets.items()},
            met=met,
            shortfall=shortfall,
            certificate=self.certificate_issued and met is True,
            achieved=achieved,
        )

    def _achieved(self, totals: CreditTotals) -> dict[str, Decimal]:
        # Hunan 第十二条: exam bonus credits, only where the policy allows them.
        bonus = totals.bonus if self.bonus_allowed else Decimal(0)

        def plus_bonus(name: str) -> Decimal:
            return bonus if name in self.bonus_counts_towards else Decimal(0)

        return {
            "total": tidy(totals.required + totals.elective + totals.classes + plus_bonus("total")),
            "required": tidy(totals.required + plus_bonus("required")),
            "elective": tidy(totals.elective + plus_bonus("elective")),
        }


def _non_negative(value: Any, name: str) -> Decimal:
    number = dec(value)
    if not number.is_finite() or number < 0:
        raise ValueError(f"{name} must be a finite number ≥ 0, got {value!r}")
    return number


# -- the loaded policies --------------------------------------------------------------------


# -- wiring -----------------------------------------------------------------------------------


