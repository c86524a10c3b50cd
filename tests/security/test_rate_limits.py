"""Issue 12.3: failed authentications and identifier lookups are rate limited (429).

Counters live in the store, so two apps on one database (two gunicorn workers)
share them. Limits are small here through the documented environment variables.
"""

from __future__ import annotations

import base64
import uuid

import pytest

from lrs.app import create_app
from lrs.config import Settings
from lrs.domain.credentials import create_credential
from lrs.services import services
from lrs.storage.sqlite.store import SqliteStore
from tests.identity.conftest import SECRET, VERSION, Client

LIMITS = {
    "LRS_LIMIT_AUTH_FAILURES_PER_IP": "3/300",
    "LRS_LIMIT_AUTH_FAILURES_PER_KEY": "5/300",
    "LRS_LIMIT_LOOKUPS": "4/60,6/86400",
    "LRS_LIMIT_LOOKUPS_PER_IP": "100/60",
    "LRS_LIMIT_UPSERTS": "3/60",
    "LRS_LIMIT_IMPORT_ROWS": "4/86400",
}


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0  # the start of a 60 s, 300 s and daily window

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def make_app(store, tmp_path, monkeypatch):
    for name, value in LIMITS.items():
        monkeypatch.setenv(name, value)
    clock = Clock()

    def make(on=None):
        app = create_app(Settings(data_dir=tmp_path, identity_secret=SECRET), store=on or store)
        services(app).limiter.clock = clock
        return app

    make.clock = clock
    return make


def basic(key: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()


def get(app, auth=None, ip="192.0.2.1", **headers):
    if auth is not None:
        headers["Authorization"] = auth
    return app.test_client().get(
        "/xapi/statements",
        headers={"X-Experience-API-Version": VERSION, **headers},
        environ_base={"REMOTE_ADDR": ip},
    )


def assert_429(res, path=None):
    assert res.status_code == 429, res.get_json()
    assert int(res.headers["Retry-After"]) >= 1
    error = res.get_json()["error"]
    assert error["status"] == 429 and error["message"]
    if path:
        assert error["path"] == path


def test_wrong_secrets_lock_the_address_out(make_app, store):
    app = make_app()
    credential, secret = create_credential(store, "platform", "all")
    good, bad = basic(credential.key, secret), basic(credential.key, "guess")
    assert [get(app, bad).status_code for _ in range(3)] == [401, 401, 401]
    locked = get(app, bad)
    assert_429(locked)
    assert "认证失败次数过多" in locked.get_json()["error"]["message"]
    assert int(locked.headers["Retry-After"]) == 300
    # A right guess during the lockout gains nothing; another address is unaffected.
    assert_429(get(app, good))
    assert get(app, good, ip="192.0.2.2").status_code == 200
    make_app.clock.now += 300  # the window ends
    assert get(app, good).status_code == 200


def test_a_key_is_locked_whatever_the_address(make_app, store):
    app = make_app()
    credential, secret = create_credential(store, "platform", "all")
    bad = basic(credential.key, "guess")
    codes = [get(app, bad, ip=f"198.51.100.{i}").status_code for i in range(6)]
    assert codes == [401] * 5 + [429]
    assert_429(get(app, basic(credential.key, secret), ip="198.51.100.99"))


def test_unknown_keys_and_malformed_credentials_count(make_app):
    app = make_app()
    for auth in (basic("nobody", "x"), "Basic !!!", basic("other", "y")):
        assert get(app, auth).status_code == 401
    assert_429(get(app, basic("third", "z")))


def test_requests_without_credentials_are_not_counted(make_app, store):
    app = make_app()
    assert {get(app).status_code for _ in range(10)} == {401}
    credential, secret = create_credential(store, "platform", "all")
    assert get(app, basic(credential.key, secret)).status_code == 200


def test_ordinary_authenticated_traffic_is_never_limited(make_app, store):
    app = make_app()
    credential, secret = create_credential(store, "platform", "all")
    good = basic(credential.key, secret)
    assert {get(app, good).status_code for _ in range(40)} == {200}


def test_workers_share_the_counts(make_app, store, tmp_path):
    """Two apps, each with its own connection to one database file, like two workers."""
    other_store = SqliteStore(store.path) if isinstance(store, SqliteStore) else store
    first, second = make_app(), make_app(other_store)
    bad = basic("nobody", "x")
    assert get(first, bad).status_code == 401
    assert get(second, bad).status_code == 401
    assert get(first, bad).status_code == 401
    assert_429(get(second, bad))


def test_proxy_hops_take_the_forwarded_address(make_app, monkeypatch):
    monkeypatch.setenv("LRS_PROXY_HOPS", "1")
    app = make_app()
    bad = basic("nobody", "x")
    for _ in range(3):
        assert get(app, bad, **{"X-Forwarded-For": "203.0.113.5"}).status_code == 401
    assert_429(get(app, bad, **{"X-Forwarded-For": "203.0.113.5"}))
    # Behind the proxy every client has the proxy's socket address; they are apart.
    assert get(app, bad, **{"X-Forwarded-For": "203.0.113.6"}).status_code == 401


def test_lookups_have_a_burst_and_a_daily_cap(make_app, store):
    app = make_app()
    liaison = Client(app, store, "trainees/read", role="unit", unit="fj/fz/U1")

    def lookup():
        return liaison.post("/xapi/trainees/lookup", {"agreed_id": f"FJ-{uuid.uuid4().hex[:8]}"})

    assert [lookup().status_code for _ in range(4)] == [200] * 4
    burst = lookup()
    assert_429(burst, "agreed_id")
    assert 1 <= int(burst.headers["Retry-After"]) <= 60
    assert "查询约定标识符过于频繁" in burst.get_json()["error"]["message"]
    make_app.clock.now += 60
    assert lookup().status_code == 200  # the 6th of the day (the 5th was refused)
    daily = lookup()
    assert_429(daily)
    assert int(daily.headers["Retry-After"]) > 3600
    # Another credential has its own budget.
    other = Client(app, store, "trainees/read", role="unit", unit="fj/fz/U2")
    assert other.post("/xapi/trainees/lookup", {"agreed_id": "FJ-X"}).status_code == 200


def test_upserts_and_import_rows_are_counted(make_app, store):
    app = make_app()
    liaison = Client(app, store, "trainees/write", role="unit", unit="fj/fz/U1")
    for i in range(3):
        res = liaison.post("/xapi/trainees", {"agreed_id": f"FJ-U-{i}", "unit": "fj/fz/U1"})
        assert res.status_code == 201, res.get_json()
    assert_429(liaison.post("/xapi/trainees", {"agreed_id": "FJ-U-9", "unit": "fj/fz/U1"}))
    csv = "agreed_id,unit\n" + "".join(f"FJ-I-{i},fj/fz/U1\n" for i in range(3))
    headers = {"Content-Type": "text/csv"}
    assert (
        liaison.post("/xapi/trainees/import", data=csv.encode(), headers=headers).status_code == 200
    )
    again = liaison.post("/xapi/trainees/import", data=csv.encode(), headers=headers)
    assert_429(again, "body")
    # Nothing of the refused import was applied.
    admin = Client(app, store, "all")
    listed = admin.get("/xapi/units/fj/fz/U1/trainees").get_json()["trainees"]
    assert len(listed) == 6
