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
from lrs.storage.factory import UnsupportedDatabase

if TYPE_CHECKING:
    from flask import Flask

    from lrs.domain.gateway.ingest import Hub


def hub() -> tuple[Hub, Flask]:
    """The hub and its app, or one line naming what is wrong (never a traceback)."""
    from lrs.gateway_hub import build_hub  # builds the app: only when a command runs

    try:
        return build_hub(Settings.from_env())
    except (UnsupportedDatabase, IdentitySecretError, ValueError) as exc:
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
