"""The per-unit aggregates the projector keeps (lrs.domain.archive.aggregates): after any mix
of statements, voids, account releases and transfers, (1) a summary read from them equals
the summary added up from every trainee's rows, and (2) rebuilding them from scratch gives
exactly what the increments gave."""

from __future__ import annotations

import json
import random
import shutil
from datetime import date
from pathlib import Path

import pytest

from lrs.app import create_app
from lrs.config import Settings
from lrs.domain.archive import aggregates
from lrs.domain.archive.policy_book import resolve_period
from lrs.domain.archive.reports.scope import UnitPolicies
from lrs.domain.archive.reports.summary_rows import summary_from_rows
from lrs.domain.archive.summary import aggregate_summary
from lrs.services import services
from tests.archive.conftest import HOME_A, HOME_B, build, key_of
from tests.identity.conftest import SECRET, account, agent_param

UNITS = [
    "fj/fz/11350100MB0B23456K",
    "fj/fz/11350100MB0D45678Q",
    "fj/xm/11350200MB0X00001A",
    "hn/cs/12430100MB1234567X",
]
ORGS = ["", "fj", "fj/fz", "fj/xm", "hn", *UNITS]
PERIODS = ["2024", "2025"]
TODAY = date(2025, 12, 31)


@pytest.fixture
def app(store, tmp_path):
    """The default policy with small targets, so "targets met" varies between trainees."""
    policies = tmp_path / "policies"
    shutil.copytree(Path(__file__).resolve().parents[2] / "profiles/credit-policies", policies)
    default = policies / "gbt38856-default.json"
    data = json.loads(default.read_text(encoding="utf-8"))
    data["targets"].update(total=2, required=1)
    default.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    settings = Settings(data_dir=tmp_path, max_page_size=50, identity_secret=SECRET,
                        archive_projector="off", credit_policies_dir=str(policies))
    return create_app(settings, store=store)


def _agreed(n: int) -> str:
    return f"FJ-350100-2019-{n:06d}"


def _register(admin, n: int, unit: str) -> None:
    admin.upsert(agreed_id=_agreed(n), name=f"学员{n}", unit=unit, joined="2020-01-01",
                 accounts=[account(HOME_A, f"a-{n}"), account(HOME_B, f"b-{n}")])


def _course(rng: random.Random, n: int, home: str) -> dict:
    year = rng.choice(PERIODS)
    kind = rng.choice(["course-completed", "course-completed", "course-launched"])
    return build(
        kind, agreed_id=_agreed(n), account=(home, f"{'a' if home == HOME_A else 'b'}-{n}"),
        course=f"C{rng.randrange(6)}", duration=rng.choice([28, 45, 90]), assessment=False,
        requirement=rng.choice(["required", "elective"]),
        when=f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 28):02d}T10:00:00+08:00",
    )


def _void(statement_id: str) -> dict:
    return {
        "actor": {"objectType": "Agent", "account": {"homePage": HOME_A, "name": "admin"}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
        "object": {"objectType": "StatementRef", "id": statement_id},
    }


def _both_summaries(store, book, org: str, period: str) -> tuple[dict, dict]:
    policy, resolved = resolve_period(book, org, period, TODAY)
    policies = UnitPolicies(book, resolved.key, TODAY, policy)
    with store.read() as uow:
        assert aggregates.ready(uow)
        return (aggregate_summary(uow, org, resolved.key, policies),
                summary_from_rows(uow, org, resolved.key, policies))


def _snapshot(store) -> dict:
    """Every aggregate and contribution, zero cells left out (increments leave them)."""
    with store.read() as uow:
        agg = uow.aggregates
        return {
            "members": agg.members_in(""),
            **{f"totals {p}": sorted((t.unit, t.institution, sorted(t.values.items()))
                                     for t in agg.totals_in("", p) if any(t.values.values()))
               for p in PERIODS},
            **{f"counts {p}": sorted((c.unit, sorted(c.values.items()))
                                     for c in agg.counts_in("", p) if any(c.values.values()))
               for p in PERIODS},
            **{f"spread {p}": agg.spread_in("", p) for p in PERIODS},
            "contributions": {n: agg.contributions(key_of(_agreed(n))) for n in range(12)},
        }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_history_summaries_match_rows_and_rebuild_matches_increments(
    seed, admin, drain, store, app
):
    rng = random.Random(seed)
    where = {n: rng.choice(UNITS) for n in range(12)}
    for n, unit in where.items():
        _register(admin, n, unit)
    sent: list[dict] = []
    released: set[int] = set()
    for _ in range(60):
        roll = rng.random()
        n = rng.randrange(12)
        if roll < 0.6:
            home = HOME_B if rng.random() < 0.3 and n not in released else HOME_A
            batch = [_course(rng, n, home) for _ in range(rng.randrange(1, 4))]
            admin.send(*batch)
            sent += batch
        elif roll < 0.72 and sent:
            admin.send(_void(rng.choice(sent)["id"]))
        elif roll < 0.85:
            unit = rng.choice([u for u in UNITS if u != where[n]])
            res = admin.post(f"/xapi/trainees/{key_of(_agreed(n))}/transfers",
                             {"unit": unit, "date": f"2024-{rng.randrange(1, 13):02d}-01"})
            if res.status_code == 200:
                where[n] = unit
        elif roll < 0.92 and n not in released:
            agent = agent_param(account(HOME_B, f"b-{n}"))
            res = admin.delete(f"/xapi/trainees/{key_of(_agreed(n))}/accounts?agent={agent}")
            assert res.status_code == 204, res.get_json()
            released.add(n)
        if rng.random() < 0.25:
            drain()  # increments land across many batches, not one
    drain()
    book = services(app).archive.book
    met = 0
    for org in ORGS:
        for period in PERIODS:
            from_aggregates, from_rows = _both_summaries(store, book, org, period)
            assert from_aggregates == from_rows, (org, period)
            met += from_rows["overall"]["targetsMet"] if org == "" else 0
    assert met > 0  # the targets are met by some, not all
    assert met < 24
    incremental = _snapshot(store)
    assert incremental["members"] == {u: n for u in UNITS
                                      if (n := sum(1 for w in where.values() if w == u))}
    aggregates.rebuild(store, book, TODAY)
    assert _snapshot(store) == incremental


def test_a_transfer_moves_the_trainee_not_the_old_units_earned_totals(admin, drain, store, app):
    old, new = UNITS[0], UNITS[2]
    _register(admin, 1, old)
    admin.send(build("course-completed", agreed_id=_agreed(1), account=(HOME_A, "a-1"),
                     course="T1", duration=45, assessment=False, requirement="required",
                     when="2024-03-01T10:00:00+08:00"))
    drain()
    res = admin.post(f"/xapi/trainees/{key_of(_agreed(1))}/transfers",
                     {"unit": new, "date": "2024-07-01"})
    assert res.status_code == 200
    admin.send(build("course-completed", agreed_id=_agreed(1), account=(HOME_A, "a-1"),
                     course="T2", duration=45, assessment=False, requirement="required",
                     when="2024-09-01T10:00:00+08:00"))
    drain()
    summary = admin.get("/xapi/archives/summary?org=fj&period=2024").get_json()
    children = {c["org"]: c for c in summary["children"]}
    # Earned where earned: 1 credit-hour each side; the trainee now counts in Xiamen only.
    assert children["fj/fz"]["creditHours"]["total"] == "1"
    assert children["fj/xm"]["creditHours"]["total"] == "1"
    assert children["fj/fz"]["trainees"] == 0 and children["fj/xm"]["trainees"] == 1
    assert children["fj/fz"]["traineesWithRecords"] == 1
    assert children["fj/xm"]["traineesWithRecords"] == 1
    assert summary["overall"]["traineesWithRecords"] == 1  # one trainee, two units
    assert summary["overall"]["creditHours"]["total"] == "2"
    with store.read() as uow:
        assert uow.aggregates.spread_in("fj", "2024") == {key_of(_agreed(1)): [old, new]}


def test_a_store_without_aggregates_is_summarised_from_rows_until_rebuilt(
    admin, drain, store, app
):
    _register(admin, 1, UNITS[0])
    admin.send(build("course-completed", agreed_id=_agreed(1), account=(HOME_A, "a-1"),
                     course="S1", duration=45, assessment=False, requirement="required",
                     when="2024-03-01T10:00:00+08:00"))
    drain()
    before = admin.get("/xapi/archives/summary?period=2024").get_json()
    # As a store projected by a version without aggregates: none kept, no marker.
    with store.transaction() as uow:
        uow.aggregates.clear()
        uow.archive.set_meta(aggregates.META, {})
    unbuilt = admin.get("/xapi/archives/summary?period=2024").get_json()
    assert unbuilt["overall"] == before["overall"] and unbuilt["children"] == before["children"]
    book = services(app).archive.book
    assert aggregates.rebuild(store, book, TODAY) == 1
    after = admin.get("/xapi/archives/summary?period=2024").get_json()
    assert after["overall"] == before["overall"] and after["children"] == before["children"]


def test_a_rebuild_page_by_page_beside_the_projector_counts_everyone_once(
    admin, drain, store, app, monkeypatch
):
    """The projector runs between the rebuild's pages (statements, a transfer, a new
    trainee): what it counted and what the pages count add up to one rebuild's result."""
    rng = random.Random(7)
    for n in range(10):
        _register(admin, n, UNITS[n % len(UNITS)])
        admin.send(*[_course(rng, n, HOME_A) for _ in range(2)])
    drain()
    book = services(app).archive.book
    monkeypatch.setattr(aggregates, "PAGE", 3)
    seen_during: list[bool] = []

    def between_pages(counted: int) -> None:
        with store.read() as uow:
            seen_during.append(aggregates.ready(uow))
        if len(seen_during) == 1:  # trainees on pages done and pages to come
            admin.send(*[_course(rng, n, HOME_A) for n in (0, 1, 8, 9)])
            res = admin.post(f"/xapi/trainees/{key_of(_agreed(9))}/transfers",
                             {"unit": UNITS[2], "date": "2024-05-01"})
            assert res.status_code == 200
            _register(admin, 11, UNITS[3])
            admin.send(_course(rng, 11, HOME_A))
            drain()
            during = admin.get("/xapi/archives/summary?period=2024").get_json()
            assert during["overall"]["trainees"] == 11  # read from the rows meanwhile

    assert aggregates.rebuild(store, book, TODAY, progress=between_pages) >= 10
    assert seen_during and not any(seen_during)
    interleaved = _snapshot(store)
    for org in ORGS:
        for period in PERIODS:
            from_aggregates, from_rows = _both_summaries(store, book, org, period)
            assert from_aggregates == from_rows, (org, period)
    assert aggregates.rebuild(store, book, TODAY) == 11
    assert _snapshot(store) == interleaved
