"""Issue 12 item 4: a read-only or full store answers 503/507, and recovers without restart.

Root ignores file modes, so the outage is made with ``chattr +i`` (immutable:
not even root may write), which is what the outside probe used.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import time
import uuid

import pytest
import requests

from lrs.app import create_app
from lrs.config import Settings
from lrs.storage.sqlite.store import SqliteStore
from tests.http.conftest import Client
from tests.reliability.conftest import create_credential, db_ids, statement


def _chattr_works(tmp_path) -> bool:
    if shutil.which("chattr") is None:
        return False
    probe = tmp_path / "chattr-probe"
    probe.touch()
    ok = subprocess.run(["chattr", "+i", str(probe)], capture_output=True).returncode == 0
    subprocess.run(["chattr", "-i", str(probe)], capture_output=True)
    return ok


@pytest.fixture
def immutable(tmp_path):
    if not _chattr_works(tmp_path):
        pytest.skip("needs chattr +i (root on ext4/xfs)")
    frozen: list[str] = []

    def freeze(*paths):
        names = [str(p) for p in paths if p.exists()]
        subprocess.run(["chattr", "+i", *names], check=True)
        frozen.extend(names)

    def thaw():
        if frozen:
            subprocess.run(["chattr", "-i", *frozen], check=True)
            frozen.clear()

    freeze.thaw = thaw
    yield freeze
    thaw()


@pytest.fixture
def outage_app(tmp_path):
    store = SqliteStore(tmp_path / "lrs.sqlite3")
    app = create_app(Settings(data_dir=tmp_path), store=store)
    yield app, store
    store.close()


def test_read_only_store_answers_503_and_recovers_without_restart(outage_app, tmp_path, immutable):
    app, store = outage_app
    client = Client(app, store, version="2.0.0")
    assert client.post("/xapi/statements", json=statement()).status_code == 200
    db = tmp_path / "lrs.sqlite3"
    immutable(db, db.with_name("lrs.sqlite3-wal"))

    refused = statement()
    res = client.post("/xapi/statements", json=refused)
    assert res.status_code == 503, res.get_data(as_text=True)
    assert res.headers["Retry-After"] == "5"
    assert "只读" in res.json["error"]["message"]
    assert "read-only" in res.json["error"]["message"]
    # A connection opened during the outage (a new thread or worker) is refused too…
    store.discard_connection()
    assert client.post("/xapi/statements", json=statement()).status_code == 503
    # …while reads go on.
    assert client.get("/xapi/statements?limit=5").status_code == 200

    immutable.thaw()
    after = statement()
    res = client.post("/xapi/statements", json=after)
    assert res.status_code == 200, res.get_data(as_text=True)
    stored = db_ids(db)
    assert after["id"] in stored
    assert refused["id"] not in stored


def test_full_disk_answers_507_and_keeps_nothing(outage_app, tmp_path):
    app, store = outage_app
    client = Client(app, store, version="2.0.0")
    assert client.post("/xapi/statements", json=statement()).status_code == 200
    conn = store._connection()
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")  # the database cannot grow: disk full
    big = statement(
        id=str(uuid.uuid4()),
        result={"extensions": {"http://example.gov.cn/x/notes": "很" * 200_000}},
    )
    res = client.post("/xapi/statements", json=big)
    assert res.status_code == 507, res.get_data(as_text=True)
    assert "disk is full" in res.json["error"]["message"]
    assert big["id"] not in db_ids(tmp_path / "lrs.sqlite3")
    # Space freed (here: the limit lifted with the connection): writes go on.
    assert client.post("/xapi/statements", json=big).status_code == 200


def test_live_server_boots_and_recovers_through_an_immutable_store(
    server_factory, tmp_path, immutable
):
    """WAL and SHM immutable too: workers die (SIGBUS on the shared memory) and are
    rebooted by gunicorn; they must boot through the outage, not stop the server."""
    key, secret = create_credential(tmp_path)
    server = server_factory(workers=2, threads=2)
    session = server.session(key, secret)
    assert session.post(f"{server.base}/statements", json=statement(), timeout=10).ok
    db = tmp_path / "lrs.sqlite3"
    immutable(db, db.with_name("lrs.sqlite3-wal"), db.with_name("lrs.sqlite3-shm"))
    statuses = set()
    for _ in range(6):
        with contextlib.suppress(requests.RequestException):
            res = session.post(f"{server.base}/statements", json=statement(), timeout=10)
            statuses.add(res.status_code)
            if res.status_code == 503:
                assert json.loads(res.text)["error"]["status"] == 503
        time.sleep(0.3)
    assert 500 not in statuses
    assert 200 not in statuses
    time.sleep(3)  # the outage lasts a few seconds
    immutable.thaw()
    assert server.proc.poll() is None, server.log()  # the server did not exit
    ok = 0
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and ok < 30:
        with contextlib.suppress(requests.RequestException):
            res = session.post(f"{server.base}/statements", json=statement(), timeout=10)
            ok = ok + 1 if res.status_code == 200 else 0
    assert ok == 30, server.log()
