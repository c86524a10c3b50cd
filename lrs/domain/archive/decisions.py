"""Credit decisions in the ledger (GB/T 38856 §9.1.1), ledger-first.

A decision already recorded for (statement, kind, activity) is reused, never
made twice, so re-projecting (a rebuild, a refold after a void) appends nothing;
reversals cancel a statement's credits (a void, a released account) without
editing the ledger. The rules themselves are in lrs.domain.archive.rules.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from lrs.domain.archive import ledger, rules
from lrs.domain.archive.attribution import Attribution
from lrs.domain.archive.facts import Fact
from lrs.domain.archive.policy import CreditPolicy
from lrs.domain.archive.row_cache import RowCache
from lrs.domain.archive.rules import Decision, Prior
from lrs.domain.cadre import dec_or_zero as dec  # stored amounts; None is 0
from lrs.storage.port import LedgerDraft, LedgerEntry, StatementRecord, UnitOfWork


class Decisions:
    """The ledger side of one projection batch: decisions and reversals."""

    def __init__(self, uow: UnitOfWork, rows: RowCache, now: datetime) -> None:
        self.uow = uow
        self.rows = rows
        self.now = now
        self.appended = 0  # ledger entries added

    def prior(
        self, trainee: str, kind: str, activity: str, period: str, policy: CreditPolicy,
        statement_id: str,
    ) -> Prior | None:
        """The trainee's standing credit for ``activity`` that ``policy`` does not let be
        counted again (§8.2.5, §8.3.6), other than by ``statement_id`` itself."""
        for row in self.rows.for_activity(trainee, activity):
            data = row.data
            if row.kind != kind or not data.get("credited"):
                continue
            if data.get("creditingStatement") == statement_id:
                continue
            if rules.stands_in_scope(policy, row.period_key, period):
                via = data.get("creditedVia") or ""
                return Prior(row.period_key, data.get("creditingStatement") or "", via)
        return None

    def _decisions(self, trainee: str, decision_id: str) -> list[LedgerEntry]:
        """The trainee's decision entries (not reversals) recorded under ``decision_id``."""
        return [e for e in self.uow.archive.entries_for_statement(decision_id)
                if e.trainee_key == trainee and e.reverses is None]

    def generation(self, trainee: str, statement_id: str) -> tuple[str, list[LedgerEntry]]:
        """The live decision generation of a statement for a trainee: the ledger statement
        id its decisions are recorded under, and those decisions.

        The first projection records under the statement id itself; a release reverses
        them under ``"<id>/released"``, so a projection after it (the account linked
        back) must not reuse them: it records generation n under ``"<id>#<n>"``
        (n = the releases that reversed earlier generations), released in turn under
        ``"<id>#<n>/released"``. A generation a release left nothing to reverse in
        (only 0 decisions) stays live and is reused."""
        generation, decision_id = 0, statement_id
        while True:
            entries = self._decisions(trainee, decision_id)
            if not entries:
                return decision_id, entries
            released = any(e.trainee_key == trainee and e.reverses is not None
                           for e in self.uow.archive.entries_for_statement(
                               f"{decision_id}/released"))
            if not released:
                return decision_id, entries
            generation += 1
            decision_id = f"{statement_id}#{generation}"

    def _existing(
        self, trainee: str, statement_id: str
    ) -> tuple[str, dict[tuple[str, str], LedgerEntry]]:
        decision_id, entries = self.generation(trainee, statement_id)
        return decision_id, {(e.kind, e.activity_id): e for e in entries}

    def record(
        self, decisions: list[Decision], record: StatementRecord, attribution: Attribution,
        policy: CreditPolicy, period: str,
    ) -> list[Decision]:
        """Ledger-first: a decision already in the ledger is reused, else appended."""
        decision_id, existing = self._existing(attribution.trainee_key, record.id)
        final: list[Decision] = []
        for decision in decisions:
            entry = existing.get((decision.kind, decision.activity_id))
            if entry is not None:
                final.append(replace(
                    decision,
                    credit_hours=entry.credit_hours,
                    credits=entry.credits,
                    reason=entry.reason,
                ))
                continue
            ledger.append(
                self.uow,
                attribution.trainee_key,
                LedgerDraft(
                    period_key=period,
                    kind=decision.kind,
                    activity_id=decision.activity_id,
                    credit_hours=decision.credit_hours,
                    credits=decision.credits,
                    requirement=decision.requirement,
                    unit=attribution.unit,
                    policy_id=policy.id,
                    statement_id=decision_id,
                    reason=decision.reason,
                    org=record.org,
                ),
                self.now,
            )
            self.appended += 1
            final.append(decision)
        return final

    def decide_course(
        self, fact: Fact, record: StatementRecord, attribution: Attribution,
        policy: CreditPolicy, placement, period: str, trainee: str,
    ) -> list[Decision]:
        assert fact.course_id is not None
        prior = self.prior(trainee, "course", fact.course_id, period, policy, record.id)
        decisions = rules.course_decisions(fact, policy, placement, prior)
        return self.record(decisions, record, attribution, policy, period)

    def decide_class(
        self, fact: Fact, record: StatementRecord, attribution: Attribution,
        policy: CreditPolicy, placement, period: str, trainee: str, data: dict[str, Any],
    ) -> Decision:
        assert fact.class_id is not None
        prior = self.prior(trainee, "class", fact.class_id, period, policy, record.id)
        deducted: list[dict[str, str]] = []
        for course_id, entry in sorted(data["courses"].items()):
            if entry.get("exempted"):
                deducted.append({"course": course_id, "creditHours": entry["creditHours"],
                                 "why": "exempted in the class"})
                continue
            earlier = self.prior(trainee, "course", course_id, period, policy, record.id)
            if earlier is not None and earlier.via_class != fact.class_id:
                # §8.3.6: class and elective course hours are never counted twice.
                deducted.append({"course": course_id, "creditHours": entry["creditHours"],
                                 "why": rules.already(earlier)})
        data["deducted"] = deducted
        exempted = sum((dec(d["creditHours"]) for d in deducted), Decimal(0))
        decision = rules.class_decision(fact, policy, placement, prior, exempted)
        return self.record([decision], record, attribution, policy, period)[0]

    def reverse(
        self, trainee: str, target: str, statement_id: str, reason: str, org: str,
        done: set[int | None],
    ) -> None:
        """Append a reversal (recorded under ``statement_id``) of each credit the trainee
        still holds from statement ``target`` (its live generation: an earlier one a
        release reversed is not reversed again); ``done``: seqs already reversed
        (ledger-first)."""
        _, entries = self.generation(trainee, target)
        for entry in entries:
            if entry.reason or entry.seq in done:
                continue  # a 0 decision has nothing to reverse
            reversal = replace(entry, credit_hours=-entry.credit_hours, credits=-entry.credits,
                               statement_id=statement_id, reason=reason, reverses=entry.seq,
                               org=org)
            ledger.append(self.uow, trainee, reversal, self.now)
            done.add(entry.seq)
            self.appended += 1

    def reversed(self, trainee: str) -> set[int | None]:
        """Seqs of the trainee's entries that a reversal already cancels."""
        done: set[int | None] = set()
        after = 0
        while True:
            entries = self.uow.archive.ledger(trainee, after_seq=after, limit=1000)
            done.update(e.reverses for e in entries if e.reverses is not None)
            if len(entries) < 1000:
                return done
            after = entries[-1].seq
