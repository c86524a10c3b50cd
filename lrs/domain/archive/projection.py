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

from lrs.domain.archive import ledger, rules
from lrs.domain.archive.attribution import Attribution, Attributor, actor_key
from lrs.domain.archive.facts import Fact, read_fact, with_definitions
from lrs.domain.archive.ledger import amount, canon
from lrs.domain.archive.policy import CreditPolicy, PolicyBook
from lrs.domain.archive.rules import Decision, Prior
from lrs.domain.cadre import dec_or_zero as dec  # stored amounts; None is 0
from lrs.storage.port import (
    ArchiveRow,
    LedgerEntry,
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


def new_course_data() -> dict[str, Any]:
    return {
        "first": None, "last": None, "statements": 0, "sessions": 0, "attempts": 0,
        "minutesByRegistration": {}, "learningMinutes": "0", "progress": None,
        "requirement": "", "inClass": None, "courseCode": "", "courseDuration": None,
        "courseCreditHours": None, "assessmentRequired": None, "registered": False,
        "completed": False, "completedAt": None, "passed": None, "bestScore": None,
        "exempt": False, "exemptionSource": "", "credited": False, "creditedVia": None,
        "creditHours": "0", "credits": "0", "bonus": "0", "creditingStatement": None,
        "creditedIn": None, "notCountedReason": "", "statedCreditHours": None,
        "creditMismatch": False, "policy": "", "platform": "",
    }


def new_class_data() -> dict[str, Any]:
    return {
        "first": None, "last": None, "statements": 0, "registered": False, "approved": False,
        "rejected": False, "rejectionReason": "", "courses": {}, "assessmentAttempts": 0,
        "passed": None, "bestScore": None, "learningMinutes": "0", "classCreditHours": None,
        "deducted": [], "credited": False, "creditHours": "0", "credits": "0",
        "creditingStatement": None, "notCountedReason": "", "statedCreditHours": None,
        "creditMismatch": False, "certificate": False, "certificateId": None, "policy": "",
        "platform": "",
    }


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
        # Rows read or written in this unit of work, written back by flush(): a batch's
        # statements mostly touch a few rows again and again (one registration's launched,
        # progressed, completed), so each is read once and written once per batch.
        self._rows: dict[tuple[str, str, str, str], ArchiveRow | None] = {}
        self._dirty: dict[tuple[str, str, str, str], ArchiveRow] = {}
        # (trainee, period) pairs whose rows changed: their aggregates are settled once
        # per batch (lrs.domain.archive.aggregates.settle).
        self.touched: set[tuple[str, str]] = set()
        self.counts: dict[str, int] = {}
        self.appended = 0  # ledger entries this projection added

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
        for row in self._dirty.values():
            self.uow.archive.save_row(row)
        self._dirty.clear()

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

    def _get_row(self, kind: str, trainee: str, period: str, activity: str) -> ArchiveRow | None:
        key = (kind, trainee, period, activity)
        if key not in self._rows:
            self._rows[key] = self.uow.archive.get_row(kind, trainee, period, activity)
        return self._rows[key]

    def _put_row(self, row: ArchiveRow) -> None:
        key = (row.kind, row.trainee_key, row.period_key, row.activity_id)
        self._rows[key] = self._dirty[key] = row
        self.touched.add((row.trainee_key, row.period_key))

    def _rows_for_activity(self, trainee: str, activity: str) -> list[ArchiveRow]:
        self.flush()  # the query reads the table (crediting statements only: rare)
        rows = self.uow.archive.rows_for_activity(trainee, activity)
        for row in rows:
            self._rows[(row.kind, row.trainee_key, row.period_key, row.activity_id)] = row
        return rows

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
                self._fold_course(data, fact, policy)
                if kind == "course":
                    decisions = self._decide_course(fact, record, attribution, policy, placement,
                                                    period, trainee)
                    _credit_course(data, decisions, record.id, period, policy)
                    if decisions[0].credits_course:
                        unit = attribution.unit
                self._save(row, data, unit)
                touched.append(("course", period, fact.course_id))
        if fact.class_id is not None:
            placement, period = self._period(policy, fact, attribution, "class")
            if wanted("class", period, fact.class_id):
                row = self._row("class", trainee, period, fact.class_id, attribution, record,
                                fact.institution)
                unit = row.unit
                data = dict(row.data)
                self._fold_class(data, fact, policy)
                if kind == "class":
                    decision = self._decide_class(fact, record, attribution, policy, placement,
                                                  period, trainee, data)
                    _credit_class(data, decision, record.id, policy)
                    if decision.credits_course:
                        unit = attribution.unit
                    self._save(row, data, unit)
                    if only is None and decision.credits_course:
                        touched += self._credit_class_courses(trainee, fact.class_id, data,
                                                              record.id, period)
                else:
                    self._save(row, data)
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
        row = self._get_row(kind, trainee, period, activity)
        if row is None:
            data = new_course_data() if kind == "course" else new_class_data()
            return ArchiveRow(kind, trainee, period, activity, attribution.unit, institution,
                              record.org, data)
        if not row.institution and institution:
            row = replace(row, institution=institution)
        return row

    def _save(self, row: ArchiveRow, data: dict[str, Any], unit: str | None = None) -> None:
        """Store ``row`` with new ``data`` (and ``unit``); built directly, not through
        ``dataclasses.replace``, which cost more than the rest of this on the hot path."""
        self._put_row(ArchiveRow(
            row.kind, row.trainee_key, row.period_key, row.activity_id,
            row.unit if unit is None else unit, row.institution, row.org, data, self.now,
        ))

    # ------------------------------------------------------------ process data

    @staticmethod
    def _fold_common(data: dict[str, Any], fact: Fact, policy: CreditPolicy) -> None:
        moment = fact.timestamp.isoformat()
        if data["first"] is None or moment < data["first"]:
            data["first"] = moment
        if data["last"] is None or moment > data["last"]:
            data["last"] = moment
        data["statements"] += 1
        data["policy"] = policy.id
        if fact.platform:
            data["platform"] = fact.platform

    def _fold_course(self, data: dict[str, Any], fact: Fact, policy: CreditPolicy) -> None:
        self._fold_common(data, fact, policy)
        verb = fact.verb
        if fact.requirement:
            data["requirement"] = fact.requirement
        if fact.in_class:
            data["inClass"] = fact.class_id
        if fact.course_code:
            data["courseCode"] = fact.course_code
        if fact.course_duration is not None:
            data["courseDuration"] = amount(fact.course_duration)
            data["courseCreditHours"] = amount(rules.course_hours(fact, policy))
        if fact.assessment_required is not None:
            data["assessmentRequired"] = fact.assessment_required
        if fact.learning_minutes is not None:
            # Cumulative per registration (profile: "minutes spent in this registration up
            # to this statement"): the largest value of each registration, summed.
            by_reg = dict(data["minutesByRegistration"])
            reg = fact.registration or "-"
            if reg not in by_reg or dec(by_reg[reg]) < fact.learning_minutes:
                by_reg[reg] = amount(fact.learning_minutes)
            data["minutesByRegistration"] = by_reg
            data["learningMinutes"] = amount(sum((dec(v) for v in by_reg.values()), Decimal(0)))
        if fact.progress is not None and (
            data["progress"] is None or dec(data["progress"]) < fact.progress
        ):
            data["progress"] = amount(fact.progress)
        if fact.is_course:
            if verb == "launched":
                data["sessions"] += 1
            elif verb == "registered":
                data["registered"] = True
            elif verb == "completed":
                data["completed"] = True
                data["completedAt"] = data["completedAt"] or fact.timestamp.isoformat()
            elif verb == "waived":
                data["exempt"] = True
                data["exemptionSource"] = fact.exemption_source
        elif fact.is_course_assessment and verb in ("passed", "failed"):
            data["attempts"] += 1
            if verb == "passed" and fact.success is not False:
                data["passed"] = True
            elif data["passed"] is None:
                data["passed"] = False
            if fact.score is not None and (
                data["bestScore"] is None or dec(data["bestScore"]) < fact.score
            ):
                data["bestScore"] = amount(fact.score)

    def _fold_class(self, data: dict[str, Any], fact: Fact, policy: CreditPolicy) -> None:
        self._fold_common(data, fact, policy)
        verb = fact.verb
        if fact.class_credit_hours is not None:
            data["classCreditHours"] = amount(fact.class_credit_hours)
        if fact.course_id is not None:
            courses = dict(data["courses"])
            entry = dict(courses.get(fact.course_id) or {
                "studied": False, "completed": False, "exempted": False, "creditHours": "0",
            })
            entry["studied"] = True
            entry["creditHours"] = amount(rules.course_hours(fact, policy))
            if fact.is_course and verb == "completed":
                entry["completed"] = True
            elif fact.is_course and verb == "waived":
                entry["exempted"] = True
            courses[fact.course_id] = entry
            data["courses"] = courses
            return
        if verb == "registered":
            data["registered"] = True
        elif verb == "enrolment-approved":
            data["approved"] = True
        elif verb == "enrolment-rejected":
            data["rejected"] = True
        elif verb in ("passed", "failed"):
            data["assessmentAttempts"] += 1
            if verb == "passed" and fact.success is not False:
                data["passed"] = True
            elif data["passed"] is None:
                data["passed"] = False
            if fact.score is not None and (
                data["bestScore"] is None or dec(data["bestScore"]) < fact.score
            ):
                data["bestScore"] = amount(fact.score)
        elif verb == "certificate-issued":
            data["certificate"] = True
            data["certificateId"] = fact.object_id
        minutes = fact.learning_minutes
        if minutes is not None and dec(data["learningMinutes"]) < minutes:
            data["learningMinutes"] = amount(minutes)

    # ------------------------------------------------------------ crediting

    def _prior(
        self, trainee: str, kind: str, activity: str, period: str, policy: CreditPolicy,
        statement_id: str,
    ) -> Prior | None:
        for row in self._rows_for_activity(trainee, activity):
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

    def _generation(self, trainee: str, statement_id: str) -> tuple[str, list[LedgerEntry]]:
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
        decision_id, entries = self._generation(trainee, statement_id)
        return decision_id, {(e.kind, e.activity_id): e for e in entries}

    def _record(
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
                ledger.Draft(
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

    def _decide_course(
        self, fact: Fact, record: StatementRecord, attribution: Attribution,
        policy: CreditPolicy, placement, period: str, trainee: str,
    ) -> list[Decision]:
        assert fact.course_id is not None
        prior = self._prior(trainee, "course", fact.course_id, period, policy, record.id)
        decisions = rules.course_decisions(fact, policy, placement, prior)
        return self._record(decisions, record, attribution, policy, period)

    def _decide_class(
        self, fact: Fact, record: StatementRecord, attribution: Attribution,
        policy: CreditPolicy, placement, period: str, trainee: str, data: dict[str, Any],
    ) -> Decision:
        assert fact.class_id is not None
        prior = self._prior(trainee, "class", fact.class_id, period, policy, record.id)
        deducted: list[dict[str, str]] = []
        for course_id, entry in sorted(data["courses"].items()):
            if entry.get("exempted"):
                deducted.append({"course": course_id, "creditHours": entry["creditHours"],
                                 "why": "exempted in the class"})
                continue
            earlier = self._prior(trainee, "course", course_id, period, policy, record.id)
            if earlier is not None and earlier.via_class != fact.class_id:
                # §8.3.6: class and elective course hours are never counted twice.
                deducted.append({"course": course_id, "creditHours": entry["creditHours"],
                                 "why": rules.already(earlier)})
        data["deducted"] = deducted
        exempted = sum((dec(d["creditHours"]) for d in deducted), Decimal(0))
        decision = rules.class_decision(fact, policy, placement, prior, exempted)
        return self._record([decision], record, attribution, policy, period)[0]

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
            for row in self._rows_for_activity(trainee, course_id):
                if row.kind != "course" or row.data.get("inClass") != class_id:
                    continue
                if row.data.get("credited"):
                    continue
                course = dict(row.data)
                course.update(credited=True, creditedVia=class_id,
                              creditingStatement=statement_id, creditedIn=period)
                self._save(row, course)
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
        done = self._reversed(trainee)
        self._reverse(trainee, target, record.id,
                      f"reversal: statement {target} was voided by {record.id}", record.org, done)
        rows = sorted(set(marker.rows), key=_classes_first)
        for kind, period, activity in rows:
            self.refold(trainee, kind, period, activity)
        self._mark(ProjectedStatement(record.id, trainee, tuple(rows), self.now))
        return PROJECTED

    def _reverse(
        self, trainee: str, target: str, statement_id: str, reason: str, org: str,
        done: set[int | None],
    ) -> None:
        """Append a reversal (recorded under ``statement_id``) of each credit the trainee
        still holds from statement ``target`` (its live generation: an earlier one a
        release reversed is not reversed again); ``done``: seqs already reversed
        (ledger-first)."""
        _, entries = self._generation(trainee, target)
        for entry in entries:
            if entry.reason or entry.seq in done:
                continue  # a 0 decision has nothing to reverse
            ledger.append(
                self.uow,
                trainee,
                ledger.Draft(
                    period_key=entry.period_key,
                    kind=entry.kind,
                    activity_id=entry.activity_id,
                    credit_hours=-entry.credit_hours,
                    credits=-entry.credits,
                    requirement=entry.requirement,
                    unit=entry.unit,
                    policy_id=entry.policy_id,
                    statement_id=statement_id,
                    reason=reason,
                    reverses=entry.seq,
                    org=org,
                ),
                self.now,
            )
            done.add(entry.seq)
            self.appended += 1

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
        done = self._reversed(trainee)
        rows: set[RowKey] = set()
        for record, marker in released:
            decision_id, _ = self._generation(trainee, record.id)
            self._reverse(
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
            row = self._get_row(kind, trainee, period, activity)
            if row is not None and not row.data.get("statements"):
                self._drop_row(kind, trainee, period, activity)
        self.counts[RELEASED] = self.counts.get(RELEASED, 0) + len(released)
        return len(released)

    def _reversed(self, trainee: str) -> set[int | None]:
        """Seqs of the trainee's entries that a reversal already cancels."""
        done: set[int | None] = set()
        after = 0
        while True:
            entries = self.uow.archive.ledger(trainee, after_seq=after, limit=1000)
            done.update(e.reverses for e in entries if e.reverses is not None)
            if len(entries) < 1000:
                return done
            after = entries[-1].seq

    def _drop_row(self, kind: str, trainee: str, period: str, activity: str) -> None:
        key = (kind, trainee, period, activity)
        self._dirty.pop(key, None)
        self._rows[key] = None
        self.touched.add((trainee, period))
        self.uow.archive.delete_row(kind, trainee, period, activity)

    def refold(
        self, trainee: str, kind: str, period: str, activity: str, without: str | None = None
    ) -> None:
        """Recompute one derived row from the trainee's statements that still stand
        (leaving out those of the agent ``without``: an account being released)."""
        existing = self._get_row(kind, trainee, period, activity)
        if existing is None:
            return
        fresh = new_course_data() if kind == "course" else new_class_data()
        self._put_row(replace(existing, data=fresh, updated=self.now))
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
        row = self._get_row("course", trainee, period, course_id)
        if row is None or row.data.get("credited") or not row.data.get("inClass"):
            return
        class_id = row.data["inClass"]
        for klass in self._rows_for_activity(trainee, class_id):
            data = klass.data
            if klass.kind != "class" or not data.get("credited"):
                continue
            entry = data["courses"].get(course_id) or {}
            if entry.get("completed") and course_id not in {d["course"] for d in data["deducted"]}:
                course = dict(row.data)
                course.update(credited=True, creditedVia=class_id,
                              creditingStatement=data["creditingStatement"],
                              creditedIn=klass.period_key)
                self._save(row, course)
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
