"""A unit's trainee list uploaded in the console (CSV or XLSX) and imported as the API does.

An XLSX sheet is turned into the same CSV text the import reads, so both formats go
through one header check and one importer (lrs.domain.identity.csv_import) with
the liaison's own credential: rows outside its unit are refused there, per row.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime

from flask import g, render_template, request

from lrs.console.blueprint import bp
from lrs.domain.errors import Forbidden, ValidationError
from lrs.domain.identity.csv_import import decode, import_rows, read_rows
from lrs.domain.identity.roles import check_org_path, in_scope
from lrs.domain.identity.vocabulary import SOURCE_IMPORT
from lrs.http.auth import has_scope
from lrs.services import services


def xlsx_as_csv(data: bytes) -> str:
    """The first sheet of an XLSX file as CSV text (dates as YYYY-MM-DD)."""
    from openpyxl import load_workbook  # here: workers and `lrs` commands skip its import

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ValidationError("上传的文件不是有效的 XLSX 文件", "file") from exc
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in book.worksheets[0].iter_rows(values_only=True):
        writer.writerow([_text(v) for v in row])
    book.close()
    return buffer.getvalue()


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an identifier typed as a number must not gain ".0"
    return str(value)


@bp.post("/units/<path:unit>/import")
def unit_import(unit: str) -> tuple[str, int]:
    check_org_path(unit)
    reader, credential = g.reader, g.console_credential
    if not (reader.writes and has_scope(credential, "trainees/write")
            and in_scope(unit, reader.scope)):
        raise Forbidden(f"此凭据无权向 {unit} 导入学员")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationError("请选择要上传的 CSV 或 XLSX 文件", "file")
    data = upload.read()
    is_xlsx = upload.filename.lower().endswith(".xlsx")
    rows = read_rows(xlsx_as_csv(data) if is_xlsx else decode(data))
    report = import_rows(services().store,
                         services().identity_keys, reader, rows,
                         SOURCE_IMPORT)
    return render_template("console/import.html", unit=unit, report=report.as_dict(),
                           filename=upload.filename), 200
