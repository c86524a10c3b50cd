"""The Activities resource: /xapi/activities (xAPI Communication 2.5)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from lrs.domain.activities import activity_object
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
    with services().store.read() as uow:
        definition = uow.activities.get(activity_id)
    # An activity nobody defined is still an activity: answer with its id.
    return jsonify(activity_object(activity_id, definition))
