"""The store the tests run on, chosen once for the whole session by LRS_TEST_STORE.

``sqlite`` (the default): a file in the test's tmp_path. ``mongomock``: the MongoDB adapter on
an in-memory server (.ci/run runs tests/http, tests/contract and tests/archive this way).
Suites that only make sense on one adapter (tests/profiles, tests/mongo, tests/contract's own
parametrisation) define their own ``store`` fixture.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from lrs.storage.port import Store

KIND = os.environ.get("LRS_TEST_STORE", "sqlite")
if KIND not in ("sqlite", "mongomock"):
    raise RuntimeError(f"LRS_TEST_STORE must be sqlite or mongomock, got {KIND!r}")
MONGOMOCK = KIND == "mongomock"


def open_test_store(tmp_path: Path, name: str = "lrs") -> Store:
    """A fresh, empty store of the session's kind."""
    if MONGOMOCK:
        from lrs.storage.mongo.store import MongoStore

        return MongoStore(f"mongomock://localhost/{name}_{uuid.uuid4().hex[:8]}")
    from lrs.storage.sqlite.store import SqliteStore

    return SqliteStore(tmp_path / f"{name}.sqlite3")
