"""The ingest hook: profile validation inside the statement transaction.

``enforce`` refuses the whole request (400, naming profile, template or
pattern, rule, location and what failed); ``flag`` keeps the statements and
records each violation in ``uow.violations``; ``off`` does nothing. Pattern
state moves in the same transaction, so a refused request leaves no trace.
"""

from __future__ import annotations

from lrs.domain.errors import ValidationError
from lrs.domain.profiles.policy import ENFORCE, OFF, ProfileSettings, policy_for
from lrs.domain.profiles.registry import ProfileRegistry
from lrs.domain.profiles.validation import (
    Finding,
    check_statements,
    declared_selector,
    describe,
)
from lrs.domain.statements.hooks import IngestContext
from lrs.storage.port import StatementRecord, UnitOfWork, Violation
from lrs.timeutil import utcnow


class ProfileValidationHook:
    """Validates newly stored statements against the loaded profiles."""

    def __init__(self, registry: ProfileRegistry, settings: ProfileSettings) -> None:
        self.registry = registry
        self.settings = settings
        self._declared = declared_selector(registry)
        self._with_default = declared_selector(registry, settings.default_profile)

    def __call__(
        self, uow: UnitOfWork, records: list[StatementRecord], context: IngestContext
    ) -> None:
        if not records or not self.registry:
            return
        policy = policy_for(context.credential.settings, self.settings)
        if policy.policy == OFF:
            return
        batch = {r.id: r.statement for r in records}
        org_scope = context.credential.org or None

        def lookup(statement_id: str):
            if statement_id in batch:
                return batch[statement_id]
            found = uow.statements.get(statement_id, org_scope)
            return found.statement if found is not None else None

        report = check_statements(
            [r.statement for r in records],
            self.registry,
            select=self._with_default if policy.apply_default_to_all else self._declared,
            mode_for=policy.mode_for,
            states=uow.pattern_states,
            lookup=lookup,
        )
        if report.findings:
            if policy.policy == ENFORCE:
                raise ValidationError(describe(report.findings))
            now = utcnow()
            uow.violations.add(
                [to_violation(f, context.credential.org, now) for f in report.findings]
            )
        report.save(uow.pattern_states)


def to_violation(finding: Finding, org: str, created=None) -> Violation:
    return Violation(
        statement_id=finding.statement_id,
        profile_id=finding.profile_id,
        subject_id=finding.subject_id,
        rule=finding.rule,
        message=finding.message,
        location=finding.location,
        registration=finding.registration,
        org=org,
        created=created,
    )
