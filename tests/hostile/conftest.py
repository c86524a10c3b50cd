"""Fixtures for hostile-input tests: an app with a small body limit, tenants, row counts."""

from __future__ import annotations

import base64
import json
import re
import sqlite3
import uuid

import pytest

from lrs.app import create_app
from lrs.config import Settings
from lrs.domain.credentials import create_credential
from lrs.storage.sqlite.store import SqliteStore

#: Small, so the 413 path is cheap to reach.
MAX_BODY = 256 * 1024

#: What a body must never contain: traces of Python, SQL or the file system.
LEAK = re.compile(
    r"Traceback|File \"|\.py\", line|sqlite3|OperationalError|IntegrityError|"
    r"ProgrammingError|no such (table|column)|syntax error|unrecognized token|"
    r"site-packages|RecursionError|UnicodeEncodeError|OverflowError|KeyError|TypeError|"
    r"AttributeError|internal error(?! \(incident [0-9a-f]{12}\))"
)

TABLES = (
    "statements",
    "statement_agents",
    "statement_activities",
    "activities",
    "attachments",
    "documents",
    "credentials",
    "outbox",
)


def basic(key: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()


class Tenant:
    """A credential and the headers that go with it."""

    def __init__(self, store, name: str, scopes: str = "all", org: str = "") -> None:
        credential, secret = create_credential(store, name, scopes, org=org)
        self.credential = credential
        self.key = credential.key
        self.auth = basic(credential.key, secret)

    def headers(self, version: str = "2.0.0", **extra: str) -> dict[str, str]:
        return {"Authorization": self.auth, "X-Experience-API-Version": version, **extra}


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "lrs.sqlite3"


@pytest.fixture
def store(db_path):
    store = SqliteStore(db_path)
    yield store
    store.close()


@pytest.fixture
def app(store, tmp_path):
    return create_app(
        Settings(data_dir=tmp_path, max_page_size=50, max_body_bytes=MAX_BODY), store=store
    )


@pytest.fixture
def http(app):
    return app.test_client()


@pytest.fixture
def admin(store):
    return Tenant(store, "admin", "all")


@pytest.fixture
def counts(db_path):
    """``counts()`` → rows per table, read straight from the SQLite file."""

    def read() -> dict[str, int]:
        conn = sqlite3.connect(db_path)
        try:
            return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}
        finally:
            conn.close()

    return read


def assert_clean(response, *, allow_5xx: bool = False) -> None:
    """Never a 500; every error is the JSON error shape and leaks nothing."""
    body = response.get_data()
    assert allow_5xx or response.status_code < 500, (response.status_code, body[:500])
    if response.status_code >= 400 and response.request.method != "HEAD":
        payload = json.loads(body)
        error = payload["error"]
        assert error["status"] == response.status_code
        assert isinstance(error["message"], str) and error["message"]
        assert LEAK.search(body.decode("utf-8", "replace")) is None, body[:500]
        if response.status_code not in (401, 404, 405, 403):
            assert error.get("path"), f"error names no field: {payload}"


def statement(**overrides):
    body = {
        "actor": {"objectType": "Agent", "mbox": "mailto:zs@example.gov.cn"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
        "object": {"id": "http://example.gov.cn/course/1"},
    }
    body.update(overrides)
    return body


def new_id() -> str:
    return str(uuid.uuid4())
