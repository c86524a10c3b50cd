"""``lrs serve``'s archive follower: one ``lrs archive follow`` process beside gunicorn.

Started by the arbiter (so it shares the server's process group: a kill -9 of
the group takes it too), restarted if it dies, stopped when the server stops.
It lowers its own CPU priority and exits by itself if the arbiter disappears.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading

log = logging.getLogger(__name__)

# Popen learns that its child has exec'ed from EOF on a close-on-exec pipe. An os.fork()
# in another thread meanwhile (gunicorn's arbiter forking a worker) gives the forked
# process a copy of that pipe's write end, which only exec or exit closes: Popen then waits
# as long as the worker lives. The supervisor thread sat in Popen for good, its follower
# ran unwatched, and once killed was never restarted (issue 10). So in this process a
# follower's Popen and any os.fork() exclude each other. An RLock: Popen never runs the
# fork hooks (no preexec_fn), but should it, the spawning thread already holds it.
_fork_lock = threading.RLock()


def _before_fork() -> None:
    _fork_lock.acquire()


def _after_fork_in_parent() -> None:
    _fork_lock.release()


def _after_fork_in_child() -> None:
    global _fork_lock
    _fork_lock = threading.RLock()  # the parent's may be held by a thread the child lacks


os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_in_parent,
                    after_in_child=_after_fork_in_child)


def spawn(args: list[str]) -> subprocess.Popen[bytes]:
    """Start a follower process; no os.fork() in this process can interleave with it."""
    with _fork_lock:
        return subprocess.Popen(args, stdin=subprocess.DEVNULL)

NICENESS = 5  # ingest requests win the CPU during bursts; the archive catches up after
RESTART_DELAY = 2.0
POLL_INTERVAL = 0.5  # how soon a dead follower is noticed
STOP_TIMEOUT = 20.0  # a batch in progress finishes first (tens of ms)


class ArchiveFollower:
    label = "archive follower"

    def __init__(self, interval: float = 0.5) -> None:
        self.interval = interval
        self._owner = os.getpid()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._supervise, name="lrs-archive-follower", daemon=True
        )
        self._thread.start()

    command = "archive"

    def _spawn(self) -> subprocess.Popen[bytes]:
        proc = spawn([sys.executable, "-m", "lrs.cli", self.command, "follow",
                      "--interval", str(self.interval), "--nice", str(NICENESS),
                      "--parent", str(os.getpid())])
        log.info("%s started (pid %s)", self.label, proc.pid)
        return proc

    def _supervise(self) -> None:
        while True:
            with self._lock:
                if self._stopping.is_set():
                    return
                proc = self._proc = self._spawn()
            code = self._wait_for_exit(proc)
            if code is None or self._stopping.wait(RESTART_DELAY):
                return
            log.warning("%s exited (%s); restarting it", self.label, code)

    def _wait_for_exit(self, proc: subprocess.Popen[bytes]) -> int | None:
        """The follower's exit code, or None once the server is stopping.

        Polled rather than a blocking ``wait()``: gunicorn's arbiter reaps every
        child it is signalled about, this one too, and a blocking waitpid racing
        with it was seen to miss the exit, leaving the follower dead for good.
        A pid that no longer exists counts as an exit (code 0).
        """
        while not self._stopping.wait(POLL_INTERVAL):
            code = proc.poll()
            if code is not None:
                return code
            try:
                os.kill(proc.pid, 0)
            except ProcessLookupError:
                return 0
        return None

    def stop(self) -> None:
        """Stop the follower (SIGTERM, then SIGKILL after STOP_TIMEOUT) and its supervisor."""
        if os.getpid() != self._owner:
            # A gunicorn worker is forked inside serve() and leaves through its
            # ``finally``: the follower is the arbiter's to stop, not a worker's.
            return
        with self._lock:
            self._stopping.set()
            proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT)
