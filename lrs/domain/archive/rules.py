"""Crediting decisions (pure): which statements credit, how much, and when they count 0.

The rules, from profiles/credit-policies/README.md ("How the LRS uses a policy"):

* Crediting statements (profile README, "credit-hours are stated once"): elective
  ``completed`` of a course whose policy trigger is ``on-completion`` (no
  assessment), elective course-assessment ``passed`` (``on-pass``), and
  class-assessment ``passed`` (GB/T 38856 §8.2.5, §8.3.6). Statements about
  courses inside a class never credit by themselves: the class does.
* The hub recomputes course credit-hours from ``course-duration`` by the policy
  and records the platform's ``credit-hours-earned`` beside it, flagging a
  mismatch, rather than trusting it.
* Class credit-hours = the class's ``class-credit-hours`` less the credit-hours
  of the courses exempted inside it when the policy says ``deduct`` (§8.3.6).
* Never counted twice (§8.2.5, §8.3.6): a course (or class) already credited —
  in any period when the scope is ``ever``, in the same period for
  ``same-year`` — records 0 with the reason.
* The policy's placement decides the period and whether the moment counts at
  all (Fujian 第十四条: 21–31 December counts for no year).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from lrs.domain.archive.facts import CLASS_ASSESSMENT, Fact
from lrs.domain.archive.policy import CreditPolicy, Placement

ZERO = Decimal(0)
DEFAULT_REQUIREMENT = "elective"  # when a course statement does not say (the smaller factor)


@dataclass(frozen=True)
class Prior:
    """An earlier credit of the same course or class that still stands."""

    period_key: str
    statement_id: str
    via_class: str = ""  # the theme class that credited the course, if it was a class


@dataclass(frozen=True)
class Decision:
    kind: str  # "course" | "class" | "bonus"
    activity_id: str
    credit_hours: Decimal
    credits: Decimal
    requirement: str  # "required" | "elective" | "class"
    reason: str = ""  # why it counts 0 ("" when it credits)
    # The platform's credit-hours-earned, and whether it disagrees with the policy's value.
    stated: Decimal | None = None
    mismatch: bool = False

    @property
    def credits_course(self) -> bool:
        """Whether this decision credits (a 0 credit-hour course still counts as credited)."""
        return not self.reason


def crediting_kind(fact: Fact, policy: CreditPolicy) -> str | None:
    """``"course"``, ``"class"`` or None: what, if anything, the statement credits."""
    if fact.object_type == CLASS_ASSESSMENT:
        return "class" if fact.verb == "passed" and fact.success is not False else None
    if fact.in_class or fact.course_id is None:
        return None  # inside a class the class credits (§8.3.6)
    if fact.is_course and fact.verb == "completed":
        trigger = policy.crediting_trigger(assessment_required=bool(fact.assessment_required))
        return "course" if trigger == "on-completion" else None
    if fact.is_course_assessment and fact.verb == "passed" and fact.success is not False:
        required = True if fact.assessment_required is None else fact.assessment_required
        trigger = policy.crediting_trigger(assessment_required=required)
        return "course" if trigger == "on-pass" else None
    return None


def course_hours(fact: Fact, policy: CreditPolicy) -> Decimal:
    return policy.course_credit_hours(
        duration_minutes=fact.course_duration, stated=fact.course_credit_hours
    )


def already(prior: Prior) -> str:
    how = f" through theme class {prior.via_class}" if prior.via_class else ""
    return f"already credited in {prior.period_key} by {prior.statement_id}{how}"


def course_decisions(
    fact: Fact, policy: CreditPolicy, placement: Placement, prior: Prior | None
) -> list[Decision]:
    """The course credit (and exam bonus) a crediting course statement earns."""
    assert fact.course_id is not None
    hours = course_hours(fact, policy)
    requirement = fact.requirement or DEFAULT_REQUIREMENT
    credits = policy.credits(hours, requirement)
    stated = fact.credit_hours_earned
    mismatch = stated is not None and stated != hours
    reason = ""
    if not placement.counted:
        reason = placement.reason or "not counted by the credit policy"
    elif prior is not None:
        reason = already(prior)
    decisions = [
        Decision(
            "course",
            fact.course_id,
            ZERO if reason else hours,
            ZERO if reason else credits,
            requirement,
            reason,
            stated,
            mismatch,
        )
    ]
    # Hunan 第十二条: passing an online exam may add bonus credits.
    if (
        not reason
        and policy.bonus_allowed
        and fact.is_course_assessment
        and fact.bonus_credits is not None
        and fact.bonus_credits > 0
    ):
        decisions.append(
            Decision("bonus", fact.course_id, ZERO, fact.bonus_credits, requirement)
        )
    return decisions


def class_decision(
    fact: Fact,
    policy: CreditPolicy,
    placement: Placement,
    prior: Prior | None,
    exempted_hours: Decimal,
) -> Decision:
    """The class credit a passed class assessment earns (§8.3.6): the class credit-hours
    less the exempted courses' credit-hours when the policy deducts them."""
    assert fact.class_id is not None
    declared = fact.class_credit_hours or ZERO
    deduct = exempted_hours if policy.exempted_class_courses == "deduct" else ZERO
    hours = max(declared - deduct, ZERO)
    stated = fact.credit_hours_earned
    reason = ""
    if not placement.counted:
        reason = placement.reason or "not counted by the credit policy"
    elif prior is not None:
        reason = already(prior)
    return Decision(
        "class",
        fact.class_id,
        ZERO if reason else hours,
        ZERO if reason else policy.credits(hours, "class"),
        "class",
        reason,
        stated,
        stated is not None and stated != hours,
    )


def stands_in_scope(policy: CreditPolicy, prior_period: str, period_key: str) -> bool:
    """Whether an earlier credit in ``prior_period`` blocks one in ``period_key``."""
    return policy.no_double_counting_scope == "ever" or prior_period == period_key
