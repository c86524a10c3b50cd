"""A department's summary added up from every trainee's rows: the figures of
:func:`lrs.domain.archive.summary.aggregate_summary` for a store whose per-unit
aggregates are not built yet (until ``lrs archive rebuild``), and the reference
the aggregates are tested against."""

from __future__ import annotations

from typing import Any

from lrs.domain.archive.policy import CreditTotals
from lrs.domain.archive.reports.scope import UnitPolicies, all_trainees, scope_rows
from lrs.domain.archive.summary import child_of, summary_body
from lrs.domain.archive.sums import Sums, sums
from lrs.domain.identity.roles import in_scope
from lrs.storage.port import UnitOfWork


def summary_from_rows(
    uow: UnitOfWork, org: str, period_key: str, policies: UnitPolicies
) -> dict[str, Any]:
    """The summary's ``children`` and ``overall`` from every trainee's rows."""
    trainees: dict[str, int] = {}  # child org -> current trainees
    met: dict[str, int] = {}  # child org -> of them, targets met
    with_records: dict[str, set[str]] = {}  # child org -> trainees with records under it
    by_inst: dict[tuple[str, str], Sums] = {}  # (child org, institution) -> sums
    current = all_trainees(uow, org)
    by_trainee, _others = scope_rows(uow, org, {t.key for t in current}, period_key)
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
    return summary_body(
        trainees, {child: len(keys) for child, keys in with_records.items()}, met, by_inst,
        overall_records=len({r.trainee_key for r in rows}),
    )
