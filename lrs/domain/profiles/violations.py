"""The reads behind ``GET /xapi/profiles/violations``: the violations recorded against the
loaded xAPI Profiles (credentials with the ``flag`` policy), and where a registration stands
in each profile's primary patterns. Every read is limited to an org subtree."""

from __future__ import annotations

from dataclasses import dataclass, field

from lrs.domain.profiles.model import Profile
from lrs.domain.profiles.registry import ProfileRegistry
from lrs.domain.profiles.validation import (
    PatternStateStore,
    RegistrationStatus,
    registration_status,
)
from lrs.storage.port import StatementQuery, Store, Violation


def statement_violations(store: Store, statement_id: str, org_scope: str | None) -> list[Violation]:
    with store.read() as uow:
        return uow.violations.for_statement(statement_id, org_scope)


@dataclass(frozen=True)
class RegistrationReport:
    violations: list[Violation]
    # (profile version, where the registration stands in its primary patterns)
    patterns: list[tuple[Profile, RegistrationStatus]] = field(default_factory=list)


def registration_report(
    store: Store, registry: ProfileRegistry, registration: str, org_scope: str | None
) -> RegistrationReport:
    """The registration's violations and pattern statuses within ``org_scope``. Pattern
    states are kept per registration, not per org: they are shown only where the scope
    holds a violation or a statement of the registration, else another org's progress
    would show through."""
    with store.read() as uow:
        found = uow.violations.for_registration(registration, org_scope)
        if not found and not uow.statements.query(
            StatementQuery(registration=registration, org_scope=org_scope, limit=1)
        ):
            return RegistrationReport(found)
        return RegistrationReport(found, pattern_statuses(registry, registration,
                                                          uow.pattern_states))


def pattern_statuses(
    registry: ProfileRegistry, registration: str, states: PatternStateStore
) -> list[tuple[Profile, RegistrationStatus]]:
    """Where ``registration`` stands in every loaded profile version that has seen it;
    versions with the same primary patterns share one state, listed once (the first)."""
    result = []
    seen = set()
    for latest in registry.profiles():
        for profile in registry.documents(latest.id):
            status = registration_status(registry, profile, registration, "", states)
            if status is None or status.state.pattern_id in seen:
                continue
            seen.add(status.state.pattern_id)
            result.append((profile, status))
    return result
