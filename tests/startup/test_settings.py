"""LRS_* variables are checked once, with an error naming the variable (lrs.environment,
lrs.startup)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from lrs.config import Settings, SettingsError
from lrs.startup import check_settings, prepare_store

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("LRS_WORKERS", "abc", "LRS_WORKERS must be a whole number, got 'abc'"),
        ("LRS_THREADS", "0", "LRS_THREADS must be at least 1, got '0'"),
        ("LRS_MAX_PAGE_SIZE", "-5", "LRS_MAX_PAGE_SIZE must be at least 1, got '-5'"),
        ("LRS_MAX_BODY_BYTES", "1.5", "LRS_MAX_BODY_BYTES must be a whole number, got '1.5'"),
        ("LRS_CONSISTENCY_MARGIN_MS", "-1", "LRS_CONSISTENCY_MARGIN_MS must be at least 0"),
        ("LRS_ARCHIVE_BATCH", "0", "LRS_ARCHIVE_BATCH must be at least 1"),
        ("LRS_LOG_LEVEL", "bogus", "LRS_LOG_LEVEL must be one of debug, info, warning, error"),
        ("LRS_LOG_FORMAT", "xml", "LRS_LOG_FORMAT must be one of text, json, got 'xml'"),
        ("LRS_ARCHIVE_PROJECTOR", "cron", "LRS_ARCHIVE_PROJECTOR must be one of process"),
        ("LRS_XAPI_VERSIONS", "1.0.3,3.0", "LRS_XAPI_VERSIONS must list some of 2.0.0, 1.0.3"),
        ("LRS_GATEWAY_FOLLOWER", "always",
         "LRS_GATEWAY_FOLLOWER must be one of auto, process, off, got 'always'"),
        ("LRS_GATEWAY_INTERVAL", "soon",
         "LRS_GATEWAY_INTERVAL must be a number of seconds, got 'soon'"),
        ("LRS_GATEWAY_INTERVAL", "0", "LRS_GATEWAY_INTERVAL must be more than 0, got '0'"),
        ("LRS_GATEWAY_SECRET", "short", "LRS_GATEWAY_SECRET must be at least 16 characters"),
    ],
)
def test_a_wrong_variable_is_named_with_its_value(variable, value, expected):
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({variable: value})
    assert str(caught.value).startswith(expected)
    assert caught.value.variable == variable


def test_values_are_parsed_and_unset_or_empty_ones_take_the_defaults():
    settings = Settings.from_env(
        {
            "LRS_WORKERS": "3",
            "LRS_MAX_PAGE_SIZE": "",  # empty: the default
            "LRS_LOG_LEVEL": "WARNING",
            "LRS_LOG_FORMAT": "json",
            "LRS_XAPI_VERSIONS": "1.0.3",
            "LRS_CONSISTENCY_MARGIN_MS": "250",
            "LRS_DATA_DIR": "/srv/lrs",
            "LRS_PROFILES_DIR": "",  # empty means "no profiles", not the default
            "LRS_GATEWAY_INTERVAL": "0.5",
            "HOME": "/root",  # not ours: ignored
        }
    )
    assert settings.workers == 3
    assert (settings.gateway_follower, settings.gateway_interval) == ("auto", 0.5)
    assert settings.max_page_size == Settings.max_page_size
    assert (settings.log_level, settings.log_format) == ("warning", "json")
    assert settings.versions == ("1.0.3",)
    assert settings.consistency_margin == timedelta(milliseconds=250)
    assert settings.data_dir == Path("/srv/lrs")
    assert settings.profiles_dir == ""
    assert Settings.from_env({}) == Settings(archive_projector="thread")


@pytest.mark.parametrize(
    ("changes", "variable", "words"),
    [
        ({"profile_policy": "strict"}, "LRS_PROFILE_POLICY", "must be one of enforce, flag, off"),
        ({"profile_mode": "loose"}, "LRS_PROFILE_MODE", "must be one of"),
        ({"profile_mode": "https://w3id.org/xapi/video=lax"}, "LRS_PROFILE_MODE", "'lax'"),
        ({"profile_apply_all": "enforce,maybe"}, "LRS_PROFILE_APPLY_ALL", "'maybe'"),
        ({"profiles_dir": "/nonexistent"}, "LRS_PROFILES_DIR", "names no directory"),
        ({"credit_policies_dir": "/nonexistent"}, "LRS_CREDIT_POLICIES_DIR", "not found"),
        ({"default_credit_policy": "x"}, "LRS_DEFAULT_CREDIT_POLICY", "unknown credit policy"),
        ({"credit_policy_assignments": "fj=nope"}, "LRS_CREDIT_POLICIES", "'nope'"),
        ({"credit_policy_assignments": "fj"}, "LRS_CREDIT_POLICIES", "is not usable"),
    ],
)
def test_start_up_check_names_the_setting_the_app_cannot_start_with(changes, variable, words):
    with pytest.raises(SettingsError) as caught:
        check_settings(Settings(**changes))
    assert caught.value.variable == variable
    assert str(caught.value).startswith(variable + " ")
    assert words in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_profile_that_cannot_load_is_named_on_one_line(tmp_path):
    (tmp_path / "broken.jsonld").write_text('{"id": "not a profile"}', encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        check_settings(Settings(profiles_dir=str(tmp_path)))
    assert caught.value.variable == "LRS_PROFILES_DIR"
    assert "broken.jsonld" in str(caught.value) and "\n" not in str(caught.value)


def test_the_shipped_settings_pass_the_start_up_check():
    check_settings(Settings())
    check_settings(Settings(profiles_dir="", credit_policy_assignments="fj=fujian-2017"))


@pytest.mark.parametrize(
    ("changes", "variable", "words"),
    [
        ({"database_url": "ftp://nowhere"}, "LRS_DATABASE_URL", "unsupported"),
        ({"database_url": "sqlite:///"}, "LRS_DATABASE_URL", "needs a file path"),
        ({"identity_secret": "short"}, "LRS_IDENTITY_SECRET", "must be at least 16"),
        ({"data_dir": Path("/proc/no/such")}, "LRS_DATA_DIR", "is not usable"),
    ],
)
def test_the_store_and_the_secret_are_checked_before_forking(tmp_path, changes, variable, words):
    settings = Settings(**{"data_dir": tmp_path, **changes})
    with pytest.raises(SettingsError) as caught:
        prepare_store(settings)
    assert caught.value.variable == variable and words in str(caught.value)


def test_a_first_start_creates_the_store_and_the_secret(tmp_path):
    prepare_store(Settings(data_dir=tmp_path / "new"))
    assert (tmp_path / "new" / "lrs.sqlite3").is_file()
    assert (tmp_path / "new" / "identity-secret").is_file()
