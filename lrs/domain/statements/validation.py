"""Validation of xAPI statements against the whole specification (1.0.3 or 2.0).

Public entry points:

* ``validate_statement(statement, version, path=...)`` - one statement;
* ``validate_statements(body, version)`` - the body of a POST (one statement or a non-empty list);
* ``validate_agent(agent, version, path=...)`` - the ``agent`` parameter of the query and document
  APIs (an Agent or an identified Group);
* small helpers the HTTP layer can reuse for parameters: ``is_iri``, ``is_uuid``,
  ``is_language_tag``, ``parse_timestamp``, ``validate_language_map``, ``validate_duration``, ...

Every violation raises ``lrs.domain.errors.ValidationError(message, path)`` for the first problem
found, ``path`` naming the offending property (``statements[3].actor.mbox``,
``statement.context.contextActivities.parent[0].id``, ``statement.verb.display["en-US"]``).

Nothing here mutates its input: normalisation (contextActivities to arrays, default objectType,
ids, stored, authority) belongs to the statement service.

The rules are hand-written small functions (``rules_*.py``) rather than a JSON Schema: the
spec's cross-property rules (exactly one IFI, interactionType vs component lists, revision and
platform only for Activities, authority groups, voiding, SubStatement restrictions) need code
anyway, hand-written checks report the exact path of the first violation, and they run an order
of magnitude faster than a jsonschema ``oneOf`` tree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lrs.domain.errors import ValidationError
from lrs.domain.statements import formats
from lrs.domain.statements.formats import (
    TimestampError,
    is_duration,
    is_iri,
    is_irl,
    is_language_tag,
    is_mailto_iri,
    is_sha1_hex,
    is_sha2_hex,
    is_uuid,
)
from lrs.domain.statements.rules_actors import validate_identified_actor
from lrs.domain.statements.rules_common import expect_format, fail, name_of, show
from lrs.domain.statements.rules_common import (
    validate_language_map as _validate_language_map,
)
from lrs.domain.statements.rules_statement import validate_statement_object

__all__ = [
    "SUPPORTED_VERSIONS",
    "TimestampError",
    "ValidationError",
    "is_duration",
    "is_iri",
    "is_irl",
    "is_language_tag",
    "is_mailto_iri",
    "is_sha1_hex",
    "is_sha2_hex",
    "is_timestamp",
    "is_uuid",
    "parse_timestamp",
    "validate_agent",
    "validate_duration",
    "validate_language_map",
    "validate_statement",
    "validate_statements",
]

SUPPORTED_VERSIONS = ("1.0.3", "2.0.0")


def _is_v2(version: str) -> bool:
    """xAPI 2.0 rules for "2.0.x"; 1.0.3 rules for any "1.0.x"."""
    if not isinstance(version, str) or not version.startswith(("1.0", "2.0")):
        raise ValueError(f"unsupported xAPI version {version!r}; expected one of 1.0.x, 2.0.x")
    return version.startswith("2.0")


def validate_statement(statement: object, version: str, *, path: str = "statement") -> None:
    """Raise ValidationError(message, path) for the first violation of the xAPI spec."""
    validate_statement_object(statement, path, v2=_is_v2(version))


def validate_statements(body: object, version: str) -> list[dict[str, Any]]:
    """Body of a POST: one statement object or a non-empty list. Returns the list.

    A single statement is reported under ``statement``, a list under ``statements[i]``.
    Two statements of one batch may not share an ``id``.
    """
    v2 = _is_v2(version)
    if isinstance(body, dict):
        validate_statement_object(body, "statement", v2=v2)
        return [body]
    if not isinstance(body, list):
        fail("statements", "the request body must be a Statement object or an array of Statements")
    if not body:
        fail("statements", "the array of Statements must not be empty")
    seen: dict[str, int] = {}
    for index, statement in enumerate(body):
        validate_statement_object(statement, f"statements[{index}]", v2=v2)
        if "id" in statement:
            key = statement["id"].lower()
            if key in seen:
                fail(f"statements[{index}].id", f"statement id {statement['id']} is used twice in"
                     f" this batch (also by statements[{seen[key]}])")
            seen[key] = index
    return body


def validate_agent(agent: object, version: str, *, path: str = "agent") -> None:
    """An Agent or an identified Group (the ``agent`` parameter of the query/document APIs)."""
    _is_v2(version)
    validate_identified_actor(agent, path)


def validate_language_map(value: object, path: str = "languageMap") -> dict[str, str]:
    """A Language Map: RFC 5646 tags to strings. Returns it; raises ValidationError otherwise."""
    return _validate_language_map(value, path)


def validate_duration(value: object, path: str = "duration") -> str:
    """An ISO 8601 duration (xAPI Data 4.6). Returns it; raises ValidationError otherwise."""
    return expect_format(value, path, is_duration, "an ISO 8601 duration such as PT1H30M or P2W")


def parse_timestamp(value: object, version: str = "2.0.0", *, path: str = "timestamp") -> datetime:
    """An xAPI Timestamp as an aware datetime (a missing offset means UTC, allowed in 1.0.3 only).

    Raises ValidationError naming the problem (use it for the ``since``/``until`` parameters).
    """
    try:
        return formats.parse_timestamp(value, version)
    except TimestampError as exc:
        fail(path, f"{name_of(path)} {exc}, got {show(value)}")


def is_timestamp(value: object, version: str = "2.0.0") -> bool:
    return formats.is_timestamp(value, version)
