"""What every archive report starts from: the reader's scope (GB/T 38856 §9.2), the
trainees and rows in it, the policy of each unit, and the heading each report carries.

A reader sees a trainee at one of the levels of ``lrs.domain.identity.roles``:
``FULL`` (the whole history), ``FORMER`` (only records earned under a unit in its
scope), ``LINKED`` (an institution: only records from its own statements).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, Protocol, TypeVar

from lrs.domain.archive.periods import Period
from lrs.domain.archive.policy import CreditPolicy
from lrs.domain.archive.policy_book import PolicyBook, resolve_period
from lrs.domain.archive.projector import status
from lrs.domain.errors import Forbidden, NotFound, ValidationError
from lrs.domain.identity.roles import FORMER, FULL, LINKED, Reader, in_scope
from lrs.domain.identity.views import load
from lrs.storage.port import ArchiveRow, Store, Trainee, UnitOfWork

MANAGERS = ("admin", "department", "unit")
PAGE = 500


class _Earned(Protocol):
    """A row or a ledger entry: the unit it was earned under, the org that stored it."""

    @property
    def unit(self) -> str: ...

    @property
    def org(self) -> str: ...


E = TypeVar("E", bound=_Earned)


def visible(reader: Reader, level: str, items: list[E]) -> list[E]:
    """The rows (or ledger entries) of a trainee that ``reader`` may see at ``level``."""
    if level == FULL:
        return items
    if level == FORMER:
        return [i for i in items if i.unit and in_scope(i.unit, reader.scope)]
    if level == LINKED:
        return [i for i in items if in_scope(i.org, reader.scope)]
    return []


def load_trainee(uow: UnitOfWork, reader: Reader, key: str) -> tuple[Trainee, str]:
    """The trainee ``key`` and the level at which ``reader`` sees them; 404 (one message
    for outside the reader's scope and unknown, as /xapi/trainees/KEY: a 403 would
    confirm that a key, so an agreed identifier, belongs to a registered trainee)."""
    if reader.role == "trainee" and reader.trainee_key != key:
        raise NotFound("no trainee with this key")
    found = load(uow, reader, key, include_unlinked=True)
    return found.trainee, found.level


def require_manager(reader: Reader, org: str, what: str) -> None:
    if reader.role not in MANAGERS or not in_scope(org, reader.scope):
        raise Forbidden(f"this credential may not read the {what} of {org or 'the whole LRS'}")


def all_trainees(uow: UnitOfWork, org: str) -> list[Trainee]:
    """The trainees now in ``org`` or below (``""``: all), in key order."""
    found: list[Trainee] = []
    after: str | None = None
    while True:
        page = uow.trainees.list_trainees(org or None, after, PAGE)
        found += page
        if len(page) < PAGE:
            return found
        after = page[-1].key


def scope_rows(
    uow: UnitOfWork, org: str, members: set[str], period_key: str
) -> tuple[dict[str, list[ArchiveRow]], list[str]]:
    """The period's rows of the current ``members`` (all of them) and of the other trainees
    with records earned under ``org`` (all of theirs too: callers keep those within
    ``org``), by trainee, read once; and those other trainees' keys, in key order."""
    others = [k for k in uow.archive.trainees_in_units(org, period_key) if k not in members]
    rows = uow.archive.rows_for_trainees([*members, *others], period_key)
    return group(rows, lambda r: r.trainee_key), others


def group(
    rows: Iterable[ArchiveRow], key: Callable[[ArchiveRow], str]
) -> dict[str, list[ArchiveRow]]:
    """``rows`` by ``key(row)``, in the order they come."""
    grouped: dict[str, list[ArchiveRow]] = {}
    for row in rows:
        grouped.setdefault(key(row), []).append(row)
    return grouped


class UnitPolicies:
    """The policy (and its version of the period) per unit, cached."""

    def __init__(self, book: PolicyBook, period_key: str, today: date, fallback: CreditPolicy):
        self.book, self.key, self.today, self.fallback = book, period_key, today, fallback
        self._cache: dict[str, CreditPolicy] = {}

    def __call__(self, unit: str) -> CreditPolicy:
        if unit not in self._cache:
            try:
                self._cache[unit] = resolve_period(self.book, unit, self.key, self.today)[0]
            except ValidationError:
                self._cache[unit] = self.fallback
        return self._cache[unit]


# ---------------------------------------------------------------- what every report carries


def heading(policy: CreditPolicy, period: Period) -> dict[str, Any]:
    """The period a report covers and the policy it judges by."""
    return {
        "period": {"key": period.key, "start": period.start.isoformat(),
                   "end": period.end.isoformat()},
        "policy": {"id": policy.id, "slug": policy.slug},
    }


def projected_through(store: Store) -> dict[str, Any]:
    """How far the archive has caught up with the statements (a report may lag them)."""
    state = status(store)
    return {
        "lastEventCreated": state["lastEventCreated"],
        "lastProjectedAt": state["lastProjectedAt"],
        "pendingEvents": state["pendingEvents"],
        "lagSeconds": state["lagSeconds"],
    }
