"""The console's English switch: Chinese by default, ``?lang=en`` kept in a cookie; the
navigation, headings, table headers and the login page in English."""

from __future__ import annotations

import glob
import re
from pathlib import Path

import lrs.console
from lrs.console.i18n_en import ENGLISH
from lrs.domain.identity.roles import ROLES
from tests.archive.conftest import UNIT_FGW
from tests.console.conftest import csrf

TEMPLATES = Path(lrs.console.__file__).parent / "templates" / "console"


def test_every_template_string_has_an_english_translation():
    used = {m for f in glob.glob(str(TEMPLATES / "*.html"))
            for m in re.findall(r'_\("([^"]+)"', Path(f).read_text(encoding="utf-8"))}
    assert len(used) > 100
    assert sorted(used - set(ENGLISH)) == []
    # Placeholders survive translation.
    for text in used:
        assert set(re.findall(r"\{\w+\}", text)) == set(re.findall(r"\{\w+\}", ENGLISH[text]))


def test_role_names_and_login_errors_are_translated():
    from lrs.console.blueprint import ROLE_NAMES
    assert set(ROLE_NAMES) == set(ROLES)
    assert all(name in ENGLISH for name in ROLE_NAMES.values())
    assert "凭据无效、已吊销或无权查看学习档案" in ENGLISH


def test_login_page_is_chinese_by_default_and_english_on_request(app):
    http = app.test_client()
    zh = http.get("/console/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in zh and "凭据密钥（key）" in zh and "Credential key" not in zh
    assert 'id="lang-switch"' in zh and ">English</a>" in zh
    res = http.get("/console/login?lang=en")
    en = res.get_data(as_text=True)
    assert '<html lang="en">' in en and "Credential key" in en and "Log in" in en
    assert "凭据密钥" not in en and ">中文</a>" in en
    cookie = res.headers["Set-Cookie"]
    assert "lrs_console_lang=en" in cookie and "Path=/console" in cookie
    # The cookie keeps the choice; a failed login answers in English too.
    page = http.get("/console/login").get_data(as_text=True)
    assert "Credential key" in page
    bad = http.post("/console/login", data={"csrf_token": csrf(page), "key": "k",
                                            "secret": "wrong"})
    assert bad.status_code == 401 and "Invalid or revoked credential" in bad.get_data(as_text=True)
    back = http.get("/console/login?lang=zh").get_data(as_text=True)
    assert "凭据密钥（key）" in back
    assert "凭据密钥（key）" in http.get("/console/login").get_data(as_text=True)
    # Anything else is ignored: Chinese stays the default.
    assert "凭据密钥（key）" in app.test_client().get("/console/login?lang=fr").get_data(
        as_text=True)


def test_pages_in_english_navigation_headings_and_headers(browser):
    admin = browser()
    html = admin.text("/console/admin?lang=en")
    assert "Administration</a>" in html and "Statements</a>" in html and "Log out" in html
    assert "<h2>Gateway status</h2>" in html and "<th>Checkpoint</th>" in html
    assert "Administrator" in html and "系统管理员 ·" not in html
    overview = admin.text("/console/overview")  # the cookie remembers
    assert "<h1>Department summary" in overview and "<th>Child unit</th>" in overview
    unit = browser("trainees/read", role="unit", unit=UNIT_FGW)
    zh = unit.text(f"/console/units/{UNIT_FGW}")
    assert "<h1>单位学员学时" in zh and "<th>学员编号</th>" in zh  # its own choice: Chinese
    en = unit.text(f"/console/units/{UNIT_FGW}?lang=en")
    assert "<h1>Trainee hours of the unit" in en and "<th>Trainee ID</th>" in en
    assert "Trainee&#39;s unit (liaison)" in en or "Trainee's unit (liaison)" in en
