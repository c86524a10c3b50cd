"""What the MongoDB adapter does beyond the shared contract: its commit paths and recovery.

The standalone (journaled) path runs on mongomock here; the transaction path
needs a replica set and runs only when LRS_TEST_MONGODB_URI points at one.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from datetime import timedelta

import pytest

from lrs.storage.mongo import indexes, schema
from lrs.storage.mongo import store as store_module
from lrs.storage.mongo.store import MongoStore
from lrs.storage.port import ANY, ConcurrentUpdate, Document, DocumentKey, StatementQuery
from lrs.timeutil import format_timestamp, utcnow
from tests.contract.test_store_contract import T0, record

from .conftest import needs_server


def sid(n: int) -> str:
    return str(uuid.UUID(int=n))


def ns(records):
    return [r.statement["n"] for r in records]


def query(store, **kw):
    with store.read() as uow:
        return uow.statements.query(StatementQuery(**kw))


def key(doc_id: str = "d") -> DocumentKey:
    return DocumentKey("state", "", doc_id, "http://x/a", "mbox:mailto:a@example.com", "")


def document(content: bytes, etag: str) -> Document:
    return Document(key(), content, "application/json", etag, utcnow())


class TestSchema:
    def test_declared_indexes_exist(self, store):
        for doc_cls in indexes.ALL_DOCUMENTS:
            existing = {i["name"] for i in store.db[doc_cls._get_collection_name()].list_indexes()}
            declared = {s["name"] for s in doc_cls._meta.get("index_specs") or []}
            assert declared <= existing, doc_cls.__name__

    def test_rows_written_match_the_mongoengine_documents(self, store):
        with store.transaction() as uow:
            uow.statements.add(record(1, registration="11111111-1111-1111-1111-111111111111"))
            uow.documents.save(document(b"{}", "e1"), None)
            uow.outbox.add("statement.stored", {"id": sid(1)})
        pairs = [
            (schema.StatementDoc, "statements"),
            (schema.DocumentDoc, "documents"),
            (schema.OutboxDoc, "outbox"),
            (schema.CounterDoc, "counters"),
        ]
        for doc_cls, name in pairs:
            for raw in store.db[name].find({}):
                doc_cls._from_son(raw).validate()

    def test_every_sharded_collection_is_declared(self):
        names = {d._get_collection_name() for d in indexes.ALL_DOCUMENTS}
        assert set(indexes.SHARD_KEYS) <= names
        assert all("stored" not in k and "created" not in k for k in indexes.SHARD_KEYS.values())


class TestStatementsOnTheStandalonePath:
    def test_a_batch_is_invisible_until_its_watermark_is_published(self, store, monkeypatch):
        published = threading.Event()
        seen = []
        real = store.roll_forward

        def slow_roll_forward(entry):
            # Flip the rows, then look before the watermark moves.
            from lrs.storage.mongo import ops

            store.db["statements"].bulk_write(ops.flip_operations(entry["_id"], entry["seqs"]))
            seen.append(ns(query(store)))
            real(entry)
            published.set()

        monkeypatch.setattr(store, "roll_forward", slow_roll_forward)
        with store.transaction() as uow:
            uow.statements.add(record(1))
            uow.statements.add(record(2))
        assert published.is_set()
        assert seen == [[]]  # flipped but not yet visible: nothing, not half a batch
        assert ns(query(store)) == [2, 1]

    def test_a_commit_that_died_after_its_commit_point_is_rolled_forward(
        self, store, connection, monkeypatch
    ):
        def die(entry):
            raise ConnectionError("process killed")

        monkeypatch.setattr(store, "roll_forward", die)
        with pytest.raises(ConnectionError), store.transaction() as uow:
            uow.statements.add(record(1))
            uow.outbox.add("statement.stored", {"id": sid(1)})
        assert query(store) == []
        assert store.db["journal"].count_documents({}) == 1
        restarted = MongoStore(connection=connection)  # start-up recovery
        assert ns(query(restarted)) == [1]
        with restarted.read() as uow:
            assert [e.payload for e in uow.outbox.pending()] == [{"id": sid(1)}]
        assert restarted.db["journal"].count_documents({}) == 0

    def test_pending_rows_of_a_dead_writer_are_removed_at_start_up(self, store, connection):
        uow = store.unit_of_work()
        uow.statements.add(record(1))
        # The process dies here: no commit, no rollback.
        old = utcnow() - timedelta(hours=1)
        store.db["statements"].update_one({"_id": sid(1)}, {"$set": {"pending_since": old}})
        MongoStore(connection=connection)
        assert store.db["statements"].count_documents({}) == 0

    def test_a_writer_waits_for_the_unit_holding_the_same_id(self, store):
        holder = store.unit_of_work()
        assert holder.statements.add(record(1)) is None
        results = []

        def second():
            with store.transaction() as uow:
                results.append(uow.statements.add(record(1)))

        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.1)
        assert thread.is_alive()  # blocked on the pending row
        holder.commit()
        thread.join(5)
        assert results and results[0] is not None and results[0].id == sid(1)

    def test_a_writer_inserts_when_the_holder_rolls_back(self, store):
        holder = store.unit_of_work()
        holder.statements.add(record(1))
        results = []

        def second():
            with store.transaction() as uow:
                results.append(uow.statements.add(record(1, statement={"second": True, "n": 1})))

        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.1)
        holder.rollback()
        thread.join(5)
        assert results == [None]
        with store.read() as uow:
            assert uow.statements.get(sid(1)).statement == {"second": True, "n": 1}

    def test_stored_never_decreases_along_seq(self, store):
        late = record(2, stored=T0 + timedelta(seconds=1))
        late = type(late)(**{**late.__dict__, "statement": {
            "id": sid(2), "n": 2, "stored": format_timestamp(T0 + timedelta(seconds=1))}})
        with store.transaction() as uow:
            uow.statements.add(record(1, stored=T0 + timedelta(seconds=5)))
        with store.transaction() as uow:
            uow.statements.add(late)  # read an older clock, committed later
        rows = query(store, ascending=True)
        assert [r.stored for r in rows] == [T0 + timedelta(seconds=5)] * 2
        assert rows[1].statement["stored"] == format_timestamp(T0 + timedelta(seconds=5))

    def test_queries_use_seq_bounds_for_since_and_until(self, store):
        with store.transaction() as uow:
            for n in range(1, 6):
                uow.statements.add(record(n))
        assert ns(query(store, since=T0 + timedelta(seconds=2), until=T0 + timedelta(seconds=4))) \
            == [4, 3]
        assert query(store, since=T0 + timedelta(seconds=9)) == []
        assert query(store, until=T0) == []

    def test_a_statement_ref_arriving_before_its_target_still_matches(self, store):
        passed = "http://adlnet.gov/expapi/verbs/passed"
        with store.transaction() as uow:
            uow.statements.add(record(2, object_ref=sid(1), activities=()))
        with store.transaction() as uow:
            uow.statements.add(record(1, verb_id=passed))
        assert ns(query(store, verb_id=passed)) == [1, 2]  # the target committed last

    def test_a_failed_unit_leaves_no_document_write_behind(self, store):
        with store.transaction() as uow:
            uow.documents.save(document(b"{}", "e1"), None)
        with pytest.raises(RuntimeError), store.transaction() as uow:
            uow.documents.save(document(b'{"a":1}', "e2"), "e1")
            uow.statements.add(record(1))
            raise RuntimeError("boom")
        with store.read() as uow:
            assert uow.documents.get(key()).etag == "e1"


class TestDocumentsCompareAndSet:
    def test_a_write_based_on_a_stale_read_fails_at_commit(self, store):
        with store.transaction() as uow:
            uow.documents.save(document(b"{}", "e1"), None)
        first, second = store.unit_of_work(), store.unit_of_work()
        first.documents.save(document(b'{"a":1}', "e2"), "e1")
        second.documents.save(document(b'{"b":1}', "e3"), "e1")
        first.commit()
        with pytest.raises(ConcurrentUpdate):
            second.commit()
        second.rollback()
        with store.read() as uow:
            assert uow.documents.get(key()).etag == "e2"

    def test_a_failed_multi_write_unit_is_undone(self, store):
        with store.transaction() as uow:
            uow.documents.save(document(b"{}", "e1"), None)
        unit = store.unit_of_work()
        other = Document(
            DocumentKey("state", "", "d2", "http://x/a", "mbox:mailto:a@example.com", ""),
            b"{}", "application/json", "x1", utcnow(),
        )
        unit.documents.save(other, None)
        unit.documents.save(document(b'{"a":1}', "e2"), "e1")
        with store.transaction() as uow:
            uow.documents.save(document(b'{"z":1}', "e9"), ANY)  # wins the race
        with pytest.raises(ConcurrentUpdate):
            unit.commit()
        unit.rollback()
        with store.read() as uow:
            assert uow.documents.get(other.key) is None  # undone
            assert uow.documents.get(key()).etag == "e9"


    def test_a_writer_that_read_a_document_holds_it_until_it_ends(self, store):
        with store.transaction() as uow:
            uow.documents.save(document(b"{}", "e1"), None)
        first = store.unit_of_work()
        assert first.documents.get(key()).etag == "e1"
        order = []

        def second():
            with store.transaction() as uow:
                current = uow.documents.get(key())  # waits for `first`
                order.append(current.etag)
                uow.documents.save(document(b'{"b":1}', "e3"), current.etag)

        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.1)
        assert order == []
        first.documents.save(document(b'{"a":1}', "e2"), "e1")
        first.commit()
        thread.join(5)
        assert order == ["e2"]  # read after the first writer committed: no conflict
        with store.read() as uow:
            assert uow.documents.get(key()).etag == "e3"


class TestHttpOnMongo:
    def test_no_lost_update_under_concurrent_posts_to_one_state_document(self, store, tmp_path):
        from lrs.app import create_app
        from lrs.config import Settings
        from tests.http.conftest import Client

        app = create_app(Settings(data_dir=tmp_path), store=store)
        client = Client(app, store, version="2.0.0")
        params = {
            "activityId": "http://example.gov.cn/course/1",
            "agent": json.dumps({"mbox": "mailto:a@example.gov.cn"}),
            "stateId": "progress",
        }
        assert client.post("/xapi/activities/state", query_string=params, json={}).status_code \
            == 204
        statuses = []

        def post(i: int) -> None:
            mine = Client.__new__(Client)
            mine.__dict__.update(client.__dict__, http=app.test_client())
            for attempt in range(20):
                res = mine.post("/xapi/activities/state", query_string=params, json={f"k{i}": i})
                if res.status_code == 204:
                    statuses.append(204)
                    return
                time.sleep(0.01 * attempt)
            statuses.append(res.status_code)

        threads = [threading.Thread(target=post, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        merged = client.get("/xapi/activities/state", query_string=params).get_json()
        # Every acknowledged merge is in the document: none was lost.
        assert sorted(merged) == sorted(f"k{i}" for i in range(8))
        assert statuses == [204] * 8


class TestFactory:
    def test_mongomock_url_opens_the_adapter_with_a_loud_warning(self, caplog):
        from lrs.storage.factory import open_store

        with caplog.at_level(logging.WARNING):
            store = open_store("mongomock://localhost/demo")
        assert isinstance(store, MongoStore)
        assert any("demos and tests ONLY" in r.message for r in caplog.records)
        store.close()

    def test_missing_mongoengine_is_a_clear_error(self, monkeypatch):
        import builtins

        from lrs.storage.factory import UnsupportedDatabase, open_store

        real_import = builtins.__import__

        def no_mongoengine(name, *args, **kwargs):
            if name == "mongoengine":
                raise ImportError("No module named 'mongoengine'", name="mongoengine")
            return real_import(name, *args, **kwargs)

        monkeypatch.setattr(builtins, "__import__", no_mongoengine)
        with pytest.raises(UnsupportedDatabase, match=r"pip install -e '\.\[mongo\]'"):
            open_store("mongodb://localhost:1/lrs")

    def test_lock_is_taken_over_when_its_holder_died(self, store, monkeypatch):
        store.db["locks"].update_one(
            {"_id": "commit"},
            {"$set": {"owner": "dead", "expires": utcnow() - timedelta(seconds=1)}},
            upsert=True,
        )
        with store.transaction() as uow:
            uow.statements.add(record(1))
        assert ns(query(store)) == [1]
        monkeypatch.setattr(store_module, "LOCK_WAIT_S", 0.05)
        store.db["locks"].update_one(
            {"_id": "commit"},
            {"$set": {"owner": "alive", "expires": utcnow() + timedelta(minutes=1)}},
            upsert=True,
        )
        with pytest.raises(store_module.CommitLockTimeout), store.transaction() as uow:
            uow.statements.add(record(2))


# ---------------------------------------------------------------- real server only


@needs_server
class TestTransactionPath:
    def test_a_replica_set_commits_with_transactions(self, real_store):
        assert real_store.transactions, "LRS_TEST_MONGODB_URI should name a replica set"

    def test_concurrent_batches_get_seq_in_commit_order(self, real_store):
        def batch(base: int) -> None:
            with real_store.transaction() as uow:
                for n in range(base, base + 5):
                    uow.statements.add(record(n))

        threads = [threading.Thread(target=batch, args=(b,)) for b in range(1, 41, 5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        rows = query(real_store, ascending=True, limit=100)
        assert len(rows) == 40
        assert [r.seq for r in rows] == list(range(1, 41))  # dense: every commit numbered last
        # Each batch's five statements are contiguous: they committed as one.
        by_batch = [(r.statement["n"] - 1) // 5 for r in rows]
        assert all(by_batch[i] == by_batch[i - i % 5] for i in range(40))

    def test_rollback_discards_the_whole_unit(self, real_store):
        with pytest.raises(RuntimeError), real_store.transaction() as uow:
            uow.statements.add(record(1))
            uow.outbox.add("statement.stored", {"id": "x"})
            raise RuntimeError("boom")
        assert query(real_store) == []
        assert real_store.db["statements"].count_documents({}) == 0

    def test_agent_queries_are_served_by_the_multikey_index(self, real_store):
        with real_store.transaction() as uow:
            for n in range(1, 20):
                uow.statements.add(record(n))
        plan = real_store.db.command(
            "explain",
            {"find": "statements", "filter": {"agents": "actor|mbox:mailto:a@example.com",
                                              "seq": {"$lte": 100}},
             "sort": {"seq": -1}, "limit": 5},
        )
        assert "agents_seq" in json.dumps(plan["queryPlanner"]["winningPlan"], default=str)

    def test_the_standalone_path_also_works_on_a_real_server(self):
        from tests.mongo.conftest import REAL_URI

        store = MongoStore(REAL_URI, database=f"lrs_test_{uuid.uuid4().hex[:12]}",
                           transactions=False)
        try:
            with store.transaction() as uow:
                uow.statements.add(record(1))
                uow.statements.add(record(2))
            assert ns(query(store)) == [2, 1]
        finally:
            store.client.drop_database(store.db.name)
            store.close()
