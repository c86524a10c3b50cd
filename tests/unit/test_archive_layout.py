"""The two adapters keep the archive laid out alike: every method of the archive
repository lives in the module of the same name on SQLite and on MongoDB
(archive_rows, archive_ledger, archive_markers, or archive itself)."""

from __future__ import annotations

import inspect

import pytest

from lrs.storage.port import ArchiveRepository
from lrs.storage.sqlite.archive import SqliteArchive

pytest.importorskip("mongomock")

from lrs.storage.mongo.archive import MongoArchive  # noqa: E402

METHODS = sorted(
    name for name, _ in inspect.getmembers(ArchiveRepository, inspect.isfunction)
    if not name.startswith("_")
)


def module_of(adapter: type, name: str) -> str:
    """The module (without its adapter package) that defines ``name`` for ``adapter``."""
    return getattr(adapter, name).__module__.rsplit(".", 1)[-1]


def test_every_archive_method_is_in_the_same_named_module_on_both_adapters():
    layout = {name: (module_of(SqliteArchive, name), module_of(MongoArchive, name))
              for name in METHODS}
    assert {name for name, (lite, mongo) in layout.items() if lite != mongo} == set()
    # Each is the adapter's own (or the port's shared default), none left abstract.
    assert not SqliteArchive.__abstractmethods__ and not MongoArchive.__abstractmethods__
    assert {lite for lite, _ in layout.values()} == {
        "archive", "archive_rows", "archive_ledger", "archive_markers",
    }
