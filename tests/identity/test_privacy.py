"""§6.1.3 / §9.2.3: agreed identifiers hashed with a secret, masked for display, never logged."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat

import pytest

from lrs.config import Settings
from lrs.domain.identity.keys import (
    IdentityKeys,
    IdentitySecretError,
    load_identity_keys,
    mask_id,
    mask_name,
    normalize_agreed_id,
)
from tests.identity.conftest import KEYS, SECRET, account, learned

ID_NUMBER = "350102199001011234"


def test_masking():
    assert mask_id(ID_NUMBER) == "350102********1234"
    assert mask_id("FJ-350100-2019-004217") == "FJ-350***********4217"
    assert mask_id("zs00123") == "ZS***23"
    assert mask_id("ab") == "A*"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("Li Ming") == "L* ****"
    assert mask_name("") == ""


def test_keys_are_keyed_stable_and_normalised():
    key = KEYS.key("35010219900101123x")
    assert key == KEYS.key(" ３５０１０２１９９００１０１１２３Ｘ ")
    assert key == KEYS.key("350102 19900101 123X")
    assert len(key) == 64 and key != KEYS.key("350102199001011235")
    assert IdentityKeys(b"another-secret-of-enough-length").key("35010219900101123X") != key
    assert normalize_agreed_id("fj-001") == "FJ-001"
    assert SECRET not in repr(KEYS) and SECRET not in repr(Settings(identity_secret=SECRET))


def test_secret_setting(tmp_path):
    with pytest.raises(IdentitySecretError, match="at least 16"):
        load_identity_keys("short", tmp_path, "sqlite:///x")
    with pytest.raises(IdentitySecretError, match="required with a shared database"):
        load_identity_keys("", tmp_path, "mongodb://db/lrs")
    chosen = load_identity_keys(SECRET, tmp_path, "mongodb://db/lrs")
    assert chosen.key("X") == KEYS.key("X")


def test_a_generated_secret_is_persisted_privately_with_a_warning(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        first = load_identity_keys("", tmp_path, "sqlite:///x")
    assert "generated a new identity secret" in caplog.text
    path = tmp_path / "identity-secret"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert path.read_text().strip() not in caplog.text
    second = load_identity_keys("", tmp_path, "sqlite:///x")
    assert first.key(ID_NUMBER) == second.key(ID_NUMBER)
    assert [p.name for p in tmp_path.iterdir()] == ["identity-secret"]


def test_the_identifier_is_neither_stored_in_the_registry_nor_logged(client, store, caplog):
    with caplog.at_level(logging.DEBUG):
        admin = client("all")
        admin.upsert(agreed_id=ID_NUMBER, name="张三", unit="fj/fz/U1")
        admin.post("/xapi/trainees/lookup", {"agreed_id": ID_NUMBER})
        client("statements/write").send(learned(account("https://a.cn", "zs"), ID_NUMBER, "U1"))
        client("statements/write").send(learned(account("https://a.cn", "zs"), "9" + ID_NUMBER))
        response = admin.post("/xapi/trainees", {"agreed_id": ID_NUMBER, "unit": "fj/x/U2"})
        assert response.status_code == 400  # a transfer without a date
    assert ID_NUMBER not in caplog.text
    assert ID_NUMBER not in response.get_data(as_text=True)
    if not hasattr(store, "path"):
        return
    conn = sqlite3.connect(store.path)
    for table in ("trainees", "trainee_memberships", "trainee_links", "identity_conflicts"):
        dump = repr(conn.execute(f"SELECT * FROM {table}").fetchall())
        assert ID_NUMBER not in dump, table
    (masked,) = conn.execute("SELECT masked_id FROM trainees WHERE key = ?", (KEYS.key(ID_NUMBER),))
    assert masked == ("350102********1234",)
    conn.close()


def test_the_app_refuses_to_start_without_a_secret_on_a_shared_database(tmp_path, store):
    from lrs.app import create_app

    settings = Settings(data_dir=tmp_path, database_url="mongodb://db.example/lrs")
    with pytest.raises(IdentitySecretError):
        create_app(settings, store=store)
