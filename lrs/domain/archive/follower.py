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
# While behind AND ingest is writing too (the batch had to wait for the write lock), the
# projector takes at most this share of the lock: each of its batches held the lock as
# long as a batch of ingest requests, so pausing only YIELD_SECONDS between batches gave
# it a turn as often as each client, and a burst of batch POSTs ran at half speed. The
# archive falls behind during the burst and catches up at full speed after it.
LOCK_SHARE = 1 / 3
# How often the follower checkpoints the store's write-ahead log (Store.checkpoint), so
# that ingest requests seldom do it themselves.
CHECKPOINT_SECONDS = 1.0
CONTENDED_SECONDS = 0.002  # a wait this long means another writer held the lock
MAX_PAUSE_SECONDS = 0.5


def follow(
    projector: Projector, stop: threading.Event, interval: float = 0.5,
    parent: int | None = None,
) -> int:
    """Drain, wait, repeat until ``stop`` is set or ``parent`` is no longer our parent;
    returns the number of events projected."""
    failures = 0
    projected = 0
    checkpointed = time.monotonic()
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
        if time.monotonic() - checkpointed >= CHECKPOINT_SECONDS:
            checkpointed = time.monotonic()
            try:
                projector.store.checkpoint()
            except Exception:  # noqa: BLE001 - the writers' own checkpoints remain
                log.exception("archive follower: checkpoint failed")
        if handled >= projector.batch:  # behind
            stop.wait(pause_when_behind(projector.last_wait, projector.last_hold))
            continue
        if handled:
            stop.wait(min(GATHER_SECONDS, interval))
            continue
        stop.wait(interval if failures == 0 else min(interval * 2**failures, 30.0))
    return projected


def pause_when_behind(wait: float, hold: float) -> float:
    """Seconds to pause after a full batch that waited ``wait`` for the write lock and
    held it ``hold``: a moment when it had the lock to itself, else enough to keep its
    share of the lock at LOCK_SHARE."""
    if wait < CONTENDED_SECONDS:
        return YIELD_SECONDS
    share = hold * (1 - LOCK_SHARE) / LOCK_SHARE
    return min(MAX_PAUSE_SECONDS, max(YIELD_SECONDS, share))
