"""What every storage adapter must do, whatever database is behind it."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from lrs.domain.activities import save_definitions
from lrs.storage.port import (
    ANY,
    Attachment,
    ConcurrentUpdate,
    Credential,
    Document,
    DocumentKey,
    DocumentScope,
    PatternState,
    StatementQuery,
    StatementRecord,
    Violation,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def record(n: int, **overrides) -> StatementRecord:
    sid = overrides.pop("id", str(uuid.UUID(int=n)))
    fields = dict(
        id=sid,
        statement={"id": sid, "n": n},
        stored=T0 + timedelta(seconds=n),
        org="fj/fz",
        authority_key="key-a",
        verb_id="http://adlnet.gov/expapi/verbs/completed",
        agents=(("actor", "mbox:mailto:a@example.com"),),
        activities=(("object", "http://example.com/course/1"),),
    )
    fields.update(overrides)
    return StatementRecord(**fields)


def add_all(store, *records):
    with store.transaction() as uow:
        for r in records:
            assert uow.statements.add(r) is None


def ids(records):
    return [r.statement["n"] for r in records]


def query(store, **kw):
    with store.read() as uow:
        return uow.statements.query(StatementQuery(**kw))


class TestStatements:
    def test_add_then_get_round_trips(self, store):
        add_all(store, record(1, registration="11111111-1111-1111-1111-111111111111"))
        with store.read() as uow:
            got = uow.statements.get(str(uuid.UUID(int=1)))
        assert got.statement == {"id": str(uuid.UUID(int=1)), "n": 1}
        assert got.stored == T0 + timedelta(seconds=1)
        assert got.registration == "11111111-1111-1111-1111-111111111111"
        assert got.org == "fj/fz" and got.authority_key == "key-a" and got.seq >= 1

    def test_get_many_returns_what_get_returns(self, store):
        add_all(store, record(1), record(2, statement={"id": "x", "n": 2, "big": 10**30}))
        with store.transaction() as uow:
            uow.statements.mark_voided(str(uuid.UUID(int=2)))
            found = uow.statements.get_many(
                [str(uuid.UUID(int=n)) for n in (2, 1, 3, 1)]  # 3 is absent
            )
            assert set(found) == {str(uuid.UUID(int=1)), str(uuid.UUID(int=2))}
            for sid, got in found.items():
                assert got == uow.statements.get(sid)
            assert found[str(uuid.UUID(int=2))].voided  # this unit's own void is seen
            assert found[str(uuid.UUID(int=2))].statement["big"] == 10**30  # exact
            assert uow.statements.get_many([]) == {}

    def test_duplicate_id_returns_existing_and_writes_nothing(self, store):
        add_all(store, record(1))
        with store.transaction() as uow:
            existing = uow.statements.add(record(1, statement={"other": True}))
        assert existing is not None and existing.statement["n"] == 1
        assert ids(query(store)) == [1]

    def test_uncommitted_unit_of_work_leaves_nothing(self, store):
        with pytest.raises(RuntimeError), store.transaction() as uow:
            uow.statements.add(record(1))
            uow.outbox.add("statement.stored", {"id": "x"})
            raise RuntimeError("boom")
        assert query(store) == []
        with store.read() as uow:
            assert uow.outbox.pending() == []

    def test_seq_grows_in_commit_order_and_default_order_is_newest_first(self, store):
        add_all(store, record(1), record(2))
        add_all(store, record(3))
        assert ids(query(store)) == [3, 2, 1]
        assert ids(query(store, ascending=True)) == [1, 2, 3]
        newest = query(store)[0]
        with store.read() as uow:
            assert uow.statements.last_seq() == newest.seq
            assert uow.statements.last_stored() == T0 + timedelta(seconds=3)

    def test_keyset_paging_and_snapshot(self, store):
        add_all(store, *[record(n) for n in range(1, 6)])
        first = query(store, limit=2)
        assert ids(first) == [5, 4]
        snapshot = first[0].seq
        add_all(store, record(6))
        second = query(store, limit=2, after_seq=first[-1].seq, max_seq=snapshot)
        assert ids(second) == [3, 2]
        asc = query(store, ascending=True, limit=2, after_seq=second[0].seq)
        assert ids(asc) == [4, 5]

    def test_filters(self, store):
        reg = "22222222-2222-2222-2222-222222222222"
        add_all(
            store,
            record(1),
            record(2, verb_id="http://adlnet.gov/expapi/verbs/passed", registration=reg),
            record(3, agents=(("actor", "mbox:mailto:b@example.com"),)),
            record(
                4,
                agents=(
                    ("actor", "mbox:mailto:b@example.com"),
                    ("instructor", "mbox:mailto:a@example.com"),
                ),
                activities=(
                    ("object", "http://example.com/c/2"),
                    ("parent", "http://example.com/course/1"),
                ),
            ),
        )
        assert ids(query(store, verb_id="http://adlnet.gov/expapi/verbs/passed")) == [2]
        assert ids(query(store, registration=reg)) == [2]
        assert ids(query(store, agent_keys=("mbox:mailto:a@example.com",))) == [2, 1]
        assert ids(
            query(store, agent_keys=("mbox:mailto:a@example.com",), related_agents=True)
        ) == [4, 2, 1]
        assert ids(
            query(store, agent_keys=("mbox:mailto:a@example.com", "mbox:mailto:b@example.com"))
        ) == [4, 3, 2, 1]
        assert ids(query(store, activity_id="http://example.com/course/1")) == [3, 2, 1]
        assert ids(
            query(store, activity_id="http://example.com/course/1", related_activities=True)
        ) == [4, 3, 2, 1]
        assert ids(query(store, since=T0 + timedelta(seconds=2))) == [4, 3]
        assert ids(query(store, until=T0 + timedelta(seconds=2))) == [2, 1]

    def test_statements_targeting_a_match_match_too(self, store):
        passed = "http://adlnet.gov/expapi/verbs/passed"
        add_all(
            store,
            record(1, verb_id=passed, voided=True),
            record(2, object_ref=str(uuid.UUID(int=1)), activities=()),
            record(3),
        )
        assert ids(query(store, verb_id=passed)) == [2]
        assert ids(query(store)) == [3, 2]

    def test_voided_statements_leave_queries_but_not_get(self, store):
        add_all(store, record(1), record(2))
        with store.transaction() as uow:
            uow.statements.mark_voided(str(uuid.UUID(int=1)))
        assert ids(query(store)) == [2]
        assert ids(query(store, include_voided=True)) == [2, 1]
        with store.read() as uow:
            assert uow.statements.get(str(uuid.UUID(int=1))).voided is True

    def test_org_scope_sees_its_subtree_only(self, store):
        add_all(
            store,
            record(1, org="fj"),
            record(2, org="fj/fz"),
            record(3, org="fjx"),
            record(4, org="hn"),
        )
        assert ids(query(store, org_scope="fj")) == [2, 1]
        assert ids(query(store, org_scope="fj/fz")) == [2]
        assert ids(query(store, org_scope="")) == [4, 3, 2, 1]
        with store.read() as uow:
            assert uow.statements.get(str(uuid.UUID(int=4)), org_scope="fj") is None
            assert uow.statements.get(str(uuid.UUID(int=4)), org_scope="hn") is not None

    def test_org_scope_escapes_like_wildcards(self, store):
        add_all(store, record(1, org="a_b"), record(2, org="axb/c"))
        assert ids(query(store, org_scope="a_b")) == [1]

    def test_mine_filters_by_authority(self, store):
        add_all(store, record(1), record(2, authority_key="key-b"))
        assert ids(query(store, authority_key="key-b")) == [2]

    def test_concurrent_writers_of_one_id_store_it_once(self, store):
        results = []

        def write():
            with store.transaction() as uow:
                results.append(uow.statements.add(record(7)))

        threads = [threading.Thread(target=write) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sum(r is None for r in results) == 1
        assert ids(query(store)) == [7]


class TestCheckpoint:
    def test_a_checkpoint_keeps_what_was_committed_and_may_run_any_time(self, store):
        with store.transaction() as uow:
            uow.activities.save_definition("http://x/kept", {"name": {"en": "K"}})
        store.checkpoint()  # SQLite: the log copied into the file; MongoDB: nothing to do
        store.checkpoint()
        with store.read() as uow:
            assert uow.activities.get("http://x/kept") == {"name": {"en": "K"}}


class TestActivities:
    def test_save_definition_keeps_what_it_is_given(self, store):
        with store.transaction() as uow:
            uow.activities.save_definition("http://x/a", {"name": {"en": "A"}})
            uow.activities.save_definition("http://x/a", {"name": {"zh-CN": "甲"}})
            assert uow.activities.get("http://x/a") == {"name": {"zh-CN": "甲"}}
        with store.read() as uow:
            assert uow.activities.get("http://x/a") == {"name": {"zh-CN": "甲"}}
            assert uow.activities.get("http://x/none") is None

    def test_get_many_reads_the_defined_ones_with_this_units_writes(self, store):
        with store.transaction() as uow:
            for n in range(600):  # more than one chunk of bound parameters
                uow.activities.save_definition(f"http://x/{n}", {"name": {"en": str(n)}})
        with store.transaction() as uow:
            uow.activities.save_definition("http://x/1", {"name": {"zh-CN": "一"}})
            wanted = [f"http://x/{n}" for n in range(0, 600, 7)] + ["http://x/1", "http://x/no"]
            found = uow.activities.get_many(wanted)
            assert found["http://x/1"] == {"name": {"zh-CN": "一"}}  # this unit's write
            assert found["http://x/595"] == {"name": {"en": "595"}}
            assert set(found) == set(wanted) - {"http://x/no"}
        with store.read() as uow:
            assert uow.activities.get_many([]) == {}

    def test_definitions_merge_through_the_domain(self, store):
        with store.transaction() as uow:
            save_definitions(
                uow.activities, {"http://x/a": {"name": {"en": "A"}, "type": "http://t/1"}}
            )
        with store.transaction() as uow:
            save_definitions(
                uow.activities, {"http://x/a": {"name": {"zh-CN": "甲"}, "type": "http://t/2"}}
            )
        with store.read() as uow:
            assert uow.activities.get("http://x/a") == {
                "name": {"en": "A", "zh-CN": "甲"},
                "type": "http://t/2",
            }


class TestAttachments:
    def test_put_is_idempotent_and_get_many(self, store):
        with store.transaction() as uow:
            uow.attachments.put(Attachment("abc", "text/plain", b"hello"))
            uow.attachments.put(Attachment("abc", "text/plain", b"hello"))
            uow.attachments.put(Attachment("def", "image/png", b"\x89PNG"))
        with store.read() as uow:
            got = uow.attachments.get_many(["abc", "def", "zzz"])
        assert got["abc"].data == b"hello" and got["def"].content_type == "image/png"
        assert "zzz" not in got


def doc(doc_id="d1", etag="e1", content=b"{}", registration="", org="", updated=T0):
    key = DocumentKey("state", org, doc_id, "http://x/a", "mbox:mailto:a@example.com", registration)
    return Document(key, content, "application/json", etag, updated)


class TestDocuments:
    def test_create_requires_absence(self, store):
        with store.transaction() as uow:
            uow.documents.save(doc(), expected_etag=None)
        with pytest.raises(ConcurrentUpdate), store.transaction() as uow:
            uow.documents.save(doc(etag="e2"), expected_etag=None)
        with store.read() as uow:
            assert uow.documents.get(doc().key).etag == "e1"

    def test_compare_and_set(self, store):
        with store.transaction() as uow:
            uow.documents.save(doc(), expected_etag=None)
            uow.documents.save(doc(etag="e2", content=b'{"a":1}'), expected_etag="e1")
        with pytest.raises(ConcurrentUpdate), store.transaction() as uow:
            uow.documents.save(doc(etag="e3"), expected_etag="e1")
        with store.transaction() as uow:
            uow.documents.save(doc(etag="e4"), expected_etag=ANY)
        with store.read() as uow:
            assert uow.documents.get(doc().key).etag == "e4"

    def test_list_since_and_delete_all(self, store):
        with store.transaction() as uow:
            uow.documents.save(doc("a", registration="r1"), ANY)
            uow.documents.save(doc("b", registration="r2", updated=T0 + timedelta(hours=1)), ANY)
            uow.documents.save(doc("c", org="other"), ANY)
        scope = DocumentScope("state", "", "http://x/a", "mbox:mailto:a@example.com", None)
        with store.read() as uow:
            assert uow.documents.list_ids(scope) == ["a", "b"]
            assert uow.documents.list_ids(scope, since=T0) == ["b"]
            r1 = DocumentScope("state", "", "http://x/a", "mbox:mailto:a@example.com", "r1")
            assert uow.documents.list_ids(r1) == ["a"]
        with store.transaction() as uow:
            uow.documents.delete_all(r1)
        with store.read() as uow:
            assert uow.documents.list_ids(scope) == ["b"]
        with store.transaction() as uow:
            uow.documents.delete(doc("b", registration="r2").key)
            uow.documents.delete_all(scope)
        with store.read() as uow:
            assert uow.documents.list_ids(scope) == []
            assert uow.documents.get(doc("c", org="other").key) is not None


class TestCredentials:
    def test_add_get_list_revoke(self, store):
        cred = Credential("k1", "hash", "platform A", ("statements/write",), org="fj", created=T0)
        with store.transaction() as uow:
            uow.credentials.add(cred)
        with store.transaction() as uow:
            assert uow.credentials.get("k1") == cred
            assert [c.key for c in uow.credentials.list_credentials()] == ["k1"]
            assert uow.credentials.revoke("k1") is True
            assert uow.credentials.revoke("nope") is False
        with store.read() as uow:
            assert uow.credentials.get("k1").revoked is True
            assert uow.credentials.get("nope") is None


class TestOutbox:
    def test_pending_then_done(self, store):
        with store.transaction() as uow:
            uow.outbox.add("statement.stored", {"id": "1"})
            uow.outbox.add("statement.stored", {"id": "2"})
            uow.outbox.add("other", {"x": 1})
        with store.transaction() as uow:
            events = uow.outbox.pending("statement.stored")
            assert [e.payload["id"] for e in events] == ["1", "2"]
            uow.outbox.mark_done([events[0].id])
        with store.read() as uow:
            assert [e.payload for e in uow.outbox.pending()] == [{"id": "2"}, {"x": 1}]


class TestPatternStates:
    def test_get_save_replace(self, store):
        with store.transaction() as uow:
            assert uow.pattern_states.get("p", "r") is None
            uow.pattern_states.save(PatternState("p", "r", "", ("0", "3"), False, T0))
            uow.pattern_states.save(PatternState("p", "r", "sub", ("1",), False, T0))
        with store.transaction() as uow:
            assert uow.pattern_states.get("p", "r").states == ("0", "3")
            uow.pattern_states.save(PatternState("p", "r", "", (), True, T0))
        with store.read() as uow:
            state = uow.pattern_states.get("p", "r")
            assert state.failed is True and state.states == ()
            assert uow.pattern_states.get("p", "r", "sub").states == ("1",)


class TestViolations:
    def test_add_and_query(self, store):
        v1 = Violation("s1", "prof", "tmpl", "rules[0]", "missing", "$.result", "r1", "fj", T0)
        v2 = Violation("s2", "prof", "pat", "pattern", "out of order", "", "r1", "hn", T0)
        with store.transaction() as uow:
            uow.violations.add([v1, v2])
        with store.read() as uow:
            assert uow.violations.for_statement("s1") == [v1]
            assert uow.violations.for_registration("r1") == [v1, v2]
            assert uow.violations.for_registration("r1", org_scope="hn") == [v2]
            assert uow.violations.for_statement("nope") == []
