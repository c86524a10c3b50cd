"""What every storage adapter must do for the archive aggregates (lrs.storage.port.aggregates)."""

from __future__ import annotations

A, A1, A2, AX = "fj", "fj/fz/u1", "fj/xm/u2", "fjx/u3"  # fjx is not under fj
K1, K2 = "a" * 64, "b" * 64


def test_increments_add_up_within_and_across_units_of_work(store):
    with store.transaction() as uow:
        uow.aggregates.add_totals("2024", A1, "inst", {"courses": 1, "hours_required": 500_000})
        uow.aggregates.add_totals("2024", A1, "inst", {"courses": 2, "credits_bonus": 7})
    with store.transaction() as uow:
        uow.aggregates.add_totals("2024", A1, "inst", {"courses": -1})
        uow.aggregates.add_totals("2025", A1, "inst", {"classes": 1})
    with store.read() as uow:
        (cell,) = uow.aggregates.totals_in(A, "2024")
    assert (cell.unit, cell.institution) == (A1, "inst")
    assert cell.values["courses"] == 2 and cell.values["hours_required"] == 500_000
    assert cell.values["credits_bonus"] == 7 and cell.values["classes"] == 0


def test_counts_and_members_are_scoped_by_unit_path(store):
    with store.transaction() as uow:
        for unit in (A1, A2, AX, ""):
            uow.aggregates.add_counts("2024", unit, {"with_records": 1, "current": 2, "met": 1})
            uow.aggregates.add_members(unit, 3)
        uow.aggregates.add_members(A2, -3)  # everyone left: not listed
    with store.read() as uow:
        assert [c.unit for c in uow.aggregates.counts_in(A, "2024")] == [A1, A2]
        assert [c.unit for c in uow.aggregates.counts_in("", "2024")] == ["", A1, A2, AX]
        assert uow.aggregates.counts_in(A1, "2024")[0].values == {
            "with_records": 1, "current": 2, "met": 1}
        assert uow.aggregates.members_in(A) == {A1: 3}
        assert uow.aggregates.members_in("") == {"": 3, A1: 3, AX: 3}
        assert uow.aggregates.counts_in(A, "2025") == []


def test_a_rolled_back_unit_adds_nothing(store):
    try:
        with store.transaction() as uow:
            uow.aggregates.add_members(A1, 5)
            raise RuntimeError("abort")
    except RuntimeError:
        pass
    with store.read() as uow:
        assert uow.aggregates.members_in("") == {}


def test_contributions_are_read_back_in_the_same_unit_and_list_spread_trainees(store):
    with store.transaction() as uow:
        uow.aggregates.put_contribution(K1, "2024", {"current": A1}, [A1, A2])
        uow.aggregates.put_contribution(K2, "2024", {"current": AX}, [AX])
        uow.aggregates.put_contribution(K1, "", {"unit": A1}, [])
        assert uow.aggregates.contributions(K1) == {"2024": {"current": A1}, "": {"unit": A1}}
        assert uow.aggregates.contributions_for([K1, K2], "2024") == {
            K1: {"current": A1}, K2: {"current": AX}}
    with store.read() as uow:
        assert uow.aggregates.contributions_for([K1, K2, "c" * 64], "2024") == {
            K1: {"current": A1}, K2: {"current": AX}}
        assert uow.aggregates.spread_in("", "2024") == {K1: [A1, A2]}
        assert uow.aggregates.spread_in("fj/xm", "2024") == {K1: [A2]}
        assert uow.aggregates.spread_in("fjx", "2024") == {}
    with store.transaction() as uow:
        uow.aggregates.put_contribution(K1, "2024", {"current": A2}, [A2])  # no longer spread
        uow.aggregates.delete_contribution(K2, "2024")
        assert uow.aggregates.contributions_for([K1, K2], "2024") == {K1: {"current": A2}}
    with store.read() as uow:
        assert uow.aggregates.spread_in("", "2024") == {}
        assert uow.aggregates.contributions(K2) == {}


def test_clear_empties_everything_and_later_additions_count(store):
    with store.transaction() as uow:
        uow.aggregates.add_totals("2024", A1, "", {"courses": 1})
        uow.aggregates.add_counts("2024", A1, {"current": 1})
        uow.aggregates.add_members(A1, 1)
        uow.aggregates.put_contribution(K1, "2024", {}, [A1, A2])
    with store.transaction() as uow:
        uow.aggregates.add_members(A1, 1)
        uow.aggregates.clear()
        uow.aggregates.add_members(A1, 1)
    with store.read() as uow:
        assert uow.aggregates.totals_in("", "2024") == []
        assert uow.aggregates.counts_in("", "2024") == []
        assert uow.aggregates.members_in("") == {A1: 1}
        assert uow.aggregates.contributions(K1) == {}
        assert uow.aggregates.spread_in("", "2024") == {}


def test_sums_per_child_org_agree_with_adding_up_the_units(store):
    """What a summary reads (per child org: totals, counts, members, idle units, spread
    excess) equals adding up the per-unit rows, whatever the adapter does in its database."""
    from lrs.storage.port.aggregates import AggregateRepository

    units = ["", "fj", "fj/fz", "fj/fz/u1", "fj/fz/u1/team", "fj/xm/u2", "fjx/u3", "hn/cs/u4"]
    with store.transaction() as uow:
        for n, unit in enumerate(units):
            uow.aggregates.add_totals("2024", unit, "inst-a", {"courses": n, "credits_bonus": 5})
            uow.aggregates.add_totals("2024", unit, "inst-b", {"classes": 1})
            uow.aggregates.add_totals("2024", unit, "gone", {"hours_required": 0})
            uow.aggregates.add_counts("2024", unit, {"with_records": n, "current": n, "met": 1})
            uow.aggregates.add_members(unit, n + 2)
        uow.aggregates.put_contribution(K1, "2024", {}, ["fj/fz/u1", "fj/fz/u1/team", "fj/xm/u2"])
        uow.aggregates.put_contribution(K2, "2024", {}, ["fjx/u3", "hn/cs/u4"])
    with store.read() as uow:
        agg = uow.aggregates
        for org in ("", "fj", "fj/fz", "fj/fz/u1", "hn", "nowhere"):
            assert agg.totals_by_child(org, "2024") == AggregateRepository.totals_by_child(
                agg, org, "2024"), org
            assert agg.counts_by_child(org, "2024") == AggregateRepository.counts_by_child(
                agg, org, "2024"), org
            assert agg.members_by_child(org) == AggregateRepository.members_by_child(agg, org)
            assert agg.idle_in(org, "2024") == AggregateRepository.idle_in(agg, org, "2024")
            assert agg.spread_excess(org, "2024") == AggregateRepository.spread_excess(
                agg, org, "2024"), org
        assert agg.spread_excess("fj", "2024") == ({"fj/fz": 1}, 2)
        assert agg.spread_excess("", "2024") == ({"fj": 2}, 3)
        assert [c.unit for c in agg.totals_by_child("fj", "2024")] == [
            "fj", "fj", "fj/fz", "fj/fz", "fj/xm", "fj/xm"]
        assert agg.members_by_child("") == {"": 2, "fj": 25, "fjx": 8, "hn": 9}
