"""Settings, read once from environment variables (documented in README.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from exc


def _positive(name: str, default: int) -> int:
    value = _int(name, default)
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")
    return value


KNOWN_VERSIONS = ("2.0.0", "1.0.3")


def _versions(raw: str) -> tuple[str, ...]:
    chosen = [v.strip() for v in raw.split(",") if v.strip()]
    unknown = [v for v in chosen if v not in KNOWN_VERSIONS]
    if unknown or not chosen:
        raise ValueError(
            f"LRS_XAPI_VERSIONS must list some of {', '.join(KNOWN_VERSIONS)}, got {raw!r}"
        )
    return tuple(v for v in KNOWN_VERSIONS if v in chosen)


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
    # xAPI Profiles: where the *.jsonld documents are ("" loads none), the
    # policy of credentials that set none (enforce|flag|off), the template
    # mode ("any-template", "spec", or per profile "ID=spec,…"), the default
    # profile and the policies whose statements it applies to all of.
    profiles_dir: str = "profiles"
    profile_policy: str = "flag"
    profile_mode: str = "any-template"
    profile_default: str = "https://w3id.org/xapi/cadre-training"
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

    @classmethod
    def from_env(cls) -> Settings:
        data_dir = Path(os.environ.get("LRS_DATA_DIR", "lrs-data"))
        return cls(
            database_url=os.environ.get("LRS_DATABASE_URL", ""),
            max_body_bytes=_int("LRS_MAX_BODY_BYTES", cls.max_body_bytes),
            max_page_size=_int("LRS_MAX_PAGE_SIZE", cls.max_page_size),
            data_dir=data_dir,
            versions=_versions(os.environ.get("LRS_XAPI_VERSIONS", "2.0.0,1.0.3")),
            authority_homepage=os.environ.get("LRS_AUTHORITY_HOMEPAGE", cls.authority_homepage),
            consistency_margin=timedelta(milliseconds=_int("LRS_CONSISTENCY_MARGIN_MS", 1000)),
            identity_secret=os.environ.get("LRS_IDENTITY_SECRET", ""),
            profiles_dir=os.environ.get("LRS_PROFILES_DIR", cls.profiles_dir),
            profile_policy=os.environ.get("LRS_PROFILE_POLICY", cls.profile_policy),
            profile_mode=os.environ.get("LRS_PROFILE_MODE", cls.profile_mode),
            profile_default=os.environ.get("LRS_PROFILE_DEFAULT", cls.profile_default),
            profile_apply_all=os.environ.get("LRS_PROFILE_APPLY_ALL", cls.profile_apply_all),
            credit_policies_dir=os.environ.get("LRS_CREDIT_POLICIES_DIR", cls.credit_policies_dir),
            credit_policy_assignments=os.environ.get(
                "LRS_CREDIT_POLICIES", cls.credit_policy_assignments
            ),
            default_credit_policy=os.environ.get(
                "LRS_DEFAULT_CREDIT_POLICY", cls.default_credit_policy
            ),
            archive_projector=os.environ.get("LRS_ARCHIVE_PROJECTOR", "thread"),
            archive_batch=_positive("LRS_ARCHIVE_BATCH", cls.archive_batch),
        )

    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'lrs.sqlite3'}"
