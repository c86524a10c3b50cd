"""``lrs gateway import``: a legacy CSV / .xlsx export of learning records → the hub."""

from __future__ import annotations

import json
import sys

import click

from lrs.cli.gateway.common import cli_settings, echo_json, hub, one_line_errors


@click.command("import")
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

    settings = cli_settings()
    the_hub = hub(settings)
    data = Path(file).read_bytes()
    custom = json.loads(Path(mapping_file).read_text("utf-8")) if mapping_file else None
    target = Platform(platform, home_page, platform_name, institution_code)
    rows = max(data.count(b"\n") - 1, 1)
    with one_line_errors(), click.progressbar(length=rows, label="importing",
                                              file=sys.stderr) as bar:
        report = import_file(the_hub, settings, data, target, org=org,
                             custom_mapping=custom, dry_run=dry_run,
                             profile_policy=profile_policy, progress=bar.update)
    if as_json:
        echo_json(report.as_dict())
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
