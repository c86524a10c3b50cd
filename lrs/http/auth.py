"""HTTP Basic authentication and the scopes each resource needs."""

from __future__ import annotations

import base64
import binascii
import threading
import time

from flask import current_app, g, request

from lrs.domain.credentials import authenticate
from lrs.domain.errors import Forbidden, Unauthorized
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

# Verified credentials are cached briefly so a busy client does not pay a
# database read per request; a revoked key stops working within this time.
_CACHE_SECONDS = 5.0


class _CredentialCache:
    def __init__(self) -> None:
        self._entries: dict[tuple[int, str, str], tuple[float, Credential]] = {}
        self._lock = threading.Lock()

    def lookup(self, store, key: str, secret: str) -> Credential | None:
        cache_key = (id(store), key, secret)
        now = time.monotonic()
        with self._lock:
            hit = self._entries.get(cache_key)
        if hit and now - hit[0] < _CACHE_SECONDS:
            return hit[1]
        credential = authenticate(store, key, secret)
        with self._lock:
            if credential is None:
                self._entries.pop(cache_key, None)
            else:
                if len(self._entries) > 10_000:
                    self._entries.clear()
                self._entries[cache_key] = (now, credential)
        return credential


_cache = _CredentialCache()


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
    credential = _cache.lookup(current_app.extensions["lrs.store"], key, secret)
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
