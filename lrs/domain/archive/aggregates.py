"""The archive's per-unit aggregates, kept by the projector (storage: lrs.storage.port.aggregates).

A department's or province's summary (§9.2) adds up units, never trainees, so
it costs the same at 500 trainees and at 500,000. What belongs where:

* **Earned** credit-hours, credits, courses and classes belong to the unit (and
  institution) the record was earned under, for good: a trainee who moves on
  takes their future with them, never a past unit's totals.
* **Current trainees** and **targets met** belong to the trainee's unit now and
  move with a transfer; a trainee is judged on their whole period, wherever it
  was earned, by the credit policy of their unit now (as the row-by-row summary did).
* **Trainees with records** counts a trainee once per unit they earned in; the few
  who earned in several units of a period are listed (``spread_in``), so a
  summary over several units still counts each of them once.

Every change is applied as a difference: a trainee's *contribution* to a period
(what they add to each of the above) is stored, recomputed from their rows
after the projector changed any of them (a statement, a void, a release, a
re-fold) or when their unit changed (``trainee.moved``), and the new minus the
old is added, in the same unit of work. ``rebuild`` clears everything and counts each
trainee afresh, a page at a time beside the projector; the two agree
(tests/archive/test_aggregates.py).

Policies are applied when a contribution is computed: after credit-policy
assignments change, ``lrs archive rebuild`` re-judges every trainee (the rows
themselves need it too, since credits depend on the policy).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from lrs.domain.archive.policy import CreditPolicy, CreditTotals
from lrs.domain.archive.policy_book import PolicyBook, resolve_period
from lrs.domain.archive.sums import Sums, sums
from lrs.domain.errors import ValidationError
from lrs.storage.port import ArchiveRow, Store, Trainee, UnitOfWork
from lrs.storage.port.aggregates import SCALE, TOTAL_FIELDS

# Where each stored field lives in a Sums.
_PLACES: dict[str, tuple[str, str]] = {
    "credits_required": ("credits", "required"),
    "credits_elective": ("credits", "elective"),
    "credits_classes": ("credits", "classes"),
    "credits_bonus": ("credits", "bonus"),
    "hours_required": ("hours", "required"),
    "hours_elective": ("hours", "elective"),
    "hours_classes": ("hours", "classes"),
}
# The contribution "period" that records which unit counts the trainee as current.
MEMBERSHIP = ""
META = "aggregates"  # archive meta: set once the aggregates cover the whole store
VERSION = 1
PAGE = 500


def to_units(value: Decimal) -> int:
    return int((value * SCALE).to_integral_value(ROUND_HALF_EVEN))


def vector(s: Sums) -> dict[str, int]:
    """A Sums as the stored integers (amounts in millionths)."""
    values = {"courses": s.courses, "classes": s.classes}
    for name, (group, bucket) in _PLACES.items():
        values[name] = to_units(getattr(s, group)[bucket])
    return values


def from_vector(values: Mapping[str, int]) -> Sums:
    result = Sums(courses=int(values.get("courses", 0)), classes=int(values.get("classes", 0)))
    for name, (group, bucket) in _PLACES.items():
        getattr(result, group)[bucket] = Decimal(int(values.get(name, 0))) / SCALE
    return result


class Judge:
    """Whether a trainee's period totals meet the targets of their unit's policy,
    memoised per (unit, period, totals): many trainees share a unit and a verdict."""

    def __init__(self, book: PolicyBook, today: date) -> None:
        self.book, self.today = book, today
        self._policies: dict[tuple[str, str], CreditPolicy] = {}
        self._verdicts: dict[tuple[int, CreditTotals], bool] = {}

    def policy(self, unit: str, period_key: str) -> CreditPolicy:
        key = (unit, period_key)
        if key not in self._policies:
            try:
                self._policies[key] = resolve_period(self.book, unit, period_key, self.today)[0]
            except ValidationError:  # a period the unit's policies do not know
                self._policies[key] = self.book.for_org(unit, self.today)
        return self._policies[key]

    def met(self, unit: str, period_key: str, totals: CreditTotals) -> bool:
        policy = self.policy(unit, period_key)
        key = (id(policy), totals)
        if key not in self._verdicts:
            self._verdicts[key] = policy.evaluate(totals).met is True
        return self._verdicts[key]


def contribution(
    rows: list[ArchiveRow], trainee: Trainee | None, period_key: str, judge: Judge
) -> dict[str, Any] | None:
    """What a trainee's rows of one period add to the aggregates; None without rows."""
    if not rows:
        return None
    earned: dict[str, dict[str, Sums]] = {}
    for row in rows:
        cell = earned.setdefault(row.unit, {}).setdefault(row.institution, Sums())
        cell.add(row)
    current = trainee.unit if trainee is not None else None
    met = current is not None and judge.met(current, period_key, sums(rows).totals())
    return {
        "earned": {unit: {inst: vector(s) for inst, s in cells.items()}
                   for unit, cells in earned.items()},
        "current": current,
        "met": met,
    }


class Changes:
    """The differences of one batch, merged per aggregate cell and written once: many
    trainees of a batch share a unit, so a cell gets one increment, not one each."""

    def __init__(self) -> None:
        self.totals: dict[tuple[str, str, str], dict[str, int]] = {}
        self.counts: dict[tuple[str, str], dict[str, int]] = {}
        self.members: dict[str, int] = {}
        # (trainee, period) → (contribution or None, its units, whether they changed)
        self.contributions: dict[tuple[str, str],
                                 tuple[dict[str, Any] | None, list[str], bool]] = {}

    def add(self, cells: dict[Any, dict[str, int]], key: Any, delta: Mapping[str, int]) -> None:
        cell = cells.setdefault(key, {})
        for name, n in delta.items():
            cell[name] = cell.get(name, 0) + n

    def write(self, uow: UnitOfWork) -> None:
        for (period_key, unit, inst), delta in sorted(self.totals.items()):
            if any(delta.values()):
                uow.aggregates.add_totals(period_key, unit, inst,
                                          {k: v for k, v in delta.items() if v})
        for (period_key, unit), delta in sorted(self.counts.items()):
            if any(delta.values()):
                uow.aggregates.add_counts(period_key, unit,
                                          {k: v for k, v in delta.items() if v})
        for unit, n in sorted(self.members.items()):
            uow.aggregates.add_members(unit, n)
        for (trainee_key, period_key), (data, units, changed) in self.contributions.items():
            if data is None:
                uow.aggregates.delete_contribution(trainee_key, period_key)
            else:
                uow.aggregates.put_contribution(trainee_key, period_key, data, units, changed)


def apply_change(
    changes: Changes, trainee_key: str, period_key: str,
    old: dict[str, Any] | None, new: dict[str, Any] | None,
) -> None:
    """Add ``new`` minus ``old`` to ``changes`` and store ``new`` as the contribution."""
    if old == new:
        return
    old_earned = (old or {}).get("earned", {})
    new_earned = (new or {}).get("earned", {})
    for unit in {*old_earned, *new_earned}:
        before, after = old_earned.get(unit, {}), new_earned.get(unit, {})
        for inst in {*before, *after}:
            delta = _minus(after.get(inst, {}), before.get(inst, {}))
            if delta:
                changes.add(changes.totals, (period_key, unit, inst), delta)
    for unit in set(new_earned) - set(old_earned):
        changes.add(changes.counts, (period_key, unit), {"with_records": 1})
    for unit in set(old_earned) - set(new_earned):
        changes.add(changes.counts, (period_key, unit), {"with_records": -1})
    for side, sign in ((old, -1), (new, 1)):
        if side is not None and side.get("current") is not None:
            changes.add(changes.counts, (period_key, side["current"]),
                        {"current": sign, "met": sign * int(bool(side.get("met")))})
    changes.contributions[(trainee_key, period_key)] = (
        new, sorted(new_earned), old is None or set(old_earned) != set(new_earned))


def _minus(a: Mapping[str, int], b: Mapping[str, int]) -> dict[str, int]:
    return {name: a.get(name, 0) - b.get(name, 0) for name in TOTAL_FIELDS
            if a.get(name, 0) != b.get(name, 0)}


# known(trainee, period, rows the table held) → the pair's rows now, or None.
KnownRows = Callable[[str, str, int], list[ArchiveRow] | None]


def settle(
    uow: UnitOfWork, touched: Iterable[tuple[str, str]], judge: Judge,
    known: KnownRows | None = None,
) -> None:
    """Recompute the contributions of these (trainee, period) pairs from their rows (as
    this unit of work sees them) and apply the differences.

    ``known`` (the projector's row cache) gives a pair's rows when it read every row the
    pair had: their number is the stored contribution's (each row counts one course or
    one class). Only the other pairs are read back. That count is only relied on where
    the aggregates are kept (``ready``): elsewhere contributions may be missing.
    """
    if known is not None and not ready(uow):
        known = None
    changes = Changes()
    by_period: dict[str, set[str]] = {}
    for trainee_key, period_key in touched:
        by_period.setdefault(period_key, set()).add(trainee_key)
    for period_key, keys in sorted(by_period.items()):
        wanted = sorted(keys)
        old = uow.aggregates.contributions_for(wanted, period_key)
        rows: dict[str, list[ArchiveRow]] = {}
        unread = []
        for key in wanted:
            held = None if known is None else known(key, period_key, row_count(old.get(key)))
            if held is None:
                unread.append(key)
            else:
                rows[key] = held
        if unread:
            for row in uow.archive.rows_for_trainees(unread, period_key):
                rows.setdefault(row.trainee_key, []).append(row)
        trainees = uow.trainees.get_many(wanted)
        for key in wanted:
            new = contribution(rows.get(key, []), trainees.get(key), period_key, judge)
            apply_change(changes, key, period_key, old.get(key), new)
    changes.write(uow)


def row_count(contribution: Mapping[str, Any] | None) -> int:
    """How many archive rows a stored contribution was made from."""
    if contribution is None:
        return 0
    return sum(int(values.get("courses", 0)) + int(values.get("classes", 0))
               for cells in contribution.get("earned", {}).values() for values in cells.values())


def moved(uow: UnitOfWork, trainee_key: str, judge: Judge) -> None:
    """Make the aggregates agree with the registry about where the trainee is now (after
    ``trainee.moved``): the current-trainee count moves, and so does every period's
    judgement of them. Idempotent: a replayed event, or one applied after a rebuild
    that already saw the move, changes nothing."""
    trainee = uow.trainees.get(trainee_key)
    after = trainee.unit if trainee is not None else None
    changes = Changes()
    stored = uow.aggregates.contributions(trainee_key)
    counted = stored.pop(MEMBERSHIP, None)
    before = counted.get("unit") if counted is not None else None
    if counted is None or before != after:
        if counted is not None and before is not None:
            changes.members[before] = changes.members.get(before, 0) - 1
        if after is not None:
            changes.members[after] = changes.members.get(after, 0) + 1
        changes.contributions[(trainee_key, MEMBERSHIP)] = (
            None if after is None else {"unit": after}, [], counted is None)
    for period_key, old in sorted(stored.items()):
        if old.get("current") == after:
            continue
        new = dict(old)
        new["current"] = after
        totals = from_earned(old.get("earned", {})).totals()
        new["met"] = after is not None and judge.met(after, period_key, totals)
        apply_change(changes, trainee_key, period_key, old, new)
    changes.write(uow)


def from_earned(earned: Mapping[str, Mapping[str, Mapping[str, int]]]) -> Sums:
    """The Sums of a contribution's earned cells, all units together."""
    total: dict[str, int] = {}
    for cells in earned.values():
        for values in cells.values():
            for name, n in values.items():
                total[name] = total.get(name, 0) + n
    return from_vector(total)


def ready(uow: UnitOfWork) -> bool:
    """Whether the aggregates cover the whole store (else summaries read rows)."""
    return (uow.archive.get_meta(META) or {}).get("version") == VERSION


def rebuild(store: Store, book: PolicyBook, today: date,
            progress: Callable[[int], None] | None = None) -> int:
    """Clear the aggregates and count every trainee afresh, a page of trainees per unit of
    work, so the projector (which takes the same lock) waits for one page, not the whole
    province. Returns the trainees counted.

    Until the last page, summaries read the rows (the marker is unset). The projector may
    count trainees in between: whatever it stored is the "old" a page's recount is applied
    against, so nobody is counted twice, and a trainee it moved keeps its new unit."""
    judge = Judge(book, today)
    with store.transaction() as uow:
        uow.archive.lock_projector()
        uow.aggregates.clear()
        uow.archive.set_meta(META, {})
    count = 0
    after: str | None = None
    while True:
        with store.transaction() as uow:
            uow.archive.lock_projector()
            page = uow.trainees.list_trainees(None, after, PAGE)
            changes = Changes()
            for trainee in page:
                _recount(uow, changes, trainee, judge)
            changes.write(uow)
        count += len(page)
        if progress is not None and page:
            progress(len(page))
        if len(page) < PAGE:
            break
        after = page[-1].key
    with store.transaction() as uow:
        uow.archive.lock_projector()
        uow.archive.set_meta(META, {"version": VERSION})
    return count


def _recount(uow: UnitOfWork, changes: Changes, trainee: Trainee, judge: Judge) -> None:
    """The trainee's membership and contributions from the registry and their rows, applied
    as differences from what is stored (nothing, unless the projector counted them since
    the rebuild cleared the aggregates)."""
    stored = uow.aggregates.contributions(trainee.key)
    counted = stored.pop(MEMBERSHIP, None)
    before = counted.get("unit") if counted is not None else None
    if counted is None or before != trainee.unit:
        if before is not None:
            changes.members[before] = changes.members.get(before, 0) - 1
        changes.members[trainee.unit] = changes.members.get(trainee.unit, 0) + 1
        changes.contributions[(trainee.key, MEMBERSHIP)] = (
            {"unit": trainee.unit}, [], counted is None)
    by_period: dict[str, list[ArchiveRow]] = {}
    for row in uow.archive.rows_for_trainee(trainee.key):
        by_period.setdefault(row.period_key, []).append(row)
    for period_key in sorted({*by_period, *stored}):
        new = contribution(by_period.get(period_key, []), trainee, period_key, judge)
        apply_change(changes, trainee.key, period_key, stored.get(period_key), new)
