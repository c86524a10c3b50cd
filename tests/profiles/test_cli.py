"""``lrs profile check`` / ``validate`` and ``lrs credentials create --profile-policy``."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from lrs.cli import main
from lrs.storage.sqlite.store import SqliteStore

from .conftest import CADRE_DIR, FIXTURE_PROFILES, FIXTURE_STATEMENTS
from .published import VideoSession

VIDEO_FILE = str(FIXTURE_PROFILES / "adl-video-v1.0.3.jsonld")
CALIBRATION_FILE = str(FIXTURE_PROFILES / "yet-calibration-v1.jsonld")


def run(tmp_path, *args, **env):
    environment = {"LRS_DATA_DIR": str(tmp_path), "LRS_DATABASE_URL": "", **env}
    return CliRunner().invoke(main, list(args), env=environment, catch_exceptions=False)


class TestCheck:
    def test_the_cadre_profile_passes(self, tmp_path):
        result = run(tmp_path, "profile", "check", str(CADRE_DIR / "v1.0.jsonld"))
        assert result.exit_code == 0, result.output
        assert result.output.strip().endswith("0 errors, 0 warnings")

    def test_problems_are_printed_with_their_json_path(self, tmp_path):
        result = run(
            tmp_path, "profile", "check", str(FIXTURE_PROFILES / "adl-flashcards-v0.1.jsonld")
        )
        assert result.exit_code == 1
        assert "error: $.versions[0].wasRevisionOf[0]: https://w3id.org/xapi/flashcards is" in (
            result.output
        )

    def test_warnings_alone_pass(self, tmp_path):
        result = run(tmp_path, "profile", "check", VIDEO_FILE)
        assert result.exit_code == 0
        assert "warning: $.templates[6]: templates" in result.output
        assert "0 errors, 4 warnings" in result.output

    def test_a_broken_document(self, tmp_path):
        with open(CALIBRATION_FILE, encoding="utf-8") as fh:
            doc = json.load(fh)
        doc["templates"][0]["rules"][0]["location"] = "$..id"
        doc["patterns"][1]["optional"] = doc["patterns"][0]["id"]
        path = tmp_path / "broken.jsonld"
        path.write_text(json.dumps(doc))
        result = run(tmp_path, "profile", "check", str(path))
        assert result.exit_code == 1
        assert "$.templates[0].rules[0].location: '$..id': recursive descent" in result.output
        assert "contains itself" in result.output


class TestValidate:
    def test_calibration_statements_in_both_modes(self, tmp_path):
        statements = str(FIXTURE_STATEMENTS / "yet-calibration_coll.json")
        ok = run(tmp_path, "profile", "validate", "--profile", CALIBRATION_FILE, statements)
        assert ok.exit_code == 0, ok.output
        assert ok.output.strip().endswith(
            "2 statements, 0 violations, 0 registrations (0 incomplete)"
        )
        spec = run(
            tmp_path,
            "profile",
            "validate",
            "--profile",
            CALIBRATION_FILE,
            "--mode",
            "spec",
            statements,
        )
        assert spec.exit_code == 1
        assert (
            "statements[0] (00000000-4000-8000-0000-000000000000): template "
            "https://xapinet.org/xapi/yet/calibration/v1/templates#activity-3 rules[2] at "
            "$.object.id: "
        ) in spec.output

    def test_a_single_statement_object(self, tmp_path):
        result = run(
            tmp_path,
            "profile",
            "validate",
            "--profile",
            CALIBRATION_FILE,
            str(FIXTURE_STATEMENTS / "yet-calibration_2.json"),
        )
        assert result.exit_code == 0

    def test_patterns_per_registration(self, tmp_path):
        session = VideoSession()
        statements = session.whole_session()
        path = tmp_path / "video.json"
        path.write_text(json.dumps(statements[:3]))
        result = run(tmp_path, "profile", "validate", "--profile", VIDEO_FILE, str(path))
        assert result.exit_code == 0
        assert f"registration {session.registration}: incomplete (expected next: " in result.output
        complete = run(
            tmp_path, "profile", "validate", "--profile", VIDEO_FILE, "--complete", str(path)
        )
        assert complete.exit_code == 1
        path.write_text(json.dumps(statements))
        assert (
            run(
                tmp_path, "profile", "validate", "--profile", VIDEO_FILE, "--complete", str(path)
            ).exit_code
            == 0
        )
        path.write_text(json.dumps(statements[1:]))
        broken = run(tmp_path, "profile", "validate", "--profile", VIDEO_FILE, str(path))
        assert broken.exit_code == 1
        assert "statements[0]" in broken.output and "pattern https://w3id.org/xapi/video" in (
            broken.output
        )

    def test_a_loaded_profile_by_id(self, tmp_path):
        example = CADRE_DIR / "examples" / "sequences" / "course-legal-complete-pass.json"
        result = run(
            tmp_path,
            "profile",
            "validate",
            "--profile",
            "https://w3id.org/xapi/cadre-training",
            str(example),
            LRS_PROFILES_DIR=str(CADRE_DIR.parent),
        )
        assert result.exit_code == 0, result.output
        assert ": complete" in result.output

    def test_an_unknown_profile(self, tmp_path):
        result = run(
            tmp_path,
            "profile",
            "validate",
            "--profile",
            "https://nowhere.org/p",
            str(FIXTURE_STATEMENTS / "yet-calibration_2.json"),
        )
        assert result.exit_code == 1
        assert "neither a profile file nor a loaded profile id" in result.output


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["--profile-policy", "enforce"], {}, "enforce"),
        ([], {}, "flag"),
        ([], {"LRS_PROFILE_POLICY": "off"}, "off"),
    ],
)
def test_credentials_get_a_profile_policy(tmp_path, args, env, expected):
    result = run(
        tmp_path, "credentials", "create", "--name", "p", "--scopes", "all", "--json", *args, **env
    )
    key = json.loads(result.stdout)["key"]
    store = SqliteStore(tmp_path / "lrs.sqlite3")
    with store.read() as uow:
        assert uow.credentials.get(key).settings["profile_policy"] == expected
    store.close()


def test_an_unknown_policy_is_refused(tmp_path):
    result = CliRunner().invoke(
        main,
        ["credentials", "create", "--name", "p", "--scopes", "all", "--profile-policy", "strict"],
        env={"LRS_DATA_DIR": str(tmp_path)},
    )
    assert result.exit_code == 2
