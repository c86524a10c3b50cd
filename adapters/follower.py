"""Every active gateway job, run again and again: ``lrs gateway follow`` (and ``lrs serve``'s
gateway follower).

Each pass runs each active job until it is caught up (a pull) or its outbox
cursor is at the end (a forward). A job that failed waits longer before its
next try (exponential, up to ``MAX_BACKOFF``), so a source that is down costs
one attempt now and then, not a busy loop; the others keep running. It stops
on ``stop`` or when ``parent`` is no longer its parent, between two pages.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from lrs.config import Settings
from lrs.domain.gateway import jobs
from lrs.domain.gateway.ingest import Hub

log = logging.getLogger(__name__)

MIN_BACKOFF = 5.0  # a failed job's first wait, however short the polling interval
MAX_BACKOFF = 300.0
RUNNABLE = ("pull", "forward")  # import jobs run only when a file is imported


def _runner(hub: Hub, settings: Settings, kind: str, name: str):
    if kind == "pull":
        from adapters.pull import Puller

        return Puller(hub, settings, name)
    from adapters.forward import Forwarder

    return Forwarder(hub.store, settings, name)


def follow(hub: Hub, settings: Settings, stop: threading.Event, interval: float = 5.0,
           parent: int | None = None) -> None:
    not_before: dict[str, float] = {}

    def should_stop() -> bool:
        return stop.is_set() or (parent is not None and os.getppid() != parent)

    while not should_stop():
        for job in jobs.list_jobs(hub.store):
            if (job.kind not in RUNNABLE or job.paused
                    or time.monotonic() < not_before.get(job.name, 0.0)):
                continue
            if should_stop():
                return
            try:
                report = _runner(hub, settings, job.kind, job.name).run(should_stop=should_stop)
                error = report.error
            except Exception as exc:  # noqa: BLE001 - one broken job must not stop the others
                log.exception("gateway job %s failed", job.name)
                error = str(exc)
            if error:
                failures = int(jobs.get_job(hub.store, job.name).state.get(
                    "consecutiveFailures", 1)) or 1
                wait = min(max(interval, MIN_BACKOFF) * 2 ** (failures - 1), MAX_BACKOFF)
                not_before[job.name] = time.monotonic() + wait
                log.warning("gateway job %s: %s (next try in %.0f s)", job.name, error, wait)
        stop.wait(interval)
