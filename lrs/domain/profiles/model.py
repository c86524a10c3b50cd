"""A profile document parsed into what validation needs, with every JSONPath compiled once.

:func:`parse_profile` expects a document that passed :func:`lrs.domain.profiles.checks.
check_profile` without errors; it raises :class:`ProfileError` on anything it
cannot use (a bad JSONPath, a pattern that does not resolve).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lrs.domain.profiles.jsonpath import CompiledPath, PathError, compile_path

PATTERN_KINDS = ("sequence", "alternates", "optional", "oneOrMore", "zeroOrMore")
# Template property -> where the statement carries the activity types it lists.
CONTEXT_TYPE_PROPERTIES = {
    "contextGroupingActivityType": "grouping",
    "contextParentActivityType": "parent",
    "contextOtherActivityType": "other",
    "contextCategoryActivityType": "category",
}
SUBREGISTRATION = "https://w3id.org/xapi/profiles/extensions/subregistration"


class ProfileError(ValueError):
    """A profile that cannot be used for validation; ``path`` names the place in the document."""

    def __init__(self, message: str, path: str = "$") -> None:
        super().__init__(f"{path}: {message}")
        self.message = message
        self.path = path


def json_key(value: Any) -> Any:
    """A hashable stand-in for a JSON value, equal exactly when the JSON values are equal.

    Booleans are kept apart from numbers (``True == 1`` in Python, not in JSON).
    """
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, (int, float)):
        return ("n", value)
    if isinstance(value, str):
        return ("s", value)
    if value is None:
        return ("z",)
    if isinstance(value, list):
        return ("l", tuple(json_key(v) for v in value))
    if isinstance(value, dict):
        return ("d", frozenset((k, json_key(v)) for k, v in value.items()))
    return ("?", repr(value))


@dataclass(frozen=True)
class Rule:
    index: int
    location: CompiledPath
    selector: CompiledPath | None
    presence: str | None
    any: frozenset | None
    all: frozenset | None
    none: frozenset | None
    raw: dict[str, Any]

    @property
    def name(self) -> str:
        return f"rules[{self.index}]"


@dataclass(frozen=True)
class Template:
    id: str
    verb: str | None = None
    object_activity_type: str | None = None
    # (contextActivities kind, required activity types)
    context_types: tuple[tuple[str, frozenset[str]], ...] = ()
    attachment_usage_types: frozenset[str] = frozenset()
    object_ref_templates: tuple[str, ...] = ()
    context_ref_templates: tuple[str, ...] = ()
    rules: tuple[Rule, ...] = ()
    # The rules that can fail: a "recommended" rule without any/all/none cannot.
    checked_rules: tuple[Rule, ...] = ()


@dataclass(frozen=True)
class Pattern:
    id: str
    kind: str
    members: tuple[str, ...]
    primary: bool = False


@dataclass
class Profile:
    """One loaded profile document: the profile's content as of ``version``."""

    id: str
    version: str
    versions: tuple[str, ...]
    pref_label: dict[str, str]
    document: dict[str, Any]
    templates: dict[str, Template] = field(default_factory=dict)
    patterns: dict[str, Pattern] = field(default_factory=dict)
    concepts: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Templates indexed by verb (None: templates without a verb), for fast matching.
    by_verb: dict[str | None, tuple[Template, ...]] = field(default_factory=dict)
    # Extension id -> where it may be used and its compiled inlineSchema (extensions.py).
    extension_rules: dict[str, Any] = field(default_factory=dict)

    @property
    def primary_patterns(self) -> list[Pattern]:
        return [p for p in self.patterns.values() if p.primary]

    def candidates(self, verb_id: str | None) -> tuple[Template, ...]:
        """Templates whose verb (if any) is ``verb_id``, in document order."""
        return self.by_verb.get(verb_id, ()) + self.by_verb.get(None, ())


def current_version(document: dict[str, Any]) -> str:
    """The newest entry of ``versions`` (latest ``generatedAtTime``; the first on ties)."""
    versions = [v for v in document.get("versions", []) if isinstance(v, dict) and "id" in v]
    if not versions:
        raise ProfileError("a profile needs at least one version", "$.versions")
    newest = versions[0]
    for v in versions[1:]:
        if str(v.get("generatedAtTime", "")) > str(newest.get("generatedAtTime", "")):
            newest = v
    return newest["id"]


def parse_profile(document: dict[str, Any]) -> Profile:
    """Build a :class:`Profile`; raise :class:`ProfileError` when it cannot be used."""
    if not isinstance(document, dict) or not isinstance(document.get("id"), str):
        raise ProfileError("a profile is a JSON object with an id")
    profile = Profile(
        id=document["id"],
        version=current_version(document),
        versions=tuple(v["id"] for v in document["versions"]),
        pref_label=dict(document.get("prefLabel") or {}),
        document=document,
    )
    for concept in document.get("concepts", []):
        profile.concepts[concept["id"]] = concept
    for i, raw in enumerate(document.get("templates", [])):
        template = _template(raw, f"$.templates[{i}]")
        profile.templates[template.id] = template
    for raw in document.get("patterns", []):
        kind = next((k for k in PATTERN_KINDS if k in raw), None)
        if kind is None:
            raise ProfileError(f"pattern {raw.get('id')} has none of {', '.join(PATTERN_KINDS)}")
        members = raw[kind] if isinstance(raw[kind], list) else [raw[kind]]
        profile.patterns[raw["id"]] = Pattern(
            raw["id"], kind, tuple(members), bool(raw.get("primary", False))
        )
    by_verb: dict[str | None, list[Template]] = {}
    for template in profile.templates.values():
        by_verb.setdefault(template.verb, []).append(template)
    profile.by_verb = {verb: tuple(items) for verb, items in by_verb.items()}
    # Imported here: extensions.py builds on this module.
    from lrs.domain.profiles.extensions import compile_extensions

    profile.extension_rules = compile_extensions(profile)
    return profile


def _template(raw: dict[str, Any], path: str) -> Template:
    context_types = tuple(
        (kind, frozenset(raw[prop]))
        for prop, kind in CONTEXT_TYPE_PROPERTIES.items()
        if prop in raw
    )
    rules = tuple(
        _rule(index, rule, f"{path}.rules[{index}]")
        for index, rule in enumerate(raw.get("rules", []))
    )
    return Template(
        id=raw["id"],
        verb=raw.get("verb"),
        object_activity_type=raw.get("objectActivityType"),
        context_types=context_types,
        attachment_usage_types=frozenset(raw.get("attachmentUsageType", ())),
        object_ref_templates=tuple(raw.get("objectStatementRefTemplate", ())),
        context_ref_templates=tuple(raw.get("contextStatementRefTemplate", ())),
        rules=rules,
        checked_rules=tuple(
            r for r in rules if r.presence != "recommended" or r.any or r.all or r.none
        ),
    )


def _rule(index: int, raw: dict[str, Any], path: str) -> Rule:
    try:
        location = compile_path(raw["location"])
    except PathError as exc:
        raise ProfileError(f"location {raw.get('location')!r}: {exc}", f"{path}.location") from exc
    selector = None
    if "selector" in raw:
        try:
            selector = compile_path(raw["selector"])
        except PathError as exc:
            raise ProfileError(f"selector {raw['selector']!r}: {exc}", f"{path}.selector") from exc

    def values(name: str) -> frozenset | None:
        return frozenset(json_key(v) for v in raw[name]) if name in raw else None

    return Rule(
        index=index,
        location=location,
        selector=selector,
        presence=raw.get("presence"),
        any=values("any"),
        all=values("all"),
        none=values("none"),
        raw=raw,
    )
