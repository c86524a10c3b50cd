"""The cadre-training vocabulary, in one place: the profile's IRIs (profiles/cadre-training/)
and the GB/T 38856—2020 §3.8 credit-hour rule, as exact decimals.

Profiles (statement checks), identity (agreed identifier, unit code) and the learning archive
(facts, credit policies) import their names from here, so a renamed extension or a changed
band is one edit. Pure constants and functions: importing this module costs nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

PROFILE = "https://w3id.org/xapi/cadre-training"
CT = PROFILE + "/"
PROFILE_VERSION = CT + "v1.0"  # what a statement cites in contextActivities.category
EXT = CT + "extensions/"
TYPES = CT + "activity-types/"
TEMPLATES = CT + "templates/"

# Extensions (the profile's concepts; profiles/cadre-training/README.md).
AGREED_ID_EXTENSION = EXT + "agreed-identifier"
UNIT_CODE_EXTENSION = EXT + "unit-code"
COURSE_DURATION = EXT + "course-duration"
COURSE_CREDIT_HOURS = EXT + "course-credit-hours"
ASSESSMENT_REQUIRED = EXT + "assessment-required"
CREDIT_HOURS_EARNED = EXT + "credit-hours-earned"

# Activity types.
COURSE = TYPES + "course"
THEME_CLASS = TYPES + "theme-class"
COURSE_ASSESSMENT = TYPES + "course-assessment"
CLASS_ASSESSMENT = TYPES + "class-assessment"
CERTIFICATE = TYPES + "completion-certificate"
ELECTIVE_PROGRAMME = TYPES + "elective-programme"

ZERO = Decimal(0)

# GB/T 38856—2020 §3.8: a course of at most 15 minutes is 0.25 credit-hour, at most 30 minutes
# 0.5, longer 1. As (maxMinutes, creditHours) bands, ascending, inclusive, the last unbounded:
# the shape of a credit policy's "duration-bands" (profiles/credit-policies/schema.json).
Band = tuple[Decimal | None, Decimal]
STANDARD_BANDS: tuple[Band, ...] = (
    (Decimal(15), Decimal("0.25")),
    (Decimal(30), Decimal("0.5")),
    (None, Decimal(1)),
)


def dec(value: Any) -> Decimal:
    """A number as an exact decimal: JSON floats go through str(), so 0.25 stays 0.25.

    Raises TypeError for anything else, None included: use :func:`dec_or_zero` where a missing
    amount counts as nothing.
    """
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(f"not a number: {value!r}")
    return Decimal(str(value))


def dec_or_zero(value: Any) -> Decimal:
    """:func:`dec`, with None (an amount not stated or not yet folded) as 0."""
    return ZERO if value is None else dec(value)


def band_value(bands: Iterable[Band], duration_minutes: Decimal) -> Decimal:
    """The credit-hours of the first band whose maxMinutes the duration does not exceed."""
    for upper, hours in bands:
        if upper is None or duration_minutes <= upper:
            return hours
    raise AssertionError("the last band is unbounded")  # checked when a policy is loaded


def standard_credit_hours(duration_minutes: Any) -> Decimal:
    """GB/T 38856—2020 §3.8 (the profile's course-credit-hours value): ≤ 15 min → 0.25,
    ≤ 30 min → 0.5, more → 1."""
    return band_value(STANDARD_BANDS, dec(duration_minutes))
