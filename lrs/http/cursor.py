"""The `more` cursor: the page's query and position, compressed into a short token.

A `more` link longer than the server's request-line limit (gunicorn: 8190
bytes) is refused with 414 when the client follows it. The cursor is therefore
the query's JSON, deflated, then base64url: ``z`` + token. Query values repeat
(IRIs, an agent's JSON), so a cursor is usually a fraction of the request line
that made it. Tokens of the older uncompressed form are still read. A cursor
that would still make a long link is kept in the store instead (lrs.http.more_tokens).
"""

from __future__ import annotations

import base64
import json
import zlib

PREFIX = "z"
# Inflating stops here: a forged token cannot make the server allocate more.
MAX_STATE_BYTES = 64 * 1024


def encode(state: dict[str, str]) -> str:
    raw = json.dumps(state, separators=(",", ":"), ensure_ascii=False).encode()
    packed = zlib.compress(raw, 9)
    return PREFIX + base64.urlsafe_b64encode(packed).decode().rstrip("=")


def decode(token: str) -> object:
    """The state a token holds; ValueError (or TypeError) if it is not one of ours."""
    compressed = token.startswith(PREFIX)
    body = token[1:] if compressed else token
    data = base64.urlsafe_b64decode((body + "=" * (-len(body) % 4)).encode())
    if compressed:
        inflater = zlib.decompressobj()
        try:
            data = inflater.decompress(data, MAX_STATE_BYTES)
        except zlib.error as exc:
            raise ValueError("not a cursor") from exc
        if inflater.unconsumed_tail or not inflater.eof:
            raise ValueError("cursor too large or truncated")
    return json.loads(data)
