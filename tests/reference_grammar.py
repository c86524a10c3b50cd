"""rfc3987-syntax, the reference IRI grammar, loaded past the guard in tests/conftest.py.

The test processes keep jsonschema from importing it (tests/conftest.py: production installs
have no rfc3987-syntax, and building its 38 Earley grammars costs ~2.7 s of CPU per process);
only a worker that runs a test comparing the LRS's IRI regex with it pays, once, on the
first call (not when the test module is collected: every xdist worker collects them all).
"""

from __future__ import annotations

import functools
import importlib
import sys
from collections.abc import Callable


def is_valid_syntax_iri(value: str) -> bool:
    return _reference()(value)


@functools.cache
def _reference() -> Callable[[str], bool]:
    if sys.modules.get("rfc3987_syntax", ...) is None:
        del sys.modules["rfc3987_syntax"]  # the guard; jsonschema has already made its choice
    return importlib.import_module("rfc3987_syntax").is_valid_syntax_iri
