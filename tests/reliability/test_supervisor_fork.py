"""The followers' supervisor against a forking arbiter (issue 10).

gunicorn's arbiter forks workers from its main thread while the supervisor thread
starts followers with Popen. A worker forked during a Popen inherited the pipe Popen
waits on, and the supervisor then waited as long as the worker lived: a follower killed
later was never restarted. These tests fork long-lived children from the main thread
while followers are started, as the arbiter does.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

import pytest

from lrs import archive_follower
from lrs.archive_follower import ArchiveFollower, spawn

CHILD_LIFE = 3.0  # longer than any honest spawn takes, even on a loaded machine


class _Forker:
    """The arbiter's part: keep forking children that live CHILD_LIFE seconds."""

    def __init__(self) -> None:
        self.children: list[int] = []

    def fork_once(self) -> None:
        pid = os.fork()
        if pid == 0:
            time.sleep(CHILD_LIFE)
            os._exit(0)
        self.children.append(pid)

    def reap(self, block: bool = False) -> None:
        for pid in list(self.children):
            if os.waitpid(pid, 0 if block else os.WNOHANG)[0]:
                self.children.remove(pid)


def test_spawn_is_not_held_up_by_a_concurrent_fork():
    slow: list[float] = []

    def spawner() -> None:
        for _ in range(60):
            started = time.monotonic()
            proc = spawn([sys.executable, "-c", "pass"])
            slow.extend([time.monotonic() - started] if time.monotonic() - started > 1.5
                        else [])
            proc.wait()

    forker = _Forker()
    thread = threading.Thread(target=spawner, daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            forker.fork_once()
            time.sleep(0.005)
            forker.reap()
    finally:
        forker.reap(block=True)
    assert slow == []  # without the fork lock about a third took CHILD_LIFE seconds


class _Workers:
    """Like the arbiter's workers: forked children that live until the test releases them."""

    def __init__(self) -> None:
        self._read, self._write = os.pipe()
        self.children: list[int] = []

    def fork_once(self) -> None:
        pid = os.fork()
        if pid == 0:
            os.close(self._write)
            os.read(self._read, 1)  # EOF once the test closes its end
            os._exit(0)
        self.children.append(pid)

    def release(self) -> None:
        os.close(self._write)
        for pid in self.children:
            os.waitpid(pid, 0)
        os.close(self._read)


class _SleeperFollower(ArchiveFollower):
    label = "test follower"

    def _spawn(self):
        return spawn([sys.executable, "-c", "import time; time.sleep(60)"])


def test_a_killed_follower_is_restarted_while_the_parent_forks(monkeypatch):
    monkeypatch.setattr(archive_follower, "RESTART_DELAY", 0.05)
    follower = _SleeperFollower()
    workers = _Workers()
    follower.start()
    try:
        killed: list[int] = []
        deadline = time.monotonic() + 30
        while len(killed) < 10:
            assert time.monotonic() < deadline, f"restarted {len(killed)} times, then no more"
            if len(workers.children) < 300:
                workers.fork_once()
            time.sleep(0.002)
            proc = follower._proc
            if proc is not None and proc.pid not in killed:
                killed.append(proc.pid)
                os.kill(proc.pid, signal.SIGKILL)
    finally:
        workers.release()  # first: without the fork lock the supervisor is stuck until then
        follower.stop()
    assert follower._thread is not None and not follower._thread.is_alive()


@pytest.fixture(autouse=True)
def _only_posix():
    if not hasattr(os, "register_at_fork"):
        pytest.skip("POSIX fork only")
