"""The registry roles applied to the xAPI resources (lrs.domain.identity.statement_access).

``narrow`` and ``check_single`` are called by GET /xapi/statements,
``check_violations`` by GET /xapi/profiles/violations;
``refuse_documents`` runs before every request of the documents blueprint.
The Agents resource is narrowed already (its Person lists linked identifiers
only of trainees the reader sees), and Activities serve definitions, which
describe courses, not people.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import request

from lrs.domain.errors import Forbidden, NotFound
from lrs.domain.identity import statement_access
from lrs.domain.identity.roles import reader_for
from lrs.domain.identity.statement_access import may_read, narrowed, query_agent_keys
from lrs.http.auth import current_credential
from lrs.services import services
from lrs.storage.port import Credential, StatementQuery


def _store():
    return services().store


def narrow(credential: Credential, query: StatementQuery) -> StatementQuery:
    """``query`` cut to what the credential's role may read."""
    reader = reader_for(credential)
    if not narrowed(reader):
        return query
    return replace(query, agent_keys=query_agent_keys(_store(), reader, query.agent_keys))


def check_single(credential: Credential, statement_id: str, statement: dict[str, Any]) -> None:
    """A statement fetched by id that the role may not read is not found, like an absent one."""
    reader = reader_for(credential)
    if narrowed(reader) and not may_read(_store(), reader, statement):
        raise NotFound(f"no statement with id {statement_id}")


def check_violations(credential: Credential, name: str, value: str) -> None:
    """Profile violations follow their statement (statement_access.check_violations)."""
    statement_access.check_violations(_store(), reader_for(credential), name, value)


def refuse_documents() -> None:
    """State and profile documents are the learning platforms': not for the narrowed roles."""
    if request.method == "OPTIONS":
        return
    reader = reader_for(current_credential())
    if narrowed(reader):
        raise Forbidden(
            f"学员、单位和管理部门的凭据不能读写文档 (a {reader.role} credential may not use "
            "State or profile documents; they belong to the learning platforms)"
        )
