"""Checking a profile document: ``schema.json`` for its structure, named checks for the rest.

Each check is a small function that yields :class:`Problem` s; ``CHECKS``
lists them in the order they run, one module per part of the document they
check: ``structure`` (schema, empty values, context, ids, versions),
``concepts``, ``templates`` (Determining Properties, rule paths) and
``patterns``. A problem is an ``error`` when the document breaks a MUST of
xAPI Profiles 1.0 (Structure) or cannot be used for validation, and a
``warning`` when it is legal but likely not what the author meant (such as
templates whose Determining Properties coincide, which makes the spec's own
validation algorithm fail statements that follow one of them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from lrs.domain.profiles.checks.concepts import concept_relations, inline_schemas
from lrs.domain.profiles.checks.document import ERROR, WARNING, Problem, ProfileDoc
from lrs.domain.profiles.checks.patterns import pattern_automata, patterns
from lrs.domain.profiles.checks.structure import (
    context_and_conformance,
    json_schema,
    no_empty_values,
    unique_ids,
    versions,
)
from lrs.domain.profiles.checks.templates import (
    determining_overlap,
    rule_paths,
    template_references,
)

__all__ = ["CHECKS", "ERROR", "WARNING", "Problem", "blocking", "check_profile", "errors_of"]

CHECKS: tuple[Callable[[ProfileDoc], Iterator[Problem]], ...] = (
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


def check_profile(document: Any, external: Mapping[str, str] | None = None) -> list[Problem]:
    """Every problem found in ``document``; errors first within each check's order."""
    if not isinstance(document, dict):
        return [Problem("$", "a profile document is a JSON object", "json_schema")]
    doc = ProfileDoc.index(document, external or {})
    return [problem for check in CHECKS for problem in check(doc)]


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
