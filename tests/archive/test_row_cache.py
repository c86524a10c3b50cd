"""The projector's row cache: the rows it hands the aggregates' settle step are the rows
the table holds once the batch is flushed (on both adapters, through the ``store``
fixture), and only when it read every row the pair had, so settling from the cache
equals settling from the table."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from lrs.domain.archive.row_cache import RowCache
from lrs.storage.port import ArchiveRow

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
TRAINEES = ["t1", "t2", "t3"]
PERIODS = ["2025", "2026"]
ACTIVITIES = [f"http://example.com/course/{n}" for n in range(5)]


def row(trainee: str, period: str, activity: str, n: int, kind: str = "course") -> ArchiveRow:
    return ArchiveRow(kind, trainee, period, activity, "fj/fz/u1", "inst", "fj",
                      {"n": n}, NOW)


def table(uow, trainee: str, period: str) -> list[ArchiveRow]:
    return uow.archive.rows_for_trainee(trainee, period)


def seed_rows(store) -> None:
    with store.transaction() as uow:
        for trainee in TRAINEES:
            for period in PERIODS:
                for activity in ACTIVITIES[:3]:
                    uow.archive.save_row(row(trainee, period, activity, 0))


def test_a_pair_is_known_only_once_every_stored_row_was_read(store):
    seed_rows(store)
    with store.transaction() as uow:
        cache = RowCache(uow, NOW)
        assert cache.get("course", "t1", "2026", ACTIVITIES[0]) is not None
        assert cache.get("course", "t1", "2026", ACTIVITIES[4]) is None  # no such row
        assert cache.get("course", "t1", "2026", ACTIVITIES[1]) is not None
        assert cache.rows_of("t1", "2026", 3) is None  # one of its three rows unread
        assert cache.get("course", "t1", "2026", ACTIVITIES[2]) is not None
        assert [r.activity_id for r in cache.rows_of("t1", "2026", 3)] == ACTIVITIES[:3]
        assert cache.rows_of("t1", "2026", 4) is None  # the stored count disagrees
        assert cache.rows_of("t2", "2026", 3) is None
        assert cache.rows_of("t9", "2026", 0) == []  # a pair without rows: nothing to read


def test_random_changes_leave_the_cache_agreeing_with_the_flushed_table(store):
    seed_rows(store)
    rng = random.Random(7)
    with store.transaction() as uow:
        before = {(t, p): len(table(uow, t, p)) for t in TRAINEES for p in PERIODS}
        cache = RowCache(uow, NOW)
        for step in range(20):
            trainee, period = rng.choice(TRAINEES), rng.choice(PERIODS)
            activity = rng.choice(ACTIVITIES)
            action = rng.random()
            if action < 0.45:
                found = cache.get("course", trainee, period, activity)
                cache.save(found or row(trainee, period, activity, 0), {"n": step})
            elif action < 0.6:
                if cache.get("course", trainee, period, activity) is not None:
                    cache.drop("course", trainee, period, activity)
            elif action < 0.7:
                # A crediting statement reads a trainee's rows of an activity in every
                # period from the table (flushing first).
                cache.for_activity(trainee, activity)
            else:
                cache.get("course", trainee, period, activity)
        cache.flush()
        partial = 0
        for pair, count in before.items():
            held = cache.rows_of(*pair, count)
            if held is None:
                partial += 1
            else:
                assert held == table(uow, *pair), pair
        assert partial  # some pairs had rows left unread: the settle step reads those
        for trainee, period in before:  # now read every row of every pair
            for activity in ACTIVITIES:
                cache.get("course", trainee, period, activity)
        for pair, count in before.items():
            assert cache.rows_of(*pair, count) == table(uow, *pair), pair
        assert cache.touched
