"""A source LRS may write ``stored`` with another precision or offset than ours: the
pull's checkpoint compares them as instants, not as text."""

from adapters.pull import _latest, _when


def test_latest_compares_instants_not_text():
    # As text "…10:00:00+08:00" sorts after "…03:00:00.5Z", but it is earlier.
    stamps = ["2026-03-01T10:00:00+08:00", "2026-03-01T03:00:00.5Z", None]
    assert _latest(stamps) == "2026-03-01T03:00:00.5Z"


def test_precision_does_not_decide_the_order():
    assert _when("2026-03-01T03:00:00.123456Z") > _when("2026-03-01T03:00:00.12Z")
    assert _latest(["2026-03-01T03:00:00Z", "2026-03-01T03:00:00.000001Z"]) == (
        "2026-03-01T03:00:00.000001Z")


def test_nothing_seen_is_none_and_garbage_sorts_first():
    assert _latest([None, ""]) is None
    assert _latest(["not a time", "2026-01-01T00:00:00Z"]) == "2026-01-01T00:00:00Z"
