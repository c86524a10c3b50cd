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
