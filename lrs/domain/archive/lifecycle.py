"""Taking statements back out of the archive: a void, a released account, the refold after.

Fujian 第十七条: a voided crediting statement (proxy study) loses its credits; an
account that turns out to belong to someone else takes its statements with it.
Either way the ledger is never edited (§9.1.1): each credit gets a reversal
entry, and every row the statements touched is refolded from the trainee's
statements that still stand, so a course credited by them is creditable again.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from lrs.domain.archive.attribution import actor_key
from lrs.domain.archive.facts import read_fact
from lrs.domain.archive.folding import new_class_data, new_course_data
from lrs.storage.port import ProjectedStatement, StatementQuery, StatementRecord

if TYPE_CHECKING:
    from lrs.domain.archive.projection import Projection, RowKey

PAGE = 500


def void(p: Projection, record: StatementRecord) -> bool:
    """A voiding statement: reverse the target's credits, refold the rows it touched.
    False when the target was never projected (unattributed or not archive-relevant)."""
    target = record.voids
    assert target is not None
    marker = p.marker(target)
    if marker is None:
        return False
    trainee = marker.trainee_key
    # Every reversal of the trainee, not only this void's: a second voiding statement
    # of the same target must not reverse its credit twice.
    done = p.decisions.reversed(trainee)
    p.decisions.reverse(trainee, target, record.id,
                        f"reversal: statement {target} was voided by {record.id}", record.org, done)
    rows = sorted(set(marker.rows), key=_classes_first)
    for kind, period, activity in rows:
        refold(p, trainee, kind, period, activity)
    p.mark(ProjectedStatement(record.id, trainee, tuple(rows), p.now))
    return True


def release(
    p: Projection, agent_key: str, trainee: str, records: list[StatementRecord]
) -> int:
    """The account ``agent_key`` no longer belongs to ``trainee``: take its statements
    (``records``: the agent's statements, any order) out of the trainee's archive.

    Like a void, and through the same code: each credit they gave the trainee gets a
    reversal entry, and every row they touched is refolded from the trainee's
    statements that remain (a row left with none is deleted). Their projected markers
    are cleared and they are marked unattributed, so the ``trainee.linked`` event of
    the account's next owner projects them there. Idempotent: a replay finds no
    statement of the agent projected to the trainee. Returns the number released.
    """
    mine = [r for r in records if actor_key(r) == agent_key]
    p.prefetch(mine)
    released: list[tuple[StatementRecord, ProjectedStatement]] = []
    for record in mine:
        marker = p.marker(record.id)
        if marker is not None and marker.trainee_key == trainee:
            released.append((record, marker))
    if not released:
        return 0
    done = p.decisions.reversed(trainee)
    rows: set[RowKey] = set()
    for record, marker in released:
        decision_id, _ = p.decisions.generation(trainee, record.id)
        p.decisions.reverse(
            trainee, record.id, f"{decision_id}/released",
            f"reversal: the account of statement {record.id} no longer belongs to "
            "this trainee", record.org, done,
        )
        rows.update(marker.rows)
    p.unmark([r.id for r, _ in released])
    for record, _ in released:
        if record.seq is not None:
            p.uow.archive.mark_unattributed(record.id, record.seq, agent_key)
    for kind, period, activity in sorted(rows, key=_classes_first):
        refold(p, trainee, kind, period, activity, without=agent_key)
    for kind, period, activity in sorted(rows):
        row = p.rows.get(kind, trainee, period, activity)
        if row is not None and not row.data.get("statements"):
            p.rows.drop(kind, trainee, period, activity)
    return len(released)


def refold(
    p: Projection, trainee: str, kind: str, period: str, activity: str,
    without: str | None = None,
) -> None:
    """Recompute one derived row from the trainee's statements that still stand
    (leaving out those of the agent ``without``: an account being released)."""
    existing = p.rows.get(kind, trainee, period, activity)
    if existing is None:
        return
    fresh = new_course_data() if kind == "course" else new_class_data()
    p.rows.put(replace(existing, data=fresh, updated=p.now))
    keys = tuple(k for k in p.uow.account_links.agent_keys(trainee) if k != without)
    after: int | None = None
    while keys:
        page = p.uow.statements.query(StatementQuery(
            agent_keys=keys, activity_id=activity, related_activities=True,
            ascending=True, limit=PAGE, after_seq=after,
        ))
        for record in page:
            after = record.seq
            if record.voided or record.voids is not None:
                continue
            fact = read_fact(record.statement, record.stored)
            if fact is None:
                continue
            attribution = p.attributor.attribute(record, fact.unit_code)
            if attribution is None or attribution.trainee_key != trainee:
                continue
            p.apply(p.complete(fact), record, attribution, only=(trainee, kind, period, activity))
        if len(page) < PAGE:
            break
    if kind == "course":
        _restore_class_credit(p, trainee, period, activity)


def _restore_class_credit(p: Projection, trainee: str, period: str, course_id: str) -> None:
    row = p.rows.get("course", trainee, period, course_id)
    if row is None or row.data.get("credited") or not row.data.get("inClass"):
        return
    class_id = row.data["inClass"]
    for klass in p.rows.for_activity(trainee, class_id):
        data = klass.data
        if klass.kind != "class" or not data.get("credited"):
            continue
        entry = data["courses"].get(course_id) or {}
        if entry.get("completed") and course_id not in {d["course"] for d in data["deducted"]}:
            course = dict(row.data)
            course.update(credited=True, creditedVia=class_id,
                          creditingStatement=data["creditingStatement"],
                          creditedIn=klass.period_key)
            p.rows.save(row, course)
            return


def _classes_first(row: RowKey) -> tuple[bool, RowKey]:
    # A course credited by a class is refolded against the class as it stands after.
    return (row[0] != "class", row)
