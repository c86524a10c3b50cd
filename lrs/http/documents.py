"""The Document resources over HTTP (xAPI 1.0.3 Communication 2.2-2.7; xAPI 2.0 §4.1.6.2/.5/.6).

* ``/activities/state``: activityId + agent (+ registration) + stateId;
* ``/activities/profile``: activityId + profileId;
* ``/agents/profile``: agent + profileId.

With the id, GET/PUT/POST/DELETE act on one document; without it GET lists the ids
(optionally ``since``) and, for State only, DELETE removes every document of the
context. HEAD is Flask's GET without the body. The rules (ETags, preconditions,
merging) live in :mod:`lrs.domain.documents.service`; this module reads parameters
and headers and shapes responses. Documents are namespaced by the credential's org.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask import Blueprint, Response, request

from lrs.domain.agents import agent_key
from lrs.domain.documents import service
from lrs.domain.documents.service import ACTIVITY_PROFILE, AGENT_PROFILE, STATE
from lrs.domain.errors import ValidationError
from lrs.domain.statements.validation import is_iri, is_uuid
from lrs.http import requests as req
from lrs.http.auth import require
from lrs.services import services
from lrs.storage.port import DocumentKey, DocumentScope

bp = Blueprint("documents", __name__)

METHODS = ["GET", "PUT", "POST", "DELETE"]


@dataclass(frozen=True)
class _Resource:
    kind: str
    id_param: str
    context_params: tuple[str, ...]  # besides the id (and since)
    write_scope: str
    read_scope: str


_STATE = _Resource(STATE, "stateId", ("activityId", "agent", "registration"), "state", "state/read")
_ACTIVITY_PROFILE = _Resource(
    ACTIVITY_PROFILE, "profileId", ("activityId",), "profile", "profile/read"
)
_AGENT_PROFILE = _Resource(AGENT_PROFILE, "profileId", ("agent",), "profile", "profile/read")


@bp.route("/activities/state", methods=METHODS)
def state() -> Response:
    return _handle(_STATE)


@bp.route("/activities/profile", methods=METHODS)
def activity_profile() -> Response:
    return _handle(_ACTIVITY_PROFILE)


@bp.route("/agents/profile", methods=METHODS)
def agent_profile() -> Response:
    return _handle(_AGENT_PROFILE)


def _handle(resource: _Resource) -> Response:
    method = request.method  # HEAD arrives here as HEAD; it is a GET without the body
    reading = method in ("GET", "HEAD")
    credential = require(resource.read_scope if reading else resource.write_scope)
    org = credential.org

    allowed = (*resource.context_params, resource.id_param)
    if reading:
        allowed = (*allowed, "since")
    params = req.check_params(allowed)
    scope = _scope(resource, params, org)
    doc_id = params.get(resource.id_param)
    if doc_id is not None and doc_id == "":
        raise ValidationError(
            f"parameter {resource.id_param!r} must not be empty", resource.id_param
        )

    store = services().store
    version = req.version()

    if doc_id is None:
        if method in ("PUT", "POST") or (method == "DELETE" and resource.kind != STATE):
            raise ValidationError(f"parameter {resource.id_param!r} is required", resource.id_param)
        if method == "DELETE":
            service.delete_all(store, scope)
            return Response(status=204)
        since = req.timestamp_param(params, "since")
        ids = service.list_ids(store, scope, since)
        return Response(
            json.dumps(ids, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
            content_type="application/json",
        )

    if "since" in params:
        raise ValidationError(
            f"parameter 'since' applies only when listing ids, not with {resource.id_param}",
            "since",
        )
    key = DocumentKey(
        resource.kind, org, doc_id,
        scope.activity_id, scope.agent_key, scope.registration or "",
    )
    conditions = service.Conditions.from_headers(
        request.headers.get("If-Match"), request.headers.get("If-None-Match")
    )

    if reading:
        document = service.get_document(store, key)
        if service.not_modified(document, conditions):
            response = Response(status=304)
        else:
            response = Response(document.content, content_type=document.content_type)
        response.headers["ETag"] = service.quote_etag(document.etag)
        response.last_modified = document.updated
        return response
    if method == "DELETE":
        service.delete_document(store, key, conditions)
        return Response(status=204)

    content = request.get_data(cache=True)
    content_type = request.headers.get("Content-Type")
    if method == "PUT":
        document = service.put_document(store, key, content, content_type, conditions, version)
    else:
        document = service.post_document(store, key, content, content_type, conditions, version)
    response = Response(status=204)
    response.headers["ETag"] = service.quote_etag(document.etag)
    response.last_modified = document.updated
    return response


def _scope(resource: _Resource, params: dict[str, str], org: str) -> DocumentScope:
    """The documents addressed: activity_id, agent_key and registration from the parameters,
    validated (400 naming them)."""
    activity_id, key = "", ""
    registration_value: str | None = ""
    if "activityId" in resource.context_params:
        activity_id = req.required(params, "activityId")
        if not is_iri(activity_id):
            raise ValidationError("parameter 'activityId' must be an IRI", "activityId")
    if "agent" in resource.context_params:
        req.required(params, "agent")
        agent = req.agent_param(params, "agent")
        found = agent_key(agent) if isinstance(agent, dict) else None
        if found is None:
            raise ValidationError(
                "parameter 'agent' must be an Agent or an identified Group", "agent"
            )
        key = found
    if "registration" in resource.context_params:
        registration = params.get("registration")
        if registration is None:
            # No registration: one document stored without one, or (listing,
            # deleting all) the documents of every registration.
            registration_value = "" if resource.id_param in params else None
        else:
            if not is_uuid(registration):
                raise ValidationError("parameter 'registration' must be a UUID", "registration")
            registration_value = registration.lower()
    return DocumentScope(resource.kind, org, activity_id, key, registration_value)

