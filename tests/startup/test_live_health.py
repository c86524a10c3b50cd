"""A real `lrs serve`: /xapi/health over HTTP, and the LRS's logs as JSON lines."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

LRS = str(Path(sys.executable).with_name("lrs"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_health_over_http_and_json_log_lines(tmp_path):
    env = {**os.environ, "LRS_DATA_DIR": str(tmp_path), "LRS_DATABASE_URL": "",
           "LRS_LOG_FORMAT": "json", "LRS_LOG_LEVEL": "INFO", "LRS_ARCHIVE_PROJECTOR": "off"}
    env.pop("LRS_IDENTITY_SECRET", None)  # a fresh secret is generated: a logged warning
    port = _free_port()
    log_path = tmp_path / "server.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [LRS, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
             "--threads", "2"],
            env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}/xapi/health"
        deadline = time.monotonic() + 30
        res = None
        while time.monotonic() < deadline and proc.poll() is None:
            with contextlib.suppress(requests.RequestException):
                res = requests.get(url, timeout=2)
                break
            time.sleep(0.1)
        assert res is not None, log_path.read_text(errors="replace")
        assert res.status_code == 200
        assert res.json()["status"] == "ok" and res.json()["checks"]["store"]["ms"] >= 0
        assert "X-Experience-API-Version" in res.headers
        assert requests.get(url + "?x=1", timeout=5).status_code == 400
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    ours = [
        json.loads(line)
        for line in log_path.read_text(encoding="utf-8").splitlines()
        if line.startswith("{")
    ]
    secret = [e for e in ours if e["logger"] == "lrs.domain.identity.keys"]
    assert secret and secret[0]["level"] == "warning", ours
    assert all({"time", "level", "logger", "pid", "message"} <= set(e) for e in ours)
