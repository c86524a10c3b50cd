"""Checking a profile document: ``schema.json`` for its structure, named checks for the rest.

Each check is a small function that yields :class:`Problem` s; ``CHECKS``
lists them in the order they run. A problem is an ``error`` when the document
breaks a MUST of xAPI Profiles 1.0 (Structure) or cannot be used for
validation, and a ``warning`` when it is legal but likely not what the author
meant (such as templates whose Determining Properties coincide, which makes
the spec's own validation algorithm fail statements that follow one of them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from lrs.domain.profiles.jsonpath import NAME, PathError, compile_path
from lrs.domain.profiles.model import PATTERN_KINDS, Pattern
from lrs.domain.profiles.patterns import PatternError, build_tree, compile_tree

if TYPE_CHECKING:  # imported on first use: `lrs --help` and `import lrs.app` skip it
    from jsonschema import Draft202012Validator

ERROR, WARNING = "error", "warning"
PROFILES_SPEC = "https://w3id.org/xapi/profiles#1.0"
PROFILE_CONTEXT = "https://w3id.org/xapi/profiles/context"


@dataclass(frozen=True)
class Problem:
    path: str  # JSONPath into the profile document, e.g. $.templates[2].rules[0].location
    message: str
    check: str
    severity: str = ERROR

    def __str__(self) -> str:
        return f"{self.severity}: {self.path}: {self.message} [{self.check}]"


@cache
def profile_schema() -> dict[str, Any]:
    text = resources.files("lrs.domain.profiles").joinpath("schema.json").read_text("utf-8")
    return json.loads(text)


@cache
def _validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(profile_schema())


@dataclass
class _Doc:
    """The document with its parts indexed, shared by the checks."""

    raw: dict[str, Any]
    # Ids other loaded profiles provide: id -> "template" | "pattern" | concept type.
    external: Mapping[str, str]
    concepts: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    templates: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    patterns: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)

    def items(self, key: str) -> Iterator[tuple[str, dict[str, Any]]]:
        values = self.raw.get(key)
        if isinstance(values, list):
            for i, value in enumerate(values):
                if isinstance(value, dict):
                    yield f"$.{key}[{i}]", value


def check_profile(document: Any, external: Mapping[str, str] | None = None) -> list[Problem]:
    """Every problem found in ``document``; errors first within each check's order."""
    if not isinstance(document, dict):
        return [Problem("$", "a profile document is a JSON object", "json_schema")]
    doc = _Doc(document, external or {})
    for key, index in (
        ("concepts", doc.concepts),
        ("templates", doc.templates),
        ("patterns", doc.patterns),
    ):
        for path, item in doc.items(key):
            if isinstance(item.get("id"), str):
                index.setdefault(item["id"], (path, item))
    problems: list[Problem] = []
    for check in CHECKS:
        problems.extend(check(doc))
    return problems


def errors_of(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == ERROR]


# Errors that make statement validation unreliable: a profile with one of these
# is not loaded. Other errors (metadata, concept relations, version history)
# are reported by ``lrs profile check`` and logged, but do not stop loading.
_BLOCKING_CHECKS = {
    "unique_ids",
    "template_references",
    "rule_paths",
    "patterns",
    "pattern_automata",
}
_BLOCKING_SCHEMA_PATHS = ("$.templates", "$.patterns", "$.versions", "$.id")


def blocking(problems: list[Problem]) -> list[Problem]:
    """The errors that keep a profile from being loaded for validation."""
    return [
        p
        for p in errors_of(problems)
        if p.check in _BLOCKING_CHECKS
        or (
            p.check == "json_schema"
            and (p.path == "$" or p.path.startswith(_BLOCKING_SCHEMA_PATHS))
        )
    ]


# ---------------------------------------------------------------- the checks


def json_schema(doc: _Doc) -> Iterator[Problem]:
    """The structure: required properties, types, enumerations (schema.json)."""
    for error in sorted(_validator().iter_errors(doc.raw), key=lambda e: e.json_path):
        yield Problem(error.json_path, _schema_message(error), "json_schema")


def _schema_message(error: Any) -> str:
    if error.validator == "oneOf" and "sequence" in str(error.schema):
        return "a pattern must have exactly one of " + ", ".join(PATTERN_KINDS)
    if error.validator == "anyOf" and "presence" in str(error.schema):
        return "a rule must have at least one of presence, any, all, none"
    if error.validator == "not" and "objectStatementRefTemplate" in str(error.validator_value):
        return "a template must not have both objectStatementRefTemplate and objectActivityType"
    if error.validator == "not" and "inlineSchema" in str(error.validator_value):
        return "use at most one of schema and inlineSchema"
    if error.validator == "not" and "recommended" in str(error.validator_value):
        return (
            "recommendedVerbs is only for Context/ResultExtensions, "
            "recommendedActivityTypes only for ActivityExtensions"
        )
    if error.validator == "additionalProperties":
        return error.message + " (other properties must be compact or absolute IRIs)"
    if error.validator == "pattern" and isinstance(error.instance, str):
        if error.validator_value == profile_schema()["$defs"]["iri"]["pattern"]:
            return f"{error.instance!r} is not an absolute IRI"
        return f"{error.instance!r} does not have the required form"
    return error.message


def no_empty_values(doc: _Doc) -> Iterator[Problem]:
    """Structure 4.0: values must not be empty objects, null, empty strings or empty arrays."""

    def walk(value: Any, path: str) -> Iterator[Problem]:
        if value is None or value == "" or value == [] or value == {}:
            yield Problem(path, f"empty value {json.dumps(value)}", "no_empty_values")
        elif isinstance(value, dict):
            for key, item in value.items():
                yield from walk(item, f"{path}{_member(key)}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                yield from walk(item, f"{path}[{i}]")

    yield from walk(doc.raw, "$")


def context_and_conformance(doc: _Doc) -> Iterator[Problem]:
    """@context should be the profiles context; conformsTo names the spec version."""
    context = doc.raw.get("@context")
    if isinstance(context, str) and context != PROFILE_CONTEXT:
        yield Problem(
            "$['@context']", f"should be {PROFILE_CONTEXT}", "context_and_conformance", WARNING
        )
    conforms = doc.raw.get("conformsTo")
    if isinstance(conforms, str) and conforms != PROFILES_SPEC:
        yield Problem(
            "$.conformsTo",
            f"{conforms} is not {PROFILES_SPEC}, the version this validator implements",
            "context_and_conformance",
            WARNING,
        )


def unique_ids(doc: _Doc) -> Iterator[Problem]:
    """The profile, its versions, concepts, templates and patterns all have distinct ids."""
    seen: dict[str, str] = {}
    entries = [("$.id", doc.raw.get("id"))]
    entries += [(f"{p}.id", v.get("id")) for p, v in doc.items("versions")]
    for key in ("concepts", "templates", "patterns"):
        entries += [(f"{p}.id", v.get("id")) for p, v in doc.items(key)]
    for path, value in entries:
        if not isinstance(value, str):
            continue
        if value in seen:
            yield Problem(path, f"id {value} is already used at {seen[value]}", "unique_ids")
        else:
            seen[value] = path


def versions(doc: _Doc) -> Iterator[Problem]:
    """Version ids differ from the profile id; wasRevisionOf names versions; inScheme is one."""
    profile_id = doc.raw.get("id")
    items = list(doc.items("versions"))
    ids = {v.get("id") for _, v in items}
    stamps = sorted(str(v.get("generatedAtTime", "")) for _, v in items)
    for path, version in items:
        revision_of = version.get("wasRevisionOf") or []
        for i, iri in enumerate(revision_of if isinstance(revision_of, list) else []):
            where = f"{path}.wasRevisionOf[{i}]"
            if iri == profile_id:
                yield Problem(
                    where,
                    f"{iri} is the profile's own id, not a version of it",
                    "versions",
                )
            elif iri == version.get("id"):
                yield Problem(where, "a version cannot be a revision of itself", "versions")
            elif iri not in ids:
                yield Problem(
                    where,
                    f"{iri} is not among this profile's versions (fine if it is another profile's)",
                    "versions",
                    WARNING,
                )
        if (
            len(items) > 1
            and not revision_of
            and str(version.get("generatedAtTime", "")) != stamps[0]
        ):
            yield Problem(
                path,
                "every version after the first must name what it revises (wasRevisionOf)",
                "versions",
            )
    for key in ("concepts", "templates", "patterns"):
        for path, item in doc.items(key):
            scheme = item.get("inScheme")
            if isinstance(scheme, str) and scheme not in ids:
                yield Problem(
                    f"{path}.inScheme",
                    f"{scheme} is not a version of this profile",
                    "versions",
                )


def concept_relations(doc: _Doc) -> Iterator[Problem]:
    """broader/narrower/related name same-type concepts of this profile (Structure 7.1)."""
    for path, concept in doc.items("concepts"):
        kind = concept.get("type")
        for prop in ("broader", "narrower", "related"):
            for i, iri in enumerate(_strings(concept.get(prop))):
                target = doc.concepts.get(iri)
                where = f"{path}.{prop}[{i}]"
                if target is None:
                    yield Problem(
                        where,
                        f"{iri} is not a concept of this profile ({prop} must be; "
                        f"use {prop.replace('er', '')}Match for other profiles)"
                        if prop != "related"
                        else f"{iri} is not a concept of this profile (use relatedMatch)",
                        "concept_relations",
                    )
                elif target[1].get("type") != kind:
                    yield Problem(
                        where,
                        f"{iri} is a {target[1].get('type')}, not a {kind}",
                        "concept_relations",
                    )
        if concept.get("related") and not concept.get("deprecated"):
            yield Problem(
                f"{path}.related",
                "related may only be used on deprecated concepts",
                "concept_relations",
            )
        for prop in ("broadMatch", "narrowMatch"):
            for i, iri in enumerate(_strings(concept.get(prop))):
                if iri in doc.concepts:
                    yield Problem(
                        f"{path}.{prop}[{i}]",
                        f"{iri} is in this profile: use {prop.replace('Match', 'er')}",
                        "concept_relations",
                        WARNING,
                    )


def inline_schemas(doc: _Doc) -> Iterator[Problem]:
    """An inlineSchema is a JSON Schema (Draft-07) written as a string."""
    from jsonschema import Draft7Validator
    from jsonschema.exceptions import SchemaError

    for path, concept in doc.items("concepts"):
        raw = concept.get("inlineSchema")
        if raw is None:
            continue
        try:
            schema = json.loads(raw) if isinstance(raw, str) else raw
            Draft7Validator.check_schema(schema)
        except ValueError as exc:
            yield Problem(f"{path}.inlineSchema", f"not JSON: {exc}", "inline_schemas")
        except SchemaError as exc:
            yield Problem(
                f"{path}.inlineSchema", f"not a JSON Schema: {exc.message}", "inline_schemas"
            )


_DETERMINING_CONCEPT_TYPES = {
    "verb": "Verb",
    "objectActivityType": "ActivityType",
    "contextGroupingActivityType": "ActivityType",
    "contextParentActivityType": "ActivityType",
    "contextOtherActivityType": "ActivityType",
    "contextCategoryActivityType": "ActivityType",
    "attachmentUsageType": "AttachmentUsageType",
}


def template_references(doc: _Doc) -> Iterator[Problem]:
    """Determining Properties and StatementRef templates point at the right kind of thing.

    Verbs and activity types may be IRIs from any vocabulary (a template may use
    ADL's verbs without redefining them); if the IRI is a concept of this profile,
    it must be of the right type. StatementRef templates must be templates of this
    profile version (Structure 8.0).
    """
    for path, template in doc.items("templates"):
        for prop, kind in _DETERMINING_CONCEPT_TYPES.items():
            values = template.get(prop)
            for i, iri in enumerate([values] if isinstance(values, str) else _strings(values)):
                concept = doc.concepts.get(iri)
                if concept is not None and concept[1].get("type") != kind:
                    where = f"{path}.{prop}" + ("" if isinstance(values, str) else f"[{i}]")
                    yield Problem(
                        where,
                        f"{iri} is a {concept[1].get('type')} of this profile, not a {kind}",
                        "template_references",
                    )
        for prop in ("objectStatementRefTemplate", "contextStatementRefTemplate"):
            for i, iri in enumerate(_strings(template.get(prop))):
                if iri not in doc.templates:
                    yield Problem(
                        f"{path}.{prop}[{i}]",
                        f"{iri} is not a template of this profile",
                        "template_references",
                    )


def rule_paths(doc: _Doc) -> Iterator[Problem]:
    """Rule locations and selectors parse and keep to the Profiles JSONPath dialect."""
    for path, template in doc.items("templates"):
        rules = template.get("rules")
        for i, rule in enumerate(rules if isinstance(rules, list) else []):
            if not isinstance(rule, dict):
                continue
            for prop in ("location", "selector"):
                text = rule.get(prop)
                if not isinstance(text, str):
                    continue
                try:
                    compiled = compile_path(text)
                except PathError as exc:
                    yield Problem(f"{path}.rules[{i}].{prop}", f"{text!r}: {exc}", "rule_paths")
                    continue
                if prop == "location":
                    yield from _extension_keys(doc, compiled.alternatives, f"{path}.rules[{i}]")
            if rule.get("presence") == "excluded" and ("any" in rule or "all" in rule):
                yield Problem(
                    f"{path}.rules[{i}]",
                    'presence "excluded" with any/all can never be satisfied',
                    "rule_paths",
                    WARNING,
                )


_EXTENSION_PLACES: dict[tuple[str | None, str | None], str] = {
    ("context", "extensions"): "ContextExtension",
    ("result", "extensions"): "ResultExtension",
}


def _extension_keys(doc: _Doc, alternatives: tuple, path: str) -> Iterator[Problem]:
    """An extension named in a location should be a concept of the right type.

    Only keys under the profile's own IRI are checked: extensions of other
    vocabularies are legitimately used by IRI.
    """
    profile_id = str(doc.raw.get("id", ""))
    for steps in alternatives:
        names: list[str | None] = [
            s[0][1] if len(s) == 1 and s[0][0] == NAME else None for s in steps
        ]
        for j in range(len(names) - 2):
            place = (names[j], names[j + 1])
            key = names[j + 2]
            if key is None or not (place in _EXTENSION_PLACES or place[1] == "extensions"):
                continue
            wanted = _EXTENSION_PLACES.get(place, "ActivityExtension")
            concept = doc.concepts.get(key)
            if concept is None:
                if profile_id and key.startswith(profile_id):
                    yield Problem(
                        f"{path}.location",
                        f"extension {key} is not a concept of this profile",
                        "rule_paths",
                        WARNING,
                    )
            elif concept[1].get("type") != wanted:
                yield Problem(
                    f"{path}.location",
                    f"extension {key} is a {concept[1].get('type')}, used where a {wanted} goes",
                    "rule_paths",
                    WARNING,
                )


def determining_overlap(doc: _Doc) -> Iterator[Problem]:
    """Templates with identical Determining Properties (the video profile's clash)."""
    groups: dict[tuple, list[str]] = {}
    for path, template in doc.items("templates"):
        key = tuple(
            (prop, json.dumps(template.get(prop), sort_keys=True))
            for prop in _DETERMINING_CONCEPT_TYPES
        )
        groups.setdefault(key, []).append(path)
    for paths in groups.values():
        if len(paths) < 2:
            continue
        ids = [_at(doc, p).get("id") for p in paths]
        differ = [
            p for p in paths[1:] if _at(doc, p).get("rules") != _at(doc, paths[0]).get("rules")
        ]
        if differ:
            yield Problem(
                paths[0],
                "templates "
                + ", ".join(map(str, ids))
                + " share Determining Properties but differ in rules: under the spec's "
                "algorithm a statement matching them must follow all of their rules",
                "determining_overlap",
                WARNING,
            )


def patterns(doc: _Doc) -> Iterator[Problem]:
    """Pattern members resolve; alternates and sequence have the members the spec requires."""
    used: dict[str, list[str]] = {}
    for path, pattern in doc.items("patterns"):
        for kind in PATTERN_KINDS:
            if kind not in pattern:
                continue
            members = pattern[kind] if isinstance(pattern[kind], list) else [pattern[kind]]
            for i, member in enumerate(members):
                if not isinstance(member, str):
                    continue
                used.setdefault(member, []).append(pattern.get("id", path))
                where = f"{path}.{kind}" + (f"[{i}]" if isinstance(pattern[kind], list) else "")
                if member not in doc.templates and member not in doc.patterns:
                    if doc.external.get(member) in ("template", "pattern"):
                        continue
                    yield Problem(
                        where,
                        f"{member} is neither a template nor a pattern of this profile "
                        "(nor of another loaded profile)",
                        "patterns",
                    )
                elif kind == "alternates" and member in doc.patterns:
                    inner = doc.patterns[member][1]
                    bad = [k for k in ("optional", "zeroOrMore") if k in inner]
                    if bad:
                        yield Problem(
                            where,
                            f"{member} is a {bad[0]} pattern: alternates must not contain "
                            "optional or zeroOrMore directly",
                            "patterns",
                        )
    for path, pattern in doc.items("patterns"):
        sequence = pattern.get("sequence")
        if isinstance(sequence, list) and len(sequence) == 1:
            ok = (
                pattern.get("primary") is True
                and pattern.get("id") not in used
                and sequence[0] in doc.templates
            )
            if not ok:
                yield Problem(
                    f"{path}.sequence",
                    "a sequence needs at least two members, unless it is a primary pattern "
                    "used nowhere else whose single member is a template",
                    "patterns",
                )
        if not pattern.get("primary") and pattern.get("id") not in used:
            yield Problem(
                path,
                f"pattern {pattern.get('id')} is neither primary nor used by another pattern",
                "patterns",
                WARNING,
            )
    if doc.patterns and not any(p.get("primary") is True for _, p in doc.patterns.values()):
        yield Problem(
            "$.patterns", "there are patterns but none is primary, so none is checked", "patterns"
        )


def pattern_automata(doc: _Doc) -> Iterator[Problem]:
    """No pattern contains itself at any depth; every primary pattern compiles to an automaton."""

    def find(pid: str) -> Pattern | None:
        entry = doc.patterns.get(pid)
        if entry is None:
            return None
        raw = entry[1]
        kind = next((k for k in PATTERN_KINDS if k in raw), None)
        if kind is None:
            return None
        members = raw[kind] if isinstance(raw[kind], list) else [raw[kind]]
        return Pattern(pid, kind, tuple(m for m in members if isinstance(m, str)))

    def is_template(tid: str) -> bool:
        return tid in doc.templates or doc.external.get(tid) == "template"

    reported: set[frozenset[str]] = set()
    for pid, (path, raw) in doc.patterns.items():
        if find(pid) is None:
            continue
        try:
            tree = build_tree(pid, find, is_template)
        except PatternError as exc:
            if exc.cycle and frozenset(exc.cycle) not in reported:
                reported.add(frozenset(exc.cycle))
                yield Problem(path, str(exc), "pattern_automata")
            continue
        if raw.get("primary") is True:
            dfa = compile_tree(pid, tree)
            if not dfa.accepting:
                yield Problem(path, "the pattern can never be completed", "pattern_automata")


CHECKS: tuple[Callable[[_Doc], Iterator[Problem]], ...] = (
    json_schema,
    no_empty_values,
    context_and_conformance,
    unique_ids,
    versions,
    concept_relations,
    inline_schemas,
    template_references,
    rule_paths,
    determining_overlap,
    patterns,
    pattern_automata,
)


# ---------------------------------------------------------------- helpers

_SIMPLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _member(key: str) -> str:
    return f".{key}" if _SIMPLE_NAME.match(key) else f"[{json.dumps(key, ensure_ascii=False)}]"


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _at(doc: _Doc, path: str) -> dict[str, Any]:
    key, index = path[2:].split("[")
    return doc.raw[key][int(index.rstrip("]"))]
