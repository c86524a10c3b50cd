"""Checks of a profile's concepts: their relations and inline JSON Schemas (Structure 7)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from lrs.domain.profiles.checks.document import WARNING, Problem, ProfileDoc, strings


def concept_relations(doc: ProfileDoc) -> Iterator[Problem]:
    """broader/narrower/related name same-type concepts of this profile (Structure 7.1)."""
    for path, concept in doc.items("concepts"):
        kind = concept.get("type")
        for prop in ("broader", "narrower", "related"):
            for i, iri in enumerate(strings(concept.get(prop))):
                where = f"{path}.{prop}[{i}]"
                if iri not in doc.concepts:
                    yield Problem(
                        where,
                        f"{iri} is not a concept of this profile ({prop} must be; "
                        f"use {prop.replace('er', '')}Match for other profiles)"
                        if prop != "related"
                        else f"{iri} is not a concept of this profile (use relatedMatch)",
                        "concept_relations",
                    )
                elif (other := doc.other_type(iri, kind)) is not None:
                    yield Problem(where, f"{iri} is a {other}, not a {kind}", "concept_relations")
        if concept.get("related") and not concept.get("deprecated"):
            yield Problem(
                f"{path}.related",
                "related may only be used on deprecated concepts",
                "concept_relations",
            )
        for prop in ("broadMatch", "narrowMatch"):
            for i, iri in enumerate(strings(concept.get(prop))):
                if iri in doc.concepts:
                    yield Problem(
                        f"{path}.{prop}[{i}]",
                        f"{iri} is in this profile: use {prop.replace('Match', 'er')}",
                        "concept_relations",
                        WARNING,
                    )


def inline_schemas(doc: ProfileDoc) -> Iterator[Problem]:
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
