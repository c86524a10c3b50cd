"""The Activities resource: /xapi/activities (xAPI Communication 2.5)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from lrs.domain.activities import load_activity
from lrs.domain.errors import ValidationError
from lrs.domain.statements.validation import is_iri
from lrs.http import requests as req
from lrs.http.auth import require
from lrs.services import services

bp = Blueprint("activities", __name__)


@bp.get("/activities")
def get_activity() -> Response:
    require("activities/read")
    params = req.check_params(["activityId"])
    activity_id = req.required(params, "activityId")
    if not is_iri(activity_id):
        raise ValidationError("activityId must be an IRI", "activityId")
    return jsonify(load_activity(services().store, activity_id))
