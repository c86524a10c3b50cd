"""The store contract suite runs unchanged against every adapter listed here."""

from __future__ import annotations

import pytest

from lrs.storage.sqlite.store import SqliteStore


def _sqlite(tmp_path):
    return SqliteStore(tmp_path / "contract.db")


ADAPTERS = {"sqlite": _sqlite}


@pytest.fixture(params=sorted(ADAPTERS))
def store(request, tmp_path):
    store = ADAPTERS[request.param](tmp_path)
    yield store
    store.close()
