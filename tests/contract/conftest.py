"""The store contract suite runs unchanged against every adapter listed here."""

from __future__ import annotations

import os
import uuid

import pytest

from lrs.storage.sqlite.store import SqliteStore


def _sqlite(tmp_path):
    return SqliteStore(tmp_path / "contract.db")


def _mongomock(tmp_path):
    pytest.importorskip("mongomock")
    from lrs.storage.mongo.store import MongoStore

    return MongoStore("mongomock://localhost/lrs_contract")  # a fresh in-memory server


def _mongodb(tmp_path):
    # A real server (replica set: transactions; standalone: the journaled path).
    uri = os.environ.get("LRS_TEST_MONGODB_URI")
    if not uri:
        pytest.skip("set LRS_TEST_MONGODB_URI to run the contract on a real MongoDB")
    from lrs.storage.mongo.store import MongoStore

    return MongoStore(uri, database=f"lrs_contract_{uuid.uuid4().hex[:12]}")


def _drop(store):
    conn = getattr(store, "conn", None)
    if conn is not None and not conn.mock:
        conn.client.drop_database(conn.db.name)


ADAPTERS = {"sqlite": _sqlite, "mongomock": _mongomock, "mongodb": _mongodb}


@pytest.fixture(params=sorted(ADAPTERS))
def store(request, tmp_path):
    store = ADAPTERS[request.param](tmp_path)
    yield store
    _drop(store)
    store.close()
