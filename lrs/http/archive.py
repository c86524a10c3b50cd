"""Learning archives over HTTP (GB/T 38856 §9.1, §9.2): /xapi/archives/….

Same version negotiation and Basic authentication as every /xapi route, and the
trainee registry's scope (``trainees/read``); the credential's role
(``lrs.domain.identity.roles``) then narrows what it sees: a trainee only
itself, a unit its trainees, a department its subtree, an institution the
records of its own statements. Reading a report outside that scope is a 403;
a trainee's archive or ledger outside it is a 404, like an unknown key.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

from flask import Blueprint, Response, current_app, request

from lrs.domain.archive import reports
from lrs.domain.archive.runtime import ArchiveRuntime
from lrs.domain.errors import Forbidden, NotFound, ValidationError
from lrs.domain.identity.keys import is_trainee_key
from lrs.domain.identity.membership import statement_day
from lrs.domain.identity.roles import Reader, reader_for
from lrs.http import requests as req
from lrs.http.auth import require
from lrs.timeutil import utcnow

bp = Blueprint("archive", __name__)


def _runtime() -> ArchiveRuntime:
    return current_app.extensions["lrs.archive"]


def _reader() -> Reader:
    return reader_for(require("trainees/read"))


def _json(body: Any, status: int = 200) -> Response:
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return Response(data, status=status, content_type="application/json; charset=utf-8")


def _today() -> date:
    # Periods are counted in China Standard Time (the membership clock).
    return statement_day({}, utcnow())


def _period(params: dict[str, str]) -> str | None:
    value = params.get("period")
    if value is not None and (not value or len(value) > 64):
        raise ValidationError("period must be a year such as 2024 or a policy's range", "period")
    return value


def _trainee_key(key: str) -> str:
    if not is_trainee_key(key):
        raise NotFound("no trainee with this key")
    return key


@bp.get("/archives/trainees/<key>")
def trainee_archive(key: str) -> Response:
    """One trainee's archive for a period (default: the current period of their policy)."""
    reader = _reader()
    params = req.check_params(["period"])
    runtime = _runtime()
    return _json(reports.trainee_archive(
        runtime.store, runtime.book, reader, _trainee_key(key), _period(params), _today()
    ))


@bp.get("/archives/trainees/<key>/ledger")
def trainee_ledger(key: str) -> Response:
    """The trainee's credit ledger; ``verify=true`` recomputes the hash chain."""
    reader = _reader()
    params = req.check_params(["verify", "after", "limit"])
    limit = req.int_param(params, "limit", 0)
    return _json(reports.trainee_ledger(
        _runtime().store,
        reader,
        _trainee_key(key),
        verify=req.bool_param(params, "verify"),
        after=req.int_param(params, "after", 0),
        limit=1000 if limit == 0 else min(limit, 1000),
    ))


@bp.get("/archives/units/<path:unit>/report")
def unit_report(unit: str) -> Response:
    """Per trainee of the unit: totals, targets met, shortfall; ``Accept: text/csv`` for CSV."""
    reader = _reader()
    params = req.check_params(["period"])
    runtime = _runtime()
    report = reports.unit_report(
        runtime.store, runtime.book, reader, unit, _period(params), _today()
    )
    if _wants_csv():
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerows(reports.csv_rows(report))
        name = unit.replace("/", "_")
        return Response(
            # UTF-8 with a byte order mark, so Excel reads the Chinese names right.
            "\ufeff" + buffer.getvalue(),
            content_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="archive-{name}-'
                f'{report["period"]["key"]}.csv"'
            },
        )
    return _json(report)


def _wants_csv() -> bool:
    accept = request.accept_mimetypes
    return accept.quality("text/csv") > accept.quality("application/json")


@bp.get("/archives/summary")
def summary() -> Response:
    """Management departments: per child org and overall, merged across platforms."""
    reader = _reader()
    params = req.check_params(["org", "period"])
    runtime = _runtime()
    return _json(reports.summary(
        runtime.store, runtime.book, reader, params.get("org"), _period(params), _today()
    ))


@bp.get("/archives/status")
def projector_status() -> Response:
    """Projector lag: pending events, the oldest pending, the last projected."""
    reader = _reader()
    req.check_params([])
    if reader.role == "trainee":
        raise Forbidden("a trainee credential may not read the projector status")
    return _json(_runtime().status())
