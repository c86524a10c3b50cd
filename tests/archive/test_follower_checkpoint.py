"""The archive follower checkpoints the store between batches (Store.checkpoint), so
ingest requests seldom pay for it; a failing checkpoint does not stop the follower."""

from __future__ import annotations

import threading

from lrs.domain.archive import follower


class FakeStore:
    def __init__(self, fail: bool = False) -> None:
        self.checkpoints = 0
        self.fail = fail

    def checkpoint(self) -> None:
        self.checkpoints += 1
        if self.fail:
            raise RuntimeError("disk I/O error")


class FakeProjector:
    """Stands in for the Projector: the loop only calls drain_once and reads these."""

    batch = 100
    last_wait = 0.0
    last_hold = 0.0

    def __init__(self, store: FakeStore, stop: threading.Event, rounds: int) -> None:
        self.store = store
        self.stop = stop
        self.rounds = rounds
        self.calls = 0

    def drain_once(self) -> tuple[int, dict[str, int]]:
        self.calls += 1
        if self.calls >= self.rounds:
            self.stop.set()
        return 1, {}  # not a full batch: the loop waits GATHER_SECONDS (stop cuts it)


def test_the_follower_checkpoints_between_batches(monkeypatch):
    monkeypatch.setattr(follower, "CHECKPOINT_SECONDS", 0.0)
    stop = threading.Event()
    store = FakeStore()
    projector = FakeProjector(store, stop, rounds=3)
    assert follower.follow(projector, stop, interval=0.01) == 3  # type: ignore[arg-type]
    assert store.checkpoints == 3


def test_a_failing_checkpoint_does_not_stop_the_follower(monkeypatch):
    monkeypatch.setattr(follower, "CHECKPOINT_SECONDS", 0.0)
    stop = threading.Event()
    store = FakeStore(fail=True)
    projector = FakeProjector(store, stop, rounds=4)
    assert follower.follow(projector, stop, interval=0.01) == 4  # type: ignore[arg-type]
    assert store.checkpoints == 4


def test_no_checkpoint_before_its_interval(monkeypatch):
    monkeypatch.setattr(follower, "CHECKPOINT_SECONDS", 3600.0)
    stop = threading.Event()
    store = FakeStore()
    follower.follow(FakeProjector(store, stop, rounds=3), stop, interval=0.01)  # type: ignore[arg-type]
    assert store.checkpoints == 0
