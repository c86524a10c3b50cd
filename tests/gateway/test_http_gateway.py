"""/xapi/gateway/… over HTTP: status and dead letters scoped to the credential's org,
retry, legacy import; errors name the field."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from adapters.pull import Puller
from lrs.app import create_app
from lrs.domain.credentials import create_credential
from lrs.domain.gateway import jobs
from lrs.gateway_hub import app_hub as hub_of_app
from lrs.services import services
from tests.gateway.conftest import hub_settings, post, statement

FIXTURE = Path(__file__).parents[1] / "fixtures/legacy/platform-a.csv"
CSV = {"Content-Type": "text/csv"}


@pytest.fixture
def app_hub(tmp_path):
    app = create_app(hub_settings(tmp_path / "hub"))
    hub = hub_of_app(services(app))
    yield app, hub
    hub.store.close()


def client(app, hub, scopes="all", org=""):
    credential, secret = create_credential(hub.store, "t", scopes, org=org)
    token = base64.b64encode(f"{credential.key}:{secret}".encode()).decode()
    headers = {"Authorization": f"Basic {token}", "X-Experience-API-Version": "2.0.0"}
    test = app.test_client()

    def call(method, path, **kw):
        return test.open(path, method=method, headers={**headers, **kw.pop("headers", {})}, **kw)

    return call


def test_import_over_http_then_status_and_dead_letters_by_org(app_hub):
    app, hub = app_hub
    fz = client(app, hub, "statements/write,statements/read", org="fj/fz")
    res = fz("POST", "/xapi/gateway/imports?platform=fsa&homePage=https://fsa.example.gov.cn"
                     "&platformName=福建干部网络学院", data=FIXTURE.read_bytes(), headers=CSV)
    assert res.status_code == 200, res.get_json()
    body = res.get_json()
    assert body["counts"] == {"accepted": 4, "duplicate": 1, "refused": 3}
    assert body["rows"][3] == {"row": 5, "status": "refused",
                               "reason": "身份标识：必填 / required"}
    # A corrected score makes a dead letter (409 against the first import).
    text = FIXTURE.read_text("utf-8").replace("2024/05/10 09:00,92", "2024/05/10 09:00,95")
    fz("POST", "/xapi/gateway/imports?platform=fsa&homePage=https://fsa.example.gov.cn"
               "&platformName=福建干部网络学院", data=text.encode(), headers=CSV)

    status = fz("GET", "/xapi/gateway/status").get_json()["jobs"]
    assert [j["name"] for j in status] == ["import-fsa"]
    assert status[0]["deadLetters"] == {"open": 1}
    letters = fz("GET", "/xapi/gateway/dead-letters").get_json()["deadLetters"]
    assert [d["item"] for d in letters] == ["row 3"] and "different content" in letters[0]["reason"]

    other = client(app, hub, "statements/read", org="fj/xm")
    assert other("GET", "/xapi/gateway/status").get_json() == {"jobs": []}
    assert other("GET", "/xapi/gateway/dead-letters").get_json() == {"deadLetters": []}
    # Another org cannot import under this platform's job.
    xm = client(app, hub, "statements/write", org="fj/xm")
    res = xm("POST", "/xapi/gateway/imports?platform=fsa&homePage=https://fsa.example.gov.cn",
             data=FIXTURE.read_bytes(), headers=CSV)
    assert res.status_code == 400 and res.get_json()["error"]["path"] == "org"

    admin = client(app, hub)
    res = admin("POST", f"/xapi/gateway/dead-letters/{letters[0]['id']}/retry")
    assert res.status_code == 200 and res.get_json()["delivered"] is False
    assert res.get_json()["deadLetter"]["attempts"] == 2
    assert fz("POST", f"/xapi/gateway/dead-letters/{letters[0]['id']}/retry").status_code == 403
    assert admin("POST", "/xapi/gateway/dead-letters/nope/retry").status_code == 404


@pytest.mark.parametrize("query,headers,data,path", [
    ("homePage=https://x.cn", CSV, b"a,b\n", "platform"),
    ("platform=fsa", CSV, b"a,b\n", "homePage"),
    ("platform=f s&homePage=https://x.cn", CSV, b"a,b\n", "platform"),
    ("platform=fsa&homePage=ftp://x", CSV, b"a,b\n", "endpoint"),
    ("platform=fsa&homePage=https://x.cn", {"Content-Type": "application/json"}, b"{}",
     "Content-Type"),
    ("platform=fsa&homePage=https://x.cn", CSV, b"a,b\n1,2\n", "columns.agreed_id"),
    ("platform=fsa&homePage=https://x.cn&mapping=[1]", CSV, b"a,b\n", "mapping"),
    ("platform=fsa&homePage=https://x.cn", CSV, b"", "file"),
    ("platform=fsa&homePage=https://x.cn&bogus=1", CSV, b"a\n", "bogus"),
])
def test_bad_imports_get_an_xapi_error_naming_the_field(app_hub, query, headers, data, path):
    app, hub = app_hub
    call = client(app, hub)
    res = call("POST", f"/xapi/gateway/imports?{query}", data=data, headers=headers)
    assert res.status_code == 400, res.get_data(as_text=True)
    assert res.get_json()["error"]["path"] == path


def test_status_shows_a_pull_job_without_its_secret(app_hub, remote):
    app, hub = app_hub
    post(remote, [statement() for _ in range(3)])
    jobs.add_pull_job(hub.store, hub.settings, name="pa", endpoint=remote.base,
                      key=remote.key, secret=remote.secret, org="fj/fz")
    Puller(hub, hub.settings, "pa").run()
    res = client(app, hub, "statements/read", org="fj")("GET", "/xapi/gateway/status")
    job = res.get_json()["jobs"][0]
    assert job["kind"] == "pull" and job["caughtUp"] is True and job["lagSeconds"] == 0
    assert job["counters"]["stored"] >= 3 and job["checkpoint"]["since"]
    assert job["config"]["secret"] == "(encrypted)" and remote.secret not in res.get_data(True)
    assert client(app, hub, "state")("GET", "/xapi/gateway/status").status_code == 403


@pytest.mark.parametrize("data", [
    "身份标识,单位代码\n\x00,1\n".encode(),  # NUL inside a CSV row
    b"PK\x03\x04not really a workbook",
    b'"unterminated,\n',
])
def test_broken_files_are_400_naming_file_never_500(app_hub, data):
    app, hub = app_hub
    res = client(app, hub)("POST", "/xapi/gateway/imports?platform=fsa&homePage=https://x.cn",
                           data=data, headers=CSV)
    assert res.status_code == 400, res.get_data(as_text=True)
    path = res.get_json()["error"]["path"]
    assert path == "file" or path.startswith("columns."), path


@pytest.mark.parametrize("query,path", [("status=bogus", "status"), ("limit=abc", "limit"),
                                        ("limit=0", "limit"), ("x=1", "x")])
def test_bad_dead_letter_queries_name_the_parameter(app_hub, query, path):
    app, hub = app_hub
    res = client(app, hub)("GET", f"/xapi/gateway/dead-letters?{query}")
    assert res.status_code == 400 and res.get_json()["error"]["path"] == path
