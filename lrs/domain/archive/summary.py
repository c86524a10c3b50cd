"""A management department's summary from the per-unit aggregates (§9.1.1, §9.2).

The same figures as adding up every trainee's rows (``reports.summary`` does
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

NOTHING = CreditTotals(ZERO, ZERO, ZERO, ZERO)


def child_of(org: str, unit: str) -> str:
    """The child org of ``org`` (one level down) that ``unit`` lies in; ``org`` itself for
    records earned directly under it, "" for records without a unit."""
    if not unit:
        return ""
    if unit == org:
        return org
    rest = unit[len(org) + 1:] if org else unit
    head = rest.split("/", 1)[0]
    return f"{org}/{head}" if org else head


def aggregate_summary(
    uow: UnitOfWork, org: str, period_key: str, policy_of: Callable[[str], CreditPolicy]
) -> dict[str, Any]:
    """``children`` and ``overall`` of the summary of ``org`` for one period."""
    trainees: dict[str, int] = {}
    met: dict[str, int] = {}
    with_records: dict[str, int] = {}
    members = uow.aggregates.members_in(org)
    counts = {c.unit: c.values for c in uow.aggregates.counts_in(org, period_key)}
    judged: dict[int, bool] = {}  # policy → whether nothing earned meets its targets
    for unit, n in members.items():
        child = child_of(org, unit)
        trainees[child] = trainees.get(child, 0) + n
        values = counts.get(unit, {})
        idle = n - values.get("current", 0)  # current trainees without records
        if idle:
            unit_policy = policy_of(unit)
            if id(unit_policy) not in judged:
                judged[id(unit_policy)] = unit_policy.evaluate(NOTHING).met is True
            met[child] = met.get(child, 0) + idle * judged[id(unit_policy)]
    for unit, values in counts.items():
        child = child_of(org, unit)
        if values.get("met"):
            met[child] = met.get(child, 0) + values["met"]
        if values.get("with_records"):
            with_records[child] = with_records.get(child, 0) + values["with_records"]
    # A trainee who earned in several units of ``org`` is counted once per child org and
    # once overall.
    overall_records = sum(with_records.values())
    for units in uow.aggregates.spread_in(org, period_key).values():
        per_child: dict[str, int] = {}
        for unit in units:
            per_child[child_of(org, unit)] = per_child.get(child_of(org, unit), 0) + 1
        for child, n in per_child.items():
            with_records[child] -= n - 1
        overall_records -= len(units) - 1
    # Integers are added up first (exact: millionths), turned into Decimal sums once per
    # child org and platform: a province has thousands of cells, a summary a few dozen.
    cells: dict[tuple[str, str], dict[str, int]] = {}
    for cell in uow.aggregates.totals_in(org, period_key):
        if not (cell.values.get("courses") or cell.values.get("classes")):
            continue  # every row of it is gone
        total = cells.setdefault((child_of(org, cell.unit), cell.institution), {})
        for name, n in cell.values.items():
            total[name] = total.get(name, 0) + n
    by_inst = {key: from_vector(values) for key, values in cells.items()}
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
