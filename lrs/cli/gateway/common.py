"""What every ``lrs gateway`` command shares: the hub it works on, JSON output."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from lrs.config import Settings
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
