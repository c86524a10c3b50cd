"""Transfers into a unit that only the receiving side asked for.

A unit's liaison can learn any trainee's key (``POST /xapi/trainees/lookup``
needs only the agreed identifier), so a move *into* a unit cannot rest on the
receiving unit's word alone: it would hand that unit the trainee's whole
history (history follows the person). A transfer is recorded at once only
for a writer that covers the trainee's current unit (the old unit's side, or
a department or admin above it). When only the receiving side asks, the
request becomes an open ``transfer_request`` conflict owned by the lowest org
covering both units, i.e. the department above both, which accepts it
(``accept_transfer``) or dismisses it; until then the registry, and what the
receiving unit may read, stay as they were.
"""

from __future__ import annotations

from datetime import date

from lrs.domain.errors import Forbidden
from lrs.domain.identity.membership import transfer
from lrs.domain.identity.roles import Reader, common_org, may_write_unit
from lrs.domain.identity.vocabulary import TRANSFER_REQUEST
from lrs.storage.port import IdentityConflict, Membership, Trainee, UnitOfWork
from lrs.timeutil import utcnow

DIRECT = "direct"
REQUEST = "request"


def authority(writer: Reader, old_unit: str, new_unit: str) -> str:
    """DIRECT when the writer may move the trainee now, REQUEST when only the receiving
    side is theirs; Forbidden (naming no unit) when neither is."""
    if not old_unit:
        # A provisional trainee (known only from statements) has no old side to ask:
        # registering it is the receiving unit's job.
        if may_write_unit(writer, new_unit):
            return DIRECT
    elif may_write_unit(writer, old_unit):
        return DIRECT
    elif may_write_unit(writer, new_unit):
        return REQUEST
    raise Forbidden("this credential may not manage this trainee or unit")


def request_transfer(
    uow: UnitOfWork,
    writer: Reader,
    trainee: Trainee,
    memberships: list[Membership],
    unit: str,
    day: date,
    source: str,
) -> IdentityConflict:
    """Record (or count again) the receiving unit's request; nothing else changes.

    The move is tried on the memberships first, so a request that could never be
    accepted (a day before the trainee joined their unit) is refused now (409).
    """
    transfer(memberships, unit, day, source)
    return uow.identity_conflicts.record(
        IdentityConflict(
            kind=TRANSFER_REQUEST,
            dedupe_key=f"{TRANSFER_REQUEST}|{trainee.key}|{unit}|{day.isoformat()}",
            org=common_org([trainee.unit, unit]),
            trainee_key=trainee.key,
            details={
                "unit": unit,
                "registry_unit": trainee.unit,
                "day": day.isoformat(),
                "source": source,
                "requested_by": writer.credential_key,
                "requested_at": utcnow().isoformat(),
            },
        )
    )


def settle_requests(uow: UnitOfWork, writer: Reader, trainee_key: str, unit: str) -> None:
    """A transfer recorded directly settles the open requests about the trainee: the one
    into ``unit`` is done, the others were about a unit the trainee has left."""
    conflicts = uow.identity_conflicts.list_conflicts("open", trainee_key=trainee_key, limit=500)
    for request in conflicts:
        if request.kind != TRANSFER_REQUEST or request.trainee_key != trainee_key:
            continue
        done = request.details.get("unit") == unit
        uow.identity_conflicts.close(
            request.id,  # type: ignore[arg-type]
            "resolved" if done else "dismissed",
            {
                "decision": "accept_transfer" if done else "dismiss",
                "by": writer.credential_key,
                "at": utcnow().isoformat(),
                "reason": "the transfer was recorded directly",
            },
        )
