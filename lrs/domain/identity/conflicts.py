"""Conflicts: claims the registry contradicts, listed until an authorised user decides.

Nothing is merged silently. Three kinds:

* ``account_claim``: an agent identifier linked to one trainee is claimed for
  another (by a statement's extension, an API call or an import row), or a
  statement claims an identifier a liaison unlinked. The link stays as it was
  until someone decides which trainee owns the identifier (or dismisses).
* ``unit_mismatch``: a statement's unit code differs from the code of the
  trainee's unit at the statement's timestamp (the last segment of the unit's
  org path). The registry stays as it is until someone accepts the transfer
  (naming the new unit's org path, which must end with the claimed code; from
  the statement's day or a day they give) or dismisses it.
* ``transfer_request``: a unit asked to take in a trainee registered in
  another unit it does not cover (lrs.domain.identity.transfer_requests);
  the department above both accepts the transfer or dismisses it.

Statements are stored unchanged either way. A repeated claim counts on the
open conflict instead of adding one. A conflict belongs to the lowest org path
covering every unit concerned: the authority over all of them resolves it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from lrs.domain.errors import Conflict, NotFound, ValidationError
from lrs.domain.identity.membership import current, transfer
from lrs.domain.identity.roles import Reader, check_org_path, common_org, in_scope
from lrs.domain.identity.saving import save_trainee
from lrs.domain.identity.vocabulary import (
    ACCOUNT_CLAIM,
    ACCOUNT_RELEASED,
    SOURCE_RESOLUTION,
    TRAINEE_LINKED,
    TRANSFER_REQUEST,
    UNIT_MISMATCH,
    unit_code_of,
)
from lrs.storage.port import AccountLink, IdentityConflict, Store, Trainee, UnitOfWork
from lrs.timeutil import utcnow

STATUSES = ("open", "resolved", "dismissed", "all")
DECISIONS = {
    ACCOUNT_CLAIM: ("owner", "dismiss"),
    UNIT_MISMATCH: ("accept_transfer", "dismiss"),
    TRANSFER_REQUEST: ("accept_transfer", "dismiss"),
}


def account_claim(
    uow: UnitOfWork,
    claimant: Trainee,
    agent_key: str,
    ifi: dict[str, Any],
    owner: str | None,
    source: str,
    statement_id: str | None,
    reason: str = "linked to another trainee",
) -> IdentityConflict:
    owner_trainee = uow.trainees.get(owner) if owner else None
    units = [claimant.unit, owner_trainee.unit if owner_trainee else ""]
    return uow.identity_conflicts.record(
        IdentityConflict(
            kind=ACCOUNT_CLAIM,
            dedupe_key=f"{ACCOUNT_CLAIM}|{agent_key}|{claimant.key}",
            org=common_org(units),
            trainee_key=claimant.key,
            other_trainee_key=owner,
            agent_key=agent_key,
            details={
                "ifi": ifi,
                "reason": reason,
                "source": source,
                "statement_id": statement_id,
            },
        )
    )


def unit_mismatch(
    uow: UnitOfWork,
    trainee_key: str,
    claimed_code: str,
    registry_unit: str,
    statement_id: str,
    day: date,
) -> IdentityConflict:
    return uow.identity_conflicts.record(
        IdentityConflict(
            kind=UNIT_MISMATCH,
            dedupe_key=f"{UNIT_MISMATCH}|{trainee_key}|{claimed_code}|{registry_unit}",
            # Where the claimed unit sits is unknown: the registry's unit decides.
            org=registry_unit,
            trainee_key=trainee_key,
            details={
                "claimed_unit_code": claimed_code,
                "registry_unit": registry_unit,
                "statement_id": statement_id,
                "day": day.isoformat(),
            },
        )
    )


def visible(reader: Reader, conflict: IdentityConflict) -> bool:
    return reader.writes and in_scope(conflict.org, reader.scope)


def conflicts_for(
    store: Store, reader: Reader, status: str = "open", trainee_key: str | None = None,
    limit: int = 100,
) -> list[IdentityConflict]:
    """The conflicts ``reader`` may decide (writers, within their org subtree), oldest first;
    ``status`` is open, resolved, dismissed or all."""
    check_status(status)
    with store.read() as uow:
        found = uow.identity_conflicts.list_conflicts(
            None if status == "all" else status, org_scope=reader.scope or None,
            trainee_key=trainee_key, limit=limit,
        )
    return [c for c in found if visible(reader, c)]


def check_status(status: str) -> str:
    if status not in STATUSES:
        raise ValidationError("status must be open, resolved, dismissed or all", "status")
    return status


def parties(store: Store, conflicts: list[IdentityConflict]) -> dict[str, Trainee]:
    """The trainees the conflicts name (either side), by key: for lists that show names."""
    keys = sorted({k for c in conflicts for k in (c.trainee_key, c.other_trainee_key) if k})
    with store.read() as uow:
        return uow.trainees.get_many(keys)


def resolve(
    uow: UnitOfWork,
    writer: Reader,
    conflict_id: str,
    decision: str,
    owner: str | None = None,
    day: date | None = None,
    unit: str | None = None,
) -> IdentityConflict:
    """Apply a decision on an open conflict and close it; returns the closed conflict."""
    conflict = uow.identity_conflicts.get(conflict_id)
    if conflict is None or not visible(writer, conflict):
        raise NotFound(f"no conflict {conflict_id}")
    if conflict.status != "open":
        raise Conflict(f"conflict {conflict_id} is already {conflict.status}")
    allowed = DECISIONS[conflict.kind]
    if decision not in allowed:
        raise ValidationError(
            f"a {conflict.kind} conflict takes decision {' or '.join(allowed)}", "decision"
        )
    resolution: dict[str, Any] = {
        "decision": decision,
        "by": writer.credential_key,
        "at": utcnow().isoformat(),
    }
    status = "dismissed" if decision == "dismiss" else "resolved"
    if decision == "owner":
        resolution["owner"] = _assign_owner(uow, writer, conflict, owner)
    elif decision == "accept_transfer":
        if conflict.kind == TRANSFER_REQUEST:
            unit = _requested_unit(conflict, unit)
        resolution["unit"] = unit
        resolution["day"] = _accept_transfer(uow, writer, conflict, day, unit).isoformat()
    if not uow.identity_conflicts.close(conflict_id, status, resolution):
        raise Conflict(f"conflict {conflict_id} was resolved meanwhile")
    return replace(conflict, status=status, resolution=resolution)


def _assign_owner(
    uow: UnitOfWork, writer: Reader, conflict: IdentityConflict, owner: str | None
) -> str:
    candidates = [k for k in (conflict.trainee_key, conflict.other_trainee_key) if k]
    if owner not in candidates:
        raise ValidationError(
            "owner must be the key of the claimant or of the current owner", "owner"
        )
    assert conflict.agent_key is not None
    active = uow.account_links.owners([conflict.agent_key]).get(conflict.agent_key)
    if active is not None and active.trainee_key == owner:
        return owner
    now = utcnow()
    if active is not None:
        uow.account_links.unlink(conflict.agent_key, now, writer.credential_key)
        # Released from the old owner's archive before it is projected into the new one's
        # (the outbox keeps this order: release, then link).
        uow.outbox.add(
            ACCOUNT_RELEASED,
            {"agent_key": conflict.agent_key, "trainee_key": active.trainee_key},
        )
    taken = uow.account_links.link(
        AccountLink(
            agent_key=conflict.agent_key,
            trainee_key=owner,
            ifi=conflict.details.get("ifi", {}),
            source=SOURCE_RESOLUTION,
            org=writer.scope,
            linked=now,
            linked_by=writer.credential_key,
            statement_id=conflict.details.get("statement_id"),
        )
    )
    if taken is not None:
        raise Conflict("the account was linked meanwhile; try again")
    uow.outbox.add(TRAINEE_LINKED, {"agent_key": conflict.agent_key, "trainee_key": owner})
    return owner


def _requested_unit(conflict: IdentityConflict, unit: str | None) -> str:
    """A transfer request is accepted as asked: into the unit it names."""
    requested = conflict.details["unit"]
    if unit is not None and unit != requested:
        raise ValidationError(f"this request is a transfer into {requested}", "unit")
    return requested


def _accept_transfer(
    uow: UnitOfWork, writer: Reader, conflict: IdentityConflict, day: date | None, unit: str | None
) -> date:
    check_org_path(unit)
    assert unit is not None
    if conflict.kind == UNIT_MISMATCH:
        code = conflict.details["claimed_unit_code"]
        if unit_code_of(unit) != code:
            raise ValidationError(
                f"unit must be the org path of the unit with code {code}", "unit"
            )
    trainee = uow.trainees.get(conflict.trainee_key)
    if trainee is None:
        raise NotFound("the trainee of this conflict is gone")
    memberships = uow.trainees.memberships(trainee.key)
    now = current(memberships)
    if now is None or now.unit != conflict.details["registry_unit"]:
        raise Conflict(
            "the trainee's unit changed since this conflict was recorded; "
            "record the transfer explicitly, then dismiss the conflict"
        )
    when = day or date.fromisoformat(conflict.details["day"])
    uow.trainees.set_memberships(trainee.key, transfer(memberships, unit, when, SOURCE_RESOLUTION))
    save_trainee(uow, replace(trainee, unit=unit, updated=utcnow()), trainee)
    return when
