"""Reading a request: parameters, JSON bodies and headers, with errors that name the field."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from flask import g, request

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
    try:
        return json.loads(params[name])
    except (ValueError, TypeError) as exc:
        raise ValidationError(f"parameter {name!r} is not valid JSON", name) from exc


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
        return parse_timestamp(value, version())
    except ValidationError as exc:
        raise ValidationError(f"parameter {name!r} is not an ISO 8601 timestamp", name) from exc


def int_param(params: dict[str, str], name: str, default: int) -> int:
    value = params.get(name)
    if value is None:
        return default
    if not value.isdigit():
        raise ValidationError(f"parameter {name!r} must be a non-negative integer", name)
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
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except RecursionError as exc:
        raise ValidationError("the JSON body is nested too deeply", path) from exc
    except ValueError as exc:
        raise ValidationError(f"the request body is not valid JSON: {exc}", path) from exc


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")
