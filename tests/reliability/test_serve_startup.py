"""Issue 12 items 6 and 7: `lrs serve` start-up — bootstrap admin credential from the
environment, private data files, and one clear line for an unusable data directory."""

from __future__ import annotations

import stat
import subprocess

import requests

from tests.reliability.conftest import LRS, lrs_env, statement

ADMIN_KEY = "bootstrap-admin"
ADMIN_SECRET = "s3cret-for-the-first-start-only"
ADMIN_ENV = {"LRS_ADMIN_KEY": ADMIN_KEY, "LRS_ADMIN_SECRET": ADMIN_SECRET}


def _admin_can_write(server) -> None:
    session = server.session(ADMIN_KEY, ADMIN_SECRET)
    res = session.post(f"{server.base}/statements", json=statement(), timeout=10)
    assert res.status_code == 200, res.text
    assert session.get(f"{server.base}/statements", timeout=10).status_code == 200


def test_admin_credential_from_env_is_created_once_and_never_printed(server_factory, tmp_path):
    server = server_factory(workers=2, threads=2, env=ADMIN_ENV)
    _admin_can_write(server)
    bad = requests.get(f"{server.base}/statements", auth=(ADMIN_KEY, "wrong-secret-0000000"),
                       headers={"X-Experience-API-Version": "2.0.0"}, timeout=10)
    assert bad.status_code == 401
    server.stop()
    second = server_factory(workers=1, threads=2, env=ADMIN_ENV)  # same data dir
    _admin_can_write(second)
    log = second.log_path.read_text() + server.log_path.read_text()
    assert log.count(f"created the bootstrap admin credential {ADMIN_KEY}") == 1
    assert ADMIN_SECRET not in log


def test_admin_credential_works_on_the_mongomock_demo(server_factory, tmp_path):
    env = {**ADMIN_ENV, "LRS_DATABASE_URL": "mongomock://localhost/lrs_demo",
           "LRS_IDENTITY_SECRET": "demo-identity-secret-0123456789"}
    server = server_factory(workers=1, threads=2, env=env)
    _admin_can_write(server)
    assert ADMIN_SECRET not in server.log()


def _serve_fails(tmp_path, data_dir, **env) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [LRS, "serve", "--port", "1", "--workers", "1"],
        env=lrs_env(data_dir, **env), capture_output=True, text=True, timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    return result


def test_invalid_admin_secret_stops_the_start_with_one_line(tmp_path):
    result = _serve_fails(tmp_path, tmp_path, LRS_ADMIN_KEY=ADMIN_KEY, LRS_ADMIN_SECRET="short")
    assert result.stderr.strip() == (
        "Error: LRS_ADMIN_SECRET must be 16-256 characters without ':'"
    )


def test_a_wrong_gateway_setting_stops_the_start_with_one_line(tmp_path):
    result = _serve_fails(tmp_path, tmp_path, LRS_GATEWAY_INTERVAL="-1")
    assert result.stderr.strip() == "Error: LRS_GATEWAY_INTERVAL must be more than 0, got '-1'"


def test_unusable_data_dir_is_one_clear_line(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data directory should be")
    result = _serve_fails(tmp_path, blocker / "data")
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: LRS_DATA_DIR is not usable: ")
    assert "Not a directory" in lines[0]
    assert result.returncode != 0


def test_data_files_are_private(server_factory, tmp_path):
    data_dir = tmp_path / "data"
    env = {**ADMIN_ENV, "LRS_DATA_DIR": str(data_dir)}  # made by the server itself
    server = server_factory(workers=1, threads=2, env=env)
    _admin_can_write(server)
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    names = ["lrs.sqlite3", "lrs.sqlite3-wal", "lrs.sqlite3-shm", "identity-secret"]
    modes = {name: oct(stat.S_IMODE((data_dir / name).stat().st_mode)) for name in names}
    assert modes == dict.fromkeys(names, "0o600")
