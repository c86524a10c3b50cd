"""The ``lrs`` command line."""

from __future__ import annotations

import importlib
import json
import sqlite3
import sys

import click

from lrs.cli.backup import backup, restore
from lrs.cli.identity import check_role_scopes, role_settings, trainees
from lrs.config import Settings, SettingsError
from lrs.domain.credentials import SCOPES, create_credential, list_credentials, revoke_credential
from lrs.domain.errors import LRSError
from lrs.domain.identity.keys import IdentitySecretError
from lrs.domain.identity.roles import ROLES
from lrs.storage.factory import UnsupportedDatabase, open_store


def _store():
    url = Settings.from_env().resolved_database_url()
    try:
        return open_store(url)
    except UnsupportedDatabase as exc:
        raise click.ClickException(str(exc)) from exc
    except (OSError, sqlite3.Error) as exc:
        raise click.ClickException(_unusable_store(url, exc)) from exc


def _unusable_store(url: str, exc: Exception) -> str:
    """One line for an unreadable/unwritable data directory, instead of a traceback."""
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return f"cannot open the store {url}: {reason} (check LRS_DATA_DIR and its permissions)"


class _Main(click.Group):
    """Every command reads the settings: a wrong LRS_* variable ends it with one line naming
    the variable and exit code 2 (a usage error), never a traceback.

    The archive and gateway groups are imported when named (click's documented lazy
    loading): they import much of the domain, which ``lrs credentials create`` or the
    server's follower processes do not need at start."""

    _LAZY = {"archive": "lrs.cli.archive", "gateway": "lrs.cli.gateway"}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self._LAZY])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = self._LAZY.get(cmd_name)
        if module is None:
            return super().get_command(ctx, cmd_name)
        found: click.Command = getattr(importlib.import_module(module), cmd_name)
        return found

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except SettingsError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(2)


@click.group(cls=_Main)
def main() -> None:
    """Learning record store for cadre online training (xAPI 1.0.3 and 2.0)."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@click.option("--workers", type=int, help="Worker processes (default LRS_WORKERS or 2).")
@click.option("--threads", type=int, help="Threads per worker (default LRS_THREADS or 4).")
def serve(host: str, port: int, workers: int | None, threads: int | None) -> None:
    """Serve the xAPI API under /xapi/."""
    from lrs.server import serve as run

    try:
        run(host, port, workers, threads)
    except SettingsError:
        raise  # exit code 2, see _Main
    except (UnsupportedDatabase, IdentitySecretError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    except (OSError, sqlite3.Error) as exc:
        raise click.ClickException(
            _unusable_store(Settings.from_env().resolved_database_url(), exc)
        ) from exc


@main.group()
def credentials() -> None:
    """Manage API credentials (HTTP Basic key and secret)."""


@credentials.command("create")
@click.option("--name", required=True, help="Who uses it, e.g. the platform's name.")
@click.option("--scopes", required=True, help=f"Comma-separated: {', '.join(SCOPES)}.")
@click.option("--org", default="", help="Organisation path, e.g. fj/fz; empty for the whole LRS.")
@click.option("--json", "as_json", is_flag=True, help='Print only {"key": …, "secret": …}.')
@click.option(
    "--profile-policy",
    type=click.Choice(["enforce", "flag", "off"]),
    help="xAPI Profile validation of its statements (default LRS_PROFILE_POLICY or flag).",
)
@click.option("--role", type=click.Choice(ROLES), help="Who it is to the trainee registry.")
@click.option("--unit", help="Org path of the unit or department (--role unit/department).")
@click.option("--trainee", help="Agreed identifier or trainee key (--role trainee).")
def create(
    name: str,
    scopes: str,
    org: str,
    as_json: bool,
    profile_policy: str | None,
    role: str | None = None,
    unit: str | None = None,
    trainee: str | None = None,
) -> None:
    """Create a credential and print its key and secret (the secret is shown once)."""
    identity = role_settings(role, unit, trainee, org)
    check_role_scopes(identity, scopes)
    policy = profile_policy or Settings.from_env().profile_policy
    if policy not in ("enforce", "flag", "off"):
        raise click.ClickException(f"LRS_PROFILE_POLICY must be enforce, flag or off: {policy!r}")
    store = _store()
    try:
        credential, secret = create_credential(
            store, name, scopes, org=org, settings={"profile_policy": policy, **identity}
        )
    except LRSError as exc:
        raise click.ClickException(exc.message) from exc
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps({"key": credential.key, "secret": secret}))
        return
    click.echo(f"key:    {credential.key}")
    click.echo(f"secret: {secret}")
    click.echo(f"scopes: {', '.join(credential.scopes)}")
    if credential.org:
        click.echo(f"org:    {credential.org}")
    if identity:
        click.echo(f"role:   {identity['role']} {identity.get('unit', '')}".rstrip())
    click.echo("Store the secret now: only its hash is kept.", err=True)


@credentials.command("list")
@click.option("--json", "as_json", is_flag=True)
def list_(as_json: bool) -> None:
    """List credentials (never their secrets)."""
    store = _store()
    try:
        items = list_credentials(store)
    finally:
        store.close()
    if as_json:
        rows = [{"key": c.key, "name": c.name, "scopes": list(c.scopes), "org": c.org,
                 "created": c.created.isoformat() if c.created else None, "revoked": c.revoked}
                for c in items]
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for c in items:
        state = "revoked" if c.revoked else "active"
        click.echo(f"{c.key}  {state:7}  {','.join(c.scopes):30}  {c.org or '-':10}  {c.name}")


@credentials.command("revoke")
@click.argument("key")
def revoke(key: str) -> None:
    """Revoke a credential; requests with it are refused from then on."""
    store = _store()
    try:
        found = revoke_credential(store, key)
    finally:
        store.close()
    if not found:
        click.echo(f"no credential {key}", err=True)
        sys.exit(1)
    click.echo(f"revoked {key}")


@main.group()
def profile() -> None:
    """Check xAPI Profile documents and validate statements against them."""


@profile.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--with", "others", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Another profile whose templates and patterns may be referenced.")
def profile_check(paths: tuple[str, ...], others: tuple[str, ...]) -> None:
    """Check profile documents; print each problem with its JSON path (exit 1 on errors)."""
    from lrs.domain.profiles.commands import check_files

    _print_output(check_files(list(paths), list(others)))


@profile.command("validate")
@click.option("--profile", "profile_ref", required=True,
              help="A profile file, or the id of a profile under LRS_PROFILES_DIR.")
@click.option("--mode", type=click.Choice(["spec", "any-template"]), default="any-template",
              show_default=True)
@click.option("--complete", is_flag=True,
              help="The file holds whole registrations: an unfinished pattern is a failure.")
@click.argument("statements", type=click.Path(exists=True, dir_okay=False))
def profile_validate(profile_ref: str, mode: str, complete: bool, statements: str) -> None:
    """Validate statements (one object or an array) against a profile (exit 1 on violations)."""
    from lrs.domain.profiles.commands import validate_file
    from lrs.domain.profiles.registry import ProfileLoadError

    try:
        output = validate_file(
            profile_ref, statements, mode, complete, Settings.from_env().profiles_dir
        )
    except (ProfileLoadError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    _print_output(output)


def _print_output(output) -> None:
    for line in output.lines:
        click.echo(line)
    sys.exit(1 if output.failed else 0)


main.add_command(trainees)
main.add_command(backup)
main.add_command(restore)

