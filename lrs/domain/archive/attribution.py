"""Whose archive a statement belongs to, and the unit it was earned under.

The trainee is the owner of the actor's account link in the identity registry
(GB/T 38856 §6.1.3: accounts join basic information through the agreed
identifier); a statement whose actor is linked to nobody is *unattributed* and
is projected when a ``trainee.linked`` event arrives. The unit is the
trainee's membership on the statement's day (history follows the person, each
record keeps the unit it was earned under), else the platform's unit-code
context extension, else "".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lrs.domain.agents import agent_key
from lrs.domain.identity.membership import statement_day, unit_at
from lrs.storage.port import Membership, StatementRecord, UnitOfWork


@dataclass(frozen=True)
class Attribution:
    trainee_key: str
    unit: str
    day: date  # the statement's day in China Standard Time


class Attributor:
    """Attributes statements inside one unit of work, caching lookups for a batch."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self._owners: dict[str, str | None] = {}
        self._memberships: dict[str, list[Membership]] = {}

    def prefetch(self, records: list[StatementRecord]) -> None:
        """One lookup for the owners of every actor in a batch."""
        keys = [k for r in records if (k := actor_key(r)) and k not in self._owners]
        if not keys:
            return
        found = self._uow.account_links.owner_keys(keys)
        for key in keys:
            self._owners[key] = found.get(key)

    def forget(self, agent_key_: str) -> None:
        self._owners.pop(agent_key_, None)

    def trainee_of(self, record: StatementRecord) -> str | None:
        key = actor_key(record)
        if key is None:
            return None
        if key not in self._owners:
            self._owners[key] = self._uow.account_links.owner_keys([key]).get(key)
        return self._owners[key]

    def memberships(self, trainee_key: str) -> list[Membership]:
        if trainee_key not in self._memberships:
            self._memberships[trainee_key] = self._uow.trainees.memberships(trainee_key)
        return self._memberships[trainee_key]

    def attribute(self, record: StatementRecord, unit_code: str = "") -> Attribution | None:
        trainee = self.trainee_of(record)
        if trainee is None:
            return None
        day = statement_day(record.statement, record.stored)
        unit = unit_at(self.memberships(trainee), day) or unit_code or ""
        return Attribution(trainee, unit, day)


def actor_key(record: StatementRecord) -> str | None:
    """The key of the statement's actor agent (what account links are made for); None
    for a group, which is never attributed."""
    actor = record.statement.get("actor")
    if not isinstance(actor, dict) or actor.get("objectType") == "Group":
        return None
    return agent_key(actor)
