"""Fixtures for tests that speak HTTP to the Flask app."""

from __future__ import annotations

import base64
import uuid

import pytest

from lrs.app import create_app
from lrs.config import Settings
from lrs.domain.credentials import create_credential
from tests import stores


def pytest_collection_modifyitems(config, items):
    if not stores.MONGOMOCK:
        return
    skip = pytest.mark.skip(
        reason="injects the race by patching SqliteDocuments.save; the MongoDB adapter's "
        "compare-and-set races are tested in tests/mongo"
    )
    for item in items:
        if "race" in getattr(item, "fixturenames", ()):
            item.add_marker(skip)


@pytest.fixture
def app(store, tmp_path):
    return create_app(
        Settings(data_dir=tmp_path, max_page_size=50, max_body_bytes=2_000_000), store=store
    )


def basic(key: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()


class Client:
    """A test client that sends the version and credentials every xAPI request needs."""

    def __init__(self, app, store, version: str = "1.0.3", scopes: str = "all", org: str = ""):
        self.app = app
        self.http = app.test_client()
        self.version = version
        credential, secret = create_credential(
            store, f"test-{uuid.uuid4().hex[:6]}", scopes, org=org
        )
        self.credential = credential
        self.auth = basic(credential.key, secret)

    def headers(self, extra=None):
        headers = {"Authorization": self.auth, "X-Experience-API-Version": self.version}
        headers.update(extra or {})
        return headers

    def request(self, method, path, headers=None, **kw):
        return self.http.open(path, method=method, headers=self.headers(headers), **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def put(self, path, **kw):
        return self.request("PUT", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


@pytest.fixture(params=["1.0.3", "2.0.0"])
def client(request, app, store):
    return Client(app, store, version=request.param)


@pytest.fixture
def make_client(app, store):
    def make(**kw):
        return Client(app, store, **kw)

    return make


def statement(**overrides):
    """A minimal valid statement."""
    body = {
        "actor": {"objectType": "Agent", "name": "张三", "mbox": "mailto:zhangsan@example.gov.cn"},
        "verb": {
            "id": "http://adlnet.gov/expapi/verbs/completed",
            "display": {"zh-CN": "完成", "en-US": "completed"},
        },
        "object": {
            "objectType": "Activity",
            "id": "http://example.gov.cn/courses/1",
            "definition": {"name": {"zh-CN": "课程一", "en-US": "Course one"}},
        },
    }
    body.update(overrides)
    return body
