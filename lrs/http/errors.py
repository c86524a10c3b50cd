"""Every failure leaves as JSON naming what went wrong; nothing leaks a traceback."""

from __future__ import annotations

import logging
import uuid

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from lrs.domain.errors import LRSError, TooManyRequests
from lrs.storage.port import ConcurrentUpdate

log = logging.getLogger(__name__)


def error_response(status: int, message: str, path: str | None = None) -> Response:
    body: dict = {"error": {"status": status, "message": message}}
    if path:
        body["error"]["path"] = path
    response = jsonify(body)
    response.status_code = status
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(LRSError)
    def _lrs_error(exc: LRSError) -> Response:
        message = f"{exc.path}: {exc.message}" if exc.path else exc.message
        response = error_response(exc.status, message, exc.path)
        if exc.status == 401:
            response.headers["WWW-Authenticate"] = 'Basic realm="xAPI"'
        if isinstance(exc, TooManyRequests):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.errorhandler(ConcurrentUpdate)
    def _lost_race(exc: ConcurrentUpdate) -> Response:
        # Another request changed the same row first; nothing of this one was
        # kept, so the client can safely send it again.
        return error_response(409, "a concurrent request changed the same data; retry")

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        if exc.code == 413:  # werkzeug's MAX_CONTENT_LENGTH check: name the field and the limit
            limit = app.config.get("MAX_CONTENT_LENGTH")
            return error_response(
                413, f"the request body is larger than the limit of {limit} bytes", "body"
            )
        response = error_response(exc.code or 500, exc.description or exc.name)
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        # The client gets an id to quote; the details stay in our log.
        incident = uuid.uuid4().hex[:12]
        log.exception("unhandled error, incident %s", incident)
        return error_response(500, f"internal error (incident {incident})")
