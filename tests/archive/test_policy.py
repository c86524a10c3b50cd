"""The credit-policy engine against the three shipped policies (profiles/credit-policies)."""

from __future__ import annotations

import copy
import json
import shutil
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal as D
from pathlib import Path

import pytest

from lrs.config import Settings
from lrs.domain.archive.policy import CreditPolicy, CreditTotals, Period, PolicyError
from lrs.domain.archive.policy_book import PolicyBook, load_policy_book, resolve_policies_dir

POLICIES_DIR = Path(__file__).resolve().parents[2] / "profiles" / "credit-policies"
BEIJING = timezone(timedelta(hours=8))


@pytest.fixture(scope="module")
def book() -> PolicyBook:
    return PolicyBook.load(POLICIES_DIR)


@pytest.fixture(scope="module")
def default(book) -> CreditPolicy:
    return book.get("gbt38856-default")


@pytest.fixture(scope="module")
def hunan(book) -> CreditPolicy:
    return book.get("hunan-2010")


@pytest.fixture(scope="module")
def fujian(book) -> CreditPolicy:
    return book.get("fujian-2017")


def document(slug: str) -> dict:
    return json.loads((POLICIES_DIR / f"{slug}.json").read_text(encoding="utf-8"))


def variant(slug: str, **changes) -> CreditPolicy:
    """A shipped policy with some values changed: period__outsideStudyWindow="counted"."""
    doc = copy.deepcopy(document(slug))
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        target = doc
        for name in parents:
            target = target[name]
        target[last] = value
    return CreditPolicy(doc, slug)


def beijing(*args: int) -> datetime:
    return datetime(*args, tzinfo=BEIJING)


# -- loading ------------------------------------------------------------------------------------


def test_all_three_shipped_policies_load(book):
    assert [p.slug for p in book.all()] == ["fujian-2017", "gbt38856-default", "hunan-2010"]
    fujian = book.get("https://w3id.org/xapi/cadre-training/credit-policies/fujian-2017")
    assert fujian is book.get("fujian-2017")
    assert fujian.name["zh-CN"] == "福建省干部网络培训年度学时政策（2017）"
    assert fujian.document["jurisdiction"]["divisionCode"] == "350000"
    assert str(fujian.timezone) == "Asia/Shanghai"
    assert book.default.slug == "gbt38856-default"


def test_policy_attributes(default, hunan, fujian):
    assert (hunan.valid_from, hunan.valid_until) == (date(2010, 11, 1), date(2011, 10, 31))
    assert (fujian.valid_from, fujian.valid_until) == (date(2017, 1, 18), None)
    assert hunan.bonus_allowed is True
    assert hunan.bonus_extension == "https://w3id.org/xapi/cadre-training/extensions/bonus-credits"
    assert (default.bonus_allowed, default.bonus_extension) == (False, None)
    for policy in (default, hunan, fujian):
        assert policy.exempted_class_courses == "deduct"
        assert policy.no_double_counting_scope == "ever"


def test_load_policy_book_from_settings_finds_the_checkout_policies(monkeypatch, tmp_path):
    assert resolve_policies_dir("profiles/credit-policies").resolve() == POLICIES_DIR
    monkeypatch.chdir(tmp_path)  # not the checkout: found through the source tree
    assert resolve_policies_dir("profiles/credit-policies") == POLICIES_DIR
    book = load_policy_book(
        Settings(credit_policy_assignments="fj=fujian-2017", default_credit_policy="hunan-2010")
    )
    assert book.default.slug == "hunan-2010"
    assert book.for_org("fj/fz", date(2024, 3, 1)).slug == "fujian-2017"


def test_settings_read_the_credit_policy_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("LRS_CREDIT_POLICIES_DIR", str(tmp_path))
    monkeypatch.setenv("LRS_CREDIT_POLICIES", "hn=hunan-2010")
    monkeypatch.setenv("LRS_DEFAULT_CREDIT_POLICY", "fujian-2017")
    settings = Settings.from_env()
    assert settings.credit_policies_dir == str(tmp_path)
    assert settings.credit_policy_assignments == "hn=hunan-2010"
    assert settings.default_credit_policy == "fujian-2017"
    defaults = Settings()
    assert defaults.credit_policies_dir == "profiles/credit-policies"
    assert (defaults.credit_policy_assignments, defaults.default_credit_policy) == (
        "",
        "gbt38856-default",
    )


def test_missing_directory_is_a_policy_error(tmp_path):
    with pytest.raises(PolicyError, match="not found"):
        resolve_policies_dir(str(tmp_path / "nowhere"))
    with pytest.raises(PolicyError, match="schema.json"):
        PolicyBook.load(tmp_path)


@pytest.fixture
def policy_dir(tmp_path) -> Path:
    shutil.copy(POLICIES_DIR / "schema.json", tmp_path / "schema.json")
    shutil.copy(POLICIES_DIR / "gbt38856-default.json", tmp_path / "gbt38856-default.json")
    return tmp_path


def write(directory: Path, name: str, doc: dict) -> None:
    (directory / name).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def test_load_rejects_a_schema_violation_naming_file_and_path(policy_dir):
    broken = document("hunan-2010")
    broken["courseCreditHours"]["method"] = "per-hour"
    write(policy_dir, "broken.json", broken)
    with pytest.raises(PolicyError) as caught:
        PolicyBook.load(policy_dir)
    message = str(caught.value)
    assert "broken.json" in message
    assert "$.courseCreditHours.method" in message
    assert "per-hour" in message
    assert caught.value.path == "$.courseCreditHours.method"


def test_load_rejects_a_missing_required_field(policy_dir):
    broken = document("fujian-2017")
    del broken["targets"]["requireEach"]
    write(policy_dir, "no-require-each.json", broken)
    with pytest.raises(PolicyError, match=r"no-require-each\.json: \$\.targets: .*requireEach"):
        PolicyBook.load(policy_dir)


def test_load_rejects_what_the_schema_cannot_see(policy_dir):
    broken = document("gbt38856-default")
    broken["id"] += "-2"
    broken["courseCreditHours"]["bands"][-1]["maxMinutes"] = 60  # minutes above 60: no band
    write(policy_dir, "bounded.json", broken)
    with pytest.raises(PolicyError, match=r"bounded\.json: \$\.courseCreditHours\.bands\[2\]"):
        PolicyBook.load(policy_dir)


@pytest.mark.parametrize(
    ("section", "key", "value", "path"),
    [
        ("period", "timezone", "Asia/Nowhere", "$.period.timezone"),
        ("period", "studyWindow", {"start": "02-30", "end": "12-20"}, "$.period.studyWindow"),
        ("targets", "unit", "credit", "$.targets.unit"),
    ],
)
def test_load_rejects_semantic_errors(policy_dir, section, key, value, path):
    broken = document("fujian-2017")
    broken[section][key] = value
    write(policy_dir, "bad.json", broken)
    with pytest.raises(PolicyError) as caught:
        PolicyBook.load(policy_dir)
    assert caught.value.path == path
    assert caught.value.file.endswith("bad.json")


def test_load_rejects_text_that_is_not_json(policy_dir):
    (policy_dir / "truncated.json").write_text('{"policyFormat": ', encoding="utf-8")
    with pytest.raises(PolicyError, match=r"truncated\.json: not JSON: .* line 1"):
        PolicyBook.load(policy_dir)


def test_unknown_default_or_assigned_policy_is_refused():
    with pytest.raises(PolicyError, match="unknown credit policy 'zhejiang-2020'"):
        PolicyBook.load(POLICIES_DIR, default="zhejiang-2020")
    with pytest.raises(PolicyError, match="unknown credit policy 'fujian-2018'"):
        PolicyBook.load(POLICIES_DIR, "fj=fujian-2018")
    with pytest.raises(PolicyError, match="PREFIX=POLICY"):
        PolicyBook.load(POLICIES_DIR, "fj:fujian-2017")
    with pytest.raises(PolicyError, match="not an org path"):
        PolicyBook.load(POLICIES_DIR, "fj//fz=fujian-2017")


# -- which policy for which unit ------------------------------------------------------------------


def test_for_org_matches_whole_segments(book):
    book = PolicyBook.load(POLICIES_DIR, "fj=fujian-2017, hn=hunan-2010")
    day = date(2024, 5, 1)
    assert book.for_org("fj/fz/11350100MB0B23456K", day).slug == "fujian-2017"
    assert book.for_org("fj", day).slug == "fujian-2017"
    assert book.for_org("fjx/fz", day).slug == "gbt38856-default"
    assert book.for_org("", day).slug == "gbt38856-default"


def test_for_org_longest_prefix_wins_and_ids_work():
    book = PolicyBook.load(
        POLICIES_DIR,
        {
            "fj": "fujian-2017",
            "fj/xm": "https://w3id.org/xapi/cadre-training/credit-policies/gbt38856-default",
        },
    )
    day = date(2024, 5, 1)
    assert book.for_org("fj/xm/unit", day).slug == "gbt38856-default"
    assert book.for_org("fj/fz/unit", day).slug == "fujian-2017"
    assert book.for_org("fj/xmx", day).slug == "fujian-2017"
    assert [(prefix, p.slug) for prefix, p in book.assignments()] == [
        ("fj", "fujian-2017"),
        ("fj/xm", "gbt38856-default"),
    ]


def test_for_org_honours_validity_dates():
    book = PolicyBook.load(POLICIES_DIR, "hn=hunan-2010,hn/cs=fujian-2017")
    assert book.for_org("hn/cs/unit", date(2011, 5, 1)).slug == "hunan-2010"  # before 2017
    assert book.for_org("hn/yy/unit", date(2010, 11, 1)).slug == "hunan-2010"
    assert book.for_org("hn/yy/unit", date(2011, 10, 31)).slug == "hunan-2010"
    assert book.for_org("hn/yy/unit", date(2010, 10, 31)).slug == "gbt38856-default"
    assert book.for_org("hn/yy/unit", date(2011, 11, 1)).slug == "gbt38856-default"
    assert book.for_org("hn/cs/unit", date(2020, 1, 1)).slug == "fujian-2017"


def test_a_prefix_may_name_successive_policies(policy_dir):
    shutil.copy(POLICIES_DIR / "hunan-2010.json", policy_dir / "hunan-2010.json")
    later = document("hunan-2010")
    later["id"] = later["id"].replace("2010", "2012")
    later["validFrom"], later["validUntil"] = "2012-01-01", None
    later["period"].update(kind="calendar-year", **{"from": None, "to": None})
    write(policy_dir, "hunan-2012.json", later)
    book = PolicyBook.load(policy_dir, "hn=hunan-2010,hn=hunan-2012")
    assert book.for_org("hn/cs", date(2011, 1, 1)).slug == "hunan-2010"
    assert book.for_org("hn/cs", date(2011, 12, 1)).slug == "gbt38856-default"
    assert book.for_org("hn/cs", date(2013, 1, 1)).slug == "hunan-2012"
    with pytest.raises(PolicyError, match="overlapping"):
        PolicyBook.load(policy_dir, "hn=hunan-2012,hn=gbt38856-default")


def test_applies_on(hunan, default):
    assert not hunan.applies_on(date(2010, 10, 31))
    assert hunan.applies_on(date(2010, 11, 1))
    assert hunan.applies_on(date(2011, 10, 31))
    assert not hunan.applies_on(date(2011, 11, 1))
    assert not default.applies_on(date(2021, 1, 31))
    assert default.applies_on(date(2099, 1, 1))


# -- credit-hours and credits ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "hours"),
    [("1", "0.25"), ("15", "0.25"), ("15.5", "0.5"), ("16", "0.5"), ("30", "0.5"),
     ("31", "1"), ("45", "1"), ("240", "1")],
)  # fmt: skip
def test_standard_duration_bands(default, fujian, minutes, hours):
    # GB/T 38856 §3.8: ≤ 15 min → 0.25; > 15 and ≤ 30 → 0.5; > 30 → 1.
    for policy in (default, fujian):
        value = policy.course_credit_hours(duration_minutes=D(minutes), stated=None)
        assert value == D(hours)
        assert str(value) == hours  # exact decimals, no 0.25 → 0.3, no 1.00


@pytest.mark.parametrize(
    ("minutes", "hours"),
    [("15", "0"), ("20", "0"), ("22.5", "1"), ("28", "1"), ("45", "1"), ("60", "1"),
     ("67.5", "2"), ("70", "2"), ("90", "2"), ("112.5", "3")],
)  # fmt: skip
def test_hunan_45_minutes_per_credit_hour_half_up(hunan, minutes, hours):
    # Hunan 第十二条: 一个学时为45分钟; 四舍五入 to whole credit-hours (22.5 min is exactly
    # half a credit-hour and rounds up, unlike banker's rounding).
    assert hunan.course_credit_hours(duration_minutes=D(minutes), stated=None) == D(hours)


def test_hunan_with_half_credit_hour_increment():
    # The reading the policy's note offers as the alternative.
    policy = variant(
        "hunan-2010", courseCreditHours__rounding={"mode": "half-up", "increment": 0.5}
    )
    assert policy.course_credit_hours(duration_minutes=D(70), stated=None) == D("1.5")
    assert policy.course_credit_hours(duration_minutes=D(11), stated=None) == D(0)
    assert policy.course_credit_hours(duration_minutes=D("11.25"), stated=None) == D("0.5")


def test_stated_credit_hours(default, hunan):
    # No duration: the stated value; neither: nothing.
    assert default.course_credit_hours(duration_minutes=None, stated=D("0.5")) == D("0.5")
    assert hunan.course_credit_hours(duration_minutes=None, stated=D(3)) == D(3)
    assert default.course_credit_hours(duration_minutes=None, stated=None) == D(0)
    # A policy without assigned values: the duration wins.
    assert default.course_credit_hours(duration_minutes=D(45), stated=D("0.5")) == D(1)
    # Hunan: the profile's §3.8 value (1 for 70 min) is recomputed from the duration ...
    assert hunan.course_credit_hours(duration_minutes=D(70), stated=D(1)) == D(2)
    # ... but a value that is not §3.8's was assigned (特殊课程将指定学分) and wins.
    assert hunan.course_credit_hours(duration_minutes=D(70), stated=D(3)) == D(3)
    assert hunan.course_credit_hours(duration_minutes=D(20), stated=D("0.5")) == D(0)
    assert hunan.course_credit_hours(duration_minutes=D(20), stated=D("0.25")) == D("0.25")
    # JSON floats from statements are taken exactly.
    assert hunan.course_credit_hours(duration_minutes=None, stated=0.25) == D("0.25")
    with pytest.raises(ValueError, match="duration_minutes"):
        default.course_credit_hours(duration_minutes=D(-1), stated=None)


def test_credits_by_requirement(default, hunan):
    # Hunan 第十二条: required 1 credit per credit-hour, elective 0.5; classes: the required factor.
    assert hunan.credits(D(2), "required") == D(2)
    assert hunan.credits(D(2), "elective") == D(1)
    assert hunan.credits(D(1), "elective") == D("0.5")
    assert hunan.credits(D("11.5"), "class") == D("11.5")
    assert default.credits(D("0.25"), "elective") == D("0.25")
    with pytest.raises(ValueError, match="requirement"):
        hunan.credits(D(1), "optional")


def test_credit_rounding_when_configured():
    policy = variant("hunan-2010", credits__rounding={"mode": "up", "increment": 1})
    assert policy.credits(D(1), "elective") == D(1)
    assert policy.credits(D(4), "elective") == D(2)


@pytest.mark.parametrize(
    ("minutes", "required", "elective"),
    [(15, "0", "0"), (28, "1", "0.5"), (45, "1", "0.5"), (70, "2", "1"), (90, "2", "1")],
)
def test_readme_worked_numbers_for_hunan(hunan, minutes, required, elective):
    hours = hunan.course_credit_hours(duration_minutes=D(minutes), stated=None)
    assert hunan.credits(hours, "required") == D(required)
    assert hunan.credits(hours, "elective") == D(elective)


def test_crediting_trigger(default):
    # GB/T 38856 §8.2.5.
    assert default.crediting_trigger(assessment_required=True) == "on-pass"
    assert default.crediting_trigger(assessment_required=False) == "on-completion"


# -- periods and the study window -----------------------------------------------------------------


def test_fujian_study_window_in_beijing_time(fujian):
    # Fujian 第十四条: study counts 1 Jan – 20 Dec; 21–31 Dec is the statistics period.
    last = fujian.place(beijing(2024, 12, 20, 23, 59))
    assert last.counted and last.period.key == "2024" and last.reason == ""
    first_out = fujian.place(beijing(2024, 12, 21, 0, 0))
    assert not first_out.counted
    assert first_out.period == Period("2024", date(2024, 1, 1), date(2024, 12, 31))
    assert "study window 01-01..12-20" in first_out.reason
    assert "statistics window 12-21..12-31" in first_out.reason
    assert not fujian.place(beijing(2024, 12, 22, 10, 0)).counted
    assert fujian.place(beijing(2025, 1, 1, 0, 0)).counted


def test_utc_timestamps_are_read_in_beijing_time(fujian, default):
    assert fujian.place(datetime(2024, 12, 20, 15, 59, tzinfo=UTC)).counted  # 23:59 Beijing
    assert not fujian.place(datetime(2024, 12, 20, 16, 0, tzinfo=UTC)).counted  # 00:00 on 21st
    new_year = default.place(datetime(2023, 12, 31, 16, 30, tzinfo=UTC))  # 00:30 on 1 Jan
    assert (new_year.period.key, new_year.counted) == ("2024", True)
    assert default.place(datetime(2023, 12, 31, 15, 59, tzinfo=UTC)).period.key == "2023"


def test_place_needs_an_aware_datetime(default):
    with pytest.raises(ValueError, match="aware"):
        default.place(datetime(2024, 1, 1, 12, 0))
    with pytest.raises(ValueError, match="kind"):
        default.place(beijing(2024, 1, 1), kind="resource")


def test_fujian_theme_classes_keep_their_own_dates(fujian):
    # Fujian 第十四条 专题培训视情况而定: themeClassWindow = per-class.
    placed = fujian.place(beijing(2024, 12, 25, 10, 0), kind="class")
    assert (placed.period.key, placed.counted) == ("2024", True)
    follows_window = variant("fujian-2017", period__themeClassWindow="study-window")
    assert not follows_window.place(beijing(2024, 12, 25, 10, 0), kind="class").counted


def test_outside_window_next_period_and_counted():
    nxt = variant("fujian-2017", period__outsideStudyWindow="next-period")
    placed = nxt.place(beijing(2024, 12, 22, 10, 0))
    assert (placed.period.key, placed.counted, placed.reason) == ("2025", True, "")
    assert nxt.place(beijing(2024, 12, 20, 10, 0)).period.key == "2024"
    counted = variant("fujian-2017", period__outsideStudyWindow="counted")
    placed = counted.place(beijing(2024, 12, 22, 10, 0))
    assert (placed.period.key, placed.counted) == ("2024", True)


def test_hunan_fixed_range_period(hunan):
    pilot = Period("2010-11-01..2011-10-31", date(2010, 11, 1), date(2011, 10, 31))
    assert hunan.place(beijing(2010, 11, 1, 0, 0)).period == pilot
    assert hunan.place(beijing(2011, 10, 31, 23, 59)).period == pilot
    after = hunan.place(datetime(2011, 10, 31, 16, 0, tzinfo=UTC))  # 1 Nov, Beijing
    assert (after.period, after.counted) == (None, False)
    assert "2010-11-01..2011-10-31" in after.reason
    assert hunan.period_for("2010-11-01..2011-10-31") == pilot
    assert hunan.current_period(date(2011, 3, 1)) == pilot
    with pytest.raises(ValueError, match="hunan-2010: unknown period '2011'.*2010-11-01"):
        hunan.period_for("2011")


def test_calendar_year_period_keys(default):
    assert default.period_for("2024") == Period("2024", date(2024, 1, 1), date(2024, 12, 31))
    assert default.current_period(date(2025, 7, 1)).key == "2025"
    for bad in ("24", "2024-2025", "0000", ""):
        with pytest.raises(ValueError, match="calendar year"):
            default.period_for(bad)


# -- targets ------------------------------------------------------------------------------------


def test_hunan_targets_met_with_bonus(hunan):
    # README worked example: 26 required + 12 elective + 2 bonus = 40, ≥ 24 required.
    report = hunan.evaluate(CreditTotals(required=D(26), elective=D(12), bonus=D(2)))
    assert report.unit == "credit"
    assert report.targets == {"total": D(40), "required": D(24), "elective": None}
    assert (report.met, report.shortfall, report.certificate) == (True, {}, False)


def test_hunan_required_part_short(hunan):
    # 22 + 16 + 2 = 40 but the bonus does not count towards the 24 required (policy note).
    report = hunan.evaluate(CreditTotals(required=D(22), elective=D(16), bonus=D(2)))
    assert report.met is False
    assert report.shortfall == {"required": D(2)}
    assert report.achieved == {"total": D(40), "required": D(22), "elective": D(16)}


def test_hunan_total_and_required_short(hunan):
    report = hunan.evaluate(CreditTotals(required=D("20.5"), elective=D("3.5"), classes=D(6)))
    assert report.shortfall == {"total": D(10), "required": D("3.5")}


def test_no_numbers_means_met_is_none(default, fujian):
    report = default.evaluate(CreditTotals(required=D(100)))
    assert (report.met, report.shortfall, report.certificate) == (None, {}, False)
    assert fujian.evaluate(CreditTotals()).met is None


def test_fujian_certificate_when_the_plan_targets_are_met(fujian, default):
    plan = {"total": D(50), "required": D(30), "elective": D(20)}
    report = fujian.evaluate(CreditTotals(required=D(30), elective=D(20)), plan=plan)
    assert (report.met, report.certificate) == (True, True)
    # The same numbers under the default policy: met, but it issues no yearly certificate.
    assert (
        default.evaluate(CreditTotals(required=D(30), elective=D(20)), plan=plan).certificate
        is False
    )


def test_require_each(fujian, default):
    # Fujian 第七条: required and elective credits must each be completed.
    plan = {"total": D(50), "required": D(30), "elective": D(20)}
    totals = CreditTotals(required=D(35), elective=D("17.75"), classes=D(5))
    report = fujian.evaluate(totals, plan=plan)
    assert (report.met, report.certificate) == (False, False)
    assert report.shortfall == {"elective": D("2.25")}
    # Without requireEach the elective number is a guide: extra required credits make up for it.
    assert default.evaluate(totals, plan=plan).met is True


def test_bonus_ignored_where_not_allowed(default):
    report = default.evaluate(CreditTotals(required=D(9), bonus=D(5)), plan={"total": D(10)})
    assert report.achieved["total"] == D(9)
    assert report.shortfall == {"total": D(1)}


def test_plan_does_not_override_fixed_numbers(hunan):
    report = hunan.evaluate(CreditTotals(required=D(30), elective=D(10)), plan={"total": D(99)})
    assert report.targets["total"] == D(40)
    assert report.met is True
    with pytest.raises(ValueError, match="plan"):
        hunan.evaluate(CreditTotals(), plan={"bonus": D(1)})


def test_credit_totals_arithmetic():
    totals = CreditTotals(D("0.25"), D("0.5"), D("11.5"), D(2))
    assert totals.total == D("14.25")
    assert (totals + CreditTotals(required=D("0.75"))).required == D(1)
    assert CreditTotals().total == 0
