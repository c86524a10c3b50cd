"""Issue 12 item 7: `lrs restore --force` while a server runs must refuse, not swap the
live store and then report failure."""

from __future__ import annotations

import json
import stat

from .conftest import create_credential, db_ids, run_lrs, served_ids, statement


def test_restore_refuses_a_store_in_use_and_works_once_stopped(server_factory, tmp_path):
    key, secret = create_credential(tmp_path)
    server = server_factory(workers=2, threads=2)
    session = server.session(key, secret)
    first = statement()
    assert session.post(f"{server.base}/statements", json=first, timeout=10).ok
    backup = tmp_path / "backups" / "b.sqlite3"
    run_lrs(tmp_path, "backup", str(backup))
    later = statement()
    assert session.post(f"{server.base}/statements", json=later, timeout=10).ok

    refused = run_lrs(tmp_path, "restore", str(backup), "--force", check=False)
    assert refused.returncode != 0
    assert "in use" in refused.stderr and "Traceback" not in refused.stderr, refused.stderr
    # Nothing was replaced: the live store still has both statements and serves them.
    assert set(served_ids(session, server.base)) == {first["id"], later["id"]}

    assert server.stop() == 0
    done = run_lrs(tmp_path, "restore", str(backup), "--force", "--json")
    assert json.loads(done.stdout)["statements"] == 1
    assert db_ids(tmp_path / "lrs.sqlite3") == [first["id"]]
    assert stat.S_IMODE((tmp_path / "lrs.sqlite3").stat().st_mode) == 0o600


def test_restore_into_a_fresh_dir_creates_private_files(tmp_path):
    source = tmp_path / "src"
    create_credential(source)
    backup = tmp_path / "b.sqlite3"
    run_lrs(source, "backup", str(backup))
    fresh = tmp_path / "fresh"
    run_lrs(fresh, "restore", str(backup))
    assert stat.S_IMODE((fresh / "lrs.sqlite3").stat().st_mode) == 0o600
