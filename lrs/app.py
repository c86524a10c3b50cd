"""The Flask application factory."""

from __future__ import annotations

import contextlib
import logging

from flask import Flask, Response, g, request
from flask.json.provider import DefaultJSONProvider

from lrs.bootstrap import ensure_admin_credential
from lrs.config import Settings
from lrs.console import init_console
from lrs.domain.archive.policy_book import load_policy_book
from lrs.domain.archive.runtime import ArchiveRuntime
from lrs.domain.errors import PayloadTooLarge, ValidationError
from lrs.http import about, activities, agents, documents, health, openapi, profiles, statements
from lrs.http import archive as archive_http
from lrs.http import gateway as gateway_http
from lrs.http import identity as identity_http
from lrs.http.alternate import (
    ALTERNATE_FLAG,
    ERROR_KEY,
    ERROR_STATUS_KEY,
    AlternateRequestSyntax,
)
from lrs.http.auth import authenticate_request
from lrs.http.errors import register_error_handlers
from lrs.http.requests import enforce_body_limit
from lrs.http.role_scope import refuse_documents
from lrs.http.store_errors import register_store_error_handlers
from lrs.http.throttle import authenticate_limited, build_limiter
from lrs.http.versioning import VERSION_HEADER, negotiate
from lrs.ingest_wiring import build_ingest
from lrs.services import Services, services
from lrs.services import install as install_services
from lrs.storage.errors import StoreUnavailable
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


class _JSONProvider(DefaultJSONProvider):
    # Chinese names as UTF-8, not \u escapes; keys in the order the code builds them.
    ensure_ascii = False
    sort_keys = False


def create_app(settings: Settings | None = None, store: Store | None = None) -> Flask:
    """Build the LRS. ``store`` overrides the one ``settings.database_url`` names."""
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json = _JSONProvider(app)
    # A worker boots through a storage outage (and answers 503 until it ends):
    # gunicorn stops the whole server when a worker fails to boot.
    opened = store or open_store(settings.resolved_database_url(), tolerate_unavailable=True)
    if store is None:
        # LRS_ADMIN_KEY/LRS_ADMIN_SECRET, in each process: mongomock:// has one store per
        # process. Idempotent; during a storage outage it waits for the next start.
        with contextlib.suppress(StoreUnavailable):
            ensure_admin_credential(opened)
    # xAPI Profiles, identity keys and the domain steps run inside each statement write.
    ingest = build_ingest(settings)

    for blueprint in (
        statements.bp, documents.bp, activities.bp, agents.bp, about.bp, openapi.bp,
        profiles.bp, health.bp,
    ):
        app.register_blueprint(blueprint, url_prefix=API_PREFIX)
    app.register_blueprint(identity_http.bp, url_prefix=API_PREFIX)
    # Registry roles narrow the xAPI resources too (issue 12.2): no documents for them.
    app.before_request_funcs.setdefault(documents.bp.name, []).append(refuse_documents)
    # The interoperability gateway (adapters/): job status, dead letters, legacy imports.
    app.register_blueprint(gateway_http.bp, url_prefix=API_PREFIX)
    # Learning archives (§9.1): a projection of the statements, fed by the outbox.
    # The thread (LRS_ARCHIVE_PROJECTOR=thread) starts here, i.e. in each process
    # after any fork; under "process" a follower beside the app projects instead
    # (lrs serve); tests use "off" and call drain().
    archive = ArchiveRuntime(
        opened, load_policy_book(settings), settings.archive_projector,
        batch=settings.archive_batch,
    )
    # The limiter: rate limits on failed authentications and identifier lookups (issue 12.3).
    install_services(app, Services(
        settings=settings, store=opened, profiles=ingest.profiles,
        identity_keys=ingest.identity_keys, ingest_hooks=ingest.hooks,
        limiter=build_limiter(opened), archive=archive,
    ))
    app.register_blueprint(archive_http.bp, url_prefix=API_PREFIX)
    archive.start()
    # The management console (管理端): Chinese pages over the same archive services.
    init_console(app)

    app.before_request(_before_request)
    app.after_request(_after_request)
    register_error_handlers(app)
    register_store_error_handlers(app)
    # Flask's documented way to add WSGI middleware; mypy sees a method assignment.
    app.wsgi_app = AlternateRequestSyntax(  # type: ignore[method-assign]
        app.wsgi_app, settings.max_body_bytes
    )
    return app


def _before_request() -> Response | None:
    if request.method == "OPTIONS":
        return Response(status=204)  # CORS preflight: headers added after the request
    enforce_body_limit()  # a chunked body over the limit is a 413, never a truncated body
    error = request.environ.get(ERROR_KEY)
    if error:
        if request.environ.get(ERROR_STATUS_KEY) == 413:
            raise PayloadTooLarge(error, "body")
        raise ValidationError(error, "method")
    if request.blueprint == "console":
        return None  # browser pages: a session cookie, not xAPI's version and Basic auth
    if request.endpoint in ("about.about", "openapi.openapi", "health.health"):
        g.xapi_version = None
        return None
    g.xapi_version = negotiate(
        request.headers.get(VERSION_HEADER), services().settings.versions
    )
    if request.environ.get(ALTERNATE_FLAG) and g.xapi_version != "1.0.3":
        raise ValidationError(
            "xAPI 2.0 removed the alternate request syntax; send the request itself",
            "method",
        )
    g.credential = authenticate_limited(authenticate_request)
    return None


def _after_request(response: Response) -> Response:
    if request.blueprint == "console":
        return response  # no xAPI version header and no CORS on the console's pages
    # Unnegotiated requests (About, or a missing/unknown version) get the newest.
    version = g.get("xapi_version") or services().settings.versions[0]
    response.headers[VERSION_HEADER] = version
    for name, value in CORS_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
