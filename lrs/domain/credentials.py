"""API credentials: keys, hashed secrets, scopes, and the authority they stand for."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from lrs.domain.errors import ValidationError
from lrs.domain.identity.roles import in_scope
from lrs.storage.port import Credential, Store
from lrs.timeutil import utcnow

# xAPI Communication 4.2 (OAuth scopes), reused for Basic credentials.
SCOPES = (
    "all",
    "all/read",
    "statements/write",
    "statements/read",
    "statements/read/mine",
    "state",
    "define",
    "profile",
    # The trainee registry: read (history, unit lists) and liaison writes.
    "trainees/read",
    "trainees/write",
)


def parse_scopes(raw: str | Iterable[str]) -> tuple[str, ...]:
    """``"statements/write,state"`` or a list → validated scopes, in order, without repeats."""
    items = raw.replace(",", " ").split() if isinstance(raw, str) else list(raw)
    unknown = [s for s in items if s not in SCOPES]
    if unknown:
        raise ValidationError(f"unknown scope {unknown[0]!r}; known: {', '.join(SCOPES)}", "scopes")
    if not items:
        raise ValidationError("at least one scope is required", "scopes")
    return tuple(dict.fromkeys(items))


def hash_secret(secret: str, salt: str) -> str:
    # Secrets are 256 random bits, so a fast keyed hash is as safe as a slow
    # KDF and costs microseconds per request instead of a hundred milliseconds.
    digest = hmac.new(salt.encode(), secret.encode(), hashlib.sha256).hexdigest()
    return f"hmac-sha256${salt}${digest}"


def secret_matches(secret: str, secret_hash: str) -> bool:
    try:
        scheme, salt, _ = secret_hash.split("$", 2)
    except ValueError:
        return False
    if scheme != "hmac-sha256":
        return False
    return hmac.compare_digest(hash_secret(secret, salt), secret_hash)


def create_credential(
    store: Store,
    name: str,
    scopes: Iterable[str] | str,
    org: str = "",
    key: str | None = None,
    secret: str | None = None,
    settings: dict[str, Any] | None = None,
) -> tuple[Credential, str]:
    """Make and store a credential; return it with the plain secret (shown only once)."""
    if not name or not name.strip():
        raise ValidationError("a credential needs a name", "name")
    key = key or secrets.token_hex(16)
    secret = secret or secrets.token_urlsafe(32)
    credential = Credential(
        key=key,
        secret_hash=hash_secret(secret, secrets.token_hex(8)),
        name=name.strip(),
        scopes=parse_scopes(scopes),
        org=org.strip("/"),
        created=utcnow(),
        settings=settings or {},
    )
    with store.transaction() as uow:
        if uow.credentials.get(key) is not None:
            raise ValidationError(f"a credential with key {key!r} exists", "key")
        uow.credentials.add(credential)
    return credential, secret


def authenticate(store: Store, key: str, secret: str) -> Credential | None:
    """The active credential for key and secret, or None."""
    with store.read() as uow:
        credential = uow.credentials.get(key)
    if (
        credential is None
        or credential.revoked
        or not secret_matches(secret, credential.secret_hash)
    ):
        return None
    return credential


def authority_agent(credential: Credential, homepage: str) -> dict[str, Any]:
    """The Agent this credential stands for in a statement's ``authority``.

    ``homepage`` is the LRS's own credentials page (LRS_AUTHORITY_HOMEPAGE).
    """
    return {
        "objectType": "Agent",
        "name": credential.name,
        "account": {"homePage": homepage, "name": credential.key},
    }


def without_secret(credential: Credential) -> Credential:
    return replace(credential, secret_hash="")


def list_credentials(store: Store, org_scope: str = "") -> list[Credential]:
    """The credentials of ``org_scope``'s subtree (every one at the root), secrets hashed."""
    with store.read() as uow:
        found = uow.credentials.list_credentials()
    return [c for c in found if in_scope(c.org, org_scope)]


def revoke_credential(store: Store, key: str, org_scope: str = "") -> bool:
    """Revoke a credential of ``org_scope``'s subtree; False when it has none with ``key``
    (one outside the scope is as absent: a key says nothing about other orgs)."""
    with store.transaction() as uow:
        credential = uow.credentials.get(key)
        if credential is None or not in_scope(credential.org, org_scope):
            return False
        return uow.credentials.revoke(key)
