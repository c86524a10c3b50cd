"""Gateway jobs as the hub keeps them: add, pause, resume, checkpoint, status.

A job's state is its checkpoint: it is saved in its own transaction right after
the data it covers committed, so a crash in between only makes the next run
repeat the last page, which the statement ids turn into duplicates.
"""

from __future__ import annotations

import re
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

from lrs.domain.credentials import create_credential
from lrs.domain.errors import NotFound, ValidationError
from lrs.domain.gateway import secrets
from lrs.domain.identity.roles import in_scope
from lrs.domain.statements.validation import parse_timestamp
from lrs.storage.port import Credential, GatewayJob, Store
from lrs.timeutil import format_timestamp, parse_stored, utcnow

KINDS = ("pull", "forward")
# The xAPI version a job speaks to its remote (the remote's statements are checked
# by that version's rules).
VERSIONS = ("2.0.0", "1.0.3")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MAX_PAGE = 500


def check_name(name: str) -> str:
    if not NAME.match(name or ""):
        raise ValidationError(
            "a job name is 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit",
            "name",
        )
    return name


def check_endpoint(endpoint: str) -> str:
    parts = urlsplit(endpoint or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationError(
            "endpoint must be the remote LRS's http(s) URL, e.g. https://lrs.example.cn/xapi",
            "endpoint",
        )
    return endpoint.rstrip("/")


def check_version(version: str) -> str:
    if version not in VERSIONS:
        raise ValidationError(f"xAPI version must be one of {', '.join(VERSIONS)}", "version")
    return version


def check_since(since: str | None) -> str | None:
    if not since:
        return None
    return format_timestamp(parse_timestamp(since, path="since"))


def add_pull_job(
    store: Store, settings: secrets.GatewaySettings, *, name: str, endpoint: str, key: str,
    secret: str | None = None, secret_env: str | None = None, since: str | None = None,
    org: str = "", profile: str | None = None, profile_policy: str | None = None,
    page_size: int = 200, version: str = "2.0.0",
) -> GatewayJob:
    """A pull job, and the local credential its statements are written under (the
    ``authority`` of what it stores; its org scopes them; its profile policy applies)."""
    check_name(name)
    if not key:
        raise ValidationError("the remote key is required", "key")
    if not 1 <= page_size <= MAX_PAGE:
        raise ValidationError(f"page size must be 1-{MAX_PAGE}", "pageSize")
    check_version(version)
    config: dict[str, Any] = {
        "endpoint": check_endpoint(endpoint), "key": key,
        **secrets.seal(settings, secret, secret_env),
        "since": check_since(since), "profile": profile or None, "pageSize": page_size,
        "version": version,
    }
    with store.read() as uow:
        if uow.gateway.get_job(name) is not None:
            raise ValidationError(f"a gateway job named {name!r} exists", "name")
    credential_settings: dict[str, Any] = {"gateway_job": name}
    if profile_policy:
        credential_settings["profile_policy"] = profile_policy
    credential, _ = create_credential(
        store, f"gateway pull {name}", "statements/write", org=org,
        settings=credential_settings,
    )
    config["credential"] = credential.key
    job = GatewayJob(name, "pull", credential.org, config, {}, False, utcnow())
    with store.transaction() as uow:
        if uow.gateway.get_job(name) is not None:
            raise ValidationError(f"a gateway job named {name!r} exists", "name")
        uow.gateway.save_job(job)
    return job


class _InAnOrg(Protocol):
    @property
    def org(self) -> str: ...


T = TypeVar("T", bound=_InAnOrg)


def found_in_scope(item: T | None, org_scope: str | None, absent: str) -> T:
    """``item`` if there is one within ``org_scope``; one outside it is not found either
    (``absent`` says what), so a name or id says nothing about other orgs."""
    if item is None or not in_scope(item.org, org_scope or ""):
        raise NotFound(absent)
    return item


def get_job(store: Store, name: str, org_scope: str | None = None) -> GatewayJob:
    with store.read() as uow:
        job = uow.gateway.get_job(name)
    return found_in_scope(job, org_scope, f"no gateway job named {name!r}")


def job_credential(store: Store, job: GatewayJob) -> Credential:
    with store.read() as uow:
        credential = uow.credentials.get(job.config.get("credential", ""))
    if credential is None or credential.revoked:
        raise ValidationError(f"the local credential of job {job.name!r} is gone or revoked",
                              "credential")
    return credential


def set_profile_policy(store: Store, name: str, policy: str) -> GatewayJob:
    """Give the job's statements another profile policy (e.g. ``flag`` after a refusal
    the institution cannot fix at once), so its dead letters can be retried.

    Credentials are immutable: the job gets a new one with the same org and the new
    policy, and the old one is revoked (statements it wrote keep it as authority)."""
    if policy not in ("enforce", "flag", "off"):
        raise ValidationError("profile policy must be enforce, flag or off", "profilePolicy")
    job = get_job(store, name)
    old = job_credential(store, job)
    new, _ = create_credential(store, old.name, old.scopes, org=old.org,
                               settings={**old.settings, "profile_policy": policy})
    with store.transaction() as uow:
        current = uow.gateway.get_job(name)
        if current is None:
            raise NotFound(f"no gateway job named {name!r}")
        uow.gateway.save_job(GatewayJob(
            current.name, current.kind, current.org, {**current.config, "credential": new.key},
            current.state, current.paused, current.created,
        ))
        uow.credentials.revoke(old.key)
    return get_job(store, name)


def set_paused(store: Store, name: str, paused: bool) -> GatewayJob:
    with store.transaction() as uow:
        job = uow.gateway.get_job(name)
        if job is None:
            raise NotFound(f"no gateway job named {name!r}")
        job = GatewayJob(job.name, job.kind, job.org, job.config, job.state, paused, job.created)
        uow.gateway.save_job(job)
    return job


def update_state(store: Store, name: str, changes: dict[str, Any],
                 add: dict[str, int] | None = None) -> dict[str, Any]:
    """Set ``changes`` and add ``add`` to counters in the job's state, in one transaction."""
    with store.transaction() as uow:
        job = uow.gateway.get_job(name)
        if job is None:
            raise NotFound(f"no gateway job named {name!r}")
        state = {**job.state, **changes}
        for counter, n in (add or {}).items():
            state[counter] = int(state.get(counter, 0)) + n
        uow.gateway.save_job(GatewayJob(
            job.name, job.kind, job.org, job.config, state, job.paused, job.created
        ))
    return state


def list_jobs(store: Store, org_scope: str | None = None) -> list[GatewayJob]:
    with store.read() as uow:
        return uow.gateway.list_jobs(org_scope)


def job_status(store: Store, job: GatewayJob) -> dict[str, Any]:
    """One job as status reports it: checkpoint, lag, rates, errors, dead letters."""
    with store.read() as uow:
        letters = uow.gateway.count_dead_letters(job.name)
    state = job.state
    last_remote = state.get("lastStored")
    lag = None
    if last_remote and state.get("caughtUp") is False:
        lag = round((utcnow() - parse_stored(last_remote)).total_seconds(), 3)
    elif state.get("caughtUp"):
        lag = 0
    return {
        "name": job.name,
        "kind": job.kind,
        "org": job.org,
        "paused": job.paused,
        "config": secrets.describe(job.config),
        "checkpoint": {k: state.get(k) for k in ("since", "more", "cursor", "lastStored")
                       if k in state},
        "caughtUp": state.get("caughtUp"),
        "lagSeconds": lag,
        "lastRunAt": state.get("lastRunAt"),
        "lastSuccessAt": state.get("lastSuccessAt"),
        "ratePerSecond": state.get("ratePerSecond"),
        "counters": {k: state.get(k, 0) for k in (
            "pages", "received", "stored", "duplicates", "refused", "skipped", "sent",
            "errors")},
        "lastError": state.get("lastError"),
        "consecutiveFailures": state.get("consecutiveFailures", 0),
        "deadLetters": letters,
    }
