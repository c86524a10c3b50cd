"""Gateway jobs, dead letters and outbox cursors: the same behaviour on every adapter."""

from __future__ import annotations

from datetime import timedelta

from lrs.storage.port import DeadLetter, GatewayJob
from lrs.timeutil import utcnow


def _letter(lid: str, job: str = "pa", org: str = "fj/fz", reason: str = "bad") -> DeadLetter:
    return DeadLetter(lid, job, f"item-{lid}", reason, {"statement": {"id": lid}}, org)


def test_jobs_are_saved_replaced_and_listed_by_org(store):
    with store.transaction() as uow:
        uow.gateway.save_job(GatewayJob("b", "pull", "fj/fz", {"endpoint": "http://x"}))
        uow.gateway.save_job(GatewayJob("a", "forward", "hn", {"endpoint": "http://y"}))
        # Visible to its own unit before commit.
        assert uow.gateway.get_job("b").config == {"endpoint": "http://x"}
    with store.transaction() as uow:
        job = uow.gateway.get_job("b")
        assert job.kind == "pull" and not job.paused and job.created is not None
        uow.gateway.save_job(
            GatewayJob("b", "pull", "fj/fz", job.config, {"since": "s1"}, True, job.created)
        )
    with store.read() as uow:
        job = uow.gateway.get_job("b")
        assert job.state == {"since": "s1"} and job.paused
        assert [j.name for j in uow.gateway.list_jobs()] == ["a", "b"]
        assert [j.name for j in uow.gateway.list_jobs("fj")] == ["b"]
        assert uow.gateway.list_jobs("fjx") == []
        assert uow.gateway.get_job("missing") is None


def test_a_dead_letter_put_twice_counts_attempts_and_reopens(store):
    with store.transaction() as uow:
        first = uow.gateway.put_dead_letter(_letter("1"))
        uow.gateway.put_dead_letter(_letter("2", org="hn"))
        assert first.attempts == 1 and first.status == "open"
    with store.transaction() as uow:
        assert uow.gateway.set_dead_letter_status("1", "resolved")
        assert not uow.gateway.set_dead_letter_status("nope", "resolved")
    with store.read() as uow:
        assert [d.id for d in uow.gateway.dead_letters("pa")] == ["2"]
        assert uow.gateway.count_dead_letters("pa") == {"open": 1, "resolved": 1}
    with store.transaction() as uow:
        again = uow.gateway.put_dead_letter(_letter("1", reason="still bad"))
        assert again.attempts == 2 and again.status == "open" and again.reason == "still bad"
    with store.read() as uow:
        letters = uow.gateway.dead_letters("pa")
        assert [d.id for d in letters] == ["1", "2"]  # creation order
        assert letters[0].payload == {"statement": {"id": "1"}}
        assert [d.id for d in uow.gateway.dead_letters(org_scope="fj")] == ["1"]
        assert [d.id for d in uow.gateway.dead_letters(status=None, limit=1)] == ["1"]
        assert uow.gateway.dead_letters("other") == []


def test_outbox_cursor_reads_done_events_too_and_leaves_the_queue_alone(store):
    with store.transaction() as uow:
        for n in range(5):
            uow.outbox.add("statement.stored", {"id": f"s{n}"})
        uow.outbox.add("trainee.linked", {"agent_key": "k"})
    with store.transaction() as uow:
        first = uow.outbox.pending("statement.stored", limit=2)
        uow.outbox.mark_done([e.id for e in first])  # the projector took two
    with store.read() as uow:
        page = uow.outbox.after(None, "statement.stored", limit=3)
        assert [e.payload["id"] for e in page] == ["s0", "s1", "s2"]
        rest = uow.outbox.after(page[-1].id, "statement.stored", limit=10)
        assert [e.payload["id"] for e in rest] == ["s3", "s4"]
        assert uow.outbox.after(rest[-1].id, "statement.stored") == []
        # Events written since a moment are left for a later read.
        past = utcnow() - timedelta(minutes=5)
        assert uow.outbox.after(None, "statement.stored", created_before=past) == []
        assert len(uow.outbox.pending("statement.stored")) == 3
