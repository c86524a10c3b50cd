"""Read models of the learning archive (GB/T 38856 §9.1, §9.2), scoped by role.

Who may see what (§9.2, lrs.domain.identity.roles):

* a trainee: only their own archive;
* a unit / department: its trainees now (their whole history follows them)
  and, of trainees who left, the records earned under a unit in its scope;
* an institution: records from its own statements (the org of the credential
  that stored them);
* admin: everything.

Totals, targets and certificates come from the credit policy of the trainee's
unit (``PolicyBook.for_org``); amounts are Decimal, shown as text.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from lrs.domain.archive import aggregates
from lrs.domain.archive import ledger as ledger_rules
from lrs.domain.archive.ledger import amount
from lrs.domain.archive.policy import CreditPolicy, CreditTotals, TargetReport
from lrs.domain.archive.policy_book import PolicyBook, resolve_period
from lrs.domain.archive.projector import status
from lrs.domain.archive.summary import NOTHING, aggregate_summary, child_of
from lrs.domain.archive.sums import Sums, merged, sums
from lrs.domain.errors import Forbidden, NotFound, ValidationError
from lrs.domain.identity.keys import mask_name
from lrs.domain.identity.roles import (
    FORMER,
    FULL,
    LINKED,
    NONE,
    Reader,
    access,
    check_org_path,
    in_scope,
    names_visible,
)
from lrs.storage.port import ArchiveRow, Store, Trainee, UnitOfWork

MANAGERS = ("admin", "department", "unit")
PAGE = 500


# ---------------------------------------------------------------- totals


def target_view(report: TargetReport) -> dict[str, Any]:
    return {
        "unit": report.unit,
        "targets": {k: None if v is None else amount(v) for k, v in report.targets.items()},
        "achieved": {k: amount(v) for k, v in report.achieved.items()},
        "met": report.met,
        "shortfall": {k: amount(v) for k, v in report.shortfall.items()},
        "certificate": report.certificate,
    }


# ---------------------------------------------------------------- scoping


def visible_rows(reader: Reader, level: str, rows: list[ArchiveRow]) -> list[ArchiveRow]:
    if level == FULL:
        return rows
    if level == FORMER:
        return [r for r in rows if r.unit and in_scope(r.unit, reader.scope)]
    if level == LINKED:
        return [r for r in rows if in_scope(r.org, reader.scope)]
    return []


def _load(uow: UnitOfWork, reader: Reader, key: str) -> tuple[Trainee, str]:
    # Outside the reader's scope and unknown answer alike (404, one message), as
    # /xapi/trainees/KEY does: a 403 would confirm that a key (so an agreed
    # identifier) belongs to a registered trainee.
    hidden = NotFound("no trainee with this key")
    if reader.role == "trainee" and reader.trainee_key != key:
        raise hidden
    trainee = uow.trainees.get(key)
    if trainee is None:
        raise hidden
    level = access(
        reader, trainee, uow.trainees.memberships(key), uow.account_links.for_trainee(key, True)
    )
    if level == NONE:
        raise hidden
    return trainee, level


def _name(reader: Reader, level: str, trainee: Trainee) -> str:
    return trainee.name if names_visible(reader, level) else mask_name(trainee.name)


# ---------------------------------------------------------------- row views


def row_view(row: ArchiveRow) -> dict[str, Any]:
    data = dict(row.data)
    view: dict[str, Any] = {
        "activity": row.activity_id,
        "period": row.period_key,
        "unit": row.unit,
        "institution": row.institution,
    }
    if row.kind == "class":
        courses = data.get("courses") or {}
        view.update(
            coursesStudied=sum(1 for c in courses.values() if c.get("studied")),
            coursesCompleted=sum(1 for c in courses.values() if c.get("completed")),
            coursesExempted=sum(1 for c in courses.values() if c.get("exempted")),
        )
    view.update(data)
    return view


def _by_unit(rows: list[ArchiveRow]) -> list[dict[str, Any]]:
    grouped: dict[str, list[ArchiveRow]] = {}
    for row in rows:
        grouped.setdefault(row.unit, []).append(row)
    return [{"unit": unit, **sums(items).view()} for unit, items in sorted(grouped.items())]


def _by_institution(rows: list[ArchiveRow]) -> list[dict[str, Any]]:
    grouped: dict[str, list[ArchiveRow]] = {}
    for row in rows:
        grouped.setdefault(row.institution, []).append(row)
    return [
        {"institution": inst, **sums(items).view()} for inst, items in sorted(grouped.items())
    ]


# ---------------------------------------------------------------- one trainee


def trainee_archive(
    store: Store, book: PolicyBook, reader: Reader, key: str, period_key: str | None, today: date
) -> dict[str, Any]:
    """One trainee's archive for a period: rows, totals, targets, records by unit."""
    with store.read() as uow:
        trainee, level = _load(uow, reader, key)
        policy, period = resolve_period(book, trainee.unit, period_key, today)
        rows = visible_rows(reader, level, uow.archive.rows_for_trainee(key, period.key))
    total = sums(rows)
    return {
        "trainee": {"key": trainee.key, "maskedId": trainee.masked_id,
                    "name": _name(reader, level, trainee), "unit": trainee.unit or None,
                    "access": level},
        "period": {"key": period.key, "start": period.start.isoformat(),
                   "end": period.end.isoformat()},
        "policy": {"id": policy.id, "slug": policy.slug},
        "courses": [row_view(r) for r in rows if r.kind == "course"],
        "classes": [row_view(r) for r in rows if r.kind == "class"],
        "totals": total.view(),
        # Partial views (a former unit, an institution) are not judged against targets.
        "targets": target_view(policy.evaluate(total.totals())) if level == FULL else None,
        "byUnit": _by_unit(rows),
        "byInstitution": _by_institution(rows),
        "projectedThrough": _projected(store),
    }


def _projected(store: Store) -> dict[str, Any]:
    state = status(store)
    return {
        "lastEventCreated": state["lastEventCreated"],
        "lastProjectedAt": state["lastProjectedAt"],
        "pendingEvents": state["pendingEvents"],
        "lagSeconds": state["lagSeconds"],
    }


def trainee_ledger(
    store: Store, reader: Reader, key: str, *, verify: bool, after: int = 0, limit: int = 1000
) -> dict[str, Any]:
    with store.read() as uow:
        trainee, level = _load(uow, reader, key)
        entries = uow.archive.ledger(key, after_seq=after, limit=limit)
        check = ledger_rules.verify(uow, key) if verify else None
    if level == FORMER:
        entries = [e for e in entries if e.unit and in_scope(e.unit, reader.scope)]
    elif level == LINKED:
        entries = [e for e in entries if in_scope(e.org, reader.scope)]
    result: dict[str, Any] = {
        "trainee": trainee.key,
        "entries": [ledger_rules.view(e) for e in entries],
        "next": entries[-1].seq if len(entries) == limit and entries else None,
    }
    if check is not None:
        result["verification"] = check.as_dict()
    return result


# ---------------------------------------------------------------- a unit's report


def _require_manager(reader: Reader, org: str, what: str) -> None:
    if reader.role not in MANAGERS or not in_scope(org, reader.scope):
        raise Forbidden(f"this credential may not read the {what} of {org or 'the whole LRS'}")


def _all_trainees(uow: UnitOfWork, org: str) -> list[Trainee]:
    found: list[Trainee] = []
    after: str | None = None
    while True:
        page = uow.trainees.list_trainees(org or None, after, PAGE)
        found += page
        if len(page) < PAGE:
            return found
        after = page[-1].key


def _scope_rows(
    uow: UnitOfWork, org: str, members: set[str], period_key: str
) -> tuple[dict[str, list[ArchiveRow]], list[str]]:
    """The period's rows of the current ``members`` (all of them) and of the other trainees
    with records earned under ``org`` (all of theirs too: callers keep those within
    ``org``), by trainee, read once; and those other trainees' keys, in key order."""
    others = [k for k in uow.archive.trainees_in_units(org, period_key) if k not in members]
    rows = uow.archive.rows_for_trainees([*members, *others], period_key)
    return _by_trainee(rows), others


def _by_trainee(rows: Iterable[ArchiveRow]) -> dict[str, list[ArchiveRow]]:
    grouped: dict[str, list[ArchiveRow]] = {}
    for row in rows:
        grouped.setdefault(row.trainee_key, []).append(row)
    return grouped


class _Policies:
    """The policy (and its version of the period) per unit, cached."""

    def __init__(self, book: PolicyBook, period_key: str, today: date, fallback: CreditPolicy):
        self.book, self.key, self.today, self.fallback = book, period_key, today, fallback
        self._cache: dict[str, CreditPolicy] = {}

    def __call__(self, unit: str) -> CreditPolicy:
        if unit not in self._cache:
            try:
                self._cache[unit] = resolve_period(self.book, unit, self.key, self.today)[0]
            except ValidationError:
                self._cache[unit] = self.fallback
        return self._cache[unit]


def unit_report(
    store: Store, book: PolicyBook, reader: Reader, unit: str, period_key: str | None, today: date
) -> dict[str, Any]:
    """Per trainee of ``unit``: totals, targets met, shortfall; and summary counts.

    Current members count with their whole history in the period; trainees who
    left are listed with the records earned under the unit only, names masked.
    """
    check_org_path(unit)
    _require_manager(reader, unit, "report")
    policy, period = resolve_period(book, unit, period_key, today)
    policies = _Policies(book, period.key, today, policy)
    unit_reader = Reader(reader.role, unit, None, reader.credential_key)
    items: list[dict[str, Any]] = []
    with store.read() as uow:
        current = _all_trainees(uow, unit)
        members = {t.key for t in current}
        by_trainee, others = _scope_rows(uow, unit, members, period.key)
        for trainee in current:
            rows = by_trainee.get(trainee.key, [])
            items.append(_report_item(unit_reader, FULL, trainee, rows, policies(trainee.unit)))
        # Trainees who left: the records earned under the unit only.
        former_rows: dict[str, list[ArchiveRow]] = {}
        for key in others:
            rows = [r for r in by_trainee.get(key, ()) if in_scope(r.unit, unit)]
            if rows:
                former_rows[key] = rows
        former = uow.trainees.get_many(list(former_rows))
        for key, rows in sorted(former_rows.items()):
            trainee = former.get(key) or Trainee(key=key, masked_id="")
            items.append(_report_item(unit_reader, FORMER, trainee, rows, policy))
    judged = [i for i in items if i["status"] == "current"]
    return {
        "unit": unit,
        "period": {"key": period.key, "start": period.start.isoformat(),
                   "end": period.end.isoformat()},
        "policy": {"id": policy.id, "slug": policy.slug},
        "summary": {
            "trainees": len(judged),
            "formerTraineesWithRecords": len(items) - len(judged),
            "withRecords": sum(1 for i in judged if i["courses"] or i["classes"]),
            "met": sum(1 for i in judged if i["met"] is True),
            "unmet": sum(1 for i in judged if i["met"] is False),
            "noTargets": sum(1 for i in judged if i["met"] is None),
            "certificates": sum(1 for i in judged if i["certificate"]),
        },
        "trainees": items,
        "projectedThrough": _projected(store),
    }


def _report_item(
    reader: Reader, level: str, trainee: Trainee, rows: list[ArchiveRow], policy: CreditPolicy
) -> dict[str, Any]:
    total = sums(rows)
    item: dict[str, Any] = {
        "key": trainee.key,
        "maskedId": trainee.masked_id,
        "name": _name(reader, level, trainee),
        "status": "current" if level == FULL else "former",
        "unit": trainee.unit if level == FULL else None,
        **total.view(),
    }
    if level == FULL:
        report = policy.evaluate(total.totals())
        item.update(met=report.met, shortfall={k: amount(v) for k, v in report.shortfall.items()},
                    certificate=report.certificate, policy=policy.slug)
    else:
        item.update(met=None, shortfall={}, certificate=False, policy=policy.slug)
    return item


# ---------------------------------------------------------------- management summary


def summary(
    store: Store, book: PolicyBook, reader: Reader, org: str | None, period_key: str | None,
    today: date,
) -> dict[str, Any]:
    """The merged view across platforms for a management department (§9.1.1, §9.2)."""
    org = reader.scope if org is None else org.strip("/")
    if org:
        check_org_path(org, "org")
    _require_manager(reader, org, "summary")
    policy, period = resolve_period(book, org, period_key, today)
    policies = _Policies(book, period.key, today, policy)
    with store.read() as uow:
        if aggregates.ready(uow):
            body = aggregate_summary(uow, org, period.key, policies, nothing_can_meet=any(
                p.evaluate(NOTHING).met is True for p in book.all()))
        else:  # a store projected before aggregates existed, until `lrs archive rebuild`
            body = _summary_from_rows(uow, org, period.key, policies)
    return {
        "org": org,
        "period": {"key": period.key, "start": period.start.isoformat(),
                   "end": period.end.isoformat()},
        "policy": {"id": policy.id, "slug": policy.slug},
        **body,
        "projectedThrough": _projected(store),
    }


def _summary_from_rows(
    uow: UnitOfWork, org: str, period_key: str, policies: _Policies
) -> dict[str, Any]:
    """The summary's ``children`` and ``overall`` from every trainee's rows."""
    trainees: dict[str, int] = {}  # child org -> current trainees
    met: dict[str, int] = {}  # child org -> of them, targets met
    with_records: dict[str, set[str]] = {}  # child org -> trainees with records under it
    by_inst: dict[tuple[str, str], Sums] = {}  # (child org, institution) -> sums
    current = _all_trainees(uow, org)
    by_trainee, _others = _scope_rows(uow, org, {t.key for t in current}, period_key)
    # Current trainees are judged on their whole period, wherever they earned it; the
    # records below are those earned within ``org``, whoever earned them.
    totals = {key: sums(items) for key, items in by_trainee.items()}
    rows = [r for items in by_trainee.values() for r in items if in_scope(r.unit, org)]
    judged: dict[tuple[int, CreditTotals], bool] = {}  # the same totals, the same verdict
    for trainee in current:
        child = child_of(org, trainee.unit)
        trainees[child] = trainees.get(child, 0) + 1
        unit_policy = policies(trainee.unit)
        total = (totals.get(trainee.key) or Sums()).totals()
        verdict = judged.get((id(unit_policy), total))
        if verdict is None:
            verdict = judged[(id(unit_policy), total)] = (
                unit_policy.evaluate(total).met is True
            )
        met[child] = met.get(child, 0) + verdict
    # One pass over the records earned within ``org``: sums per child org × institution,
    # merged afterwards (Decimal addition is exact, so the grouping changes nothing).
    for row in rows:
        child = child_of(org, row.unit)
        with_records.setdefault(child, set()).add(row.trainee_key)
        cell = by_inst.get((child, row.institution))
        if cell is None:
            cell = by_inst[(child, row.institution)] = Sums()
        cell.add(row)
    children = sorted({*trainees, *with_records})

    def institutions(cells: dict[str, Sums]) -> list[dict[str, Any]]:
        return [{"institution": inst, **cells[inst].view()} for inst in sorted(cells)]

    def finish(child: str) -> dict[str, Any]:
        cells = {inst: cell for (c, inst), cell in by_inst.items() if c == child}
        return {
            "org": child,
            "trainees": trainees.get(child, 0),
            "traineesWithRecords": len(with_records.get(child, ())),
            "targetsMet": met.get(child, 0),
            **merged(cells.values()).view(),
            "byInstitution": institutions(cells),
        }

    overall: dict[str, Sums] = {}
    for (_child_org, inst), cell in by_inst.items():
        overall[inst] = merged([overall[inst], cell]) if inst in overall else cell
    return {
        "children": [finish(child) for child in children],
        "overall": {
            "trainees": sum(trainees.values()),
            "traineesWithRecords": len({r.trainee_key for r in rows}),
            "targetsMet": sum(met.values()),
            **merged(overall.values()).view(),
            "byInstitution": institutions(overall),
        },
    }
