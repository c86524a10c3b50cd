"""`lrs archive catch-up | show | verify | rebuild` on a SQLite data directory."""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

from lrs.cli import main
from tests import stores
from tests.archive.conftest import HOME_A, UNIT_FGW, build, key_of
from tests.identity.conftest import SECRET, account

ZS = "FJ-350100-2019-004217"


@pytest.fixture
def store(tmp_path):  # the CLI opens the file itself: always SQLite here
    from lrs.storage.sqlite.store import SqliteStore

    store = SqliteStore(tmp_path / "lrs.sqlite3")
    yield store
    store.close()


def run(tmp_path, *args):
    env = {"LRS_DATA_DIR": str(tmp_path), "LRS_DATABASE_URL": "",
           "LRS_IDENTITY_SECRET": SECRET}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_catch_up_show_verify_rebuild(tmp_path, admin, store):
    if stores.MONGOMOCK:
        pytest.skip("the CLI works on the data directory's SQLite store")
    admin.upsert(agreed_id=ZS, name="张三", unit=UNIT_FGW,
                 accounts=[account(HOME_A, "fz-fgw-0007")])
    admin.send(build("course-completed", course="Z1", duration=28, assessment=False),
               build("course-completed", course="Z2", duration=45, assessment=False))
    result = run(tmp_path, "archive", "catch-up")
    assert result.exit_code == 0 and "projected" in result.stdout
    shown = json.loads(run(tmp_path, "archive", "show", ZS, "--period", "2024").stdout)
    assert shown["totals"]["credits"]["total"] == "1.5"
    assert run(tmp_path, "archive", "verify").exit_code == 0
    rebuilt = run(tmp_path, "archive", "rebuild")
    assert rebuilt.exit_code == 0 and "0 ledger entries added" in rebuilt.stdout
    again = json.loads(run(tmp_path, "archive", "show", key_of(ZS), "--period", "2024").stdout)
    assert again["courses"] == shown["courses"]
    conn = sqlite3.connect(tmp_path / "lrs.sqlite3")
    with conn:
        conn.execute("DROP TRIGGER archive_ledger_no_update")
        conn.execute("UPDATE archive_ledger SET reason = 'x' WHERE seq = 1")
    conn.close()
    broken = run(tmp_path, "archive", "verify", "--trainee", key_of(ZS))
    assert broken.exit_code == 1 and '"firstBrokenSeq":1' in broken.stdout.replace(" ", "")
