"""Fixtures for the trainee registry: an app with a fixed identity secret, clients by role."""

from __future__ import annotations

import json
import uuid
from urllib.parse import quote

import pytest

from lrs.app import create_app
from lrs.config import Settings
from lrs.domain.credentials import create_credential
from lrs.domain.identity.keys import IdentityKeys
from lrs.domain.identity.vocabulary import AGREED_ID_EXTENSION, UNIT_CODE_EXTENSION
from tests.http.conftest import basic

SECRET = "test-identity-secret-0123456789"
KEYS = IdentityKeys(SECRET.encode())
VERSION = "2.0.0"


@pytest.fixture
def app(store, tmp_path):
    settings = Settings(data_dir=tmp_path, max_page_size=50, identity_secret=SECRET)
    return create_app(settings, store=store)


class Client:
    """An xAPI client holding one credential, with the role given in its settings."""

    def __init__(self, app, store, scopes="all", org="", **settings):
        self.http = app.test_client()
        credential, secret = create_credential(
            store, f"test-{uuid.uuid4().hex[:6]}", scopes, org=org, settings=settings
        )
        self.credential = credential
        self.auth = basic(credential.key, secret)

    def open(self, method, path, **kw):
        headers = {"Authorization": self.auth, "X-Experience-API-Version": VERSION}
        headers.update(kw.pop("headers", {}))
        return self.http.open(path, method=method, headers=headers, **kw)

    def get(self, path, **kw):
        return self.open("GET", path, **kw)

    def post(self, path, body=None, **kw):
        if body is not None:
            kw["json"] = body
        return self.open("POST", path, **kw)

    def delete(self, path, **kw):
        return self.open("DELETE", path, **kw)

    # -- helpers for the scenarios

    def send(self, *statements):
        response = self.post("/xapi/statements", list(statements))
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def upsert(self, **body):
        response = self.post("/xapi/trainees", body)
        assert response.status_code in (200, 201), response.get_json()
        return response.get_json()

    def history(self, key, **params):
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return self.get(f"/xapi/trainees/{key}/history?{query}")

    def statements(self, query):
        response = self.get(f"/xapi/statements?{query}")
        assert response.status_code == 200, response.get_json()
        return response.get_json()["statements"]


@pytest.fixture
def client(app, store):
    def make(scopes="all", org="", **settings):
        return Client(app, store, scopes, org, **settings)

    return make


def account(home, name):
    return {"objectType": "Agent", "account": {"homePage": home, "name": name}}


def mbox(address):
    return {"objectType": "Agent", "mbox": f"mailto:{address}"}


def learned(actor, agreed_id=None, unit=None, when="2026-03-10T09:00:00+08:00", course="1"):
    """A 'completed' statement, with the cadre-training identity extensions when given."""
    statement = {
        "actor": actor,
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
        "object": {"id": f"http://example.gov.cn/courses/{course}"},
        "timestamp": when,
    }
    extensions = {}
    if agreed_id is not None:
        extensions[AGREED_ID_EXTENSION] = agreed_id
    if unit is not None:
        extensions[UNIT_CODE_EXTENSION] = unit
    if extensions:
        statement["context"] = {"extensions": extensions}
    return statement


def agent_param(agent):
    return quote(json.dumps(agent))


def courses(entries):
    """The course numbers of history entries or statements, in order."""
    out = []
    for e in entries:
        statement = e.get("statement", e)
        out.append(statement["object"]["id"].rsplit("/", 1)[1])
    return out
