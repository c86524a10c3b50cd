"""The management console over real HTTP (Flask test client): login, sessions, CSRF,
idle timeout, role-aware pages and their boundaries, exports equal to the API's."""

from __future__ import annotations

import io
import time

import pytest
from openpyxl import load_workbook

from tests.archive.conftest import FZ, HOME_A, UNIT_CZ, UNIT_FGW, build, key_of
from tests.archive.test_archive_http import WW, ZS, register
from tests.console.conftest import csrf


@pytest.fixture
def scenario(admin, drain):
    register(admin, ZS, UNIT_FGW, (HOME_A, "fz-fgw-0007"))
    register(admin, WW, UNIT_CZ, (HOME_A, "fz-cz-0031"), name="王五")
    admin.send(build("course-completed", course="K1", duration=28, assessment=False),
               build("course-completed", course="K2", duration=45, assessment=False,
                     requirement="required"))
    drain()


class TestLogin:
    def test_pages_need_a_login(self, app):
        res = app.test_client().get("/console/overview")
        assert res.status_code == 302 and "/console/login" in res.headers["Location"]

    def test_cookie_is_httponly_samesite_strict_and_holds_no_secret(self, browser):
        b = browser(login=False)
        res = b.login()
        assert res.status_code == 302 and res.headers["Location"] == "/console/"
        cookie = res.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert "Path=/console" in cookie and "Secure" not in cookie
        assert b.secret not in cookie

    def test_wrong_secret_revoked_or_unscoped_credentials_cannot_log_in(
            self, browser, store):
        b = browser(login=False)
        res = b.login(secret="wrong")
        assert res.status_code == 401 and "凭据无效" in res.get_data(as_text=True)
        assert b.get("/console/").status_code == 302
        writer = browser(scopes="statements/write", login=False)
        assert writer.login().status_code == 401  # no trainees/read: no archive pages

    def test_a_revoked_credential_is_logged_out_at_once(self, browser, store):
        b = browser()
        assert b.get("/console/overview?period=2024").status_code == 200
        with store.transaction() as uow:
            uow.credentials.revoke(b.credential.key)
        assert b.get("/console/overview?period=2024").status_code == 302

    def test_forms_without_the_csrf_token_are_refused(self, browser):
        b = browser()
        res = b.http.post("/console/logout", data={})
        assert res.status_code == 403 and "CSRF" in res.get_data(as_text=True)
        assert b.get("/console/").status_code == 302  # still logged in: /console/ → home
        assert b.get("/console/overview").status_code == 200
        token = csrf(b.text("/console/overview"))
        assert b.http.post("/console/logout", data={"csrf_token": token}).status_code == 302
        assert b.get("/console/overview").status_code == 302

    def test_login_form_itself_needs_its_token(self, browser):
        b = browser(login=False)
        res = b.http.post("/console/login", data={"key": b.credential.key, "secret": b.secret})
        assert res.status_code == 403

    def test_idle_timeout(self, browser, monkeypatch):
        b = browser()
        assert b.get("/console/overview").status_code == 200
        later = time.time() + 31 * 60  # the default idle limit is 30 minutes
        monkeypatch.setattr(time, "time", lambda: later)
        res = b.get("/console/overview")
        assert res.status_code == 302
        assert "会话因长时间未操作已超时" in b.text("/console/login")

    def test_next_is_only_followed_within_the_console(self, browser):
        b = browser(login=False)
        page = b.http.get("/console/login")
        res = b.http.post("/console/login?next=//evil.example/x", data={
            "csrf_token": csrf(page.get_data(as_text=True)),
            "key": b.credential.key, "secret": b.secret})
        assert res.headers["Location"] == "/console/"


class TestPagesByRole:
    def test_department_overview_with_svg_charts_and_drill_down(self, browser, scenario):
        b = browser(role="department", unit=FZ)
        assert b.get("/console/").headers["Location"] == "/console/overview"
        html = b.text("/console/overview?period=2024")
        assert "管理部门汇总：fj/fz" in html and html.count("<svg") == 2
        assert 'id="overall-trainees">2<' in html and 'id="overall-credits">1.5<' in html
        assert f"/console/units/{UNIT_FGW}?period=2024" in html
        assert "张三" not in html  # the overview has no names
        drill = b.text(f"/console/overview?org={UNIT_FGW}&period=2024")
        assert 'id="overall-trainees">1<' in drill

    def test_unit_page_with_targets_and_shortfalls(self, browser, scenario):
        b = browser(role="unit", unit=UNIT_FGW)
        assert b.get("/console/").headers["Location"] == f"/console/units/{UNIT_FGW}"
        html = b.text(f"/console/units/{UNIT_FGW}?period=2024")
        assert "张三" in html and "王五" not in html
        assert 'id="unit-trainees">1<' in html
        assert f"/console/trainees/{key_of(ZS)}?period=2024" in html

    def test_trainee_page_with_ledger_verification(self, browser, scenario):
        b = browser(role="trainee", trainee=key_of(ZS))
        assert b.get("/console/").headers["Location"] == f"/console/trainees/{key_of(ZS)}"
        html = b.text(f"/console/trainees/{key_of(ZS)}?period=2024")
        assert 'id="trainee-credits">1.5<' in html
        assert "账本校验通过：2 条记录" in html
        assert 'id="target-chart"' in html and "年度目标完成情况" in html

    def test_security_headers_and_no_cors(self, browser):
        res = browser().get("/console/overview")
        assert "frame-ancestors 'none'" in res.headers["Content-Security-Policy"]
        assert "Access-Control-Allow-Origin" not in res.headers
        assert res.headers["Cache-Control"] == "no-store"


class TestBoundaries:
    def test_a_unit_cannot_open_another_units_pages_by_url(self, browser, scenario):
        b = browser(role="unit", unit=UNIT_CZ)
        for path in (f"/console/units/{UNIT_FGW}", f"/console/units/{UNIT_FGW}?format=xlsx",
                     f"/console/overview?org={FZ}", f"/console/overview?org={FZ}&format=csv"):
            res = b.get(path)
            assert res.status_code == 403, path
            assert "无法显示此页面（403）" in res.get_data(as_text=True)
        # A trainee outside scope looks exactly like an unknown key (issue 12.7).
        res = b.get(f"/console/trainees/{key_of(ZS)}")
        assert res.status_code == 404
        assert "无法显示此页面（404）" in res.get_data(as_text=True)
        assert "张三" not in res.get_data(as_text=True)
        assert b.get(f"/console/trainees/{key_of(WW)}").status_code == 200

    def test_a_trainee_sees_only_itself(self, browser, scenario):
        b = browser(role="trainee", trainee=key_of(WW))
        assert b.get(f"/console/trainees/{key_of(ZS)}").status_code == 404  # as unknown
        assert b.get(f"/console/units/{UNIT_CZ}").status_code == 403
        assert b.get("/console/trainees/not-a-key").status_code == 404

    def test_bad_input_names_the_field(self, browser, scenario):
        b = browser(role="department", unit=FZ)
        res = b.get("/console/overview?period=twenty")
        assert res.status_code == 400 and "period" in res.get_data(as_text=True)
        res = b.get("/console/overview?format=pdf")
        assert res.status_code == 406 and "format" in res.get_data(as_text=True)


class TestExports:
    def test_unit_xlsx_link_equals_the_api(self, browser, client, scenario):
        b = browser(role="unit", unit=UNIT_FGW)
        html = b.text(f"/console/units/{UNIT_FGW}?period=2024")
        assert "format=xlsx" in html and "format=csv" in html
        res = b.get(f"/console/units/{UNIT_FGW}?period=2024&format=xlsx")
        assert res.status_code == 200 and "attachment" in res.headers["Content-Disposition"]
        rows = list(load_workbook(io.BytesIO(res.get_data())).active.iter_rows(values_only=True))
        api = client(role="unit", unit=UNIT_FGW).get(
            f"/xapi/archives/units/{UNIT_FGW}/report?period=2024").get_json()
        (item,) = api["trainees"]
        got = dict(zip(rows[0], rows[1], strict=True))
        assert got["姓名"] == item["name"] and str(got["总学分"]) == item["credits"]["total"]

    def test_overview_csv_has_a_bom_and_chinese_headers(self, browser, scenario):
        b = browser(role="department", unit=FZ)
        data = b.get("/console/overview?period=2024&format=csv").get_data()
        assert data.startswith("\ufeff下级单位,在册学员".encode())


def test_api_docs_page_and_its_vendored_assets_are_served(app):
    http = app.test_client()
    page = http.get("/console/api-docs").get_data(as_text=True)
    assert 'data-spec="/xapi/openapi.json"' in page and "cdn" not in page.lower()
    for asset in ("swagger-ui/swagger-ui-bundle.js", "swagger-ui/swagger-ui.css",
                  "swagger-init.js"):
        res = http.get(f"/console/static/{asset}")
        assert res.status_code == 200 and len(res.get_data()) > 100, asset
        res.close()


def test_progress_chart_marks_met_targets_and_escapes_labels():
    from decimal import Decimal

    from lrs.console.charts import progress_chart

    svg = str(progress_chart("目标", [("必修<b>", Decimal("26"), Decimal("24")),
                                      ("选修", Decimal("3"), Decimal("12"))]))
    assert svg.count('fill="#2e7d32"') == 1 and svg.count('fill="#b22222"') == 1
    assert "26 / 24" in svg and "3 / 12" in svg and "<b>" not in svg and "&lt;b&gt;" in svg
