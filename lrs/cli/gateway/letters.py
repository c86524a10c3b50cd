"""``lrs gateway dead-letters`` and ``retry``: what the hub (or the upstream) refused."""

from __future__ import annotations

import sys
from datetime import datetime

import click

from lrs.cli.gateway.common import cli_settings, echo_json, hub, job_store, one_line_errors
from lrs.domain.gateway import dead_letters as letters


@click.command("dead-letters")
@click.option("--job", help="Only this job's.")
@click.option("--status", "status_", type=click.Choice(letters.STATUSES),
              default="open", show_default=True)
@click.option("--json", "as_json", is_flag=True)
def dead_letters(job: str | None, status_: str, as_json: bool) -> None:
    """What the hub (or the upstream) refused, with the reason."""
    store = job_store(cli_settings())
    found = letters.list_dead_letters(store, job=job, status=status_, limit=10_000)
    if as_json:
        echo_json([letters.letter_view(d, datetime.isoformat) for d in found])
        return
    for d in found:
        click.echo(f"{d.id}\t{d.job}\t{d.item}\t{d.status}\tattempts={d.attempts}\t{d.reason}")


@click.command("retry")
@click.argument("letter_ids", nargs=-1)
@click.option("--job", help="Retry every open dead letter of this job.")
def retry(letter_ids: tuple[str, ...], job: str | None) -> None:
    """Try dead letters again (after fixing the cause); exit 1 if any is still refused."""
    from lrs.gateway_hub import retry_dead_letter

    settings = cli_settings()
    the_hub = hub(settings)
    still = 0
    with one_line_errors():
        found = letters.letters_to_retry(the_hub.store, letter_ids, job)
        for letter in found:
            why = retry_dead_letter(the_hub, settings, letter)
            if why:
                still += 1
                click.echo(f"{letter.id}: still refused: {why}")
            else:
                click.echo(f"{letter.id}: delivered")
    sys.exit(1 if still else 0)
