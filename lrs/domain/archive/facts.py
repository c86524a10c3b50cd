"""What a cadre-training statement says, read once into a :class:`Fact` (pure).

Only statements that declare the profile (``context.contextActivities.category``
= the v1.0 version IRI, Profiles 1.0 Part Two §5) feed the archive. The
vocabulary is the profile's (profiles/cadre-training/README.md): a course
statement's container is its ``parent`` (elective programme or theme class);
a course assessment has the course as ``parent`` and the container as
``grouping``; class-level statements have the class as object or parent.
Malformed values are ignored, never raised: a statement in the store is
projected as far as it can be.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from lrs.domain.cadre import (
    CERTIFICATE,
    CLASS_ASSESSMENT,
    COURSE,
    COURSE_ASSESSMENT,
    CT,
    EXT,
    PROFILE_VERSION,
    THEME_CLASS,
)

VERBS = {
    "http://adlnet.gov/expapi/verbs/registered": "registered",
    "http://adlnet.gov/expapi/verbs/launched": "launched",
    "http://adlnet.gov/expapi/verbs/initialized": "initialized",
    "http://adlnet.gov/expapi/verbs/progressed": "progressed",
    "http://adlnet.gov/expapi/verbs/completed": "completed",
    "http://adlnet.gov/expapi/verbs/terminated": "terminated",
    "https://w3id.org/xapi/adl/verbs/waived": "waived",
    "http://adlnet.gov/expapi/verbs/waived": "waived",
    "http://adlnet.gov/expapi/verbs/passed": "passed",
    "http://adlnet.gov/expapi/verbs/failed": "failed",
    "http://adlnet.gov/expapi/verbs/experienced": "experienced",
    CT + "verbs/enrolment-approved": "enrolment-approved",
    CT + "verbs/enrolment-rejected": "enrolment-rejected",
    CT + "verbs/certificate-issued": "certificate-issued",
}
PROGRESS_EXTENSION = "https://w3id.org/xapi/cmi5/result/extensions/progress"


def decimal_of(value: Any) -> Decimal | None:
    """A JSON number as Decimal (through its text, so 0.1 stays 0.1); None otherwise."""
    # Fast paths (called ~10 times per statement, mostly for values not stated): an
    # int's Decimal equals that of its text, exponent included.
    if value is None:
        return None
    if type(value) is int:
        return Decimal(value)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        return None
    return result if result.is_finite() else None


@dataclass(frozen=True)
class Fact:
    """The archive-relevant content of one profile statement."""

    statement_id: str
    verb: str  # short name from VERBS ("" for others)
    object_id: str
    object_type: str
    timestamp: datetime
    registration: str
    # The course the statement is about (object, or the parent of a course assessment).
    course_id: str | None = None
    # The theme class it belongs to (object, parent or grouping).
    class_id: str | None = None
    in_class: bool = False  # a course statement inside a theme class
    course_duration: Decimal | None = None
    course_credit_hours: Decimal | None = None  # the §3.8 value the platform stated
    course_code: str = ""
    assessment_required: bool | None = None
    class_credit_hours: Decimal | None = None
    requirement: str = ""  # "required" | "elective" | "" (not stated)
    learning_minutes: Decimal | None = None  # cumulative in the registration
    progress: Decimal | None = None
    success: bool | None = None
    score: Decimal | None = None  # scaled, else raw
    credit_hours_earned: Decimal | None = None
    exemption_source: str = ""
    bonus_credits: Decimal | None = None
    institution: str = ""
    unit_code: str = ""
    platform: str = ""

    @property
    def is_course(self) -> bool:
        return self.object_type == COURSE

    @property
    def is_course_assessment(self) -> bool:
        return self.object_type == COURSE_ASSESSMENT

    @property
    def is_class_level(self) -> bool:
        return self.object_type in (THEME_CLASS, CLASS_ASSESSMENT, CERTIFICATE)


def declares_profile(statement: dict[str, Any]) -> bool:
    context = statement.get("context")
    if not isinstance(context, dict):
        return False
    activities = context.get("contextActivities")
    category = activities.get("category") if isinstance(activities, dict) else None
    if isinstance(category, dict):
        category = [category]
    return isinstance(category, list) and any(
        isinstance(a, dict) and a.get("id") == PROFILE_VERSION for a in category
    )


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    return [a for a in value if isinstance(a, dict)] if isinstance(value, list) else []


def _type(activity: dict[str, Any]) -> str:
    return str(_dict(activity.get("definition")).get("type") or "")


def _ext(activity: dict[str, Any]) -> dict[str, Any]:
    return _dict(_dict(activity.get("definition")).get("extensions"))


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def parse_timestamp(statement: dict[str, Any], fallback: datetime) -> datetime:
    raw = statement.get("timestamp")
    moment = fallback
    if isinstance(raw, str):
        try:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            moment = fallback
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def read_fact(statement: dict[str, Any], stored: datetime) -> Fact | None:
    """The fact of a profile statement; None when it does not declare the profile or is
    about nothing the archive keeps (auxiliary resources, unknown object types)."""
    if not declares_profile(statement):
        return None
    obj = _dict(statement.get("object"))
    object_type = _type(obj)
    context = _dict(statement.get("context"))
    activities = _dict(context.get("contextActivities"))
    parents = _list(activities.get("parent"))
    groupings = _list(activities.get("grouping"))
    result = _dict(statement.get("result"))
    rext = _dict(result.get("extensions"))
    cext = _dict(context.get("extensions"))

    def first(candidates: list[dict[str, Any]], kind: str) -> dict[str, Any] | None:
        return next((a for a in candidates if _type(a) == kind), None)

    course: dict[str, Any] | None = None
    klass: dict[str, Any] | None = None
    if object_type == COURSE:
        course = obj
        klass = first(parents, THEME_CLASS)
    elif object_type == COURSE_ASSESSMENT:
        course = first(parents, COURSE)
        klass = first(groupings, THEME_CLASS)
    elif object_type == THEME_CLASS:
        klass = obj
    elif object_type in (CLASS_ASSESSMENT, CERTIFICATE):
        klass = first(parents, THEME_CLASS)
    else:
        return None
    if object_type in (CLASS_ASSESSMENT, CERTIFICATE) and klass is None:
        return None
    if object_type == COURSE_ASSESSMENT and course is None:
        return None
    course_ext = _ext(course) if course else {}
    class_ext = _ext(klass) if klass else {}
    assessment_required = course_ext.get(EXT + "assessment-required")
    score = _dict(result.get("score"))
    requirement = _text(cext.get(EXT + "course-requirement"))
    success = result.get("success")
    actor = _dict(statement.get("actor"))
    return Fact(
        statement_id=str(statement.get("id", "")).lower(),
        verb=VERBS.get(_text(_dict(statement.get("verb")).get("id")), ""),
        object_id=_text(obj.get("id")),
        object_type=object_type,
        timestamp=parse_timestamp(statement, stored),
        registration=_text(context.get("registration")),
        course_id=_text(course.get("id")) or None if course else None,
        class_id=_text(klass.get("id")) or None if klass else None,
        in_class=klass is not None and course is not None,
        course_duration=decimal_of(course_ext.get(EXT + "course-duration")),
        course_credit_hours=decimal_of(course_ext.get(EXT + "course-credit-hours")),
        course_code=_text(course_ext.get(EXT + "course-code")),
        assessment_required=assessment_required if isinstance(assessment_required, bool) else None,
        class_credit_hours=decimal_of(class_ext.get(EXT + "class-credit-hours")),
        requirement=requirement if requirement in ("required", "elective") else "",
        learning_minutes=decimal_of(rext.get(EXT + "learning-duration")),
        progress=decimal_of(rext.get(PROGRESS_EXTENSION)),
        success=success if isinstance(success, bool) else None,
        score=decimal_of(score["scaled"] if "scaled" in score else score.get("raw")),
        credit_hours_earned=decimal_of(rext.get(EXT + "credit-hours-earned")),
        exemption_source=_text(rext.get(EXT + "exemption-source")),
        bonus_credits=decimal_of(_ext(obj).get(EXT + "bonus-credits")),
        institution=_text(cext.get(EXT + "institution-code"))
        or _text(_dict(actor.get("account")).get("homePage")),
        unit_code=_text(cext.get(EXT + "unit-code")),
        platform=_text(context.get("platform")),
    )


def with_definitions(
    fact: Fact, course_definition: dict[str, Any] | None, class_definition: dict[str, Any] | None
) -> Fact:
    """Fill course/class extensions the statement left out from the merged definitions the
    store keeps (a platform may send a full definition only on the first statement)."""
    changes: dict[str, Any] = {}
    cext = _dict(_dict(course_definition).get("extensions"))
    if fact.course_duration is None and EXT + "course-duration" in cext:
        changes["course_duration"] = decimal_of(cext[EXT + "course-duration"])
    if fact.course_credit_hours is None and EXT + "course-credit-hours" in cext:
        changes["course_credit_hours"] = decimal_of(cext[EXT + "course-credit-hours"])
    if fact.assessment_required is None and isinstance(
        cext.get(EXT + "assessment-required"), bool
    ):
        changes["assessment_required"] = cext[EXT + "assessment-required"]
    if not fact.course_code and isinstance(cext.get(EXT + "course-code"), str):
        changes["course_code"] = cext[EXT + "course-code"]
    kext = _dict(_dict(class_definition).get("extensions"))
    if fact.class_credit_hours is None and EXT + "class-credit-hours" in kext:
        changes["class_credit_hours"] = decimal_of(kext[EXT + "class-credit-hours"])
    return _replaced(fact, changes) if changes else fact


def _replaced(fact: Fact, changes: dict[str, Any]) -> Fact:
    """``dataclasses.replace(fact, **changes)`` without re-running the 27-field frozen
    ``__init__`` (most of this function's cost, once per statement): a Fact has no
    ``__post_init__`` or validation, so copying its fields gives the same object."""
    new = object.__new__(Fact)
    new.__dict__.update(fact.__dict__)
    new.__dict__.update(changes)
    return new
