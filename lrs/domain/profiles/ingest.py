"""The ingest hook: profile validation, checked before and recorded inside the transaction.

``enforce`` refuses the whole request (400, naming profile, template or
pattern, rule, location and what failed); ``flag`` keeps the statements and
records each violation in ``uow.violations``; ``off`` does nothing. Pattern
state moves in the same transaction, so a refused request leaves no trace.
"""

from __future__ import annotations

from lrs.domain.errors import ValidationError
from lrs.domain.profiles.jsonpath import NAME, WILDCARD
from lrs.domain.profiles.model import Profile
from lrs.domain.profiles.policy import ENFORCE, OFF, ProfileSettings, policy_for
from lrs.domain.profiles.registry import ProfileRegistry
from lrs.domain.profiles.validation import (
    Finding,
    PreparedStatement,
    TemplateCheck,
    check_statements,
    check_templates,
    declared_selector,
    describe,
)
from lrs.domain.redaction import redact_id_numbers
from lrs.domain.statements.hooks import IngestContext
from lrs.storage.port import StatementRecord, UnitOfWork, Violation
from lrs.timeutil import utcnow


class ProfileValidationHook:
    """Validates newly stored statements against the loaded profiles.

    ``prepare`` (before the transaction) selects each statement's profiles and
    does the template, extension and cross-field checks, which need nothing
    from the store; the call inside the transaction moves pattern state and
    records or refuses what was found, for the statements that turned out new.
    A check is left to the transaction when it needs the store (a
    StatementRef template looks up the statement it refers to) or when a
    profile has a value rule that could see the provisional ``stored`` or
    ``timestamp``.
    """

    def __init__(self, registry: ProfileRegistry, settings: ProfileSettings) -> None:
        self.registry = registry
        self.settings = settings
        self._declared = declared_selector(registry)
        self._with_default = declared_selector(registry, settings.default_profile)
        # id(profile) -> (profile, whether its rules can depend on the final stamp)
        self._stamp_sensitive: dict[int, tuple[Profile, bool]] = {}

    def prepare(
        self, records: list[StatementRecord], context: IngestContext
    ) -> dict[str, PreparedStatement] | None:
        if not records or not self.registry:
            return None
        policy = policy_for(context.credential.settings, self.settings)
        if policy.policy == OFF:
            return None
        select = self._with_default if policy.apply_default_to_all else self._declared
        prepared = {}
        for record in records:
            statement = record.statement
            profiles = select(statement)
            checks: list[TemplateCheck | None] = []
            for profile in profiles:
                if self._sensitive(profile):
                    checks.append(None)
                    continue
                try:
                    checks.append(
                        check_templates(statement, profile, policy.mode_for(profile.id), _no_lookup)
                    )
                except _NeedsStore:
                    checks.append(None)
            prepared[record.id] = PreparedStatement(profiles, checks)
        return prepared

    def __call__(
        self,
        uow: UnitOfWork,
        records: list[StatementRecord],
        context: IngestContext,
        *,
        prepared: dict[str, PreparedStatement] | None = None,
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
            prepared=[prepared.get(r.id) for r in records] if prepared else None,
        )
        if report.findings:
            if policy.policy == ENFORCE:
                raise ValidationError(redact_id_numbers(describe(report.findings)))
            now = utcnow()
            uow.violations.add(
                [to_violation(f, context.credential.org, now) for f in report.findings]
            )
        report.save(uow.pattern_states)

    def _sensitive(self, profile: Profile) -> bool:
        cached = self._stamp_sensitive.get(id(profile))
        if cached is None or cached[0] is not profile:
            cached = (profile, stamp_sensitive(profile))
            self._stamp_sensitive[id(profile)] = cached
        return cached[1]


class _NeedsStore(Exception):
    """A template check looked up a referenced statement: it is done in the transaction."""


def _no_lookup(statement_id: str):
    raise _NeedsStore(statement_id)


# Top-level members the final stamp can change.
_STAMPED = frozenset({"stored", "timestamp"})


def stamp_sensitive(profile: Profile) -> bool:
    """Whether a value rule (any/all/none) of ``profile`` can look at ``stored`` or ``timestamp``.

    Both are present before the final stamp as well, so presence rules give
    the same answer either way; only a value rule whose path starts at one of
    them (by name or through a wildcard) could tell them apart. The dialect
    has no recursive descent, so a path starting at another member cannot.
    """
    for template in profile.templates.values():
        for rule in template.rules:
            if rule.any is None and rule.all is None and rule.none is None:
                continue
            paths = (rule.location, rule.selector) if rule.selector else (rule.location,)
            for path in paths:
                for steps in path.alternatives:
                    for kind, name in steps[0]:
                        if kind == WILDCARD or (kind == NAME and name in _STAMPED):
                            return True
    return False


def to_violation(finding: Finding, org: str, created=None) -> Violation:
    return Violation(
        statement_id=finding.statement_id,
        profile_id=finding.profile_id,
        subject_id=finding.subject_id,
        rule=finding.rule,
        message=redact_id_numbers(finding.message),
        location=finding.location,
        registration=finding.registration,
        org=org,
        created=created,
    )
