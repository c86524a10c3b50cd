"""Storage outages answer 503 (retry later) or 507 (disk full), never a bare 500."""

from __future__ import annotations

import logging
import sqlite3
import uuid

from flask import Flask, Response

from lrs.domain.errors import LRSError
from lrs.http.errors import error_response
from lrs.services import services
from lrs.storage.errors import RETRY_AFTER_SECONDS, StoreFull, StoreUnavailable, classify

log = logging.getLogger(__name__)


def register_store_error_handlers(app: Flask) -> None:
    @app.errorhandler(StoreUnavailable)
    @app.errorhandler(StoreFull)
    def _store_error(exc: LRSError) -> Response:
        return _answer(exc)

    def _driver_error(exc: Exception) -> Response:
        mapped = classify(exc)
        if mapped is None:  # a real bug: logged with an incident id, as any other
            incident = uuid.uuid4().hex[:12]
            log.error("unhandled error, incident %s", incident, exc_info=exc)
            return error_response(500, f"internal error (incident {incident})")
        return _answer(mapped, exc)

    app.register_error_handler(sqlite3.Error, _driver_error)
    try:
        from pymongo.errors import PyMongoError
    except ImportError:
        return
    app.register_error_handler(PyMongoError, _driver_error)


def _answer(error: LRSError, cause: Exception | None = None) -> Response:
    log.warning("storage failure answered %s: %s", error.status, cause or error.message)
    # The failed connection may keep the fault after its cause is gone.
    discard = getattr(services().store, "discard_connection", None)
    if discard is not None:
        discard()
    response = error_response(error.status, error.message)
    if error.status == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
