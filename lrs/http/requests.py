"""Reading a request: parameters, JSON bodies and headers, with errors that name the field."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from flask import current_app, g, request
from gunicorn.http.errors import ParseException
from werkzeug.exceptions import RequestEntityTooLarge

from lrs.domain import jsonlimits
from lrs.domain.errors import ValidationError
from lrs.domain.statements.validation import parse_timestamp, validate_agent


def version() -> str:
    """The xAPI version negotiated for this request."""
    return g.xapi_version


def check_params(allowed: Iterable[str]) -> dict[str, str]:
    """The query parameters, refusing unknown and repeated ones (400)."""
    allowed = set(allowed)
    params: dict[str, str] = {}
    for name, values in request.args.lists():
        if name not in allowed:
            raise ValidationError(f"unknown parameter {name!r}", name)
        if len(values) > 1:
            raise ValidationError(f"parameter {name!r} given more than once", name)
        params[name] = values[0]
    return params


def required(params: dict[str, str], name: str) -> str:
    value = params.get(name)
    if value is None or value == "":
        raise ValidationError(f"parameter {name!r} is required", name)
    return value


def json_param(params: dict[str, str], name: str) -> Any:
    # Strict like bodies: deep nesting or a lone surrogate escape is a 400, not a 500.
    return jsonlimits.loads(params[name], name, f"parameter {name!r}")


def agent_param(params: dict[str, str], name: str = "agent") -> dict[str, Any]:
    agent = json_param(params, name)
    validate_agent(agent, version(), path=name)
    return agent


def bool_param(params: dict[str, str], name: str, default: bool = False) -> bool:
    value = params.get(name)
    if value is None:
        return default
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ValidationError(f"parameter {name!r} must be true or false, got {value!r}", name)


def timestamp_param(params: dict[str, str], name: str) -> datetime | None:
    value = params.get(name)
    if value is None:
        return None
    try:
        parsed = parse_timestamp(value, version())
    except ValidationError as exc:
        raise ValidationError(f"parameter {name!r} is not an ISO 8601 timestamp", name) from exc
    try:
        # The store compares in UTC; 0001-01-01T00:00+05:00 has no UTC year 1 instant.
        parsed.astimezone(UTC)
    except OverflowError as exc:
        raise ValidationError(
            f"parameter {name!r} is outside the range of representable UTC times", name
        ) from exc
    return parsed


def int_param(params: dict[str, str], name: str, default: int) -> int:
    value = params.get(name)
    if value is None:
        return default
    # ASCII only: "²".isdigit() is true but int("²") fails; and cap the length so
    # int() never meets Python's 4300-digit limit.
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise ValidationError(
            f"parameter {name!r} must be a non-negative integer below 10^18", name
        )
    return int(value)


def media_type() -> str:
    """The request's Content-Type without parameters, lower-cased."""
    return (request.content_type or "").split(";")[0].strip().lower()


def json_body(path: str = "body") -> Any:
    """The request body parsed as strict UTF-8 JSON."""
    raw = request.get_data(cache=True)
    return parse_json(raw, path)


def parse_json(raw: bytes, path: str) -> Any:
    if not raw:
        raise ValidationError("the request body is empty", path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError("the request body is not valid UTF-8", path) from exc
    return jsonlimits.loads(text, path, "the request body")


def enforce_body_limit() -> None:
    """Refuse (413) a streamed body over MAX_CONTENT_LENGTH instead of truncating it.

    With Content-Length, werkzeug refuses an over-long body itself. Without it
    (chunked transfer encoding under gunicorn) it stops reading at the limit and
    hands the first MAX_CONTENT_LENGTH bytes over as if they were the whole body:
    a PUT document was stored cut short with a 204. Read the body here, then
    look one byte past the limit in the server's own stream.

    An over-long body is read and dropped (up to twice the limit) before the
    413: gunicorn drains at most 64 KiB of a body left unread and otherwise
    closes the connection, so a client still sending (or reusing the
    connection) would see a reset instead of the 413.
    """
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit is None:
        return
    declared = request.content_length
    if declared is not None:
        if declared > limit:
            _drain(request.environ["wsgi.input"], min(declared, 2 * limit))
            raise RequestEntityTooLarge()
        return
    if not request.environ.get("wsgi.input_terminated"):
        return
    try:
        too_long = (
            len(request.get_data(cache=True)) >= limit and request.environ["wsgi.input"].read(1)
        )
    except (ParseException, OSError) as exc:
        # gunicorn's chunk parser (bad chunk size, missing terminator, client gone):
        # the client's framing is at fault, not the LRS.
        raise ValidationError("the chunked request body is malformed or incomplete", "body") \
            from exc
    if too_long:
        _drain(request.environ["wsgi.input"], limit)
        raise RequestEntityTooLarge()


def _drain(stream, size: int) -> None:
    with contextlib.suppress(ParseException, OSError, ValueError):
        while size > 0:
            chunk = stream.read(min(size, 1 << 16))
            if not chunk:
                return
            size -= len(chunk)
