"""The gateway over HTTP: ``/xapi/gateway/…`` (status, dead letters, legacy imports).

Reads are scoped to the credential's org subtree (jobs and letters of its org and
below); retrying a dead letter and importing need write scopes. A job's secret
never leaves the store: configs are shown without it.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, request

from lrs.domain.errors import ValidationError
from lrs.domain.gateway import dead_letters as letters
from lrs.domain.gateway import jobs
from lrs.domain.gateway.ingest import Hub
from lrs.gateway_hub import app_hub, retry_dead_letter
from lrs.http import requests as req
from lrs.http.auth import require
from lrs.services import services
from lrs.storage.port import DeadLetter
from lrs.timeutil import format_timestamp

bp = Blueprint("gateway", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _json(body: Any, status: int = 200) -> Response:
    data = json.dumps(body, ensure_ascii=False)
    return Response(data, status=status, content_type="application/json; charset=utf-8")


def _store():
    return services().store


def _hub() -> Hub:
    return app_hub(services())


def _letter(d: DeadLetter) -> dict[str, Any]:
    return letters.letter_view(d, format_timestamp)


@bp.get("/gateway/status")
def status() -> Response:
    credential = require("statements/read")
    req.check_params([])
    found = jobs.list_jobs(_store(), credential.org or None)
    return _json({"jobs": [jobs.job_status(_store(), j) for j in found]})


@bp.get("/gateway/dead-letters")
def dead_letters() -> Response:
    credential = require("statements/read")
    params = req.check_params(["job", "status", "limit"])
    wanted = letters.check_status(params.get("status", "open"))
    try:
        limit = int(params.get("limit", "100"))
    except ValueError as exc:
        raise ValidationError("limit must be an integer", "limit") from exc
    if not 1 <= limit <= 1000:
        raise ValidationError("limit must be 1-1000", "limit")
    found = letters.list_dead_letters(_store(), job=params.get("job"), status=wanted,
                                      org_scope=credential.org or None, limit=limit)
    return _json({"deadLetters": [_letter(d) for d in found]})


@bp.post("/gateway/dead-letters/<letterId>/retry")
def retry(letterId: str) -> Response:  # noqa: N803 - the documented path name
    letter_id = letterId
    credential = require("all")
    req.check_params([])
    letter = letters.get_dead_letter(_store(), letter_id, credential.org)
    why = retry_dead_letter(_hub(), services().settings, letter)
    after = letters.get_dead_letter(_store(), letter_id)
    return _json({"delivered": why is None, "reason": why, "deadLetter": _letter(after)})


@bp.post("/gateway/imports")
def import_records() -> Response:
    """A platform's export (text/csv or .xlsx body) → the per-row report."""
    from adapters.legacy.convert import Platform
    from adapters.legacy.importer import import_file

    credential = require("statements/write")
    params = req.check_params(["platform", "homePage", "platformName", "institutionCode",
                               "dryRun", "mapping"])
    media = req.media_type()
    if media not in ("text/csv", XLSX, "application/octet-stream"):
        raise ValidationError(f"Content-Type must be text/csv or {XLSX}, got {media or 'none'}",
                              "Content-Type")
    custom = None
    if "mapping" in params:
        try:
            custom = json.loads(params["mapping"])
        except ValueError as exc:
            raise ValidationError("mapping must be a JSON object", "mapping") from exc
        if not isinstance(custom, dict):
            raise ValidationError("mapping must be a JSON object", "mapping")
    platform = Platform(req.required(params, "platform"), req.required(params, "homePage"),
                        params.get("platformName", ""), params.get("institutionCode", ""))
    jobs.check_endpoint(platform.home_page)  # an http(s) URL, like an endpoint
    report = import_file(_hub(), services().settings,
                         request.get_data(cache=False), platform, org=credential.org,
                         custom_mapping=custom, dry_run=req.bool_param(params, "dryRun"))
    return _json(report.as_dict())
