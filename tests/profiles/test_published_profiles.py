"""Real published profiles through HTTP: ADL video v1.0.3, ADL flashcards v0.1, Yet calibration.

Real statements of these profiles are accepted in ``any-template`` mode and
broken ones refused; the literal ``spec`` mode refuses ordinary video
statements (and Yet's own calibration_1) because of templates that share
Determining Properties.
"""

from __future__ import annotations

import copy

import pytest

from .conftest import CALIBRATION, FLASHCARDS, VIDEO, fixture_statements
from .published import VX, FlashcardSession, VideoSession, without

CAL = "https://xapinet.org/xapi/yet/calibration/v1/templates#activity-"
VIDEO_T = "https://w3id.org/xapi/video/templates#"
VIDEO_PATTERN = "https://w3id.org/xapi/video/patterns#generalpattern"
FLASH_PATTERN = "https://w3id.org/xapi/flashcards/patterns#basic"


def error(res) -> str:
    assert res.status_code == 400, res.get_json()
    return res.get_json()["error"]["message"]


def pattern_status(client, registration: str, profile_id: str) -> str:
    body = client.violations(registration=registration)
    (entry,) = [p for p in body["patterns"] if p["profileId"] == profile_id]
    return entry["status"]


# ---------------------------------------------------------------- Yet calibration


class TestCalibration:
    def test_its_statements_are_accepted_in_any_template_mode(self, fixture_app, client_for):
        client = client_for(fixture_app, "enforce")
        res = client.statements(fixture_statements("yet-calibration_coll.json"))
        assert res.status_code == 200, res.get_json()

    def test_single_statements_too(self, fixture_app, client_for):
        client = client_for(fixture_app, "enforce")
        for name in ("yet-calibration_1.json", "yet-calibration_2.json"):
            assert client.statements(fixture_statements(name)).status_code == 200

    def test_spec_mode_refuses_calibration_1(self, fixture_app, client_for):
        """It matches templates 1 and 3 (same verb) and cannot follow template 3's rules."""
        client = client_for(fixture_app, "enforce", mode="spec")
        message = error(client.statements(fixture_statements("yet-calibration_1.json")))
        assert CALIBRATION in message
        assert f"template {CAL}3 rules[2] at $.object.id" in message
        assert "concepts#activity-3" in message
        assert client.statements(fixture_statements("yet-calibration_2.json")).status_code == 200

    def test_a_broken_statement_is_refused_naming_everything(self, fixture_app, client_for):
        client = client_for(fixture_app, "enforce")
        broken = fixture_statements("yet-calibration_2.json")
        broken["object"]["definition"]["name"]["en-US"] = "Activity 9"
        message = error(client.statements(broken))
        assert f"profile {CALIBRATION} (version {CALIBRATION}/v1)" in message
        assert f"template {CAL}2 rules[3] at $.object.definition.name.en-US" in message
        assert '"Activity 9"' in message and '"Activity 2"' in message
        got = client.get(f"/xapi/statements?statementId={broken['id']}")
        assert got.status_code == 404

    def test_flag_mode_stores_and_records(self, fixture_app, client_for):
        client = client_for(fixture_app, "flag")
        broken = fixture_statements("yet-calibration_2.json")
        del broken["object"]["definition"]["description"]
        assert client.statements(broken).status_code == 200
        (violation,) = client.violations(statementId=broken["id"])["violations"]
        assert violation["profileId"] == CALIBRATION
        assert violation["subjectId"] == CAL + "2"
        assert violation["rule"] == "rules[4]"
        assert violation["location"] == "$.object.definition.description.en-US"
        assert "included" in violation["message"]

    def test_off_mode_checks_nothing(self, fixture_app, client_for):
        client = client_for(fixture_app, "off")
        broken = fixture_statements("yet-calibration_2.json")
        broken["object"]["id"] = "https://example.org/elsewhere"
        assert client.statements(broken).status_code == 200
        assert client.violations(statementId=broken["id"])["violations"] == []


# ---------------------------------------------------------------- ADL video


class TestVideo:
    def test_a_whole_session_in_one_batch(self, fixture_app, client_for):
        client = client_for(fixture_app, "enforce")
        session = VideoSession()
        res = client.statements(session.whole_session())
        assert res.status_code == 200, res.get_json()
        assert pattern_status(client, session.registration, VIDEO) == "complete"

    def test_statement_by_statement_with_incomplete_in_between(self, fixture_app, client_for):
        client = client_for(fixture_app, "enforce")
        session = VideoSession()
        statements = session.whole_session()
        assert client.statements(statements[0]).status_code == 200
        assert pattern_status(client, session.registration, VIDEO) == "incomplete"
        for statement in statements[1:]:
            assert client.statements(statement).status_code == 200
        assert pattern_status(client, session.registration, VIDEO) == "complete"

    def test_spec_mode_refuses_an_ordinary_interacted_statement(self, fixture_app, client_for):
        """The clash: closed-captioning, volumechange and screenchange share the Determining
        Properties (ADL interacted + video) and require different extensions."""
        client = client_for(fixture_app, "enforce", mode="spec")
        session = VideoSession()
        assert client.statements(session.initialized()).status_code == 200
        assert client.statements(session.played(0)).status_code == 200
        message = error(client.statements(session.volume_changed(12, 0.4)))
        assert f"template {VIDEO_T}closed-captioning" in message
        assert f"template {VIDEO_T}screenchange" in message
        assert f"{VX}cc-subtitle-lang" in message
        assert f"{VIDEO_T}volumechange rules" not in message  # that one it follows

    def test_any_template_mode_accepts_the_same_statement(self, fixture_app, client_for):
        client = client_for(fixture_app, "enforce", mode="any-template")
        session = VideoSession()
        for statement in (
            session.initialized(),
            session.played(0),
            session.volume_changed(12, 0.4),
        ):
            assert client.statements(statement).status_code == 200

    def test_server_wide_spec_mode_for_one_profile(self, make_fixture_app, client_for):
        app = make_fixture_app(profile_mode=f"any-template,{VIDEO}=spec")
        client = client_for(app, "enforce")
        session = VideoSession()
        assert client.statements(session.whole_session()).status_code == 400
        # the calibration profile keeps the default mode
        assert client.statements(fixture_statements("yet-calibration_1.json")).status_code == 200

    def test_a_missing_required_extension_is_refused(self, fixture_app, client_for):
        client = client_for(fixture_app, "enforce")
        session = VideoSession()
        client.statements([session.initialized(), session.played(0)])
        paused = without(
            session.paused(60, 0.1, "0[.]60"), "result", "extensions", VX + "played-segments"
        )
        message = error(client.statements(paused))
        assert f"template {VIDEO_T}paused rules[5] at $.result.extensions" in message
        assert f"['{VX}played-segments']" in message
        assert 'presence is "included"' in message

    def test_out_of_pattern_order_is_refused(self, fixture_app, client_for):
        client = client_for(fixture_app, "enforce")
        session = VideoSession()
        message = error(client.statements(session.played(0)))
        assert f"pattern {VIDEO_PATTERN}" in message
        assert f"expected {VIDEO_T}initialized" in message

    def test_a_batch_is_ordered_by_timestamp(self, fixture_app, client_for):
        client = client_for(fixture_app, "enforce")
        session = VideoSession()
        first, second = session.initialized(), session.played(0)
        assert client.statements([second, first]).status_code == 200

    def test_nothing_after_terminated(self, fixture_app, client_for):
        client = client_for(fixture_app, "flag")
        session = VideoSession()
        statements = session.whole_session()
        client.statements(statements)
        late = session.played(10)
        assert client.statements(late).status_code == 200
        (violation,) = client.violations(statementId=late["id"])["violations"]
        assert violation["kind"] == "pattern"
        assert violation["subjectId"] == VIDEO_PATTERN
        assert "expected no further statement" in violation["message"]
        assert pattern_status(client, session.registration, VIDEO) == "failed"


# ---------------------------------------------------------------- ADL flashcards


class TestFlashcards:
    def test_launched_viewed_exited(self, fixture_app, client_for):
        client = client_for(fixture_app, "enforce")
        session = FlashcardSession()
        res = client.statements([session.launched(), session.viewed(), session.exited()])
        assert res.status_code == 200, res.get_json()
        assert pattern_status(client, session.registration, FLASHCARDS) == "complete"

    def test_the_pattern_allows_one_viewed_only(self, fixture_app, client_for):
        client = client_for(fixture_app, "flag")
        session = FlashcardSession()
        batch = [session.launched(), session.viewed(1), session.viewed(2)]
        second = batch[2]
        assert client.statements(batch).status_code == 200
        body = client.violations(registration=session.registration)
        (violation,) = body["violations"]
        assert violation["statementId"] == second["id"]
        assert violation["subjectId"] == FLASH_PATTERN
        assert "templates#exited" in violation["message"]
        assert body["patterns"][0]["status"] == "failed"

    def test_exited_needs_duration_and_completion(self, fixture_app, client_for):
        client = client_for(fixture_app, "enforce")
        session = FlashcardSession()
        exited = session.exited()
        del exited["result"]
        batch = [session.launched(), session.viewed(), exited]
        message = error(client.statements(batch))
        assert "templates#exited rules[2] at $.result.duration" in message
        assert "templates#exited rules[3] at $.result.completion" in message

    def test_viewed_needs_its_parent_deck(self, fixture_app, client_for):
        """Without the parent the statement matches no template, so it cannot follow the
        pattern (Determining Properties are not rules: no template violation)."""
        client = client_for(fixture_app, "enforce")
        session = FlashcardSession()
        viewed = session.viewed()
        del viewed["context"]["contextActivities"]["parent"]
        message = error(client.statements([session.launched(), viewed]))
        assert "it matches no template of the profile" in message


@pytest.mark.parametrize("mode", ["spec", "any-template"])
def test_statements_without_the_profile_in_category_are_not_checked(fixture_app, client_for, mode):
    client = client_for(fixture_app, "enforce", mode=mode)
    statement = copy.deepcopy(VideoSession().played(0))
    del statement["context"]["contextActivities"]
    assert client.statements(statement).status_code == 200
