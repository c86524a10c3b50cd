"""Real `lrs serve` processes for reliability tests: start, SIGTERM, kill -9, restart."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

LRS = str(Path(sys.executable).with_name("lrs"))
START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lrs_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "LRS_DATA_DIR": str(data_dir),
        "LRS_DATABASE_URL": "",
        "LRS_LOG_LEVEL": "warning",
    }
    env.pop("LRS_ACCESS_LOG", None)
    env.update(extra)
    return env


def run_lrs(data_dir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [LRS, *args],
        env=lrs_env(data_dir),
        check=check,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def create_credential(data_dir: Path, scopes: str = "all", org: str = "") -> tuple[str, str]:
    args = ["credentials", "create", "--name", f"it-{uuid.uuid4().hex[:6]}", "--scopes", scopes]
    if org:
        args += ["--org", org]
    out = json.loads(run_lrs(data_dir, *args, "--json").stdout)
    return out["key"], out["secret"]


class LiveServer:
    """`lrs serve` on 127.0.0.1 and a free port, in its own process group."""

    def __init__(
        self, data_dir: Path, workers: int = 2, threads: int = 4, env: dict | None = None
    ) -> None:
        self.data_dir = data_dir
        self.env = env or {}
        self.workers = workers
        self.threads = threads
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/xapi"
        self.proc: subprocess.Popen | None = None
        self.log_path = data_dir / f"server-{self.port}.log"

    def start(self) -> LiveServer:
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child
        try:
            self.proc = subprocess.Popen(
                [LRS, "serve", "--host", "127.0.0.1", "--port", str(self.port),
                 "--workers", str(self.workers), "--threads", str(self.threads)],
                env=lrs_env(self.data_dir, **self.env),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: kill -9 takes every worker
            )
        finally:
            log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"lrs serve exited early:\n{self.log()}")
            try:
                if requests.get(self.base + "/about", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.kill9()
        raise RuntimeError(f"lrs serve did not start in {START_TIMEOUT} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def kill9(self) -> None:
        """SIGKILL the whole process group (arbiter and workers) at once."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        _wait_group_gone(self.proc.pid)

    def stop(self) -> int | None:
        """SIGTERM (graceful), then SIGKILL if it lingers."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.kill9()
            return None
        finally:
            _wait_group_gone(self.proc.pid)

    def session(self, key: str, secret: str, version: str = "2.0.0") -> requests.Session:
        session = requests.Session()
        session.auth = (key, secret)
        session.headers["X-Experience-API-Version"] = version
        return session


def _wait_group_gone(pgid: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


@pytest.fixture
def server_factory(tmp_path):
    servers: list[LiveServer] = []

    def make(data_dir: Path | None = None, **kw) -> LiveServer:
        server = LiveServer(data_dir or tmp_path, **kw)
        servers.append(server)
        return server.start()

    yield make
    for server in servers:
        if server.proc is not None and server.proc.poll() is None:
            server.kill9()


def statement(sid: str | None = None, **overrides) -> dict:
    body = {
        "id": sid or str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "mbox": "mailto:zs@example.gov.cn"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
        "object": {"id": "http://example.gov.cn/course/1"},
    }
    body.update(overrides)
    return body


def db_ids(db_path: Path) -> list[str]:
    """Statement ids in commit (seq) order, straight from the SQLite file."""
    conn = sqlite3.connect(db_path, timeout=30)
    try:
        return [row[0] for row in conn.execute("SELECT id FROM statements ORDER BY seq")]
    finally:
        conn.close()


def pending_outbox_ids(db_path: Path) -> list[str]:
    conn = sqlite3.connect(db_path, timeout=30)
    try:
        rows = conn.execute(
            "SELECT payload FROM outbox WHERE topic = 'statement.stored' AND done = 0 ORDER BY id"
        ).fetchall()
    finally:
        conn.close()
    return [json.loads(row[0])["id"] for row in rows]


def integrity(db_path: Path) -> str:
    conn = sqlite3.connect(db_path, timeout=30)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def served_ids(session: requests.Session, base: str, limit: int = 200) -> list[str]:
    """Every statement id the server serves, following `more` links (ascending)."""
    ids: list[str] = []
    url = f"{base}/statements?ascending=true&format=ids&limit={limit}"
    origin = base[: -len("/xapi")]
    for _ in range(10_000):
        res = session.get(url, timeout=30)
        assert res.status_code == 200, res.text
        page = res.json()
        ids += [s["id"] for s in page["statements"]]
        if not page["more"]:
            return ids
        url = origin + page["more"]
    raise AssertionError("paging did not end")
