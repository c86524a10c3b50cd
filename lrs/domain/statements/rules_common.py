"""Building blocks shared by the statement rules: JSON type checks, key checks, format checks.

Each ``expect_*`` function either returns the (typed) value or raises
``ValidationError(message, path)``; messages name the property and the problem.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable
from typing import Any, NoReturn

from lrs.domain.errors import ValidationError
from lrs.domain.statements import formats

_IDENTIFIER_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def fail(path: str, message: str) -> NoReturn:
    raise ValidationError(message, path)


def child(path: str, key: str) -> str:
    """Path of property ``key`` below ``path``: ``a.b``, or ``a["k"]`` when ``k`` is no name."""
    if _is_name(key):
        return f"{path}.{key}"
    return map_key(path, key)


@functools.lru_cache(maxsize=1024)
def _is_name(key: str) -> bool:
    # Property names repeat in every statement; the regex ran ~30 times per statement.
    return _IDENTIFIER_RE.fullmatch(key) is not None


def map_key(path: str, key: str) -> str:
    """Path of an entry of a map (language map, extensions): always ``a["key"]``."""
    escaped = key.replace("\\", "\\\\").replace('"', '\\"')
    return f'{path}["{escaped}"]'


def name_of(path: str) -> str:
    """The last segment of a path, used to name the property in a message."""
    if path.endswith('"]'):
        return path[path.rfind('["') + 2 : -2]
    if path.endswith("]"):
        return path[path.rfind(".") + 1 :] if "." in path else path
    return path[path.rfind(".") + 1 :]


def show(value: object, limit: int = 80) -> str:
    """``repr`` of a client value for a message, cut short so messages stay small."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def type_error(value: object, path: str, expected: str) -> NoReturn:
    name = name_of(path)
    if value is None:
        fail(path, f"{name} must not be null; expected {expected}")
    fail(path, f"{name} must be {expected}, not {json_type(value)}")


def expect_object(value: object, path: str, expected: str = "an object") -> dict[str, Any]:
    if not isinstance(value, dict):
        type_error(value, path, expected)
    return value


def expect_array(value: object, path: str, *, non_empty: bool = False) -> list[Any]:
    if not isinstance(value, list):
        type_error(value, path, "an array")
    if non_empty and not value:
        fail(path, f"{name_of(path)} must not be an empty array")
    return value


def expect_string(value: object, path: str) -> str:
    if not isinstance(value, str):
        type_error(value, path, "a string")
    return value


def expect_bool(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        type_error(value, path, "a boolean (true or false)")
    return value


def expect_number(value: object, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        type_error(value, path, "a number")
    if isinstance(value, float) and not math.isfinite(value):
        fail(path, f"{name_of(path)} must be a finite number")
    return value


def expect_integer(value: object, path: str) -> int:
    number = expect_number(value, path)
    if isinstance(number, float):
        if not number.is_integer():
            fail(path, f"{name_of(path)} must be an integer, not {number!r}")
        number = int(number)
    return number


def expect_format(value: object, path: str, predicate, description: str) -> str:
    """A string that ``predicate`` accepts; ``description`` completes "<name> must be ..."."""
    text = expect_string(value, path)
    if not predicate(text):
        fail(path, f"{name_of(path)} must be {description}, got {show(text)}")
    return text


def expect_iri(value: object, path: str) -> str:
    return expect_format(value, path, formats.is_iri, "an absolute IRI (RFC 3987) with a scheme")


def expect_irl(value: object, path: str) -> str:
    return expect_format(value, path, formats.is_irl, "an absolute IRL (RFC 3987) with a scheme")


def expect_uuid(value: object, path: str) -> str:
    return expect_format(value, path, formats.is_uuid, "a UUID in standard string form")


def expect_language_tag(value: object, path: str) -> str:
    return expect_format(value, path, formats.is_language_tag, "an RFC 5646 language tag")


def check_keys(obj: dict[str, Any], allowed: frozenset[str], path: str, what: str) -> None:
    """Refuse any property of ``obj`` not in ``allowed`` (names are case-sensitive)."""
    for key in obj:
        if key not in allowed:
            fail(child(path, key), _unknown_key_message(key, allowed, what))


def _unknown_key_message(key: str, allowed: Iterable[str], what: str) -> str:
    folded = {name.lower(): name for name in allowed}
    if key.lower() in folded:
        return (
            f"{show(key)} is not a property of {what}; property names are case-sensitive"
            f" (did you mean '{folded[key.lower()]}'?)"
        )
    return f"{show(key)} is not a property of {what}; allowed: {', '.join(sorted(allowed))}"


def require(obj: dict[str, Any], key: str, path: str, what: str) -> Any:
    if key not in obj:
        fail(child(path, key), f"{what} requires '{key}'")
    return obj[key]


def expect_object_type(obj: dict[str, Any], path: str, expected: str, *, required: bool) -> None:
    """``objectType``, when present (or when ``required``), must be exactly ``expected``."""
    if "objectType" not in obj:
        if required:
            fail(child(path, "objectType"), f"objectType is required and must be '{expected}'")
        return
    value = expect_string(obj["objectType"], child(path, "objectType"))
    if value != expected:
        fail(
            child(path, "objectType"),
            f"objectType must be '{expected}' here (values are case-sensitive), got {show(value)}",
        )


def validate_language_map(value: object, path: str) -> dict[str, str]:
    """A Language Map: an object whose keys are RFC 5646 tags and whose values are strings."""
    mapping = expect_object(value, path, "a language map (object of language tag to string)")
    for tag, text in mapping.items():
        if not formats.is_language_tag(tag):
            fail(map_key(path, tag), f"{show(tag)} is not a valid RFC 5646 language tag")
        if not isinstance(text, str):
            type_error(text, map_key(path, tag), "a string")
    return mapping


def validate_extensions(value: object, path: str) -> dict[str, Any]:
    """Extensions: an object whose keys are IRIs; the values are free (null included)."""
    mapping = expect_object(value, path, "an extensions object (IRI keys)")
    for key in mapping:
        if not formats.is_iri(key):
            fail(map_key(path, key), f"extension key {show(key)} is not an absolute IRI")
    return mapping
