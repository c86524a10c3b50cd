"""``lrs backup PATH`` and ``lrs restore PATH``: see :mod:`lrs.storage.sqlite.backup`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

import click

from lrs.config import Settings
from lrs.storage.sqlite import backup as store_backup

P = ParamSpec("P")
T = TypeVar("T")

SECRET_FILE = "identity-secret"  # lrs.domain.identity.keys.SECRET_FILE, in the data dir


def _paths() -> tuple[Path, Path | None]:
    settings = Settings.from_env()
    try:
        database = store_backup.sqlite_path(settings.resolved_database_url())
    except store_backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    # With LRS_IDENTITY_SECRET set there is no generated secret file to carry along.
    secret = None if settings.identity_secret else Path(settings.data_dir) / SECRET_FILE
    return database, secret


def _report(verb: str, summary: store_backup.StoreSummary, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(summary.as_dict()))
    else:
        click.echo(
            f"{verb} {summary.path}: {summary.statements} statements "
            f"(last seq {summary.last_seq}), {summary.bytes} bytes, integrity ok"
        )


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary.")
def backup(path: Path, force: bool, as_json: bool) -> None:
    """Copy the live store to PATH: one consistent snapshot, while the LRS keeps serving."""
    database, secret = _paths()
    summary = _run(store_backup.backup, database, path, force=force, secret=secret)
    _report("backed up to", summary, as_json)


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a store that already holds data.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary.")
def restore(path: Path, force: bool, as_json: bool) -> None:
    """Restore the store from the backup at PATH (stop `lrs serve` first)."""
    database, secret = _paths()
    summary = _run(store_backup.restore, path, database, force=force, secret=secret)
    _report("restored", summary, as_json)


def _run(action: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run a backup or restore; its refusals become the command's error message."""
    try:
        return action(*args, **kwargs)
    except store_backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
