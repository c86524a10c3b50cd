"""The canonical definition of an activity, merged from the statements that define it."""

from __future__ import annotations

from typing import Any

# Properties whose values are maps merged key by key rather than replaced.
_MERGED_MAPS = ("name", "description", "extensions")


def merge_activity_definitions(current: dict[str, Any], incoming: dict[str, Any]) -> dict[str, Any]:
    """Fold ``incoming`` into ``current``: newer values win, languages accumulate.

    xAPI Data 2.4.4.1: the LRS may keep the definition it receives last as the
    canonical one; merging language maps keeps translations that different
    platforms supplied for the same activity instead of dropping them.
    """
    merged = dict(current)
    for prop, value in incoming.items():
        if prop in _MERGED_MAPS and isinstance(value, dict) and isinstance(merged.get(prop), dict):
            merged[prop] = {**merged[prop], **value}
        else:
            merged[prop] = value
    return merged


def activity_object(activity_id: str, definition: dict[str, Any] | None) -> dict[str, Any]:
    """The Activity object the Activities resource returns."""
    activity: dict[str, Any] = {"objectType": "Activity", "id": activity_id}
    if definition:
        activity["definition"] = definition
    return activity
