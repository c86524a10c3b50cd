"""The SQL that limits a read to an organisation's subtree, shared by every table."""

from __future__ import annotations

from typing import Any


def org_filter(column: str, scope: str | None) -> tuple[str, list[Any]]:
    """SQL limiting rows to an organisation subtree; empty when unscoped."""
    if not scope:
        return "", []
    escaped = scope.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f" AND ({column} = ? OR {column} LIKE ? ESCAPE '\\')", [scope, escaped + "/%"]
