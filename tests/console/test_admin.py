"""Console admin pages: credentials created and revoked through forms with CSRF tokens,
within the admin's org only; other roles are refused."""

from __future__ import annotations

import re

from tests.archive.conftest import FZ, UNIT_FGW
from tests.console.conftest import csrf


def test_create_log_in_with_and_revoke_a_unit_credential(browser, store):
    b = browser()  # scopes "all", no role: admin at the root
    page = b.text("/console/admin")
    assert "档案投影状态" in page and "待处理事件 0 个" in page
    res = b.http.post("/console/admin/credentials", data={
        "csrf_token": csrf(page), "name": "福州发改委联络员", "org": "", "role": "unit",
        "unit": UNIT_FGW, "scopes": ["trainees/read", "trainees/write"]})
    assert res.status_code == 201
    html = res.get_data(as_text=True)
    key = re.search(r"密钥 <code>([0-9a-f]+)</code>", html).group(1)
    secret = re.search(r'id="new-secret">([^<]+)<', html).group(1)
    with store.read() as uow:
        made = uow.credentials.get(key)
    assert made.settings["role"] == "unit" and made.settings["unit"] == UNIT_FGW
    assert made.scopes == ("trainees/read", "trainees/write") and secret not in made.secret_hash
    liaison = browser(login=False)
    assert liaison.login(key, secret).status_code == 302
    assert liaison.get("/console/").headers["Location"] == f"/console/units/{UNIT_FGW}"
    assert liaison.get("/console/admin").status_code == 403  # not an admin
    revoked = b.http.post(f"/console/admin/credentials/{key}/revoke",
                          data={"csrf_token": csrf(html)})
    assert revoked.status_code == 200 and "已吊销" in revoked.get_data(as_text=True)
    assert liaison.get(f"/console/units/{UNIT_FGW}").status_code == 302  # logged out


def test_bad_forms_name_the_field_and_store_nothing(browser, store):
    b = browser()
    token = csrf(b.text("/console/admin"))
    with store.read() as uow:
        before = len(uow.credentials.list_credentials())
    for data, field in (
        ({"name": "x", "role": "unit", "scopes": ["all/read"]}, "unit"),
        ({"name": "x", "scopes": ["everything"]}, "scopes"),
        ({"name": "x"}, "scopes"),
        ({"name": " ", "scopes": ["all/read"]}, "name"),
        ({"name": "x", "role": "trainee", "trainee": "", "scopes": ["all/read"]}, "trainee"),
    ):
        res = b.http.post("/console/admin/credentials", data={"csrf_token": token, **data})
        assert res.status_code == 400, data
        assert f"字段：{field}" in res.get_data(as_text=True), data
    with store.read() as uow:
        assert len(uow.credentials.list_credentials()) == before
    res = b.http.post("/console/admin/credentials",
                      data={"name": "x", "scopes": ["all/read"]})
    assert res.status_code == 403  # no CSRF token


def test_an_admin_of_an_org_stays_inside_it(browser, store):
    b = browser(org=FZ)
    token = csrf(b.text("/console/admin"))
    res = b.http.post("/console/admin/credentials", data={
        "csrf_token": token, "name": "x", "org": "fj/xm", "scopes": ["all/read"]})
    assert res.status_code == 400 and "字段：org" in res.get_data(as_text=True)
    outside = browser(org="fj/xm")
    res = b.http.post(f"/console/admin/credentials/{outside.credential.key}/revoke",
                      data={"csrf_token": token})
    assert res.status_code == 404
    assert outside.credential.key not in b.text("/console/admin")


def test_other_roles_cannot_open_admin_pages(browser):
    for settings in ({"role": "department", "unit": FZ}, {"role": "unit", "unit": UNIT_FGW}):
        b = browser(**settings)
        assert b.get("/console/admin").status_code == 403
        token = csrf(b.text("/console/overview" if settings["role"] == "department"
                            else f"/console/units/{UNIT_FGW}"))
        res = b.http.post("/console/admin/credentials", data={
            "csrf_token": token, "name": "x", "scopes": ["all"]})
        assert res.status_code == 403
    reader = browser(scopes="all/read")  # admin role, but without "all"
    assert reader.get("/console/admin").status_code == 403
