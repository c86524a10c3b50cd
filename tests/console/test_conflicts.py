"""Identity conflicts in the console: listed with masked names within the reader's scope,
resolved with a button (the API's rules decide), refused outside the scope."""

from __future__ import annotations

import re

from tests.console.conftest import csrf
from tests.identity.conftest import learned
from tests.identity.test_conflicts import LS, LS_KEY, SHARED, UNIT_A, ZS_KEY, registered

CODE_B = "11350200MB0C34567P"


def test_a_department_resolves_an_account_claim_with_a_button(client, browser, store):
    registered(client)
    platform = client("statements/write", role="institution")
    platform.send(learned(SHARED, LS, CODE_B, course="1"))
    unit_a = browser(scopes="trainees/read,trainees/write", role="unit", unit=UNIT_A)
    assert "没有待处理的身份冲突" in unit_a.text("/console/conflicts")  # spans two units
    fujian = browser(scopes="trainees/read,trainees/write", role="department", unit="fj")
    html = fujian.text("/console/conflicts")
    assert "账号归属冲突" in html and "张*" in html and "李*" in html
    assert "张三" not in html and "李四" not in html
    conflict_id = re.search(r"/console/conflicts/([^/]+)/resolve", html).group(1)
    url = f"/console/conflicts/{conflict_id}/resolve"
    res = unit_a.http.post(url, data={"csrf_token": csrf(unit_a.text("/console/conflicts")),
                                      "decision": "owner", "owner": LS_KEY})
    assert res.status_code == 404  # not its conflict
    bad = fujian.http.post(url, data={"csrf_token": csrf(html), "decision": "owner",
                                      "owner": "f" * 64})
    assert bad.status_code == 400
    done = fujian.http.post(url, data={"csrf_token": csrf(html), "decision": "owner",
                                       "owner": LS_KEY})
    assert done.status_code == 302
    assert "没有待处理的身份冲突" in fujian.text("/console/conflicts")
    with store.read() as uow:
        (closed,) = uow.identity_conflicts.list_conflicts(
            "resolved", org_scope=None, trainee_key=None, limit=10
        )
    assert closed.resolution["owner"] == LS_KEY and ZS_KEY != LS_KEY
    again = fujian.http.post(url, data={"csrf_token": csrf(html), "decision": "dismiss"})
    assert again.status_code == 409


def test_readers_without_write_cannot_open_conflicts(browser):
    b = browser(scopes="trainees/read", role="unit", unit=UNIT_A)
    assert b.get("/console/conflicts").status_code == 403
    trainee = browser(role="trainee", trainee=ZS_KEY)
    assert trainee.get("/console/conflicts").status_code == 403
