"""HTTP Basic authentication and the scopes each resource needs."""

from __future__ import annotations

import base64
import binascii

from flask import g, request

from lrs.domain.credentials import authenticate
from lrs.domain.errors import Forbidden, Unauthorized
from lrs.services import services
from lrs.storage.port import Credential

# Scopes that satisfy a need. "all" satisfies everything; "all/read" every read.
READ_NEEDS = {"statements/read", "state/read", "profile/read", "activities/read", "agents/read"}
_GRANTS = {
    "statements/write": {"statements/write"},
    "statements/read": {"statements/read", "all/read"},
    "statements/read/mine": {"statements/read/mine"},
    "state": {"state"},
    "state/read": {"state", "all/read"},
    "profile": {"profile"},
    "profile/read": {"profile", "all/read"},
    "activities/read": {"all/read", "statements/read", "statements/read/mine", "define", "profile"},
    "agents/read": {"all/read", "statements/read", "statements/read/mine", "profile"},
    # The trainee registry (lrs.http.identity); the credential's role narrows it.
    "trainees/read": {"trainees/read", "trainees/write", "all/read"},
}

def authenticate_request() -> Credential:
    """The credential of the current request; 401 when missing or wrong."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "basic" or not token:
        raise Unauthorized("HTTP Basic authentication is required")
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise Unauthorized("malformed Basic credentials") from exc
    key, sep, secret = decoded.partition(":")
    if not sep:
        raise Unauthorized("malformed Basic credentials")
    # Read from the store on every request (one primary-key lookup and a
    # microsecond HMAC), so a revoked credential stops working at once, in every
    # worker, whichever process revoked it.
    credential = authenticate(services().store, key, secret)
    if credential is None:
        raise Unauthorized("unknown or revoked credentials")
    return credential


def current_credential() -> Credential:
    return g.credential


def has_scope(credential: Credential, need: str) -> bool:
    if "all" in credential.scopes:
        return True
    return bool(_GRANTS.get(need, {need}) & set(credential.scopes))


def require(need: str) -> Credential:
    """The current credential if it may do ``need``; 403 otherwise."""
    credential = current_credential()
    if not has_scope(credential, need):
        raise Forbidden(
            f"this credential's scopes ({', '.join(credential.scopes)}) do not allow {need}"
        )
    return credential
