"""What every SQLite repository shares: the unit of work's connection, and the SQL
that limits a read to an organisation's subtree."""

from __future__ import annotations

import sqlite3
from typing import Any


class SqliteRepository:
    """A repository working on the connection of one unit of work."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn


def org_filter(column: str, scope: str | None) -> tuple[str, list[Any]]:
    """SQL limiting rows to an organisation subtree; empty when unscoped."""
    if not scope:
        return "", []
    escaped = scope.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f" AND ({column} = ? OR {column} LIKE ? ESCAPE '\\')", [scope, escaped + "/%"]
