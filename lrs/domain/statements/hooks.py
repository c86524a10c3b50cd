"""Ingest hooks: domain steps that run inside the statement transaction.

Profile validation and identity linking need to see each new statement and
write their own rows (pattern state, violations, identity links) atomically
with it. A hook is called once per request with the statements that were
newly stored (not those accepted as duplicates), in request order. Raising an
``LRSError`` refuses the whole request and nothing of it is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from lrs.storage.port import Credential, StatementRecord, UnitOfWork


@dataclass(frozen=True)
class IngestContext:
    credential: Credential
    version: str


class IngestHook(Protocol):
    def __call__(
        self, uow: UnitOfWork, records: list[StatementRecord], context: IngestContext
    ) -> None: ...
