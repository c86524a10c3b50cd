"""The projector seen from an application: a daemon thread, or nothing in-process.

``LRS_ARCHIVE_PROJECTOR=thread`` (create_app's default): each process runs one
thread that drains the outbox whenever there is work — woken by
:meth:`ArchiveRuntime.notify` after a statement write commits, and polling
every ``interval`` seconds besides (writes from other processes, restarts).
``process`` (``lrs serve``'s default): no thread; one follower process beside
the server projects for every worker (lrs.domain.archive.follower).
``off``: no thread; ``drain()`` runs the projector in the caller (tests, the
``lrs archive catch-up`` command). A crash at any point loses nothing: the
next drain resumes from the outbox.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from lrs.domain.archive.policy_book import PolicyBook
from lrs.domain.archive.projector import BATCH, DrainReport, Projector, status
from lrs.storage.port import Store

log = logging.getLogger(__name__)

MODES = ("process", "thread", "off")


class ArchiveRuntime:
    def __init__(
        self, store: Store, book: PolicyBook, mode: str = "thread", interval: float = 0.5,
        batch: int = BATCH,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"LRS_ARCHIVE_PROJECTOR must be one of {', '.join(MODES)}: {mode!r}")
        self.store = store
        self.book = book
        self.mode = mode
        self.interval = interval
        self.projector = Projector(store, book, batch)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # one drain at a time in this process

    # -- called by the application

    def notify(self) -> None:
        """Cheap: wake the thread (if any) after a write that queued events."""
        if self._thread is not None:
            self._wake.set()

    def drain(self) -> DrainReport:
        """Project everything pending now, in the caller's thread (deterministic tests)."""
        with self._lock:
            return self.projector.drain()

    catch_up = drain

    def status(self) -> dict[str, Any]:
        return {"mode": self.mode, **status(self.store)}

    # -- the thread

    def start(self) -> None:
        if self.mode != "thread" or self._thread is not None:
            return
        self._thread = threading.Thread(
            target=self._run, name="lrs-archive-projector", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                self.drain()
                failures = 0
            except Exception:  # noqa: BLE001 - keep projecting; the events stay pending
                failures += 1
                log.exception("archive projector failed (attempt %d); retrying", failures)
            wait = self.interval if failures == 0 else min(self.interval * 2**failures, 30.0)
            self._wake.wait(wait)
            self._wake.clear()
