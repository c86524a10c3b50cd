"""A unit's report (§9.2): per trainee, totals, targets met and shortfall; summary counts."""

from __future__ import annotations

from datetime import date
from typing import Any

from lrs.domain.archive.ledger import amount
from lrs.domain.archive.policy import CreditPolicy
from lrs.domain.archive.policy_book import PolicyBook, resolve_period
from lrs.domain.archive.reports import scope
from lrs.domain.archive.sums import sums
from lrs.domain.identity.roles import FORMER, FULL, Reader, check_org_path, in_scope
from lrs.domain.identity.views import shown_name
from lrs.storage.port import ArchiveRow, Store, Trainee


def unit_report(
    store: Store, book: PolicyBook, reader: Reader, unit: str, period_key: str | None, today: date
) -> dict[str, Any]:
    """Per trainee of ``unit``: totals, targets met, shortfall; and summary counts.

    Current members count with their whole history in the period; trainees who
    left are listed with the records earned under the unit only, names masked.
    """
    check_org_path(unit)
    scope.require_manager(reader, unit, "report")
    policy, period = resolve_period(book, unit, period_key, today)
    policies = scope.UnitPolicies(book, period.key, today, policy)
    unit_reader = Reader(reader.role, unit, None, reader.credential_key)
    items: list[dict[str, Any]] = []
    with store.read() as uow:
        current = scope.all_trainees(uow, unit)
        members = {t.key for t in current}
        by_trainee, others = scope.scope_rows(uow, unit, members, period.key)
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
        **scope.heading(policy, period),
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
        "projectedThrough": scope.projected_through(store),
    }


def _report_item(
    reader: Reader, level: str, trainee: Trainee, rows: list[ArchiveRow], policy: CreditPolicy
) -> dict[str, Any]:
    total = sums(rows)
    item: dict[str, Any] = {
        "key": trainee.key,
        "maskedId": trainee.masked_id,
        "name": shown_name(reader, level, trainee),
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
