"""Checks of a profile document as a whole: its schema, empty values, context, ids, versions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from lrs.domain.profiles.checks.document import WARNING, Problem, ProfileDoc, member
from lrs.domain.profiles.model import PATTERN_KINDS

if TYPE_CHECKING:  # imported on first use: `lrs --help` and `import lrs.app` skip it
    from jsonschema import Draft202012Validator

PROFILES_SPEC = "https://w3id.org/xapi/profiles#1.0"
PROFILE_CONTEXT = "https://w3id.org/xapi/profiles/context"


@cache
def profile_schema() -> dict[str, Any]:
    text = resources.files("lrs.domain.profiles").joinpath("schema.json").read_text("utf-8")
    return json.loads(text)


@cache
def _validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(profile_schema())


def json_schema(doc: ProfileDoc) -> Iterator[Problem]:
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


def no_empty_values(doc: ProfileDoc) -> Iterator[Problem]:
    """Structure 4.0: values must not be empty objects, null, empty strings or empty arrays."""

    def walk(value: Any, path: str) -> Iterator[Problem]:
        if value is None or value == "" or value == [] or value == {}:
            yield Problem(path, f"empty value {json.dumps(value)}", "no_empty_values")
        elif isinstance(value, dict):
            for key, item in value.items():
                yield from walk(item, f"{path}{member(key)}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                yield from walk(item, f"{path}[{i}]")

    yield from walk(doc.raw, "$")


def context_and_conformance(doc: ProfileDoc) -> Iterator[Problem]:
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


def unique_ids(doc: ProfileDoc) -> Iterator[Problem]:
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


def versions(doc: ProfileDoc) -> Iterator[Problem]:
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
