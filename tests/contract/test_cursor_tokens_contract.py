"""Server-side `more` cursors (lrs.storage.port.cursor_tokens): alike on every adapter."""

from __future__ import annotations

import time

import pytest

from lrs.storage.port.cursor_tokens import cursor_tokens_for


def test_a_token_reads_back_for_its_owner_only(store):
    tokens = cursor_tokens_for(store)
    now = time.time()
    tokens.put("t1", "key-a", '{"agent":"x"}', now + 60, now)
    assert tokens.get("t1", "key-a", now) == '{"agent":"x"}'
    assert tokens.get("t1", "key-b", now) is None  # another credential: as if unknown
    assert tokens.get("t2", "key-a", now) is None


def test_an_expired_token_is_gone_before_it_is_purged(store):
    tokens = cursor_tokens_for(store)
    now = time.time()
    tokens.put("old", "key", "{}", now + 10, now)
    assert tokens.get("old", "key", now + 10) == "{}"  # valid up to its expiry
    assert tokens.get("old", "key", now + 11) is None


def test_purge_and_writes_drop_only_expired_tokens(store):
    tokens = cursor_tokens_for(store)
    now = time.time()
    tokens.put("a", "key", "{}", now + 1, now)
    tokens.put("b", "key", "{}", now + 100, now)
    assert tokens.purge(now + 50) == 1
    assert tokens.get("b", "key", now + 50) == "{}"
    tokens.put("c", "key", "{}", now + 300, now)
    # A write past b's expiry takes b with it: no purge job is needed.
    tokens.put("d", "key", "{}", now + 400, now + 200)
    assert tokens.get("b", "key", now) is None
    assert tokens.purge(now + 200) == 0
    assert tokens.get("c", "key", now + 200) == "{}"
    assert tokens.get("d", "key", now + 200) == "{}"


def test_a_token_is_written_once(store):
    tokens = cursor_tokens_for(store)
    now = time.time()
    tokens.put("same", "key-a", "{}", now + 60, now)
    with pytest.raises(Exception):  # noqa: B017 - each adapter's own duplicate-key error
        tokens.put("same", "key-b", '{"other":1}', now + 60, now)
    assert tokens.get("same", "key-a", now) == "{}"
