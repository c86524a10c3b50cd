"""``lrs gateway …``: pull jobs, dead letters, status (the hub's operator, at the root)."""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading

import click

from lrs.config import Settings
from lrs.domain.errors import LRSError
from lrs.domain.gateway import jobs
from lrs.domain.gateway.ingest import retry_letter
from lrs.domain.identity.keys import IdentitySecretError
from lrs.services import services
from lrs.storage.factory import UnsupportedDatabase


def _hub():
    from lrs.gateway_hub import build_hub

    try:
        return build_hub(Settings.from_env())
    except (UnsupportedDatabase, IdentitySecretError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc


def _echo_json(value: object) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


@click.group()
def gateway() -> None:
    """The interoperability gateway: pull from platform LRSs, forward upstream, import files."""


@gateway.group()
def pull() -> None:
    """Pull jobs: a platform LRS → this hub."""


@pull.command("add")
@click.option("--name", required=True, help="The job's name (letters, digits, . _ -).")
@click.option("--endpoint", required=True, help="The source's xAPI endpoint, e.g. https://…/xapi")
@click.option("--key", required=True, help="The source credential's key.")
@click.option("--secret", help="The source credential's secret (stored encrypted).")
@click.option("--secret-env", help="Or: the environment variable that holds the secret.")
@click.option("--since", help="Pull statements stored after this time (ISO 8601).")
@click.option("--org", default="", help="The org path the statements are stored under.")
@click.option("--profile", help="Only statements that declare this xAPI Profile.")
@click.option("--profile-policy", type=click.Choice(["enforce", "flag", "off"]),
              help="Profile validation for what this job stores (default: LRS_PROFILE_POLICY).")
@click.option("--page-size", type=int, default=200, show_default=True)
@click.option("--xapi-version", type=click.Choice(["2.0.0", "1.0.3"]), default="2.0.0",
              show_default=True, help="The xAPI version the source speaks.")
def pull_add(name: str, endpoint: str, key: str, secret: str | None, secret_env: str | None,
             since: str | None, org: str, profile: str | None, profile_policy: str | None,
             page_size: int, xapi_version: str) -> None:
    """Add a pull job (it starts with the next `run` or follower pass)."""
    if not secret and not secret_env:
        secret = click.prompt("remote secret", hide_input=True)
    hub, app = _hub()
    try:
        job = jobs.add_pull_job(
            hub.store, services(app).settings, name=name, endpoint=endpoint, key=key,
            secret=secret, secret_env=secret_env, since=since, org=org, profile=profile,
            profile_policy=profile_policy, page_size=page_size, version=xapi_version,
        )
    except LRSError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"pull job {job.name} added: {job.config['endpoint']} → org "
               f"{job.org or '(root)'}")


@pull.command("list")
@click.option("--json", "as_json", is_flag=True)
def pull_list(as_json: bool) -> None:
    """The pull jobs with their checkpoints (never their secrets)."""
    _list("pull", as_json)


def _list(kind: str, as_json: bool) -> None:
    hub, _ = _hub()
    found = [jobs.job_status(hub.store, j) for j in jobs.list_jobs(hub.store) if j.kind == kind]
    if as_json:
        _echo_json(found)
        return
    for s in found:
        state = "paused" if s["paused"] else ("caught up" if s["caughtUp"] else "behind")
        c = s["counters"]
        click.echo(f"{s['name']}\t{s['config'].get('endpoint')}\torg={s['org'] or '/'}\t{state}"
                   f"\tstored={c['stored']} dup={c['duplicates']} refused={c['refused']}"
                   f"\tdead letters={s['deadLetters'].get('open', 0)}"
                   + (f"\terror={s['lastError']['message']}" if s["lastError"] else ""))


def _set_paused(name: str, paused: bool) -> None:
    hub, _ = _hub()
    try:
        jobs.set_paused(hub.store, name, paused)
    except LRSError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{name} {'paused' if paused else 'resumed'}")


@pull.command("pause")
@click.argument("name")
def pull_pause(name: str) -> None:
    """Stop pulling (the checkpoint is kept)."""
    _set_paused(name, True)


@pull.command("resume")
@click.argument("name")
def pull_resume(name: str) -> None:
    """Pull again from the checkpoint."""
    _set_paused(name, False)


@pull.command("set-policy")
@click.argument("name")
@click.argument("policy", type=click.Choice(["enforce", "flag", "off"]))
def pull_set_policy(name: str, policy: str) -> None:
    """Change the profile policy the job's statements are stored under (then `retry`)."""
    hub, _ = _hub()
    try:
        jobs.set_profile_policy(hub.store, name, policy)
    except LRSError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{name}: profile policy {policy}")


@pull.command("run")
@click.argument("name", required=False)
@click.option("--once", is_flag=True, required=True,
              help="Page until caught up, then exit (the follower repeats this).")
@click.option("--max-pages", type=int, help="Stop after this many pages.")
def pull_run(name: str | None, once: bool, max_pages: int | None) -> None:
    """Run a pull job (or every active one) until caught up; exit 1 on an error."""
    from adapters.pull import Puller

    del once
    hub, app = _hub()
    names = [name] if name else [
        j.name for j in jobs.list_jobs(hub.store) if j.kind == "pull" and not j.paused
    ]
    failed = False
    for job_name in names:
        try:
            report = Puller(hub, services(app).settings, job_name).run(max_pages)
        except LRSError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"{job_name}: {report.pages} pages, {report.received} received, "
                   f"{report.stored} stored, {report.duplicates} duplicates, "
                   f"{report.refused} refused, {report.skipped} skipped"
                   + (", caught up" if report.caught_up else "")
                   + (f"; error: {report.error}" if report.error else ""))
        failed = failed or report.error is not None
    sys.exit(1 if failed else 0)


@gateway.group()
def forward() -> None:
    """Forward jobs: this hub's outbox → an upstream LRS."""


@forward.command("add")
@click.option("--name", required=True, help="The job's name (letters, digits, . _ -).")
@click.option("--endpoint", required=True, help="The upstream's xAPI endpoint.")
@click.option("--key", required=True, help="The upstream credential's key.")
@click.option("--secret", help="The upstream credential's secret (stored encrypted).")
@click.option("--secret-env", help="Or: the environment variable that holds the secret.")
@click.option("--org", default="", help="Only statements stored under this org subtree.")
@click.option("--profile", help="Only statements that declare this xAPI Profile.")
@click.option("--verb", "verbs", multiple=True, help="Only these verbs (repeatable).")
@click.option("--batch", type=int, default=100, show_default=True)
@click.option("--from-now", is_flag=True, help="Skip what is stored already.")
@click.option("--xapi-version", type=click.Choice(["2.0.0", "1.0.3"]), default="2.0.0",
              show_default=True, help="The xAPI version the upstream speaks.")
def forward_add(name: str, endpoint: str, key: str, secret: str | None,
                secret_env: str | None, org: str, profile: str | None,
                verbs: tuple[str, ...], batch: int, from_now: bool, xapi_version: str) -> None:
    """Add a forward job (from the first stored statement, or --from-now)."""
    from adapters.forward import add_forward_job

    if not secret and not secret_env:
        secret = click.prompt("upstream secret", hide_input=True)
    hub, app = _hub()
    try:
        job = add_forward_job(hub.store, services(app).settings, name=name,
                              endpoint=endpoint, key=key, secret=secret, secret_env=secret_env,
                              org=org, profile=profile, verbs=verbs, batch=batch,
                              from_now=from_now, version=xapi_version)
    except LRSError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"forward job {job.name} added: org {job.org or '(root)'} → "
               f"{job.config['endpoint']}")


@forward.command("list")
@click.option("--json", "as_json", is_flag=True)
def forward_list(as_json: bool) -> None:
    """The forward jobs with their cursors (never their secrets)."""
    _list("forward", as_json)


@forward.command("pause")
@click.argument("name")
def forward_pause(name: str) -> None:
    """Stop forwarding (the cursor is kept)."""
    _set_paused(name, True)


@forward.command("resume")
@click.argument("name")
def forward_resume(name: str) -> None:
    """Forward again from the cursor."""
    _set_paused(name, False)


@forward.command("run")
@click.argument("name", required=False)
@click.option("--once", is_flag=True, required=True,
              help="Send until the cursor is at the end, then exit.")
@click.option("--max-batches", type=int, help="Stop after this many batches.")
def forward_run(name: str | None, once: bool, max_batches: int | None) -> None:
    """Run a forward job (or every active one) until caught up; exit 1 on an error."""
    from adapters.forward import Forwarder

    del once
    hub, app = _hub()
    names = [name] if name else [
        j.name for j in jobs.list_jobs(hub.store) if j.kind == "forward" and not j.paused
    ]
    failed = False
    for job_name in names:
        try:
            report = Forwarder(hub.store, services(app).settings, job_name).run(
                max_batches)
        except LRSError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"{job_name}: {report.pages} batches, {report.received} events, "
                   f"{report.stored} sent, {report.refused} refused, "
                   f"{report.skipped} filtered out"
                   + (", caught up" if report.caught_up else "")
                   + (f"; error: {report.error}" if report.error else ""))
        failed = failed or report.error is not None
    sys.exit(1 if failed else 0)


@gateway.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--platform", required=True, help="The platform's short code (part of every id).")
@click.option("--home-page", required=True, help="The homePage of the platform's accounts.")
@click.option("--platform-name", default="", help="Its name, e.g. 福建干部网络学院.")
@click.option("--institution-code", default="", help="The institution's credit code.")
@click.option("--org", default="", help="The org path the records are stored under.")
@click.option("--mapping", "mapping_file", type=click.Path(exists=True, dir_okay=False),
              help='JSON {"field": "header"} for headers that differ from the usual ones.')
@click.option("--profile-policy", type=click.Choice(["enforce", "flag", "off"]),
              default="flag", show_default=True,
              help="Profile validation for the platform's import credential (first import).")
@click.option("--dry-run", is_flag=True, help="Check every row and report; store nothing.")
@click.option("--json", "as_json", is_flag=True, help="The whole per-row report as JSON.")
def import_command(file: str, platform: str, home_page: str, platform_name: str,
                   institution_code: str, org: str, mapping_file: str | None,
                   profile_policy: str, dry_run: bool, as_json: bool) -> None:
    """Import a legacy CSV / .xlsx export of learning records; exit 1 if a row was refused."""
    from pathlib import Path

    from adapters.legacy.convert import Platform
    from adapters.legacy.importer import import_file

    hub, app = _hub()
    data = Path(file).read_bytes()
    custom = json.loads(Path(mapping_file).read_text("utf-8")) if mapping_file else None
    target = Platform(platform, home_page, platform_name, institution_code)
    try:
        with click.progressbar(length=max(data.count(b"\n") - 1, 1), label="importing",
                               file=sys.stderr) as bar:
            report = import_file(hub, services(app).settings, data, target, org=org,
                                 custom_mapping=custom, dry_run=dry_run,
                                 profile_policy=profile_policy, progress=bar.update)
    except LRSError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        _echo_json(report.as_dict())
    else:
        for row in report.rows:
            if row.status != "accepted":
                click.echo(f"第 {row.row} 行 row {row.row}: {row.status}"
                           + (f": {row.reason}" if row.reason else ""))
        c = report.counts()
        click.echo(("(dry run) " if dry_run else "")
                   + f"accepted {c['accepted']}, duplicate {c['duplicate']}, "
                   f"refused {c['refused']}")
    sys.exit(1 if report.counts()["refused"] else 0)


@gateway.command("follow")
@click.option("--interval", type=float, default=5.0, show_default=True,
              help="Seconds between passes over the jobs when all are caught up.")
@click.option("--nice", "niceness", type=click.IntRange(0, 19), default=0, show_default=True,
              help="Lower this process's CPU priority by this much (lrs serve uses 5).")
@click.option("--parent", type=int, hidden=True,
              help="Exit when this process is no longer our parent (lrs serve's follower).")
def follow_command(interval: float, niceness: int, parent: int | None) -> None:
    """Run every active gateway job until stopped (what `lrs serve` starts)."""
    from adapters.follower import follow

    if niceness:
        os.nice(niceness)
    hub, app = _hub()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    logging.basicConfig(
        level=os.environ.get("LRS_LOG_LEVEL", "info").upper(),
        format="%(asctime)s [%(process)d] [%(levelname)s] %(name)s: %(message)s",
    )
    follow(hub, services(app).settings, stop, interval, parent)


@gateway.command("status")
@click.option("--json", "as_json", is_flag=True)
def status(as_json: bool) -> None:
    """Every job: checkpoint, lag, rate, errors, dead letters."""
    hub, _ = _hub()
    found = [jobs.job_status(hub.store, j) for j in jobs.list_jobs(hub.store)]
    if as_json:
        _echo_json({"jobs": found})
        return
    for s in found:
        c = s["counters"]
        click.echo(
            f"{s['kind']} {s['name']}: {'paused' if s['paused'] else 'active'}, "
            f"lag {s['lagSeconds']} s, {s['ratePerSecond'] or 0}/s last run, "
            f"received {c['received']}, stored {c['stored']}, sent {c['sent']}, "
            f"refused {c['refused']}, dead letters open {s['deadLetters'].get('open', 0)}"
            + (f", last error: {s['lastError']['message']}" if s["lastError"] else "")
        )


@gateway.command("dead-letters")
@click.option("--job", help="Only this job's.")
@click.option("--status", "status_", type=click.Choice(["open", "resolved", "all"]),
              default="open", show_default=True)
@click.option("--json", "as_json", is_flag=True)
def dead_letters(job: str | None, status_: str, as_json: bool) -> None:
    """What the hub (or the upstream) refused, with the reason."""
    hub, _ = _hub()
    with hub.store.read() as uow:
        letters = uow.gateway.dead_letters(job, None if status_ == "all" else status_,
                                           limit=10_000)
    if as_json:
        _echo_json([_letter_view(d) for d in letters])
        return
    for d in letters:
        click.echo(f"{d.id}\t{d.job}\t{d.item}\t{d.status}\tattempts={d.attempts}\t{d.reason}")


def _letter_view(d) -> dict:
    return {"id": d.id, "job": d.job, "item": d.item, "reason": d.reason, "status": d.status,
            "attempts": d.attempts, "org": d.org,
            "created": d.created.isoformat() if d.created else None,
            "updated": d.updated.isoformat() if d.updated else None}


@gateway.command("retry")
@click.argument("letter_ids", nargs=-1)
@click.option("--job", help="Retry every open dead letter of this job.")
def retry(letter_ids: tuple[str, ...], job: str | None) -> None:
    """Try dead letters again (after fixing the cause); exit 1 if any is still refused."""
    hub, app = _hub()
    with hub.store.read() as uow:
        letters = [uow.gateway.get_dead_letter(i) for i in letter_ids]
        if job:
            letters += uow.gateway.dead_letters(job, "open", limit=10_000)
    missing = [i for i, d in zip(letter_ids, letters, strict=False) if d is None]
    if missing:
        raise click.ClickException(f"no dead letter {missing[0]}")
    still = 0
    for letter in letters:
        assert letter is not None
        try:
            target = jobs.get_job(hub.store, letter.job)
            if target.kind == "forward":
                from adapters.forward import Forwarder

                why = Forwarder(hub.store, services(app).settings, target.name).retry(
                    letter)
            else:
                report = retry_letter(hub, jobs.job_credential(hub.store, target), letter)
                why = report.refused[0][1] if report.refused else None
        except LRSError as exc:
            raise click.ClickException(str(exc)) from exc
        if why:
            still += 1
            click.echo(f"{letter.id}: still refused: {why}")
        else:
            click.echo(f"{letter.id}: delivered")
    sys.exit(1 if still else 0)


__all__ = ["gateway"]
