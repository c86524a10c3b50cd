"""GET /xapi/openapi.json: the OpenAPI document of the API, served from ``openapi.json``.

Needs no credentials and no version header, like About. The document is a
data file kept next to the code it describes; tests/hostile fuzzes the API
from it, so a route or parameter it gets wrong shows up as a failing test.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from flask import Blueprint, Response

from lrs.http import requests as req

bp = Blueprint("openapi", __name__)


@cache
def document_bytes() -> bytes:
    return resources.files("lrs.http").joinpath("openapi.json").read_bytes()


@bp.get("/openapi.json")
def openapi() -> Response:
    req.check_params([])
    return Response(document_bytes(), content_type="application/json")
