"""GET /xapi/health: is this process able to serve? For load balancers and monitoring.

Needs no credentials and no version header. It reads the store once, with the cheapest query
every adapter has (the last sequence number, an index lookup), so a database that is down,
locked out or unreachable answers 503 (the usual error JSON, with an incident id) instead of
200. The failure's details stay in the log, under that incident id.
"""

from __future__ import annotations

import logging
import time
import uuid

from flask import Blueprint, Response, jsonify

from lrs import __version__
from lrs.domain.statements.service import last_seq
from lrs.http import requests as req
from lrs.http.errors import error_response
from lrs.services import services

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.get("/health")
def health() -> Response:
    req.check_params([])
    started = time.perf_counter()
    try:
        last_seq(services().store)
    except Exception:  # any failure of the store means "not healthy", never a 500
        incident = uuid.uuid4().hex[:12]
        log.exception("health check: the store failed, incident %s", incident)
        response = error_response(503, f"the store cannot be read (incident {incident})", "store")
    else:
        elapsed = round((time.perf_counter() - started) * 1000, 1)
        response = jsonify(
            {"status": "ok", "version": __version__, "checks": {"store": {"ms": elapsed}}}
        )
    response.headers["Cache-Control"] = "no-store"
    return response
