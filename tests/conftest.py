"""Session-wide test settings.

Apps built by the tests run no archive projector thread (LRS_ARCHIVE_PROJECTOR=off):
tests that need the learning archive drain it explicitly
(``services(app).archive.drain()``), so results never depend on timing.
Child processes (``lrs serve`` in tests/reliability) inherit it unless a test
sets the variable itself.

The ``store`` fixture is the one store selection of the suite (tests/stores.py:
LRS_TEST_STORE=sqlite|mongomock); a directory that needs one adapter overrides it.

Child processes also get tests/served first on their PYTHONPATH: it hides the test extra's
rfc3987-syntax from them (see tests/served/rfc3987_syntax.py), as in a production install.
The test processes hide it too, before anything imports jsonschema (which would build its 38
IRI grammars, ~2.7 s of CPU in each xdist worker); tests/reference_grammar.py loads it for
the tests that compare the LRS's IRI regex with it.
"""

import os
import sys

import pytest

sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]
import jsonschema  # noqa: E402,F401 - decides its format checkers now, without the grammar

os.environ.setdefault("LRS_ARCHIVE_PROJECTOR", "off")
# Where PYTHONDONTWRITEBYTECODE is set (CI machines set it), every `lrs serve` and CLI process
# the tests start (some 250) would compile the package from source, ~0.1 s of CPU each, which
# no installed LRS does. The processes started from here (xdist workers included) cache
# bytecode in __pycache__ as Python does by default.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
_SERVED = os.path.join(os.path.dirname(__file__), "served")
_INHERITED = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != _SERVED]
os.environ["PYTHONPATH"] = os.pathsep.join([_SERVED, *_INHERITED])

from tests.stores import open_test_store  # noqa: E402 - after the environment is set


@pytest.fixture
def store(tmp_path):
    store = open_test_store(tmp_path)
    yield store
    store.close()
