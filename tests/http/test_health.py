"""GET /xapi/health: no credentials, reads the store once, 200 or 503."""

from __future__ import annotations

import logging
import sqlite3

from lrs import __version__


def test_healthy_store_answers_200_without_credentials(app):
    res = app.test_client().get("/xapi/health")
    assert res.status_code == 200
    body = res.get_json()
    assert body["status"] == "ok" and body["version"] == __version__
    assert body["checks"]["store"]["ms"] >= 0
    assert res.headers["Cache-Control"] == "no-store"
    assert res.headers["X-Experience-API-Version"] == "2.0.0"


def test_head_and_unknown_parameters(app):
    http = app.test_client()
    assert http.head("/xapi/health").status_code == 200
    res = http.get("/xapi/health?verbose=1")
    assert res.status_code == 400
    assert res.get_json()["error"]["status"] == 400


def test_a_failing_store_answers_503_and_logs_the_details(app, store, monkeypatch, caplog):
    def broken(write=True):
        raise sqlite3.OperationalError("unable to open database file /secret/path")

    monkeypatch.setattr(store, "unit_of_work", broken)
    with caplog.at_level(logging.ERROR, logger="lrs.http.health"):
        res = app.test_client().get("/xapi/health")
    assert res.status_code == 503
    error = res.get_json()["error"]
    assert error["status"] == 503 and error["path"] == "store"
    assert error["message"].startswith("the store cannot be read (incident ")
    incident = error["message"].removesuffix(")").rsplit(" ", 1)[1]
    assert "/secret/path" not in res.get_data(as_text=True)  # details stay in the log
    assert incident in caplog.text and "/secret/path" in caplog.text


def test_health_recovers_when_the_store_does(app, store, monkeypatch):
    http = app.test_client()
    original = store.unit_of_work
    monkeypatch.setattr(store, "unit_of_work", lambda write=True: 1 / 0)
    assert http.get("/xapi/health").status_code == 503
    monkeypatch.setattr(store, "unit_of_work", original)
    assert http.get("/xapi/health").status_code == 200
