"""A liaison uploads its trainee list (CSV or XLSX) in the console: the import report in
Chinese, rows outside its unit refused per row, other units' uploads refused."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook

from tests.archive.conftest import HOME_A, UNIT_CZ, UNIT_FGW, key_of
from tests.console.conftest import csrf

ZS = "FJ-350100-2019-004217"
LS = "FJ-350100-2020-000311"


def upload(b, unit, name, data):
    token = csrf(b.text(f"/console/units/{unit}"))
    return b.http.post(f"/console/units/{unit}/import", data={
        "csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data")


def test_csv_upload_imports_and_reports(browser, store):
    b = browser(scopes="trainees/read,trainees/write", role="unit", unit=UNIT_FGW)
    body = ("agreed_id,name,unit,platform_home_page,account_name\r\n"
            f"{ZS},张三,{UNIT_FGW},{HOME_A},fz-fgw-0007\r\n"
            f"{LS},李四,{UNIT_CZ},,\r\n").encode("gb18030")
    res = upload(b, UNIT_FGW, "名单.csv", body)
    html = res.get_data(as_text=True)
    assert res.status_code == 200, html
    assert re.search(r"新增 <b>1</b> 人", html) and re.search(r"拒绝 <b>1</b> 行", html)
    assert '<td>3</td>' in html  # the row of 李四: another unit
    with store.read() as uow:
        assert uow.trainees.get(key_of(ZS)).unit == UNIT_FGW
        assert uow.trainees.get(key_of(LS)) is None
    assert "张三" in b.text(f"/console/units/{UNIT_FGW}")


def test_xlsx_upload_reads_numbers_and_dates_as_text(browser, store):
    b = browser(scopes="trainees/read,trainees/write", role="unit", unit=UNIT_FGW)
    from datetime import datetime

    book = Workbook()
    sheet = book.active
    sheet.append(["agreed_id", "name", "unit", "joined"])
    sheet.append([ZS, "张三", UNIT_FGW, datetime(2020, 3, 1)])
    buffer = io.BytesIO()
    book.save(buffer)
    res = upload(b, UNIT_FGW, "名单.xlsx", buffer.getvalue())
    assert res.status_code == 200 and re.search(r"新增 <b>1</b> 人", res.get_data(as_text=True))
    with store.read() as uow:
        assert uow.trainees.get(key_of(ZS)).name == "张三"


def test_bad_files_and_other_units_are_refused(browser, store):
    b = browser(scopes="trainees/read,trainees/write", role="unit", unit=UNIT_FGW)
    res = upload(b, UNIT_FGW, "x.xlsx", b"not a zip")
    assert res.status_code == 400 and "字段：file" in res.get_data(as_text=True)
    res = upload(b, UNIT_FGW, "x.csv", b"name\r\n\xe5\xbc\xa0\r\n")
    assert res.status_code == 400 and "字段：header" in res.get_data(as_text=True)
    token = csrf(b.text(f"/console/units/{UNIT_FGW}"))
    res = b.http.post(f"/console/units/{UNIT_CZ}/import", data={
        "csrf_token": token, "file": (io.BytesIO(b"agreed_id\r\n"), "x.csv")},
        content_type="multipart/form-data")
    assert res.status_code == 403
    reader = browser(scopes="trainees/read", role="unit", unit=UNIT_FGW)
    assert "导入学员名单" not in reader.text(f"/console/units/{UNIT_FGW}")
    token = csrf(reader.text(f"/console/units/{UNIT_FGW}"))
    res = reader.http.post(f"/console/units/{UNIT_FGW}/import", data={
        "csrf_token": token, "file": (io.BytesIO(b"agreed_id\r\n"), "x.csv")},
        content_type="multipart/form-data")
    assert res.status_code == 403
    with store.read() as uow:
        assert uow.trainees.list_trainees(None, None, 10) == []
