"""`lrs serve` as a real server: a real HTTP client, a real SQLite file, SIGTERM, and its
archive follower process."""

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
    env.pop("LRS_ARCHIVE_PROJECTOR", None)  # lrs serve's default: one follower process
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


def _followers(parent: int) -> list[int]:
    """Live `lrs archive follow` processes whose parent is ``parent``."""
    found = []
    for proc_dir in Path("/proc").iterdir():
        if not proc_dir.name.isdigit():
            continue
        try:
            stat = (proc_dir / "stat").read_text()
            cmdline = (proc_dir / "cmdline").read_bytes()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z" and int(fields[1]) == parent and b"archive\0follow" in cmdline:
            found.append(int(proc_dir.name))
    return found


def _gone(pid: int, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state == "Z":
            return True
        time.sleep(0.1)
    return False


def test_one_follower_projects_and_sigterm_stops_it(server):
    proc, base, session, _ = server
    (follower,) = _followers(proc.pid)  # one for the server, none in the workers
    statement = {
        "actor": {"mbox": "mailto:zs@example.gov.cn"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
        "object": {"id": "http://example.gov.cn/course/1"},
    }
    assert session.post(base + "/statements", json=statement).status_code == 200
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        state = session.get(base + "/archives/status").json()
        if state["eventsProjected"] >= 1:
            break
        time.sleep(0.2)
    assert state["mode"] == "process" and state["eventsProjected"] >= 1, state
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    assert _gone(follower), "the archive follower outlived lrs serve"


def test_the_follower_exits_when_the_server_is_killed(server):
    proc, *_ = server
    (follower,) = _followers(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)  # the arbiter alone: no SIGTERM for anyone
    proc.wait()
    assert _gone(follower), "the archive follower was orphaned"


def test_a_killed_follower_is_restarted_and_projects_again(server):
    """The supervisor (lrs.archive_follower, shared with the gateway follower) notices a
    kill -9 and starts another follower, which projects what came after."""
    proc, base, session, _ = server
    (follower,) = _followers(proc.pid)
    os.kill(follower, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while not (others := [p for p in _followers(proc.pid) if p != follower]):
        assert time.monotonic() < deadline, "the killed archive follower was not restarted"
        time.sleep(0.1)
    assert len(others) == 1
    statement = {
        "actor": {"mbox": "mailto:ls@example.gov.cn"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
        "object": {"id": "http://example.gov.cn/course/2"},
    }
    assert session.post(base + "/statements", json=statement).status_code == 200
    while (state := session.get(base + "/archives/status").json())["eventsProjected"] < 1:
        assert time.monotonic() < deadline, state
        time.sleep(0.2)
