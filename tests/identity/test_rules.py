"""The pure rules: membership dates, the day a statement was earned, roles and scopes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from lrs.domain.errors import Conflict, ValidationError
from lrs.domain.identity.membership import set_joined, statement_day, transfer, unit_at
from lrs.domain.identity.roles import (
    FORMER,
    FULL,
    LINKED,
    NONE,
    Reader,
    access,
    common_org,
    credential_settings,
    in_scope,
    reader_for,
)
from lrs.domain.identity.vocabulary import unit_code_of
from lrs.storage.port import AccountLink, Credential, Membership, Trainee

NOW = datetime(2026, 9, 1, tzinfo=UTC)
HISTORY = [
    Membership("fj/fz/A", date(2026, 1, 1), date(2026, 7, 1)),
    Membership("fj/xm/B", date(2026, 7, 1), None),
]


def test_unit_at_uses_half_open_intervals():
    assert unit_at(HISTORY, date(2025, 12, 31)) is None
    assert unit_at(HISTORY, date(2026, 1, 1)) == "fj/fz/A"
    assert unit_at(HISTORY, date(2026, 6, 30)) == "fj/fz/A"
    assert unit_at(HISTORY, date(2026, 7, 1)) == "fj/xm/B"
    assert unit_at([Membership("fj/fz/A")], date(1990, 1, 1)) == "fj/fz/A"


def test_statement_day_is_the_china_calendar_day_of_the_timestamp():
    assert statement_day({"timestamp": "2026-06-30T16:30:00Z"}, NOW) == date(2026, 7, 1)
    assert statement_day({"timestamp": "2026-06-30T23:59:59+08:00"}, NOW) == date(2026, 6, 30)
    assert statement_day({"timestamp": "2026-06-30T12:00:00"}, NOW) == date(2026, 6, 30)
    assert statement_day({"timestamp": "garbage"}, NOW) == date(2026, 9, 1)
    assert statement_day({}, NOW) == date(2026, 9, 1)


def test_transfer_and_joined_corrections():
    start = [Membership("fj/fz/A", date(2026, 1, 1))]
    moved = transfer(start, "fj/xm/B", date(2026, 7, 1), "api")
    assert moved == [
        Membership("fj/fz/A", date(2026, 1, 1), date(2026, 7, 1)),
        Membership("fj/xm/B", date(2026, 7, 1), None, "api"),
    ]
    with pytest.raises(Conflict):
        transfer(moved, "fj/xm/B", date(2026, 8, 1), "api")
    with pytest.raises(Conflict):
        transfer(moved, "fj/fz/A", date(2026, 7, 1), "api")
    assert transfer([], "fj/fz/A", date(2026, 1, 1), "api") == [
        Membership("fj/fz/A", date(2026, 1, 1), None, "api")
    ]
    assert set_joined(moved, date(2026, 7, 15), "api")[-1].joined == date(2026, 7, 15)
    with pytest.raises(Conflict):
        set_joined(moved, date(2026, 6, 1), "api")


def test_scopes_and_common_org():
    assert in_scope("fj/fz", "fj") and in_scope("fj", "fj") and in_scope("x", "")
    assert not in_scope("fjx", "fj") and not in_scope("fj", "fj/fz")
    assert common_org(["fj/fz/A", "fj/xm/B"]) == "fj"
    assert common_org(["fj/fz/A", "fj/fz/A"]) == "fj/fz/A"
    assert common_org(["fj/fz/A", ""]) == "fj/fz/A"
    assert common_org(["fj/fz", "hn"]) == ""
    assert unit_code_of("fj/fz/11350100MB0B23456K") == "11350100MB0B23456K"


def credential(scopes=("all",), org="", **settings):
    return Credential("k", "", "n", scopes, org=org, settings=settings)


def test_reader_for_credentials():
    assert reader_for(credential()) == Reader("admin", "", None, "k")
    assert reader_for(credential(("statements/write",), "fj")).role == "institution"
    unit = reader_for(credential(org="fj", role="unit", unit="fj/fz/A"))
    assert (unit.role, unit.scope) == ("unit", "fj/fz/A")
    assert reader_for(credential(org="fj", role="department")).scope == "fj"
    odd = reader_for(credential(role="superuser"))
    assert (odd.role, odd.trainee_key) == ("trainee", None)  # fails closed


def test_access_levels():
    trainee = Trainee("t" * 64, "m", unit="fj/xm/B")
    link = AccountLink("mbox:x", trainee.key, {}, "statement", org="pl/a")
    assert access(Reader("unit", "fj/xm/B"), trainee, HISTORY) == FULL
    assert access(Reader("unit", "fj/fz/A"), trainee, HISTORY) == FORMER
    assert access(Reader("department", "fj"), trainee, HISTORY) == FULL
    assert access(Reader("department", "hn"), trainee, HISTORY) == NONE
    assert access(Reader("admin", ""), trainee, HISTORY) == FULL
    assert access(Reader("institution", "pl"), trainee, HISTORY, [link]) == LINKED
    assert access(Reader("institution", "pl/b"), trainee, HISTORY, [link]) == NONE
    assert access(Reader("trainee", "", trainee.key), trainee, HISTORY) == FULL
    assert access(Reader("trainee", "", "u" * 64), trainee, HISTORY) == NONE
    provisional = Trainee("p" * 64, "m", provisional=True)
    assert access(Reader("department", "fj"), provisional, []) == NONE
    assert access(Reader("admin", ""), provisional, []) == FULL


def test_credential_settings():
    assert credential_settings(None) == {}
    unit = credential_settings("unit", "fj/fz/A", None, "fj")
    assert unit == {"role": "unit", "unit": "fj/fz/A"}
    trainee = credential_settings("trainee", None, "a" * 64)
    assert trainee == {"role": "trainee", "trainee": "a" * 64}
    for bad in (
        ("chief", None, None, ""),
        ("unit", None, None, ""),
        ("unit", "hn/x", None, "fj"),
        ("unit", "fj//x", None, ""),
        ("institution", "fj/x", None, ""),
        ("admin", None, "a" * 64, ""),
        ("trainee", None, "FJ-001", ""),
    ):
        with pytest.raises(ValidationError):
            credential_settings(*bad)
