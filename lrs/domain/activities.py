"""The canonical definition of an activity, merged from the statements that define it."""

from __future__ import annotations

from typing import Any

from lrs.storage.port import ActivityRepository, Store

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


def save_definitions(
    activities: ActivityRepository, incoming: dict[str, dict[str, Any]]
) -> None:
    """Merge each incoming definition into the stored one and keep the result.

    The only place the merge rule runs against the store; adapters keep what
    they are given. Read and write share the caller's unit of work, so on
    SQLite (one writer at a time) no concurrent merge is lost; on MongoDB two
    units defining one activity at the same moment keep the later one's view,
    which xAPI allows (the last received definition may be canonical).
    """
    stored = activities.get_many(list(incoming)) if incoming else {}
    for activity_id, definition in incoming.items():
        current = stored.get(activity_id)
        merged = merge_activity_definitions(current or {}, definition)
        if merged != current:
            activities.save_definition(activity_id, merged)


def activity_object(activity_id: str, definition: dict[str, Any] | None) -> dict[str, Any]:
    """The Activity object the Activities resource returns."""
    activity: dict[str, Any] = {"objectType": "Activity", "id": activity_id}
    if definition:
        activity["definition"] = definition
    return activity


def load_activity(store: Store, activity_id: str) -> dict[str, Any]:
    """The Activity object for ``activity_id``; one nobody defined is still an activity,
    answered with its id alone."""
    with store.read() as uow:
        return activity_object(activity_id, uow.activities.get(activity_id))
