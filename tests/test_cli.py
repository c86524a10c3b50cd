"""The `lrs` command line: credentials."""

from __future__ import annotations

import json

from click.testing import CliRunner

from lrs.cli import main


def run(tmp_path, *args):
    env = {"LRS_DATA_DIR": str(tmp_path), "LRS_DATABASE_URL": ""}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_create_json_prints_only_key_and_secret(tmp_path):
    result = run(
        tmp_path, "credentials", "create", "--name", "platform A", "--scopes", "all", "--json"
    )
    assert result.exit_code == 0
    body = json.loads(result.stdout)
    assert set(body) == {"key", "secret"}
    assert len(body["secret"]) >= 40


def test_list_shows_no_secret_and_revoke(tmp_path):
    created = json.loads(
        run(
            tmp_path,
            "credentials",
            "create",
            "--name",
            "unit B",
            "--scopes",
            "statements/read,state",
            "--org",
            "fj/fz",
            "--json",
        ).stdout
    )
    listed = json.loads(run(tmp_path, "credentials", "list", "--json").stdout)
    assert listed[0]["key"] == created["key"]
    assert listed[0]["scopes"] == ["statements/read", "state"]
    assert listed[0]["org"] == "fj/fz"
    assert created["secret"] not in json.dumps(listed)
    assert run(tmp_path, "credentials", "revoke", created["key"]).exit_code == 0
    assert json.loads(run(tmp_path, "credentials", "list", "--json").stdout)[0]["revoked"] is True
    assert run(tmp_path, "credentials", "revoke", "nope").exit_code == 1


def test_unknown_scope_is_refused(tmp_path):
    result = CliRunner().invoke(
        main,
        ["credentials", "create", "--name", "x", "--scopes", "everything"],
        env={"LRS_DATA_DIR": str(tmp_path)},
    )
    assert result.exit_code != 0
    assert "unknown scope" in result.output


def test_mongodb_url_is_a_clear_error_until_available(tmp_path):
    result = CliRunner().invoke(
        main, ["credentials", "list"], env={"LRS_DATABASE_URL": "ftp://nowhere"}
    )
    assert result.exit_code != 0
    assert "unsupported LRS_DATABASE_URL" in result.output
