"""Storage port: state, activity profile and agent profile documents.

See :mod:`lrs.storage.port` for the rules every adapter follows.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime

__all__ = ["ANY", "Document", "DocumentKey", "DocumentRepository", "DocumentScope"]


@dataclass(frozen=True)
class DocumentKey:
    """Identifies one document of the State, Activity Profile or Agent Profile resources."""

    kind: str  # "state" | "activity_profile" | "agent_profile"
    org: str
    doc_id: str
    activity_id: str = ""
    agent_key: str = ""
    registration: str = ""

    def scope(self) -> DocumentScope:
        return DocumentScope(
            self.kind, self.org, self.activity_id, self.agent_key, self.registration
        )


@dataclass(frozen=True)
class DocumentScope:
    """The set of documents a multiple-id GET or a DELETE-all addresses.

    For the State resource ``registration=None`` means any registration.
    """

    kind: str
    org: str
    activity_id: str = ""
    agent_key: str = ""
    registration: str | None = ""


@dataclass(frozen=True)
class Document:
    key: DocumentKey
    content: bytes
    content_type: str
    etag: str
    updated: datetime


# Marker for DocumentRepository.save: replace whatever is there.
ANY = "*"


class DocumentRepository(ABC):
    @abstractmethod
    def get(self, key: DocumentKey) -> Document | None: ...

    @abstractmethod
    def list_ids(self, scope: DocumentScope, since: datetime | None = None) -> list[str]: ...

    @abstractmethod
    def save(self, document: Document, expected_etag: str | None) -> None:
        """Write ``document`` if the current ETag is ``expected_etag``.

        ``expected_etag=None`` requires that no document exists; ``ANY``
        replaces unconditionally. Raises ``ConcurrentUpdate`` when another
        writer got there first, so no update is ever lost silently.
        """

    @abstractmethod
    def delete(self, key: DocumentKey) -> None: ...

    @abstractmethod
    def delete_all(self, scope: DocumentScope) -> None: ...
