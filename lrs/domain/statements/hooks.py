"""Ingest hooks: domain steps that run inside the statement transaction.

Profile validation and identity linking need to see each new statement and
write their own rows (pattern state, violations, identity links) atomically
with it. A hook is called once per request with the statements that were
newly stored (not those accepted as duplicates), in request order. Raising an
``LRSError`` refuses the whole request and nothing of it is kept.

Write transactions run one at a time, so a hook may move stateless work out
of it: a hook that also has a ``prepare(records, context)`` method (see
``PreparingIngestHook``) has it called before the transaction opens, with
every record of the request (which ones are new is only known inside; their
``stored`` and a defaulted ``timestamp`` are provisional, milliseconds before
the final stamp). Whatever it returns is passed to the in-transaction call as
``prepared=``, which uses only the entries of the records that turned out new
(matched by ``record.id``). A hook without ``prepare`` is called as before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol, cast, runtime_checkable

from lrs.storage.port import Credential, StatementRecord, UnitOfWork


@dataclass(frozen=True)
class IngestContext:
    credential: Credential
    version: str


class IngestHook(Protocol):
    def __call__(
        self, uow: UnitOfWork, records: list[StatementRecord], context: IngestContext
    ) -> None: ...


@runtime_checkable
class PreparingIngestHook(Protocol):
    """An ingest hook that does part of its work before the transaction."""

    def prepare(self, records: list[StatementRecord], context: IngestContext) -> Any: ...

    def __call__(
        self,
        uow: UnitOfWork,
        records: list[StatementRecord],
        context: IngestContext,
        *,
        prepared: Any = None,
    ) -> None: ...


def prepare_hooks(
    hooks: Sequence[IngestHook], records: list[StatementRecord], context: IngestContext
) -> list[Callable[[UnitOfWork, list[StatementRecord]], None]]:
    """Run every hook's ``prepare`` (outside the transaction); the calls to make inside it."""
    calls: list[Callable[[UnitOfWork, list[StatementRecord]], None]] = []
    for hook in hooks:
        # A plain attribute test: isinstance() against a runtime-checkable Protocol
        # inspects the class's members on every call (~25 µs per hook per request).
        if callable(getattr(hook, "prepare", None)):
            preparing = cast(PreparingIngestHook, hook)
            prepared = preparing.prepare(records, context)
            calls.append(partial(_call_prepared, preparing, context, prepared))
        else:
            calls.append(partial(_call, hook, context))
    return calls


def _call(hook: IngestHook, context: IngestContext, uow: UnitOfWork, new: list) -> None:
    hook(uow, new, context)


def _call_prepared(
    hook: PreparingIngestHook, context: IngestContext, prepared: Any, uow: UnitOfWork, new: list
) -> None:
    hook(uow, new, context, prepared=prepared)
