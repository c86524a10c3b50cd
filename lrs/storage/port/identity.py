"""Storage port: trainees, their memberships, account links and identity conflicts.

See :mod:`lrs.storage.port` for the rules every adapter follows.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

__all__ = [
    "AccountLink", "AccountLinkRepository", "IdentityConflict", "IdentityConflictRepository",
    "Membership", "Trainee", "TraineeRepository",
]


@dataclass(frozen=True)
class Trainee:
    """A cadre in the trainee registry (GB/T 38856 §6.1.3 basic information).

    ``key`` is the keyed hash (HMAC-SHA-256, hex) of the agreed identifier; the
    identifier itself is never stored. ``unit`` is the org path of the unit the
    trainee is in now ("" when unknown); org-scoped reads go by it.
    """

    key: str
    masked_id: str
    name: str = ""
    position: str = ""  # 职务
    rank: str = ""  # 职级
    unit: str = ""
    # Made by an ingest hook from an unknown agreed identifier; a liaison's
    # upsert completes it.
    provisional: bool = False
    created: datetime | None = None
    updated: datetime | None = None


@dataclass(frozen=True)
class Membership:
    """The trainee was in ``unit`` (an org path) from ``joined`` until the day before ``left``."""

    unit: str
    joined: date | None = None  # None: since before the registry knew
    left: date | None = None  # None: still there
    source: str = ""  # "statement" | "api" | "import" | "resolution"


@dataclass(frozen=True)
class AccountLink:
    """One agent identifier (an xAPI IFI) linked to a trainee; ``org`` is the linker's path."""

    agent_key: str
    trainee_key: str
    ifi: dict[str, Any]
    source: str  # "statement" | "api" | "import" | "resolution"
    org: str = ""
    linked: datetime | None = None
    linked_by: str = ""  # credential key, or "cli"
    statement_id: str | None = None
    unlinked: datetime | None = None
    unlinked_by: str = ""


@dataclass(frozen=True)
class IdentityConflict:
    """A claim the registry contradicts, kept until an authorised user resolves it.

    At most one *open* conflict exists per ``dedupe_key``; a repeated claim
    raises ``count`` instead of adding a row. ``org`` is the lowest org path
    covering every unit concerned, so the authority over all of them resolves it.
    """

    kind: str  # "account_claim" | "unit_mismatch"
    dedupe_key: str
    org: str
    trainee_key: str  # the claimant (account_claim) or the trainee concerned
    other_trainee_key: str | None = None  # the account's current owner
    agent_key: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    status: str = "open"  # "open" | "resolved" | "dismissed"
    count: int = 1
    resolution: dict[str, Any] = field(default_factory=dict)
    created: datetime | None = None
    updated: datetime | None = None
    id: int | str | None = None


class TraineeRepository(ABC):
    @abstractmethod
    def get(self, key: str) -> Trainee | None: ...

    @abstractmethod
    def save(self, trainee: Trainee) -> None:
        """Insert or replace the trainee with this key."""

    @abstractmethod
    def list_trainees(
        self, org_scope: str | None = None, after_key: str | None = None, limit: int = 500
    ) -> list[Trainee]:
        """Trainees whose current unit is within ``org_scope``, in key order after ``after_key``."""

    def get_many(self, keys: list[str]) -> dict[str, Trainee]:
        """The trainees with these keys that exist (adapters may batch this)."""
        found = {key: self.get(key) for key in dict.fromkeys(keys)}
        return {key: t for key, t in found.items() if t is not None}

    @abstractmethod
    def memberships(self, key: str) -> list[Membership]:
        """The trainee's unit memberships, oldest first (an unknown ``joined`` first)."""

    def memberships_many(self, keys: list[str]) -> dict[str, list[Membership]]:
        """:meth:`memberships` of each key that has any (adapters may batch this)."""
        found = {key: self.memberships(key) for key in dict.fromkeys(keys)}
        return {key: ms for key, ms in found.items() if ms}

    @abstractmethod
    def set_memberships(self, key: str, memberships: list[Membership]) -> None:
        """Replace the trainee's memberships with these."""

    @abstractmethod
    def with_memberships_in(
        self, org_scope: str, after_key: str | None = None, limit: int = 500
    ) -> list[Trainee]:
        """Trainees with any membership, past or current, within ``org_scope``, in key order."""


class AccountLinkRepository(ABC):
    @abstractmethod
    def link(self, link: AccountLink) -> AccountLink | None:
        """Make ``link`` active; return the active link instead if the agent key has one.

        One agent key has at most one active link, enforced by the database, so
        two concurrent claims cannot both win.
        """

    @abstractmethod
    def unlink(self, agent_key: str, when: datetime, by: str = "") -> AccountLink | None:
        """End the agent key's active link (kept as history); the ended link, or None."""

    @abstractmethod
    def owners(self, agent_keys: list[str]) -> dict[str, AccountLink]:
        """The active link of each of these agent keys that has one."""

    def owner_keys(self, agent_keys: list[str]) -> dict[str, str]:
        """Agent key → the key of the trainee it is actively linked to (adapters may do
        this cheaper than :meth:`owners`: the ingest hook calls it per request)."""
        return {key: link.trainee_key for key, link in self.owners(agent_keys).items()}

    @abstractmethod
    def agent_keys(self, trainee_key: str) -> list[str]:
        """The agent keys actively linked to the trainee (one indexed lookup)."""

    @abstractmethod
    def for_trainee(self, trainee_key: str, include_unlinked: bool = False) -> list[AccountLink]:
        """The trainee's links in the order they were made."""

    @abstractmethod
    def was_unlinked(self, agent_key: str, trainee_key: str) -> bool:
        """Whether a link between the two was made once and then ended."""


class IdentityConflictRepository(ABC):
    @abstractmethod
    def record(self, conflict: IdentityConflict) -> IdentityConflict:
        """Add an open conflict, or count one more claim on the open one with its dedupe key."""

    @abstractmethod
    def get(self, conflict_id: int | str) -> IdentityConflict | None: ...

    @abstractmethod
    def list_conflicts(
        self, status: str | None = "open", org_scope: str | None = None,
        trainee_key: str | None = None, limit: int = 100,
    ) -> list[IdentityConflict]:
        """Conflicts in creation order; ``status=None`` means any status."""

    @abstractmethod
    def close(self, conflict_id: int | str, status: str, resolution: dict[str, Any]) -> bool:
        """Set an open conflict's final status; False when it is not open (or absent)."""
