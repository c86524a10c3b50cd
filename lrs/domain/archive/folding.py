"""Folding a statement's facts into its archive row's process and result data.

Pure functions of (row data, fact, policy): what a course or theme-class row
records (first and last activity, sessions, minutes per registration, progress,
completion, assessment attempts and best score, exemptions, certificates);
crediting is decided elsewhere (lrs.domain.archive.decisions).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lrs.domain.archive import rules
from lrs.domain.archive.facts import Fact
from lrs.domain.archive.ledger import amount
from lrs.domain.archive.policy import CreditPolicy
from lrs.domain.cadre import dec_or_zero as dec  # stored amounts; None is 0


def new_course_data() -> dict[str, Any]:
    return {
        "first": None, "last": None, "statements": 0, "sessions": 0, "attempts": 0,
        "minutesByRegistration": {}, "learningMinutes": "0", "progress": None,
        "requirement": "", "inClass": None, "courseCode": "", "courseDuration": None,
        "courseCreditHours": None, "assessmentRequired": None, "registered": False,
        "completed": False, "completedAt": None, "passed": None, "bestScore": None,
        "exempt": False, "exemptionSource": "", "credited": False, "creditedVia": None,
        "creditHours": "0", "credits": "0", "bonus": "0", "creditingStatement": None,
        "creditedIn": None, "notCountedReason": "", "statedCreditHours": None,
        "creditMismatch": False, "policy": "", "platform": "",
    }


def new_class_data() -> dict[str, Any]:
    return {
        "first": None, "last": None, "statements": 0, "registered": False, "approved": False,
        "rejected": False, "rejectionReason": "", "courses": {}, "assessmentAttempts": 0,
        "passed": None, "bestScore": None, "learningMinutes": "0", "classCreditHours": None,
        "deducted": [], "credited": False, "creditHours": "0", "credits": "0",
        "creditingStatement": None, "notCountedReason": "", "statedCreditHours": None,
        "creditMismatch": False, "certificate": False, "certificateId": None, "policy": "",
        "platform": "",
    }


def fold_common(data: dict[str, Any], fact: Fact, policy: CreditPolicy) -> None:
    moment = fact.timestamp.isoformat()
    if data["first"] is None or moment < data["first"]:
        data["first"] = moment
    if data["last"] is None or moment > data["last"]:
        data["last"] = moment
    data["statements"] += 1
    data["policy"] = policy.id
    if fact.platform:
        data["platform"] = fact.platform


def fold_course(data: dict[str, Any], fact: Fact, policy: CreditPolicy) -> None:
    fold_common(data, fact, policy)
    verb = fact.verb
    if fact.requirement:
        data["requirement"] = fact.requirement
    if fact.in_class:
        data["inClass"] = fact.class_id
    if fact.course_code:
        data["courseCode"] = fact.course_code
    if fact.course_duration is not None:
        data["courseDuration"] = amount(fact.course_duration)
        data["courseCreditHours"] = amount(rules.course_hours(fact, policy))
    if fact.assessment_required is not None:
        data["assessmentRequired"] = fact.assessment_required
    if fact.learning_minutes is not None:
        # Cumulative per registration (profile: "minutes spent in this registration up
        # to this statement"): the largest value of each registration, summed.
        by_reg = dict(data["minutesByRegistration"])
        reg = fact.registration or "-"
        if reg not in by_reg or dec(by_reg[reg]) < fact.learning_minutes:
            by_reg[reg] = amount(fact.learning_minutes)
        data["minutesByRegistration"] = by_reg
        data["learningMinutes"] = amount(sum((dec(v) for v in by_reg.values()), Decimal(0)))
    if fact.progress is not None and (
        data["progress"] is None or dec(data["progress"]) < fact.progress
    ):
        data["progress"] = amount(fact.progress)
    if fact.is_course:
        if verb == "launched":
            data["sessions"] += 1
        elif verb == "registered":
            data["registered"] = True
        elif verb == "completed":
            data["completed"] = True
            data["completedAt"] = data["completedAt"] or fact.timestamp.isoformat()
        elif verb == "waived":
            data["exempt"] = True
            data["exemptionSource"] = fact.exemption_source
    elif fact.is_course_assessment and verb in ("passed", "failed"):
        _fold_attempt(data, fact, "attempts")


def fold_class(data: dict[str, Any], fact: Fact, policy: CreditPolicy) -> None:
    fold_common(data, fact, policy)
    verb = fact.verb
    if fact.class_credit_hours is not None:
        data["classCreditHours"] = amount(fact.class_credit_hours)
    if fact.course_id is not None:
        courses = dict(data["courses"])
        entry = dict(courses.get(fact.course_id) or {
            "studied": False, "completed": False, "exempted": False, "creditHours": "0",
        })
        entry["studied"] = True
        entry["creditHours"] = amount(rules.course_hours(fact, policy))
        if fact.is_course and verb == "completed":
            entry["completed"] = True
        elif fact.is_course and verb == "waived":
            entry["exempted"] = True
        courses[fact.course_id] = entry
        data["courses"] = courses
        return
    if verb == "registered":
        data["registered"] = True
    elif verb == "enrolment-approved":
        data["approved"] = True
    elif verb == "enrolment-rejected":
        data["rejected"] = True
    elif verb in ("passed", "failed"):
        _fold_attempt(data, fact, "assessmentAttempts")
    elif verb == "certificate-issued":
        data["certificate"] = True
        data["certificateId"] = fact.object_id
    minutes = fact.learning_minutes
    if minutes is not None and dec(data["learningMinutes"]) < minutes:
        data["learningMinutes"] = amount(minutes)


def _fold_attempt(data: dict[str, Any], fact: Fact, attempts: str) -> None:
    """An assessment passed or failed: count it under ``attempts``; passed once, passed for
    good; keep the best score."""
    data[attempts] += 1
    if fact.verb == "passed" and fact.success is not False:
        data["passed"] = True
    elif data["passed"] is None:
        data["passed"] = False
    if fact.score is not None and (
        data["bestScore"] is None or dec(data["bestScore"]) < fact.score
    ):
        data["bestScore"] = amount(fact.score)
