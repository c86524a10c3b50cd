"""Archive reports as XLSX and CSV: Accept and ?format negotiation, Chinese headers, names
masked as the JSON API masks them for the same reader, figures equal to the JSON API's;
and `lrs archive report` writing the same files from the shell."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from lrs.domain.archive.exports import FORMATS
from tests.archive.conftest import FZ, HOME_A, UNIT_CZ, UNIT_FGW, UNIT_XM, build, key_of
from tests.archive.test_archive_http import WW, ZS, register

XLSX = FORMATS["xlsx"]


def sheet_rows(data: bytes) -> list[tuple]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    return [tuple(r) for r in book.active.iter_rows(values_only=True)]


@pytest.fixture
def scenario(admin, drain):
    """张三 (FGW, 1.5 credits, moved to XM in July) and 王五 (CZ, none)."""
    register(admin, ZS, UNIT_FGW, (HOME_A, "fz-fgw-0007"), joined="2020-01-01")
    register(admin, WW, UNIT_CZ, (HOME_A, "fz-cz-0031"), name="王五")
    admin.send(build("course-completed", course="E1", duration=28, assessment=False,
                     when="2024-03-01T10:00:00+08:00"),
               build("course-completed", course="E2", duration=45, assessment=False,
                     requirement="required", when="2024-04-01T10:00:00+08:00"))
    drain()


class TestNegotiation:
    def test_accept_picks_json_csv_or_xlsx_and_refuses_the_rest(self, client, scenario):
        unit = client(role="unit", unit=UNIT_FGW)
        path = f"/xapi/archives/units/{UNIT_FGW}/report?period=2024"
        assert unit.get(path).content_type.startswith("application/json")
        assert unit.get(path, headers={"Accept": "*/*"}).content_type.startswith(
            "application/json")
        res = unit.get(path, headers={"Accept": XLSX})
        assert res.status_code == 200 and res.content_type == XLSX
        assert 'filename="archive-fj_fz_' in res.headers["Content-Disposition"]
        assert unit.get(path, headers={"Accept": "text/csv;q=0.9, application/json;q=0.5"}
                        ).content_type.startswith("text/csv")
        refused = unit.get(path, headers={"Accept": "application/pdf"})
        assert refused.status_code == 406
        assert refused.get_json()["error"]["path"] == "Accept"
        bad = unit.get(path + "&format=pdf")
        assert bad.status_code == 406 and bad.get_json()["error"]["path"] == "format"
        assert "xlsx" in bad.get_json()["error"]["message"]
        # ?format beats Accept, so a plain link in a browser works.
        assert unit.get(path + "&format=csv", headers={"Accept": "text/html"}
                        ).content_type.startswith("text/csv")

    def test_scope_is_checked_before_any_export(self, client, scenario):
        other = client(role="unit", unit=UNIT_CZ)
        res = other.get(f"/xapi/archives/units/{UNIT_FGW}/report?format=xlsx")
        assert res.status_code == 403 and res.get_json()["error"]["message"]
        me = client(role="trainee", trainee=key_of(WW))
        # Outside scope looks like an unknown key (issue 12.7), in every format.
        assert me.get(f"/xapi/archives/trainees/{key_of(ZS)}?format=csv").status_code == 404
        assert me.get("/xapi/archives/summary?format=xlsx").status_code == 403


class TestFiguresEqualTheApi:
    def test_unit_report_xlsx(self, client, scenario):
        unit = client(role="unit", unit=UNIT_FGW)
        path = f"/xapi/archives/units/{UNIT_FGW}/report?period=2024"
        report = unit.get(path).get_json()
        rows = sheet_rows(unit.get(path + "&format=xlsx").get_data())
        assert rows[0][:4] == ("学员编号", "姓名", "状态", "所在单位")
        (item,) = report["trainees"]
        (row,) = rows[1:]
        header = rows[0]
        got = dict(zip(header, row, strict=True))
        assert got["姓名"] == item["name"] == "张三" and got["状态"] == "在册"
        assert Decimal(str(got["总学分"])) == Decimal(item["credits"]["total"]) == Decimal("1.5")
        assert Decimal(str(got["必修学分"])) == Decimal(item["credits"]["required"])
        assert Decimal(str(got["总学时"])) == Decimal(item["creditHours"]["total"])
        assert got["达标"] == {True: "是", False: "否", None: "无考核目标"}[item["met"]]
        assert got["学员密钥"] == item["key"]

    def test_a_former_trainee_is_masked_in_every_format(self, admin, client, scenario, drain):
        res = admin.post(f"/xapi/trainees/{key_of(ZS)}/transfers",
                         {"unit": UNIT_XM, "date": "2024-07-01"})
        assert res.status_code == 200, res.get_json()
        drain()
        unit = client(role="unit", unit=UNIT_FGW)
        path = f"/xapi/archives/units/{UNIT_FGW}/report?period=2024"
        (item,) = unit.get(path).get_json()["trainees"]
        assert item["name"] == "张*"
        text = unit.get(path + "&format=csv").get_data().decode("utf-8")
        assert "张三" not in text and "张*" in text and "已调出" in text
        xlsx = sheet_rows(unit.get(path + "&format=xlsx").get_data())
        assert xlsx[1][1] == "张*"

    def test_summary_csv_and_xlsx(self, client, scenario):
        department = client(role="department", unit=FZ)
        summary = department.get("/xapi/archives/summary?period=2024").get_json()
        res = department.get("/xapi/archives/summary?period=2024", headers={"Accept": "text/csv"})
        data = res.get_data()
        assert data.startswith("\ufeff".encode())
        table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert table[0][:4] == ["下级单位", "在册学员", "有学习记录学员", "达标人数"]
        by_org = {r[0]: r for r in table[1:]}
        for child in summary["children"]:
            assert by_org[child["org"]][1] == str(child["trainees"])
            assert by_org[child["org"]][7] == child["credits"]["total"]
        assert by_org["合计"][7] == summary["overall"]["credits"]["total"] == "1.5"
        rows = sheet_rows(department.get("/xapi/archives/summary?period=2024&format=xlsx"
                                         ).get_data())
        total = [r for r in rows if r[0] == "合计"][0]
        assert total[1] == summary["overall"]["trainees"] == 2

    def test_trainee_archive_xlsx(self, client, scenario):
        me = client(role="trainee", trainee=key_of(ZS))
        view = me.get(f"/xapi/archives/trainees/{key_of(ZS)}?period=2024").get_json()
        rows = sheet_rows(me.get(f"/xapi/archives/trainees/{key_of(ZS)}?period=2024",
                                 headers={"Accept": XLSX}).get_data())
        assert rows[0][:4] == ("类别", "课程或专题班", "必修/选修", "学分")
        assert len(rows) - 1 == len(view["courses"]) + len(view["classes"]) == 2
        credited = sum(Decimal(str(r[3])) for r in rows[1:] if r[5] == "是")
        assert credited == Decimal(view["totals"]["credits"]["total"])
        assert {r[2] for r in rows[1:]} == {"必修", "选修"}
