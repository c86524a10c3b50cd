"""Which representation of an archive report the client asked for: JSON, CSV or XLSX.

``?format=json|csv|xlsx`` wins (a plain link in a browser or the console works);
otherwise the ``Accept`` header, JSON on a tie or when it is absent. Anything
else is a 406 naming the field, never a silent JSON answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, request

from lrs.domain.archive import exports
from lrs.domain.errors import LRSError


class NotAcceptable(LRSError):
    status = 406


def wanted_format(params: dict[str, str]) -> str:
    """``json``, ``csv`` or ``xlsx`` for this request; NotAcceptable otherwise."""
    fmt = params.get("format")
    if fmt is not None:
        if fmt not in exports.FORMATS:
            raise NotAcceptable(
                f"format must be one of {', '.join(exports.FORMATS)}, not {fmt!r}", "format"
            )
        return fmt
    if not request.headers.get("Accept"):
        return "json"
    # best_match keeps the list's order on equal quality, so */* gives JSON.
    best = request.accept_mimetypes.best_match(list(exports.FORMATS.values()))
    if best is None:
        raise NotAcceptable(
            "Accept must allow application/json, text/csv or "
            f"{exports.FORMATS['xlsx']}", "Accept"
        )
    return next(k for k, v in exports.FORMATS.items() if v == best)


def spreadsheet(table: exports.Table, fmt: str, name: str) -> Response:
    """The table as a download named ``name`` (without extension)."""
    content_type = exports.FORMATS[fmt] + ("; charset=utf-8" if fmt == "csv" else "")
    return Response(
        exports.render(table, fmt),
        content_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )


def representation(
    report: dict[str, Any],
    fmt: str,
    table_of: Callable[[dict[str, Any]], exports.Table],
    name: str,
    as_json: Callable[[dict[str, Any]], Response],
) -> Response:
    """``report`` as JSON (through ``as_json``) or as the spreadsheet ``table_of`` builds."""
    if fmt == "json":
        return as_json(report)
    return spreadsheet(table_of(report), fmt, name)
