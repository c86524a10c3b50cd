"""Issue 12 item 7: a query whose cursor will not fit a short link gets a server-side token.

The `more` link is then ``/xapi/statements?more=t<random>``, whatever the query's
length; it pages to the end, belongs to the credential that got it, and expires
after 24 hours. Short queries keep their self-contained compact cursor.
"""

from __future__ import annotations

import json
import secrets
import time
from urllib.parse import urlencode

import pytest

from lrs.http import more_tokens

from .conftest import statement

COURSE = "http://example.gov.cn/courses/1"


def _random_agent() -> dict:
    # Random text barely compresses: ~6 KB of it makes a compact cursor of ~6 KB.
    return {"objectType": "Agent",
            "account": {"homePage": "http://example.gov.cn", "name": secrets.token_urlsafe(4500)}}


def _long_activity() -> str:
    return f"{COURSE}/{secrets.token_urlsafe(4500)}"


def _post(client, body):
    res = client.post("/xapi/statements", json=body)
    assert res.status_code == 200, res.get_json()
    return res.get_json()


def _get(client, url):
    res = client.get(url)
    assert res.status_code == 200, res.get_json()
    return res.get_json()


def _page_through(client, url):
    """Every statement id of the query, and every `more` link handed out on the way."""
    seen, links = [], []
    page = _get(client, url)
    while True:
        seen += [s["id"] for s in page["statements"]]
        if not page["more"]:
            return seen, links
        links.append(page["more"])
        page = _get(client, page["more"])


def _error(res) -> dict:
    assert res.status_code == 400, res.get_data(as_text=True)
    return res.get_json()["error"]


@pytest.fixture
def long_query(client):
    """A long agent query over 5 matching statements (plus others that must not show)."""
    agent = _random_agent()
    ids = _post(client, [statement(actor=agent) for _ in range(5)])
    _post(client, [statement() for _ in range(3)])
    url = "/xapi/statements?" + urlencode({"agent": json.dumps(agent), "limit": "2"})
    return url, ids


def test_a_long_agent_query_gets_short_links_that_page_to_the_end(client, long_query):
    url, ids = long_query
    assert len(url) > 6000
    seen, links = _page_through(client, url)
    assert seen == ids[::-1]  # newest first, each exactly once
    assert len(links) == 2
    for link in links:
        assert link.startswith("/xapi/statements?more=t")
        assert len(link) < 100


def test_a_long_activity_query_gets_short_links_that_page_to_the_end(client):
    activity = _long_activity()
    obj = {"objectType": "Activity", "id": activity}
    ids = _post(client, [statement(object=obj) for _ in range(3)])
    _post(client, statement())
    url = "/xapi/statements?" + urlencode(
        {"activity": activity, "ascending": "true", "limit": "1"}
    )
    seen, links = _page_through(client, url)
    assert seen == ids
    assert len(links) == 2 and all(len(link) < 100 for link in links)
    assert len(set(links)) == 2  # a fresh token per page


def test_a_short_query_keeps_its_self_contained_cursor(client):
    _post(client, [statement() for _ in range(3)])
    page = _get(client, "/xapi/statements?limit=2")
    assert page["more"].startswith("/xapi/statements?more=z")


def test_a_token_is_refused_to_another_credential_as_if_unknown(client, make_client, long_query):
    url, _ = long_query
    link = _get(client, url)["more"]
    other = make_client(version=client.version)
    stolen = _error(other.get(link))
    unknown = _error(other.get("/xapi/statements?more=t" + secrets.token_urlsafe(18)))
    assert stolen == unknown
    assert stolen["path"] == "more" and "more" in stolen["message"]
    assert client.get(link).status_code == 200  # still its owner's


def test_a_token_lasts_24_hours_then_is_refused(client, long_query, monkeypatch):
    url, ids = long_query
    link = _get(client, url)["more"]
    start = time.time()

    class Clock:
        offset = 0.0

        @staticmethod
        def time() -> float:
            return start + Clock.offset

    monkeypatch.setattr(more_tokens, "time", Clock)
    Clock.offset = 24 * 3600 - 60
    page = _get(client, link)
    assert [s["id"] for s in page["statements"]] == ids[::-1][2:4]
    Clock.offset = 24 * 3600 + 60
    error = _error(client.get(link))
    assert error["path"] == "more" and "expired" in error["message"]


@pytest.mark.parametrize(
    "value", ["t", "t" + "A" * 200, "t../../etc", "t%00", "t0123456789abcdef"]
)
def test_forged_tokens_are_a_400_naming_more(client, value):
    error = _error(client.get("/xapi/statements?" + urlencode({"more": value})))
    assert error["path"] == "more"


def test_a_query_too_long_for_any_url_pages_by_short_links(app, make_client):
    # 1.0.3's alternate request syntax carries the query in a POST body, past any
    # request-line limit: its `more` links (plain GETs) must still be followable.
    old = make_client(version="1.0.3")
    agent = {"objectType": "Agent",
             "account": {"homePage": "http://example.gov.cn", "name": secrets.token_urlsafe(15000)}}
    ids = _post(old, [statement(actor=agent) for _ in range(3)])
    form = {"X-Experience-API-Version": "1.0.3", "Authorization": old.auth,
            "agent": json.dumps(agent), "limit": "2"}
    res = app.test_client().post("/xapi/statements?method=GET", data=form)
    assert res.status_code == 200, res.get_json()
    first = res.get_json()
    assert len(first["more"]) < 100
    rest = _get(old, first["more"])
    assert [s["id"] for s in first["statements"] + rest["statements"]] == ids[::-1]
    assert rest["more"] == ""
