"""The trainee registry over HTTP: /xapi/trainees, /xapi/units/…/trainees, /xapi/identity/conflicts.

Same version negotiation and Basic authentication as every /xapi route.
Reads need the ``trainees/read`` scope (``trainees/write`` and ``all/read``
include it), writes ``trainees/write``; the credential's role
(``lrs.domain.identity.roles``) then narrows what it sees and may change.
Agreed identifiers travel only in request bodies, never in URLs (which reach
access logs): URLs carry the trainee key, ``POST /xapi/trainees/lookup`` turns
an agreed identifier into its key.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, request

from lrs.domain.errors import NotFound, ValidationError
from lrs.domain.identity import conflicts as conflict_rules
from lrs.domain.identity import views
from lrs.domain.identity.csv_import import decode, import_rows, read_rows
from lrs.domain.identity.keys import IdentityKeys, check_agreed_id, checked_trainee_key
from lrs.domain.identity.membership import parse_day
from lrs.domain.identity.registry import (
    TraineeInput,
    link_account,
    transfer_trainee,
    unlink_account,
    upsert_trainee,
)
from lrs.domain.identity.roles import Reader, check_org_path, reader_for
from lrs.domain.identity.vocabulary import SOURCE_API, SOURCE_IMPORT
from lrs.domain.statements.validation import validate_agent
from lrs.http import requests as req
from lrs.http.auth import current_credential, require
from lrs.http.throttle import spend_import_rows, spend_lookup
from lrs.services import services
from lrs.storage.port import IdentityConflict

bp = Blueprint("identity", __name__)

TRAINEE_FIELDS = ("agreed_id", "name", "unit", "position", "rank", "joined", "accounts")


def _store():
    return services().store


def _keys() -> IdentityKeys:
    return services().identity_keys


def _reader(need: str) -> Reader:
    return reader_for(require(need))


def _json(body: Any, status: int = 200) -> Response:
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return Response(data, status=status, content_type="application/json; charset=utf-8")


def _body() -> dict[str, Any]:
    body = req.json_body()
    if not isinstance(body, dict):
        raise ValidationError("the body must be a JSON object", "body")
    return body


def _text(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise ValidationError(f"{name} must be a string", name)
    return value


# ---------------------------------------------------------------- registry writes


@bp.post("/trainees")
def upsert() -> Response:
    """Create or update a trainee from a liaison's data; 201 when new."""
    writer = _reader("trainees/write")
    req.check_params([])
    body = _body()
    unknown = sorted(set(body) - set(TRAINEE_FIELDS))
    if unknown:
        raise ValidationError(f"unknown field {unknown[0]!r}", unknown[0])
    # An upsert tells whether an agreed identifier is registered: it counts as a lookup.
    spend_lookup(current_credential(), "upsert")
    accounts = body.get("accounts", [])
    if not isinstance(accounts, list):
        raise ValidationError("accounts must be a list of Agent objects", "accounts")
    data = TraineeInput(
        agreed_id=body.get("agreed_id"),  # type: ignore[arg-type]  # checked by upsert
        name=_text(body, "name"),
        unit=_text(body, "unit"),
        position=_text(body, "position"),
        rank=_text(body, "rank"),
        joined=parse_day(body.get("joined"), "joined"),
        accounts=tuple(accounts),
    )
    with _store().transaction() as uow:
        outcome = upsert_trainee(uow, _keys(), writer, data, SOURCE_API)
    if outcome.pending is not None:
        return _pending(outcome.pending)
    result = views.show(_store(), writer, outcome.key)
    result["conflicts"] = [_conflict_view(c) for c in outcome.conflicts]
    return _json(result, 201 if outcome.created else 200)


@bp.post("/trainees/lookup")
def lookup() -> Response:
    """``{"agreed_id": …}`` → the trainee key (and the trainee, where the reader may see it)."""
    reader = _reader("trainees/read")
    req.check_params([])
    agreed_id = _body().get("agreed_id")
    problem = check_agreed_id(agreed_id)
    if problem:
        raise ValidationError(problem, "agreed_id")
    spend_lookup(current_credential())
    key = _keys().key(agreed_id)  # type: ignore[arg-type]
    try:
        trainee = views.show(_store(), reader, key)
    except NotFound:
        trainee = None
    return _json({"key": key, "trainee": trainee})


@bp.post("/trainees/import")
def import_csv() -> Response:
    """A CSV file (``text/csv``) of trainees and accounts; the report of rows kept and refused."""
    writer = _reader("trainees/write")
    req.check_params([])
    if req.media_type() not in ("text/csv", "application/csv"):
        raise ValidationError("send the file as text/csv", "Content-Type")
    rows = read_rows(decode(request.get_data(cache=True)))
    spend_import_rows(current_credential(), len(rows))
    report = import_rows(_store(), _keys(), writer, rows, SOURCE_IMPORT)
    return _json(report.as_dict())


@bp.post("/trainees/<key>/accounts")
def link(key: str) -> Response:
    """Link an Agent (one IFI) to the trainee: 201 linked, 200 already, 202 conflict recorded."""
    writer = _reader("trainees/write")
    req.check_params([])
    body = _body()
    validate_agent(body, req.version(), path="agent")
    with _store().transaction() as uow:
        state, conflict = link_account(uow, writer, checked_trainee_key(key), body, SOURCE_API)
    if conflict is not None:
        return _json({"status": state, "conflict": _conflict_view(conflict)}, 202)
    return _json({"status": state}, 201 if state == "linked" else 200)


@bp.delete("/trainees/<key>/accounts")
def unlink(key: str) -> Response:
    """End the link of ``agent`` (kept as history); statements stay as they are."""
    writer = _reader("trainees/write")
    params = req.check_params(["agent"])
    req.required(params, "agent")
    agent = req.agent_param(params)
    with _store().transaction() as uow:
        unlink_account(uow, writer, checked_trainee_key(key), agent)
    return Response(status=204)


@bp.post("/trainees/<key>/transfers")
def transfer(key: str) -> Response:
    """``{"unit": "fj/xm/…", "date": "YYYY-MM-DD"}``: the trainee moves on that day."""
    writer = _reader("trainees/write")
    req.check_params([])
    body = _body()
    day = parse_day(body.get("date"), "date")
    if day is None:
        raise ValidationError("date is required", "date")
    trainee_key = checked_trainee_key(key)
    unit = check_org_path(body.get("unit"))
    with _store().transaction() as uow:
        moved = transfer_trainee(uow, writer, trainee_key, unit, day, SOURCE_API)
    if isinstance(moved, IdentityConflict):
        return _pending(moved)
    return _json(views.show(_store(), writer, key))


def _pending(request_: IdentityConflict) -> Response:
    """202: the receiving unit's transfer request waits for the department above both."""
    return _json(
        {
            "status": "pending",
            "message": "转入申请已记录，待上级管理部门或原单位确认 (the transfer request "
            "waits for the department above both units, or the old unit)",
            # Not the whole conflict: where the trainee is now is not the asker's to learn.
            "conflict": {
                "id": str(request_.id),
                "kind": request_.kind,
                "status": request_.status,
                "unit": request_.details["unit"],
                "day": request_.details["day"],
                "count": request_.count,
            },
        },
        202,
    )


# ---------------------------------------------------------------- reads


@bp.get("/trainees/<key>")
def show(key: str) -> Response:
    reader = _reader("trainees/read")
    req.check_params([])
    return _json(views.show(_store(), reader, checked_trainee_key(key)))


@bp.get("/trainees/<key>/history")
def history(key: str) -> Response:
    """The trainee's statements across platforms, each with the unit it was earned under."""
    reader = _reader("trainees/read")
    params = req.check_params(["limit", "ascending", "after", "max"])
    limit = req.int_param(params, "limit", 0)
    max_page = services().settings.max_page_size
    page = views.history(
        _store(),
        reader,
        checked_trainee_key(key),
        limit=max_page if limit == 0 else min(limit, max_page),
        after_seq=_seq(params, "after"),
        max_seq=_seq(params, "max"),
        ascending=req.bool_param(params, "ascending"),
    )
    cursor = page.pop("next")
    page["more"] = ""
    if cursor is not None:
        query = {k: v for k, v in params.items() if k in ("limit", "ascending")}
        query.update(after=str(cursor["after"]), max=str(cursor["max"]))
        page["more"] = f"{request.script_root}{request.path}?" + "&".join(
            f"{k}={v}" for k, v in query.items()
        )
    return _json(page)


def _seq(params: dict[str, str], name: str) -> int | None:
    return req.int_param(params, name, 0) if name in params else None


@bp.get("/units/<path:unit>/trainees")
def unit_trainees(unit: str) -> Response:
    """The unit's trainees now (``status=current``) or those who left it (``status=former``)."""
    reader = _reader("trainees/read")
    params = req.check_params(["status", "after", "limit"])
    status = params.get("status", "current")
    if status not in ("current", "former"):
        raise ValidationError("status must be current or former", "status")
    limit = req.int_param(params, "limit", 0)
    after = params.get("after")
    page = views.unit_trainees(
        _store(),
        reader,
        unit,
        former=status == "former",
        after_key=after,
        limit=500 if limit == 0 else min(limit, 500),
    )
    nxt = page.pop("next")
    page["more"] = ""
    if nxt is not None:
        page["more"] = f"{request.script_root}{request.path}?status={status}&after={nxt}"
    return _json(page)


# ---------------------------------------------------------------- conflicts


def _conflict_view(conflict: IdentityConflict) -> dict[str, Any]:
    return {
        "id": str(conflict.id),
        "kind": conflict.kind,
        "status": conflict.status,
        "org": conflict.org,
        "trainee": conflict.trainee_key,
        "other_trainee": conflict.other_trainee_key,
        "count": conflict.count,
        "details": conflict.details,
        "resolution": conflict.resolution,
        "created": conflict.created.isoformat() if conflict.created else None,
        "updated": conflict.updated.isoformat() if conflict.updated else None,
    }


@bp.get("/identity/conflicts")
def list_conflicts() -> Response:
    reader = _reader("trainees/write")
    params = req.check_params(["status", "trainee", "limit"])
    status = conflict_rules.check_status(params.get("status", "open"))
    limit = req.int_param(params, "limit", 0)
    found = conflict_rules.conflicts_for(_store(), reader, status, params.get("trainee"),
                                         500 if limit == 0 else min(limit, 500))
    return _json({"conflicts": [_conflict_view(c) for c in found]})


@bp.post("/identity/conflicts/<conflict_id>/resolve")
def resolve(conflict_id: str) -> Response:
    """Decide an open conflict.

    ``{"decision": "owner", "owner": KEY}`` (account claims),
    ``{"decision": "accept_transfer", "unit": PATH[, "date": DAY]}`` (unit mismatches),
    or ``{"decision": "dismiss"}``.
    """
    writer = _reader("trainees/write")
    req.check_params([])
    body = _body()
    decision = body.get("decision")
    if not isinstance(decision, str):
        raise ValidationError("decision is required", "decision")
    with _store().transaction() as uow:
        closed = conflict_rules.resolve(
            uow,
            writer,
            conflict_id,
            decision,
            owner=_text(body, "owner"),
            day=parse_day(body.get("date"), "date"),
            unit=_text(body, "unit"),
        )
    return _json(_conflict_view(closed))
