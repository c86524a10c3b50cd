"""Rows of a CSV (GB 18030, UTF-8, UTF-16) or ``.xlsx`` export, numbered as a spreadsheet
shows them (the header is row 1)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from typing import Any

XLSX_MAGIC = b"PK\x03\x04"  # an .xlsx is a zip archive


class UnreadableFile(ValueError):
    pass


def decode_csv(data: bytes) -> str:
    """The text of a CSV export: a BOM decides; else UTF-8 if it is valid, else GB 18030
    (a superset of GBK and GB 2312, what Chinese Excel writes)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            "the file is neither UTF-8, UTF-16 nor GB 18030 text, nor an .xlsx workbook"
        ) from exc


def _cell(value: Any) -> str | datetime:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(data: bytes) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    """(headers, rows as (row number, header → cell)); blank rows are skipped."""
    if data.startswith(XLSX_MAGIC):
        return _xlsx(data)
    text = decode_csv(data)
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        headers = [h.strip() for h in next(reader, [])]
    except csv.Error as exc:
        raise UnreadableFile(f"the header row is not readable as CSV: {exc}") from exc
    if not any(headers):
        raise UnreadableFile("the file has no header row")

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        number = 1
        try:
            for number, cells in enumerate(reader, start=2):  # noqa: B007 - read in except
                if any(c.strip() for c in cells):
                    yield number, {h: c.strip() for h, c in zip(headers, cells, strict=False)}
        except csv.Error as exc:
            raise UnreadableFile(f"row {number + 1}: not readable as CSV: {exc}") from exc

    return headers, rows()


def _xlsx(data: bytes) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise UnreadableFile(f"the .xlsx workbook cannot be read: {exc}") from exc
    try:
        lines = sheet.iter_rows(values_only=True)
        headers = [str(_cell(h)) for h in next(lines, ())]
    except Exception as exc:  # noqa: BLE001
        raise UnreadableFile(f"the .xlsx workbook cannot be read: {exc}") from exc
    if not any(headers):
        raise UnreadableFile("the first sheet has no header row")

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        try:
            for number, cells in enumerate(lines, start=2):
                values = [_cell(c) for c in cells]
                if any(v != "" for v in values):
                    yield number, dict(zip(headers, values, strict=False))
        except Exception as exc:  # noqa: BLE001 - a broken sheet, whatever openpyxl raises
            raise UnreadableFile(f"the .xlsx workbook cannot be read: {exc}") from exc

    return headers, rows()
