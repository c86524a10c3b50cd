"""Reads: a trainee as each reader may see it, the Person of the Agents resource,
a trainee's reconciled history, a unit's trainees, and identity-resolved queries.

Identity is resolved here, when reading; stored statements are never changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lrs.domain.agents import IFI_PROPERTIES, agent_key
from lrs.domain.errors import Forbidden, NotFound
from lrs.domain.identity.keys import mask_name
from lrs.domain.identity.membership import current, statement_day, unit_at
from lrs.domain.identity.roles import (
    FORMER,
    FULL,
    LINKED,
    NONE,
    Reader,
    access,
    check_org_path,
    in_scope,
    names_visible,
)
from lrs.domain.identity.vocabulary import UNIT_CODE_EXTENSION
from lrs.storage.port import AccountLink, Membership, StatementQuery, Store, Trainee, UnitOfWork

# An agent key no statement can carry: the filter for a trainee without accounts.
NO_AGENT = "trainee-without-accounts:"


def _day(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def membership_view(m: Membership) -> dict[str, Any]:
    return {"unit": m.unit, "joined": _day(m.joined), "left": _day(m.left), "source": m.source}


def link_view(link: AccountLink) -> dict[str, Any]:
    view: dict[str, Any] = {
        "agent": {"objectType": "Agent", **link.ifi},
        "source": link.source,
        "linked": _day(link.linked),
    }
    if link.statement_id:
        view["statement_id"] = link.statement_id
    if link.unlinked:
        view["unlinked"] = _day(link.unlinked)
    return view


def shown_name(reader: Reader, level: str, trainee: Trainee) -> str:
    """The trainee's name in clear, or masked where the reader's role may not see it."""
    return trainee.name if names_visible(reader, level) else mask_name(trainee.name)


def trainee_view(
    reader: Reader,
    level: str,
    trainee: Trainee,
    memberships: list[Membership],
    links: list[AccountLink],
) -> dict[str, Any]:
    """The trainee as ``reader`` may see it; names masked unless the role allows them."""
    name = shown_name(reader, level, trainee)
    view: dict[str, Any] = {
        "key": trainee.key,
        "masked_id": trainee.masked_id,
        "name": name,
        "position": trainee.position,
        "rank": trainee.rank,
        "provisional": trainee.provisional,
        "access": level,
    }
    if level == FORMER:
        # A unit the trainee left sees its own part of the story only.
        view["memberships"] = [
            membership_view(m) for m in memberships if in_scope(m.unit, reader.scope)
        ]
        return view
    now = current(memberships)
    view["unit"] = trainee.unit or None
    view["joined"] = _day(now.joined) if now else None
    view["memberships"] = [membership_view(m) for m in memberships]
    view["accounts"] = [link_view(link) for link in links]
    return view


@dataclass(frozen=True)
class Loaded:
    trainee: Trainee
    memberships: list[Membership]
    links: list[AccountLink]
    level: str


def load(uow: UnitOfWork, reader: Reader, key: str, include_unlinked: bool = False) -> Loaded:
    """The trainee with what ``reader`` may see of it; 404 when it may see nothing.
    ``include_unlinked``: judge an institution's access by the accounts it ever linked
    (the archive keeps what they earned), not only those linked now."""
    trainee = uow.trainees.get(key)
    if trainee is None:
        raise NotFound("no trainee with this key")
    memberships = uow.trainees.memberships(key)
    links = uow.account_links.for_trainee(key, include_unlinked)
    level = access(reader, trainee, memberships, links)
    if level == NONE:
        # Indistinguishable from absence: a key says nothing about who exists.
        raise NotFound("no trainee with this key")
    return Loaded(trainee, memberships, links, level)


def show(store: Store, reader: Reader, key: str) -> dict[str, Any]:
    with store.read() as uow:
        found = load(uow, reader, key)
    return trainee_view(reader, found.level, found.trainee, found.memberships, found.links)


def person(store: Store, reader: Reader, agent: dict[str, Any]) -> dict[str, Any] | None:
    """The Agents resource's Person with every linked identifier, or None if none is visible."""
    key = agent_key(agent)
    if key is None:
        return None
    with store.read() as uow:
        owner = uow.account_links.owners([key]).get(key)
        if owner is None:
            return None
        trainee = uow.trainees.get(owner.trainee_key)
        if trainee is None:
            return None
        memberships = uow.trainees.memberships(trainee.key)
        links = uow.account_links.for_trainee(trainee.key)
    level = access(reader, trainee, memberships, links)
    if level not in (FULL, LINKED):
        return None
    result: dict[str, Any] = {"objectType": "Person"}
    name = shown_name(reader, level, trainee)
    if name:
        result["name"] = [name]
    elif "name" in agent:
        result["name"] = [agent["name"]]
    ifis = [agent] + [link.ifi for link in links]
    for prop in IFI_PROPERTIES:
        values: list[Any] = []
        for ifi in ifis:
            if prop in ifi and ifi[prop] not in values:
                values.append(ifi[prop])
        if values:
            result[prop] = values
    return result


def history(
    store: Store,
    reader: Reader,
    key: str,
    *,
    limit: int,
    after_seq: int | None = None,
    max_seq: int | None = None,
    ascending: bool = False,
) -> dict[str, Any]:
    """One page of the trainee's statements across all linked identifiers.

    Each entry carries ``unit``: the unit the statement was earned under (the
    membership covering its timestamp), and ``claimed_unit_code`` when the
    platform sent one. A unit the trainee left sees only what was earned under
    it; an institution sees only statements written within its org.
    """
    with store.read() as uow:
        found = load(uow, reader, key)
        keys = tuple(link.agent_key for link in found.links)
        if max_seq is None:
            max_seq = uow.statements.last_seq()
        entries: list[dict[str, Any]] = []
        cursor = after_seq
        more = False
        batch = min(max(limit * 2, 50), 1000)
        while keys:
            rows = uow.statements.query(
                StatementQuery(
                    agent_keys=keys,
                    ascending=ascending,
                    limit=batch,
                    after_seq=cursor,
                    max_seq=max_seq,
                    org_scope=reader.scope if found.level == LINKED else None,
                )
            )
            for index, row in enumerate(rows):
                cursor = row.seq
                unit = unit_at(found.memberships, statement_day(row.statement, row.stored))
                if found.level == FORMER and not (unit and in_scope(unit, reader.scope)):
                    continue
                entries.append(_entry(row.statement, unit))
                if len(entries) == limit:
                    more = index < len(rows) - 1 or len(rows) == batch
                    break
            else:
                if len(rows) == batch:
                    continue
            break
    view = trainee_view(reader, found.level, found.trainee, found.memberships, found.links)
    return {
        "trainee": view,
        "statements": entries,
        "next": {"after": cursor, "max": max_seq} if more else None,
    }


def _entry(statement: dict[str, Any], unit: str | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"unit": unit}
    extensions = (statement.get("context") or {}).get("extensions") or {}
    claimed = extensions.get(UNIT_CODE_EXTENSION) if isinstance(extensions, dict) else None
    if claimed is not None:
        entry["claimed_unit_code"] = claimed
    entry["statement"] = statement
    return entry


def unit_trainees(
    store: Store,
    reader: Reader,
    unit: str,
    *,
    former: bool = False,
    after_key: str | None = None,
    limit: int = 500,
) -> dict[str, Any]:
    """The trainees now in ``unit`` (or its sub-units), or with ``former`` those who left it."""
    check_org_path(unit)
    if reader.role not in ("admin", "department", "unit") or not in_scope(unit, reader.scope):
        raise Forbidden(f"this credential may not list the trainees of {unit}")
    items: list[dict[str, Any]] = []
    with store.read() as uow:
        if former:
            candidates = uow.trainees.with_memberships_in(unit, after_key, limit)
            chosen = [t for t in candidates if not (t.unit and in_scope(t.unit, unit))]
        else:
            candidates = uow.trainees.list_trainees(unit, after_key, limit)
            chosen = candidates
        unit_reader = Reader(reader.role, unit, None, reader.credential_key)
        for trainee in chosen:
            memberships = uow.trainees.memberships(trainee.key)
            level = FORMER if former else FULL
            links = [] if former else uow.account_links.for_trainee(trainee.key)
            items.append(trainee_view(unit_reader, level, trainee, memberships, links))
    last = candidates[-1].key if len(candidates) == limit else None
    status = "former" if former else "current"
    return {"unit": unit, "status": status, "trainees": items, "next": last}


def resolved_agent_keys(
    store: Store, reader: Reader, trainee_key: str | None, agent: dict[str, Any] | None
) -> tuple[str, ...]:
    """The agent keys a statement query covers for ``trainee=`` or ``agent`` + resolve_identity.

    ``trainee=`` costs one indexed lookup. A trainee credential may ask only
    about itself.
    """
    with store.read() as uow:
        if trainee_key is None:
            assert agent is not None
            key = agent_key(agent)
            owner = uow.account_links.owners([key]).get(key) if key else None
            if owner is None:
                return (key,) if key else (NO_AGENT,)
            trainee_key = owner.trainee_key
        if reader.role == "trainee" and reader.trainee_key != trainee_key:
            raise Forbidden("a trainee credential may read only its own statements")
        keys = uow.account_links.agent_keys(trainee_key)
    return tuple(keys) or (NO_AGENT + trainee_key,)
