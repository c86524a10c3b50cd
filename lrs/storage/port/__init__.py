"""The storage port: the one narrow interface every store adapter implements.

Everything above this module (the service layer, the HTTP layer) talks to a
:class:`Store` and the :class:`UnitOfWork` it opens; nothing above it knows
whether rows live in SQLite or MongoDB. Adapters live in ``lrs.storage.sqlite``
and ``lrs.storage.mongo`` and both pass ``tests/contract``.

Design rules the adapters share:

* A unit of work is one transaction. ``commit`` makes every write in it visible
  at once; leaving the block without committing discards them all.
* A statement id is unique in the database itself. ``StatementRepository.add``
  inserts and reports an existing row with the same id instead of checking
  first, so two concurrent writers of one id cannot both succeed.
* Statements are ordered by ``seq``, a store-assigned integer that grows in
  commit order; ``stored`` timestamps never decrease along it. Paging uses
  ``seq`` as a keyset cursor, never an offset.
* Every row carries ``org``, the organisation path of the credential that
  wrote it (``""`` for the root). Reads take an optional scope: a path whose
  subtree may be seen (``None`` means everything).
* Side effects leave the request through the outbox, written in the same unit
  of work as the change that causes them.
"""

from __future__ import annotations

from lrs.storage.port.aggregates import AggregateRepository, UnitCounts, UnitTotals
from lrs.storage.port.archive import ArchiveRepository, ArchiveRow, LedgerEntry, ProjectedStatement
from lrs.storage.port.credentials import Credential, CredentialRepository
from lrs.storage.port.cursor_tokens import CursorTokens, cursor_tokens_for
from lrs.storage.port.documents import ANY, Document, DocumentKey, DocumentRepository, DocumentScope
from lrs.storage.port.errors import ConcurrentUpdate
from lrs.storage.port.gateway import DeadLetter, GatewayJob, GatewayRepository
from lrs.storage.port.identity import (
    AccountLink,
    AccountLinkRepository,
    IdentityConflict,
    IdentityConflictRepository,
    Membership,
    Trainee,
    TraineeRepository,
)
from lrs.storage.port.outbox import Outbox, OutboxEvent, OutboxLag
from lrs.storage.port.profiles import (
    PatternState,
    PatternStateRepository,
    Violation,
    ViolationRepository,
)
from lrs.storage.port.rate_counters import RateCounters, rate_counters_for
from lrs.storage.port.statements import (
    ACTIVITY_USAGES,
    AGENT_USAGES,
    ActivityRepository,
    Attachment,
    AttachmentRepository,
    StatementQuery,
    StatementRecord,
    StatementRepository,
)
from lrs.storage.port.unit_of_work import Store, UnitOfWork

__all__ = [
    "AggregateRepository",
    "UnitCounts",
    "UnitTotals",
    "AGENT_USAGES",
    "ACTIVITY_USAGES",
    "StatementRecord",
    "StatementQuery",
    "Attachment",
    "StatementRepository",
    "ActivityRepository",
    "AttachmentRepository",
    "DocumentKey",
    "DocumentScope",
    "Document",
    "ANY",
    "DocumentRepository",
    "Credential",
    "CredentialRepository",
    "OutboxEvent",
    "OutboxLag",
    "Outbox",
    "PatternState",
    "Violation",
    "PatternStateRepository",
    "ViolationRepository",
    "Trainee",
    "Membership",
    "AccountLink",
    "IdentityConflict",
    "TraineeRepository",
    "AccountLinkRepository",
    "IdentityConflictRepository",
    "ArchiveRow",
    "LedgerEntry",
    "ProjectedStatement",
    "ArchiveRepository",
    "GatewayJob",
    "DeadLetter",
    "GatewayRepository",
    "UnitOfWork",
    "Store",
    "ConcurrentUpdate",
    "RateCounters",
    "rate_counters_for",
    "CursorTokens",
    "cursor_tokens_for",
]
