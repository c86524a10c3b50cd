"""``lrs trainees …``: the trainee registry from the command line (run by the hub's operator).

The operator acts as an ``admin`` at the root: names are shown in clear,
agreed identifiers never (only their masked form and trainee key).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from lrs.cli import identity_text as text
from lrs.config import Settings
from lrs.domain.credentials import parse_scopes
from lrs.domain.errors import LRSError
from lrs.domain.identity import conflicts as conflict_rules
from lrs.domain.identity import statement_access, views
from lrs.domain.identity.csv_import import decode, import_rows, read_rows
from lrs.domain.identity.keys import IdentityKeys, IdentitySecretError, load_identity_keys
from lrs.domain.identity.roles import Reader, credential_settings
from lrs.domain.identity.vocabulary import SOURCE_IMPORT
from lrs.storage.factory import UnsupportedDatabase, open_store

OPERATOR = Reader("admin", "", None, "cli")


def _keys(settings: Settings) -> IdentityKeys:
    try:
        return load_identity_keys(
            settings.identity_secret, settings.data_dir, settings.resolved_database_url()
        )
    except IdentitySecretError as exc:
        raise click.ClickException(str(exc)) from exc


def _open():
    settings = Settings.from_env()
    try:
        store = open_store(settings.resolved_database_url())
    except UnsupportedDatabase as exc:
        raise click.ClickException(str(exc)) from exc
    return settings, store


def role_settings(
    role: str | None, unit: str | None, trainee: str | None, org: str
) -> dict[str, Any]:
    """``Credential.settings`` for ``lrs credentials create --role/--unit/--trainee``."""
    key = _keys(Settings.from_env()).key_or_id(trainee) if trainee else None
    try:
        return credential_settings(role, unit, key, org)
    except LRSError as exc:
        raise click.ClickException(exc.message) from exc


def check_role_scopes(identity: dict[str, Any], scopes: str) -> None:
    """Refuse a trainee, unit or department credential that would open documents."""
    try:
        statement_access.check_role_scopes(identity.get("role"), parse_scopes(scopes))
    except LRSError as exc:
        raise click.ClickException(exc.message) from exc


@click.group()
def trainees() -> None:
    """The trainee registry: agreed identifiers, units, linked accounts, conflicts."""


@trainees.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def import_(file: Path, as_json: bool) -> None:
    """Import trainees and accounts from a CSV file (columns in README.md)."""
    settings, store = _open()
    keys = _keys(settings)
    try:
        rows = read_rows(decode(file.read_bytes()))
        with click.progressbar(length=len(rows), label="导入中", file=sys.stderr) as bar:
            report = import_rows(store, keys, OPERATOR, rows, SOURCE_IMPORT, progress=bar.update)
    except LRSError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        for line in text.import_report_lines(report):
            click.echo(line)
    if report.refused:
        raise SystemExit(1)


@trainees.command("show")
@click.argument("trainee")
@click.option("--json", "as_json", is_flag=True)
def show(trainee: str, as_json: bool) -> None:
    """Show a trainee by agreed identifier or trainee key."""
    settings, store = _open()
    key = _keys(settings).key_or_id(trainee)
    try:
        view = views.show(store, OPERATOR, key)
        open_conflicts = conflict_rules.conflicts_for(store, OPERATOR, "open", key)
    except LRSError as exc:
        raise click.ClickException(exc.message) from exc
    finally:
        store.close()
    view["open_conflicts"] = [str(c.id) for c in open_conflicts]
    if as_json:
        click.echo(json.dumps(view, ensure_ascii=False))
        return
    click.echo(f"key:       {view['key']}")
    click.echo(f"id:        {view['masked_id']}")
    click.echo(f"name:      {view['name']}{'  (provisional)' if view['provisional'] else ''}")
    click.echo(f"position:  {view['position']}")
    click.echo(f"rank:      {view['rank']}")
    click.echo(f"unit:      {view['unit'] or '-'}")
    for m in view["memberships"]:
        click.echo(f"  member:  {m['unit']}  {m['joined'] or '?'} → {m['left'] or 'now'}")
    for a in view["accounts"]:
        ifi = {k: v for k, v in a["agent"].items() if k != "objectType"}
        click.echo(f"  account: {json.dumps(ifi, ensure_ascii=False)}  ({a['source']})")
    if view["open_conflicts"]:
        click.echo(f"open conflicts: {', '.join(view['open_conflicts'])}")


@trainees.command("conflicts")
@click.option("--all", "all_", is_flag=True, help="Resolved and dismissed ones too.")
@click.option("--json", "as_json", is_flag=True)
def conflicts(all_: bool, as_json: bool) -> None:
    """List identity conflicts waiting for a decision."""
    _, store = _open()
    try:
        items = conflict_rules.conflicts_for(store, OPERATOR, "all" if all_ else "open",
                                             limit=10_000)
        trainees = {} if as_json else conflict_rules.parties(store, items)
    finally:
        store.close()
    rows = [
        {
            "id": str(c.id),
            "kind": c.kind,
            "status": c.status,
            "org": c.org,
            "trainee": c.trainee_key,
            "other_trainee": c.other_trainee_key,
            "count": c.count,
            "details": c.details,
        }
        for c in items
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for line in text.conflict_lines(items, trainees):
        click.echo(line)
