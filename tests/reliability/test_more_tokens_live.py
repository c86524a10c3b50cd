"""Issue 12 item 7 on a real `lrs serve`: the 414 on following a `more` link is gone.

A query of incompressible text just under gunicorn's request-line limit (8190
bytes) used to get a self-contained cursor longer than the limit: following it
was an HTML 414. Such a query now gets a short server-side token, which any
worker process can follow to the end.
"""

from __future__ import annotations

import json
import secrets
from urllib.parse import urlencode

from lrs.http import cursor

from .conftest import create_credential, statement

LINE_LIMIT = 8190


def _query_near_the_limit() -> tuple[dict, str]:
    """An agent query whose request line is just under the limit, in random text."""
    size = 7000
    while True:
        agent = {"objectType": "Agent",
                 "account": {"homePage": "http://example.gov.cn",
                             "name": secrets.token_urlsafe(size)[:size]}}
        query = urlencode({"agent": json.dumps(agent), "limit": "2"})
        line = f"GET /xapi/statements?{query} HTTP/1.1"
        if len(line) >= LINE_LIMIT - 60:
            assert len(line) < LINE_LIMIT
            return agent, query
        size += LINE_LIMIT - 60 - len(line)


def test_a_more_link_of_a_query_near_the_limit_is_followed_without_414(server_factory, tmp_path):
    key, secret = create_credential(tmp_path)
    # Two workers: a token one of them wrote may well be read by the other.
    server = server_factory(workers=2, threads=1)
    session = server.session(key, secret)
    agent, query = _query_near_the_limit()
    posted = [statement(actor=agent) for _ in range(5)]
    res = session.post(f"{server.base}/statements", json=posted, timeout=10)
    assert res.status_code == 200, res.text[:300]
    origin = server.base[: -len("/xapi")]

    # What the self-contained cursor alone would hand out (its smallest positions):
    # longer than the limit, and refused with 414 when followed.
    old_state = {"agent": json.dumps(agent), "limit": "2", "_after": "1", "_max": "1"}
    old_link = f"/xapi/statements?more={cursor.encode(old_state)}"
    assert len(f"GET {old_link} HTTP/1.1") > LINE_LIMIT
    assert session.get(origin + old_link, timeout=10).status_code == 414

    url, seen, links = f"{server.base}/statements?{query}", [], []
    for _ in range(5):
        res = session.get(url, timeout=10)
        assert res.status_code == 200, res.text[:300]
        page = res.json()
        seen += [s["id"] for s in page["statements"]]
        if not page["more"]:
            break
        links.append(page["more"])
        url = origin + page["more"]
    assert sorted(seen) == sorted(s["id"] for s in posted) and len(seen) == len(posted)
    assert len(links) == 2
    assert all(link.startswith("/xapi/statements?more=t") and len(link) < 100 for link in links)

    # Another credential presenting the token gets a JSON 400 naming `more`, never the page.
    other_key, other_secret = create_credential(tmp_path)
    res = server.session(other_key, other_secret).get(origin + links[0], timeout=10)
    assert res.status_code == 400
    assert res.json()["error"]["path"] == "more"
