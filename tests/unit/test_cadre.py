"""lrs.domain.cadre: the one copy of the cadre-training vocabulary and the §3.8 rule."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest

from lrs.domain import cadre
from lrs.domain.archive.policy_book import PolicyBook
from lrs.domain.profiles.semantics import course_credit_hours

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("minutes", "hours"),
    [(D("0.5"), "0.25"), (15, "0.25"), (15.01, "0.5"), (D(30), "0.5"), ("30.5", "1"), (600, "1")],
)
def test_standard_credit_hours_are_exact_decimals(minutes, hours):
    value = cadre.standard_credit_hours(minutes)
    assert isinstance(value, D) and value == D(hours)
    assert course_credit_hours(minutes) == value  # the profile check uses the same rule


def test_dec_keeps_json_numbers_exact_and_names_what_is_not_one():
    assert cadre.dec(0.1) == D("0.1") and cadre.dec("2.50") == D("2.50") and cadre.dec(3) == D(3)
    for wrong in (None, True, [], {}):
        with pytest.raises(TypeError, match="not a number"):
            cadre.dec(wrong)
    assert cadre.dec_or_zero(None) == 0 and cadre.dec_or_zero("0.25") == D("0.25")


def test_the_default_credit_policy_is_the_standard_rule():
    policy = PolicyBook.load(REPO / "profiles" / "credit-policies").get("gbt38856-default")
    bands = json.loads((REPO / "profiles/credit-policies/gbt38856-default.json").read_text())
    as_read = tuple(
        (None if upper is None else cadre.dec(upper), cadre.dec(b["creditHours"]))
        for b in bands["courseCreditHours"]["bands"]
        for upper in [b["maxMinutes"]]
    )
    assert as_read == cadre.STANDARD_BANDS
    for minutes in (1, 15, 16, 30, 31, 240):
        standard = cadre.standard_credit_hours(minutes)
        assert policy.course_credit_hours(duration_minutes=D(minutes), stated=None) == standard


def test_every_name_is_a_concept_of_the_shipped_profile():
    profile = json.loads((REPO / "profiles/cadre-training/v1.0.jsonld").read_text("utf-8"))
    concepts = {c["id"] for c in profile["concepts"]}
    names = [
        cadre.AGREED_ID_EXTENSION, cadre.UNIT_CODE_EXTENSION, cadre.COURSE_DURATION,
        cadre.COURSE_CREDIT_HOURS, cadre.ASSESSMENT_REQUIRED, cadre.CREDIT_HOURS_EARNED,
        cadre.COURSE, cadre.THEME_CLASS, cadre.COURSE_ASSESSMENT, cadre.CLASS_ASSESSMENT,
        cadre.CERTIFICATE, cadre.ELECTIVE_PROGRAMME,
    ]
    assert [n for n in names if n not in concepts] == []
    assert profile["id"] == cadre.PROFILE
    assert cadre.PROFILE_VERSION in {v["id"] for v in profile["versions"]}
    templates = {t["id"] for t in profile["templates"]}
    assert cadre.TEMPLATES + "course-completed" in templates
