"""The projector as a process of its own: ``lrs archive follow``, and ``lrs serve``'s
follower (LRS_ARCHIVE_PROJECTOR=process, the default there).

One follower drains the outbox for all the server's workers, so the workers spend
their CPU and the SQLite write lock on ingest. It applies one batch per
transaction (LRS_ARCHIVE_BATCH keeps each short), pauses briefly between full
batches so writers waiting for the lock get it, lets events gather for a moment
after a batch that was not full (one write transaction for many single-statement
requests instead of one each), and waits ``interval`` seconds when nothing is
pending. It stops on :data:`stop`, or when the process that started
it (``parent``) is gone, so a follower never outlives its server.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from lrs.domain.archive.projector import Projector

log = logging.getLogger(__name__)

# Between two batches while catching up: long enough for a writer polling for the
# SQLite write lock (every 0.5 ms) to take it, short enough not to slow catching up.
YIELD_SECONDS = 0.005
# After a batch that was not full (caught up): let events gather before the next one.
# Platforms sending one statement per request queued one or two events per batch, and
# each batch cost a write transaction (lock, checkpoint row, commit) beside them; the
# archive is then at most this much later.
GATHER_SECONDS = 0.1


def follow(
    projector: Projector, stop: threading.Event, interval: float = 0.5,
    parent: int | None = None,
) -> int:
    """Drain, wait, repeat until ``stop`` is set or ``parent`` is no longer our parent;
    returns the number of events projected."""
    failures = 0
    projected = 0
    while not stop.is_set():
        if parent is not None and os.getppid() != parent:
            log.warning("archive follower: parent %d is gone; exiting", parent)
            break
        handled = 0
        try:
            handled, _ = projector.drain_once()
            failures = 0
        except Exception:  # noqa: BLE001 - keep following; the events stay pending
            failures += 1
            log.exception("archive projector failed (attempt %d); retrying", failures)
        projected += handled
        if handled >= projector.batch:
            time.sleep(YIELD_SECONDS)  # behind: the next batch at once
            continue
        if handled:
            stop.wait(min(GATHER_SECONDS, interval))
            continue
        stop.wait(interval if failures == 0 else min(interval * 2**failures, 30.0))
    return projected
