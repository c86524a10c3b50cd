"""The cadre-training profile (profiles/cadre-training/), loaded by default, through HTTP.

Driven by the example statements its author keeps with it
(``examples/manifest.json``): every template has statements that follow it
and statements that break it, every primary pattern legal and illegal
sequences. Each is sent through the API by credentials in ``enforce`` mode
(refused with a message naming profile, template, rule and location) and in
``flag`` mode (stored, violations recorded and queryable).
"""

from __future__ import annotations

import copy
import json
import uuid
from collections import deque
from datetime import datetime, timedelta, timezone

import pytest

from lrs.domain.profiles.checks import check_profile
from lrs.domain.profiles.registry import read_document
from lrs.services import services

from .conftest import CADRE_DIR

CADRE = "https://w3id.org/xapi/cadre-training"
VERSION = CADRE + "/v1.0"
EXAMPLES = CADRE_DIR / "examples"
MANIFEST = json.loads((EXAMPLES / "manifest.json").read_text("utf-8"))
BEIJING = timezone(timedelta(hours=8))


def load(name: str):
    return json.loads((EXAMPLES / name).read_text("utf-8"))


def ids(entries):
    return [e["file"].split("/")[-1].removesuffix(".json") for e in entries]


def fresh(statements: list[dict], registration: str | None = None) -> list[dict]:
    """Copies with new statement ids (and one new registration), timestamps kept in order."""
    registration = registration or str(uuid.uuid4())
    start = datetime(2024, 5, 6, 9, 0, tzinfo=BEIJING)
    copies = []
    for i, statement in enumerate(statements):
        statement = copy.deepcopy(statement)
        statement["id"] = str(uuid.uuid4())
        statement["timestamp"] = (start + timedelta(minutes=10 * i)).isoformat()
        if "registration" in statement.get("context", {}):
            statement["context"]["registration"] = registration
        copies.append(statement)
    return copies


def error(res) -> str:
    assert res.status_code == 400, res.get_json()
    return res.get_json()["error"]["message"]


@pytest.fixture(scope="module")
def valid_by_template():
    return {e["template"]: load(e["file"]) for e in MANIFEST["valid"]}


def legal_prefix(app, template_id: str) -> list[str]:
    """The shortest list of templates after which ``template_id`` continues a primary pattern."""
    registry = services(app).profiles
    dfa = registry.automaton(registry.get(CADRE))
    queue = deque([(dfa.start, [])])
    seen = {dfa.start}
    while queue:
        state, path = queue.popleft()
        if template_id in dfa.transitions[state]:
            return path
        for symbol, target in sorted(dfa.transitions[state].items()):
            if target not in seen:
                seen.add(target)
                queue.append((target, [*path, symbol]))
    raise AssertionError(f"{template_id} is in no primary pattern")


# ---------------------------------------------------------------- the document


def test_the_profile_passes_every_check():
    assert check_profile(read_document(CADRE_DIR / "v1.0.jsonld")) == []


def test_it_is_loaded_by_default(store, tmp_path):
    from lrs.app import create_app
    from lrs.config import Settings

    app = create_app(Settings(data_dir=tmp_path), store=store)
    profile = services(app).profiles.get(VERSION)
    assert profile is not None and profile.id == CADRE


def test_the_examples_cover_every_template_and_primary_pattern(cadre_app):
    profile = services(cadre_app).profiles.get(CADRE)
    templates = set(profile.templates)
    assert {e["template"] for e in MANIFEST["valid"]} == templates
    assert {e["template"] for e in MANIFEST["invalid"]} == templates
    primary = {p.id for p in profile.primary_patterns}
    legal = {e.get("pattern") for e in MANIFEST["sequences"] if e["expect"] == "success"}
    assert primary <= legal
    illegal_starts = {
        load(e["file"])[0]["verb"]["id"] for e in MANIFEST["sequences"] if e["expect"] == "failure"
    }
    assert len(illegal_starts) >= 3


def test_the_profile_is_listed(cadre_app, client_for):
    client = client_for(cadre_app, "flag")
    listed = client.get("/xapi/profiles").get_json()["profiles"]
    (entry,) = [p for p in listed if p["id"] == CADRE]
    assert entry["default"] is True and entry["version"] == VERSION
    assert entry["templates"] == 24 and len(entry["primaryPatterns"]) == 3
    doc = client.get("/xapi/profiles", query_string={"profileId": VERSION}).get_json()
    assert doc["id"] == CADRE


# ---------------------------------------------------------------- templates


@pytest.mark.parametrize("entry", MANIFEST["valid"], ids=ids(MANIFEST["valid"]))
def test_each_template_accepts_its_valid_example_in_enforce_mode(
    entry, cadre_app, client_for, valid_by_template
):
    """Sent after the shortest legal prefix of the pattern, so the pattern holds too."""
    client = client_for(cadre_app, "enforce")
    prefix = [valid_by_template[t] for t in legal_prefix(cadre_app, entry["template"])]
    batch = fresh([*prefix, load(entry["file"])])
    res = client.statements(batch)
    assert res.status_code == 200, res.get_json()


@pytest.mark.parametrize("entry", MANIFEST["valid"], ids=ids(MANIFEST["valid"]))
def test_each_valid_example_alone_has_no_template_violation_in_flag_mode(
    entry, cadre_app, client_for
):
    client = client_for(cadre_app, "flag")
    (statement,) = fresh([load(entry["file"])])
    assert client.statements(statement).status_code == 200
    found = client.violations(statementId=statement["id"])["violations"]
    assert [v for v in found if v["kind"] != "pattern"] == []
    expect_pattern = entry["patternAlone"] == "failure"
    assert bool(found) == expect_pattern, found


def _names_what_failed(entry, message: str) -> bool:
    if entry["kind"] == "rule":
        return all(
            f"template {entry['template']} rules[{r}] at " in message for r in entry["rules"]
        )
    rule = "inlineSchema" if entry["kind"] == "schema" else "semantic"
    return any(f"extension {ext} ({rule}) at " in message for ext in entry["extensions"])


@pytest.mark.parametrize("entry", MANIFEST["invalid"], ids=ids(MANIFEST["invalid"]))
def test_each_invalid_example_is_refused_in_enforce_mode(
    entry, cadre_app, client_for, valid_by_template
):
    client = client_for(cadre_app, "enforce")
    prefix = [valid_by_template[t] for t in legal_prefix(cadre_app, entry["template"])]
    batch = fresh([*prefix, load(entry["file"])])
    message = error(client.statements(batch))
    assert f"breaks profile {CADRE} (version {VERSION})" in message
    assert _names_what_failed(entry, message), message
    assert client.get(f"/xapi/statements?statementId={batch[0]['id']}").status_code == 404


@pytest.mark.parametrize("entry", MANIFEST["invalid"], ids=ids(MANIFEST["invalid"]))
def test_each_invalid_example_is_recorded_in_flag_mode(entry, cadre_app, client_for):
    client = client_for(cadre_app, "flag")
    (statement,) = fresh([load(entry["file"])])
    assert client.statements(statement).status_code == 200
    found = [
        v
        for v in client.violations(statementId=statement["id"])["violations"]
        if v["kind"] != "pattern"
    ]
    assert found and all(v["profileId"] == CADRE for v in found)
    if entry["kind"] == "rule":
        assert {v["subjectId"] for v in found} == {entry["template"]}
        assert sorted(int(v["rule"][6:-1]) for v in found) == sorted(entry["rules"])
        assert all(v["location"] for v in found)
    else:
        assert {v["subjectId"] for v in found} <= set(entry["extensions"])
        assert {v["rule"] for v in found} == {
            "inlineSchema" if entry["kind"] == "schema" else "semantic"
        }


# ---------------------------------------------------------------- patterns


@pytest.mark.parametrize("entry", MANIFEST["sequences"], ids=ids(MANIFEST["sequences"]))
def test_sequences_in_enforce_mode(entry, cadre_app, client_for):
    client = client_for(cadre_app, "enforce")
    registration = str(uuid.uuid4())
    batch = fresh(load(entry["file"]), registration)
    res = client.statements(batch)
    if entry["expect"] == "failure":
        message = error(res)
        assert f"breaks profile {CADRE}" in message
        assert "pattern" in message
        return
    assert res.status_code == 200, res.get_json()
    (status,) = client.violations(registration=registration)["patterns"]
    assert status["status"] == ("complete" if entry["expect"] == "success" else "incomplete")
    if entry["expect"] == "success":
        assert status["completed"] == [entry["pattern"]]
    else:
        assert entry["pattern"] in status["possible"] and status["completed"] == []


@pytest.mark.parametrize("entry", MANIFEST["sequences"], ids=ids(MANIFEST["sequences"]))
def test_sequences_one_statement_at_a_time_in_flag_mode(entry, cadre_app, client_for):
    """Pattern state is kept per registration in the store between requests."""
    client = client_for(cadre_app, "flag")
    registration = str(uuid.uuid4())
    for statement in fresh(load(entry["file"]), registration):
        assert client.statements(statement).status_code == 200
    body = client.violations(registration=registration)
    (status,) = body["patterns"]
    if entry["expect"] == "failure":
        assert body["violations"], "an illegal sequence leaves a violation"
        assert status["status"] == "failed"
    else:
        assert body["violations"] == []
        assert status["status"] in ("complete", "incomplete")


def test_statements_without_the_category_get_the_default_profile_when_configured(
    store, tmp_path, client_for
):
    from lrs.app import create_app
    from lrs.config import Settings

    app = create_app(Settings(data_dir=tmp_path, profile_apply_all="enforce"), store=store)
    statement = fresh([load("valid/course-registered.json")])[0]
    statement["context"]["contextActivities"].pop("category")
    enforced = client_for(app, "enforce")
    message = error(enforced.statements(statement))
    assert "rules[7] at $.context.contextActivities.category[*].id" in message
    flagged = client_for(app, "flag")  # "flag" is not in LRS_PROFILE_APPLY_ALL
    assert flagged.statements(statement).status_code == 200
    assert flagged.violations(statementId=statement["id"])["violations"] == []
