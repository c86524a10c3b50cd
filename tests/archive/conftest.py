"""Fixtures for the learning-archive scenarios: an app whose projector is drained by hand,
clients by role, and statements built from the cadre-training profile's examples."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path

import pytest

from lrs.app import create_app
from lrs.config import Settings
from lrs.services import services
from tests.identity.conftest import KEYS, SECRET, Client

EXAMPLES = Path(__file__).resolve().parents[2] / "profiles/cadre-training/examples/valid"
CT = "https://w3id.org/xapi/cadre-training/"
EXT = CT + "extensions/"
HOME_A = "https://fsa.example.gov.cn"
HOME_B = "https://other-platform.example.gov.cn"
FZ = "fj/fz"
UNIT_FGW = "fj/fz/11350100MB0B23456K"
UNIT_CZ = "fj/fz/11350100MB0D45678Q"
UNIT_XM = "fj/xm/11350200MB0X00001A"


@pytest.fixture
def policies():
    """LRS_CREDIT_POLICIES for the app; a test overrides it with indirect parametrize."""
    return ""


@pytest.fixture
def app(store, tmp_path, policies):
    settings = Settings(
        data_dir=tmp_path,
        max_page_size=50,
        identity_secret=SECRET,
        archive_projector="off",
        credit_policy_assignments=policies,
    )
    return create_app(settings, store=store)


@pytest.fixture
def client(app, store):
    def make(scopes="all", org="", **settings):
        return Client(app, store, scopes, org, **settings)

    return make


@pytest.fixture
def admin(client):
    return client()


@pytest.fixture
def drain(app):
    def run():
        return services(app).archive.drain()

    return run


def key_of(agreed_id: str) -> str:
    return KEYS.key(agreed_id)


def example(template: str) -> dict:
    return json.loads((EXAMPLES / f"{template}.json").read_text(encoding="utf-8"))


def _course_activity(statement: dict) -> dict:
    obj = statement["object"]
    if obj["definition"]["type"].endswith("/course"):
        return obj
    return statement["context"]["contextActivities"]["parent"][0]


def build(
    template: str,
    *,
    agreed_id: str = "FJ-350100-2019-004217",
    account: tuple[str, str] = (HOME_A, "fz-fgw-0007"),
    when: str = "2024-04-10T09:00:00+08:00",
    course: str | None = None,
    duration: float | None = None,
    assessment: bool | None = None,
    requirement: str | None = None,
    credit: float | None = None,
    klass: str | None = None,
    class_hours: float | None = None,
    registration: str | None = None,
    minutes: float | None = None,
    unit_code: str | None = None,
) -> dict:
    """A statement of the profile template ``template``, changed as asked; a fresh id."""
    s = copy.deepcopy(example(template))
    s["id"] = str(uuid.uuid4())
    s["timestamp"] = when
    s["actor"] = {"objectType": "Agent", "account": {"homePage": account[0], "name": account[1]}}
    ctx = s["context"]
    ctx["extensions"][EXT + "agreed-identifier"] = agreed_id
    if unit_code is not None:
        ctx["extensions"][EXT + "unit-code"] = unit_code
    if requirement is not None:
        ctx["extensions"][EXT + "course-requirement"] = requirement
    if registration is None and course is not None and "/classes/" not in json.dumps(
        ctx["contextActivities"].get("parent", [])
    ):
        # One registration per trainee × elective course (profile: the archive unit).
        registration = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{agreed_id}|{course}"))
    if registration is not None:
        ctx["registration"] = registration
    if course is not None or duration is not None or assessment is not None:
        activity = _course_activity(s)
        old = activity["id"]
        if course is not None:
            activity["id"] = f"http://example.gov.cn/fsa/courses/{course}"
            if s["object"]["id"] == old + "/assessment":
                s["object"]["id"] = activity["id"] + "/assessment"
        ext = activity["definition"].setdefault("extensions", {})
        if duration is not None:
            ext[EXT + "course-duration"] = duration
            ext[EXT + "course-credit-hours"] = 0.25 if duration <= 15 else (
                0.5 if duration <= 30 else 1
            )
        if assessment is not None:
            ext[EXT + "assessment-required"] = assessment
    if klass is not None or class_hours is not None:
        activities = ctx["contextActivities"]
        candidates = [s["object"], *activities.get("parent", []), *activities.get("grouping", [])]
        for activity in candidates:
            if activity.get("definition", {}).get("type", "").endswith("/theme-class"):
                if klass is not None:
                    activity["id"] = f"http://example.gov.cn/fsa/classes/{klass}"
                if class_hours is not None and "extensions" in activity.get("definition", {}):
                    activity["definition"]["extensions"][EXT + "class-credit-hours"] = class_hours
    result = s.get("result", {}).get("extensions", {})
    if credit is not None:
        result[EXT + "credit-hours-earned"] = credit
    if minutes is not None:
        result[EXT + "learning-duration"] = minutes
    return s


def course_id(code: str) -> str:
    return f"http://example.gov.cn/fsa/courses/{code}"


def class_id(code: str) -> str:
    return f"http://example.gov.cn/fsa/classes/{code}"


def archive(admin_client, key: str, period: str = "2024") -> dict:
    res = admin_client.get(f"/xapi/archives/trainees/{key}?period={period}")
    assert res.status_code == 200, res.get_json()
    return res.get_json()


def course_row(view: dict, code: str) -> dict:
    rows = [c for c in view["courses"] if c["activity"] == course_id(code)]
    assert len(rows) == 1, [c["activity"] for c in view["courses"]]
    return rows[0]
