"""What every ``lrs gateway`` command shares: the hub it works on, errors, JSON output."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from lrs.config import Settings
from lrs.domain.errors import LRSError
from lrs.domain.identity.keys import IdentitySecretError

if TYPE_CHECKING:
    from lrs.domain.gateway.ingest import Hub
    from lrs.storage.port import Store


def cli_settings() -> Settings:
    try:
        return Settings.from_env()
    except ValueError as exc:  # SettingsError names the variable
        raise click.ClickException(str(exc)) from exc


def hub(settings: Settings) -> Hub:
    """The hub (the store and the LRS's ingest hooks, the xAPI Profiles loaded) for the
    commands that store statements, or one line naming what is wrong (never a traceback)."""
    from lrs.gateway_hub import build_hub  # loads the profiles: only when a command runs

    try:
        return build_hub(settings)
    except (IdentitySecretError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc


def job_store(settings: Settings) -> Store:
    """The store alone, for the commands that manage jobs, read their status or send
    statements upstream: no profiles to load, so they answer at once."""
    from lrs.storage.factory import open_store

    try:
        return open_store(settings.resolved_database_url())
    except ValueError as exc:  # UnsupportedDatabase
        raise click.ClickException(str(exc)) from exc


def echo_json(value: object) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


@contextmanager
def one_line_errors() -> Iterator[None]:
    """A domain error (a bad option, an unknown job) ends the command with its message and
    exit code 1, not a traceback."""
    try:
        yield
    except LRSError as exc:
        raise click.ClickException(str(exc)) from exc
