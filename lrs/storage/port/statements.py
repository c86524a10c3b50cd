"""Storage port: statements, their activities and attachments.

See :mod:`lrs.storage.port` for the rules every adapter follows.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = [
    "ACTIVITY_USAGES", "AGENT_USAGES", "ActivityRepository", "Attachment", "AttachmentRepository",
    "StatementQuery", "StatementRecord", "StatementRepository",
]


# How an agent or activity appears in a statement; a statement links to the
# same agent or activity once per usage. Used by ``related_agents`` and
# ``related_activities`` so those queries are served by indexes.
AGENT_USAGES = (
    "actor",
    "object",
    "authority",
    "instructor",
    "team",
    "context_agent",
    "context_group",
)


ACTIVITY_USAGES = ("object", "parent", "grouping", "category", "other")


@dataclass(frozen=True)
class StatementRecord:
    """A statement as stored, with the keys the store indexes it by."""

    id: str
    statement: dict[str, Any]
    stored: datetime
    org: str
    authority_key: str
    verb_id: str
    registration: str | None = None
    voided: bool = False
    # The id of the statement this one voids, when its verb is "voided".
    voids: str | None = None
    # The id in a StatementRef object: queries also return statements that
    # target a matching statement (xAPI Communication 2.1.3).
    object_ref: str | None = None
    # (usage, agent key); usage is prefixed "sub_" inside a SubStatement.
    agents: tuple[tuple[str, str], ...] = ()
    # (usage, activity id); usage is prefixed "sub_" inside a SubStatement.
    activities: tuple[tuple[str, str], ...] = ()
    attachment_hashes: tuple[str, ...] = ()
    seq: int | None = None
    # The statement as the store keeps it (compact JSON text), set only for a
    # query with ``raw_json``: then ``statement`` may be left empty.
    raw: str | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class StatementQuery:
    """Filters of a GET /statements query, already resolved to store keys."""

    agent_keys: tuple[str, ...] = ()  # any of these agents (one trainee may have many IFIs)
    related_agents: bool = False
    verb_id: str | None = None
    activity_id: str | None = None
    related_activities: bool = False
    registration: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    ascending: bool = False
    limit: int = 100
    # Keyset paging: only rows strictly after (or before, descending) this seq.
    after_seq: int | None = None
    # Rows stored after the first page was read are left out of later pages.
    max_seq: int | None = None
    org_scope: str | None = None
    authority_key: str | None = None  # statements/read/mine
    include_voided: bool = False
    # The caller only needs each statement's JSON text (GET with format=exact):
    # an adapter may fill ``StatementRecord.raw`` and skip parsing ``statement``.
    # Adapters that ignore it return full records, which stay correct.
    raw_json: bool = False


@dataclass(frozen=True)
class Attachment:
    sha2: str
    content_type: str
    data: bytes


class StatementRepository(ABC):
    @abstractmethod
    def add(self, record: StatementRecord) -> StatementRecord | None:
        """Insert ``record``; return the stored row instead if its id already exists.

        The record's ``seq`` is assigned by the store. A returned existing row
        means nothing was written; the caller compares the two for equivalence.
        """

    @abstractmethod
    def get(self, statement_id: str, org_scope: str | None = None) -> StatementRecord | None:
        """The statement with this id, voided or not, if visible within ``org_scope``."""

    @abstractmethod
    def get_many(self, statement_ids: list[str]) -> dict[str, StatementRecord]:
        """The statements with these ids that :meth:`get` would return (unscoped), by id;
        one query for a whole projector batch instead of one per statement."""

    @abstractmethod
    def mark_voided(self, statement_id: str) -> None:
        """Flag a stored statement as voided (no-op when it is absent)."""

    @abstractmethod
    def query(self, q: StatementQuery) -> list[StatementRecord]:
        """Up to ``q.limit`` matching statements in ``seq`` order."""

    @abstractmethod
    def last_seq(self) -> int:
        """The highest ``seq`` committed so far (0 when empty)."""

    @abstractmethod
    def last_stored(self) -> datetime | None:
        """The ``stored`` time of the newest statement, used to keep ``stored`` monotonic."""


class ActivityRepository(ABC):
    @abstractmethod
    def save_definition(self, activity_id: str, definition: dict[str, Any]) -> None:
        """Keep ``definition`` as the canonical one for ``activity_id``, replacing any.

        The caller has already merged it with :meth:`get` (lrs.domain.activities).
        """

    @abstractmethod
    def get(self, activity_id: str) -> dict[str, Any] | None:
        """The merged definition, or None if the activity was never defined."""

    def get_many(self, activity_ids: list[str]) -> dict[str, dict[str, Any]]:
        """The merged definitions of those defined, by id (an adapter may read them at once)."""
        found = {activity_id: self.get(activity_id) for activity_id in activity_ids}
        return {activity_id: d for activity_id, d in found.items() if d is not None}


class AttachmentRepository(ABC):
    @abstractmethod
    def put(self, attachment: Attachment) -> None:
        """Store by content hash; storing the same hash twice keeps one copy."""

    @abstractmethod
    def get_many(self, hashes: list[str]) -> dict[str, Attachment]: ...
