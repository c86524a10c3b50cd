"""A management department's summary from the per-unit aggregates (§9.1.1, §9.2).

The same figures as adding up every trainee's rows (``reports.summary_rows`` does
that for a store whose aggregates are not built yet), read from a few rows per
unit: a province of 500,000 trainees costs what its 5,000 units cost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lrs.domain.archive.aggregates import from_vector
from lrs.domain.archive.policy import CreditPolicy, CreditTotals
from lrs.domain.archive.sums import Sums, merged
from lrs.domain.cadre import ZERO
from lrs.storage.port import UnitOfWork
from lrs.storage.port.aggregates import child_org as child_of

NOTHING = CreditTotals(ZERO, ZERO, ZERO, ZERO)


def aggregate_summary(
    uow: UnitOfWork, org: str, period_key: str, policy_of: Callable[[str], CreditPolicy],
    nothing_can_meet: bool = True,
) -> dict[str, Any]:
    """``children`` and ``overall`` of the summary of ``org`` for one period.

    ``nothing_can_meet``: whether some policy's targets are met with nothing earned
    (targets of 0); when none is, trainees without records need no judging.
    """
    agg = uow.aggregates
    trainees = agg.members_by_child(org)
    met: dict[str, int] = {}
    with_records: dict[str, int] = {}
    for counts in agg.counts_by_child(org, period_key):
        met[counts.unit] = counts.values.get("met", 0)
        with_records[counts.unit] = counts.values.get("with_records", 0)
    if nothing_can_meet:
        judged: dict[int, bool] = {}  # policy → whether nothing earned meets its targets
        for unit, idle in agg.idle_in(org, period_key).items():
            unit_policy = policy_of(unit)
            if id(unit_policy) not in judged:
                judged[id(unit_policy)] = unit_policy.evaluate(NOTHING).met is True
            if judged[id(unit_policy)]:
                child = child_of(org, unit)
                met[child] = met.get(child, 0) + idle
    # A trainee who earned in several units of ``org`` is counted once per child org and
    # once overall.
    excess, overall_excess = agg.spread_excess(org, period_key)
    overall_records = sum(with_records.values()) - overall_excess
    for child, n in excess.items():
        with_records[child] -= n
    by_inst: dict[tuple[str, str], Sums] = {
        (cell.unit, cell.institution): from_vector(cell.values)
        for cell in agg.totals_by_child(org, period_key)
    }
    return summary_body(trainees, with_records, met, by_inst, overall_records)


def summary_body(
    trainees: dict[str, int], with_records: dict[str, int], met: dict[str, int],
    by_inst: dict[tuple[str, str], Sums], overall_records: int,
) -> dict[str, Any]:
    """``children`` and ``overall`` of a summary from its counts per child org (current
    trainees, trainees with records, targets met), its sums per (child org, institution)
    and the trainees with records overall (one who earned in two child orgs counts once)."""
    children = sorted({*(c for c, n in trainees.items() if n),
                       *(c for c, n in with_records.items() if n)})

    def institutions(cells: dict[str, Sums]) -> list[dict[str, Any]]:
        return [{"institution": inst, **cells[inst].view()} for inst in sorted(cells)]

    def finish(child: str) -> dict[str, Any]:
        cells = {inst: cell for (c, inst), cell in by_inst.items() if c == child}
        return {
            "org": child,
            "trainees": trainees.get(child, 0),
            "traineesWithRecords": with_records.get(child, 0),
            "targetsMet": met.get(child, 0),
            **merged(cells.values()).view(),
            "byInstitution": institutions(cells),
        }

    overall: dict[str, Sums] = {}
    for (_child, inst), cell in by_inst.items():
        overall[inst] = merged([overall[inst], cell]) if inst in overall else cell
    return {
        "children": [finish(child) for child in children],
        "overall": {
            "trainees": sum(trainees.values()),
            "traineesWithRecords": overall_records,
            "targetsMet": sum(met.values()),
            **merged(overall.values()).view(),
            "byInstitution": institutions(overall),
        },
    }
