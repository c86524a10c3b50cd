"""The dead-letter reads HTTP, the console and `lrs gateway` share
(lrs.domain.gateway.dead_letters), on the store the suite selects (LRS_TEST_STORE)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lrs.domain.errors import NotFound, ValidationError
from lrs.domain.gateway import dead_letters as letters
from lrs.storage.port import DeadLetter


@pytest.fixture
def filled(store):
    with store.transaction() as uow:
        for job, item, org in [("fz-pull", "s1", "fj/fz"), ("fz-pull", "s2", "fj/fz"),
                               ("xm-pull", "s3", "fj/xm"), ("root-pull", "s4", "")]:
            uow.gateway.put_dead_letter(DeadLetter(f"{job}-{item}", job, item, "refused", {}, org))
        uow.gateway.set_dead_letter_status("fz-pull-s2", "resolved")
    return store


def ids(found: list[DeadLetter]) -> list[str]:
    return [d.id for d in found]


def test_status_all_means_any_status(filled):
    assert ids(letters.list_dead_letters(filled, job="fz-pull")) == ["fz-pull-s1"]
    assert ids(letters.list_dead_letters(filled, job="fz-pull", status="resolved")) == [
        "fz-pull-s2"]
    assert ids(letters.list_dead_letters(filled, job="fz-pull", status="all")) == [
        "fz-pull-s1", "fz-pull-s2"]


def test_an_unknown_status_is_refused_naming_the_field(filled):
    with pytest.raises(ValidationError) as caught:
        letters.list_dead_letters(filled, status="discarded")
    assert caught.value.path == "status"


def test_reads_are_scoped_to_an_org_subtree(filled):
    assert ids(letters.list_dead_letters(filled, org_scope="fj/xm")) == ["xm-pull-s3"]
    assert len(letters.list_dead_letters(filled)) == 3  # the root sees every open letter
    assert letters.get_dead_letter(filled, "xm-pull-s3", "fj").org == "fj/xm"
    # Out of scope reads like absent: an id says nothing about other orgs' letters.
    for letter_id in ("xm-pull-s3", "nope"):
        with pytest.raises(NotFound, match=f"no dead letter {letter_id}"):
            letters.get_dead_letter(filled, letter_id, "fj/fz")


def test_letters_to_retry_named_first_then_the_jobs_open_ones(filled):
    found = letters.letters_to_retry(filled, ["root-pull-s4"], job="fz-pull")
    assert ids(found) == ["root-pull-s4", "fz-pull-s1"]
    with pytest.raises(NotFound, match="no dead letter nope"):
        letters.letters_to_retry(filled, ["fz-pull-s1", "nope"])


def test_letter_view_leaves_the_payload_in_the_store():
    stamp = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
    letter = DeadLetter("l1", "job", "s1", "why", {"statement": {}}, "fj", "open", 2,
                        stamp, None)
    assert letters.letter_view(letter, datetime.isoformat) == {
        "id": "l1", "job": "job", "item": "s1", "reason": "why", "status": "open",
        "attempts": 2, "org": "fj", "created": "2026-03-01T08:30:00+00:00", "updated": None}
