"""The admin's statement browser: the xAPI filters, keyset pages, field-named errors."""

from __future__ import annotations

import re

from tests.archive.conftest import HOME_A, UNIT_FGW, build
from tests.archive.test_archive_http import ZS, register

COMPLETED = "http://adlnet.gov/expapi/verbs/completed"


def test_filters_pages_and_errors(admin, browser, monkeypatch):
    register(admin, ZS, UNIT_FGW, (HOME_A, "fz-fgw-0007"))
    sent = [build("course-completed", course=f"P{n}", duration=28, assessment=False)
            for n in range(3)]
    admin.send(*sent)
    b = browser()
    html = b.text("/console/statements")
    ids = re.findall(r"<code>([0-9a-f-]{36})</code>", html)
    assert set(ids) >= {s["id"] for s in sent}
    verb = sent[0]["verb"]["id"]
    only = b.text(f"/console/statements?verb={verb}&activity=http://example.gov.cn/none")
    assert re.findall(r"<code>([0-9a-f-]{36})</code>", only) == []
    monkeypatch.setattr("lrs.console.statements.PAGE", 2)
    first = b.text("/console/statements")
    link = re.search(r'id="next-page" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = b.text(link)
    got = re.findall(r"<code>([0-9a-f-]{36})</code>", first + second)
    assert len(got) == len(set(got)) == 3
    for query, field in (("since=yesterday", "since"), ("verb=not an iri", "verb"),
                         ("registration=x", "registration"), ("after=-1", "after")):
        res = b.get(f"/console/statements?{query}")
        assert res.status_code == 400 and f"字段：{field}" in res.get_data(as_text=True)


def test_only_admins_who_read_statements(browser):
    assert browser(role="department", unit="fj").get("/console/statements").status_code == 403
    assert browser(scopes="all/read,trainees/read", role="admin").get(
        "/console/statements").status_code == 200
    assert browser(scopes="trainees/read", role="admin").get(
        "/console/statements").status_code == 403
