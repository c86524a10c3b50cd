"""The JSON Schema format checker of the LRS's own schemas (the credit policies).

``jsonschema``'s stock ``iri`` checker runs the ``rfc3987_syntax`` Earley parser, ~0.1 s per
value: checking the credit policies at every app start cost ~0.4 s. ``is_iri`` is the same
grammar compiled to one regular expression (Chinese IRIs stay valid), so the stock checker is
kept for every other format and only ``iri``/``uri`` are replaced. ``jsonschema`` is imported
lazily: importing it builds the IRI grammar (~1.5 s), which ``lrs --help`` must not pay.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from lrs.domain.statements.formats import is_iri

if TYPE_CHECKING:
    from jsonschema import FormatChecker


@cache
def format_checker() -> FormatChecker:
    from jsonschema import FormatChecker

    checker = FormatChecker()
    checker.checks("iri")(_iri)
    checker.checks("uri")(_iri)
    return checker


def _iri(value: object) -> bool:
    # A format constrains strings only (JSON Schema 2020-12 §7.1): null and numbers pass.
    return not isinstance(value, str) or is_iri(value)
