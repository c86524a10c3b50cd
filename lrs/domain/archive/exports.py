"""The archive reports as spreadsheets a liaison opens in Excel or WPS: XLSX and CSV.

Each export is built from the report the JSON API returns for the same reader, so
the figures are the API's and the names are masked exactly as the API masks them
for that reader (``lrs.domain.archive.reports`` does the masking; nothing here
sees a clear name the reader may not see). Column headers are Chinese; CSV is
UTF-8 with a byte order mark, which Excel needs to read Chinese text right.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

FORMATS = {
    "json": "application/json",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

Cell = str | int | Decimal | None


@dataclass(frozen=True)
class Table:
    """One sheet: a title (the sheet's name), Chinese headers and rows of cells."""

    title: str
    headers: tuple[str, ...]
    rows: list[list[Cell]]


def _num(value: str | None) -> Decimal | None:
    # The API gives amounts as exact decimal strings; spreadsheets want numbers.
    return None if value is None or value == "" else Decimal(value)


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("是" if value else "否")


STATUS = {"current": "在册", "former": "已调出"}

UNIT_HEADERS = (
    "学员编号", "姓名", "状态", "所在单位", "课程数", "专题班数",
    "必修学分", "选修学分", "专题班学分", "加分", "总学分", "总学时",
    "达标", "差额", "结业证书", "学分政策", "学员密钥",
)


def unit_report_table(report: dict[str, Any]) -> Table:
    rows: list[list[Cell]] = []
    for item in report["trainees"]:
        credits = item["credits"]
        rows.append([
            item["maskedId"], item["name"], STATUS.get(item["status"], item["status"]),
            item["unit"] or "", item["courses"], item["classes"],
            _num(credits["required"]), _num(credits["elective"]), _num(credits["classes"]),
            _num(credits["bonus"]), _num(credits["total"]),
            _num(item["creditHours"]["total"]),
            "无考核目标" if item["met"] is None else _yes_no(item["met"]),
            "；".join(f"{_BUCKETS.get(k, k)} {v}" for k, v in item["shortfall"].items()),
            _yes_no(item["certificate"]), item["policy"], item["key"],
        ])
    return Table(f"单位报表 {report['period']['key']}", UNIT_HEADERS, rows)


_BUCKETS = {
    "required": "必修", "elective": "选修", "classes": "专题班", "bonus": "加分", "total": "总计",
}

SUMMARY_HEADERS = (
    "下级单位", "在册学员", "有学习记录学员", "达标人数", "达标比例",
    "课程数", "专题班数", "总学分", "总学时",
)


def summary_table(report: dict[str, Any]) -> Table:
    rows: list[list[Cell]] = []
    for child in [*report["children"], {**report["overall"], "org": "合计"}]:
        trainees = child["trainees"]
        share = (
            (Decimal(child["targetsMet"]) / Decimal(trainees)).quantize(Decimal("0.0001"))
            if trainees else None
        )
        rows.append([
            child["org"] or "（无单位）", trainees, child["traineesWithRecords"],
            child["targetsMet"], share, child["courses"], child["classes"],
            _num(child["credits"]["total"]), _num(child["creditHours"]["total"]),
        ])
    return Table(f"汇总 {report['period']['key']}", SUMMARY_HEADERS, rows)


ARCHIVE_HEADERS = (
    "类别", "课程或专题班", "必修/选修", "学分", "学时", "已计入", "未计入原因",
    "学习单位", "培训机构", "学年", "活动标识",
)


def trainee_archive_table(view: dict[str, Any]) -> Table:
    rows: list[list[Cell]] = []
    for kind, label in (("courses", "课程"), ("classes", "专题班")):
        for row in view[kind]:
            rows.append([
                label, row.get("courseCode") or row["activity"],
                _BUCKETS.get(row.get("requirement") or "", row.get("requirement") or ""),
                _num(row.get("credits")), _num(row.get("creditHours")),
                _yes_no(bool(row.get("credited"))), row.get("notCountedReason") or "",
                row["unit"] or "", row["institution"] or "", row["period"], row["activity"],
            ])
    name = view["trainee"]["name"] or view["trainee"]["maskedId"]
    return Table(f"{name} {view['period']['key']}", ARCHIVE_HEADERS, rows)


def to_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.headers)
    writer.writerows(["" if c is None else str(c) for c in row] for row in table.rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _sheet_title(title: str) -> str:
    # Excel: at most 31 characters, none of []:*?/\
    return "".join("_" if c in "[]:*?/\\" else c for c in title)[:31] or "Sheet"


def to_xlsx(table: Table) -> bytes:
    # Imported here: openpyxl costs ~60 ms at import, which every worker and `lrs` command
    # paid for the few requests that ask for XLSX.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    # Write-only mode streams the rows: a province's report does not sit in memory as cells.
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_sheet_title(table.title))
    for index, header in enumerate(table.headers, start=1):
        width = max([len(header) * 2, *(_width(r[index - 1]) for r in table.rows)], default=8)
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, 60)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in table.headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in table.rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _width(cell: Cell) -> int:
    text = "" if cell is None else str(cell)
    # CJK characters are about twice as wide as Latin ones.
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text)


def render(table: Table, fmt: str) -> bytes:
    """``table`` as ``csv`` or ``xlsx`` bytes."""
    return to_csv(table) if fmt == "csv" else to_xlsx(table)


def filename(stem: Iterable[str], fmt: str) -> str:
    return "-".join(s.replace("/", "_") for s in stem) + f".{fmt}"
