"""The Agents resource: /xapi/agents (xAPI Communication 2.6)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from lrs.domain.agents import person_from_agent
from lrs.http import requests as req
from lrs.http import trainee_agents
from lrs.http.auth import require

bp = Blueprint("agents", __name__)


@bp.get("/agents")
def get_agent() -> Response:
    require("agents/read")
    params = req.check_params(["agent"])
    req.required(params, "agent")
    agent = req.agent_param(params)
    # A trainee's Person lists every identifier linked to it (lrs.http.identity).
    return jsonify(trainee_agents.person_for(agent) or person_from_agent(agent))
