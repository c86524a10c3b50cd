"""Store queries behind the console's institution page, on every adapter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lrs.storage.port import ArchiveRow, Violation

T1 = "a" * 64
T2 = "b" * 64
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def row(trainee: str, activity: str, org: str, period: str = "2024") -> ArchiveRow:
    return ArchiveRow("course", trainee, period, activity, "fj/fz/u1", "inst", org, {"n": 1})


def test_rows_by_org_is_the_org_subtree_in_key_order(store):
    with store.transaction() as uow:
        uow.archive.save_row(row(T2, "http://x/c/1", "plat/a"))
        uow.archive.save_row(row(T1, "http://x/c/2", "plat"))
        uow.archive.save_row(row(T1, "http://x/c/3", "plata"))  # a sibling, not below
        uow.archive.save_row(row(T1, "http://x/c/4", "other"))
        uow.archive.save_row(row(T1, "http://x/c/5", "plat", period="2023"))
        # The transaction sees its own writes.
        assert len(uow.archive.rows_by_org("plat", "2024")) == 2
    with store.read() as uow:
        got = uow.archive.rows_by_org("plat", "2024")
        assert [(r.trainee_key, r.activity_id) for r in got] == [
            (T1, "http://x/c/2"), (T2, "http://x/c/1")]
        assert len(uow.archive.rows_by_org("", "2024")) == 4
        first = uow.archive.rows_by_org("plat", "2024", limit=1)
        last = first[0]
        rest = uow.archive.rows_by_org(
            "plat", "2024", (last.trainee_key, last.kind, last.period_key, last.activity_id))
        assert [r.activity_id for r in first + rest] == ["http://x/c/2", "http://x/c/1"]
        assert uow.archive.rows_by_org("plat", "2025") == []


def test_recent_violations_newest_first_within_the_org(store):
    made = [
        Violation(f"s{i}", "prof", "tmpl", "rules[0]", "missing", "$.result", None, org,
                  T0 + timedelta(seconds=i))
        for i, org in enumerate(["plat", "plat/a", "plata", "plat"])
    ]
    with store.transaction() as uow:
        uow.violations.add(made[:2])
    with store.transaction() as uow:
        uow.violations.add(made[2:])
        assert [v.statement_id for v in uow.violations.recent("plat")] == ["s3", "s1", "s0"]
    with store.read() as uow:
        assert [v.statement_id for v in uow.violations.recent("plat")] == ["s3", "s1", "s0"]
        assert [v.statement_id for v in uow.violations.recent("plat", limit=2)] == ["s3", "s1"]
        assert len(uow.violations.recent()) == 4
        assert uow.violations.recent("plat/a") == [made[1]]
