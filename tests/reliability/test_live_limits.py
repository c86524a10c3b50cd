"""Issue 12.3 and 12.7 against a real `lrs serve` (2 workers x 4 threads).

The limits' counters must be shared by every worker: with requests spread over
new connections (so over both workers), exactly LIMIT failures get a 401 and
every other one a 429, whichever worker served it.
"""

from __future__ import annotations

import base64
import http.client
import json
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import requests

from tests.reliability.conftest import create_credential

AUTH_LIMIT = 10
LOOKUP_LIMIT = 6
LIMITS = {
    "LRS_LIMIT_AUTH_FAILURES_PER_IP": f"{AUTH_LIMIT}/3600",
    "LRS_LIMIT_AUTH_FAILURES_PER_KEY": "off",
    "LRS_LIMIT_LOOKUPS": f"{LOOKUP_LIMIT}/3600",
    "LRS_IDENTITY_SECRET": "live-identity-secret-0123456789",
}


def test_limits_hold_across_workers(server_factory, tmp_path):
    server = server_factory(tmp_path, env=LIMITS)

    def wrong(i: int) -> tuple[int, str | None]:
        res = requests.get(
            server.base + "/statements",
            auth=(f"nobody-{i}", "guess"),
            headers={"X-Experience-API-Version": "2.0.0", "Connection": "close"},
            timeout=30,
        )
        return res.status_code, res.headers.get("Retry-After")

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(wrong, range(3 * AUTH_LIMIT)))
    codes = [code for code, _ in results]
    assert codes.count(401) == AUTH_LIMIT, codes
    assert codes.count(429) == 2 * AUTH_LIMIT, codes
    assert all(int(after) > 0 for code, after in results if code == 429)


def test_lookups_are_capped_across_workers(server_factory, tmp_path):
    server = server_factory(tmp_path, env=LIMITS)
    key, secret = create_credential(tmp_path, "trainees/read")

    def lookup(i: int) -> int:
        return requests.post(
            server.base + "/trainees/lookup",
            auth=(key, secret),
            json={"agreed_id": f"FJ-LIVE-{i}"},
            headers={"X-Experience-API-Version": "2.0.0", "Connection": "close"},
            timeout=30,
        ).status_code

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lookup, range(4 * LOOKUP_LIMIT)))
    assert codes.count(200) == LOOKUP_LIMIT and codes.count(429) == 3 * LOOKUP_LIMIT, codes


def test_alternate_head_leaves_the_connection_usable(server_factory, tmp_path):
    """POST ?method=HEAD: the client reads Content-Length bytes; none must be promised."""
    server = server_factory(tmp_path, env=LIMITS)
    key, secret = create_credential(tmp_path, "all")
    auth = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    form = urlencode({"Authorization": auth, "X-Experience-API-Version": "1.0.3"})
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    conn.request("POST", "/xapi/statements?method=HEAD", body=form, headers=headers)
    res = conn.getresponse()
    assert res.status == 200 and res.getheader("Content-Length") == "0"
    assert res.read() == b""
    # The same keep-alive connection answers the next request normally.
    conn.request("GET", "/xapi/about")
    about = conn.getresponse()
    assert about.status == 200 and "version" in json.loads(about.read())
    conn.close()
