"""The archive scenario's app and statements, and a browser-like console login."""

from __future__ import annotations

import re

import pytest

from lrs.domain.credentials import create_credential
from tests.archive.conftest import admin, app, client, drain, policies  # noqa: F401

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf(html: str) -> str:
    found = TOKEN.search(html)
    assert found, html
    return found.group(1)


class Browser:
    """A Flask test client logged in to the console with a fresh credential."""

    def __init__(self, app, store, scopes="all", org="", **settings):  # noqa: F811
        self.credential, self.secret = create_credential(
            store, "控制台测试", scopes, org=org, settings=settings)
        self.http = app.test_client()

    def login(self, key=None, secret=None):
        page = self.http.get("/console/login")
        return self.http.post("/console/login", data={
            "csrf_token": csrf(page.get_data(as_text=True)),
            "key": key or self.credential.key, "secret": secret or self.secret,
        })

    def get(self, path, **kw):
        return self.http.get(path, **kw)

    def text(self, path):
        res = self.http.get(path)
        assert res.status_code == 200, res.get_data(as_text=True)
        return res.get_data(as_text=True)


@pytest.fixture
def browser(app, store):  # noqa: F811
    def make(scopes="all", org="", login=True, **settings):
        b = Browser(app, store, scopes, org, **settings)
        if login:
            res = b.login()
            assert res.status_code == 302, res.get_data(as_text=True)
        return b

    return make
