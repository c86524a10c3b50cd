"""Listing and revoking credentials within an org subtree (lrs.domain.credentials), as
``lrs credentials list/revoke`` (the root) and the console's admin page (its org) do."""

from __future__ import annotations

import pytest

from lrs.domain.credentials import create_credential, list_credentials, revoke_credential


@pytest.fixture
def keys(store):
    for org in ("", "fj", "fj/fz", "fjx"):  # fjx: a sibling whose name starts like fj
        create_credential(store, f"platform {org or 'root'}", "statements/write", org=org,
                          key=f"key-{org or 'root'}")
    return store


def test_the_root_lists_every_credential(keys):
    assert sorted(c.key for c in list_credentials(keys)) == [
        "key-fj", "key-fj/fz", "key-fjx", "key-root"]


def test_an_org_lists_its_subtree_only(keys):
    assert sorted(c.key for c in list_credentials(keys, "fj")) == ["key-fj", "key-fj/fz"]
    assert [c.key for c in list_credentials(keys, "fj/fz")] == ["key-fj/fz"]


def test_revoking_outside_the_scope_is_as_absent_and_changes_nothing(keys):
    assert revoke_credential(keys, "key-fjx", "fj") is False
    assert revoke_credential(keys, "nope", "fj") is False
    assert not next(c for c in list_credentials(keys) if c.key == "key-fjx").revoked


def test_revoking_within_the_scope(keys):
    assert revoke_credential(keys, "key-fj/fz", "fj") is True
    assert revoke_credential(keys, "key-root") is True
    revoked = {c.key for c in list_credentials(keys) if c.revoked}
    assert revoked == {"key-fj/fz", "key-root"}
