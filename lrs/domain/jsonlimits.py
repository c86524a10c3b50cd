"""Limits on untrusted JSON that ``json.loads`` alone does not enforce.

``json.loads`` accepts two things the rest of the LRS cannot handle:

* **Deep nesting.** A few hundred nested arrays parse, then blow Python's
  recursion limit later (deep copies, validation, comparison) as a 500.
  Anything nested deeper than :data:`MAX_DEPTH` is refused up front.
* **Lone UTF-16 surrogates** written as escapes (``"\\ud800"``). They are not
  Unicode characters, cannot be encoded as UTF-8, and fail when stored or
  sent back. A string holding one is refused.

Both checks are cheap for ordinary input: the depth walk only runs when the
text has more brackets than the limit, the surrogate walk only when the text
has a ``\\uD8xx``-style escape at all.
"""

from __future__ import annotations

import json
import re
from typing import Any

from lrs.domain.errors import ValidationError

#: Arrays and objects nested deeper than this are refused (a statement needs about 10).
MAX_DEPTH = 100

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def check_json(value: Any, text: str, path: str, what: str = "the JSON") -> None:
    """Raise ValidationError (naming ``path``) when ``value``, parsed from ``text``, is unsafe."""
    if text.count("[") + text.count("{") > MAX_DEPTH and _too_deep(value):
        raise ValidationError(f"{what} is nested more than {MAX_DEPTH} levels deep", path)
    if _SURROGATE_ESCAPE.search(text) and _has_lone_surrogate(value):
        raise ValidationError(
            f"{what} has a lone UTF-16 surrogate escape (\\uD800-\\uDFFF), "
            "which is not a Unicode character",
            path,
        )


def loads(text: str, path: str, what: str = "the JSON") -> Any:
    """``json.loads`` refusing NaN/Infinity, deep nesting and lone surrogates (ValidationError)."""
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError as exc:
        raise ValidationError(f"{what} is nested too deeply", path) from exc
    except ValueError as exc:
        raise ValidationError(f"{what} is not valid JSON: {exc}", path) from exc
    check_json(value, text, path, what)
    return value


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _too_deep(value: Any) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > MAX_DEPTH:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _has_lone_surrogate(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False
