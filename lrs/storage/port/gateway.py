"""Storage port: gateway jobs and their dead letters.

See :mod:`lrs.storage.port` for the rules every adapter follows.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["DeadLetter", "GatewayJob", "GatewayRepository"]


@dataclass(frozen=True)
class GatewayJob:
    """One long-running gateway job (adapters/): a pull from a platform LRS, a forward
    to an upstream LRS, or a legacy import. ``config`` is what the operator set
    (endpoint, the remote key, the secret only encrypted, filters); ``state`` is what
    the job keeps between runs (its checkpoint, counters, last error)."""

    name: str
    kind: str  # "pull" | "forward" | "import"
    org: str = ""
    config: dict[str, Any] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)
    paused: bool = False
    created: datetime | None = None
    updated: datetime | None = None


@dataclass(frozen=True)
class DeadLetter:
    """An item a gateway job could not deliver and will not retry by itself.

    ``id`` is derived from (job, item), so a replayed page or a second import of a
    refused row counts one more attempt on the same letter instead of adding one.
    """

    id: str
    job: str
    item: str  # a statement id, or "row 12" of an import
    reason: str
    payload: dict[str, Any] = field(default_factory=dict)
    org: str = ""
    status: str = "open"  # "open" | "resolved" | "discarded"
    attempts: int = 1
    created: datetime | None = None
    updated: datetime | None = None


class GatewayRepository(ABC):
    """Gateway jobs and their dead letters (adapters/, lrs.domain.gateway)."""

    @abstractmethod
    def get_job(self, name: str) -> GatewayJob | None: ...

    @abstractmethod
    def save_job(self, job: GatewayJob) -> None:
        """Insert or replace the job with this name."""

    @abstractmethod
    def list_jobs(self, org_scope: str | None = None) -> list[GatewayJob]:
        """Jobs whose org is within ``org_scope``, by name."""

    @abstractmethod
    def put_dead_letter(self, letter: DeadLetter) -> DeadLetter:
        """Insert the letter; if one with its id exists, count one more attempt, take the
        new reason and payload and reopen it. Returns the stored letter."""

    @abstractmethod
    def get_dead_letter(self, letter_id: str) -> DeadLetter | None: ...

    @abstractmethod
    def set_dead_letter_status(self, letter_id: str, status: str, reason: str = "") -> bool:
        """Set a letter's status (and reason, when given); False when absent."""

    @abstractmethod
    def dead_letters(
        self, job: str | None = None, status: str | None = "open",
        org_scope: str | None = None, limit: int = 100,
    ) -> list[DeadLetter]:
        """Letters in creation order; ``status=None`` means any."""

    @abstractmethod
    def count_dead_letters(self, job: str) -> dict[str, int]:
        """Letters of the job by status."""
