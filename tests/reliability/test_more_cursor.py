"""Issue 12 item 7: `more` links stay short enough to follow (gunicorn refuses request
lines over 8190 bytes with 414), even for a query near that limit."""

from __future__ import annotations

import json
import uuid
from urllib.parse import urlencode

import requests

from .conftest import create_credential, statement

LINE_LIMIT = 8190


def _long_agent() -> dict:
    # A real-looking but long account: hex path segments (poorly compressible) and a
    # long Chinese name, each character 9 bytes once percent-encoded.
    path = "/".join(uuid.uuid4().hex for _ in range(85))
    return {"objectType": "Agent",
            "account": {"homePage": f"http://example.gov.cn/{path}", "name": "学员" * 220}}


def test_more_link_of_a_long_query_is_short_and_can_be_followed(server_factory, tmp_path):
    key, secret = create_credential(tmp_path)
    server = server_factory(workers=1, threads=2)
    session = server.session(key, secret)
    agent = _long_agent()
    posted = [statement(actor=agent) for _ in range(3)]
    res = session.post(f"{server.base}/statements", json=posted, timeout=10)
    assert res.status_code == 200, res.text
    query = urlencode({"agent": json.dumps(agent, ensure_ascii=False),
                       "verb": "http://adlnet.gov/expapi/verbs/completed",
                       "activity": "http://example.gov.cn/course/1", "limit": "1"})
    request_line = f"GET /xapi/statements?{query} HTTP/1.1"
    assert 7000 < len(request_line) < LINE_LIMIT
    url = f"{server.base}/statements?{query}"
    origin = server.base[: -len("/xapi")]
    seen, links = [], []
    for _ in range(5):
        res = session.get(url, timeout=10)
        assert res.status_code == 200, res.text[:300]
        page = res.json()
        seen += [s["id"] for s in page["statements"]]
        if not page["more"]:
            break
        links.append(page["more"])
        url = origin + page["more"]
    assert sorted(seen) == sorted(s["id"] for s in posted)
    assert links and max(len(link) for link in links) < len(request_line) / 2


def test_a_request_line_over_the_limit_is_414(server_factory, tmp_path):
    server = server_factory(workers=1, threads=2)
    res = requests.get(f"{server.base}/about?x={'a' * (LINE_LIMIT + 10)}", timeout=10)
    assert res.status_code == 414
