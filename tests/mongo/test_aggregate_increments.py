"""The aggregates' ``increment`` operation on MongoDB is applied once, even when the
standalone path replays a journal entry after a crash (lrs.storage.mongo.ops)."""

from __future__ import annotations

from lrs.storage.mongo import ops


def test_a_replayed_increment_counts_once(store):
    op = {"op": "increment", "c": "archive_agg_members", "id": "fj/fz/u1",
          "inc": {"trainees": 2}, "doc": {"unit": "fj/fz/u1"}, "op_id": "unit-1"}
    ops.apply(store.db, op)
    ops.apply(store.db, ops.decode(ops.encode(op)))  # the journal's copy, replayed
    ops.apply(store.db, {**op, "inc": {"trainees": -1}, "op_id": "unit-2"})
    doc = store.db["archive_agg_members"].find_one({"_id": "fj/fz/u1"})
    assert doc["trainees"] == 1 and doc["unit"] == "fj/fz/u1"
    assert doc["applied"] == ["unit-1", "unit-2"]
    with store.read() as uow:
        assert uow.aggregates.members_in("fj") == {"fj/fz/u1": 1}


def test_one_increment_per_document_per_unit_of_work(store):
    with store.transaction() as uow:
        for _ in range(30):  # more than the ``applied`` memory, folded into one operation
            uow.aggregates.add_counts("2024", "fj/fz/u1", {"current": 1})
        assert len(uow.recorded("archive_agg_counts", "increment")) == 1
    with store.read() as uow:
        (counts,) = uow.aggregates.counts_in("fj", "2024")
    assert counts.values["current"] == 30
