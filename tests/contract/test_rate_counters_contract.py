"""Rate-limit counters (lrs.storage.port.rate_counters): the same behaviour on every adapter."""

from __future__ import annotations

import threading
import time

from lrs.storage.port.rate_counters import rate_counters_for


def test_hits_count_per_name_and_read_back(store):
    counters = rate_counters_for(store)
    later = time.time() + 60
    assert counters.counts(["a", "b"]) == {}
    assert counters.hit("a", 1, later) == 1
    assert counters.hit("a", 1, later) == 2
    assert counters.hit("a", 5, later) == 7
    assert counters.hit("b", 3, later) == 3
    assert counters.counts(["a", "b", "c"]) == {"a": 7, "b": 3}
    assert counters.counts([]) == {}


def test_purge_drops_only_ended_windows(store):
    counters = rate_counters_for(store)
    now = time.time()
    counters.hit("old", 1, now - 1)
    counters.hit("new", 1, now + 60)
    assert counters.purge(now) == 1
    assert counters.counts(["old", "new"]) == {"new": 1}
    assert counters.hit("old", 1, now + 60) == 1  # a new window starts from zero


def test_concurrent_hits_are_never_lost(store):
    counters = rate_counters_for(store)
    later = time.time() + 60
    seen: list[int] = []

    def work() -> None:
        for _ in range(25):
            seen.append(counters.hit("race", 1, later))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert counters.counts(["race"]) == {"race": 100}
    assert sorted(seen) == list(range(1, 101))  # each hit saw its own count
