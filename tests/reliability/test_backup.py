"""`lrs backup` while a writer keeps posting, then `lrs restore` into a fresh data dir.

The restored store must hold exactly the statements committed before the
backup point (a prefix of the commit order, nothing torn), pass an integrity
check, and serve them. Restore refuses non-LRS files and non-empty stores.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import threading
import time

import pytest

from lrs.storage.sqlite import backup as store_backup

from .conftest import (
    LiveServer,
    create_credential,
    db_ids,
    integrity,
    run_lrs,
    statement,
)

MAX_WRITES = 3000


def test_online_backup_is_a_consistent_prefix(server_factory, tmp_path):
    live = tmp_path / "live"
    live.mkdir()
    key, secret = create_credential(live)
    server = server_factory(live, workers=2, threads=2)
    acked: list[str] = []
    stop = threading.Event()
    errors: list[str] = []

    def writer() -> None:
        with server.session(key, secret) as session:
            for n in range(MAX_WRITES):
                if stop.is_set():
                    return
                # Singles and small batches: a batch is restored whole or not at all.
                body = [statement(), statement()] if n % 3 == 0 else statement()
                res = session.post(server.base + "/statements", json=body, timeout=60)
                if res.status_code != 200:
                    errors.append(f"{res.status_code} {res.text[:200]}")
                    return
                acked.extend(res.json())

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while len(acked) < 30 and time.monotonic() < deadline:
            time.sleep(0.05)
        acked_before = list(acked)
        target = tmp_path / "backups" / "lrs-backup.sqlite3"
        out = run_lrs(live, "backup", str(target), "--json")
        summary = json.loads(out.stdout)
        # The writer keeps going after the backup point.
        after = len(acked) + 10
        while len(acked) < after and time.monotonic() < deadline + 60 and not errors:
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=120)
    assert not errors, errors
    assert server.stop() == 0
    assert summary["statements"] > 0
    committed = db_ids(live / "lrs.sqlite3")  # commit order of the live store
    assert len(committed) > summary["statements"], "the writer should outlive the backup"

    # The backup file alone: intact, self-contained (no -wal beside it), an LRS store.
    assert integrity(target) == "ok"
    assert not (target.parent / (target.name + "-wal")).exists()
    assert (target.parent / (target.name + ".identity-secret")).exists()

    fresh = tmp_path / "restored"
    out = run_lrs(fresh, "restore", str(target), "--json")
    restored_summary = json.loads(out.stdout)
    restored = db_ids(fresh / "lrs.sqlite3")
    assert integrity(fresh / "lrs.sqlite3") == "ok"
    assert restored_summary["statements"] == len(restored) == summary["statements"]
    # Exactly a prefix of the commit order: nothing from after the backup point,
    # nothing missing before it, so no batch is torn.
    assert restored == committed[: len(restored)]
    assert set(acked_before) <= set(restored)
    assert (fresh / "identity-secret").read_bytes() == (live / "identity-secret").read_bytes()

    # The restored store serves exactly those statements, to the same credential
    # (through the HTTP layer in process: a second server start adds nothing here).
    served = _served_in_process(fresh, key, secret)
    assert served == restored

    # Refusals: a non-empty store (unless forced), an existing backup path.
    again = run_lrs(fresh, "restore", str(target), check=False)
    assert again.returncode != 0 and "not empty" in again.stderr, again.stderr
    forced = store_backup.restore(target, fresh / "lrs.sqlite3", force=True)
    assert forced.statements == len(restored)
    with pytest.raises(store_backup.BackupError, match="exists"):
        store_backup.backup(live / "lrs.sqlite3", target)


@pytest.fixture
def empty_target(tmp_path):
    return tmp_path / "target" / "lrs.sqlite3"


def _not_an_lrs_store(tmp_path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00\x01 not a database" * 100)
    other = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    text = tmp_path / "notes.txt"
    text.write_text("SQLite format 3 is what this is not")
    return [junk, other, text, tmp_path / "missing.sqlite3"]


def test_restore_verifies_the_file_first(tmp_path, empty_target):
    for bad in _not_an_lrs_store(tmp_path):
        with pytest.raises(store_backup.BackupError):
            store_backup.restore(bad, empty_target)
        assert not empty_target.exists()


def test_restore_refuses_a_truncated_backup(tmp_path, empty_target):
    live = tmp_path / "live"
    from lrs.storage.sqlite.store import SqliteStore

    store = SqliteStore(live / "lrs.sqlite3")
    with store.transaction() as uow:
        uow.outbox.add("x", {"pad": "y" * 50_000})
    store.close()
    good = tmp_path / "good.sqlite3"
    store_backup.backup(live / "lrs.sqlite3", good)
    torn = tmp_path / "torn.sqlite3"
    torn.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(store_backup.BackupError):
        store_backup.restore(torn, empty_target)
    store_backup.restore(good, empty_target)
    assert integrity(empty_target) == "ok"


def test_backup_of_a_mongodb_store_is_a_clear_error(tmp_path):
    with pytest.raises(store_backup.BackupError, match="mongodump"):
        store_backup.sqlite_path("mongodb://127.0.0.1/lrs")


def test_backup_refuses_a_missing_store(tmp_path):
    with pytest.raises(store_backup.BackupError, match="no store"):
        store_backup.backup(tmp_path / "nothing-here" / "lrs.sqlite3", tmp_path / "b.sqlite3")


def test_live_server_class_binds_loopback_only(tmp_path):
    assert LiveServer(tmp_path).base.startswith("http://127.0.0.1:")


def _served_in_process(data_dir, key, secret) -> list[str]:
    from lrs.app import create_app
    from lrs.config import Settings
    from lrs.storage.sqlite.store import SqliteStore

    store = SqliteStore(data_dir / "lrs.sqlite3")
    try:
        app = create_app(Settings(data_dir=data_dir), store=store)
        http = app.test_client()
        auth = base64.b64encode(f"{key}:{secret}".encode()).decode()
        headers = {"Authorization": f"Basic {auth}", "X-Experience-API-Version": "2.0.0"}
        ids: list[str] = []
        url = "/xapi/statements?ascending=true&format=ids&limit=100"
        while url:
            res = http.get(url, headers=headers)
            assert res.status_code == 200, res.data
            ids += [s["id"] for s in res.get_json()["statements"]]
            url = res.get_json()["more"]
        return ids
    finally:
        store.close()
