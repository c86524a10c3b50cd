"""Annual credit policies (年度学时政策): ``profiles/credit-policies/*.json`` as domain objects.

GB/T 38856—2020 §9.1.2 counts archives per year and leaves the numbers to the management
departments, so credit-hours, credits, periods, windows and targets are read from data, not
code (profiles/credit-policies/README.md). All arithmetic is decimal: 0.25 steps must not
drift as binary floats, so JSON numbers become ``Decimal(str(number))``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lrs.domain.archive.periods import (
    Period,
    PeriodScheme,
    Placement,
    Window,
    fixed_range,
)
from lrs.domain.cadre import band_value, dec, standard_credit_hours
from lrs.domain.errors import ValidationError
from lrs.domain.schemaformats import format_checker


class PolicySettings(Protocol):
    """The settings the policy book is loaded from (``lrs.config.Settings`` has them)."""

    @property
    def credit_policies_dir(self) -> str: ...

    @property
    def credit_policy_assignments(self) -> str: ...

    @property
    def default_credit_policy(self) -> str: ...


__all__ = [
    "CreditPolicy",
    "CreditTotals",
    "Period",
    "Placement",
    "PolicyBook",
    "PolicyError",
    "TargetReport",
    "load_policy_book",
    "resolve_policies_dir",
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
_REPO_ROOT = Path(__file__).resolve().parents[3]


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

        self.valid_from = _day(document["validFrom"], "$.validFrom")
        until = document["validUntil"]
        self.valid_until = None if until is None else _day(until, "$.validUntil")
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise PolicyError("validUntil is before validFrom", path="$.validUntil")

        period = document["period"]
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

        hours = document["courseCreditHours"]
        self._hours_method: str = hours["method"]
        if self._hours_method == "duration-bands":
            self._bands = _bands(hours["bands"])
        else:
            self._minutes_per_credit_hour = dec(hours["minutesPerCreditHour"])
        self._hours_rounding = hours["rounding"]
        self.assigned_values_allowed: bool = hours["assignedValuesAllowed"]

        credits = document["credits"]
        self.credit_unit: str = credits["unit"]
        self._per_credit_hour = {k: dec(v) for k, v in credits["perCreditHour"].items()}
        self._credits_rounding = credits["rounding"]

        crediting = document["crediting"]
        self._crediting = crediting
        self.exempted_class_courses: str = crediting["themeClassExemptedCourses"]
        self.no_double_counting_scope: str = crediting["noDoubleCounting"]["scope"]
        self.no_double_counting_key: str = crediting["noDoubleCounting"]["key"]

        bonus = document["examBonus"]
        self.bonus_allowed: bool = bonus["allowed"]
        self.bonus_extension: str | None = bonus["source"]
        if self.bonus_allowed and not self.bonus_extension:
            raise PolicyError("an allowed exam bonus needs its source", path="$.examBonus.source")
        # Hunan's note: the bonus counts towards the total only; that is also the reading
        # when an allowed bonus names no target.
        self.bonus_counts_towards: tuple[str, ...] = tuple(bonus["countsTowards"] or ("total",))

        targets = document["targets"]
        if targets["unit"] != self.credit_unit:
            # credits.unit is "what targets count" (README): totals and targets must agree.
            raise PolicyError(
                f"targets.unit {targets['unit']!r} differs from credits.unit {self.credit_unit!r}",
                path="$.targets.unit",
            )
        self._targets = {k: None if targets[k] is None else dec(targets[k]) for k in TARGETS}
        self.require_each: bool = targets["requireEach"]
        self.certificate_issued: bool = document["annualCertificate"]["issued"]

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


class PolicyBook:
    """All policies of a directory, which org-path prefixes use which, and the default."""

    def __init__(
        self,
        policies: Iterable[CreditPolicy],
        assignments: str | Mapping[str, str | Iterable[str]] = "",
        default: str = DEFAULT_POLICY,
    ) -> None:
        self._policies: dict[str, CreditPolicy] = {}
        for policy in policies:
            for key in (policy.slug, policy.id):
                if key in self._policies:
                    raise PolicyError(f"two credit policies named {key!r}")
                self._policies[key] = policy
        if not self._policies:
            raise PolicyError("no credit policies")
        self.default = self.get(default)
        self._assignments = self._assign(assignments)

    @classmethod
    def load(
        cls,
        directory: Path,
        assignments: str | Mapping[str, str | Iterable[str]] = "",
        default: str = DEFAULT_POLICY,
    ) -> PolicyBook:
        """Every ``*.json`` of ``directory`` but ``schema.json``, each validated against
        ``schema.json`` (Draft 2020-12) and the cross-field rules. The slug is the file stem."""
        return cls(read_policies(Path(directory)), assignments, default)

    def get(self, slug_or_id: str) -> CreditPolicy:
        try:
            return self._policies[slug_or_id]
        except KeyError:
            known = ", ".join(p.slug for p in self.all())
            raise PolicyError(f"unknown credit policy {slug_or_id!r} (known: {known})") from None

    def all(self) -> list[CreditPolicy]:
        unique = {p.slug: p for p in self._policies.values()}
        return [unique[slug] for slug in sorted(unique)]

    def assignments(self) -> list[tuple[str, CreditPolicy]]:
        """(org-path prefix, policy) pairs, as configured."""
        return [("/".join(prefix), policy) for prefix, policy in self._assignments]

    def for_org(self, org_path: str, day: date) -> CreditPolicy:
        """The policy of the longest org-path prefix (whole segments: "fj" covers "fj/fz"
        but not "fjx") whose policy applies on ``day``; otherwise the default."""
        segments = tuple(org_path.strip("/").split("/")) if org_path.strip("/") else ()
        matching = [
            (prefix, policy)
            for prefix, policy in self._assignments
            if segments[: len(prefix)] == prefix
        ]
        for _, policy in sorted(matching, key=lambda pair: -len(pair[0])):
            if policy.applies_on(day):
                return policy
        return self.default

    def _assign(
        self, raw: str | Mapping[str, str | Iterable[str]]
    ) -> list[tuple[tuple[str, ...], CreditPolicy]]:
        """``"fj=fujian-2017,hn=hunan-2010"`` or a mapping. A prefix may name several
        policies in turn (``hn=hunan-2010,hn=hunan-2012``) if their validity dates do not
        overlap, so a province can change policy from one year to the next."""
        pairs: list[tuple[str, str]] = []
        if isinstance(raw, str):
            for entry in (e.strip() for e in raw.split(",")):
                if not entry:
                    continue
                prefix, sep, ref = entry.partition("=")
                if not sep:
                    raise PolicyError(f"credit policy assignment {entry!r} is not PREFIX=POLICY")
                pairs.append((prefix.strip(), ref.strip()))
        else:
            for prefix, refs in raw.items():
                for ref in [refs] if isinstance(refs, str) else refs:
                    pairs.append((prefix, ref))
        assigned: list[tuple[tuple[str, ...], CreditPolicy]] = []
        for prefix, ref in pairs:
            segments = tuple(prefix.strip("/").split("/"))
            if not all(segments):
                raise PolicyError(f"credit policy assignment: {prefix!r} is not an org path")
            policy = self.get(ref)
            for other_prefix, other in assigned:
                if other_prefix == segments and _overlap(policy, other):
                    raise PolicyError(
                        f"org path {prefix!r} has credit policies {other.slug} and "
                        f"{policy.slug} with overlapping validity dates"
                    )
            assigned.append((segments, policy))
        return assigned


def _overlap(a: CreditPolicy, b: CreditPolicy) -> bool:
    return (a.valid_until is None or b.valid_from <= a.valid_until) and (
        b.valid_until is None or a.valid_from <= b.valid_until
    )


# Policies read per directory content: validating them against schema.json is the costliest
# step of building an app, and tests build hundreds of apps from the same three files.
# CreditPolicy is immutable, so one instance may serve every app of the process.
_read_cache: dict[tuple[object, ...], tuple[CreditPolicy, ...]] = {}
_READ_CACHE_SIZE = 8


def read_policies(directory: Path) -> tuple[CreditPolicy, ...]:
    """The policies of ``directory``, checked against its schema.json; raises PolicyError."""
    files = sorted(directory.glob("*.json"))
    try:
        key = (str(directory.resolve()), *((f.name, f.stat().st_mtime_ns, f.stat().st_size)
                                           for f in files))
    except OSError:  # a file vanished meanwhile: read without the cache, which reports it
        key = ()
    cached = _read_cache.get(key) if key else None
    if cached is None:
        cached = _validate_policies(directory, files)
        if key:
            if len(_read_cache) >= _READ_CACHE_SIZE:
                _read_cache.pop(next(iter(_read_cache)))
            _read_cache[key] = cached
    return cached


def _validate_policies(directory: Path, files: list[Path]) -> tuple[CreditPolicy, ...]:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError, best_match

    schema_file = directory / "schema.json"
    if not schema_file.is_file():
        raise PolicyError("no schema.json beside the credit policies", file=str(directory))
    schema = _read_json(schema_file)
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        raise PolicyError(exc.message, file=str(schema_file), path=exc.json_path) from None
    validator = Draft202012Validator(schema, format_checker=format_checker())
    policies = []
    for file in files:
        if file.name == schema_file.name:
            continue
        document = _read_json(file)
        error = best_match(validator.iter_errors(document))
        if error is not None:
            raise PolicyError(error.message, file=str(file), path=error.json_path)
        try:
            policies.append(CreditPolicy(document, file.stem))
        except PolicyError as exc:
            raise PolicyError(exc.detail, file=str(file), path=exc.path) from None
    if not policies:
        raise PolicyError("no credit policy files (*.json)", file=str(directory))
    return tuple(policies)


def _read_json(file: Path) -> Any:
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyError(f"cannot read: {exc.strerror}", file=str(file)) from None
    except UnicodeDecodeError:
        raise PolicyError("not UTF-8 text", file=str(file)) from None
    except json.JSONDecodeError as exc:
        raise PolicyError(
            f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", file=str(file)
        ) from None


# -- wiring -----------------------------------------------------------------------------------


def resolve_policies_dir(setting: str) -> Path:
    """Where the policies are, as for LRS_PROFILES_DIR: ``setting`` relative to the working
    directory, else the source tree (a checkout), else the installed data
    (``<prefix>/share/lrs/profiles/credit-policies``)."""
    if not setting:
        raise PolicyError("LRS_CREDIT_POLICIES_DIR is empty: the LRS needs its credit policies")
    path = Path(setting)
    if path.is_dir():
        return path
    if not path.is_absolute():
        for base in (_REPO_ROOT, Path(sys.prefix) / "share" / "lrs"):
            if (base / path).is_dir():
                return base / path
    raise PolicyError(f"credit policy directory {setting!r} not found")


def load_policy_book(settings: PolicySettings) -> PolicyBook:
    """The policies the settings name (LRS_CREDIT_POLICIES_DIR, LRS_CREDIT_POLICIES,
    LRS_DEFAULT_CREDIT_POLICY); raises PolicyError, so a server does not start without them."""
    return PolicyBook.load(
        resolve_policies_dir(settings.credit_policies_dir),
        settings.credit_policy_assignments,
        settings.default_credit_policy,
    )


def resolve_period(
    book: PolicyBook, org: str, key: str | None, today: date
) -> tuple[CreditPolicy, Period]:
    """The policy and period for ``org``: ``key`` (e.g. "2024") or the current period."""
    policy = book.for_org(org, today)
    if key is None:
        return policy, policy.current_period(today)
    candidates = [policy, *(p for p in book.all() if p is not policy)]
    for candidate in candidates:
        try:
            period = candidate.period_for(key)
        except ValueError:
            continue
        # The policy the org had when the period ended (or today, for the current one).
        at_end = book.for_org(org, min(period.end, today))
        try:
            return at_end, at_end.period_for(key)
        except ValueError:
            return candidate, period
    raise ValidationError(
        f"unknown period {key!r}: a calendar year such as 2024, or a policy's fixed range "
        "such as 2010-11-01..2011-10-31",
        "period",
    )
