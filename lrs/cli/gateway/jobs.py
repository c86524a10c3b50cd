"""``lrs gateway pull …``, ``forward …``, ``status`` and ``follow``: the gateway's jobs."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from lrs.cli.gateway.common import cli_settings, echo_json, hub, job_store, one_line_errors
from lrs.domain.gateway import jobs

if TYPE_CHECKING:
    from lrs.storage.port import Store

F = TypeVar("F", bound=Callable[..., Any])  # a click command, decorated


@click.group()
def pull() -> None:
    """Pull jobs: a platform LRS → this hub."""


def _remote_options(remote: str, endpoint_help: str) -> Callable[[F], F]:
    """The options every job has: its name, and the ``remote`` LRS it reaches and how."""
    options = [
        click.option("--name", required=True, help="The job's name (letters, digits, . _ -)."),
        click.option("--endpoint", required=True, help=endpoint_help),
        click.option("--key", required=True, help=f"The {remote} credential's key."),
        click.option("--secret", help=f"The {remote} credential's secret (stored encrypted)."),
        click.option("--secret-env", help="Or: the environment variable that holds the secret."),
    ]

    def decorate(command: F) -> F:
        for option in reversed(options):  # decorators apply bottom-up; --help lists top-down
            command = option(command)
        return command

    return decorate


def _xapi_version(remote: str) -> Callable[[F], F]:
    return click.option("--xapi-version", type=click.Choice(list(jobs.VERSIONS)),
                        default="2.0.0", show_default=True,
                        help=f"The xAPI version the {remote} speaks.")


@pull.command("add")
@_remote_options("source", "The source's xAPI endpoint, e.g. https://…/xapi")
@click.option("--since", help="Pull statements stored after this time (ISO 8601).")
@click.option("--org", default="", help="The org path the statements are stored under.")
@click.option("--profile", help="Only statements that declare this xAPI Profile.")
@click.option("--profile-policy", type=click.Choice(["enforce", "flag", "off"]),
              help="Profile validation for what this job stores (default: LRS_PROFILE_POLICY).")
@click.option("--page-size", type=int, default=200, show_default=True)
@_xapi_version("source")
def pull_add(name: str, endpoint: str, key: str, secret: str | None, secret_env: str | None,
             since: str | None, org: str, profile: str | None, profile_policy: str | None,
             page_size: int, xapi_version: str) -> None:
    """Add a pull job (it starts with the next `run` or follower pass)."""
    if not secret and not secret_env:
        secret = click.prompt("remote secret", hide_input=True)
    settings = cli_settings()
    with one_line_errors():
        job = jobs.add_pull_job(
            job_store(settings), settings, name=name, endpoint=endpoint, key=key,
            secret=secret, secret_env=secret_env, since=since, org=org, profile=profile,
            profile_policy=profile_policy, page_size=page_size, version=xapi_version,
        )
    click.echo(f"pull job {job.name} added: {job.config['endpoint']} → org "
               f"{job.org or '(root)'}")


@pull.command("list")
@click.option("--json", "as_json", is_flag=True)
def pull_list(as_json: bool) -> None:
    """The pull jobs with their checkpoints (never their secrets)."""
    _list("pull", as_json)


def _list(kind: str, as_json: bool) -> None:
    store = job_store(cli_settings())
    found = [jobs.job_status(store, j) for j in jobs.list_jobs(store) if j.kind == kind]
    if as_json:
        echo_json(found)
        return
    for s in found:
        state = "paused" if s["paused"] else ("caught up" if s["caughtUp"] else "behind")
        c = s["counters"]
        click.echo(f"{s['name']}\t{s['config'].get('endpoint')}\torg={s['org'] or '/'}\t{state}"
                   f"\tstored={c['stored']} dup={c['duplicates']} refused={c['refused']}"
                   f"\tdead letters={s['deadLetters'].get('open', 0)}"
                   + (f"\terror={s['lastError']['message']}" if s["lastError"] else ""))


def _set_paused(name: str, paused: bool) -> None:
    store = job_store(cli_settings())
    with one_line_errors():
        jobs.set_paused(store, name, paused)
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
    store = job_store(cli_settings())
    with one_line_errors():
        jobs.set_profile_policy(store, name, policy)
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
    settings = cli_settings()
    the_hub = hub(settings)
    _run_each("pull", name, the_hub.store,
              lambda job: Puller(the_hub, settings, job).run(max_pages),
              lambda r: f"{r.pages} pages, {r.received} received, {r.stored} stored, "
                        f"{r.duplicates} duplicates, {r.refused} refused, {r.skipped} skipped")


def _run_each(kind: str, name: str | None, store: Store, run: Callable[[str], Any],
              counts: Callable[[Any], str]) -> None:
    """Run the named job, or every active job of ``kind``, until caught up (``run`` runs
    one by its name): one line each (``counts`` words the report), exit 1 if any ended on
    an error."""
    names = [name] if name else [
        j.name for j in jobs.list_jobs(store) if j.kind == kind and not j.paused
    ]
    failed = False
    for job_name in names:
        with one_line_errors():
            report = run(job_name)
        click.echo(f"{job_name}: {counts(report)}"
                   + (", caught up" if report.caught_up else "")
                   + (f"; error: {report.error}" if report.error else ""))
        failed = failed or report.error is not None
    sys.exit(1 if failed else 0)


@click.group()
def forward() -> None:
    """Forward jobs: this hub's outbox → an upstream LRS."""


@forward.command("add")
@_remote_options("upstream", "The upstream's xAPI endpoint.")
@click.option("--org", default="", help="Only statements stored under this org subtree.")
@click.option("--profile", help="Only statements that declare this xAPI Profile.")
@click.option("--verb", "verbs", multiple=True, help="Only these verbs (repeatable).")
@click.option("--batch", type=int, default=100, show_default=True)
@click.option("--from-now", is_flag=True, help="Skip what is stored already.")
@_xapi_version("upstream")
def forward_add(name: str, endpoint: str, key: str, secret: str | None,
                secret_env: str | None, org: str, profile: str | None,
                verbs: tuple[str, ...], batch: int, from_now: bool, xapi_version: str) -> None:
    """Add a forward job (from the first stored statement, or --from-now)."""
    from adapters.forward import add_forward_job

    if not secret and not secret_env:
        secret = click.prompt("upstream secret", hide_input=True)
    settings = cli_settings()
    with one_line_errors():
        job = add_forward_job(job_store(settings), settings, name=name,
                              endpoint=endpoint, key=key, secret=secret, secret_env=secret_env,
                              org=org, profile=profile, verbs=verbs, batch=batch,
                              from_now=from_now, version=xapi_version)
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
    settings = cli_settings()
    store = job_store(settings)
    _run_each("forward", name, store,
              lambda job: Forwarder(store, settings, job).run(max_batches),
              lambda r: f"{r.pages} batches, {r.received} events, {r.stored} sent, "
                        f"{r.refused} refused, {r.skipped} filtered out")


@click.command("follow")
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
    settings = cli_settings()
    the_hub = hub(settings)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    logging.basicConfig(
        level=os.environ.get("LRS_LOG_LEVEL", "info").upper(),
        format="%(asctime)s [%(process)d] [%(levelname)s] %(name)s: %(message)s",
    )
    follow(the_hub, settings, stop, interval, parent)


@click.command("status")
@click.option("--json", "as_json", is_flag=True)
def status(as_json: bool) -> None:
    """Every job: checkpoint, lag, rate, errors, dead letters."""
    store = job_store(cli_settings())
    found = [jobs.job_status(store, j) for j in jobs.list_jobs(store)]
    if as_json:
        echo_json({"jobs": found})
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


