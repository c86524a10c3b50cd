"""Applying one stored statement to the learning archive, inside the caller's unit of work.

A statement updates the derived rows it is about (course archive: trainee ×
course × period; class archive: trainee × theme class × period, GB/T 38856
§9.1.2) and, when it credits, appends decisions to the ledger (§9.1.1).

Idempotent by construction, so a replay after a crash changes nothing:

* a statement already applied has a *projected* marker and is skipped;
* a statement whose actor is linked to no trainee yet gets an *unattributed*
  marker (statement, seq, actor's agent key), so that the ``trainee.linked``
  event of that agent projects exactly those statements and nothing else;
* a crediting decision is looked up in the ledger by (statement, kind,
  activity) before it is made, so re-projecting (rebuild, a refold after a
  void) reuses the decision instead of appending a second one.

Voiding a crediting statement and releasing an account take statements back
out (lrs.domain.archive.lifecycle).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from lrs.domain.archive import lifecycle, rules
from lrs.domain.archive.attribution import Attribution, Attributor, actor_key
from lrs.domain.archive.decisions import Decisions
from lrs.domain.archive.facts import Fact, read_fact, with_definitions
from lrs.domain.archive.folding import fold_class, fold_course, new_class_data, new_course_data
from lrs.domain.archive.ledger import amount, canon
from lrs.domain.archive.policy import CreditPolicy, Placement
from lrs.domain.archive.policy_book import PolicyBook
from lrs.domain.archive.row_cache import RowCache
from lrs.domain.archive.rules import Decision
from lrs.storage.port import ArchiveRow, ProjectedStatement, StatementRecord, UnitOfWork

RowKey = tuple[str, str, str]  # (kind, period_key, activity_id)

PROJECTED = "projected"
DUPLICATE = "duplicate"
UNATTRIBUTED = "unattributed"
IGNORED = "ignored"  # not a profile statement, or about nothing archived
VOIDED = "voided"
RELEASED = "released"  # taken out of a trainee's archive: the account left the trainee


class Projection:
    """Projects statements inside one write unit of work (one projector batch)."""

    def __init__(self, uow: UnitOfWork, book: PolicyBook, now: datetime) -> None:
        self.uow = uow
        self.book = book
        self.now = now
        self.attributor = Attributor(uow)
        self._definitions: dict[str, dict[str, Any] | None] = {}
        # Projected markers read or written in this unit of work: one query for a whole
        # batch (prefetch) instead of one per statement. None = known not projected.
        self._markers: dict[str, ProjectedStatement | None] = {}
        self.rows = RowCache(uow, now)
        self.decisions = Decisions(uow, self.rows, now)
        self.counts: dict[str, int] = {}

    @property
    def touched(self) -> set[tuple[str, str]]:
        """(trainee, period) pairs whose rows changed: their aggregates are settled once
        per batch (lrs.domain.archive.aggregates.settle)."""
        return self.rows.touched

    @property
    def appended(self) -> int:
        """Ledger entries this projection added."""
        return self.decisions.appended

    # ------------------------------------------------------------ entry points

    def project(self, record: StatementRecord) -> str:
        """Apply one stored statement; what happened (PROJECTED, DUPLICATE, …)."""
        outcome = self._project(record)
        self.counts[outcome] = self.counts.get(outcome, 0) + 1
        return outcome

    def project_many(self, records: list[StatementRecord]) -> None:
        self.prefetch(records)
        for record in records:
            self.project(record)

    def flush(self) -> None:
        """Write the rows changed since the last flush; call before the unit commits."""
        self.rows.flush()

    def prefetch(self, records: list[StatementRecord]) -> None:
        """Read what projecting ``records`` needs with one query each: their actors'
        owners and the projected markers of them and of the statements they void."""
        self.attributor.prefetch(records)
        ids = [r.id for r in records] + [r.voids for r in records if r.voids is not None]
        wanted = [i for i in dict.fromkeys(ids) if i not in self._markers]
        if wanted:
            found = self.uow.archive.projected(wanted)
            for statement_id in wanted:
                self._markers[statement_id] = found.get(statement_id)

    def release(self, agent_key: str, trainee: str, records: list[StatementRecord]) -> int:
        """Take the statements of the account ``agent_key`` out of ``trainee``'s archive
        (:func:`lrs.domain.archive.lifecycle.release`); the number released."""
        released = lifecycle.release(self, agent_key, trainee, records)
        if released:
            self.counts[RELEASED] = self.counts.get(RELEASED, 0) + released
        return released

    def _project(self, record: StatementRecord) -> str:
        if record.voids is not None:
            if self.marker(record.id) is not None:
                return DUPLICATE
            return PROJECTED if lifecycle.void(self, record) else IGNORED
        if record.voided:
            return VOIDED  # voided statements do not count (policy README step 1)
        fact = read_fact(record.statement, record.stored)
        if fact is None or (fact.course_id is None and fact.class_id is None):
            return IGNORED
        if self.marker(record.id) is not None:
            return DUPLICATE
        attribution = self.attributor.attribute(record, fact.unit_code)
        if attribution is None:
            key = actor_key(record)
            if key is not None and record.seq is not None:
                # Projected when this agent's trainee.linked event arrives (a group
                # actor is never attributed: nothing to wait for).
                self.uow.archive.mark_unattributed(record.id, record.seq, key)
            return UNATTRIBUTED
        touched = self.apply(self.complete(fact), record, attribution)
        self.mark(ProjectedStatement(record.id, attribution.trainee_key, tuple(touched), self.now))
        return PROJECTED

    # ------------------------------------------------------------ projected markers

    def marker(self, statement_id: str) -> ProjectedStatement | None:
        if statement_id not in self._markers:
            self._markers[statement_id] = self.uow.archive.projected([statement_id]).get(
                statement_id
            )
        return self._markers[statement_id]

    def mark(self, marker: ProjectedStatement) -> None:
        self.uow.archive.mark_projected(marker)
        self._markers[marker.statement_id] = marker

    def unmark(self, statement_ids: list[str]) -> None:
        self.uow.archive.clear_projected(statement_ids)
        for statement_id in statement_ids:
            self._markers[statement_id] = None

    # ------------------------------------------------------------ one statement

    def complete(self, fact: Fact) -> Fact:
        """``fact`` with what the stored activity definitions of its course and class add."""

        def definition(activity_id: str | None) -> dict[str, Any] | None:
            if activity_id is None:
                return None
            if activity_id not in self._definitions:
                self._definitions[activity_id] = self.uow.activities.get(activity_id)
            return self._definitions[activity_id]

        return with_definitions(fact, definition(fact.course_id), definition(fact.class_id))

    def _period(
        self, policy: CreditPolicy, fact: Fact, attribution: Attribution, kind: str
    ) -> tuple[Placement, str]:
        placement = policy.place(fact.timestamp, kind=kind)
        if placement.period is not None:
            return placement, placement.period.key
        # In no period the policy covers: kept under the calendar year, never credited.
        return placement, str(attribution.day.year)

    def apply(
        self,
        fact: Fact,
        record: StatementRecord,
        attribution: Attribution,
        only: tuple[str, str, str, str] | None = None,
    ) -> list[RowKey]:
        """Fold ``fact`` into its course and class rows and decide their credits; ``only``
        = (trainee, kind, period, activity) limits it to one row (refold). Returns the
        rows touched."""
        policy = self.book.for_org(attribution.unit, attribution.day)
        trainee = attribution.trainee_key
        crediting = rules.crediting_kind(fact, policy)
        touched: list[RowKey] = []
        for kind, activity in (("course", fact.course_id), ("class", fact.class_id)):
            if activity is None:
                continue
            placement, period = self._period(policy, fact, attribution, kind)
            if only is not None and only != (trainee, kind, period, activity):
                continue
            row = self._row(kind, period, activity, attribution, record, fact.institution)
            data = dict(row.data)
            (fold_course if kind == "course" else fold_class)(data, fact, policy)
            credited = crediting == kind and self._credit(
                kind, data, fact, record, attribution, policy, placement, period
            )
            # A credited record counts for the unit the trainee earned it under.
            self.rows.save(row, data, attribution.unit if credited else row.unit)
            if credited and kind == "class" and only is None:
                touched += self._credit_class_courses(trainee, activity, data, record.id, period)
            touched.append((kind, period, activity))
        return touched

    def _row(
        self, kind: str, period: str, activity: str, attribution: Attribution,
        record: StatementRecord, institution: str,
    ) -> ArchiveRow:
        row = self.rows.get(kind, attribution.trainee_key, period, activity)
        if row is None:
            data = new_course_data() if kind == "course" else new_class_data()
            return ArchiveRow(kind, attribution.trainee_key, period, activity, attribution.unit,
                              institution, record.org, data)
        if not row.institution and institution:
            row = replace(row, institution=institution)
        return row

    # ------------------------------------------------------------ crediting

    def _credit(
        self, kind: str, data: dict[str, Any], fact: Fact, record: StatementRecord,
        attribution: Attribution, policy: CreditPolicy, placement: Placement, period: str,
    ) -> bool:
        """Decide the credit of a crediting statement (ledger-first) and write it into the
        row's ``data``; whether the row is credited."""
        trainee = attribution.trainee_key
        if kind == "course":
            decisions = self.decisions.decide_course(
                fact, record, attribution, policy, placement, period, trainee)
            _credit_course(data, decisions, record.id, period)
            return decisions[0].credits_course
        decision = self.decisions.decide_class(
            fact, record, attribution, policy, placement, period, trainee, data)
        _credit_class(data, decision, record.id)
        return decision.credits_course

    def _credit_class_courses(
        self, trainee: str, class_id: str, data: dict[str, Any], statement_id: str, period: str
    ) -> list[RowKey]:
        """Courses completed in a credited class count within the class hours, not
        separately (§8.3.6): mark them credited-by-class for the no-double-counting check."""
        deducted = {d["course"] for d in data["deducted"]}
        touched: list[RowKey] = []
        for course_id, entry in sorted(data["courses"].items()):
            if not entry.get("completed") or course_id in deducted:
                continue
            for row in self.rows.for_activity(trainee, course_id):
                if row.kind != "course" or row.data.get("inClass") != class_id:
                    continue
                if row.data.get("credited"):
                    continue
                course = dict(row.data)
                course.update(credited=True, creditedVia=class_id,
                              creditingStatement=statement_id, creditedIn=period)
                self.rows.save(row, course)
                touched.append(("course", row.period_key, course_id))
        return touched


def _credit_course(
    data: dict[str, Any], decisions: list[Decision], statement_id: str, period: str
) -> None:
    course = decisions[0]
    data["statedCreditHours"] = amount(course.stated) if course.stated is not None else None
    data["creditMismatch"] = course.mismatch
    if course.requirement:
        data["requirement"] = data["requirement"] or course.requirement
    if not course.credits_course:
        data["notCountedReason"] = course.reason
        return
    data.update(
        credited=True, creditedVia=None, creditingStatement=statement_id, creditedIn=period,
        creditHours=amount(course.credit_hours), credits=amount(course.credits),
        notCountedReason="", requirement=course.requirement,
    )
    bonus = sum((d.credits for d in decisions[1:] if d.kind == "bonus"), Decimal(0))
    data["bonus"] = amount(canon(bonus))


def _credit_class(data: dict[str, Any], decision: Decision, statement_id: str) -> None:
    data["statedCreditHours"] = amount(decision.stated) if decision.stated is not None else None
    data["creditMismatch"] = decision.mismatch
    if not decision.credits_course:
        data["notCountedReason"] = decision.reason
        return
    data.update(
        credited=True, creditingStatement=statement_id, notCountedReason="",
        creditHours=amount(decision.credit_hours), credits=amount(decision.credits),
    )
