"""Learning archives over HTTP (GB/T 38856 §9.1, §9.2): /xapi/archives/….

Same version negotiation and Basic authentication as every /xapi route, and the
trainee registry's scope (``trainees/read``); the credential's role
(``lrs.domain.identity.roles``) then narrows what it sees: a trainee only
itself, a unit its trainees, a department its subtree, an institution the
records of its own statements. Reading a report outside that scope is a 403;
a trainee's archive or ledger outside it is a 404, like an unknown key.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from flask import Blueprint, Response

from lrs.domain.archive import exports, reports
from lrs.domain.archive.runtime import ArchiveRuntime
from lrs.domain.errors import Forbidden, ValidationError
from lrs.domain.identity.keys import checked_trainee_key
from lrs.domain.identity.membership import statement_day
from lrs.domain.identity.roles import Reader, reader_for
from lrs.http import requests as req
from lrs.http.auth import require
from lrs.http.negotiate import representation, wanted_format
from lrs.services import services
from lrs.timeutil import utcnow

bp = Blueprint("archive", __name__)


def _runtime() -> ArchiveRuntime:
    return services().archive


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


@bp.get("/archives/trainees/<key>")
def trainee_archive(key: str) -> Response:
    """One trainee's archive for a period (default: the current period of their policy)."""
    reader = _reader()
    params = req.check_params(["period", "format"])
    fmt = wanted_format(params)
    runtime = _runtime()
    view = reports.trainee_archive(
        runtime.store, runtime.book, reader, checked_trainee_key(key), _period(params), _today()
    )
    name = f"archive-{view['trainee']['maskedId'] or key[:12]}-{view['period']['key']}"
    return representation(view, fmt, exports.trainee_archive_table, name, _json)


@bp.get("/archives/trainees/<key>/ledger")
def trainee_ledger(key: str) -> Response:
    """The trainee's credit ledger; ``verify=true`` recomputes the hash chain."""
    reader = _reader()
    params = req.check_params(["verify", "after", "limit"])
    limit = req.int_param(params, "limit", 0)
    return _json(reports.trainee_ledger(
        _runtime().store,
        reader,
        checked_trainee_key(key),
        verify=req.bool_param(params, "verify"),
        after=req.int_param(params, "after", 0),
        limit=1000 if limit == 0 else min(limit, 1000),
    ))


@bp.get("/archives/units/<path:unit>/report")
def unit_report(unit: str) -> Response:
    """Per trainee of the unit: totals, targets met, shortfall; JSON, CSV or XLSX."""
    reader = _reader()
    params = req.check_params(["period", "format"])
    fmt = wanted_format(params)
    runtime = _runtime()
    report = reports.unit_report(
        runtime.store, runtime.book, reader, unit, _period(params), _today()
    )
    return representation(report, fmt, exports.unit_report_table,
                          f"archive-{unit.replace('/', '_')}-{report['period']['key']}", _json)


@bp.get("/archives/summary")
def summary() -> Response:
    """Management departments: per child org and overall, merged across platforms."""
    reader = _reader()
    params = req.check_params(["org", "period", "format"])
    fmt = wanted_format(params)
    runtime = _runtime()
    report = reports.summary(
        runtime.store, runtime.book, reader, params.get("org"), _period(params), _today()
    )
    name = f"summary-{(report['org'] or 'all').replace('/', '_')}-{report['period']['key']}"
    return representation(report, fmt, exports.summary_table, name, _json)


@bp.get("/archives/status")
def projector_status() -> Response:
    """Projector lag: pending events, the oldest pending, the last projected."""
    reader = _reader()
    req.check_params([])
    if reader.role == "trainee":
        raise Forbidden("a trainee credential may not read the projector status")
    return _json(_runtime().status())
