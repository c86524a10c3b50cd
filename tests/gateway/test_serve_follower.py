"""`lrs serve` runs the gateway follower beside gunicorn: it pulls on its own, survives a
kill -9 mid-page (restarted; the checkpoint makes the rerun lose and double nothing),
and GET /xapi/gateway/status reports the job."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import requests

from tests.gateway.conftest import post, remote_ids, statement
from tests.reliability.conftest import LRS, LiveServer, create_credential, lrs_env, served_ids


def _followers(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().split(b"\0")
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == parent and b"gateway" in cmd and b"follow" in cmd:
            found.append(int(entry.name))
    return found


def _diagnosis(got, want, server, proxy) -> str:
    """What the next engineer needs when this fails: counts, the follower's own log
    lines (the identity-secret warnings left out) and the proxy's last requests."""
    lines = [line for line in server.log_path.read_text(errors="replace").splitlines()
             if "LRS_IDENTITY_SECRET" not in line]
    return "\n".join([f"hub {len(got)} of {len(want)} statements",
                      *lines[-60:], "proxy saw:", *proxy.seen[-20:]])


def test_serve_starts_the_follower_which_survives_kill_9(remote, proxy, tmp_path):
    post(remote, [statement() for _ in range(80)])
    data = tmp_path / "hub"
    env = lrs_env(data)
    subprocess.run([LRS, "gateway", "pull", "add", "--name", "pa", "--endpoint", proxy.base,
                    "--key", remote.key, "--secret", remote.secret, "--page-size", "5",
                    "--org", "fj/fz"], env=env, check=True, capture_output=True, timeout=120)
    key, secret = create_credential(data, "all/read,statements/read")
    proxy.delay = 0.1
    server = LiveServer(data, workers=1, threads=2,
                        env={"LRS_GATEWAY_FOLLOWER": "auto", "LRS_GATEWAY_INTERVAL": "0.5"})
    server.start()
    try:
        session = server.session(key, secret)
        deadline = time.monotonic() + 30
        while not (pids := _followers(server.proc.pid)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert pids, server.log()
        # Let it get some pages in, then kill it mid-page.
        while len(served_ids(session, server.base)) < 10 and time.monotonic() < deadline:
            time.sleep(0.1)
        os.kill(pids[0], signal.SIGKILL)
        proxy.delay = 0
        want = remote_ids(remote)
        # Generous: on a loaded 2-core CI machine the restarted follower is niced.
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            got = served_ids(session, server.base)
            if set(got) >= want:
                break
            time.sleep(0.5)
        assert len(got) == len(set(got)) and set(got) == want, _diagnosis(got, want, server, proxy)
        restarted = _followers(server.proc.pid)
        assert restarted and restarted != pids  # the supervisor started a new one
        res = session.get(server.base + "/gateway/status", timeout=10)
        job = res.json()["jobs"][0]
        assert job["name"] == "pa" and job["counters"]["refused"] == 0
        assert job["lastError"] is None or job["consecutiveFailures"] == 0
        anonymous = requests.get(server.base + "/gateway/status", timeout=10,
                                 headers={"X-Experience-API-Version": "2.0.0"})
        assert anonymous.status_code == 401
    finally:
        server.stop()
    assert not _followers(server.proc.pid)
