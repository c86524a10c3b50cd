"""Import a legacy export: rows → statements → the hub, with a per-row report.

Each platform has an ``import-<code>`` gateway job whose local credential (its
org, its profile policy) writes its statements, so an imported record passes the
same checks as a POSTed one, and a row the hub refuses becomes a dead letter
(``row N``) that can be retried once the cause is fixed. The policy defaults to
``flag``: an export holds only results (a completion), never the registration and
launch the profile's primary patterns expect first, so each imported record is
stored with that pattern violation recorded instead of being refused. A row
whose record was imported before with other content (a corrected score: same
platform, trainee, course and completion time) is refused (409) and dead-lettered.
Rows go in batches of ``BATCH``; a batch the hub refuses is split
(lrs.domain.gateway.ingest), so good rows are kept. ``dry_run`` converts and
checks every row and says what would be new or a duplicate, storing nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from adapters.legacy import mapping, reader
from adapters.legacy.convert import Platform, RowError, row_statement
from lrs.config import Settings
from lrs.domain.credentials import create_credential
from lrs.domain.errors import LRSError, ValidationError
from lrs.domain.gateway import jobs
from lrs.domain.gateway.ingest import Hub, ingest
from lrs.domain.statements.validation import validate_statement
from lrs.storage.port import GatewayJob
from lrs.timeutil import utcnow

BATCH = 100


@dataclass
class RowOutcome:
    row: int
    status: str  # "accepted" | "duplicate" | "refused"
    statement_id: str | None = None
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"row": self.row, "status": self.status}
        if self.statement_id:
            out["statementId"] = self.statement_id
        if self.reason:
            out["reason"] = self.reason
        return out


@dataclass
class ImportReport:
    platform: str
    dry_run: bool
    rows: list[RowOutcome] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = {"accepted": 0, "duplicate": 0, "refused": 0}
        for r in self.rows:
            counts[r.status] += 1
        return counts

    def as_dict(self) -> dict[str, Any]:
        return {"platform": self.platform, "dryRun": self.dry_run, "counts": self.counts(),
                "rows": [r.as_dict() for r in self.rows]}


def import_job(hub: Hub, settings: Settings, platform: Platform, org: str,
               profile_policy: str = "flag") -> GatewayJob:
    """The platform's import job (made on its first import), with its credential."""
    name = jobs.check_name(f"import-{platform.code}")
    with hub.store.read() as uow:
        job = uow.gateway.get_job(name)
    if job is not None:
        if job.org != org.strip("/"):
            raise ValidationError(
                f"platform {platform.code} imports into org {job.org or '(root)'}, not {org}",
                "org")
        return job
    credential, _ = create_credential(
        hub.store, f"gateway import {platform.code}", "statements/write", org=org,
        settings={"gateway_job": name, "profile_policy": profile_policy},
    )
    job = GatewayJob(name, "import", credential.org,
                     {"platform": platform.code, "homePage": platform.home_page,
                      "credential": credential.key}, {}, False, utcnow())
    with hub.store.transaction() as uow:
        if uow.gateway.get_job(name) is None:
            uow.gateway.save_job(job)
    return jobs.get_job(hub.store, name)


def import_file(
    hub: Hub, settings: Settings, data: bytes, platform: Platform, *, org: str = "",
    custom_mapping: dict[str, Any] | None = None, dry_run: bool = False,
    profile_policy: str = "flag", progress: Callable[[int], None] | None = None,
) -> ImportReport:
    if not jobs.NAME.match(platform.code or ""):
        raise ValidationError("platform must be a short code: letters, digits, '.', '_', '-'",
                              "platform")
    try:
        headers, rows = reader.read_rows(data)
    except reader.UnreadableFile as exc:
        raise ValidationError(str(exc), "file") from exc
    columns = mapping.resolve(headers, custom_mapping)
    report = ImportReport(platform.code, dry_run)
    job = None if dry_run else import_job(hub, settings, platform, org, profile_policy)
    credential = jobs.job_credential(hub.store, job) if job else None
    seen: dict[str, int] = {}
    batch: list[tuple[int, dict[str, Any]]] = []

    def flush() -> None:
        if batch:
            report.rows.extend(_store_batch(hub, credential, job, batch, dry_run))
            if progress is not None:
                progress(len(batch))
            batch.clear()

    for number, row in _checked(rows):
        try:
            statement = row_statement(platform, columns, row)
            validate_statement(statement, "2.0.0")
        except (RowError, LRSError) as exc:
            report.rows.append(RowOutcome(number, "refused", reason=str(exc)))
            if progress is not None:
                progress(1)
            continue
        first = seen.setdefault(statement["id"], number)
        if first != number:
            report.rows.append(RowOutcome(number, "duplicate", statement["id"],
                                          f"与第 {first} 行相同 / same record as row {first}"))
            continue
        batch.append((number, statement))
        if len(batch) >= BATCH:
            flush()
    flush()
    report.rows.sort(key=lambda r: r.row)
    if job is not None:
        counts = report.counts()
        jobs.update_state(hub.store, job.name, {"lastRunAt": utcnow().isoformat()}, {
            "received": len(report.rows), "stored": counts["accepted"],
            "duplicates": counts["duplicate"], "refused": counts["refused"],
        })
    return report


def _checked(rows: Any) -> Any:
    """The rows, a file that turns out unreadable half-way being a 400 naming ``file``
    (the rows before it are kept: each batch was its own transaction)."""
    try:
        yield from rows
    except reader.UnreadableFile as exc:
        raise ValidationError(str(exc), "file") from exc


def _store_batch(hub: Hub, credential, job: GatewayJob | None,
                 batch: list[tuple[int, dict[str, Any]]], dry_run: bool) -> list[RowOutcome]:
    ids = [s["id"] for _, s in batch]
    if dry_run:
        with hub.store.read() as uow:
            have = set(uow.statements.get_many(ids))
        return [RowOutcome(n, "duplicate" if s["id"] in have else "accepted", s["id"])
                for n, s in batch]
    assert job is not None and credential is not None
    result = ingest(hub, credential, job.name, [s for _, s in batch],
                    items=[f"row {n}" for n, _ in batch])
    refused = dict(result.refused)
    duplicates = set(result.duplicates)
    out = []
    for n, s in batch:
        if f"row {n}" in refused:
            out.append(RowOutcome(n, "refused", s["id"], refused[f"row {n}"]))
        else:
            out.append(RowOutcome(n, "duplicate" if s["id"] in duplicates else "accepted",
                                  s["id"]))
    return out
