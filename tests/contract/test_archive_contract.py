"""The learning-archive repository (``uow.archive``) and outbox lag, on every adapter."""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from lrs.domain.archive import ledger
from lrs.storage.port import ArchiveRow, LedgerDraft, ProjectedStatement

T1 = "a" * 64
T2 = "b" * 64
NOW = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)


def row(trainee=T1, kind="course", period="2024", activity="http://x/c/1", unit="fj/fz/u1",
        **data):
    return ArchiveRow(kind, trainee, period, activity, unit, "inst", "fj", {"n": 1, **data})


def draft(statement_id="s1", hours="1", activity="http://x/c/1", **kw):
    return LedgerDraft(
        period_key=kw.pop("period", "2024"), kind=kw.pop("kind", "course"),
        activity_id=activity, credit_hours=Decimal(hours), credits=Decimal(hours),
        requirement="required", unit="fj/fz/u1", policy_id="p", statement_id=statement_id, **kw,
    )


class TestRows:
    def test_save_get_replace(self, store):
        with store.transaction() as uow:
            uow.archive.save_row(row(credits="0.25", nested={"a.b": [1, "二"]}))
            # A unit sees its own writes.
            mine = uow.archive.get_row("course", T1, "2024", "http://x/c/1")
            assert mine.data["credits"] == "0.25"
        with store.transaction() as uow:
            uow.archive.save_row(row(credits="0.5"))
        with store.read() as uow:
            got = uow.archive.get_row("course", T1, "2024", "http://x/c/1")
            assert got.data == {"n": 1, "credits": "0.5"}
            assert (got.unit, got.institution, got.org) == ("fj/fz/u1", "inst", "fj")
            assert uow.archive.get_row("class", T1, "2024", "http://x/c/1") is None

    def test_rollback_discards(self, store):
        with pytest.raises(RuntimeError), store.transaction() as uow:
            uow.archive.save_row(row())
            raise RuntimeError
        with store.read() as uow:
            assert uow.archive.rows_for_trainee(T1) == []

    def test_queries_by_trainee_activity_and_unit_prefix(self, store):
        with store.transaction() as uow:
            uow.archive.save_row(row(period="2023"))
            uow.archive.save_row(row())
            uow.archive.save_row(row(kind="class", activity="http://x/k/1"))
            uow.archive.save_row(row(trainee=T2, unit="fj/fz/u2"))
            uow.archive.save_row(row(trainee=T2, activity="http://x/c/2", unit="fj/fzx"))
            uow.archive.save_row(row(trainee=T2, activity="http://x/c/3", unit="fj/xm/u3"))
        with store.read() as uow:
            assert [(r.kind, r.period_key) for r in uow.archive.rows_for_trainee(T1)] == [
                ("class", "2024"), ("course", "2023"), ("course", "2024")]
            assert len(uow.archive.rows_for_trainee(T1, "2024")) == 2
            assert [r.period_key for r in uow.archive.rows_for_activity(T1, "http://x/c/1")] == [
                "2023", "2024"]
            fz = uow.archive.rows_in_units("fj/fz", "2024")
            assert [(r.trainee_key, r.unit) for r in fz] == [
                (T1, "fj/fz/u1"), (T1, "fj/fz/u1"), (T2, "fj/fz/u2")]  # not fj/fzx
            assert len(uow.archive.rows_in_units("", "2024")) == 5
            first = uow.archive.rows_in_units("fj", "2024", limit=2)
            last = first[-1]
            rest = uow.archive.rows_in_units(
                "fj", "2024", (last.trainee_key, last.kind, last.period_key, last.activity_id)
            )
            assert len(first) + len(rest) == 5
            assert uow.archive.trainees_in_units("fj/fz", "2024") == [T1, T2]
            assert uow.archive.trainees_in_units("fj/fz/u2", "2024") == [T2]
            assert uow.archive.trainees_in_units("fj/fz/u1", "2023") == [T1]
            assert uow.archive.trainees_in_units("", "2024") == [T1, T2]
            assert uow.archive.trainees_in_units("fj/fz", "2025") == []

    def test_rows_for_many_trainees(self, store):
        T3 = "c" * 64
        with store.transaction() as uow:
            uow.archive.save_row(row(period="2023"))
            uow.archive.save_row(row(kind="class", activity="http://x/k/1"))
            uow.archive.save_row(row())
            uow.archive.save_row(row(trainee=T2, unit="fj/xm/u3"))
            uow.archive.save_row(row(trainee=T3))
            # A unit sees its own writes.
            assert [r.trainee_key for r in uow.archive.rows_for_trainees([T2], "2024")] == [T2]
        with store.read() as uow:
            got = uow.archive.rows_for_trainees([T2, T1, T1, "d" * 64], "2024")
            assert [(r.trainee_key, r.kind, r.period_key, r.activity_id) for r in got] == [
                (T1, "class", "2024", "http://x/k/1"), (T1, "course", "2024", "http://x/c/1"),
                (T2, "course", "2024", "http://x/c/1")]
            assert got[2].unit == "fj/xm/u3" and got[2].data == {"n": 1}
            assert uow.archive.rows_for_trainees([], "2024") == []
            assert uow.archive.rows_for_trainees([T1, T2, T3], "2023") == (
                uow.archive.rows_for_trainee(T1, "2023"))
            # Past one batch of keys: every key's rows, still in key order.
            many = [f"{i:064x}" for i in range(1200)] + [T3, T1]
            assert [r.trainee_key for r in uow.archive.rows_for_trainees(many, "2024")] == [
                T1, T1, T3]

    def test_unit_prefix_is_exact_and_case_sensitive(self, store):
        with store.transaction() as uow:
            for i, unit in enumerate(["fj/fz", "fj/fz/a", "fj/fz-x", "fj/fz.x", "fj/fz0",
                                      "fj/fza", "FJ/FZ/b", "fj/f", "fj/fz/a/b"]):
                uow.archive.save_row(row(activity=f"http://x/c/{i}", unit=unit))
        with store.read() as uow:
            got = sorted(r.unit for r in uow.archive.rows_in_units("fj/fz", "2024"))
            assert got == ["fj/fz", "fj/fz/a", "fj/fz/a/b"]
            assert uow.archive.trainees_in_units("fj/fz", "2024") == [T1]
            assert uow.archive.trainees_in_units("fj/fz/b", "2024") == []

    def test_delete_rows_keeps_the_ledger(self, store):
        with store.transaction() as uow:
            uow.archive.save_row(row())
            uow.archive.mark_projected(ProjectedStatement("s1", T1, (("course", "2024", "c"),)))
            ledger.append(uow, T1, draft(), NOW)
        with store.transaction() as uow:
            assert uow.archive.delete_rows() == 1
        with store.read() as uow:
            assert uow.archive.rows_for_trainee(T1) == []
            assert uow.archive.projected(["s1"]) == {}
            assert len(uow.archive.ledger(T1)) == 1


class TestMarkers:
    def test_projected_markers(self, store):
        with store.transaction() as uow:
            uow.archive.mark_projected(
                ProjectedStatement("s1", T1, (("course", "2024", "http://x/c/1"),), NOW)
            )
            assert set(uow.archive.projected(["s1", "s2"])) == {"s1"}
        with store.read() as uow:
            marker = uow.archive.projected(["s1"])["s1"]
            assert marker.trainee_key == T1
            assert marker.rows == (("course", "2024", "http://x/c/1"),)


    def test_clear_projected_markers(self, store):
        with store.transaction() as uow:
            for sid in ("s1", "s2", "s3"):
                uow.archive.mark_projected(ProjectedStatement(sid, T1, (), NOW))
        with store.transaction() as uow:
            uow.archive.clear_projected(["s1", "s3", "absent"])
            assert set(uow.archive.projected(["s1", "s2", "s3"])) == {"s2"}  # own writes
            # Cleared then marked again in one unit (released, projected elsewhere).
            uow.archive.mark_projected(ProjectedStatement("s3", T2, (), NOW))
            assert uow.archive.projected(["s3"])["s3"].trainee_key == T2
        with store.read() as uow:
            found = uow.archive.projected(["s1", "s2", "s3"])
            assert set(found) == {"s2", "s3"} and found["s3"].trainee_key == T2
        with pytest.raises(RuntimeError), store.transaction() as uow:
            uow.archive.clear_projected(["s2"])
            raise RuntimeError("rolled back")
        with store.read() as uow:
            assert set(uow.archive.projected(["s2"])) == {"s2"}


class TestDeleteRow:
    def test_delete_one_row(self, store):
        with store.transaction() as uow:
            uow.archive.save_row(row())
            uow.archive.save_row(row(activity="http://x/c/2"))
            uow.archive.save_row(row(trainee=T2))
        with store.transaction() as uow:
            uow.archive.delete_row("course", T1, "2024", "http://x/c/1")
            uow.archive.delete_row("course", T1, "2024", "http://x/c/absent")
            # A unit sees its own delete, in lookups and in queries.
            assert uow.archive.get_row("course", T1, "2024", "http://x/c/1") is None
            assert [r.activity_id for r in uow.archive.rows_for_trainee(T1)] == ["http://x/c/2"]
            assert uow.archive.rows_for_activity(T1, "http://x/c/1") == []
        with store.read() as uow:
            assert uow.archive.get_row("course", T1, "2024", "http://x/c/1") is None
            assert [r.activity_id for r in uow.archive.rows_for_trainee(T1)] == ["http://x/c/2"]
            assert len(uow.archive.rows_for_trainee(T2)) == 1

    def test_deleted_then_saved_in_one_unit(self, store):
        with store.transaction() as uow:
            uow.archive.save_row(row(credits="1"))
        with store.transaction() as uow:
            uow.archive.delete_row("course", T1, "2024", "http://x/c/1")
            uow.archive.save_row(row(credits="2"))
        with store.read() as uow:
            assert uow.archive.get_row("course", T1, "2024", "http://x/c/1").data["credits"] == "2"


class TestUnattributedMarkers:
    def test_mark_list_in_store_order_and_clear(self, store):
        agent, other = "account:https://fsa.example.gov.cn|t1", "mbox:mailto:o@example.com"
        with store.transaction() as uow:
            uow.archive.mark_unattributed("s9", 9, agent)
            uow.archive.mark_unattributed("s3", 3, agent)
            uow.archive.mark_unattributed("s3", 3, agent)  # idempotent (a replayed batch)
            uow.archive.mark_unattributed("s5", 5, other)
            assert uow.archive.unattributed(agent) == ["s3", "s9"]  # a unit sees its own
        with store.transaction() as uow:
            uow.archive.mark_unattributed("s7", 7, agent)
            assert uow.archive.unattributed(agent) == ["s3", "s7", "s9"]
            uow.archive.clear_unattributed(agent, ["s3", "s9", "absent"])
            assert uow.archive.unattributed(agent) == ["s7"]
            # Cleared then marked again in one unit (projected, still unattributed).
            uow.archive.clear_unattributed(agent, ["s7"])
            uow.archive.mark_unattributed("s7", 7, agent)
        with store.read() as uow:
            assert uow.archive.unattributed(agent) == ["s7"]
            assert uow.archive.unattributed(other) == ["s5"]
            assert uow.archive.unattributed("nobody") == []

    def test_rollback_discards_and_delete_rows_clears(self, store):
        with pytest.raises(RuntimeError), store.transaction() as uow:
            uow.archive.mark_unattributed("s1", 1, "k")
            raise RuntimeError
        with store.transaction() as uow:
            assert uow.archive.unattributed("k") == []
            uow.archive.mark_unattributed("s2", 2, "k")
        with store.transaction() as uow:
            uow.archive.delete_rows()
        with store.read() as uow:
            assert uow.archive.unattributed("k") == []


class TestLedger:
    def test_append_chain_and_verify(self, store):
        with store.transaction() as uow:
            first = ledger.append(uow, T1, draft("s1", "0.25"), NOW)
            second = ledger.append(uow, T1, draft("s2", "0.5"), NOW)
            ledger.append(uow, T2, draft("s3"), NOW)
            assert uow.archive.last_entry(T1).seq == 2  # sees its own appends
        assert (first.seq, second.seq, second.prev_hash) == (1, 2, first.hash)
        with store.transaction() as uow:
            reversal = ledger.append(
                uow, T1, draft("v1", "-0.25", reverses=1, reason="voided"), NOW
            )
        assert reversal.seq == 3 and reversal.credit_hours == Decimal("-0.25")
        with store.read() as uow:
            entries = uow.archive.ledger(T1)
            assert [e.seq for e in entries] == [1, 2, 3]
            assert entries[0].credit_hours == Decimal("0.25") and entries[2].reverses == 1
            assert entries[0].recorded == first.recorded
            assert [e.seq for e in uow.archive.ledger(T1, after_seq=1, limit=1)] == [2]
            assert [e.statement_id for e in uow.archive.entries_for_statement("s2")] == ["s2"]
            assert uow.archive.ledger_trainees() == [T1, T2]
            assert uow.archive.ledger_trainees(T1) == [T2]
            check = ledger.verify(uow, T1)
            assert check.ok and check.entries == 3
            assert [e.seq for e in ledger.net_entries(entries)] == [2]

    def test_seq_is_unique_per_trainee(self, store):
        with store.transaction() as uow:
            entry = ledger.append(uow, T1, draft(), NOW)
        # A second entry with the same (trainee, seq) never lands: SQLite refuses it,
        # MongoDB's unique _id makes it a no-op (a journal replay); either way one stays.
        with contextlib.suppress(sqlite3.IntegrityError), store.transaction() as uow:
            uow.archive.append(replace(entry, statement_id="other"))
        with store.read() as uow:
            assert [e.statement_id for e in uow.archive.ledger(T1)] == ["s1"]


class TestMetaAndLag:
    def test_meta(self, store):
        with store.transaction() as uow:
            assert uow.archive.get_meta("projector") is None
            uow.archive.set_meta("projector", {"lastEventId": "7", "n": 1})
        with store.read() as uow:
            assert uow.archive.get_meta("projector") == {"lastEventId": "7", "n": 1}

    def test_outbox_lag(self, store):
        with store.read() as uow:
            lag = uow.outbox.lag()
            assert (lag.pending, lag.oldest_pending) == (0, None)
        with store.transaction() as uow:
            uow.outbox.add("statement.stored", {"id": "1"})
            uow.outbox.add("trainee.linked", {"agent_key": "k", "trainee_key": T1})
        with store.transaction() as uow:
            uow.archive.lock_projector()
            events = uow.outbox.pending()
            assert uow.outbox.lag().pending == 2
            uow.outbox.mark_done([events[0].id])
        with store.read() as uow:
            lag = uow.outbox.lag()
            assert lag.pending == 1 and lag.oldest_pending is not None
