"""Admin pages of the console: credentials (create with role/unit/scopes, revoke) and the
projector's status. Only an admin credential holding the ``all`` scope, and only within
its own org: it can neither see nor make credentials outside it."""

from __future__ import annotations

from flask import g, render_template, request

from lrs.console.blueprint import bp
from lrs.domain.credentials import (
    SCOPES,
    create_credential,
    list_credentials,
    parse_scopes,
    revoke_credential,
)
from lrs.domain.errors import Forbidden, NotFound, ValidationError
from lrs.domain.gateway import jobs as gateway_jobs
from lrs.domain.gateway.dead_letters import list_dead_letters
from lrs.domain.identity.roles import ROLES, credential_settings, in_scope
from lrs.services import services

DEAD_LETTERS_SHOWN = 50


def _require_admin() -> None:
    if g.reader.role != "admin" or "all" not in g.console_credential.scopes:
        raise Forbidden("只有持有 all 权限的系统管理员凭据可以管理凭据")


def _page(created=None, secret=None, status=200):
    store = services().store
    items = list_credentials(store, g.reader.scope)
    projector = services().archive.status()
    org = g.reader.scope or None
    # As GET /xapi/gateway/status and /xapi/gateway/dead-letters show them to this org.
    jobs = [gateway_jobs.job_status(store, j) for j in gateway_jobs.list_jobs(store, org)]
    letters = list_dead_letters(store, org_scope=org, limit=DEAD_LETTERS_SHOWN)
    return render_template("console/admin.html", credentials=items, scopes=SCOPES, roles=ROLES,
                           created=created, secret=secret, projector=projector, jobs=jobs,
                           letters=letters), status


@bp.get("/admin")
def admin_home():
    _require_admin()
    return _page()


@bp.post("/admin/credentials")
def admin_create():
    _require_admin()
    form = request.form
    org = form.get("org", "").strip().strip("/")
    if not in_scope(org, g.reader.scope):
        raise ValidationError("org 必须在本管理员的范围之内", "org")
    scopes = parse_scopes(form.getlist("scopes"))
    role = form.get("role") or None
    trainee = form.get("trainee", "").strip() or None
    if trainee and role == "trainee":
        trainee = services().identity_keys.key_or_id(trainee)
    identity = credential_settings(role, form.get("unit", "").strip() or None, trainee, org)
    policy = services().settings.profile_policy
    credential, secret = create_credential(
        services().store, form.get("name", ""), scopes, org=org,
        settings={"profile_policy": policy, **identity},
    )
    return _page(created=credential, secret=secret, status=201)


@bp.post("/admin/credentials/<key>/revoke")
def admin_revoke(key: str):
    _require_admin()
    if not revoke_credential(services().store, key, g.reader.scope):
        raise NotFound("没有这个凭据")
    return _page()
