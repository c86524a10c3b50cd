"""Forward: this hub's outbox → an upstream LRS (province → national, or a unit's own LRS).

Fed only by the outbox, never from the request path: the forwarder keeps its own
cursor over ``statement.stored`` events (``Outbox.after``), so it never takes
events from the queue the archive projector drains, and each job has its own
cursor. Events are read in id order, which is commit order on SQLite; on MongoDB
only events older than ``SETTLE`` are read, so one committed late cannot be
skipped. Filters: org subtree, declared profile, verb.

Each batch is POSTed whole; the cursor (the checkpoint) moves after the upstream
accepted it. A crash in between sends the batch again: at-least-once delivery,
made exactly-once by the statement ids (the upstream accepts an identical
statement it already has). 5xx, 429 (``Retry-After``) and network errors are
retried by the client and, failing that, by the next run (the follower backs
off); the cursor stays put, so order is kept. A 4xx other than 401/403/429 will
not succeed by repeating: the batch is split, each refused statement becomes a
dead letter with the upstream's reason, and the rest go on. 401/403 are the
job's configuration (a revoked key), an error on the job, never dead letters.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from adapters.downgrade import NotDowngradable, to_1_0_3
from adapters.pull import RunReport, _declares, client_for
from adapters.xapi_client import RemoteRefused, RemoteUnavailable, XapiClient
from lrs.config import Settings
from lrs.domain.errors import ValidationError
from lrs.domain.gateway import jobs, secrets
from lrs.domain.gateway.ingest import letter_id
from lrs.domain.statements.service import STATEMENT_STORED
from lrs.storage.port import DeadLetter, GatewayJob, StatementRecord, Store
from lrs.timeutil import format_timestamp, utcnow

SETTLE = timedelta(seconds=5)  # > the longest write transaction (stores whose ids are not
# commit-ordered); the forwarder trails the newest events by this much there
CONFIG_ERRORS = (401, 403)


def add_forward_job(
    store: Store, settings: Settings, *, name: str, endpoint: str, key: str,
    secret: str | None = None, secret_env: str | None = None, org: str = "",
    profile: str | None = None, verbs: tuple[str, ...] = (), batch: int = 100,
    from_now: bool = False, version: str = "2.0.0",
) -> GatewayJob:
    jobs.check_name(name)
    if not key:
        raise ValidationError("the upstream key is required", "key")
    if not 1 <= batch <= 1000:
        raise ValidationError("batch must be 1-1000 statements", "batch")
    config = {
        "endpoint": jobs.check_endpoint(endpoint), "key": key,
        **secrets.seal(settings, secret, secret_env),
        "profile": profile or None, "verbs": list(verbs), "batch": batch,
        "version": jobs.check_version(version),
    }
    state: dict[str, Any] = {}
    with store.transaction() as uow:
        if uow.gateway.get_job(name) is not None:
            raise ValidationError(f"a gateway job named {name!r} exists", "name")
        if from_now:
            # Start after the newest event: only what is stored from now on.
            last = None
            while page := uow.outbox.after(last, STATEMENT_STORED, limit=10_000):
                last = page[-1].id
            state["cursor"] = last
        job = GatewayJob(name, "forward", org.strip("/"), config, state, False, utcnow())
        uow.gateway.save_job(job)
    return job


def _in_org(org: str, scope: str) -> bool:
    return not scope or org == scope or org.startswith(scope + "/")


class Forwarder:
    def __init__(self, store: Store, settings: Settings, name: str,
                 client_options: dict[str, Any] | None = None,
                 settle: timedelta = SETTLE) -> None:
        self.settle = settle
        self.store = store
        self.settings = settings
        self.name = name
        self.client_options = client_options or {}
        self._version: str | None = None

    def _wanted(self, job: GatewayJob, record: StatementRecord) -> bool:
        verbs = job.config.get("verbs") or []
        profile = job.config.get("profile")
        return (_in_org(record.org, job.org)
                and (not verbs or record.verb_id in verbs)
                and (not profile or _declares(record.statement, profile)))

    def run(self, max_batches: int | None = None,
            should_stop: Callable[[], bool] = lambda: False) -> RunReport:
        job = jobs.get_job(self.store, self.name)
        report = RunReport()
        if job.paused:
            return report
        started = time.monotonic()
        client = client_for(self.settings, job, **self.client_options)
        self._version = None  # asked of the upstream once a run, when needed
        try:
            self._batches(job, client, report, max_batches, should_stop)
        except (RemoteUnavailable, RemoteRefused) as exc:
            report.error = str(exc)
        finally:
            client.close()
        self._record_run(report, time.monotonic() - started)
        return report

    def _batches(self, job: GatewayJob, client: XapiClient, report: RunReport,
                 max_batches: int | None, should_stop: Callable[[], bool]) -> None:
        size = int(job.config.get("batch", 100))
        cursor = job.state.get("cursor")
        while max_batches is None or report.pages < max_batches:
            if should_stop():
                return
            with self.store.read() as uow:
                settled = None if uow.outbox.commit_ordered else utcnow() - self.settle
                events = uow.outbox.after(cursor, STATEMENT_STORED, size, settled)
                ids = [str(e.payload.get("id", "")) for e in events]
                found = uow.statements.get_many(ids)
                records = [found[i] for i in ids if i in found and self._wanted(job, found[i])]
                hashes = list(dict.fromkeys(h for r in records for h in r.attachment_hashes))
                files = uow.attachments.get_many(hashes) if hashes else {}
            if not events:
                report.caught_up = True
                return
            sent, refused = self._send(job, client, records, files)
            cursor = events[-1].id
            jobs.update_state(self.store, self.name, {
                "cursor": cursor, "caughtUp": False,
                "lastStored": format_timestamp(records[-1].stored) if records else
                job.state.get("lastStored"),
            }, {"pages": 1, "received": len(events), "sent": sent, "refused": refused,
                "skipped": len(events) - len(records)})
            report.pages += 1
            report.received += len(events)
            report.stored += sent
            report.refused += refused
            report.skipped += len(events) - len(records)

    def _speak(self, job: GatewayJob, client: XapiClient) -> str:
        """The xAPI version to send in: asked of the upstream (GET /about) once a run."""
        if self._version is None:
            self._version = negotiate(client, job.config.get("version") or "2.0.0")
            client.use_version(self._version)
        return self._version

    def _send(self, job: GatewayJob, client: XapiClient, records: list[StatementRecord],
              files: dict) -> tuple[int, int]:
        """(sent, dead-lettered) for one batch; raises what should stop the run."""
        if not records:
            return 0, 0
        version = self._speak(job, client)
        ready: list[tuple[StatementRecord, dict[str, Any]]] = []
        refused = 0
        for record in records:
            try:
                ready.append((record, as_version(record.statement, version)))
            except NotDowngradable as exc:
                refused += 1
                self._dead_letter(job, record, str(exc))
        if not ready:
            return 0, refused
        try:
            client.post_statements([s for _, s in ready], _files([r for r, _ in ready], files))
            return len(ready), refused
        except RemoteRefused as exc:
            if exc.status in CONFIG_ERRORS:
                raise
        sent = 0
        for record, body in ready:  # find the statement(s) the upstream will never take
            try:
                client.post_statements([body], _files([record], files))
                sent += 1
            except RemoteRefused as exc:
                if exc.status in CONFIG_ERRORS:
                    raise
                refused += 1
                self._dead_letter(job, record, refusal(record, files, exc))
        return sent, refused

    def _dead_letter(self, job: GatewayJob, record: StatementRecord, reason: str) -> None:
        with self.store.transaction() as uow:
            uow.gateway.put_dead_letter(DeadLetter(
                letter_id(job.name, record.id), job.name, record.id, reason,
                {"statementId": record.id}, record.org,
            ))

    def retry(self, letter: DeadLetter) -> str | None:
        """Send a dead letter's statement again; None when delivered (resolved), else why."""
        job = jobs.get_job(self.store, self.name)
        with self.store.read() as uow:
            record = uow.statements.get(letter.payload.get("statementId", ""))
            files = uow.attachments.get_many(list(record.attachment_hashes)) if record else {}
        if record is None:
            return "the statement is no longer in the hub"
        client = client_for(self.settings, job, **self.client_options)
        try:
            version = negotiate(client, job.config.get("version") or "2.0.0")
            client.use_version(version)
            body = as_version(record.statement, version)
            client.post_statements([body], _files([record], files))
        except (RemoteRefused, RemoteUnavailable, NotDowngradable) as exc:
            reason = (refusal(record, files, exc) if isinstance(exc, RemoteRefused)
                      else str(exc))
            with self.store.transaction() as uow:
                uow.gateway.put_dead_letter(DeadLetter(
                    letter.id, letter.job, letter.item, reason, letter.payload, letter.org))
            return reason
        finally:
            client.close()
        with self.store.transaction() as uow:
            uow.gateway.set_dead_letter_status(letter.id, "resolved")
        return None

    def _record_run(self, report: RunReport, seconds: float) -> None:
        now = format_timestamp(utcnow())
        changes: dict[str, Any] = {"lastRunAt": now}
        add: dict[str, int] = {}
        if report.error:
            job = jobs.get_job(self.store, self.name)
            changes["lastError"] = {"at": now, "message": report.error}
            changes["consecutiveFailures"] = int(job.state.get("consecutiveFailures", 0)) + 1
            add["errors"] = 1
        else:
            changes.update({"lastSuccessAt": now, "consecutiveFailures": 0,
                            "caughtUp": report.caught_up})
        if report.received and seconds > 0:
            changes["ratePerSecond"] = round(report.received / seconds, 1)
        jobs.update_state(self.store, self.name, changes, add)


def _files(records: list[StatementRecord], files: dict) -> dict[str, tuple[str, bytes]]:
    out: dict[str, tuple[str, bytes]] = {}
    for record in records:
        for sha2 in record.attachment_hashes:
            if sha2 in files:
                out[sha2] = (files[sha2].content_type, files[sha2].data)
    return out


def negotiate(client: XapiClient, wanted: str) -> str:
    """``wanted`` if the upstream's GET /about lists it (any patch level), else the other
    version this hub speaks that it lists; ``wanted`` when /about does not say."""
    listed = client.about_versions()
    if not listed:
        return wanted
    for version in dict.fromkeys((wanted, *jobs.VERSIONS)):
        if any(v.split(".")[:2] == version.split(".")[:2] for v in listed):
            return version
    raise RemoteUnavailable(f"the upstream speaks xAPI {', '.join(listed)} only, none of "
                            f"{', '.join(jobs.VERSIONS)}")


def as_version(statement: dict[str, Any], version: str) -> dict[str, Any]:
    """The statement as sent in ``version`` (adapters.downgrade for 1.0.3)."""
    return to_1_0_3(statement) if version.startswith("1.") else statement


def refusal(record: StatementRecord, files: dict, exc: Exception) -> str:
    """A dead letter's reason for an upstream refusal; says so when an attachment went
    without its bytes (``fileUrl`` only: the hub never had them)."""
    reason = f"upstream {exc}"
    missing = [h for h in record.attachment_hashes if h not in files]
    if missing:
        reason += (f"（附件仅有 fileUrl，中心从未持有其内容：{', '.join(missing)}）"
                   f" (attachments sent by fileUrl only, the hub never had their bytes:"
                   f" {', '.join(missing)})")
    return reason
