"""The trainee registry's reach into the xAPI resources: the Agents resource's
merged Person, and ``GET /xapi/statements?trainee=…`` / ``resolve_identity``.

Shared by the agents and statements blueprints, so neither imports the
identity blueprint.
"""

from __future__ import annotations

from typing import Any

from lrs.domain.errors import ValidationError
from lrs.domain.identity import views
from lrs.domain.identity.keys import is_trainee_key
from lrs.domain.identity.roles import reader_for
from lrs.http import requests as req
from lrs.http.auth import current_credential
from lrs.services import services


def person_for(agent: dict[str, Any]) -> dict[str, Any] | None:
    """The Agents resource's Person merged across linked identifiers, when visible."""
    return views.person(services().store, reader_for(current_credential()), agent)


def expand_agent_keys(params: dict[str, str], agent_keys: tuple[str, ...]) -> tuple[str, ...]:
    """GET /xapi/statements extension: ``trainee=KEY``, or ``agent`` + ``resolve_identity=true``.

    Either makes the query cover every identifier linked to the trainee.
    """
    trainee = params.get("trainee")
    resolve_identity = req.bool_param(params, "resolve_identity")
    if trainee is None and not resolve_identity:
        return agent_keys
    reader = reader_for(current_credential())
    if trainee is not None:
        if "agent" in params:
            raise ValidationError("trainee cannot be combined with agent", "trainee")
        if not is_trainee_key(trainee):
            raise ValidationError(
                "trainee must be a trainee key (64 hex digits; POST /xapi/trainees/lookup "
                "turns an agreed identifier into one)",
                "trainee",
            )
        return views.resolved_agent_keys(services().store, reader, trainee, None)
    if "agent" not in params:
        raise ValidationError("resolve_identity needs agent", "resolve_identity")
    return views.resolved_agent_keys(services().store, reader, None, req.agent_param(params))
