"""Session-wide test settings.

Apps built by the tests run no archive projector thread (LRS_ARCHIVE_PROJECTOR=off):
tests that need the learning archive drain it explicitly
(``services(app).archive.drain()``), so results never depend on timing.
Child processes (``lrs serve`` in tests/reliability) inherit it unless a test
sets the variable itself.

The ``store`` fixture is the one store selection of the suite (tests/stores.py:
LRS_TEST_STORE=sqlite|mongomock); a directory that needs one adapter overrides it.
"""

import os

import pytest

os.environ.setdefault("LRS_ARCHIVE_PROJECTOR", "off")

from tests.stores import open_test_store  # noqa: E402 - after the environment is set


@pytest.fixture
def store(tmp_path):
    store = open_test_store(tmp_path)
    yield store
    store.close()
