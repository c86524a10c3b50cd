"""The Flask application factory."""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, g, request

from lrs.config import Settings
from lrs.domain.errors import ValidationError
from lrs.http import about, activities, agents, documents, statements
from lrs.http.alternate import ALTERNATE_FLAG, ERROR_KEY, AlternateRequestSyntax
from lrs.http.auth import authenticate_request
from lrs.http.errors import register_error_handlers
from lrs.http.versioning import VERSION_HEADER, negotiate
from lrs.storage.factory import open_store
from lrs.storage.port import Store

API_PREFIX = "/xapi"

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, PUT, POST, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": (
        "Authorization, Content-Type, X-Experience-API-Version, If-Match, If-None-Match, "
        "Accept-Language"
    ),
    "Access-Control-Expose-Headers": (
        "ETag, Last-Modified, X-Experience-API-Version, X-Experience-API-Consistent-Through"
    ),
}

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, store: Store | None = None) -> Flask:
    """Build the LRS. ``store`` overrides the one ``settings.database_url`` names."""
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.extensions["lrs.settings"] = settings
    app.extensions["lrs.store"] = store or open_store(settings.resolved_database_url())
    # Domain steps run inside each statement write (profile checks, identity
    # links); features append theirs here when the app is built.
    app.extensions["lrs.ingest_hooks"] = []

    for blueprint in (statements.bp, documents.bp, activities.bp, agents.bp, about.bp):
        app.register_blueprint(blueprint, url_prefix=API_PREFIX)

    app.before_request(_before_request)
    app.after_request(_after_request)
    register_error_handlers(app)
    app.wsgi_app = AlternateRequestSyntax(app.wsgi_app, settings.max_body_bytes)
    return app


def _before_request() -> Response | None:
    if request.method == "OPTIONS":
        return Response(status=204)  # CORS preflight: headers added after the request
    error = request.environ.get(ERROR_KEY)
    if error:
        raise ValidationError(error, "method")
    if request.endpoint == "about.about":
        g.xapi_version = None
        return None
    g.xapi_version = negotiate(
        request.headers.get(VERSION_HEADER), current_app.extensions["lrs.settings"].versions
    )
    if request.environ.get(ALTERNATE_FLAG) and g.xapi_version != "1.0.3":
        raise ValidationError(
            "xAPI 2.0 removed the alternate request syntax; send the request itself",
            "method",
        )
    g.credential = authenticate_request()
    return None


def _after_request(response: Response) -> Response:
    # Unnegotiated requests (About, or a missing/unknown version) get the newest.
    version = g.get("xapi_version") or current_app.extensions["lrs.settings"].versions[0]
    response.headers[VERSION_HEADER] = version
    for name, value in CORS_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
