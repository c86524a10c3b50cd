"""One trainee's archive for a period (rows, totals, targets) and their credit ledger."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from lrs.domain.archive import ledger as ledger_rules
from lrs.domain.archive.ledger import amount
from lrs.domain.archive.policy import TargetReport
from lrs.domain.archive.policy_book import PolicyBook, resolve_period
from lrs.domain.archive.reports import scope
from lrs.domain.archive.sums import sums
from lrs.domain.identity.roles import FULL, Reader
from lrs.domain.identity.views import shown_name
from lrs.storage.port import ArchiveRow, Store


def trainee_archive(
    store: Store, book: PolicyBook, reader: Reader, key: str, period_key: str | None, today: date
) -> dict[str, Any]:
    """One trainee's archive for a period: rows, totals, targets, records by unit."""
    with store.read() as uow:
        trainee, level = scope.load_trainee(uow, reader, key)
        policy, period = resolve_period(book, trainee.unit, period_key, today)
        rows = scope.visible(reader, level, uow.archive.rows_for_trainee(key, period.key))
    total = sums(rows)
    return {
        "trainee": {"key": trainee.key, "maskedId": trainee.masked_id,
                    "name": shown_name(reader, level, trainee), "unit": trainee.unit or None,
                    "access": level},
        **scope.heading(policy, period),
        "courses": [row_view(r) for r in rows if r.kind == "course"],
        "classes": [row_view(r) for r in rows if r.kind == "class"],
        "totals": total.view(),
        # Partial views (a former unit, an institution) are not judged against targets.
        "targets": target_view(policy.evaluate(total.totals())) if level == FULL else None,
        "byUnit": _sums_by(rows, "unit"),
        "byInstitution": _sums_by(rows, "institution"),
        "projectedThrough": scope.projected_through(store),
    }


def trainee_ledger(
    store: Store, reader: Reader, key: str, *, verify: bool, after: int = 0, limit: int = 1000
) -> dict[str, Any]:
    """The trainee's ledger entries the reader may see, and optionally the chain's check."""
    with store.read() as uow:
        trainee, level = scope.load_trainee(uow, reader, key)
        entries = uow.archive.ledger(key, after_seq=after, limit=limit)
        check = ledger_rules.verify(uow, key) if verify else None
    # The cursor comes from the page read, not from what the reader may see of it: a page
    # whose entries were all earned elsewhere must not end the paging early.
    after_page = entries[-1].seq if len(entries) == limit and entries else None
    entries = scope.visible(reader, level, entries)
    result: dict[str, Any] = {
        "trainee": trainee.key,
        "entries": [ledger_rules.view(e) for e in entries],
        "next": after_page,
    }
    if check is not None:
        result["verification"] = check.as_dict()
    return result


def row_view(row: ArchiveRow) -> dict[str, Any]:
    """A course or class archive row as a report shows it (a class with its course counts)."""
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


def target_view(report: TargetReport) -> dict[str, Any]:
    return {
        "unit": report.unit,
        "targets": {k: None if v is None else amount(v) for k, v in report.targets.items()},
        "achieved": {k: amount(v) for k, v in report.achieved.items()},
        "met": report.met,
        "shortfall": {k: amount(v) for k, v in report.shortfall.items()},
        "certificate": report.certificate,
    }


def _sums_by(
    rows: list[ArchiveRow], field: Literal["unit", "institution"]
) -> list[dict[str, Any]]:
    """Sums of ``rows`` per value of ``field`` ("unit" or "institution"), in its order."""
    grouped = scope.group(rows, lambda r: getattr(r, field))
    return [{field: value, **sums(items).view()} for value, items in sorted(grouped.items())]
