"""What every SQLite repository shares: the unit of work's connection, and the SQL
that limits a read to an organisation's subtree."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any


class SqliteRepository:
    """A repository working on the connection of one unit of work."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn


def org_filter(column: str, scope: str | None, *, indexed: bool = False) -> tuple[str, list[Any]]:
    """SQL limiting rows to an organisation subtree; empty when unscoped.

    A key range, not LIKE: ``path >= 'scope/' AND path < 'scope0'`` ('0' is the
    character after '/') is exactly "starts with scope/" in SQLite's binary
    collation, and case-sensitive (LIKE is not: a scope of ``fj`` would take in
    ``FJ/…``). ``indexed``: let an index on the column serve the range (best when
    the subtree is a small part of the table, e.g. one unit's trainees); otherwise the
    column is written ``+column`` so the planner keeps walking the query's order index
    (statements by ``seq``) and stops at the page's end instead of sorting the subtree.
    """
    if not scope:
        return "", []
    col = column if indexed else f"+{column}"
    return (f" AND ({col} = ? OR ({col} >= ? AND {col} < ?))",
            [scope, scope + "/", scope + "0"])


def chunks(keys: list[str], size: int = 500) -> Iterator[list[str]]:
    """The distinct ``keys``, in order, in slices well under SQLite's bound-parameter limit."""
    unique = list(dict.fromkeys(keys))
    for start in range(0, len(unique), size):
        yield unique[start : start + size]


def marks(values: list[Any]) -> str:
    """One ``?`` per value, for ``IN (…)``."""
    return ", ".join("?" for _ in values)
