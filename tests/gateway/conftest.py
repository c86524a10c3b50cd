"""A second real `lrs serve` as the remote platform LRS (one per module), a fault proxy
in front of it, and a hub store in a temporary directory."""

from __future__ import annotations

import os
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
import requests

from lrs.config import Settings
from lrs.gateway_hub import build_hub
from tests.gateway.faultproxy import FaultProxy
from tests.reliability.conftest import LiveServer, create_credential, lrs_env  # noqa: F401

VERSION = {"X-Experience-API-Version": "2.0.0"}


@pytest.fixture(scope="module")
def remote(tmp_path_factory):
    """The platform's LRS: a real `lrs serve`, with an `all` credential."""
    data = tmp_path_factory.mktemp("remote")
    key, secret = create_credential(data)
    server = LiveServer(data, workers=1, threads=4).start()
    session = requests.Session()
    session.auth = (key, secret)
    session.headers.update(VERSION)
    server.key, server.secret, server.http = key, secret, session
    yield server
    server.stop()


@pytest.fixture
def proxy(remote):
    p = FaultProxy(remote.base[: -len("/xapi")])
    yield p
    p.down()


def hub_settings(data_dir: Path, **extra) -> Settings:
    return replace(Settings.from_env(), data_dir=data_dir, database_url="",
                   archive_projector="off", **extra)


@pytest.fixture
def hub(tmp_path):
    """The hub in-process: SQLite, or the MongoDB adapter with LRS_TEST_STORE=mongomock."""
    extra = {}
    if os.environ.get("LRS_TEST_STORE") == "mongomock":
        pytest.importorskip("mongomock")
        extra = {"database_url": f"mongomock://localhost/gw_{uuid.uuid4().hex[:8]}",
                 "identity_secret": "gateway-tests-identity-secret"}
    settings = replace(hub_settings(tmp_path / "hub"), **extra)
    hub = build_hub(settings)
    yield hub
    hub.store.close()


def statement(**overrides) -> dict:
    body = {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "account": {"homePage": "https://pa.example.cn",
                                                      "name": f"u{uuid.uuid4().hex[:6]}"}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
        "object": {"id": "https://pa.example.cn/course/1"},
    }
    body.update(overrides)
    return body


def post(remote, statements: list[dict]) -> None:
    res = remote.http.post(remote.base + "/statements", json=statements, timeout=30)
    assert res.status_code == 200, res.text


def remote_ids(remote) -> set[str]:
    from tests.reliability.conftest import served_ids

    return set(served_ids(remote.http, remote.base))


def hub_ids(hub, include_voided: bool = True) -> list[str]:
    from lrs.storage.port import StatementQuery

    out: list[str] = []
    after = None
    with hub.store.read() as uow:
        while True:
            page = uow.statements.query(StatementQuery(
                ascending=True, limit=500, after_seq=after, include_voided=include_voided))
            out += [r.id for r in page]
            if len(page) < 500:
                return out
            after = page[-1].seq
