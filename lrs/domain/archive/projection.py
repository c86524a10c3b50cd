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

Voiding a crediting statement (Fujian 第十七条: proxy study cancels credits)
appends reversal entries and refolds the rows it touched from the trainee's
remaining statements, so the credit disappears and the course is creditable again.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from lrs.domain.archive import rules
from lrs.domain.archive.attribution import Attribution, Attributor, actor_key
from lrs.domain.archive.decisions import Decisions
from lrs.domain.archive.facts import Fact, read_fact, with_definitions
from lrs.domain.archive.folding import fold_class, fold_course, new_class_data, new_course_data
from lrs.domain.archive.ledger import amount, canon
from lrs.domain.archive.policy import CreditPolicy
from lrs.domain.archive.policy_book import PolicyBook
from lrs.domain.archive.row_cache import RowCache
from lrs.domain.archive.rules import Decision
from lrs.storage.port import (
    ArchiveRow,
    ProjectedStatement,
    StatementQuery,
    StatementRecord,
    UnitOfWork,
)

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

    def _marker(self, statement_id: str) -> ProjectedStatement | None:
        if statement_id not in self._markers:
            self._markers[statement_id] = self.uow.archive.projected([statement_id]).get(
                statement_id
            )
        return self._markers[statement_id]

    def _mark(self, marker: ProjectedStatement) -> None:
        self.uow.archive.mark_projected(marker)
        self._markers[marker.statement_id] = marker

    def _project(self, record: StatementRecord) -> str:
        if record.voids is not None:
            return self._void(record)
        if record.voided:
            return VOIDED  # voided statements do not count (policy README step 1)
        fact = read_fact(record.statement, record.stored)
        if fact is None or (fact.course_id is None and fact.class_id is None):
            return IGNORED
        if self._marker(record.id) is not None:
            return DUPLICATE
        attribution = self.attributor.attribute(record, fact.unit_code)
        if attribution is None:
            key = actor_key(record)
            if key is not None and record.seq is not None:
                # Projected when this agent's trainee.linked event arrives (a group
                # actor is never attributed: nothing to wait for).
                self.uow.archive.mark_unattributed(record.id, record.seq, key)
            return UNATTRIBUTED
        touched = self._apply(self._complete(fact), record, attribution)
        self._mark(
            ProjectedStatement(record.id, attribution.trainee_key, tuple(touched), self.now)
        )
        return PROJECTED

    # ------------------------------------------------------------ one statement

    def _complete(self, fact: Fact) -> Fact:
        def definition(activity_id: str | None) -> dict[str, Any] | None:
            if activity_id is None:
                return None
            if activity_id not in self._definitions:
                self._definitions[activity_id] = self.uow.activities.get(activity_id)
            return self._definitions[activity_id]

        return with_definitions(fact, definition(fact.course_id), definition(fact.class_id))

    def _policy(self, attribution: Attribution) -> CreditPolicy:
        return self.book.for_org(attribution.unit, attribution.day)

    def _period(self, policy: CreditPolicy, fact: Fact, attribution: Attribution, kind: str):
        placement = policy.place(fact.timestamp, kind=kind)
        if placement.period is not None:
            return placement, placement.period.key
        # In no period the policy covers: kept under the calendar year, never credited.
        return placement, str(attribution.day.year)

    def _apply(
        self,
        fact: Fact,
        record: StatementRecord,
        attribution: Attribution,
        only: tuple[str, str, str, str] | None = None,
    ) -> list[RowKey]:
        """Fold ``fact`` into its rows; ``only`` = (trainee, kind, period, activity) limits
        it to one row (refold). Returns the rows touched."""
        policy = self._policy(attribution)
        trainee = attribution.trainee_key
        touched: list[RowKey] = []

        def wanted(kind: str, period: str, activity: str) -> bool:
            return only is None or only == (trainee, kind, period, activity)

        kind = rules.crediting_kind(fact, policy)
        if fact.course_id is not None:
            placement, period = self._period(policy, fact, attribution, "course")
            if wanted("course", period, fact.course_id):
                row = self._row("course", trainee, period, fact.course_id, attribution, record,
                                fact.institution)
                unit = row.unit
                data = dict(row.data)
                fold_course(data, fact, policy)
                if kind == "course":
                    decisions = self.decisions.decide_course(
                        fact, record, attribution, policy, placement, period, trainee)
                    _credit_course(data, decisions, record.id, period, policy)
                    if decisions[0].credits_course:
                        unit = attribution.unit
                self.rows.save(row, data, unit)
                touched.append(("course", period, fact.course_id))
        if fact.class_id is not None:
            placement, period = self._period(policy, fact, attribution, "class")
            if wanted("class", period, fact.class_id):
                row = self._row("class", trainee, period, fact.class_id, attribution, record,
                                fact.institution)
                unit = row.unit
                data = dict(row.data)
                fold_class(data, fact, policy)
                if kind == "class":
                    decision = self.decisions.decide_class(
                        fact, record, attribution, policy, placement, period, trainee, data)
                    _credit_class(data, decision, record.id, policy)
                    if decision.credits_course:
                        unit = attribution.unit
                    self.rows.save(row, data, unit)
                    if only is None and decision.credits_course:
                        touched += self._credit_class_courses(trainee, fact.class_id, data,
                                                              record.id, period)
                else:
                    self.rows.save(row, data)
                touched.append(("class", period, fact.class_id))
        return touched

    def _row(
        self,
        kind: str,
        trainee: str,
        period: str,
        activity: str,
        attribution: Attribution,
        record: StatementRecord,
        institution: str = "",
    ) -> ArchiveRow:
        row = self.rows.get(kind, trainee, period, activity)
        if row is None:
            data = new_course_data() if kind == "course" else new_class_data()
            return ArchiveRow(kind, trainee, period, activity, attribution.unit, institution,
                              record.org, data)
        if not row.institution and institution:
            row = replace(row, institution=institution)
        return row

    # ------------------------------------------------------------ crediting

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

    # ------------------------------------------------------------ voiding

    def _void(self, record: StatementRecord) -> str:
        """A voiding statement: reverse the target's credits, refold the rows it touched."""
        if self._marker(record.id) is not None:
            return DUPLICATE
        target = record.voids
        assert target is not None
        marker = self._marker(target)
        if marker is None:
            return IGNORED  # never projected (unattributed or not archive-relevant)
        trainee = marker.trainee_key
        # Every reversal of the trainee, not only this void's: a second voiding statement
        # of the same target must not reverse its credit twice.
        done = self.decisions.reversed(trainee)
        self.decisions.reverse(trainee, target, record.id,
                      f"reversal: statement {target} was voided by {record.id}", record.org, done)
        rows = sorted(set(marker.rows), key=_classes_first)
        for kind, period, activity in rows:
            self.refold(trainee, kind, period, activity)
        self._mark(ProjectedStatement(record.id, trainee, tuple(rows), self.now))
        return PROJECTED

    # ------------------------------------------------------------ released accounts

    def release(self, agent_key: str, trainee: str, records: list[StatementRecord]) -> int:
        """The account ``agent_key`` no longer belongs to ``trainee``: take its statements
        (``records``: the agent's statements, any order) out of the trainee's archive.

        Like a void, and through the same code: each credit they gave the trainee gets a
        reversal entry (the ledger is never edited, §9.1.1), and every row they touched is
        refolded from the trainee's statements that remain (a row left with none is
        deleted). Their projected markers are cleared and they are marked unattributed,
        so the ``trainee.linked`` event of the account's next owner projects them there.
        Idempotent: a replay finds no statement of the agent projected to the trainee.
        Returns the number of statements released.
        """
        mine = [r for r in records if actor_key(r) == agent_key]
        self.prefetch(mine)
        released: list[tuple[StatementRecord, ProjectedStatement]] = []
        for record in mine:
            marker = self._marker(record.id)
            if marker is not None and marker.trainee_key == trainee:
                released.append((record, marker))
        if not released:
            return 0
        done = self.decisions.reversed(trainee)
        rows: set[RowKey] = set()
        for record, marker in released:
            decision_id, _ = self.decisions.generation(trainee, record.id)
            self.decisions.reverse(
                trainee, record.id, f"{decision_id}/released",
                f"reversal: the account of statement {record.id} no longer belongs to "
                "this trainee", record.org, done,
            )
            rows.update(marker.rows)
        self.uow.archive.clear_projected([r.id for r, _ in released])
        for record, _ in released:
            self._markers[record.id] = None
            if record.seq is not None:
                self.uow.archive.mark_unattributed(record.id, record.seq, agent_key)
        for kind, period, activity in sorted(rows, key=_classes_first):
            self.refold(trainee, kind, period, activity, without=agent_key)
        for kind, period, activity in sorted(rows):
            row = self.rows.get(kind, trainee, period, activity)
            if row is not None and not row.data.get("statements"):
                self.rows.drop(kind, trainee, period, activity)
        self.counts[RELEASED] = self.counts.get(RELEASED, 0) + len(released)
        return len(released)

    def refold(
        self, trainee: str, kind: str, period: str, activity: str, without: str | None = None
    ) -> None:
        """Recompute one derived row from the trainee's statements that still stand
        (leaving out those of the agent ``without``: an account being released)."""
        existing = self.rows.get(kind, trainee, period, activity)
        if existing is None:
            return
        fresh = new_course_data() if kind == "course" else new_class_data()
        self.rows.put(replace(existing, data=fresh, updated=self.now))
        keys = tuple(k for k in self.uow.account_links.agent_keys(trainee) if k != without)
        after: int | None = None
        while keys:
            page = self.uow.statements.query(StatementQuery(
                agent_keys=keys, activity_id=activity, related_activities=True,
                ascending=True, limit=500, after_seq=after,
            ))
            for record in page:
                after = record.seq
                if record.voided or record.voids is not None:
                    continue
                fact = read_fact(record.statement, record.stored)
                if fact is None:
                    continue
                attribution = self.attributor.attribute(record, fact.unit_code)
                if attribution is None or attribution.trainee_key != trainee:
                    continue
                self._apply(self._complete(fact), record, attribution,
                            only=(trainee, kind, period, activity))
            if len(page) < 500:
                break
        if kind == "course":
            self._restore_class_credit(trainee, period, activity)

    def _restore_class_credit(self, trainee: str, period: str, course_id: str) -> None:
        row = self.rows.get("course", trainee, period, course_id)
        if row is None or row.data.get("credited") or not row.data.get("inClass"):
            return
        class_id = row.data["inClass"]
        for klass in self.rows.for_activity(trainee, class_id):
            data = klass.data
            if klass.kind != "class" or not data.get("credited"):
                continue
            entry = data["courses"].get(course_id) or {}
            if entry.get("completed") and course_id not in {d["course"] for d in data["deducted"]}:
                course = dict(row.data)
                course.update(credited=True, creditedVia=class_id,
                              creditingStatement=data["creditingStatement"],
                              creditedIn=klass.period_key)
                self.rows.save(row, course)
                return


def _classes_first(row: RowKey) -> tuple[bool, RowKey]:
    # A course credited by a class is refolded against the class as it stands after.
    return (row[0] != "class", row)


def _credit_course(
    data: dict[str, Any], decisions: list[Decision], statement_id: str, period: str,
    policy: CreditPolicy,
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


def _credit_class(
    data: dict[str, Any], decision: Decision, statement_id: str, policy: CreditPolicy
) -> None:
    data["statedCreditHours"] = amount(decision.stated) if decision.stated is not None else None
    data["creditMismatch"] = decision.mismatch
    if not decision.credits_course:
        data["notCountedReason"] = decision.reason
        return
    data.update(
        credited=True, creditingStatement=statement_id, notCountedReason="",
        creditHours=amount(decision.credit_hours), credits=amount(decision.credits),
    )
