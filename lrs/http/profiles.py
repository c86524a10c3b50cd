"""The loaded xAPI Profiles and the violations recorded against them: /xapi/profiles.

``GET /xapi/profiles``                          the loaded profiles
``GET /xapi/profiles?profileId=IRI``            one profile document (profile or version id)
``GET /xapi/profiles/violations?statementId=``  violations recorded for a statement
``GET /xapi/profiles/violations?registration=`` … for a registration, with where the
                                                registration stands in each primary pattern

Violations are recorded for credentials whose profile policy is ``flag``; a
credential sees those written by credentials in its organisation subtree.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from lrs.domain.errors import NotFound, ValidationError
from lrs.domain.profiles.model import Profile
from lrs.domain.profiles.registry import ProfileRegistry
from lrs.domain.profiles.validation import RegistrationStatus, kind_of
from lrs.domain.profiles.violations import registration_report, statement_violations
from lrs.domain.statements.validation import is_uuid
from lrs.http import requests as req
from lrs.http import role_scope
from lrs.http.auth import require
from lrs.services import services
from lrs.storage.port import Violation
from lrs.timeutil import format_timestamp

bp = Blueprint("profiles", __name__)


def _registry() -> ProfileRegistry:
    return services().profiles


@bp.get("/profiles")
def profiles() -> Response:
    params = req.check_params(["profileId"])
    registry = _registry()
    if "profileId" in params:
        profile = registry.get(req.required(params, "profileId"))
        if profile is None:
            raise NotFound(f"no profile {params['profileId']} is loaded")
        return jsonify(profile.document)
    settings = services().settings
    return jsonify({"profiles": [_summary(registry, p, settings) for p in registry.profiles()]})


def _summary(registry: ProfileRegistry, profile, settings) -> dict[str, Any]:
    return {
        "id": profile.id,
        "version": profile.version,
        "versions": registry.version_ids(profile.id),
        "loadedVersions": [d.version for d in registry.documents(profile.id)],
        "prefLabel": profile.pref_label,
        "templates": len(profile.templates),
        "patterns": len(profile.patterns),
        "primaryPatterns": [p.id for p in profile.primary_patterns],
        "default": profile.id == settings.profile_default,
        "problems": [str(p) for p in registry.problems(profile)],
    }


@bp.get("/profiles/violations")
def violations() -> Response:
    credential = require("statements/read")
    params = req.check_params(["statementId", "registration"])
    if len(params) != 1:
        raise ValidationError("give exactly one of statementId and registration", "statementId")
    org_scope = credential.org or None
    store = services().store
    name, value = next(iter(params.items()))
    if not is_uuid(value):
        raise ValidationError(f"{name} must be a UUID", name)
    value = value.lower()
    role_scope.check_violations(credential, name, value)
    if name == "statementId":
        found = statement_violations(store, value, org_scope)
        return jsonify({"violations": [_violation(v) for v in found]})
    report = registration_report(store, _registry(), value, org_scope)
    return jsonify({"violations": [_violation(v) for v in report.violations],
                    "patterns": [_pattern(p, s) for p, s in report.patterns]})


def _pattern(profile: Profile, status: RegistrationStatus) -> dict[str, Any]:
    return {
        "profileId": profile.id,
        "version": profile.version,
        "status": status.status,
        "completed": list(status.completed),
        "possible": list(status.possible),
        "expected": list(status.expected),
        "states": list(status.state.states),
        "updated": _stamp(status.state.updated),
    }


def _violation(v: Violation) -> dict[str, Any]:
    return {
        "statementId": v.statement_id,
        "profileId": v.profile_id,
        "kind": kind_of(v.rule),
        "subjectId": v.subject_id,
        "rule": v.rule,
        "location": v.location,
        "message": v.message,
        "registration": v.registration,
        "created": _stamp(v.created),
    }


def _stamp(value) -> str | None:
    return format_timestamp(value) if value else None
