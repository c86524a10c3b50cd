"""Issue 12 item 7 with item 4: while the store cannot be written, reads go on.

A long query's page needs a token written to the store; during an outage it
gets its self-contained cursor instead (long, but the page is served), and
tokens are handed out again once the store recovers.
"""

from __future__ import annotations

import json
import secrets
from urllib.parse import urlencode

from tests.http.conftest import Client
from tests.reliability.conftest import statement
from tests.reliability.test_store_outage import immutable, outage_app  # noqa: F401 - fixtures


def test_a_long_query_is_served_while_the_store_is_read_only(outage_app, tmp_path, immutable):  # noqa: F811
    app, store = outage_app
    client = Client(app, store, version="2.0.0")
    agent = {"objectType": "Agent",
             "account": {"homePage": "http://example.gov.cn", "name": secrets.token_urlsafe(4500)}}
    posted = [statement(actor=agent) for _ in range(3)]
    assert client.post("/xapi/statements", json=posted).status_code == 200
    url = "/xapi/statements?" + urlencode({"agent": json.dumps(agent), "limit": "2"})
    db = tmp_path / "lrs.sqlite3"
    immutable(db, db.with_name("lrs.sqlite3-wal"))
    store.discard_connection()

    res = client.get(url)
    assert res.status_code == 200, res.get_data(as_text=True)
    link = res.get_json()["more"]
    assert link.startswith("/xapi/statements?more=z")  # no token could be written
    rest = client.get(link)
    assert rest.status_code == 200
    seen = [s["id"] for s in res.get_json()["statements"] + rest.get_json()["statements"]]
    assert sorted(seen) == sorted(s["id"] for s in posted)

    immutable.thaw()
    assert client.get(url).get_json()["more"].startswith("/xapi/statements?more=t")
