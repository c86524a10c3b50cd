"""Issue 12 item 4 on the MongoDB adapter: a lost primary or unreachable cluster is
503 with Retry-After, a full disk 507, through HTTP; never a bare 500.

mongomock cannot lose its primary, so the driver's own exceptions are raised
where the adapter would meet them: when a write transaction starts."""

from __future__ import annotations

import contextlib

import pytest
from pymongo import errors

from lrs.app import create_app
from lrs.config import Settings
from lrs.storage.mongo.store import MongoStore
from tests.http.conftest import Client, statement


@pytest.fixture
def app_and_store(tmp_path):
    store = MongoStore("mongomock://localhost/lrs_outage")
    app = create_app(
        Settings(data_dir=tmp_path, identity_secret="outage-test-secret-0123456789"), store=store
    )
    yield app, store
    store.close()


@pytest.mark.parametrize(
    ("failure", "status"),
    [
        (errors.NotPrimaryError("not primary"), 503),
        (errors.AutoReconnect("connection reset"), 503),
        (errors.ServerSelectionTimeoutError("no servers"), 503),
        (errors.OperationFailure("Out of disk space", code=14031), 507),
    ],
)
def test_mongo_outages_map_to_503_or_507(app_and_store, monkeypatch, failure, status):
    app, store = app_and_store
    client = Client(app, store, version="2.0.0")

    @contextlib.contextmanager
    def failing_transaction():
        raise failure
        yield  # pragma: no cover

    monkeypatch.setattr(store, "transaction", failing_transaction)
    res = client.post("/xapi/statements", json=statement())
    assert res.status_code == status, res.get_data(as_text=True)
    assert res.json["error"]["status"] == status
    if status == 503:
        assert res.headers["Retry-After"] == "5"
        assert "不可用" in res.json["error"]["message"]
    else:
        assert "disk is full" in res.json["error"]["message"]
    monkeypatch.undo()
    assert client.post("/xapi/statements", json=statement()).status_code == 200


def test_other_driver_errors_stay_incidents(app_and_store, monkeypatch):
    app, store = app_and_store
    client = Client(app, store, version="2.0.0")

    @contextlib.contextmanager
    def failing_transaction():
        raise errors.OperationFailure("something else", code=2)
        yield  # pragma: no cover

    monkeypatch.setattr(store, "transaction", failing_transaction)
    res = client.post("/xapi/statements", json=statement())
    assert res.status_code == 500
    assert "incident" in res.json["error"]["message"]
