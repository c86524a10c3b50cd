"""Cross-field rules a profile states in its concept definitions but cannot encode as rules.

JSON Schema constrains one extension value and template rules one location
at a time; the cadre-training profile also says how some values relate
(its concept definitions say "MUST agree (validators cross-check)"). Those
checks live here, one small function per rule, keyed by profile id. They
run on statements the profile applies to, with the templates each passed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any, TypeGuard

from lrs.domain.cadre import (
    ASSESSMENT_REQUIRED,
    COURSE_CREDIT_HOURS,
    COURSE_DURATION,
    CREDIT_HOURS_EARNED,
    standard_credit_hours,
)
from lrs.domain.cadre import PROFILE as CADRE
from lrs.domain.cadre import TEMPLATES as _T
from lrs.domain.profiles.model import Profile
from lrs.domain.profiles.templates import RuleFailure

SEMANTIC = "semantic"


def course_credit_hours(duration: float) -> Decimal:
    """GB/T 38856—2020 §3.8 (lrs.domain.cadre): ≤ 15 min → 0.25; ≤ 30 → 0.5; longer → 1."""
    return standard_credit_hours(duration)


def _definitions(statement: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(location, extensions) of every Activity definition in the statement."""
    # The location is written out only for a definition with extensions: this runs for
    # every statement of every batch, and most context activities have none.
    extensions = _extensions(statement.get("object"))
    if extensions is not None:
        yield "$.object.definition.extensions", extensions
    context = statement.get("context")
    activities = context.get("contextActivities") if isinstance(context, dict) else None
    if isinstance(activities, dict):
        for kind, items in activities.items():
            for i, activity in enumerate(items if isinstance(items, list) else ()):
                extensions = _extensions(activity)
                if extensions is not None:
                    yield f"$.context.contextActivities.{kind}[{i}].definition.extensions", \
                        extensions


def _extensions(activity: Any) -> dict[str, Any] | None:
    definition = activity.get("definition") if isinstance(activity, dict) else None
    extensions = definition.get("extensions") if isinstance(definition, dict) else None
    return extensions if isinstance(extensions, dict) else None


def _number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def credit_hours_follow_duration(statement, passed) -> Iterator[RuleFailure]:
    """course-credit-hours is the §3.8 value of course-duration, wherever a course is defined."""
    for where, extensions in _definitions(statement):
        duration = extensions.get(COURSE_DURATION)
        hours = extensions.get(COURSE_CREDIT_HOURS)
        if not (_number(duration) and _number(hours)) or not duration > 0:  # NaN too
            continue
        expected = course_credit_hours(duration)
        if hours != expected:  # exact: Decimal("0.25") == 0.25
            yield RuleFailure(
                COURSE_CREDIT_HOURS,
                SEMANTIC,
                f"{where}['{COURSE_CREDIT_HOURS}']",
                f"course-credit-hours is {hours} but course-duration {duration} min gives "
                f"{expected} (GB/T 38856—2020 §3.8)",
            )


def credit_hours_earned(statement, passed) -> Iterator[RuleFailure]:
    """Elective completed: the course's credit-hours, or 0 when it needs assessment (§8.2.5);
    elective course-assessment passed: the parent course's credit-hours."""
    result = statement.get("result")
    extensions = result.get("extensions") if isinstance(result, dict) else None
    earned = extensions.get(CREDIT_HOURS_EARNED) if isinstance(extensions, dict) else None
    if not _number(earned):
        return
    location = f"$.result.extensions['{CREDIT_HOURS_EARNED}']"
    course, why = None, ""
    if _T + "course-completed" in passed:
        course = dict(_definitions(statement)).get("$.object.definition.extensions")
        why = "the course"
    elif _T + "course-assessment-passed" in passed:
        course = dict(_definitions(statement)).get(
            "$.context.contextActivities.parent[0].definition.extensions"
        )
        why = "the parent course"
    if not course or not _number(course.get(COURSE_CREDIT_HOURS)):
        return
    expected = course[COURSE_CREDIT_HOURS]
    if course.get(ASSESSMENT_REQUIRED) is True and _T + "course-completed" in passed:
        expected, why = 0, "the course needs assessment, so completing it"
    if earned != expected:
        yield RuleFailure(
            CREDIT_HOURS_EARNED,
            SEMANTIC,
            location,
            f"credit-hours-earned is {earned} but {why} grants {expected} (GB/T 38856—2020 §8.2.5)",
        )


Check = Callable[[dict[str, Any], list[str]], Iterator[RuleFailure]]
CHECKS: dict[str, tuple[Check, ...]] = {
    CADRE: (credit_hours_follow_duration, credit_hours_earned),
}


def semantic_failures(
    statement: dict[str, Any], profile: Profile, passed: list[str]
) -> list[RuleFailure]:
    return [f for check in CHECKS.get(profile.id, ()) for f in check(statement, passed)]
