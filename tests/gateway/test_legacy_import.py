"""Legacy import: a platform's CSV (GB 18030, UTF-8, UTF-16) or .xlsx export with bad rows,
imported twice, gives the same statements and the same learning archive."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

import pytest

from adapters.legacy.convert import Platform
from adapters.legacy.importer import import_file
from lrs.domain.archive.policy_book import load_policy_book
from lrs.domain.archive.projector import Projector
from lrs.domain.errors import ValidationError
from tests.gateway.conftest import hub_ids
from tests.reliability.conftest import LRS, lrs_env

FIXTURE = Path(__file__).parents[1] / "fixtures/legacy/platform-a.csv"
PLATFORM = Platform("fsa", "https://fsa.example.gov.cn", "福建干部网络学院", "12350000MB0A12345Y")
# Rows 5-7 are bad (no 身份标识, duration in words, an unreadable time); row 8 repeats row 2.
EXPECTED = {2: "accepted", 3: "accepted", 4: "accepted", 5: "refused", 6: "refused",
            7: "refused", 8: "duplicate", 9: "accepted"}


def xlsx_bytes(text: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in csv.reader(io.StringIO(text)):
        sheet.append([float(c) if c.replace(".", "", 1).isdigit() and "-" not in c else c
                      for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def archive_rows(hub) -> list:
    projector = Projector(hub.store, load_policy_book(hub.settings))
    projector.drain()
    with hub.store.read() as uow:
        rows = uow.archive.rows_in_units("", "2024", None, 10_000)
    return [(r.trainee_key, r.kind, r.activity_id, r.data) for r in rows]


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-16", "xlsx"])
def test_an_export_imported_twice_gives_the_same_statements_and_archive(hub, encoding):
    text = FIXTURE.read_text("utf-8")
    data = xlsx_bytes(text) if encoding == "xlsx" else text.encode(encoding)
    first = import_file(hub, hub.settings, data, PLATFORM, org="fj/fz")
    assert {r.row: r.status for r in first.rows} == EXPECTED, first.as_dict()
    reasons = {r.row: r.reason for r in first.rows if r.status == "refused"}
    assert "身份标识" in reasons[5] and "课程时长" in reasons[6] and "完成时间" in reasons[7]
    ids = hub_ids(hub)
    archive = archive_rows(hub)
    assert len(ids) == 4 and archive

    second = import_file(hub, hub.settings, data, PLATFORM, org="fj/fz")
    assert second.counts() == {"accepted": 0, "duplicate": 5, "refused": 3}
    assert hub_ids(hub) == ids
    assert archive_rows(hub) == archive


def test_statements_follow_the_cadre_profile_and_ids_are_deterministic(hub, tmp_path):
    data = FIXTURE.read_bytes()
    report = import_file(hub, hub.settings, data, PLATFORM, org="fj/fz")
    by_row = {r.row: r.statement_id for r in report.rows}
    with hub.store.read() as uow:
        record = uow.statements.get(by_row[3])
        violations = uow.violations.for_statement(by_row[3])
    # Only the pattern (an export has no registered/launched before the completion);
    # every template and extension rule holds.
    assert violations and all("/patterns/" in v.subject_id for v in violations), violations
    s = record.statement
    assert s["timestamp"].startswith("2024-05-10T09:00:00") and s["timestamp"].endswith("+08:00")
    assert s["result"]["score"]["raw"] == 92
    ext = s["context"]["extensions"]
    assert ext["https://w3id.org/xapi/cadre-training/extensions/course-requirement"] == "required"
    assert s["object"]["definition"]["extensions"][
        "https://w3id.org/xapi/cadre-training/extensions/course-credit-hours"] == 1
    assert record.org == "fj/fz"
    # Reordered rows, another store: the same ids.
    lines = FIXTURE.read_text("utf-8").splitlines()
    reordered = "\n".join([lines[0], *reversed(lines[1:])]).encode()
    from lrs.gateway_hub import build_hub
    from tests.gateway.conftest import hub_settings

    other = build_hub(hub_settings(tmp_path / "other"))
    try:
        again = import_file(other, other.settings, reordered, PLATFORM, org="fj/fz")
        assert {r.statement_id for r in again.rows if r.status == "accepted"} == {
            by_row[n] for n in (2, 3, 4, 9)}
    finally:
        other.store.close()


def test_dry_run_stores_nothing_and_says_what_would_happen(hub):
    data = FIXTURE.read_bytes()
    dry = import_file(hub, hub.settings, data, PLATFORM, dry_run=True)
    assert {r.row: r.status for r in dry.rows} == EXPECTED
    assert hub_ids(hub) == []
    import_file(hub, hub.settings, data, PLATFORM)
    assert import_file(hub, hub.settings, data, PLATFORM, dry_run=True).counts()[
        "duplicate"] == 5


def test_custom_mapping_and_missing_columns_are_named(hub):
    text = FIXTURE.read_text("utf-8").replace("课程编号", "课程ID", 1)
    with pytest.raises(ValidationError, match="课程编号") as err:
        import_file(hub, hub.settings, text.encode(), PLATFORM)
    assert err.value.path == "columns.course_code"
    report = import_file(hub, hub.settings, text.encode(), PLATFORM,
                         custom_mapping={"course_code": "课程ID"})
    assert report.counts()["accepted"] == 4
    with pytest.raises(ValidationError, match="unknown field"):
        import_file(hub, hub.settings, text.encode(), PLATFORM, custom_mapping={"x": "y"})
    with pytest.raises(ValidationError, match="GB 18030"):
        import_file(hub, hub.settings, b"\x81\x30\xff\xfe\x00binary", PLATFORM)


def test_a_corrected_record_is_refused_and_dead_lettered(hub):
    import_file(hub, hub.settings, FIXTURE.read_bytes(), PLATFORM)
    # The platform corrected row 3's score: same record key, other content → 409.
    text = FIXTURE.read_text("utf-8").replace("2024/05/10 09:00,92", "2024/05/10 09:00,95")
    report = import_file(hub, hub.settings, text.encode(), PLATFORM)
    refused = [r for r in report.rows if r.status == "refused" and r.statement_id]
    assert [r.row for r in refused] == [3] and "different content" in refused[0].reason
    with hub.store.read() as uow:
        letters = uow.gateway.dead_letters("import-fsa")
    assert [d.item for d in letters] == ["row 3"]
    assert letters[0].payload["statement"]["result"]["score"]["raw"] == 95


def test_cli_import_reports_rows_and_exits_1_on_refusals(tmp_path):
    env = lrs_env(tmp_path / "hub")
    args = [LRS, "gateway", "import", str(FIXTURE), "--platform", "fsa", "--home-page",
            PLATFORM.home_page, "--institution-code", PLATFORM.institution_code, "--json"]
    res = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 1, res.stderr
    report = json.loads(res.stdout)
    assert report["counts"] == {"accepted": 4, "duplicate": 1, "refused": 3}
    plain = subprocess.run(args[:-1], env=env, capture_output=True, text=True, timeout=120)
    assert "第 5 行" in plain.stdout and "accepted 0, duplicate 5, refused 3" in plain.stdout
