"""Effective-dated unit membership, and the unit a statement was earned under.

A membership runs from ``joined`` (inclusive; None = since before the registry
knew) to ``left`` (exclusive; None = still there), in calendar days of China
Standard Time. A statement was *earned under* the unit whose membership covers
the day of its ``timestamp`` (when the learning happened, as the platform
reported it), not the day it was stored.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from lrs.domain.errors import Conflict, ValidationError
from lrs.domain.identity.vocabulary import MEMBERSHIP_TZ
from lrs.storage.port import Membership


def statement_day(statement: dict[str, Any], fallback: datetime) -> date:
    """The CST calendar day of the statement's timestamp (``fallback`` if unreadable)."""
    moment = fallback
    raw = statement.get("timestamp")
    if isinstance(raw, str):
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            moment = fallback
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(MEMBERSHIP_TZ).date()


def unit_at(memberships: list[Membership], day: date) -> str | None:
    """The unit whose membership covers ``day``, if any."""
    for m in memberships:
        if (m.joined is None or m.joined <= day) and (m.left is None or day < m.left):
            return m.unit
    return None


def current(memberships: list[Membership]) -> Membership | None:
    open_ = [m for m in memberships if m.left is None]
    return open_[-1] if open_ else None


def parse_day(value: Any, name: str) -> date | None:
    """``YYYY-MM-DD`` (or empty/None) from a request or CSV cell."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValidationError(f"{name} must be a date YYYY-MM-DD", name)


def transfer(
    memberships: list[Membership], unit: str, day: date, source: str
) -> list[Membership]:
    """Close the open membership the day ``day`` starts and open one in ``unit`` from it."""
    now = current(memberships)
    if now is None:
        return [*memberships, Membership(unit, day, None, source)]
    if now.unit == unit:
        raise Conflict(f"the trainee is already in {unit}", "unit")
    if now.joined is not None and day <= now.joined:
        raise Conflict(
            f"the transfer date {day} must come after joining {now.unit} on {now.joined}",
            "date",
        )
    closed = [replace(m, left=day) if m is now else m for m in memberships]
    return [*closed, Membership(unit, day, None, source)]


def set_joined(memberships: list[Membership], joined: date, source: str) -> list[Membership]:
    """Correct the start date of the open membership (a liaison knows better than a statement)."""
    now = current(memberships)
    if now is None or now.joined == joined:
        return memberships
    earlier = [m for m in memberships if m is not now]
    if any(m.left is not None and m.left > joined for m in earlier):
        raise Conflict(f"joined {joined} overlaps an earlier membership", "joined")
    return [*earlier, replace(now, joined=joined, source=source)]
