"""The Statement resource: /xapi/statements (xAPI Communication 2.1)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, request

from lrs.domain.agents import agent_key
from lrs.domain.credentials import authority_agent
from lrs.domain.errors import ValidationError
from lrs.domain.statements import service
from lrs.domain.statements.attachments import match_attachments, require_no_raw_attachments
from lrs.domain.statements.formatting import FORMATS, accepted_languages, format_statement
from lrs.domain.statements.signature import verify_signed_statements
from lrs.domain.statements.validation import (
    is_iri,
    is_uuid,
    validate_statement,
    validate_statements,
)
from lrs.http import more_tokens, role_scope, trainee_agents
from lrs.http import requests as req
from lrs.http.auth import current_credential, has_scope, require
from lrs.http.multipart import build_multipart_mixed, parse_multipart_mixed
from lrs.services import services
from lrs.storage.port import StatementQuery, StatementRecord
from lrs.timeutil import format_timestamp, utcnow

bp = Blueprint("statements", __name__)


@bp.after_request
def _consistent_through(response: Response) -> Response:
    # Every response of the resource carries it, errors included (Communication
    # 2.1.3). A write stamps `stored` when it takes the write lock and commits
    # before it is acknowledged, so every statement stored before now minus
    # the longest write transaction is visible; the margin is that bound.
    margin = services().settings.consistency_margin
    response.headers["X-Experience-API-Consistent-Through"] = format_timestamp(utcnow() - margin)
    return response


QUERY_PARAMS = (
    "agent",
    "verb",
    "activity",
    "registration",
    "related_activities",
    "related_agents",
    "since",
    "until",
    "limit",
    "format",
    "attachments",
    "ascending",
    # Extensions (lrs.http.identity): every identifier linked to one trainee.
    "trainee",
    "resolve_identity",
)
SINGLE_PARAMS = ("statementId", "voidedStatementId")
OUTPUT_PARAMS = ("format", "attachments")


def _store():
    return services().store


def _settings():
    return services().settings


# ---------------------------------------------------------------- writing


@bp.put("/statements")
def put_statement() -> Response:
    credential = require("statements/write")
    params = req.check_params(["statementId"])
    statement_id = req.required(params, "statementId")
    if not is_uuid(statement_id):
        raise ValidationError("statementId must be a UUID", "statementId")
    statements, attachments = _read_statements(single=True)
    statement = statements[0]
    if "id" in statement and statement["id"].lower() != statement_id.lower():
        raise ValidationError(
            f"statement id {statement['id']} does not match statementId {statement_id}",
            "statement.id",
        )
    statement = {**statement, "id": statement.get("id", statement_id)}
    _store_statements([statement], attachments, credential)
    return Response(status=204)


@bp.post("/statements")
def post_statements() -> Response:
    credential = require("statements/write")
    req.check_params([])
    statements, attachments = _read_statements(single=False)
    ids = _store_statements(statements, attachments, credential)
    return _json(ids)


def _read_statements(single: bool) -> tuple[list[dict[str, Any]], dict[str, tuple[str, bytes]]]:
    """Parse, validate and check the attachments and signatures of the request body."""
    version = req.version()
    media = req.media_type()
    if media == "multipart/mixed":
        parts = parse_multipart_mixed(request.get_data(cache=True), request.content_type or "")
        body = req.parse_json(parts[0].body, "statement" if single else "statements")
        attachment_parts = parts[1:]
    elif media == "application/json" or (media == "" and request.get_data(cache=True)):
        body = req.json_body("statement" if single else "statements")
        attachment_parts = []
    else:
        raise ValidationError(
            f"Content-Type must be application/json or multipart/mixed, got {media or 'none'}",
            "Content-Type",
        )
    if single:
        if not isinstance(body, dict):
            raise ValidationError("PUT takes exactly one statement object", "statement")
        validate_statement(body, version)
        statements = [body]
    else:
        statements = validate_statements(body, version)
    if attachment_parts or media == "multipart/mixed":
        attachments = match_attachments(statements, attachment_parts, version=version)
    else:
        require_no_raw_attachments(statements)
        attachments = {}
    verify_signed_statements(statements, attachments)
    return statements, attachments


def _store_statements(
    statements: list[dict[str, Any]],
    attachments: dict[str, tuple[str, bytes]],
    credential,
) -> list[str]:
    ids = service.store_statements(
        _store(),
        service.StoreRequest(
            statements=statements,
            credential=credential,
            version=req.version(),
            authority=authority_agent(credential, _settings().authority_homepage),
            attachments=attachments,
            hooks=services().ingest_hooks,
        ),
    )
    # Committed: wake the learning-archive projector (a no-op without its thread).
    services().archive.notify()
    return ids


# ---------------------------------------------------------------- reading


@bp.get("/statements")
def get_statements() -> Response:
    credential = _read_credential()
    mine = None if _may_read_all(credential) else credential.key
    org_scope = credential.org or None
    raw = dict(request.args)
    if "more" in raw:
        params = _params_from_more(req.check_params(["more"])["more"], credential.key)
    else:
        params = req.check_params(SINGLE_PARAMS + QUERY_PARAMS)
    fmt = params.get("format", "exact")
    if fmt not in FORMATS:
        raise ValidationError(f"format must be one of {', '.join(FORMATS)}", "format")
    with_attachments = req.bool_param(params, "attachments")
    languages = accepted_languages(request.headers.get("Accept-Language"))

    single = [name for name in SINGLE_PARAMS if name in params]
    if single:
        if len(single) > 1 or set(params) - set(single) - set(OUTPUT_PARAMS):
            extra = sorted(set(params) - {single[0]} - set(OUTPUT_PARAMS))
            raise ValidationError(
                f"{single[0]} cannot be combined with {', '.join(extra)}", extra[0]
            )
        statement_id = params[single[0]]
        if not is_uuid(statement_id):
            raise ValidationError(f"{single[0]} must be a UUID", single[0])
        record = service.get_statement(
            _store(),
            statement_id,
            voided=single[0] == "voidedStatementId",
            org_scope=org_scope,
            authority_key=mine,
        )
        role_scope.check_single(credential, statement_id, record.statement)
        body = format_statement(record.statement, fmt, languages)
        return _statement_response(body, [record], with_attachments, record.stored)

    query = _build_query(params, org_scope=org_scope, authority_key=mine)
    query = role_scope.narrow(credential, query)
    query = replace(query, raw_json=fmt == "exact")
    page = service.query_statements(_store(), query)
    more = ""
    if page.next_after_seq is not None:
        more = _more_link(params, page.next_after_seq, page.max_seq, credential.key)
    last_modified = max((r.stored for r in page.records), default=None)
    raws = [r.raw for r in page.records]
    if raws and all(raw is not None for raw in raws):
        # format=exact from a store that kept the JSON text: send it as stored.
        raw_body = RawJSON(
            b'{"statements":['
            + b",".join(raw.encode("utf-8") for raw in raws if raw is not None)
            + b'],"more":'
            + _dumps(more)
            + b"}"
        )
        return _statement_response(raw_body, page.records, with_attachments, last_modified)
    result: dict[str, Any] = {
        "statements": [format_statement(r.statement, fmt, languages) for r in page.records],
        "more": more,
    }
    return _statement_response(result, page.records, with_attachments, last_modified)


def _read_credential():
    credential = current_credential()
    if not (
        has_scope(credential, "statements/read") or has_scope(credential, "statements/read/mine")
    ):
        require("statements/read")  # raises 403 with the scope named
    return credential


def _may_read_all(credential) -> bool:
    return has_scope(credential, "statements/read")


def _build_query(
    params: dict[str, str], *, org_scope: str | None, authority_key: str | None
) -> StatementQuery:
    agent_keys: tuple[str, ...] = ()
    if "agent" in params:
        key = agent_key(req.agent_param(params))
        if key is None:
            raise ValidationError("agent must be an Agent or an identified Group", "agent")
        agent_keys = (key,)
    agent_keys = trainee_agents.expand_agent_keys(params, agent_keys)
    for name in ("verb", "activity"):
        if name in params and not is_iri(params[name]):
            raise ValidationError(f"parameter {name!r} must be an IRI", name)
    registration = params.get("registration")
    if registration is not None and not is_uuid(registration):
        raise ValidationError("registration must be a UUID", "registration")
    limit = req.int_param(params, "limit", 0)
    max_page = _settings().max_page_size
    return StatementQuery(
        agent_keys=agent_keys,
        related_agents=req.bool_param(params, "related_agents"),
        verb_id=params.get("verb"),
        activity_id=params.get("activity"),
        related_activities=req.bool_param(params, "related_activities"),
        registration=registration.lower() if registration else None,
        since=req.timestamp_param(params, "since"),
        until=req.timestamp_param(params, "until"),
        ascending=req.bool_param(params, "ascending"),
        limit=max_page if limit == 0 else min(limit, max_page),
        after_seq=_int_or_none(params.get("_after")),
        max_seq=_int_or_none(params.get("_max")),
        org_scope=org_scope,
        authority_key=authority_key,
    )


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value is not None else None


def _more_link(params: dict[str, str], after_seq: int, max_seq: int, owner: str) -> str:
    # The cursor carries the original query, so every page repeats the same
    # filters; `_max` pins the result set to what existed at the first page.
    state = {**params, "_after": str(after_seq), "_max": str(max_seq)}
    return more_tokens.more_link(state, owner)


def _params_from_more(token: str, owner: str) -> dict[str, str]:
    try:
        state = more_tokens.state_of(token, owner)
        if not isinstance(state, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in state.items()
        ):
            raise ValueError
        for name in ("_after", "_max"):
            # ASCII digits that fit SQLite's 64-bit INTEGER (a forged cursor is a 400).
            value = state.get(name)
            if value is not None and not (value.isascii() and value.isdigit() and len(value) <= 18):
                raise ValueError
    except (ValueError, TypeError, RecursionError) as exc:
        raise ValidationError("the more cursor is not valid", "more") from exc
    unknown = set(state) - set(QUERY_PARAMS) - {"_after", "_max"}
    if unknown:
        raise ValidationError("the more cursor is not valid", "more")
    return state


def _statement_response(
    body: Any,
    records: list[StatementRecord],
    with_attachments: bool,
    last_modified: datetime | None,
) -> Response:
    if with_attachments:
        attachments = service.attachments_for(_store(), records)
        payload, content_type = build_multipart_mixed(
            _dumps(body), [(a.sha2, a.content_type, a.data) for a in attachments]
        )
        response = Response(payload, content_type=content_type)
    else:
        response = _json(body)
    if last_modified is not None:
        response.last_modified = last_modified
    return response


class RawJSON(bytes):
    """A response body already encoded as JSON."""


def _dumps(body: Any) -> bytes:
    if isinstance(body, RawJSON):
        return bytes(body)
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _json(body: Any) -> Response:
    return Response(_dumps(body), content_type="application/json; charset=utf-8")
