"""MongoDB adapter tests: mongomock always, a real server when LRS_TEST_MONGODB_URI is set."""

from __future__ import annotations

import os
import uuid

import pytest

pytest.importorskip("mongomock")
pytest.importorskip("mongoengine")

from lrs.storage.mongo.connection import Connection  # noqa: E402
from lrs.storage.mongo.mock import mock_client  # noqa: E402
from lrs.storage.mongo.store import MongoStore  # noqa: E402

REAL_URI = os.environ.get("LRS_TEST_MONGODB_URI")
needs_server = pytest.mark.skipif(
    not REAL_URI, reason="needs a real MongoDB: set LRS_TEST_MONGODB_URI"
)


@pytest.fixture
def connection():
    """One in-memory server, so a test can open a second store on it (a restart)."""
    client = mock_client()
    return Connection(client, client.get_database("lrs_test"), True, False)


@pytest.fixture
def store(connection):
    store = MongoStore(connection=connection)
    yield store
    store.close()


@pytest.fixture
def real_store():
    if not REAL_URI:
        pytest.skip("needs a real MongoDB: set LRS_TEST_MONGODB_URI")
    store = MongoStore(REAL_URI, database=f"lrs_test_{uuid.uuid4().hex[:12]}")
    yield store
    store.client.drop_database(store.db.name)
    store.close()
