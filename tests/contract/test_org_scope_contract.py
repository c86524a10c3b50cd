"""Org scopes are exact, case-sensitive path prefixes on every adapter: ``fj`` covers
``fj`` and ``fj/…``, never ``fjx/…``, ``FJ/…`` or ``fj_x`` (LIKE's wildcards and case)."""

from __future__ import annotations

from lrs.storage.port import Trainee


def test_trainee_listing_scope_is_an_exact_prefix(store):
    units = ["fj", "fj/fz/u1", "fjx/u2", "FJ/u3", "fj_x/u4", "fj%/u5", "f/j"]
    with store.transaction() as uow:
        for n, unit in enumerate(units):
            uow.trainees.save(Trainee(key=f"{n:064d}", masked_id="x", unit=unit))
    with store.read() as uow:
        found = sorted(t.unit for t in uow.trainees.list_trainees("fj", None, 100))
        assert found == ["fj", "fj/fz/u1"]
        assert [t.unit for t in uow.trainees.list_trainees("fj/fz", None, 100)] == ["fj/fz/u1"]
        assert [t.unit for t in uow.trainees.list_trainees("FJ", None, 100)] == ["FJ/u3"]
        assert [t.unit for t in uow.trainees.list_trainees("fj%", None, 100)] == ["fj%/u5"]
