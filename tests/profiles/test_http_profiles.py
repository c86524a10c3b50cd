"""The /xapi/profiles endpoints, policies, versions, registrations and subregistrations."""

from __future__ import annotations

import copy
import json
import uuid

import pytest

from lrs.app import create_app
from lrs.config import Settings

from .conftest import CALIBRATION, FIXTURE_PROFILES, VIDEO, fixture_document, fixture_statements
from .published import VideoSession

CAL_V1 = CALIBRATION + "/v1"
CAL_V2 = CALIBRATION + "/v2"
SUBREGISTRATION = "https://w3id.org/xapi/profiles/extensions/subregistration"


def calibration_v2() -> dict:
    """Version 2: template activity-2 is replaced by one that names the activity differently."""
    doc = copy.deepcopy(fixture_document("yet-calibration-v1.jsonld"))
    doc["versions"] = [
        {"id": CAL_V2, "wasRevisionOf": [CAL_V1], "generatedAtTime": "2021-01-01T00:00:00Z"},
        *doc["versions"],
    ]
    for item in doc["concepts"] + doc["templates"] + doc["patterns"]:
        item["inScheme"] = CAL_V2
    template = doc["templates"][1]
    template["id"] += "-v2"
    template["rules"][3]["any"] = ["Activity Two"]
    template["rules"][5]["any"] = [CAL_V1, CAL_V2]
    doc["patterns"][2]["optional"] = template["id"]
    for pattern in doc["patterns"]:
        pattern["id"] = pattern["id"].replace("/v1/", "/v2/")
    doc["patterns"][0]["sequence"] = [
        p.replace("/v1/", "/v2/") for p in doc["patterns"][0]["sequence"]
    ]
    return doc


@pytest.fixture
def versions_dir(tmp_path):
    directory = tmp_path / "profiles"
    directory.mkdir()
    (directory / "calibration-v1.jsonld").write_bytes(
        (FIXTURE_PROFILES / "yet-calibration-v1.jsonld").read_bytes()
    )
    (directory / "calibration-v2.jsonld").write_text(json.dumps(calibration_v2()))
    return directory


def with_category(statement: dict, version: str) -> dict:
    statement = copy.deepcopy(statement)
    statement["id"] = str(uuid.uuid4())
    statement["context"]["contextActivities"]["category"] = [{"id": version}]
    return statement


class TestListing:
    def test_lists_the_loaded_profiles(self, fixture_app, client_for):
        body = client_for(fixture_app).get("/xapi/profiles").get_json()
        by_id = {p["id"]: p for p in body["profiles"]}
        assert set(by_id) == {VIDEO, CALIBRATION, "https://w3id.org/xapi/flashcards"}
        video = by_id[VIDEO]
        assert video["version"] == VIDEO + "/v1.0.3"
        assert video["versions"] == [VIDEO + "/v1.0.3"]
        assert video["prefLabel"] == {"en": "Video Profile"}
        assert (video["templates"], video["patterns"]) == (9, 3)
        assert video["primaryPatterns"] == ["https://w3id.org/xapi/video/patterns#generalpattern"]
        flashcards = by_id["https://w3id.org/xapi/flashcards"]
        assert any("own id" in p for p in flashcards["problems"])

    def test_the_document_by_profile_or_version_id(self, fixture_app, client_for):
        client = client_for(fixture_app)
        for iri in (VIDEO, VIDEO + "/v1.0.3"):
            res = client.get("/xapi/profiles", query_string={"profileId": iri})
            assert res.status_code == 200
            assert res.get_json() == fixture_document("adl-video-v1.0.3.jsonld")
        res = client.get("/xapi/profiles", query_string={"profileId": "https://nowhere.org/p"})
        assert res.status_code == 404

    def test_same_auth_and_version_handling_as_xapi(self, fixture_app, client_for):
        client = client_for(fixture_app)
        version = {"X-Experience-API-Version": "2.0.0"}
        assert client.http.get("/xapi/profiles", headers=version).status_code == 401
        assert (
            client.http.get("/xapi/profiles", headers={"Authorization": client.auth}).status_code
            == 400
        )
        assert client.get("/xapi/profiles?bogus=1").status_code == 400
        res = client.get("/xapi/profiles")
        assert res.headers["X-Experience-API-Version"] == "2.0.0"

    def test_all_versions_of_a_profile(self, store, tmp_path, versions_dir, client_for):
        app = create_app(Settings(data_dir=tmp_path, profiles_dir=str(versions_dir)), store=store)
        client = client_for(app)
        (entry,) = client.get("/xapi/profiles").get_json()["profiles"]
        assert entry["version"] == CAL_V2
        assert entry["versions"] == [CAL_V2, CAL_V1]
        assert entry["loadedVersions"] == [CAL_V1, CAL_V2]
        v1 = client.get("/xapi/profiles", query_string={"profileId": CAL_V1}).get_json()
        assert v1["versions"] == fixture_document("yet-calibration-v1.jsonld")["versions"]


class TestVersions:
    def test_statements_citing_an_older_version_follow_that_version(
        self, store, tmp_path, versions_dir, client_for
    ):
        app = create_app(Settings(data_dir=tmp_path, profiles_dir=str(versions_dir)), store=store)
        client = client_for(app, "enforce")
        old = fixture_statements("yet-calibration_2.json")  # names "Activity 2"
        assert client.statements(with_category(old, CAL_V1)).status_code == 200
        res = client.statements(with_category(old, CAL_V2))
        assert res.status_code == 400
        message = res.get_json()["error"]["message"]
        assert f"(version {CAL_V2})" in message and "activity-2-v2 rules[3]" in message
        renamed = with_category(old, CAL_V2)
        renamed["object"]["definition"]["name"]["en-US"] = "Activity Two"
        assert client.statements(renamed).status_code == 200
        # the profile id itself stands for the newest version
        assert client.statements(with_category(old, CALIBRATION)).status_code == 400

    def test_an_unloaded_older_version_uses_the_newest_document_listing_it(
        self, store, tmp_path, client_for
    ):
        directory = tmp_path / "only-v2"
        directory.mkdir()
        (directory / "v2.jsonld").write_text(json.dumps(calibration_v2()))
        app = create_app(Settings(data_dir=tmp_path, profiles_dir=str(directory)), store=store)
        client = client_for(app, "enforce")
        old = fixture_statements("yet-calibration_2.json")
        res = client.statements(with_category(old, CAL_V1))
        assert res.status_code == 400
        assert "activity-2-v2" in res.get_json()["error"]["message"]


class TestPolicies:
    def test_the_server_default_applies_to_credentials_without_a_policy(
        self, make_fixture_app, client_for
    ):
        app = make_fixture_app(profile_policy="enforce")
        client = client_for(app)  # no profile_policy in its settings
        broken = fixture_statements("yet-calibration_2.json")
        broken["object"]["id"] = "https://example.org/other"
        assert client.statements(broken).status_code == 400

    def test_flag_is_the_default(self, fixture_app, client_for):
        client = client_for(fixture_app)
        broken = fixture_statements("yet-calibration_2.json")
        broken["object"]["id"] = "https://example.org/other"
        assert client.statements(broken).status_code == 200
        assert client.violations(statementId=broken["id"])["violations"]

    def test_off_keeps_no_pattern_state(self, fixture_app, client_for):
        client = client_for(fixture_app, "off")
        session = VideoSession()
        assert client.statements(session.played(0)).status_code == 200
        assert client.violations(registration=session.registration)["patterns"] == []

    def test_a_refused_batch_leaves_no_pattern_state(self, fixture_app, client_for):
        enforcing = client_for(fixture_app, "enforce")
        session = VideoSession()
        first, bad = session.initialized(), session.played(0)
        del bad["result"]
        assert enforcing.statements([first, bad]).status_code == 400
        assert enforcing.violations(registration=session.registration)["patterns"] == []
        assert enforcing.statements(first).status_code == 200  # starts afresh


class TestViolationsEndpoint:
    def test_needs_statement_read(self, fixture_app, client_for):
        writer = client_for(fixture_app, scopes="statements/write")
        res = writer.get(
            "/xapi/profiles/violations", query_string={"registration": str(uuid.uuid4())}
        )
        assert res.status_code == 403

    @pytest.mark.parametrize(
        "params",
        [
            {},
            {"statementId": "nope"},
            {"registration": "x"},
            {"statementId": str(uuid.uuid4()), "registration": str(uuid.uuid4())},
        ],
    )
    def test_parameters(self, fixture_app, client_for, params):
        res = client_for(fixture_app).get("/xapi/profiles/violations", query_string=params)
        assert res.status_code == 400

    def test_org_scoped(self, fixture_app, client_for):
        fz = client_for(fixture_app, "flag", org="fj/fz")
        session = VideoSession()
        late = session.played(0)  # out of pattern order: a violation
        assert fz.statements(late).status_code == 200
        assert len(fz.violations(statementId=late["id"])["violations"]) == 1
        fj = client_for(fixture_app, "flag", org="fj")
        assert len(fj.violations(registration=session.registration)["violations"]) == 1
        hn = client_for(fixture_app, "flag", org="hn")
        assert hn.violations(statementId=late["id"])["violations"] == []
        body = hn.violations(registration=session.registration)
        assert body == {"violations": [], "patterns": []}

    def test_violation_fields(self, fixture_app, client_for):
        client = client_for(fixture_app, "flag")
        broken = fixture_statements("yet-calibration_2.json")
        broken["object"]["definition"]["name"]["en-US"] = "Activity 9"
        client.statements(broken)
        (v,) = client.violations(statementId=broken["id"])["violations"]
        assert v == {
            "statementId": broken["id"],
            "profileId": CALIBRATION,
            "kind": "template",
            "subjectId": "https://xapinet.org/xapi/yet/calibration/v1/templates#activity-2",
            "rule": "rules[3]",
            "location": "$.object.definition.name.en-US",
            "message": 'found "Activity 9", but none of them is in any "Activity 2"',
            "registration": None,
            "created": v["created"],
        }


class TestRegistrations:
    def test_several_statements_of_one_registration_in_one_batch(self, fixture_app, client_for):
        client = client_for(fixture_app, "flag")
        session = VideoSession()
        statements = [
            session.initialized(),
            session.played(0),
            session.terminated(9, 0.01, "0[.]9"),
            session.paused(10, 0.02, "0[.]10"),
        ]
        assert client.statements(statements).status_code == 200
        body = client.violations(registration=session.registration)
        assert [v["statementId"] for v in body["violations"]] == [statements[3]["id"]]
        assert "expected no further statement" in body["violations"][0]["message"]

    def test_subregistrations_follow_the_pattern_separately(self, fixture_app, client_for):
        client = client_for(fixture_app, "enforce")
        registration = str(uuid.uuid4())
        first, second = (
            VideoSession(registration=registration),
            VideoSession(registration=registration),
        )

        def tagged(statement, sub):
            statement["context"]["extensions"][SUBREGISTRATION] = [
                {"profile": VIDEO + "/v1.0.3", "subregistration": sub}
            ]
            return statement

        sub1, sub2 = str(uuid.uuid4()), str(uuid.uuid4())
        assert client.statements(tagged(first.initialized(), sub1)).status_code == 200
        # the second video starts its own pattern inside the same registration
        assert client.statements(tagged(second.initialized(), sub2)).status_code == 200
        assert client.statements(tagged(first.played(0), sub1)).status_code == 200
        # without the subregistration, initialized was never seen for the registration
        assert client.statements(first.played(0)).status_code == 400

    def test_a_malformed_subregistration_is_a_violation(self, fixture_app, client_for):
        client = client_for(fixture_app, "enforce")
        session = VideoSession()
        statement = session.initialized()
        statement["context"]["extensions"][SUBREGISTRATION] = [{"profile": VIDEO}]
        res = client.statements(statement)
        assert res.status_code == 400
        assert "subregistration at $.context.extensions" in res.get_json()["error"]["message"]
