"""`lrs serve` as a real server: a real HTTP client, a real SQLite file, SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

LRS = str(Path(sys.executable).with_name("lrs"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    env = {**os.environ, "LRS_DATA_DIR": str(tmp_path), "LRS_DATABASE_URL": ""}
    creds = json.loads(
        subprocess.run(
            [LRS, "credentials", "create", "--name", "it", "--scopes", "all", "--json"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    port = free_port()
    proc = subprocess.Popen(
        [LRS, "serve", "--port", str(port), "--workers", "2", "--threads", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}/xapi"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            requests.get(base + "/about", timeout=2)
            break
        except requests.RequestException:
            time.sleep(0.1)
    session = requests.Session()
    session.auth = (creds["key"], creds["secret"])
    session.headers["X-Experience-API-Version"] = "2.0.0"
    yield proc, base, session, tmp_path
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def test_serves_statements_and_stops_gracefully_on_sigterm(server):
    proc, base, session, data_dir = server
    statement = {
        "actor": {"mbox": "mailto:zs@example.gov.cn"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
        "object": {"id": "http://example.gov.cn/course/1"},
    }
    res = session.post(base + "/statements", json=[statement, statement])
    assert res.status_code == 200, res.text
    assert res.headers["X-Experience-API-Version"] == "2.0.0"
    got = session.get(base + "/statements").json()
    assert {s["id"] for s in got["statements"]} == set(res.json())
    assert (data_dir / "lrs.sqlite3").exists()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
