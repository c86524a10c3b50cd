"""`lrs archive catch-up | show | verify | rebuild` on a SQLite data directory."""

from __future__ import annotations

import io
import json
import sqlite3
from decimal import Decimal

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from lrs.cli import main
from tests import stores
from tests.archive.conftest import FZ, HOME_A, UNIT_FGW, build, key_of
from tests.identity.conftest import SECRET, account

ZS = "FJ-350100-2019-004217"


@pytest.fixture
def store(tmp_path):  # the CLI opens the file itself: always SQLite here
    from lrs.storage.sqlite.store import SqliteStore

    store = SqliteStore(tmp_path / "lrs.sqlite3")
    yield store
    store.close()


def run(tmp_path, *args, catch=False):
    env = {"LRS_DATA_DIR": str(tmp_path), "LRS_DATABASE_URL": "",
           "LRS_IDENTITY_SECRET": SECRET}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=catch)


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
    summary = admin.get("/xapi/archives/summary?period=2024").get_json()
    assert summary["overall"]["credits"]["total"] == "1.5"
    rebuilt = run(tmp_path, "archive", "rebuild")
    assert rebuilt.exit_code == 0 and "0 ledger entries added" in rebuilt.stdout
    recounted = run(tmp_path, "archive", "rebuild", "--aggregates-only")
    assert recounted.exit_code == 0 and "aggregates recounted for 1 trainees" in recounted.stdout
    again_summary = admin.get("/xapi/archives/summary?period=2024").get_json()
    assert again_summary["overall"] == summary["overall"]
    again = json.loads(run(tmp_path, "archive", "show", key_of(ZS), "--period", "2024").stdout)
    assert again["courses"] == shown["courses"]
    conn = sqlite3.connect(tmp_path / "lrs.sqlite3")
    with conn:
        conn.execute("DROP TRIGGER archive_ledger_no_update")
        conn.execute("UPDATE archive_ledger SET reason = 'x' WHERE seq = 1")
    conn.close()
    broken = run(tmp_path, "archive", "verify", "--trainee", key_of(ZS))
    assert broken.exit_code == 1 and '"firstBrokenSeq":1' in broken.stdout.replace(" ", "")


def test_report_writes_the_api_figures_as_xlsx_and_csv(tmp_path, admin, drain, store):
    if stores.MONGOMOCK:
        pytest.skip("the CLI works on the data directory's SQLite store")
    admin.upsert(agreed_id=ZS, name="张三", unit=UNIT_FGW,
                 accounts=[account(HOME_A, "fz-fgw-0007")])
    admin.send(build("course-completed", course="C1", duration=28, assessment=False))
    drain()
    api = admin.get(f"/xapi/archives/units/{UNIT_FGW}/report?period=2024").get_json()
    out = tmp_path / "unit.xlsx"
    result = run(tmp_path, "archive", "report", "--unit", UNIT_FGW, "--period", "2024",
                 "--format", "xlsx", "-o", str(out))
    assert result.exit_code == 0, result.output
    sheet = load_workbook(io.BytesIO(out.read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    (item,) = api["trainees"]
    assert rows[1][1] == item["name"] == "张三"
    assert Decimal(str(rows[1][10])) == Decimal(item["credits"]["total"]) == Decimal("0.5")
    out_csv = tmp_path / "fz.csv"
    result = run(tmp_path, "archive", "report", "--org", FZ, "--period", "2024",
                 "--format", "csv", "-o", str(out_csv))
    assert result.exit_code == 0, result.output
    assert out_csv.read_bytes().startswith("\ufeff下级单位".encode())
    both = run(tmp_path, "archive", "report", "--unit", UNIT_FGW, "--org", FZ,
               "-o", str(tmp_path / "x.csv"))
    assert both.exit_code == 2 and "exactly one" in both.output
    bad = run(tmp_path, "archive", "report", "--unit", "a b", "-o", str(tmp_path / "y.csv"))
    assert bad.exit_code == 1 and "unit:" in bad.output
    assert not (tmp_path / "y.csv").exists()
