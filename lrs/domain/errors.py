"""Errors raised by the domain and the store; the HTTP layer maps each to a status code.

Every error carries a message meant for the client. Where the problem is in a
document the client sent, ``path`` names the offending property (for example
``statement.actor.mbox`` or ``statements[3].context.contextActivities.parent[0].id``)
so the client can find it without guessing.
"""

from __future__ import annotations

# Kept importable from here for older call sites; it is the storage port's error.
from lrs.storage.port.errors import ConcurrentUpdate as ConcurrentUpdate


class LRSError(Exception):
    """Base class: an error the client caused and can be told about."""

    status = 400

    def __init__(self, message: str, path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message

    def at(self, prefix: str) -> LRSError:
        """Return the same error with ``prefix`` put in front of its path."""
        if self.path:
            joiner = "" if self.path.startswith("[") else "."
            self.path = f"{prefix}{joiner}{self.path}"
        else:
            self.path = prefix
        return self


class ValidationError(LRSError):
    """The request or a statement in it breaks the xAPI specification (400)."""

    status = 400


class Unauthorized(LRSError):
    status = 401


class Forbidden(LRSError):
    status = 403


class NotFound(LRSError):
    status = 404


class Conflict(LRSError):
    """A statement id reused with different content, or a document changed underneath (409)."""

    status = 409


class PreconditionFailed(LRSError):
    status = 412


class PayloadTooLarge(LRSError):
    status = 413


class UnsupportedMediaType(LRSError):
    status = 415


class TooManyRequests(LRSError):
    """A rate limit is reached (429); ``retry_after`` seconds until it lifts."""

    status = 429

    def __init__(self, message: str, path: str | None = None, retry_after: int = 1) -> None:
        super().__init__(message, path)
        self.retry_after = max(1, retry_after)
