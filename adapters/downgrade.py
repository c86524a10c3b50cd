"""An xAPI 2.0 statement as an upstream that speaks only 1.0.3 will take it.

What xAPI 2.0 (IEEE 9274.1.1) added to a Statement over 1.0.3, and what happens to it:

* ``context.contextAgents`` / ``context.contextGroups`` (also in a SubStatement's
  context): 1.0.3 has no home for them and an LRS must refuse unknown properties, so
  each moves, unchanged, into a context extension: ``CONTEXT_AGENTS`` / ``CONTEXT_GROUPS``
  (extension values may be any JSON). A statement that already holds a different value
  under that extension cannot be moved without loss.
* ``version`` "2.0.x": 1.0.3 accepts only "1.0"/"1.0.x"; it becomes "1.0.0", what a
  1.0.3 LRS records for a statement sent without one. Statement comparison ignores
  ``version``, so a signature and a resend of the same id stay valid.
* Timestamps: 2.0 requires the offset that 1.0.3 only recommends, so a 2.0 timestamp
  is a valid 1.0.3 one as it is; sub-millisecond precision is left to the upstream, as
  both versions allow.
* Everything else a 2.0 statement may hold (attachments, ``fileUrl``, activity
  definitions, extensions) is valid 1.0.3 unchanged.

A signed statement whose contextAgents/Groups would move cannot be downgraded: its JWS
payload would no longer match the statement (xAPI Data 2.6) and the upstream must
refuse it. Such statements raise :class:`NotDowngradable`.
"""

from __future__ import annotations

import copy
from typing import Any

# Under the project's namespace (as /about's server extension): cadre-lrs's own IRIs.
EXTENSION_BASE = "https://w3id.org/xapi/cadre-lrs/extensions/"
CONTEXT_AGENTS = EXTENSION_BASE + "contextAgents"
CONTEXT_GROUPS = EXTENSION_BASE + "contextGroups"
MOVED = {"contextAgents": CONTEXT_AGENTS, "contextGroups": CONTEXT_GROUPS}
SIGNATURE_USAGE_TYPE = "http://adlnet.gov/expapi/attachments/signature"


class NotDowngradable(Exception):
    """The statement has no lossless 1.0.3 form; the message says why (Chinese first)."""


def to_1_0_3(statement: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``statement`` that a 1.0.3 LRS accepts, or raises NotDowngradable."""
    out = copy.deepcopy(statement)
    moved = _move_context_members(out.get("context"), "context")
    obj = out.get("object")
    if isinstance(obj, dict) and obj.get("objectType") == "SubStatement":
        moved += _move_context_members(obj.get("context"), "object.context")
    if moved and _signed(statement):
        raise NotDowngradable(
            f"签名语句含 xAPI 2.0 属性 {', '.join(moved)}，改写会使签名失效，无法以 1.0.3 转发"
            f" (a signed statement with {', '.join(moved)}: moving them would break its"
            " signature, so it cannot be sent as xAPI 1.0.3)")
    version = out.get("version")
    if isinstance(version, str) and version.startswith("2."):
        out["version"] = "1.0.0"
    return out


def _move_context_members(context: object, path: str) -> list[str]:
    """Move contextAgents/contextGroups into extensions in place; the paths moved."""
    if not isinstance(context, dict):
        return []
    moved = []
    for key, iri in MOVED.items():
        if key not in context:
            continue
        value = context.pop(key)
        extensions = context.setdefault("extensions", {})
        if iri in extensions and extensions[iri] != value:
            raise NotDowngradable(
                f"{path}.extensions 已含 {iri} 且与 {path}.{key} 不同，无法无损降级到 1.0.3"
                f" ({path}.extensions already holds {iri} with another value than"
                f" {path}.{key}: no lossless xAPI 1.0.3 form)")
        extensions[iri] = value
        moved.append(f"{path}.{key}")
    return moved


def _signed(statement: dict[str, Any]) -> bool:
    return any(isinstance(a, dict) and a.get("usageType") == SIGNATURE_USAGE_TYPE
               for a in statement.get("attachments") or [])
