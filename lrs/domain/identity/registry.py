"""Liaison and institution writes: upsert a trainee, link or unlink an account, transfer.

Every function works inside the caller's unit of work and checks everything
(input, permissions) before its first write, so a refused call writes nothing.
Links are never guessed from names: only an explicit identifier pairing (an
API call, an import row, or a statement's agreed-identifier extension) makes one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from lrs.domain.agents import agent_key, ifi_only
from lrs.domain.errors import Forbidden, NotFound, ValidationError
from lrs.domain.identity import conflicts
from lrs.domain.identity.keys import IdentityKeys, check_agreed_id, mask_id
from lrs.domain.identity.membership import current, set_joined, transfer
from lrs.domain.identity.roles import Reader, check_org_path, may_write_unit
from lrs.domain.identity.saving import save_trainee
from lrs.domain.identity.transfer_requests import (
    REQUEST,
    authority,
    request_transfer,
    settle_requests,
)
from lrs.domain.identity.vocabulary import ACCOUNT_RELEASED, SOURCE_STATEMENT, TRAINEE_LINKED
from lrs.storage.port import AccountLink, IdentityConflict, Membership, Trainee, UnitOfWork
from lrs.timeutil import utcnow


@dataclass(frozen=True)
class TraineeInput:
    """One trainee as a liaison describes it; None (or "") leaves a field as it is."""

    agreed_id: str
    name: str | None = None
    unit: str | None = None
    position: str | None = None
    rank: str | None = None
    joined: date | None = None
    accounts: tuple[dict[str, Any], ...] = ()


@dataclass
class Outcome:
    key: str
    created: bool = False
    changed: bool = False
    linked: list[str] = field(default_factory=list)
    conflicts: list[IdentityConflict] = field(default_factory=list)
    # A transfer only the receiving unit asked for: recorded, nothing else applied.
    pending: IdentityConflict | None = None


def check_account(agent: Any, path: str = "account") -> tuple[str, dict[str, Any]]:
    """(agent key, IFI) of an Agent object naming one identifier; Groups are refused."""
    if not isinstance(agent, dict) or agent.get("objectType", "Agent") != "Agent":
        raise ValidationError("an account must be an Agent with one identifier", path)
    key = agent_key(agent)
    if key is None:
        raise ValidationError("an account needs mbox, mbox_sha1sum, openid or account", path)
    ifi = ifi_only(agent)
    ifi.pop("objectType", None)
    return key, ifi


def upsert_trainee(
    uow: UnitOfWork, keys: IdentityKeys, writer: Reader, data: TraineeInput, source: str
) -> Outcome:
    problem = check_agreed_id(data.agreed_id)
    if problem:
        raise ValidationError(problem, "agreed_id")
    if data.unit:
        check_org_path(data.unit)
    accounts = [check_account(a, f"accounts[{i}]") for i, a in enumerate(data.accounts)]
    key = keys.key(data.agreed_id)
    existing = uow.trainees.get(key)
    memberships = uow.trainees.memberships(key) if existing else []
    if _moves_in(writer, existing, data) == REQUEST:
        assert existing is not None and data.unit and data.joined
        # The receiving unit has no say over this trainee yet: no field, account
        # or membership of the row is applied until the request is accepted.
        pending = request_transfer(
            uow, writer, existing, memberships, data.unit, data.joined, source
        )
        return Outcome(key, conflicts=[pending], pending=pending)
    new_memberships = _memberships_after(writer, existing, memberships, data, source)
    base = existing or Trainee(key=key, masked_id=mask_id(data.agreed_id))
    trainee = replace(
        base,
        name=data.name or base.name,
        position=data.position or base.position,
        rank=data.rank or base.rank,
        unit=(current(new_memberships) or Membership("")).unit,
        provisional=False,
    )
    outcome = Outcome(key, created=existing is None)
    if trainee != existing:
        save_trainee(uow, replace(trainee, updated=utcnow()), existing)
        outcome.changed = True
    if new_memberships != memberships:
        uow.trainees.set_memberships(key, new_memberships)
        outcome.changed = True
        if existing is not None and existing.unit and trainee.unit != existing.unit:
            settle_requests(uow, writer, key, trainee.unit)
    owners = uow.account_links.owner_keys([key for key, _ in accounts]) if accounts else {}
    for agent_key_, ifi in accounts:
        owner = link_into(
            uow, writer, trainee, agent_key_, ifi, source, None, outcome, owners.get(agent_key_)
        )
        if owner is not None:
            owners[agent_key_] = owner
    return outcome


def _moves_in(writer: Reader, existing: Trainee | None, data: TraineeInput) -> str | None:
    """The writer's authority (transfer_requests.DIRECT / REQUEST) when ``data`` moves a
    registered trainee to another unit; None when it moves nobody."""
    if existing is None or existing.provisional or not data.unit or data.unit == existing.unit:
        return None
    if data.joined is None:
        raise ValidationError(
            "the trainee is registered in another unit; give joined (the transfer "
            "date) to record a transfer",
            "joined",
        )
    return authority(writer, existing.unit, data.unit)


def _memberships_after(
    writer: Reader,
    existing: Trainee | None,
    memberships: list[Membership],
    data: TraineeInput,
    source: str,
) -> list[Membership]:
    if existing is None or existing.provisional:
        # A liaison's word replaces what statements suggested about a new trainee.
        if not data.unit:
            raise ValidationError("unit is required for a new trainee", "unit")
        _require_unit(writer, data.unit)
        return [Membership(data.unit, data.joined, None, source)]
    if _moves_in(writer, existing, data) is not None:
        assert data.unit and data.joined  # checked by _moves_in
        return transfer(memberships, data.unit, data.joined, source)
    _require_unit(writer, existing.unit)
    if data.joined is not None:
        return set_joined(memberships, data.joined, source)
    return memberships


def _require_unit(writer: Reader, *units: str) -> None:
    """The writer must cover one of ``units`` (a transfer: the old or the new unit).

    The refusal names no unit: where a trainee is is not the writer's to learn.
    """
    if not any(may_write_unit(writer, u) for u in units if u):
        raise Forbidden("this credential may not manage this trainee or unit")


def require_trainee(uow: UnitOfWork, key: str) -> Trainee:
    trainee = uow.trainees.get(key)
    if trainee is None:
        raise NotFound("no trainee with this key")
    return trainee


def _require_writable(writer: Reader, trainee: Trainee) -> None:
    if trainee.unit:
        _require_unit(writer, trainee.unit)
    elif not writer.writes:
        raise Forbidden("this credential may not manage trainees")


def link_account(
    uow: UnitOfWork, writer: Reader, key: str, agent: Any, source: str
) -> tuple[str, IdentityConflict | None]:
    """``("linked" | "unchanged" | "conflict", conflict)`` after claiming ``agent`` for ``key``."""
    agent_key_, ifi = check_account(agent)
    trainee = require_trainee(uow, key)
    _require_writable(writer, trainee)
    outcome = Outcome(key)
    owner = uow.account_links.owner_keys([agent_key_]).get(agent_key_)
    link_into(uow, writer, trainee, agent_key_, ifi, source, None, outcome, owner)
    if outcome.conflicts:
        return "conflict", outcome.conflicts[0]
    return ("linked" if outcome.linked else "unchanged"), None


def link_into(
    uow: UnitOfWork,
    writer: Reader,
    trainee: Trainee,
    key: str,
    ifi: dict[str, Any],
    source: str,
    statement_id: str | None,
    outcome: Outcome,
    owner: str | None,
    *,
    org: str | None = None,
    new_trainee: bool = False,
) -> str | None:
    """Link ``key`` to ``trainee`` unless ``owner`` (the trainee key it is linked to now)
    or its history says no.

    A refusal is recorded as a conflict in ``outcome``. Returns the key of the
    trainee that owns the agent key afterwards. ``new_trainee``: made in this
    unit of work, so it has no ended links to look up.
    """
    if (
        owner is None
        and source == SOURCE_STATEMENT
        and not new_trainee
        and uow.account_links.was_unlinked(key, trainee.key)
    ):
        # A liaison ended this link; a platform's statement cannot bring it back.
        outcome.conflicts.append(
            conflicts.account_claim(
                uow, trainee, key, ifi, None, source, statement_id, "unlinked before"
            )
        )
        return None
    if owner is None:
        link = AccountLink(
            agent_key=key,
            trainee_key=trainee.key,
            ifi=ifi,
            source=source,
            org=writer.scope if org is None else org,
            linked=utcnow(),
            linked_by=writer.credential_key,
            statement_id=statement_id,
        )
        taken = uow.account_links.link(link)
        if taken is None:
            outcome.linked.append(key)
            uow.outbox.add(TRAINEE_LINKED, {"agent_key": key, "trainee_key": trainee.key})
            return trainee.key
        owner = taken.trainee_key
    if owner != trainee.key:
        outcome.conflicts.append(
            conflicts.account_claim(uow, trainee, key, ifi, owner, source, statement_id)
        )
    return owner


def unlink_account(uow: UnitOfWork, writer: Reader, key: str, agent: Any) -> AccountLink:
    agent_key_, _ = check_account(agent, "agent")
    trainee = require_trainee(uow, key)
    _require_writable(writer, trainee)
    owner = uow.account_links.owners([agent_key_]).get(agent_key_)
    if owner is None or owner.trainee_key != key:
        raise NotFound("this account is not linked to this trainee")
    ended = uow.account_links.unlink(agent_key_, utcnow(), writer.credential_key)
    assert ended is not None
    # The archive takes the account's statements out of this trainee's archive.
    uow.outbox.add(ACCOUNT_RELEASED, {"agent_key": agent_key_, "trainee_key": key})
    return ended


def transfer_trainee(
    uow: UnitOfWork, writer: Reader, key: str, unit: str, day: date, source: str
) -> Trainee | IdentityConflict:
    """Record a move to ``unit`` from ``day`` (the old membership ends the day before),
    or, when only the receiving side asks, the open request (transfer_requests)."""
    check_org_path(unit)
    trainee = require_trainee(uow, key)
    current_memberships = uow.trainees.memberships(key)
    if authority(writer, trainee.unit, unit) == REQUEST:
        return request_transfer(uow, writer, trainee, current_memberships, unit, day, source)
    memberships = transfer(current_memberships, unit, day, source)
    settle_requests(uow, writer, key, unit)
    moved = replace(trainee, unit=unit, updated=utcnow())
    save_trainee(uow, moved, trainee)
    uow.trainees.set_memberships(key, memberships)
    return moved
