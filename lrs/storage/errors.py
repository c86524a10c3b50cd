"""Store failures that are the machine's, not the client's: told apart from bugs.

A read-only or vanished database file, an I/O error or a full disk is not an
internal error: the client may retry later (503, with Retry-After) or the
operator must free space (507). Each adapter's driver errors are classified
here, so the HTTP layer never answers such a failure with a bare 500.
"""

from __future__ import annotations

import sqlite3

from lrs.domain.errors import LRSError

# Seconds a client is asked to wait before retrying while the store is unavailable.
RETRY_AFTER_SECONDS = 5


class StoreUnavailable(LRSError):
    """The store cannot be written or reached just now; nothing was kept (503)."""

    status = 503


class StoreFull(LRSError):
    """The store's disk or quota is full; nothing was kept (507)."""

    status = 507


# SQLite extended result names (sqlite3 sets ``sqlite_errorname``) and, for
# drivers that do not, the message texts they go with.
_SQLITE_UNAVAILABLE = ("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_PERM")
_SQLITE_UNAVAILABLE_TEXT = (
    "readonly database",
    "unable to open database",
    "disk i/o error",
    "access permission denied",
)
_SQLITE_FULL_TEXT = ("database or disk is full",)


def unavailable(detail: str) -> StoreUnavailable:
    return StoreUnavailable(
        "存储暂时只读或不可用，本次请求未保存任何数据，请稍后重试 / the store is read-only "
        f"or unavailable ({detail}): nothing of this request was kept; retry later"
    )


def full() -> StoreFull:
    return StoreFull(
        "存储空间已满，本次请求未保存任何数据 / the store's disk is full: nothing of this "
        "request was kept; free disk space, then retry"
    )


def classify(exc: BaseException) -> LRSError | None:
    """The client-facing error for a driver failure, or None if it is a real bug."""
    if isinstance(exc, sqlite3.Error):
        return _classify_sqlite(exc)
    return _classify_mongo(exc)


def _classify_sqlite(exc: sqlite3.Error) -> LRSError | None:
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    if name.startswith("SQLITE_FULL") or any(t in text for t in _SQLITE_FULL_TEXT):
        return full()
    if name.startswith(_SQLITE_UNAVAILABLE) or any(t in text for t in _SQLITE_UNAVAILABLE_TEXT):
        return unavailable(name or text)
    return None


def _classify_mongo(exc: BaseException) -> LRSError | None:
    try:
        from pymongo import errors
    except ImportError:  # the MongoDB extra is not installed: no such errors either
        return None
    if isinstance(exc, errors.OperationFailure) and exc.code == 14031:  # OutOfDiskSpace
        return full()
    if isinstance(
        exc,
        # NotPrimaryError is an AutoReconnect; a WriteConcernError is not mapped:
        # the write may have been applied, so it stays an incident.
        errors.AutoReconnect | errors.ServerSelectionTimeoutError | errors.ConnectionFailure,
    ):
        return unavailable(type(exc).__name__)
    return None
