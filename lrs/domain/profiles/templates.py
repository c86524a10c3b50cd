"""Statement Template validation (xAPI Profiles, Communication 2.1).

Two modes:

``spec``
    The spec's ``validates``: a statement is invalid when *any* template whose
    Determining Properties it matches breaks a rule, and a rule without
    ``presence`` is strict (``any``/``all`` fail on a missing value). ADL's own
    video profile cannot be followed under it (three templates share the
    Determining Properties of every ``interacted`` statement but require
    different extensions).
``any-template``
    The reading Yet Analytics' validator takes: a statement is valid when
    *some* matching template passes, and a rule without ``presence`` is
    treated as ``recommended`` (checked only where values are present).

Everything here is pure and per statement; a statement is a dict in the
stored form (single ``contextActivities`` already turned into arrays).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lrs.domain.profiles.model import Profile, Rule, Template, json_key

SPEC = "spec"
ANY_TEMPLATE = "any-template"
MODES = (SPEC, ANY_TEMPLATE)

# Looks a referenced statement up by id (for objectStatementRefTemplate and
# contextStatementRefTemplate); None when it is not available.
StatementLookup = Callable[[str], dict[str, Any] | None]

_UNMATCHABLE = object()
_REF_DEPTH = 3


@dataclass(frozen=True)
class RuleFailure:
    """One requirement a statement breaks: a template's rule, or an extension's definition."""

    subject_id: str  # the template (or, for extensionType/inlineSchema, the extension) id
    rule: str  # "rules[2]", "objectStatementRefTemplate", …
    location: str
    message: str


@dataclass
class TemplateOutcome:
    """The result of validating one statement against one profile's templates."""

    matched: list[str] = field(default_factory=list)  # Determining Properties match
    passed: list[str] = field(default_factory=list)  # … and every rule is followed
    failures: list[RuleFailure] = field(default_factory=list)
    valid: bool = True

    @property
    def unmatched(self) -> bool:
        return not self.matched

    @property
    def pattern_templates(self) -> list[str]:
        """The templates this statement counts as for pattern matching."""
        return self.passed if self.valid else []


def validate(
    statement: dict[str, Any],
    profile: Profile,
    mode: str = ANY_TEMPLATE,
    lookup: StatementLookup | None = None,
    _depth: int = 0,
) -> TemplateOutcome:
    """Validate ``statement`` against every template of ``profile``."""
    outcome = TemplateOutcome()
    verb = statement.get("verb")
    verb_id = verb.get("id") if isinstance(verb, dict) else None
    strict = mode == SPEC
    for template in profile.candidates(verb_id):
        if not matches_determining_properties(statement, template):
            continue
        outcome.matched.append(template.id)
        failures = follows_rules(statement, template, profile, mode, lookup, _depth, strict)
        if failures:
            outcome.failures.extend(failures)
        else:
            outcome.passed.append(template.id)
    if strict:
        outcome.valid = not outcome.failures
    else:
        outcome.valid = bool(outcome.passed) or not outcome.matched
    return outcome


def matches_determining_properties(statement: dict[str, Any], template: Template) -> bool:
    if template.verb is not None:
        verb = statement.get("verb")
        if not isinstance(verb, dict) or verb.get("id") != template.verb:
            return False
    if template.object_activity_type is not None:
        obj = statement.get("object")
        if not isinstance(obj, dict) or obj.get("objectType", "Activity") != "Activity":
            return False
        definition = obj.get("definition")
        if not isinstance(definition, dict) or definition.get("type") != (
            template.object_activity_type
        ):
            return False
    if template.context_types:
        context = statement.get("context")
        activities = context.get("contextActivities") if isinstance(context, dict) else None
        if not isinstance(activities, dict):
            return False
        for kind, required in template.context_types:
            if not required <= _activity_types(activities.get(kind)):
                return False
    if template.attachment_usage_types:
        attachments = statement.get("attachments")
        usage = {a.get("usageType") for a in attachments or () if isinstance(a, dict)}
        if not template.attachment_usage_types <= usage:
            return False
    return True


def _activity_types(activities: Any) -> set[str]:
    if isinstance(activities, dict):
        activities = [activities]
    if not isinstance(activities, list):
        return set()
    found = set()
    for activity in activities:
        if isinstance(activity, dict):
            definition = activity.get("definition")
            if isinstance(definition, dict) and isinstance(definition.get("type"), str):
                found.add(definition["type"])
    return found


def follows_rules(
    statement: dict[str, Any],
    template: Template,
    profile: Profile,
    mode: str = ANY_TEMPLATE,
    lookup: StatementLookup | None = None,
    depth: int = 0,
    strict: bool | None = None,
) -> list[RuleFailure]:
    """Every requirement of ``template`` that ``statement`` breaks (empty: it follows them)."""
    strict = mode == SPEC if strict is None else strict
    failures = []
    refs = (
        ("objectStatementRefTemplate", template.object_ref_templates, "$.object"),
        ("contextStatementRefTemplate", template.context_ref_templates, "$.context.statement"),
    )
    for name, wanted, location in refs:
        if not wanted:
            continue
        problem = _check_ref(statement, name, wanted, profile, mode, lookup, depth)
        if problem:
            failures.append(RuleFailure(template.id, name, location, problem))
    for rule in template.checked_rules:
        problem = follows_rule(statement, rule, strict)
        if problem:
            failures.append(RuleFailure(template.id, rule.name, rule.location.text, problem))
    return failures


def _check_ref(
    statement: dict[str, Any],
    name: str,
    wanted: tuple[str, ...],
    profile: Profile,
    mode: str,
    lookup: StatementLookup | None,
    depth: int,
) -> str | None:
    if name == "objectStatementRefTemplate":
        ref = statement.get("object")
        where = "the object"
    else:
        context = statement.get("context")
        ref = context.get("statement") if isinstance(context, dict) else None
        where = "context.statement"
    if not isinstance(ref, dict) or ref.get("objectType") != "StatementRef":
        return f"{where} must be a StatementRef to a statement of template {_list(wanted)}"
    if lookup is None or depth >= _REF_DEPTH:
        return None
    target = lookup(str(ref.get("id", "")).lower())
    if target is None:
        return None  # not available to the checking system: nothing to compare
    matched = validate(target, profile, mode, lookup, depth + 1).pattern_templates
    if not set(matched) & set(wanted):
        return (
            f"{where} refers to statement {ref.get('id')}, which matches "
            f"{_list(matched) if matched else 'no template'}, not {_list(wanted)}"
        )
    return None


def follows_rule(statement: dict[str, Any], rule: Rule, strict: bool = True) -> str | None:
    """Why ``statement`` breaks ``rule`` (None if it follows it): Communication 2.1 follows_rule.

    ``strict`` is the spec's reading of a rule without ``presence``; with
    ``strict=False`` such a rule is treated as ``recommended``.
    """
    values = rule.location.find(statement)
    if rule.selector is not None:
        return _follows_selected(values, rule, strict)
    presence = rule.presence
    if presence == "included":
        if not values:
            return 'no value found, but presence is "included"'
    elif presence == "excluded":
        if values:
            return f'found {_show(values)}, but presence is "excluded"'
    elif not values and (presence == "recommended" or not strict):
        # The spec checks any/all/none even on no values unless presence is
        # "recommended"; any-template mode reads a missing presence as "recommended".
        return None
    if rule.any is None and rule.all is None and rule.none is None:
        return None
    return _check_values(rule, values, False)


def _follows_selected(values: list[Any], rule: Rule, strict: bool) -> str | None:
    selected: list[Any] = []
    for value in values:
        found = rule.selector.find(value)  # type: ignore[union-attr]
        if found:
            selected.extend(found)
        else:
            selected.append(_UNMATCHABLE)
    missing = sum(v is _UNMATCHABLE for v in selected)
    matchable = [v for v in selected if v is not _UNMATCHABLE]
    presence = rule.presence
    if presence == "included":
        if not selected:
            return 'no value found, but presence is "included"'
        if missing:
            return (
                f"the selector found nothing in {missing} of {len(selected)} values, "
                'but presence is "included"'
            )
    elif presence == "excluded":
        if matchable:
            return f'found {_show(matchable)}, but presence is "excluded"'
    elif not selected and (presence == "recommended" or not strict):
        return None
    return _check_values(rule, selected, bool(missing))


def _check_values(rule: Rule, values: list[Any], unmatchable: bool) -> str | None:
    matchable = [v for v in values if v is not _UNMATCHABLE] if unmatchable else values
    if rule.any is not None and not any(json_key(v) in rule.any for v in matchable):
        found = _show(matchable) if matchable else "no value"
        return f"found {found}, but none of them is in any {_show(rule.raw['any'])}"
    if rule.all is not None:
        if unmatchable:
            return "the selector found nothing in some value, but all values must be from all"
        for value in values:
            if json_key(value) not in rule.all:
                return f"found {_show([value])}, which is not in all {_show(rule.raw['all'])}"
    if rule.none is not None:
        for value in matchable:
            if json_key(value) in rule.none:
                return f"found {_show([value])}, which is in none {_show(rule.raw['none'])}"
    return None


def _show(values: list[Any], limit: int = 120) -> str:
    text = json.dumps(values if len(values) != 1 else values[0], ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _list(ids: list[str] | tuple[str, ...]) -> str:
    return ", ".join(ids)
