"""The About resource: /xapi/about (xAPI Communication 2.8). Needs no credentials."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from lrs import __version__
from lrs.http import requests as req
from lrs.services import services

bp = Blueprint("about", __name__)

EXTENSION = "https://w3id.org/xapi/cadre-lrs/extensions/server"


@bp.get("/about")
def about() -> Response:
    req.check_params([])
    return jsonify(
        {
            "version": list(reversed(services().settings.versions)),
            "extensions": {EXTENSION: {"name": "cadre-training LRS", "version": __version__}},
        }
    )
