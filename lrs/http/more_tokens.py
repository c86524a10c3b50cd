"""`more` links that stay short: compact in the link, or a token for state kept in the store.

A cursor travels in the link itself (lrs.http.cursor) while the link stays
under ``MAX_LINK``; incompressible queries near the request-line limit would
otherwise yield links gunicorn refuses (414 over 8190 bytes). Beyond it the
state is stored (lrs.storage.port.cursor_tokens) under a random token bound to the
credential, and the link is ``…?more=t<token>``: the same length whatever the
query. xAPI wants a `more` link valid for at least 24 hours; so is a token.
"""

from __future__ import annotations

import json
import secrets
import time

from flask import request

from lrs.domain.errors import ValidationError
from lrs.http import cursor
from lrs.services import services
from lrs.storage.errors import StoreFull, StoreUnavailable, classify
from lrs.storage.port.cursor_tokens import CursorTokens, cursor_tokens_for

# Far under gunicorn's 8190, leaving room for a proxy's own prefix and headers.
MAX_LINK = 2000
TTL_SECONDS = 24 * 3600
TOKEN_PREFIX = "t"  # compact cursors start with "z", the old uncompressed ones with "e"
_MAX_TOKEN = 64


def _tokens() -> CursorTokens:
    found = services()
    if found.cursor_tokens is None:
        found.cursor_tokens = cursor_tokens_for(found.store)
    return found.cursor_tokens


def more_link(state: dict[str, str], owner: str) -> str:
    """The `more` link for ``state``, followable only by credential ``owner`` once stored."""
    base = f"{request.script_root}/xapi/statements?more="
    compact = cursor.encode(state)  # base64url: no percent-encoding inflates it
    if len(base) + len(compact) <= MAX_LINK:
        return base + compact
    token = TOKEN_PREFIX + secrets.token_urlsafe(18)
    now = time.time()
    state_json = json.dumps(state, separators=(",", ":"), ensure_ascii=False)
    try:
        _tokens().put(token, owner, state_json, now + TTL_SECONDS, now)
    except Exception as exc:
        if not isinstance(exc, StoreUnavailable | StoreFull) and classify(exc) is None:
            raise
        # The store cannot be written just now, yet reads go on: hand out the
        # self-contained cursor, long as it is, rather than fail the page.
        return base + compact
    return base + token


def state_of(token: str, owner: str) -> object:
    """What a `more` value holds; ValueError when it is not a cursor of ours.

    A stored token that is unknown, expired or another credential's is one
    400 naming ``more`` (the same for all three: a token reveals nothing).
    """
    if not token.startswith(TOKEN_PREFIX):
        return cursor.decode(token)
    found = _tokens().get(token, owner, time.time()) if len(token) <= _MAX_TOKEN else None
    if found is None:
        raise ValidationError(
            "the more cursor is unknown or has expired (more links last 24 hours); "
            "run the query again",
            "more",
        )
    return json.loads(found)
