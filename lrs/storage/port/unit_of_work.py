"""Storage port: the unit of work over every repository, and the store that opens it.

See :mod:`lrs.storage.port` for the rules every adapter follows.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from lrs.storage.port.aggregates import AggregateRepository
from lrs.storage.port.archive import ArchiveRepository
from lrs.storage.port.credentials import CredentialRepository
from lrs.storage.port.documents import DocumentRepository
from lrs.storage.port.gateway import GatewayRepository
from lrs.storage.port.identity import (
    AccountLinkRepository,
    IdentityConflictRepository,
    TraineeRepository,
)
from lrs.storage.port.outbox import Outbox
from lrs.storage.port.profiles import PatternStateRepository, ViolationRepository
from lrs.storage.port.statements import (
    ActivityRepository,
    AttachmentRepository,
    StatementRepository,
)

__all__ = ["Store", "UnitOfWork"]

if TYPE_CHECKING:  # they name Store themselves
    from lrs.storage.port.cursor_tokens import CursorTokens
    from lrs.storage.port.rate_counters import RateCounters


class UnitOfWork(ABC):
    """One transaction over every repository."""

    statements: StatementRepository
    activities: ActivityRepository
    attachments: AttachmentRepository
    documents: DocumentRepository
    credentials: CredentialRepository
    outbox: Outbox
    pattern_states: PatternStateRepository
    violations: ViolationRepository
    trainees: TraineeRepository
    account_links: AccountLinkRepository
    identity_conflicts: IdentityConflictRepository
    archive: ArchiveRepository
    aggregates: AggregateRepository
    gateway: GatewayRepository

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def rollback(self) -> None: ...


class Store(ABC):
    """A database. Thread-safe; each unit of work is used by one thread."""

    @abstractmethod
    def unit_of_work(self, write: bool = True) -> UnitOfWork:
        """Open a transaction; use through :meth:`transaction` or :meth:`read`.

        A write unit of work takes the store's write lock (where it has one)
        at the start, so checks made inside it hold until commit.
        """

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def rate_counters(self) -> RateCounters:
        """The rate counters kept in this store's database."""

    @abstractmethod
    def cursor_tokens(self) -> CursorTokens:
        """The `more` cursor tokens kept in this store's database."""

    def checkpoint(self) -> None:
        """Move committed changes from a write-ahead log into the database without
        waiting for any reader or writer, where the store has such a log (the embedded
        store); nothing elsewhere. Called by the archive follower between batches."""
        return None  # MongoDB: its storage engine checkpoints by itself

    @contextmanager
    def transaction(self) -> Iterator[UnitOfWork]:
        """Yield a unit of work; commit when the block ends normally, else roll back."""
        uow = self.unit_of_work()
        try:
            yield uow
            uow.commit()
        except BaseException:
            uow.rollback()
            raise

    @contextmanager
    def read(self) -> Iterator[UnitOfWork]:
        """Yield a unit of work for reads only; nothing it does is kept."""
        uow = self.unit_of_work(write=False)
        try:
            yield uow
        finally:
            uow.rollback()
