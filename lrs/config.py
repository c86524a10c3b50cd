"""Settings, read once from environment variables (documented in README.md)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from lrs.domain.cadre import PROFILE as CADRE_PROFILE

KNOWN_VERSIONS = ("2.0.0", "1.0.3")


class SettingsError(ValueError):
    """An environment variable with a value the LRS cannot use; names the variable."""

    def __init__(self, variable: str, message: str) -> None:
        self.variable = variable
        super().__init__(f"{variable} {message}")


@dataclass(frozen=True)
class Settings:
    database_url: str = ""
    # Largest request body accepted, in bytes; larger requests get 413.
    max_body_bytes: int = 32 * 1024 * 1024
    # Most statements a single GET /statements page returns.
    max_page_size: int = 500
    # The xAPI versions served, newest first. A request without a version
    # header is answered with the newest one.
    versions: tuple[str, ...] = ("2.0.0", "1.0.3")
    data_dir: Path = field(default_factory=lambda: Path("lrs-data"))
    # homePage of the account under which a credential appears as `authority`.
    authority_homepage: str = "http://localhost/xapi/credentials"
    # How far X-Experience-API-Consistent-Through trails the clock: at least
    # the longest statement write transaction (stamp → commit).
    consistency_margin: timedelta = timedelta(seconds=1)
    # Key of the HMAC that hashes trainees' agreed identifiers (never logged,
    # kept out of repr). Empty: a secret generated once in data_dir, SQLite only.
    identity_secret: str = field(default="", repr=False)
    # Key material for the gateway's remote credentials at rest (LRS_GATEWAY_SECRET;
    # never logged). Empty: the identity secret.
    gateway_secret: str = field(default="", repr=False)
    # xAPI Profiles: where the *.jsonld documents are ("" loads none), the
    # policy of credentials that set none (enforce|flag|off), the template
    # mode ("any-template", "spec", or per profile "ID=spec,…"), the default
    # profile and the policies whose statements it applies to all of.
    profiles_dir: str = "profiles"
    profile_policy: str = "flag"
    profile_mode: str = "any-template"
    profile_default: str = CADRE_PROFILE
    profile_apply_all: str = ""
    # Annual credit policies (profiles/credit-policies/*.json): their directory,
    # resolved like profiles_dir (working directory, the source tree, then
    # <prefix>/share/lrs); which policy each org-path prefix uses
    # ("fj=fujian-2017,hn=hunan-2010"); and the policy of everyone else.
    credit_policies_dir: str = "profiles/credit-policies"
    credit_policy_assignments: str = ""
    default_credit_policy: str = "gbt38856-default"
    # The learning-archive projector: "process" (one follower process beside the
    # app drains the outbox: `lrs serve`'s default, or `lrs archive follow`; the app
    # itself runs none), "thread" (a daemon thread per process: the default of an
    # app built with create_app) or "off" (only `lrs archive catch-up` and explicit
    # drains). Read from LRS_ARCHIVE_PROJECTOR even when Settings is built directly,
    # so a test session can switch every app's projector off at once.
    archive_projector: str = field(
        default_factory=lambda: os.environ.get("LRS_ARCHIVE_PROJECTOR", "thread")
    )
    # Outbox events per projector transaction. On SQLite the batch holds the write
    # lock while it is applied: 100 keeps that to roughly 25-50 ms (see
    # lrs.domain.archive.projector.BATCH), so ingest never waits long for it.
    archive_batch: int = 100
    # `lrs serve`: gunicorn worker processes and threads per worker, the access log
    # ("-": stdout; "": none), and the level and format (text|json) of the LRS's own logs.
    workers: int = 2
    threads: int = 4
    access_log: str = ""
    log_level: str = "info"
    log_format: str = "text"
    # The web console (/console/): send its session cookie only over HTTPS (set it
    # behind TLS), and log a browser out after this many idle minutes.
    console_secure_cookie: bool = False
    console_idle_minutes: int = 30
    # `lrs serve`'s gateway follower (lrs.gateway_follower): auto|process|off, and the
    # seconds between its passes over the pull and forward jobs once all are caught up.
    gateway_follower: str = "auto"
    gateway_interval: float = 5.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """From the LRS_* variables (README, Configuration); raises :class:`SettingsError`
        naming the first variable whose value cannot be used."""
        # Imported here: marshmallow is not needed by `lrs --help`.
        from lrs.environment import read_environment

        values: dict[str, Any] = read_environment(os.environ if environ is None else environ)
        if "data_dir" in values:
            values["data_dir"] = Path(values["data_dir"])
        if "consistency_margin_ms" in values:
            values["consistency_margin"] = timedelta(
                milliseconds=values.pop("consistency_margin_ms")
            )
        values.setdefault("archive_projector", "thread")
        return cls(**values)

    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'lrs.sqlite3'}"
