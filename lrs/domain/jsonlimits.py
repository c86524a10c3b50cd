"""Limits on untrusted JSON that ``json.loads`` alone does not enforce.

``json.loads`` accepts two things the rest of the LRS cannot handle:

* **Deep nesting.** A few hundred nested arrays parse, then blow Python's
  recursion limit later (deep copies, validation, comparison) as a 500.
  Anything nested deeper than :data:`MAX_DEPTH` is refused up front.
* **Lone UTF-16 surrogates** written as escapes (``"\\ud800"``). They are not
  Unicode characters, cannot be encoded as UTF-8, and fail when stored or
  sent back. A string holding one is refused.

Both checks are cheap for ordinary input: the depth is measured on the text
(C-speed regular expressions, no walk over the parsed value), the surrogate
walk only runs when the text has a ``\\uD8xx``-style escape at all.

Parsing goes through orjson (several times faster than ``json``) when the
text has no integer orjson would turn into a float; anything orjson refuses is
parsed again by ``json`` so the error message and edge cases stay the same.
"""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any

import orjson

from lrs.domain.errors import ValidationError

#: Arrays and objects nested deeper than this are refused (a statement needs about 10).
MAX_DEPTH = 100

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
# orjson reads integers beyond 64 bits as floats (losing digits); ``json`` keeps
# them exact. 18 digits always fit in 64 bits.
_LONG_DIGITS = re.compile(rb"[0-9]{19}")
_NOT_BRACKET = bytes(set(range(256)) - set(b"[]{}"))
_INNERMOST_PAIR = re.compile(rb"\[\]|\{\}")
_UNPARSED = object()


def loads(text: str, path: str, what: str = "the JSON") -> Any:
    """``json.loads`` refusing NaN/Infinity, deep nesting and lone surrogates (ValidationError)."""
    skeleton = _skeleton(text)
    value = _UNPARSED
    if not _LONG_DIGITS.search(skeleton):
        # What orjson refuses is parsed again below, for json's message and
        # its handling of edge cases.
        with contextlib.suppress(orjson.JSONDecodeError):
            value = orjson.loads(text)
    if value is _UNPARSED:
        value = _loads_standard(text, path, what)
    if _too_deep(skeleton):
        raise ValidationError(f"{what} is nested more than {MAX_DEPTH} levels deep", path)
    if _SURROGATE_ESCAPE.search(text) and _has_lone_surrogate(value):
        raise ValidationError(
            f"{what} has a lone UTF-16 surrogate escape (\\uD800-\\uDFFF), "
            "which is not a Unicode character",
            path,
        )
    return value


def _loads_standard(text: str, path: str, what: str) -> Any:
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except RecursionError as exc:
        raise ValidationError(f"{what} is nested too deeply", path) from exc
    except ValueError as exc:
        raise ValidationError(f"{what} is not valid JSON: {exc}", path) from exc


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _skeleton(text: str) -> bytes:
    """``text`` without its strings: brackets, numbers, literals and punctuation.

    Only bytes operations (C speed; Python's ``re`` over the whole text cost
    more than parsing it). Escaped backslashes go first, then escaped quotes,
    so every remaining quote opens or closes a string; splitting on quotes
    leaves what is outside strings at the even positions. For text that is
    not valid JSON the result is meaningless, and harmless: such text never
    gets past the parser.
    """
    data = text.encode("utf-8", "surrogatepass").replace(b"\\\\", b"").replace(b'\\"', b"")
    return b"".join(data.split(b'"')[::2])


def _too_deep(skeleton: bytes) -> bool:
    """Whether arrays/objects nest deeper than MAX_DEPTH in the JSON ``skeleton``.

    Each pass removes the innermost ``[]``/``{}`` pairs: a value of depth d is
    gone after d passes.
    """
    brackets = skeleton.translate(None, _NOT_BRACKET)
    if len(brackets) <= MAX_DEPTH:
        return False
    for _ in range(MAX_DEPTH):
        if not brackets:
            return False
        brackets = _INNERMOST_PAIR.sub(b"", brackets)
    return bool(brackets)


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
