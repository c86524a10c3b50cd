"""CSV import: good rows kept, bad rows refused with their row number and reason."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from lrs.cli import main
from lrs.config import Settings
from lrs.storage.sqlite.store import SqliteStore
from tests.identity.conftest import KEYS, SECRET

UNIT_A = "fj/fz/11350100MB0B23456K"
UNIT_B = "fj/xm/11350200MB0C34567P"
HEADER = (
    "agreed_id,name,unit,position,rank,joined,platform_home_page,account_name,mbox\n"
)
ROWS = [
    # row 2: a new trainee with an account
    "FJ-001,张三,fj/fz/11350100MB0B23456K,科长,四级调研员,2026-01-01,https://a.gov.cn,zs001,",
    # row 3: the same trainee's mailbox on another platform
    "FJ-001,,,,,,,,zhangsan@unit-b.gov.cn",
    # row 4: bad date
    "FJ-002,李四,fj/fz/11350100MB0B23456K,,,2026-13-01,,,",
    # row 5: a new trainee without a unit
    "FJ-003,王五,,,,,,,",
    # row 6: half an account
    "FJ-004,赵六,fj/fz/11350100MB0B23456K,,,,https://a.gov.cn,,",
    # row 7: no agreed identifier
    ",钱七,fj/fz/11350100MB0B23456K,,,,,,",
    # row 8: a good second trainee
    "FJ-005,孙八,fj/xm/11350200MB0C34567P,,,2026-02-01,https://a.gov.cn,sb,",
    # row 9: claims 张三's account for 孙八: kept as a conflict
    "FJ-005,,,,,,https://a.gov.cn,zs001,",
    # row 10: a mailbox that is not one
    "FJ-006,周九,fj/xm/11350200MB0C34567P,,,,,,not-an-address",
    # row 11: a transfer of 张三 to B
    "FJ-001,,fj/xm/11350200MB0C34567P,,,2026-07-01,,,",
    # row 12: nothing new
    "FJ-005,孙八,,,,,,,",
]
CSV = HEADER + "\n".join(ROWS) + "\n"


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("LRS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LRS_IDENTITY_SECRET", SECRET)
    monkeypatch.delenv("LRS_DATABASE_URL", raising=False)
    return tmp_path


def check_report(report):
    assert (report["accepted"], report["updated"], report["unchanged"]) == (2, 2, 1)
    refused = {r["row"]: r["reason"] for r in report["refused"]}
    assert sorted(refused) == [4, 5, 6, 7, 10]
    assert "joined" in refused[4] and "date" in refused[4]
    assert "unit is required" in refused[5]
    assert "go together" in refused[6]
    assert "agreed identifier" in refused[7]
    assert refused[10].startswith("mbox")
    assert [c["row"] for c in report["conflicts"]] == [9]


def test_cli_import_reports_and_keeps_good_rows(env):
    path = env / "trainees.csv"
    path.write_text(CSV, encoding="utf-8")
    result = CliRunner().invoke(main, ["trainees", "import", str(path), "--json"])
    assert result.exit_code == 1  # some rows were refused
    check_report(json.loads(result.stdout.strip().splitlines()[-1]))
    store = SqliteStore(Settings.from_env().resolved_database_url().removeprefix("sqlite:///"))
    with store.read() as uow:
        zs = uow.trainees.get(KEYS.key("FJ-001"))
        assert (zs.name, zs.unit, zs.position) == ("张三", UNIT_B, "科长")
        assert len(uow.account_links.agent_keys(zs.key)) == 2
        assert [m.unit for m in uow.trainees.memberships(zs.key)] == [UNIT_A, UNIT_B]
        assert uow.trainees.get(KEYS.key("FJ-002")) is None
        assert uow.trainees.get(KEYS.key("FJ-005")).unit == UNIT_B
    store.close()


def test_cli_import_text_report(env):
    path = env / "trainees.csv"
    path.write_bytes(CSV.encode("gb18030"))  # as a spreadsheet in China saves it
    result = CliRunner().invoke(main, ["trainees", "import", str(path)])
    assert "accepted 2, updated 2, unchanged 1, refused 5, conflicts 1" in result.stdout
    assert "第 4 行 拒收：调入日期（joined）：joined must be a date YYYY-MM-DD" in result.stdout
    assert "FJ-00" not in result.output  # agreed identifiers are never echoed


def test_cli_refuses_a_file_with_unknown_columns(env):
    path = env / "bad.csv"
    path.write_text("agreed_id,joinned\nX,2026-01-01\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["trainees", "import", str(path)])
    assert result.exit_code == 1 and "unknown column 'joinned'" in result.output


def test_api_import_applies_the_writers_scope(client):
    liaison = client("trainees/write", role="unit", unit=UNIT_A)
    response = liaison.post(
        "/xapi/trainees/import", data=CSV.encode(), headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    refused = {r["row"]: r["reason"] for r in report["refused"]}
    # Unit A's liaison may not register trainees of unit B, but may record
    # that one of its own moves there (row 11).
    assert sorted(refused) == [4, 5, 6, 7, 8, 9, 10, 12]
    assert "may not manage" in refused[8]
    assert report["accepted"] == 1 and report["updated"] == 2


def test_api_import_needs_csv(client):
    response = client("all").post("/xapi/trainees/import", {"agreed_id": "X"})
    assert response.status_code == 400


def test_cli_show_and_conflicts(env):
    path = env / "trainees.csv"
    path.write_text(CSV, encoding="utf-8")
    runner = CliRunner()
    runner.invoke(main, ["trainees", "import", str(path)])
    shown = runner.invoke(main, ["trainees", "show", "FJ-001"])
    assert shown.exit_code == 0, shown.output
    assert "张三" in shown.output and UNIT_B in shown.output and "FJ-001" not in shown.output
    assert "zhangsan@unit-b.gov.cn" in shown.output
    by_key = runner.invoke(main, ["trainees", "show", KEYS.key("FJ-001"), "--json"])
    assert json.loads(by_key.stdout)["name"] == "张三"
    listed = runner.invoke(main, ["trainees", "conflicts"])
    assert "account_claim" in listed.output and "x1" in listed.output
    missing = runner.invoke(main, ["trainees", "show", "nobody"])
    assert missing.exit_code == 1 and "no trainee" in missing.output


def test_credentials_create_with_roles(env):
    runner = CliRunner()
    made = runner.invoke(
        main,
        ["credentials", "create", "--name", "liaison", "--scopes", "trainees/write",
         "--role", "unit", "--unit", UNIT_A, "--json"],
    )
    assert made.exit_code == 0, made.output
    trainee = runner.invoke(
        main,
        ["credentials", "create", "--name", "zs", "--scopes", "trainees/read",
         "--role", "trainee", "--trainee", "FJ-001", "--json"],
    )
    assert trainee.exit_code == 0, trainee.output
    store = SqliteStore(Settings.from_env().resolved_database_url().removeprefix("sqlite:///"))
    with store.read() as uow:
        by_name = {c.name: c.settings for c in uow.credentials.list_credentials()}
    store.close()
    assert by_name["liaison"]["role"] == "unit" and by_name["liaison"]["unit"] == UNIT_A
    assert by_name["zs"]["trainee"] == KEYS.key("FJ-001")  # hashed, never the identifier
    wrong = runner.invoke(
        main, ["credentials", "create", "--name", "x", "--scopes", "all", "--unit", UNIT_A]
    )
    assert wrong.exit_code == 1 and "--role" in wrong.output
    nobody = runner.invoke(
        main, ["credentials", "create", "--name", "x", "--scopes", "all", "--role", "trainee"]
    )
    assert nobody.exit_code == 1 and "trainee's key" in nobody.output
