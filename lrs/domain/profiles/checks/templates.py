"""Checks of a profile's statement templates: Determining Properties and rules (Structure 8)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from lrs.domain.profiles.checks.document import WARNING, Problem, ProfileDoc, strings
from lrs.domain.profiles.jsonpath import NAME, PathError, compile_path

DETERMINING_CONCEPT_TYPES = {
    "verb": "Verb",
    "objectActivityType": "ActivityType",
    "contextGroupingActivityType": "ActivityType",
    "contextParentActivityType": "ActivityType",
    "contextOtherActivityType": "ActivityType",
    "contextCategoryActivityType": "ActivityType",
    "attachmentUsageType": "AttachmentUsageType",
}


def template_references(doc: ProfileDoc) -> Iterator[Problem]:
    """Determining Properties and StatementRef templates point at the right kind of thing.

    Verbs and activity types may be IRIs from any vocabulary (a template may use
    ADL's verbs without redefining them); if the IRI is a concept of this profile,
    it must be of the right type. StatementRef templates must be templates of this
    profile version (Structure 8.0).
    """
    for path, template in doc.items("templates"):
        for prop, kind in DETERMINING_CONCEPT_TYPES.items():
            values = template.get(prop)
            for i, iri in enumerate([values] if isinstance(values, str) else strings(values)):
                if (other := doc.other_type(iri, kind)) is not None:
                    where = f"{path}.{prop}" + ("" if isinstance(values, str) else f"[{i}]")
                    yield Problem(
                        where,
                        f"{iri} is a {other} of this profile, not a {kind}",
                        "template_references",
                    )
        for prop in ("objectStatementRefTemplate", "contextStatementRefTemplate"):
            for i, iri in enumerate(strings(template.get(prop))):
                if iri not in doc.templates:
                    yield Problem(
                        f"{path}.{prop}[{i}]",
                        f"{iri} is not a template of this profile",
                        "template_references",
                    )


def rule_paths(doc: ProfileDoc) -> Iterator[Problem]:
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


def _extension_keys(doc: ProfileDoc, alternatives: tuple, path: str) -> Iterator[Problem]:
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
            if key not in doc.concepts:
                if not (profile_id and key.startswith(profile_id)):
                    continue
                message = f"extension {key} is not a concept of this profile"
            elif (other := doc.other_type(key, wanted)) is not None:
                message = f"extension {key} is a {other}, used where a {wanted} goes"
            else:
                continue
            yield Problem(f"{path}.location", message, "rule_paths", WARNING)


def determining_overlap(doc: ProfileDoc) -> Iterator[Problem]:
    """Templates with identical Determining Properties (the video profile's clash)."""
    groups: dict[tuple, list[str]] = {}
    for path, template in doc.items("templates"):
        key = tuple(
            (prop, json.dumps(template.get(prop), sort_keys=True))
            for prop in DETERMINING_CONCEPT_TYPES
        )
        groups.setdefault(key, []).append(path)
    for paths in groups.values():
        if len(paths) < 2:
            continue
        ids = [doc.at(p).get("id") for p in paths]
        differ = [p for p in paths[1:] if doc.at(p).get("rules") != doc.at(paths[0]).get("rules")]
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
