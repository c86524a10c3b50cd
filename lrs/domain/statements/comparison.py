"""Statement equivalence: xAPI's "Statement Comparison Requirements".

xAPI 1.0.3 Data 2.3.1 (2.0.0: the same text) says that when two statements are
compared, differences which could have been caused by the exceptions to
statement immutability MUST be ignored, and all other differences MUST NOT.
The exceptions, and how this module applies each:

* Properties the LRS may assign (``id``, ``authority``, ``stored``,
  ``timestamp``, ``version``): ``authority``, ``stored`` and ``version`` are
  ignored. ``id`` is compared (as a UUID, case-insensitively) only when both
  statements have one. ``timestamp`` is compared only when both have one and
  neither timestamp equals its own statement's ``stored`` (an LRS-assigned
  timestamp is set to ``stored``, and the client may not have sent one).
* Activity Definitions are not part of the statement: ``definition`` of every
  Activity (object, context activities, inside SubStatements) is ignored.
* The Verb's ``display`` is not part of the statement: ignored.
* Timestamp serialization: timestamps are compared as instants; since the LRS
  may truncate or round them to milliseconds (Data 4.5.s1.b7), instants less
  than a millisecond apart are equal (inside a SubStatement: equal after
  truncation to the millisecond). A timestamp without a zone is taken as UTC.
* Un-ordered lists: the ``member`` list of a Group is compared as a multiset.
  Every other array keeps its order.
* Attachments: the raw data is not part of the statement and is not seen here;
  attachment objects are compared. An empty ``attachments`` array equals none.
* Case-insensitive parts: the ``mailto:`` scheme and the domain of an ``mbox``,
  hex digests (``mbox_sha1sum``, ``sha2``), UUIDs (``id``, ``registration``,
  StatementRef ids), language tags (``context.language`` and language-map
  keys), media types (``contentType``). IRIs are compared character for
  character (RFC 3987 5.3.1, which Data 3.1.s2.b1 allows).

Equivalent serializations that are not differences at all are also equal: a
single context Activity and an array holding just it (Data 2.4.6.2.s4.b3), an
absent ``objectType`` and its default (``Activity`` for the object and context
activities, ``Agent`` for agents), numbers of equal value (``1`` and ``1.0``).
``true`` is never equal to ``1``.

Result ``duration`` is compared as a string (Data 2.3.1.b8), except that
precision beyond 0.01 s is left out (Data 4.6.s1.b5).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from lrs.domain.errors import ValidationError

_IGNORED_TOP_LEVEL = ("authority", "stored", "version")
_ONE_MILLISECOND = timedelta(milliseconds=1)
_MISSING = object()
_DURATION_SECONDS_RE = re.compile(r"(\d+)[.,](\d+)S\Z")


def statements_equivalent(a: Any, b: Any) -> bool:
    """True when two statements match under xAPI's statement comparison rules."""
    try:
        if not isinstance(a, dict) or not isinstance(b, dict):
            return _dump(_generic(a)) == _dump(_generic(b))
        id_a, id_b = a.get("id"), b.get("id")
        if id_a is not None and id_b is not None and _uuid(id_a) != _uuid(id_b):
            return False
        if not _timestamps_match(a, b):
            return False
        return _dump(_canonical_top_level(a)) == _dump(_canonical_top_level(b))
    except RecursionError:
        raise ValidationError("the statement is nested too deeply to be compared") from None


def canonical_statement(statement: dict[str, Any]) -> Any:
    """The comparable form of a statement without ``id`` and ``timestamp`` (for tests, hashing).

    Two statements with equal ids and matching timestamps are equivalent
    exactly when their canonical forms are equal.
    """
    return _canonical_top_level(statement)


def _canonical_top_level(statement: dict[str, Any]) -> Any:
    rest = {
        k: v
        for k, v in statement.items()
        if k not in _IGNORED_TOP_LEVEL and k not in ("id", "timestamp")
    }
    return _statement_body(rest)


def _timestamps_match(a: dict[str, Any], b: dict[str, Any]) -> bool:
    ts_a, ts_b = a.get("timestamp", _MISSING), b.get("timestamp", _MISSING)
    if ts_a is _MISSING or ts_b is _MISSING or ts_a is None or ts_b is None:
        return True
    if _maybe_assigned_by_lrs(a) or _maybe_assigned_by_lrs(b):
        return True
    instant_a, instant_b = _parse_instant(ts_a), _parse_instant(ts_b)
    if instant_a is None or instant_b is None:
        return ts_a == ts_b
    return abs(instant_a - instant_b) < _ONE_MILLISECOND


def _maybe_assigned_by_lrs(statement: dict[str, Any]) -> bool:
    """A timestamp equal to ``stored`` may be the one the LRS set when the client sent none."""
    stored = statement.get("stored")
    if stored is None:
        return False
    timestamp = _parse_instant(statement.get("timestamp"))
    stored_at = _parse_instant(stored)
    return timestamp is not None and stored_at is not None and timestamp == stored_at


def _parse_instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _instant_text(value: Any) -> Any:
    parsed = _parse_instant(value)
    if parsed is None:
        return _generic(value)
    truncated = parsed.replace(microsecond=parsed.microsecond // 1000 * 1000)
    return {"instant": truncated.isoformat()}


def _dump(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


# --- generic values --------------------------------------------------------------------------


def _generic(value: Any) -> Any:
    """Plain JSON, with integral floats made ints so 1.0 equals 1 (but true stays true)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, dict):
        return {str(k): _generic(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_generic(v) for v in value]
    return repr(value)


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else _generic(value)


_uuid = _lower


def _language_map(value: Any) -> Any:
    if not isinstance(value, dict):
        return _generic(value)
    lowered = {str(k).lower(): _generic(v) for k, v in value.items()}
    if len(lowered) != len(value):  # keys differing only in case: keep them apart
        return _generic(value)
    return lowered


def _media_type(value: Any) -> Any:
    if not isinstance(value, str):
        return _generic(value)
    essence, *params = value.split(";")
    normalised = []
    for param in params:
        name, eq, val = param.strip().partition("=")
        normalised.append(f"{name.strip().lower()}{eq}{val.strip()}")
    return "; ".join([essence.strip().lower(), *normalised])


def _duration(value: Any) -> Any:
    if not isinstance(value, str):
        return _generic(value)
    match = _DURATION_SECONDS_RE.search(value)
    if match is None:
        return value
    fraction = match.group(2)[:2].rstrip("0")
    seconds = match.group(1) + ("." + fraction if fraction else "")
    return value[: match.start()] + seconds + "S"


def _mbox(value: Any) -> Any:
    if not isinstance(value, str) or value[:7].lower() != "mailto:":
        return _generic(value)
    local, at, domain = value[7:].rpartition("@")
    return "mailto:" + (f"{local}@{domain.lower()}" if at else value[7:])


# --- statement structure ---------------------------------------------------------------------


def _with(value: Any, handlers: dict[str, Any], defaults: dict[str, str] | None = None) -> Any:
    """Canonicalise a dict, applying per-key handlers and the defaults of absent keys."""
    if not isinstance(value, dict):
        return _generic(value)
    out: dict[str, Any] = {}
    for key, item in value.items():
        handler = handlers.get(key, _generic)
        if handler is None:
            continue  # not part of the statement
        out[key] = handler(item)
    for key, default in (defaults or {}).items():
        out.setdefault(key, default)
    return out


_STATEMENT_HANDLERS: dict[str, Any] = {}


def _statement_body(statement: Any) -> Any:
    if isinstance(statement, dict) and statement.get("attachments") == []:
        statement = {k: v for k, v in statement.items() if k != "attachments"}
    return _with(statement, _STATEMENT_HANDLERS)


def _actor(value: Any) -> Any:
    if isinstance(value, dict) and value.get("objectType") == "Group":
        return _with(value, {**_IFI_HANDLERS, "member": _members})
    return _with(value, _IFI_HANDLERS, {"objectType": "Agent"})


def _members(value: Any) -> Any:
    if not isinstance(value, list):
        return _generic(value)
    return sorted((_actor(m) for m in value), key=_dump)


def _account(value: Any) -> Any:
    return _generic(value)


_IFI_HANDLERS: dict[str, Any] = {
    "mbox": _mbox,
    "mbox_sha1sum": _lower,
    "account": _account,
}


def _verb(value: Any) -> Any:
    return _with(value, {"display": None})


def _activity(value: Any) -> Any:
    return _with(value, {"definition": None}, {"objectType": "Activity"})


def _statement_ref(value: Any) -> Any:
    return _with(value, {"id": _uuid}, {"objectType": "StatementRef"})


def _object(value: Any) -> Any:
    if not isinstance(value, dict):
        return _generic(value)
    kind = value.get("objectType", "Activity")
    if kind == "Activity":
        return _activity(value)
    if kind in ("Agent", "Group"):
        return _actor(value)
    if kind == "StatementRef":
        return _statement_ref(value)
    if kind == "SubStatement":
        return _statement_body(value)
    return _generic(value)


def _result(value: Any) -> Any:
    return _with(value, {"duration": _duration})


def _context_activities(value: Any) -> Any:
    if not isinstance(value, dict):
        return _generic(value)
    out: dict[str, Any] = {}
    for kind, activities in value.items():
        if isinstance(activities, dict):
            activities = [activities]
        if isinstance(activities, list):
            out[kind] = [_activity(a) for a in activities]
        else:
            out[kind] = _generic(activities)
    return out


def _context_members(member: str) -> Callable[[Any], Any]:
    """contextAgents / contextGroups: lists of objects whose ``member`` is an actor."""

    def members(value: Any) -> Any:
        if not isinstance(value, list):
            return _generic(value)
        return [_with(item, {member: _actor}) for item in value]

    return members


_context_agents = _context_members("agent")
_context_groups = _context_members("group")


def _context(value: Any) -> Any:
    return _with(
        value,
        {
            "registration": _uuid,
            "instructor": _actor,
            "team": _actor,
            "contextActivities": _context_activities,
            "contextAgents": _context_agents,
            "contextGroups": _context_groups,
            "statement": _statement_ref,
            "language": _lower,
        },
    )


def _attachment(value: Any) -> Any:
    return _with(
        value,
        {
            "display": _language_map,
            "description": _language_map,
            "contentType": _media_type,
            "sha2": _lower,
        },
    )


def _attachments(value: Any) -> Any:
    if not isinstance(value, list):
        return _generic(value)
    return [_attachment(a) for a in value]


_STATEMENT_HANDLERS.update(
    {
        "actor": _actor,
        "verb": _verb,
        "object": _object,
        "result": _result,
        "context": _context,
        "timestamp": _instant_text,
        "attachments": _attachments,
    }
)
