"""The store the tests run on, chosen once for the whole session by LRS_TEST_STORE.

``sqlite`` (the default): a file in the test's tmp_path. ``mongomock``: the MongoDB adapter on
an in-memory server (.ci/run runs tests/http, tests/contract and tests/archive this way).
Suites that only make sense on one adapter (tests/profiles, tests/mongo, tests/contract's own
parametrisation) define their own ``store`` fixture.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile
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

    path = tmp_path / f"{name}.sqlite3"
    if not path.exists():
        # A copy of an empty store's file: a quarter of the cost of creating the schema
        # (~1 ms against ~4 ms of CPU; the suite opens some 2,000 stores). The store still
        # checks its schema when it opens the copy.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(_empty_store_file().read_bytes())
    return SqliteStore(path)


@functools.cache
def _empty_store_file() -> Path:
    """An empty SQLite store's file, made once per process (closed, so its WAL is folded in)."""
    from lrs.storage.sqlite.store import SqliteStore

    directory = Path(tempfile.mkdtemp(prefix="lrs-empty-store-"))
    atexit.register(shutil.rmtree, directory, True)
    path = directory / "lrs.sqlite3"
    SqliteStore(path).close()
    return path
