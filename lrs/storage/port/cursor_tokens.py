"""Server-side `more` cursors: a query's state kept under a short random token.

A `more` link must stay short enough to follow (gunicorn refuses request lines
over 8190 bytes with 414). Most cursors are compact enough to travel in the
link itself (lrs.http.cursor); a query too long for that leaves its state here
and the link carries only the token. Each token belongs to the credential that
got it and lives a fixed time (xAPI: a `more` link stays valid at least 24 h).
Like the rate counters, tokens are written outside any unit of work: they are
disposable and reading a page must not wait on a statement batch.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from lrs.storage.port.unit_of_work import Store

__all__ = ["CursorTokens", "cursor_tokens_for"]


class CursorTokens(ABC):
    @abstractmethod
    def put(self, token: str, owner: str, state: str, expires: float, now: float) -> None:
        """Keep ``state`` under ``token`` for ``owner`` until ``expires`` (a Unix time);
        tokens that expired before ``now`` go in the same write."""

    @abstractmethod
    def get(self, token: str, owner: str, now: float) -> str | None:
        """The state under ``token``; None when unknown, expired or another owner's."""

    @abstractmethod
    def purge(self, now: float) -> int:
        """Drop tokens that expired before ``now``; how many."""


def cursor_tokens_for(store: Store) -> CursorTokens:
    """The cursor tokens kept in ``store``'s database (``store.cursor_tokens()``)."""
    return store.cursor_tokens()
