"""The conflict lists the API, the console and ``lrs trainees`` share
(lrs.domain.identity.conflicts.conflicts_for, parties), on the store the suite selects."""

from __future__ import annotations

import pytest

from lrs.domain.errors import ValidationError
from lrs.domain.identity.conflicts import conflicts_for, parties
from lrs.domain.identity.roles import Reader
from lrs.storage.port import IdentityConflict, Trainee

ROOT = Reader("admin", "")
FZ_UNIT = Reader("unit", "fj/fz")
FJ_DEPARTMENT = Reader("department", "fj")


@pytest.fixture
def recorded(store):
    with store.transaction() as uow:
        for key, org, trainee, other in [("c-fz", "fj/fz", "t1", "t2"),
                                         ("c-xm", "fj/xm", "t3", None),
                                         ("c-fj", "fj", "t1", "t3"),
                                         ("c-old", "fj/fz", "t2", None)]:
            uow.identity_conflicts.record(
                IdentityConflict("account_claim", key, org, trainee, other))
        old = next(c for c in uow.identity_conflicts.list_conflicts() if c.dedupe_key == "c-old")
        assert old.id is not None
        uow.identity_conflicts.close(old.id, "dismissed", {"decision": "dismiss"})
        for key, name in [("t1", "张三"), ("t2", "李四"), ("t3", "王五")]:
            uow.trainees.save(Trainee(key, f"{key}-masked", name))
    return store


def keys(found: list[IdentityConflict]) -> list[str]:
    return [c.dedupe_key for c in found]


def test_each_writer_sees_its_org_subtree(recorded):
    assert keys(conflicts_for(recorded, ROOT)) == ["c-fz", "c-xm", "c-fj"]
    assert keys(conflicts_for(recorded, FJ_DEPARTMENT)) == ["c-fz", "c-xm", "c-fj"]
    # A conflict spanning two units belongs to the department above them, not to a unit.
    assert keys(conflicts_for(recorded, FZ_UNIT)) == ["c-fz"]


def test_roles_that_do_not_write_see_none(recorded):
    assert conflicts_for(recorded, Reader("trainee", "fj/fz", "t1")) == []


def test_status_and_trainee_filters(recorded):
    assert keys(conflicts_for(recorded, ROOT, "all")) == ["c-fz", "c-xm", "c-fj", "c-old"]
    assert keys(conflicts_for(recorded, ROOT, "dismissed")) == ["c-old"]
    assert keys(conflicts_for(recorded, ROOT, "open", trainee_key="t1")) == ["c-fz", "c-fj"]
    assert keys(conflicts_for(recorded, ROOT, limit=1)) == ["c-fz"]
    with pytest.raises(ValidationError) as caught:
        conflicts_for(recorded, ROOT, "closed")
    assert caught.value.path == "status"


def test_parties_are_both_sides_of_each_conflict(recorded):
    found = parties(recorded, conflicts_for(recorded, FZ_UNIT))
    assert {k: t.name for k, t in found.items()} == {"t1": "张三", "t2": "李四"}
    assert parties(recorded, []) == {}
