"""The SQL that limits a read to an organisation's subtree, shared by every table."""

from __future__ import annotations

from typing import Any


def org_filter(column: str, scope: str | None) -> tuple[str, list[Any]]:
    """SQL limiting rows to an organisation subtree; empty when unscoped.

    A key range, not LIKE: ``path >= 'scope/' AND path < 'scope0'`` ('0' is the
    character after '/') is exactly "starts with scope/" in SQLite's binary
    collation, so an index on the column serves it, and it is case-sensitive
    (LIKE is not: a scope of ``fj`` would take in ``FJ/…``).
    """
    if not scope:
        return "", []
    return (f" AND ({column} = ? OR ({column} >= ? AND {column} < ?))",
            [scope, scope + "/", scope + "0"])
