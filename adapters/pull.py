"""Pull: a platform LRS → this hub, one job per source, resumable at every page.

A run pages the source's ``GET /statements`` in ``stored`` order (``since``,
``ascending``, ``attachments=true``, then its ``more`` links). Each page is
stored through the hub's POST path (lrs.domain.gateway.ingest) and THEN the
checkpoint (the next ``more`` link) is saved: a kill -9 between the two makes
the next run fetch that page again, and its statements come back as
duplicates, never twice. When a window ends (no ``more``) the next window
starts ``since`` the newest ``stored`` seen, but never later than the source's
``X-Experience-API-Consistent-Through`` of the window's first page: a statement
the source committed late, with an older ``stored``, is still picked up.

Voided statements do not appear in the source's queries, only their voiding
statements; when the hub lacks a voiding statement's target, the target is
fetched with ``voidedStatementId`` and stored first, so voids come across whole.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from adapters.xapi_client import Page, RemoteRefused, RemoteUnavailable, XapiClient
from lrs.config import Settings
from lrs.domain.errors import LRSError
from lrs.domain.gateway import jobs, secrets
from lrs.domain.gateway.ingest import Hub, IngestReport, ingest
from lrs.domain.statements.validation import parse_timestamp
from lrs.storage.port import GatewayJob
from lrs.timeutil import format_timestamp, utcnow

log = logging.getLogger(__name__)

VOIDED = "http://adlnet.gov/expapi/verbs/voided"


@dataclass
class RunReport:
    pages: int = 0
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    refused: int = 0
    skipped: int = 0
    caught_up: bool = False
    error: str | None = None


def client_for(settings: Settings, job: GatewayJob, **kw: Any) -> XapiClient:
    kw.setdefault("version", job.config.get("version") or "2.0.0")
    return XapiClient(job.config["endpoint"], job.config["key"],
                      secrets.unseal(settings, job.config), **kw)


def _declares(statement: dict[str, Any], profile: str) -> bool:
    categories = ((statement.get("context") or {}).get("contextActivities") or {}).get(
        "category") or []
    if isinstance(categories, dict):
        categories = [categories]
    return any(isinstance(c, dict) and str(c.get("id", "")).startswith(profile)
               for c in categories)


def _voided_targets(
    hub: Hub, client: XapiClient, statements: list[dict[str, Any]]
) -> Page:
    """The voided targets the hub lacks, fetched from the source."""
    in_page = {str(s.get("id", "")).lower() for s in statements}
    wanted = [
        str(s["object"].get("id", "")).lower() for s in statements
        if (s.get("verb") or {}).get("id") == VOIDED
        and isinstance(s.get("object"), dict) and s["object"].get("objectType") == "StatementRef"
    ]
    wanted = [w for w in dict.fromkeys(wanted) if w and w not in in_page]
    if not wanted:
        return Page([], None, None)
    with hub.store.read() as uow:
        have = set(uow.statements.get_many(wanted))
    found = Page([], None, None)
    for target in (w for w in wanted if w not in have):
        page = client.get_voided(target)
        if page is not None:
            found.statements += page.statements
            found.attachments.update(page.attachments)
    return found


class Puller:
    """Runs one pull job against its source until caught up (or ``max_pages``)."""

    def __init__(self, hub: Hub, settings: Settings, name: str,
                 client_options: dict[str, Any] | None = None) -> None:
        self.hub = hub
        self.settings = settings
        self.name = name
        self.client_options = client_options or {}

    def run(self, max_pages: int | None = None,
            should_stop: Callable[[], bool] = lambda: False) -> RunReport:
        job = jobs.get_job(self.hub.store, self.name)
        report = RunReport()
        if job.paused:
            return report
        started = time.monotonic()
        client = client_for(self.settings, job, **self.client_options)
        try:
            self._pages(job, client, report, max_pages, should_stop)
        except (RemoteUnavailable, RemoteRefused) as exc:
            report.error = str(exc)
        finally:
            client.close()
        self._record_run(report, time.monotonic() - started)
        return report

    def _pages(self, job: GatewayJob, client: XapiClient, report: RunReport,
               max_pages: int | None, should_stop: Callable[[], bool]) -> None:
        credential = jobs.job_credential(self.hub.store, job)
        state = dict(job.state)
        page_size = int(job.config.get("pageSize", 200))
        profile = job.config.get("profile")
        while max_pages is None or report.pages < max_pages:
            if should_stop():
                return
            since = state.get("since") or job.config.get("since")
            if state.get("more"):
                url = client.more_url(state["more"])
            else:
                url = client.first_page_url(since, page_size)
            try:
                page = client.get_page(url)
            except RemoteRefused as exc:
                if not state.get("more") or exc.status >= 500:
                    raise
                # A `more` link the source no longer honours: restart the window.
                log.warning("pull %s: source refused its own more link (%s); restarting "
                            "from since", self.name, exc)
                state = jobs.update_state(self.hub.store, self.name, {"more": None})
                continue
            window_ct = state.get("windowConsistentThrough")
            if not state.get("more"):
                window_ct = page.consistent_through
            wanted = [s for s in page.statements if not profile or _declares(s, profile)]
            report.skipped += len(page.statements) - len(wanted)
            targets = _voided_targets(self.hub, client, wanted)
            result = ingest(
                self.hub, credential, self.name, targets.statements + wanted,
                {**page.attachments, **targets.attachments},
                version=client.session.headers["X-Experience-API-Version"],
            )
            seen = [str(s["stored"]) for s in page.statements if s.get("stored")]
            last_stored = _latest([*seen, state.get("lastStored")])
            changes: dict[str, Any] = {
                "more": page.more, "lastStored": last_stored,
                "windowConsistentThrough": window_ct, "caughtUp": page.more is None,
            }
            if page.more is None:
                # The window is done: the next starts at the newest stored seen, held
                # back to the source's consistent-through so late commits are not missed.
                nxt = last_stored or since
                if nxt and window_ct and _when(window_ct) < _when(nxt):
                    nxt = window_ct
                changes.update({"since": nxt, "windowConsistentThrough": None})
            skipped = len(page.statements) - len(wanted)
            state = jobs.update_state(self.hub.store, self.name, changes,
                                      _counts(page, result, skipped))
            report.pages += 1
            report.received += len(page.statements)
            report.stored += len(result.stored)
            report.duplicates += len(result.duplicates)
            report.refused += len(result.refused)
            if page.more is None:
                report.caught_up = True
                return

    def _record_run(self, report: RunReport, seconds: float) -> None:
        now = format_timestamp(utcnow())
        changes: dict[str, Any] = {"lastRunAt": now}
        add: dict[str, int] = {}
        if report.error:
            job = jobs.get_job(self.hub.store, self.name)
            changes["lastError"] = {"at": now, "message": report.error}
            changes["consecutiveFailures"] = int(job.state.get("consecutiveFailures", 0)) + 1
            add["errors"] = 1
        else:
            changes.update({"lastSuccessAt": now, "consecutiveFailures": 0})
        if report.received and seconds > 0:
            changes["ratePerSecond"] = round(report.received / seconds, 1)
        jobs.update_state(self.hub.store, self.name, changes, add)


def _when(stamp: str) -> datetime:
    # Another LRS may write `stored` with other precision or offset: compare as times.
    try:
        return parse_timestamp(stamp, path="stored")
    except LRSError:
        return datetime.min.replace(tzinfo=UTC)


def _latest(stamps: list[str | None]) -> str | None:
    present = [s for s in stamps if s]
    return max(present, key=_when) if present else None


def _counts(page: Page, result: IngestReport, skipped: int) -> dict[str, int]:
    return {
        "pages": 1, "received": len(page.statements), "stored": len(result.stored),
        "duplicates": len(result.duplicates), "refused": len(result.refused),
        "skipped": skipped,
    }
