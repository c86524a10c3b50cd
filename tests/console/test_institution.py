"""The institution page (培训机构) over HTTP: what its statements earned, their profile
violations and its gateway jobs, org-scoped, with XLSX/CSV exports of each table."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from lrs.domain.gateway import jobs
from lrs.services import services
from lrs.storage.port import DeadLetter, Violation
from tests.archive.conftest import HOME_A, UNIT_CZ, UNIT_FGW, build, course_id
from tests.archive.test_archive_http import WW, ZS, register

PLATFORM = "plat/a"
T0 = datetime(2024, 5, 1, tzinfo=UTC)


@pytest.fixture
def scenario(app, store, admin, client, drain):
    register(admin, ZS, UNIT_FGW, (HOME_A, "fz-fgw-0007"))
    register(admin, WW, UNIT_CZ, (HOME_A, "fz-cz-0031"), name="王五")
    # The platform's statements: ZS completes K1 through its credential (org plat/a) ...
    platform = client("statements/write", PLATFORM, role="institution")
    platform.send(build("course-completed", course="K1", duration=28, assessment=False))
    # ... another org's statements must not show on its page.
    admin.send(build("course-completed", course="K2", duration=45, assessment=False,
                     requirement="required"))
    drain()
    with store.transaction() as uow:
        uow.violations.add([
            Violation("s-mine", "http://p/1", "http://p/1#t", "rules[0]", "缺少 result.score",
                      "$.result.score", None, PLATFORM, T0),
            Violation("s-other", "http://p/1", "http://p/1#t", "rules[1]", "不属于本机构",
                      "$.verb", None, "other", T0),
        ])
    settings = services(app).settings
    jobs.add_pull_job(store, settings, name="plat-pull", endpoint="http://127.0.0.1:9/xapi",
                      key="k", secret="s", org=PLATFORM)
    jobs.add_pull_job(store, settings, name="other-pull", endpoint="http://127.0.0.1:9/xapi",
                      key="k", secret="s", org="other")
    jobs.update_state(store, "plat-pull", {
        "lastStored": "2024-05-01T00:00:00.000Z", "caughtUp": False,
        "lastError": {"message": "连接被拒绝", "at": "2024-05-01T00:00:00Z"},
        "consecutiveFailures": 3}, add={"errors": 3, "received": 7})
    with store.transaction() as uow:
        uow.gateway.put_dead_letter(DeadLetter("dl1", "plat-pull", "stmt-1", "格式错误",
                                               org=PLATFORM, created=T0, updated=T0))


def test_home_sends_an_institution_to_its_page(browser, scenario):
    inst = browser("trainees/read,statements/read", PLATFORM, role="institution")
    res = inst.get("/console/")
    assert res.status_code == 302 and res.headers["Location"].endswith("/console/institution")


def test_the_page_shows_only_what_its_own_statements_earned(browser, scenario):
    inst = browser("trainees/read,statements/read", PLATFORM, role="institution")
    html = inst.text("/console/institution?period=2024")
    assert "培训机构：plat/a" in html
    assert course_id("K1") in html
    assert course_id("K2") not in html  # the admin's statement earned K2
    assert "张*" in html and "张三" not in html  # names masked for an institution
    assert "王*" not in html  # no statement of this platform about 王五
    assert "缺少 result.score" in html and "不属于本机构" not in html
    assert "plat-pull" in html and "other-pull" not in html
    assert "连接被拒绝" in html and "追赶中" in html


def test_exports_of_each_table(browser, scenario):
    inst = browser("trainees/read,statements/read", PLATFORM, role="institution")
    res = inst.get("/console/institution?period=2024&format=xlsx&table=activities")
    assert res.status_code == 200
    assert res.headers["Content-Disposition"].endswith('-activities-2024.xlsx"')
    sheet = load_workbook(io.BytesIO(res.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("类别", "课程编号", "学员数", "已计入人数")
    assert [r[6] for r in rows[1:]] == [course_id("K1")] and rows[1][2] == 1
    people = inst.get("/console/institution?period=2024&format=csv&table=trainees")
    text = people.data.decode("utf-8-sig")
    assert text.startswith("学员编号,姓名") and "张*" in text and "张三" not in text
    gateway = inst.get("/console/institution?format=csv&table=gateway").data.decode("utf-8-sig")
    assert "plat-pull" in gateway and "other-pull" not in gateway and "连接被拒绝" in gateway
    line = next(x for x in gateway.splitlines() if x.startswith("plat-pull"))
    assert line.split(",")[14] == "1"  # one open dead letter
    violations = inst.get("/console/institution?format=csv&table=violations")
    assert "s-mine" in violations.data.decode("utf-8-sig")
    assert "s-other" not in violations.data.decode("utf-8-sig")


def test_bad_table_or_foreign_org_is_refused_by_name(browser, scenario):
    inst = browser("trainees/read,statements/read", PLATFORM, role="institution")
    bad = inst.get("/console/institution?format=csv&table=secrets")
    assert bad.status_code == 400 and "table" in bad.get_data(as_text=True)
    assert inst.get("/console/institution?org=other").status_code == 403
    assert inst.get("/console/institution?org=plat/a/b").status_code == 200


def test_without_statements_read_no_violations_or_jobs(browser, scenario):
    inst = browser("trainees/read", PLATFORM, role="institution")
    html = inst.text("/console/institution?period=2024")
    assert course_id("K1") in html and "plat-pull" not in html and "缺少 result.score" not in html
    assert "需要 statements/read 权限" in html


def test_an_admin_may_open_any_institution_and_a_unit_may_not(browser, scenario):
    admin = browser()
    html = admin.text(f"/console/institution?org={PLATFORM}&period=2024")
    assert course_id("K1") in html and course_id("K2") not in html
    unit = browser("trainees/read", role="unit", unit=UNIT_FGW)
    assert unit.get("/console/institution").status_code == 403


def test_long_tables_are_cut_on_the_page_but_not_in_the_export(browser, store, monkeypatch):
    from lrs.console import institution as page
    from lrs.storage.port import ArchiveRow

    monkeypatch.setattr(page, "ROWS_SHOWN", 3)
    with store.transaction() as uow:
        for n in range(5):
            uow.archive.save_row(ArchiveRow("course", f"{n:064x}", "2024", f"http://x/c/{n}",
                                            "fj/u", "inst", PLATFORM, {"credited": True}))
    inst = browser("trainees/read", PLATFORM, role="institution")
    html = inst.text("/console/institution?period=2024")
    assert "仅显示前 3 行（共 5 行），完整数据请导出。" in html
    assert "http://x/c/2" in html and "http://x/c/3" not in html
    csv = inst.get("/console/institution?period=2024&format=csv").data.decode("utf-8-sig")
    assert all(f"http://x/c/{n}" in csv for n in range(5))
