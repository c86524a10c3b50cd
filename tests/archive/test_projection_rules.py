"""The projection's pure parts: reading facts, crediting rules, the ledger's hash chain."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from lrs.domain.archive import ledger, rules
from lrs.domain.archive.facts import read_fact
from lrs.domain.archive.policy_book import PolicyBook
from lrs.domain.archive.rules import Prior
from lrs.storage.port import LedgerEntry
from tests.archive.conftest import build, class_id, course_id

BOOK = PolicyBook.load(Path(__file__).resolve().parents[2] / "profiles/credit-policies")
DEFAULT = BOOK.get("gbt38856-default")
FUJIAN = BOOK.get("fujian-2017")
HUNAN = BOOK.get("hunan-2010")
NOW = datetime(2024, 5, 1, tzinfo=UTC)


def fact(template, **kw):
    found = read_fact(build(template, **kw), NOW)
    assert found is not None
    return found


class TestFacts:
    def test_only_profile_statements(self):
        statement = build("course-completed")
        statement["context"]["contextActivities"]["category"] = []
        assert read_fact(statement, NOW) is None
        assert read_fact(build("resource-experienced"), NOW) is None

    def test_course_assessment_is_about_its_parent_course(self):
        f = fact("course-assessment-passed", course="Q1")
        assert f.course_id == course_id("Q1") and not f.in_class and f.verb == "passed"
        assert f.course_duration == Decimal(45) and f.credit_hours_earned == Decimal(1)

    def test_class_course_statement_names_its_class(self):
        f = fact("class-course-exempted")
        assert f.in_class and f.class_id == class_id("2024-FZ-SZZF-01") and f.verb == "waived"


class TestCrediting:
    def test_which_statements_credit(self):
        assert rules.crediting_kind(fact("course-completed", assessment=False), DEFAULT) == "course"
        assert rules.crediting_kind(fact("course-completed", assessment=True), DEFAULT) is None
        assert rules.crediting_kind(fact("course-assessment-passed"), DEFAULT) == "course"
        assert rules.crediting_kind(fact("course-assessment-failed"), DEFAULT) is None
        assert rules.crediting_kind(fact("class-course-completed"), DEFAULT) is None
        assert rules.crediting_kind(fact("class-course-assessment-passed"), DEFAULT) is None
        assert rules.crediting_kind(fact("class-assessment-passed"), DEFAULT) == "class"
        assert rules.crediting_kind(fact("class-assessment-failed"), DEFAULT) is None

    def test_hub_recomputes_credit_hours_and_flags_a_mismatch(self):
        f = fact("course-completed", duration=45, assessment=False, credit=0.5,
                 requirement="required")
        (decision,) = rules.course_decisions(
            f, DEFAULT, DEFAULT.place(f.timestamp), None
        )
        assert decision.credit_hours == Decimal(1) and decision.mismatch
        assert decision.stated == Decimal("0.5")

    def test_hunan_elective_half_credit_and_45_minute_hours(self):
        f = fact("course-completed", duration=70, assessment=False, requirement="elective",
                 when="2011-03-01T10:00:00+08:00")
        (decision,) = rules.course_decisions(f, HUNAN, HUNAN.place(f.timestamp), None)
        assert (decision.credit_hours, decision.credits) == (Decimal(2), Decimal(1))

    def test_already_credited_counts_zero_with_the_reason(self):
        f = fact("course-completed", assessment=False)
        prior = Prior("2023", "s-1")
        (decision,) = rules.course_decisions(f, DEFAULT, DEFAULT.place(f.timestamp), prior)
        assert decision.credit_hours == 0 and decision.reason == "already credited in 2023 by s-1"
        assert rules.stands_in_scope(DEFAULT, "2023", "2024")  # scope "ever"

    def test_fujian_window(self):
        f = fact("course-completed", assessment=False, when="2024-12-22T10:00:00+08:00")
        (decision,) = rules.course_decisions(f, FUJIAN, FUJIAN.place(f.timestamp), None)
        assert decision.credit_hours == 0 and "study window" in decision.reason

    def test_class_hours_less_exempted_courses(self):
        f = fact("class-assessment-passed")
        decision = rules.class_decision(f, DEFAULT, DEFAULT.place(f.timestamp), None,
                                        Decimal("0.5"))
        assert decision.credit_hours == Decimal("11.5") and not decision.mismatch


def entry(seq, prev=""):
    e = LedgerEntry(
        trainee_key="t", seq=seq, period_key="2024", kind="course", activity_id="a",
        credit_hours=Decimal("0.5"), credits=Decimal("0.5"), requirement="elective",
        unit="u", policy_id="p", statement_id=f"s{seq}", recorded=NOW, prev_hash=prev,
    )
    return replace(e, hash=ledger.entry_hash(prev, e))


class TestHashChain:
    def test_any_change_breaks_the_hash(self):
        first = entry(1)
        assert ledger.entry_hash("", first) == first.hash
        changed = replace(first, credit_hours=Decimal("5"))
        assert ledger.entry_hash("", changed) != first.hash

    def test_canonical_amounts(self):
        assert ledger.amount(Decimal("1.50")) == "1.5"
        assert ledger.amount(Decimal("1E+1")) == "10"
        assert ledger.amount(Decimal("-0.250")) == "-0.25"

    @pytest.mark.parametrize("problem", ["seq", "link"])
    def test_verify_names_the_first_broken_entry(self, problem):
        first = entry(1)
        second = entry(2, first.hash)
        third = entry(3, second.hash)
        if problem == "seq":
            chain = [first, third]
        else:
            chain = [first, replace(second, prev_hash="x"), third]

        class Fake:
            class archive:  # noqa: N801 - stands in for uow.archive
                @staticmethod
                def ledger(_key, after_seq=0, limit=1000):
                    return [e for e in chain if e.seq > after_seq][:limit]

        result = ledger.verify(Fake(), "t")
        assert not result.ok
        assert result.first_broken == (3 if problem == "seq" else 2)
