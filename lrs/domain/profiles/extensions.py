"""Extensions defined by a profile: where a statement may put them and what their values may be.

Structure 7.2: statements MUST use a ContextExtension only in context, a
ResultExtension only in result and an ActivityExtension only in an Activity
definition; an extension's ``inlineSchema`` (JSON Schema draft-07) constrains
its value. Both are checked for every statement a profile applies to, in
either template mode.

Most inline schemas are a handful of keywords (type, enum, pattern, bounds),
so each is compiled to a plain predicate; anything else, and the message of
a failure, come from ``jsonschema`` (with an ``iri`` format checker, since
``jsonschema`` silently passes formats it has no checker for), imported when a
profile is compiled: ``import lrs.app`` and ``lrs --help`` do not pay for it.
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from functools import cache, partial
from typing import TYPE_CHECKING, Any

from lrs.domain.profiles.model import Profile, json_key
from lrs.domain.profiles.templates import RuleFailure
from lrs.domain.redaction import redact_id_numbers
from lrs.domain.statements.formats import is_iri

if TYPE_CHECKING:
    from jsonschema import Draft7Validator, FormatChecker

CONTEXT, RESULT, ACTIVITY = "ContextExtension", "ResultExtension", "ActivityExtension"
EXTENSION_TYPES = (CONTEXT, RESULT, ACTIVITY)



@cache
def _formats() -> FormatChecker:
    from jsonschema import FormatChecker

    checker = FormatChecker()
    checker.checks("iri")(is_iri)
    checker.checks("uri")(is_iri)
    return checker


@dataclass(frozen=True)
class ExtensionRule:
    id: str
    kind: str
    check: Callable[[Any], bool] | None  # None: no schema
    validator: Draft7Validator | None

    def problem(self, value: Any) -> str | None:
        if self.check is None or self.check(value):
            return None
        from jsonschema.exceptions import best_match

        error = best_match(self.validator.iter_errors(value))  # type: ignore[union-attr]
        detail = error.message if error is not None else "does not match"
        # jsonschema quotes the value: an ID card number must not reach a message.
        return redact_id_numbers(
            f"value {_show(value)} breaks the extension's inlineSchema: {detail}"
        )


def compile_extensions(profile: Profile) -> dict[str, ExtensionRule]:
    from jsonschema import Draft7Validator
    from jsonschema.exceptions import SchemaError

    rules = {}
    for concept_id, concept in profile.concepts.items():
        if concept.get("type") not in EXTENSION_TYPES:
            continue
        check = validator = None
        raw = concept.get("inlineSchema")
        try:
            schema = json.loads(raw) if isinstance(raw, str) else raw
            if schema is not None:
                Draft7Validator.check_schema(schema)
        except (ValueError, SchemaError):
            schema = None  # reported by the inline_schemas check; nothing to validate against
        if schema is not None:
            validator = Draft7Validator(schema, format_checker=_formats())
            check = _predicate(schema) or validator.is_valid
        rules[concept_id] = ExtensionRule(concept_id, concept["type"], check, validator)
    return rules


def extension_failures(
    statement: dict[str, Any], rules: dict[str, ExtensionRule]
) -> list[RuleFailure]:
    """Misplaced extensions and values that break their inlineSchema."""
    if not rules:
        return []
    failures: list[RuleFailure] = []
    for where, expected, extensions in _extension_maps(statement):
        for key, value in extensions.items():
            rule = rules.get(key)
            if rule is None:
                continue
            if rule.kind != expected:
                message = f"{key} is a {rule.kind}; it may not be used as a {expected}"
                failures.append(RuleFailure(key, "extensionType", f"{where}['{key}']", message))
                continue
            problem = rule.problem(value)
            if problem:
                failures.append(RuleFailure(key, "inlineSchema", f"{where}['{key}']", problem))
    return failures


def _extension_maps(statement: dict[str, Any]):
    """(location, extension type that belongs there, extensions) for each extensions map."""
    context = statement.get("context")
    if isinstance(context, dict):
        extensions = context.get("extensions")
        if isinstance(extensions, dict):
            yield "$.context.extensions", CONTEXT, extensions
        activities = context.get("contextActivities")
        if isinstance(activities, dict):
            for kind, items in activities.items():
                for i, activity in enumerate(items if isinstance(items, list) else ()):
                    extensions = _definition_extensions(activity)
                    if isinstance(extensions, dict):
                        where = f"$.context.contextActivities.{kind}[{i}].definition.extensions"
                        yield where, ACTIVITY, extensions
    result = statement.get("result")
    if isinstance(result, dict) and isinstance(result.get("extensions"), dict):
        yield "$.result.extensions", RESULT, result["extensions"]
    extensions = _definition_extensions(statement.get("object"))
    if isinstance(extensions, dict):
        yield "$.object.definition.extensions", ACTIVITY, extensions


def _definition_extensions(activity: Any) -> Any:
    if isinstance(activity, dict):
        definition = activity.get("definition")
        if isinstance(definition, dict):
            return definition.get("extensions")
    return None


def _show(value: Any, limit: int = 80) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------- fast predicates

_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "integer": lambda v: (
        isinstance(v, int) and not isinstance(v, bool) or isinstance(v, float) and v.is_integer()
    ),
}
_SIMPLE = {
    "type",
    "enum",
    "const",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "multipleOf",
    "not",
    "format",
    "$schema",
    "title",
    "description",
    "$comment",
    "examples",
    "default",
}


def _predicate(schema: Any) -> Callable[[Any], bool] | None:
    """A plain function equivalent to ``schema`` if it only uses simple keywords, else None."""
    if schema is True or schema == {}:
        return lambda v: True
    if not isinstance(schema, dict) or set(schema) - _SIMPLE:
        return None
    checks: list[Callable[[Any], bool]] = []
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if any(n not in _TYPES for n in names):
            return None
        tests = [_TYPES[n] for n in names]
        checks.append(tests[0] if len(tests) == 1 else lambda v: any(t(v) for t in tests))
    if "enum" in schema:
        allowed = {json_key(x) for x in schema["enum"]}
        checks.append(lambda v: json_key(v) in allowed)
    if "const" in schema:
        const = json_key(schema["const"])
        checks.append(lambda v: json_key(v) == const)
    for key, test in _BOUNDS:
        if key in schema:
            checks.append(partial(_bounded, test, schema[key]))
    if "multipleOf" in schema:
        checks.append(partial(_multiple_of, schema["multipleOf"]))
    if "minLength" in schema:
        checks.append(partial(_length, operator.ge, schema["minLength"]))
    if "maxLength" in schema:
        checks.append(partial(_length, operator.le, schema["maxLength"]))
    if "pattern" in schema:
        regex = re.compile(schema["pattern"])
        checks.append(lambda v: not isinstance(v, str) or regex.search(v) is not None)
    if "format" in schema:
        if schema["format"] not in ("iri", "uri"):
            return None
        checks.append(lambda v: not isinstance(v, str) or is_iri(v))
    if "not" in schema:
        inner = _predicate(schema["not"])
        if inner is None:
            return None
        checks.append(lambda v: not inner(v))
    return _every(checks)


_is_number = _TYPES["number"]
_BOUNDS = (
    ("minimum", operator.ge),
    ("maximum", operator.le),
    ("exclusiveMinimum", operator.gt),
    ("exclusiveMaximum", operator.lt),
)


def _bounded(test: Callable[[Any, Any], bool], bound: Any, value: Any) -> bool:
    return not _is_number(value) or test(value, bound)


def _multiple_of(step: Any, value: Any) -> bool:
    return not _is_number(value) or _multiple(value, step)


def _length(test: Callable[[int, Any], bool], bound: Any, value: Any) -> bool:
    return not isinstance(value, str) or test(len(value), bound)


def _every(checks: list[Callable[[Any], bool]]) -> Callable[[Any], bool]:
    if len(checks) == 1:
        return checks[0]

    def check(value: Any) -> bool:
        for one in checks:  # noqa: SIM110 - a plain loop: this runs per extension value
            if not one(value):
                return False
        return True

    return check


def _multiple(value: float, step: float) -> bool:
    # Exactly as jsonschema decides draft-07 multipleOf.
    if isinstance(step, float):
        quotient = value / step
        try:
            return int(quotient) == quotient
        except OverflowError:
            return (Fraction(value) / Fraction(step)).denominator == 1
    return not value % step
