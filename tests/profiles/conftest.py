"""Fixtures for xAPI Profile tests: the published fixture profiles, apps and clients."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from lrs.app import create_app
from lrs.config import Settings
from lrs.domain.credentials import create_credential
from lrs.domain.profiles.registry import ProfileRegistry, read_document
from lrs.storage.sqlite.store import SqliteStore
from tests.http.conftest import Client, basic

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "profiles"
FIXTURE_PROFILES = FIXTURES / "profiles"
FIXTURE_STATEMENTS = FIXTURES / "statements"
CADRE_DIR = REPO / "profiles" / "cadre-training"

FLASHCARDS = "https://w3id.org/xapi/flashcards"
VIDEO = "https://w3id.org/xapi/video"
CALIBRATION = "https://xapinet.org/xapi/yet/calibration"


def fixture_document(name: str) -> dict:
    return read_document(FIXTURE_PROFILES / name)


def fixture_statements(name: str):
    return json.loads((FIXTURE_STATEMENTS / name).read_text("utf-8"))


@pytest.fixture(scope="session")
def fixture_registry() -> ProfileRegistry:
    return ProfileRegistry.from_dir(FIXTURE_PROFILES)


class ProfileClient(Client):
    """A client whose credential carries a profile policy (and optionally a mode)."""

    def __init__(self, app, store, policy=None, mode=None, org="", version="2.0.0", scopes="all"):
        settings = {}
        if policy:
            settings["profile_policy"] = policy
        if mode:
            settings["profile_mode"] = mode
        self.app = app
        self.http = app.test_client()
        self.version = version
        credential, secret = create_credential(
            store, f"p-{uuid.uuid4().hex[:6]}", scopes, org=org, settings=settings
        )
        self.credential = credential
        self.auth = basic(credential.key, secret)

    def statements(self, body):
        return self.post("/xapi/statements", json=body)

    def violations(self, **params):
        res = self.get("/xapi/profiles/violations", query_string=params)
        assert res.status_code == 200, res.get_json()
        return res.get_json()


@pytest.fixture
def store(tmp_path):
    store = SqliteStore(tmp_path / "lrs.sqlite3")
    yield store
    store.close()


def _app(store, tmp_path, profiles_dir, **settings):
    return create_app(
        Settings(data_dir=tmp_path, profiles_dir=str(profiles_dir), **settings), store=store
    )


@pytest.fixture
def fixture_app(store, tmp_path):
    """An LRS with the three published fixture profiles loaded."""
    return _app(store, tmp_path, FIXTURE_PROFILES)


@pytest.fixture
def make_fixture_app(store, tmp_path):
    def make(**settings):
        return _app(store, tmp_path, FIXTURE_PROFILES, **settings)

    return make


@pytest.fixture
def cadre_app(store, tmp_path):
    """An LRS as deployed: the repository's profiles/ directory."""
    return _app(store, tmp_path, REPO / "profiles")


@pytest.fixture
def client_for(store):
    def make(app, policy=None, **kw):
        return ProfileClient(app, store, policy=policy, **kw)

    return make


def new_id() -> str:
    return str(uuid.uuid4())
