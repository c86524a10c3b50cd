"""The ingest hook: link a statement's actor to the trainee its agreed-identifier extension names.

Runs inside the statement transaction (``lrs.domain.statements.hooks``) and
never refuses a statement for identity reasons: an unusable extension is
ignored, a contradiction becomes a conflict. Statements without the extension
cost one dictionary lookup each. Lookups are batched per request: one query
for all the actors' current links, one per distinct trainee.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from lrs.domain.agents import agent_key, ifi_only
from lrs.domain.identity import conflicts
from lrs.domain.identity.keys import IdentityKeys, check_agreed_id, mask_id
from lrs.domain.identity.membership import statement_day, unit_at
from lrs.domain.identity.registry import Outcome, link_into
from lrs.domain.identity.roles import Reader
from lrs.domain.identity.saving import save_trainee
from lrs.domain.identity.vocabulary import (
    AGREED_ID_EXTENSION,
    SOURCE_STATEMENT,
    UNIT_CODE,
    UNIT_CODE_EXTENSION,
    unit_code_of,
)
from lrs.domain.statements.hooks import IngestContext, IngestHook
from lrs.storage.port import Membership, StatementRecord, Trainee, UnitOfWork


@dataclass(frozen=True)
class Claim:
    statement_id: str
    agreed_id: str
    agent_key: str
    ifi: dict[str, Any]
    unit_code: str | None
    day: date


def claims_in(records: list[StatementRecord]) -> list[Claim]:
    """The identity claims the statements make, in order; unusable ones are skipped."""
    found: list[Claim] = []
    for record in records:
        context = record.statement.get("context")
        extensions = context.get("extensions") if isinstance(context, dict) else None
        if not isinstance(extensions, dict) or AGREED_ID_EXTENSION not in extensions:
            continue
        agreed_id = extensions[AGREED_ID_EXTENSION]
        actor = record.statement.get("actor", {})
        if check_agreed_id(agreed_id) or actor.get("objectType") == "Group":
            continue
        key = agent_key(actor)
        if key is None:
            continue
        ifi = ifi_only(actor)
        ifi.pop("objectType", None)
        found.append(
            Claim(
                statement_id=record.id,
                agreed_id=agreed_id,
                agent_key=key,
                ifi=ifi,
                unit_code=_unit_code(extensions.get(UNIT_CODE_EXTENSION)),
                day=statement_day(record.statement, record.stored),
            )
        )
    return found


def _unit_code(value: Any) -> str | None:
    return value if isinstance(value, str) and UNIT_CODE.match(value) else None


def identity_hook(keys: IdentityKeys) -> IngestHook:
    def hook(uow: UnitOfWork, records: list[StatementRecord], context: IngestContext) -> None:
        claims = claims_in(records)
        if claims:
            apply_claims(uow, keys, claims, context.credential.key, context.credential.org)

    return hook


def apply_claims(
    uow: UnitOfWork, keys: IdentityKeys, claims: list[Claim], by: str, org: str
) -> Outcome:
    """Link each claim's actor to its trainee; batched reads, writes only for what is new."""
    writer = Reader("institution", org, None, by)
    tkeys = [keys.key(c.agreed_id) for c in claims]
    owners = uow.account_links.owner_keys([c.agent_key for c in claims])
    # A trainee already linked to the claimed identifier exists: no need to read it.
    settled = {i for i, c in enumerate(claims) if owners.get(c.agent_key) == tkeys[i]}
    unsettled = [k for i, k in enumerate(tkeys) if i not in settled]
    trainees = uow.trainees.get_many(unsettled) if unsettled else {}
    with_codes = [k for k, c in zip(tkeys, claims, strict=True) if c.unit_code is not None]
    memberships = uow.trainees.memberships_many(with_codes) if with_codes else {}
    created: set[str] = set()
    outcome = Outcome(key="")
    for index, (claim, tkey) in enumerate(zip(claims, tkeys, strict=True)):
        if claim.unit_code is not None:
            _check_unit(uow, tkey, memberships.get(tkey, []), claim)
        if index in settled:
            continue
        trainee = trainees.get(tkey)  # read above with every unsettled claim's trainee
        if trainee is None:
            # Unknown identifier: a provisional entry, outside every unit (a
            # unit code does not say where in the org tree the unit sits)
            # until a liaison registers the trainee.
            trainee = Trainee(key=tkey, masked_id=mask_id(claim.agreed_id), provisional=True)
            save_trainee(uow, trainee, None)
            created.add(tkey)
        trainees[tkey] = trainee
        owner = owners.get(claim.agent_key)
        if owner == tkey:
            continue
        linked = link_into(
            uow,
            writer,
            trainee,
            claim.agent_key,
            claim.ifi,
            SOURCE_STATEMENT,
            claim.statement_id,
            outcome,
            owner,
            org=org,
            new_trainee=tkey in created,
        )
        if linked is not None:
            owners[claim.agent_key] = linked
    return outcome


def _check_unit(
    uow: UnitOfWork, trainee_key: str, memberships: list[Membership], claim: Claim
) -> None:
    """A unit code other than the registry's unit on the statement's day is a conflict."""
    registry_unit = unit_at(memberships, claim.day)
    if registry_unit is not None and unit_code_of(registry_unit) != claim.unit_code:
        assert claim.unit_code is not None
        conflicts.unit_mismatch(
            uow, trainee_key, claim.unit_code, registry_unit, claim.statement_id, claim.day
        )
