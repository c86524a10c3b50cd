"""Checking a batch of statements against the loaded profiles: templates, then patterns.

Shared by the ingest hook (states in the store) and ``lrs profile validate``
(states in memory). Each statement is checked against the profiles it
declares (category context activity = profile id or a version id) and, when
the policy says so, the default profile.

Pattern state is kept per (profile's primary patterns, registration,
subregistration) as the set of DFA states the statements so far can have
reached, in one row: the profile's primary patterns are one automaton. Within a
batch statements are taken in timestamp order, array order on ties
(Communication 2.2). A statement that cannot continue any primary pattern of
its profile is a violation; the registration is then marked failed and the
statement is left out of the match state, so later statements are still
judged from where the registration stood. A registration whose statements
are valid so far but not yet an accepted sequence is *incomplete*: the spec
judges a pattern when the registration is complete, which the LRS cannot
know, so incompleteness is reported, never refused.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from lrs.domain.profiles.extensions import extension_failures
from lrs.domain.profiles.model import SUBREGISTRATION, Profile
from lrs.domain.profiles.patterns import DFA
from lrs.domain.profiles.registry import ProfileRegistry
from lrs.domain.profiles.semantics import semantic_failures
from lrs.domain.profiles.templates import (
    RuleFailure,
    StatementLookup,
    TemplateOutcome,
    validate,
)
from lrs.storage.port import PatternState
from lrs.timeutil import utcnow

COMPLETE, INCOMPLETE, FAILED = "complete", "incomplete", "failed"


TEMPLATE, CONCEPT, PATTERN, PROFILE = "template", "concept", "pattern", "profile"
# What a rule name says about the kind of subject it belongs to.
_RULE_KINDS = {
    "pattern": PATTERN,
    "subregistration": PROFILE,
    "inlineSchema": CONCEPT,
    "extensionType": CONCEPT,
    "semantic": CONCEPT,
}


def kind_of(rule: str) -> str:
    """``template``, ``concept`` (an extension), ``pattern`` or ``profile``."""
    return _RULE_KINDS.get(rule, TEMPLATE)


@dataclass(frozen=True)
class Finding:
    """One profile rule a statement breaks."""

    index: int  # position of the statement in the batch
    statement_id: str
    profile_id: str
    version: str
    subject_id: str  # template, extension or pattern id (the profile's for subregistration)
    rule: str  # "rules[2]", "objectStatementRefTemplate", "inlineSchema", "pattern", …
    location: str
    message: str
    registration: str | None = None

    @property
    def kind(self) -> str:
        return kind_of(self.rule)

    def describe(self) -> str:
        kind = self.kind
        if kind == PATTERN:
            subject = f"pattern {self.subject_id}"
        elif kind == PROFILE:
            subject = f"{self.rule} at {self.location}"
        elif kind == CONCEPT:
            subject = f"extension {self.subject_id} ({self.rule}) at {self.location}"
        else:
            subject = f"template {self.subject_id} {self.rule} at {self.location}"
        return (
            f"statement {self.statement_id} breaks profile {self.profile_id} "
            f"(version {self.version}): {subject}: {self.message}"
        )


class PatternStateStore(Protocol):
    def get(
        self, pattern_id: str, registration: str, subregistration: str = ""
    ) -> PatternState | None: ...

    def save(self, state: PatternState) -> None: ...


class MemoryPatternStates:
    """Pattern states kept in a dict (the CLI, tests)."""

    def __init__(self) -> None:
        self.states: dict[tuple[str, str, str], PatternState] = {}

    def get(self, pattern_id: str, registration: str, subregistration: str = ""):
        return self.states.get((pattern_id, registration, subregistration))

    def save(self, state: PatternState) -> None:
        self.states[(state.pattern_id, state.registration, state.subregistration)] = state


@dataclass(frozen=True)
class RegistrationStatus:
    profile_id: str
    registration: str
    subregistration: str
    status: str  # complete | incomplete | failed
    state: PatternState
    completed: tuple[str, ...] = ()  # primary patterns the statements so far complete
    possible: tuple[str, ...] = ()  # primary patterns they can still complete
    expected: tuple[str, ...] = ()  # templates that can come next


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    # Pattern states touched by the batch, to be saved.
    states: dict[tuple[str, str, str], PatternState] = field(default_factory=dict)
    # (profile document, registration, subregistration) touched by the batch.
    registrations: dict[tuple[str, str, str], Profile] = field(default_factory=dict)

    def save(self, store: PatternStateStore) -> None:
        for state in self.states.values():
            store.save(state)


Select = Callable[[dict[str, Any]], list[Profile]]


def declared_selector(registry: ProfileRegistry, default_profile: str | None = None) -> Select:
    """Profiles a statement declares, plus ``default_profile`` for every statement if given."""
    default = registry.get(default_profile) if default_profile else None

    def select(statement: dict[str, Any]) -> list[Profile]:
        found = registry.declared(statement)
        if default is not None and all(p.id != default.id for p in found):
            found.append(default)
        return found

    return select


@dataclass(frozen=True)
class TemplateCheck:
    """What one statement's templates, extensions and cross-field rules say for one profile."""

    outcome: TemplateOutcome
    failures: list[RuleFailure]


def check_templates(
    statement: dict[str, Any],
    profile: Profile,
    mode: str,
    lookup: StatementLookup | None = None,
) -> TemplateCheck:
    """The pattern-independent part of checking ``statement`` against ``profile``."""
    outcome = validate(statement, profile, mode, lookup)
    failures = [] if outcome.valid else outcome.failures
    extensions = extension_failures(statement, profile.extension_rules)
    # Cross-field checks only make sense between well-formed values.
    failures = failures + (extensions or semantic_failures(statement, profile, outcome.passed))
    return TemplateCheck(outcome, failures)


@dataclass(frozen=True)
class PreparedStatement:
    """One statement's profiles and, per profile, its template check if done in advance.

    A ``None`` check is done again when the batch is checked (it needed the store).
    """

    profiles: list[Profile]
    checks: list[TemplateCheck | None]


def check_statements(
    statements: list[dict[str, Any]],
    registry: ProfileRegistry,
    *,
    select: Select,
    mode_for: Callable[[str], str],
    states: PatternStateStore,
    lookup: StatementLookup | None = None,
    prepared: list[PreparedStatement | None] | None = None,
) -> Report:
    """Validate ``statements`` (one batch, in request order) and advance their patterns.

    ``prepared`` (aligned with ``statements``) holds template checks already
    done outside the transaction; a statement without one is checked here.
    """
    report = Report()
    for index in _pattern_order(statements):
        statement = statements[index]
        ready = prepared[index] if prepared is not None else None
        if ready is None:
            for profile in select(statement):
                _check(report, registry, states, statement, index, profile, mode_for, lookup)
            continue
        for profile, check in zip(ready.profiles, ready.checks, strict=True):
            _check(report, registry, states, statement, index, profile, mode_for, lookup, check)
    return report


def _check(
    report: Report,
    registry: ProfileRegistry,
    states: PatternStateStore,
    statement: dict[str, Any],
    index: int,
    profile: Profile,
    mode_for: Callable[[str], str],
    lookup: StatementLookup | None,
    check: TemplateCheck | None = None,
) -> None:
    registration = _registration(statement)
    sid = str(statement.get("id", f"#{index}"))

    def found(subject: str, rule: str, location: str, message: str) -> None:
        report.findings.append(
            Finding(
                index,
                sid,
                profile.id,
                profile.version,
                subject,
                rule,
                location,
                message,
                registration,
            )
        )

    if check is None:
        check = check_templates(statement, profile, mode_for(profile.id), lookup)
    outcome = check.outcome
    for failure in check.failures:
        found(failure.subject_id, failure.rule, failure.location, failure.message)
    dfa = registry.automaton(profile)
    if dfa is None:
        return
    subregistration, problem = _subregistration(statement, registry.cited_ids(profile.id))
    if problem:
        found(profile.id, "subregistration", f"$.context.extensions['{SUBREGISTRATION}']", problem)
    if registration is None:
        return
    report.registrations[(profile.id, registration, subregistration)] = profile
    key = (dfa.pattern_id, registration, subregistration)
    broken = _advance(report, states, dfa, key, outcome.pattern_templates, outcome.matched)
    if broken:
        found(broken[0], "pattern", "", broken[1])


def _advance(
    report: Report,
    store: PatternStateStore,
    dfa: DFA,
    key: tuple[str, str, str],
    templates: list[str],
    matched: list[str],
) -> tuple[str, str] | None:
    """Move the registration's pattern state; (pattern id, message) if it cannot move."""
    state = report.states.get(key) or store.get(*key)
    if state is None:
        state = PatternState(*key, states=(dfa.start,) if dfa.start else ())
    if not state.states:
        return None
    target = dfa.step(state.states, templates)
    if target:
        report.states[key] = replace(state, states=tuple(sorted(target)), updated=utcnow())
        return None
    report.states[key] = replace(state, failed=True, updated=utcnow())
    possible = dfa.possible(state.states)
    expected = dfa.expected(state.states)
    if templates:
        got = "it matches template " + ", ".join(templates)
    elif matched:
        got = "it fails its template " + ", ".join(matched)
    else:
        got = "it matches no template of the profile"
    which = (
        "the pattern"
        if len(possible) == 1
        else "any of the primary patterns " + ", ".join(possible)
    )
    _, registration, subregistration = key
    return possible[0], (
        f"cannot continue {which} of registration {registration}"
        + (f" (subregistration {subregistration})" if subregistration else "")
        + f": {got}; expected "
        + (", ".join(expected) if expected else "no further statement")
    )


def registration_status(
    registry: ProfileRegistry,
    profile: Profile,
    registration: str,
    subregistration: str,
    store: PatternStateStore,
) -> RegistrationStatus | None:
    """Where a registration stands in a profile's primary patterns (None: never seen)."""
    dfa = registry.automaton(profile)
    state = store.get(dfa.pattern_id, registration, subregistration) if dfa else None
    if dfa is None or state is None:
        return None
    if state.failed:
        status = FAILED
    elif dfa.is_accepting(state.states):
        status = COMPLETE
    else:
        status = INCOMPLETE
    return RegistrationStatus(
        profile_id=profile.id,
        registration=registration,
        subregistration=subregistration,
        status=status,
        state=state,
        completed=tuple(dfa.completed(state.states)),
        possible=tuple(dfa.possible(state.states)),
        expected=tuple(dfa.expected(state.states)),
    )


def _registration(statement: dict[str, Any]) -> str | None:
    context = statement.get("context")
    registration = context.get("registration") if isinstance(context, dict) else None
    return registration.lower() if isinstance(registration, str) else None


def _subregistration(statement: dict[str, Any], cited: set[str]) -> tuple[str, str | None]:
    """The subregistration id for this profile, and what is wrong with the extension if any."""
    context = statement.get("context")
    extensions = context.get("extensions") if isinstance(context, dict) else None
    if not isinstance(extensions, dict) or SUBREGISTRATION not in extensions:
        return "", None
    value = extensions[SUBREGISTRATION]
    if _registration(statement) is None:
        return "", "the subregistration extension is only allowed with a registration"
    if not isinstance(value, list) or not value:
        return "", "the subregistration extension must be a non-empty array"
    for item in value:
        if not isinstance(item, dict) or set(item) != {"profile", "subregistration"}:
            return "", "each subregistration entry must be {profile, subregistration}"
        if not _is_uuid(item["subregistration"]):
            return "", f"subregistration {item['subregistration']!r} is not a UUID"
    for item in value:
        if item["profile"] in cited:
            return item["subregistration"].lower(), None
    return "", None


def _is_uuid(value: Any) -> bool:
    try:
        return isinstance(value, str) and uuid.UUID(value).variant == uuid.RFC_4122
    except ValueError:
        return False


def _pattern_order(statements: list[dict[str, Any]]) -> list[int]:
    """Timestamp order, array order on ties; array order if some timestamp does not parse."""
    if len(statements) < 2:
        return list(range(len(statements)))
    keys = []
    for index, statement in enumerate(statements):
        try:
            moment = datetime.fromisoformat(str(statement.get("timestamp")).replace("Z", "+00:00"))
        except ValueError:
            return list(range(len(statements)))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        keys.append((moment, index))
    return [index for _, index in sorted(keys)]


def describe(findings: Iterable[Finding], limit: int = 5) -> str:
    """One message for a refused request."""
    items = list(findings)
    text = "; ".join(f.describe() for f in items[:limit])
    if len(items) > limit:
        text += f"; and {len(items) - limit} more"
    return text
