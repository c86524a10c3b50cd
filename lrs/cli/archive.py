"""``lrs archive …``: the learning-archive projection from the command line (the hub's operator).

The operator acts as an ``admin`` at the root. Every command works on the store
LRS_DATABASE_URL names, beside a running server: projector batches are
serialised by the store (SQLite write lock, MongoDB lease).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from datetime import date

import click

from lrs.config import Settings
from lrs.domain.archive import aggregates, exports, reports
from lrs.domain.archive.follower import follow
from lrs.domain.archive.policy import PolicyError
from lrs.domain.archive.policy_book import load_policy_book
from lrs.domain.archive.projector import Projector, rebuild
from lrs.domain.archive.verification import verify_ledgers
from lrs.domain.errors import LRSError
from lrs.domain.identity.keys import IdentitySecretError, load_identity_keys
from lrs.domain.identity.membership import statement_day
from lrs.domain.identity.roles import Reader
from lrs.domain.statements.service import last_seq
from lrs.gc_freeze import freeze_startup_objects
from lrs.logs import configure_logging
from lrs.storage.factory import UnsupportedDatabase, open_store
from lrs.timeutil import utcnow

OPERATOR = Reader("admin", "", None, "cli")


def _open():
    settings = Settings.from_env()
    try:
        book = load_policy_book(settings)
        store = open_store(settings.resolved_database_url())
    except (UnsupportedDatabase, PolicyError) as exc:
        raise click.ClickException(str(exc)) from exc
    return settings, store, book


def _today() -> date:
    return statement_day({}, utcnow())


@click.group()
def archive() -> None:
    """Learning archives (GB/T 38856 §9.1): the projection of the statements and its ledger."""


@archive.command("catch-up")
def catch_up() -> None:
    """Project every pending outbox event now, then exit."""
    settings, store, book = _open()
    projector = Projector(store, book, settings.archive_batch)
    try:
        pending = projector.pending()
        with click.progressbar(length=pending, label="projecting", file=sys.stderr) as bar:
            done = [0]

            def progress(events: int, _left: int) -> None:
                bar.update(events - done[0])
                done[0] = events

            report = projector.drain(progress)
    finally:
        store.close()
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(report.outcomes.items()))
    click.echo(f"projected {report.events} events in {report.batches} batches"
               + (f" ({outcomes})" if outcomes else ""))


@archive.command("follow")
@click.option("--interval", type=float, default=0.5, show_default=True,
              help="Seconds between looks at the outbox when nothing is pending.")
@click.option("--nice", "niceness", type=click.IntRange(0, 19), default=0, show_default=True,
              help="Lower this process's CPU priority by this much (lrs serve uses 5), so "
                   "ingest wins the CPU during bursts.")
@click.option("--parent", type=int, hidden=True,
              help="Exit when this process is no longer our parent (lrs serve's follower).")
def follow_command(interval: float, niceness: int, parent: int | None) -> None:
    """Run the projector until stopped: drain the outbox, wait, repeat.

    This is what `lrs serve` runs beside its workers (LRS_ARCHIVE_PROJECTOR=process,
    the default). Run it yourself to project apart from the servers, e.g. one
    follower for a cluster of servers on MongoDB, with LRS_ARCHIVE_PROJECTOR=off
    for the servers. Several followers are safe (batches are serialised) but
    useless. Each batch of LRS_ARCHIVE_BATCH events (default 100) is one
    transaction. SIGTERM or Ctrl-C stops it after the batch in progress.
    """
    settings, store, book = _open()
    if niceness:
        os.nice(niceness)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    configure_logging(settings.log_level, settings.log_format)
    projector = Projector(store, book, settings.archive_batch)
    freeze_startup_objects()  # the projector and its policy book live as long as we do
    try:
        follow(projector, stop, interval, parent)
    finally:
        store.close()


@archive.command("show")
@click.argument("key")
@click.option("--period", help="A year such as 2024 (default: the current period).")
def show(key: str, period: str | None) -> None:
    """One trainee's archive as JSON; KEY is the trainee key or the agreed identifier."""
    settings, store, book = _open()
    try:
        try:
            keys = load_identity_keys(
                settings.identity_secret, settings.data_dir, settings.resolved_database_url()
            )
        except IdentitySecretError as exc:
            raise click.ClickException(str(exc)) from exc
        view = reports.trainee_archive(
            store, book, OPERATOR, keys.key_or_id(key), period, _today()
        )
    except LRSError as exc:
        raise click.ClickException(exc.message) from exc
    finally:
        store.close()
    click.echo(json.dumps(view, ensure_ascii=False, indent=2))


@archive.command("verify")
@click.option("--trainee", "trainee", help="Only this trainee key (default: every ledger).")
def verify(trainee: str | None) -> None:
    """Recompute the ledgers' hash chains; exit 1 if any is broken (§9.1.1)."""
    _, store, _ = _open()
    broken = 0
    checked = 0
    try:
        for result in verify_ledgers(store, trainee):
            checked += 1
            if not result.ok:
                broken += 1
                click.echo(json.dumps(result.as_dict(), ensure_ascii=False))
    finally:
        store.close()
    click.echo(f"checked {checked} ledgers, {broken} broken", err=True)
    sys.exit(1 if broken else 0)


@archive.command("rebuild")
@click.option("--aggregates-only", is_flag=True,
              help="Only recount the per-unit aggregates from the archive rows (fast: after "
                   "LRS_CREDIT_POLICIES changed which policy judges a unit's targets).")
def rebuild_command(aggregates_only: bool) -> None:
    """Recompute the DERIVED archive rows from the stored statements, then the per-unit
    aggregates that summaries read.

    The ledger is never rewritten: decisions already in it are reused, and new
    entries are appended only where a decision is missing. Reports are incomplete
    until the rebuild ends.
    """
    _, store, book = _open()
    if aggregates_only:
        try:
            counted = aggregates.rebuild(store, book, statement_day({}, utcnow()))
        finally:
            store.close()
        click.echo(f"aggregates recounted for {counted} trainees")
        return
    try:
        with click.progressbar(length=last_seq(store), label="rebuilding", file=sys.stderr) as bar:
            report = rebuild(store, book, progress=bar.update)
    finally:
        store.close()
    click.echo(
        f"rebuilt from {report.statements} statements ({report.rows_deleted} rows replaced); "
        f"{report.ledger_entries_added} ledger entries added"
    )


@archive.command("report")
@click.option("--unit", help="A unit's org path: its trainees, targets and shortfalls.")
@click.option("--org", help="A department's org path: the summary by child org.")
@click.option("--period", help="A year such as 2024 (default: the current period).")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True,
              help="The file to write.")
def report_command(unit: str | None, org: str | None, period: str | None, fmt: str,
                   output: str) -> None:
    """A unit report (--unit) or a department summary (--org) as XLSX or CSV, Chinese headers.

    The operator reads as admin at the root, so names of current trainees are in clear
    and those of trainees who left a unit are masked, as the API shows them.
    """
    if (unit is None) == (org is None):
        raise click.UsageError("give exactly one of --unit and --org")
    _, store, book = _open()
    try:
        if unit is not None:
            table = exports.unit_report_table(
                reports.unit_report(store, book, OPERATOR, unit, period, _today()))
        else:
            table = exports.summary_table(
                reports.summary(store, book, OPERATOR, org, period, _today()))
    except LRSError as exc:
        raise click.ClickException(
            f"{exc.path}: {exc.message}" if exc.path else exc.message) from exc
    finally:
        store.close()
    data = exports.render(table, fmt)
    with open(output, "wb") as handle:  # written only once the report is complete
        handle.write(data)
    click.echo(f"已写入 {output}：{len(table.rows)} 行（{table.title}）", err=True)


__all__ = ["archive"]
