"""``lrs gateway …`` (the hub's operator, at the root): jobs (``jobs.py``: pull, forward,
status, follow), dead letters (``letters.py``) and legacy file imports (``imports.py``)."""

from __future__ import annotations

import click

from lrs.cli.gateway.imports import import_command
from lrs.cli.gateway.jobs import follow_command, forward, pull, status
from lrs.cli.gateway.letters import dead_letters, retry


@click.group()
def gateway() -> None:
    """The interoperability gateway: pull from platform LRSs, forward upstream, import files."""


for _command in (pull, forward, import_command, follow_command, status, dead_letters, retry):
    gateway.add_command(_command)

__all__ = ["gateway"]
