"""How a role narrows the statements a credential reads (GET /xapi/statements, and the
profile violations recorded against them).

The registry's roles (lrs.domain.identity.roles) narrow statements the same way
they narrow the registry, resolved through the account links (indexed by
agent key and by trainee key), so a query stays an ordinary agent query:

* ``trainee``: statements of its own linked identifiers (as actor or object;
  with ``related_agents=true`` anywhere); asking about another agent or
  trainee finds nothing.
* ``unit`` / ``department``: statements of trainees now in its scope, asked
  per trainee (``trainee=KEY``, or ``agent`` with or without
  ``resolve_identity``): only identifiers linked to a trainee the reader sees
  in full. A query naming no trainee is refused (403): a unit has no business
  with statements of people outside it, and listing everything to filter it
  would not be indexed. Records of trainees who left are read through
  ``GET /xapi/trainees/KEY/history``, which cuts them to the unit's time.
* ``admin`` / ``institution``: their org scope, as before.

Documents (State, Activity and Agent Profiles) belong to the learning
platforms that write them: the narrowed roles may not use them at all.
"""

from __future__ import annotations

from typing import Any

from lrs.domain.agents import agent_key
from lrs.domain.errors import Forbidden, NotFound, ValidationError
from lrs.domain.identity.roles import FULL, Reader, access
from lrs.storage.port import Store, UnitOfWork

NARROWED_ROLES = ("trainee", "unit", "department")
# Scopes that open documents (refused for the narrowed roles at every request).
DOCUMENT_SCOPES = ("all", "state", "profile")
# Matches no statement: a query the role narrows to nothing.
NOTHING = "no-agent-visible-to-this-role:"


def narrowed(reader: Reader) -> bool:
    return reader.role in NARROWED_ROLES


def check_role_scopes(role: str | None, scopes: tuple[str, ...]) -> None:
    """``lrs credentials create`` refuses a narrowed role with a document scope."""
    if role not in NARROWED_ROLES:
        return
    refused = [s for s in scopes if s in DOCUMENT_SCOPES]
    if refused:
        raise ValidationError(
            f"a {role} credential may not have the scope {refused[0]!r}: State and profile "
            "documents belong to the learning platforms; give it trainees/read, "
            "trainees/write, statements/read or all/read",
            "scopes",
        )


def query_agent_keys(store: Store, reader: Reader, requested: tuple[str, ...]) -> tuple[str, ...]:
    """The agent keys a narrowed reader's query covers (``requested``: what it asked for)."""
    with store.read() as uow:
        if reader.role == "trainee":
            own = _own_keys(uow, reader)
            keys = [k for k in requested if k in own] if requested else sorted(own)
        else:
            if not requested:
                raise Forbidden(
                    "单位和管理部门按学员读取语句 (a unit or department reads statements per "
                    "trainee: GET /xapi/statements?trainee=KEY, or /xapi/trainees/KEY/history)",
                    "trainee",
                )
            keys = _keys_of_visible_trainees(uow, reader, requested)
    return tuple(keys) or (NOTHING,)


def may_read(store: Store, reader: Reader, statement: dict[str, Any]) -> bool:
    """Whether a narrowed reader may fetch this statement by its id."""
    keys = _statement_agent_keys(statement)
    if not keys:
        return False
    with store.read() as uow:
        if reader.role == "trainee":
            return bool(_own_keys(uow, reader) & set(keys))
        return bool(_keys_of_visible_trainees(uow, reader, keys))


def check_violations(store: Store, reader: Reader, name: str, value: str) -> None:
    """Profile violations follow their statement: a narrowed role asks per statement it
    may read (``name`` is statementId); a registration spans people, so it is refused."""
    if not narrowed(reader):
        return
    if name != "statementId":
        raise Forbidden(
            f"a {reader.role} credential reads violations per statement (statementId)",
            name,
        )
    with store.read() as uow:
        record = uow.statements.get(value)
    if record is not None and not may_read(store, reader, record.statement):
        raise NotFound(f"no statement with id {value}")


def _own_keys(uow: UnitOfWork, reader: Reader) -> set[str]:
    if not reader.trainee_key:
        return set()
    return set(uow.account_links.agent_keys(reader.trainee_key))


def _keys_of_visible_trainees(
    uow: UnitOfWork, reader: Reader, keys: tuple[str, ...] | list[str]
) -> list[str]:
    owners = uow.account_links.owner_keys(list(keys))
    trainees = uow.trainees.get_many(sorted(set(owners.values())))
    memberships = uow.trainees.memberships_many(sorted(trainees))
    seen = {
        key
        for key, trainee in trainees.items()
        if access(reader, trainee, memberships.get(key, [])) == FULL
    }
    return [k for k in keys if owners.get(k) in seen]


def _statement_agent_keys(statement: dict[str, Any]) -> list[str]:
    parts = [statement.get("actor")]
    target = statement.get("object")
    if isinstance(target, dict) and target.get("objectType") in ("Agent", "Group"):
        parts.append(target)  # an object without objectType is an Activity
    keys = []
    for part in parts:
        key = agent_key(part) if isinstance(part, dict) else None
        if key:
            keys.append(key)
    return keys
