"""The import report page lists refused rows and conflicts each in its own table, only
when there are some (console/import.html's ``rows`` macro)."""

from __future__ import annotations

import pytest
from flask import render_template

from lrs.app import create_app
from lrs.config import Settings


@pytest.fixture
def render(tmp_path, store):
    app = create_app(Settings(data_dir=tmp_path, identity_secret="s" * 32), store=store)

    def page(refused: list[dict], conflicts: list[dict]) -> str:
        report = {"accepted": 1, "updated": 0, "unchanged": 0, "refused": refused,
                  "conflicts": conflicts}
        with app.test_request_context("/console/"):
            html = render_template("console/import.html", unit="fj/fz", filename="名单.csv",
                                   report=report)
        return html[html.index("<h1>"):]

    return page


def test_each_list_in_its_table(render):
    html = render([{"row": 3, "reason": "单位不在本单位之内"}], [{"row": 4, "conflict": "c-17"}])
    refused = html[html.index('<table id="refused">'):html.index('<table id="conflicts">')]
    assert "<th>行号</th><th>原因</th>" in refused
    assert "<tr><td>3</td><td>单位不在本单位之内</td></tr>" in refused
    conflicts = html[html.index('<table id="conflicts">'):]
    assert "<th>行号</th><th>冲突编号</th>" in conflicts
    assert "<tr><td>4</td><td>c-17</td></tr>" in conflicts
    assert html.index("被拒绝的行") < html.index("身份冲突（待处理）")


def test_no_table_for_an_empty_list(render):
    html = render([], [{"row": 4, "conflict": "c-17"}])
    assert 'id="refused"' not in html and "被拒绝的行" not in html
    assert 'id="conflicts"' in html
    assert "<table" not in render([], [])
