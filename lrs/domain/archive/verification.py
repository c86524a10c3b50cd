"""Checking the credit ledgers' hash chains (§9.1.1: an archive's history must not be
altered) trainee by trainee: what ``lrs archive verify`` runs. One ledger's check is
``ledger.verify``; this walks every ledger (kept apart from ledger.py, which only appends
and checks one chain)."""

from __future__ import annotations

from collections.abc import Iterator

from lrs.domain.archive.ledger import Verification, verify
from lrs.storage.port import Store


def verify_ledgers(store: Store, trainee: str | None = None,
                   page: int = 500) -> Iterator[Verification]:
    """Each trainee's ledger in key order (or only ``trainee``'s), in one read of the store."""
    with store.read() as uow:
        if trainee:
            yield verify(uow, trainee)
            return
        after: str | None = None
        while True:
            keys = uow.archive.ledger_trainees(after, page)
            for key in keys:
                yield verify(uow, key)
            if len(keys) < page:
                return
            after = keys[-1]
