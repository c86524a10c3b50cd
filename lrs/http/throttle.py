"""Rate limits at the HTTP edge: failed authentications and agreed-identifier lookups.

* Authentication: a request presenting wrong credentials (unknown or revoked
  key, wrong secret, malformed Basic value) counts against its client address
  and against the key it named. Past a limit the address (or key) gets 429
  with ``Retry-After`` until the window ends, for every request, right
  credentials included, so a lucky guess during a lockout gains nothing. A
  request without credentials is not a guess and is not counted.
* Lookups: ``POST /xapi/trainees/lookup`` and, on a budget of its own, the
  upsert ``POST /xapi/trainees`` (both answer whether an agreed identifier is
  registered) count per credential, lookups also per address; CSV imports
  count their rows per credential.

The client address is the socket's, or with ``LRS_PROXY_HOPS=N`` (N trusted
reverse proxies in front) the N-th address from the right of
``X-Forwarded-For``.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Callable

from flask import request

from lrs.domain.errors import TooManyRequests, Unauthorized
from lrs.domain.ratelimit import Limiter, limits_from_env
from lrs.services import services
from lrs.storage.port import Credential, Store
from lrs.storage.port.rate_counters import rate_counters_for


def build_limiter(store: Store) -> Limiter:
    """Build the limiter from the environment (create_app calls this once)."""
    return Limiter(rate_counters_for(store), limits_from_env())


def _limiter() -> Limiter:
    return services().limiter


def client_address() -> str:
    hops = int(os.environ.get("LRS_PROXY_HOPS", "0") or 0)
    if hops > 0:
        forwarded = [a.strip() for a in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.remote_addr or "-"


def _presented_key() -> str | None:
    """The key a Basic Authorization header names, if it names one."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic" or not token:
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return ""
    key, sep, _ = decoded.partition(":")
    return key[:128] if sep else ""


def _auth_checks(key: str | None) -> list[tuple[str, str]]:
    checks = [("auth-ip", client_address())]
    if key:
        checks.append(("auth-key", key))
    return checks


def authenticate_limited(authenticate: Callable[[], Credential]) -> Credential:
    """``authenticate()`` unless the client or key is locked out; failures are counted."""
    key = _presented_key()
    if key is None:
        return authenticate()  # no credentials presented: a plain 401, nothing to count
    limiter = _limiter()
    wait = limiter.blocked(_auth_checks(key))
    if wait is not None:
        raise _too_many("认证失败次数过多 (too many failed authentications)", wait)
    try:
        return authenticate()
    except Unauthorized:
        wait = limiter.spend(_auth_checks(key))
        if wait is not None:
            raise _too_many("认证失败次数过多 (too many failed authentications)", wait) from None
        raise


def spend_lookup(credential: Credential, rule: str = "lookup") -> None:
    """Count one agreed-identifier lookup (``rule``: ``lookup`` or ``upsert``); 429 past
    the limits."""
    checks = [(rule, credential.key)]
    if rule == "lookup":
        checks.append(("lookup-ip", client_address()))
    wait = _limiter().spend(checks)
    if wait is not None:
        raise _too_many(
            "查询约定标识符过于频繁 (too many agreed-identifier lookups)", wait, "agreed_id"
        )


def spend_import_rows(credential: Credential, rows: int) -> None:
    """Count an import's rows; 429 (nothing imported) past the limit."""
    wait = _limiter().spend([("import", credential.key)], rows)
    if wait is not None:
        raise _too_many("导入行数超过限额 (too many imported rows)", wait, "body")


def _too_many(message: str, wait: int, path: str | None = None) -> TooManyRequests:
    return TooManyRequests(f"{message}; retry in {wait} s", path, retry_after=wait)
