"""Dead letters: what the hub (or an upstream) refused, with the reason, until retried.

One set of reads for ``GET /xapi/gateway/dead-letters``, the console's admin page and
``lrs gateway dead-letters``/``retry``, so the three see the same letters under the
same org scope. Retrying needs the forwarder (in ``adapters``), so it lives in
``lrs.gateway_hub``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from lrs.domain.errors import ValidationError
from lrs.domain.gateway.jobs import found_in_scope
from lrs.storage.port import DeadLetter, Store

STATUSES = ("open", "resolved", "all")


def list_dead_letters(
    store: Store, *, job: str | None = None, status: str = "open",
    org_scope: str | None = None, limit: int = 100,
) -> list[DeadLetter]:
    """Letters in creation order; ``status`` is open, resolved or all."""
    check_status(status)
    with store.read() as uow:
        return uow.gateway.dead_letters(job, None if status == "all" else status,
                                        org_scope, limit)


def check_status(status: str) -> str:
    if status not in STATUSES:
        raise ValidationError("status must be open, resolved or all", "status")
    return status


def get_dead_letter(store: Store, letter_id: str, org_scope: str | None = None) -> DeadLetter:
    """One letter; one outside ``org_scope`` is not found, like an absent one."""
    with store.read() as uow:
        letter = uow.gateway.get_dead_letter(letter_id)
    return found_in_scope(letter, org_scope, f"no dead letter {letter_id}")


def letters_to_retry(store: Store, letter_ids: Iterable[str],
                     job: str | None = None) -> list[DeadLetter]:
    """The named letters, then (with ``job``) every open letter of that job."""
    letters = [get_dead_letter(store, i) for i in letter_ids]
    if job:
        letters += list_dead_letters(store, job=job, limit=10_000)
    return letters


def letter_view(letter: DeadLetter, stamp: Callable[[datetime], str]) -> dict[str, Any]:
    """The letter as JSON shows it (its payload stays in the store); ``stamp`` formats times."""
    return {"id": letter.id, "job": letter.job, "item": letter.item, "reason": letter.reason,
            "status": letter.status, "attempts": letter.attempts, "org": letter.org,
            "created": stamp(letter.created) if letter.created else None,
            "updated": stamp(letter.updated) if letter.updated else None}
