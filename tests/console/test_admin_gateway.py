"""The admin page's gateway status: jobs with checkpoint, lag, errors and dead letters,
and the open dead letters, within the admin's org as /xapi/gateway/status shows them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from lrs.domain.gateway import jobs
from lrs.services import services
from lrs.storage.port import DeadLetter

T0 = datetime(2026, 5, 1, 8, 30, tzinfo=UTC)


def _jobs(app, store):
    settings = services(app).settings
    for name, org in (("fj-pull", "fj/fz"), ("hn-pull", "hn")):
        jobs.add_pull_job(store, settings, name=name, endpoint="http://127.0.0.1:9/xapi",
                          key="k", secret="s", org=org)
    jobs.update_state(store, "fj-pull", {
        "lastStored": "2026-05-01T08:00:00.000Z", "caughtUp": True,
        "lastRunAt": "2026-05-01T08:31:00.000Z",
        "lastError": {"message": "远端返回 503", "at": "2026-05-01T08:31:00.000Z"},
        "consecutiveFailures": 2}, add={"received": 12, "stored": 10, "duplicates": 2,
                                        "errors": 2})
    with store.transaction() as uow:
        uow.gateway.put_dead_letter(DeadLetter("d1", "fj-pull", "stmt-fj", "语句不合规",
                                               org="fj/fz", created=T0, updated=T0))
        uow.gateway.put_dead_letter(DeadLetter("d2", "hn-pull", "stmt-hn", "别的省",
                                               org="hn", created=T0, updated=T0))


def test_admin_sees_its_orgs_gateway_jobs_and_dead_letters(app, store, browser):
    _jobs(app, store)
    html = browser(org="fj").text("/console/admin")
    assert "网关状态" in html and "档案投影状态" in html
    assert "fj-pull" in html and "hn-pull" not in html
    assert "2026-05-01T08:00:00.000Z" in html  # the checkpoint
    assert "已追平" in html and "远端返回 503" in html and "10" in html
    letters = html[html.index('id="dead-letters"'):]
    assert re.search(r"<td>fj-pull</td><td><code>stmt-fj</code></td><td>语句不合规</td><td>1</td>",
                     letters)
    assert "stmt-hn" not in html
    root = browser().text("/console/admin")
    assert "fj-pull" in root and "hn-pull" in root and "stmt-hn" in root


def test_no_jobs_says_so(browser):
    html = browser().text("/console/admin")
    assert "没有网关作业" in html and "没有待处理的死信" in html
