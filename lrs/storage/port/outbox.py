"""Storage port: the outbox: side effects written in the unit of work that causes them.

See :mod:`lrs.storage.port` for the rules every adapter follows.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = ["Outbox", "OutboxEvent", "OutboxLag"]


@dataclass(frozen=True)
class OutboxEvent:
    id: int | str
    topic: str
    payload: dict[str, Any]
    created: datetime


@dataclass(frozen=True)
class OutboxLag:
    pending: int
    oldest_pending: datetime | None


class Outbox(ABC):
    @abstractmethod
    def add(self, topic: str, payload: dict[str, Any]) -> None: ...

    @abstractmethod
    def pending(self, topic: str | None = None, limit: int = 100) -> list[OutboxEvent]: ...

    @abstractmethod
    def mark_done(self, event_ids: list[int | str]) -> None: ...

    @abstractmethod
    def lag(self) -> OutboxLag:
        """How many events are pending and when the oldest was written (lag reporting)."""


    # True when event ids grow in commit order (SQLite: one writer at a time). A
    # consumer with its own cursor (:meth:`after`) may then trust that no event
    # with a lower id commits later; otherwise it reads only settled events.
    commit_ordered: bool = True

    def after(
        self, cursor: int | str | None, topic: str, limit: int = 100,
        created_before: datetime | None = None,
    ) -> list[OutboxEvent]:
        """Events of ``topic`` after ``cursor`` in id order, done or not: for consumers
        that keep their own cursor (the gateway forwarder), so they never take events
        from the queue the archive projector drains. ``created_before`` leaves out
        events written since (stores whose ids are not commit-ordered)."""
        raise NotImplementedError
