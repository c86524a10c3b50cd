"""The LRS_* environment variables, parsed and checked in one place (a marshmallow schema).

Every variable has a type and a range or a set of values; a wrong one raises
:class:`lrs.config.SettingsError`, whose message names the variable, what it must be and what
it got, so ``lrs serve`` can stop with one line instead of a traceback in every worker. An
unset or empty variable takes the default of :class:`lrs.config.Settings`.

What needs the files (profiles, credit policies) is checked by :mod:`lrs.startup`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from lrs.config import KNOWN_VERSIONS, SettingsError

LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
LOG_FORMATS = ("text", "json")
# lrs.domain.archive.runtime.MODES; not imported: that module pulls the archive in, which a
# CLI command that only reads its settings should not pay for.
PROJECTOR_MODES = ("process", "thread", "off")
GATEWAY_FOLLOWER_MODES = ("auto", "process", "off")  # lrs.gateway_follower


def _whole(minimum: int) -> fields.Integer:
    return fields.Integer(
        strict=False,
        validate=validate.Range(min=minimum, error=f"must be at least {minimum}"),
        error_messages={"invalid": "must be a whole number"},
    )


def _one_of(choices: tuple[str, ...]) -> fields.String:
    return fields.String(
        validate=validate.OneOf(choices, error="must be one of " + ", ".join(choices))
    )


class _Versions(fields.Field[tuple[str, ...]]):
    """A comma-separated list of served xAPI versions, stored newest first."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Any, **kwargs: Any
    ) -> tuple[str, ...]:
        chosen = [v.strip() for v in str(value).split(",") if v.strip()]
        if not chosen or any(v not in KNOWN_VERSIONS for v in chosen):
            raise ValidationError("must list some of " + ", ".join(KNOWN_VERSIONS))
        return tuple(v for v in KNOWN_VERSIONS if v in chosen)


class EnvironmentSchema(Schema):
    """Each field is the Settings attribute; ``data_key`` is the variable's name."""

    class Meta:
        unknown = EXCLUDE  # the rest of the environment

    database_url = fields.String(data_key="LRS_DATABASE_URL")
    data_dir = fields.String(data_key="LRS_DATA_DIR")
    max_body_bytes = _whole(1)
    max_page_size = _whole(1)
    versions = _Versions(data_key="LRS_XAPI_VERSIONS")
    authority_homepage = fields.String(data_key="LRS_AUTHORITY_HOMEPAGE")
    consistency_margin_ms = _whole(0)
    identity_secret = fields.String(data_key="LRS_IDENTITY_SECRET")
    gateway_secret = fields.String(
        validate=validate.Length(min=16, error="must be at least 16 characters"),
    )
    profiles_dir = fields.String(data_key="LRS_PROFILES_DIR")
    profile_policy = fields.String(data_key="LRS_PROFILE_POLICY")
    profile_mode = fields.String(data_key="LRS_PROFILE_MODE")
    profile_default = fields.String(data_key="LRS_PROFILE_DEFAULT")
    profile_apply_all = fields.String(data_key="LRS_PROFILE_APPLY_ALL")
    credit_policies_dir = fields.String(data_key="LRS_CREDIT_POLICIES_DIR")
    credit_policy_assignments = fields.String(data_key="LRS_CREDIT_POLICIES")
    default_credit_policy = fields.String(data_key="LRS_DEFAULT_CREDIT_POLICY")
    archive_projector = _one_of(PROJECTOR_MODES)
    archive_batch = _whole(1)
    workers = _whole(1)
    threads = _whole(1)
    log_level = _one_of(LOG_LEVELS)
    log_format = _one_of(LOG_FORMATS)
    access_log = fields.String(data_key="LRS_ACCESS_LOG")
    console_secure_cookie = fields.Boolean(
        truthy={"1", "true", "yes", "on"}, falsy={"0", "false", "no", "off"},
        error_messages={"invalid": "must be true or false"},
    )
    console_idle_minutes = _whole(1)
    gateway_follower = _one_of(GATEWAY_FOLLOWER_MODES)
    gateway_interval = fields.Float(
        validate=validate.Range(min=0, min_inclusive=False, error="must be more than 0"),
        error_messages={"invalid": "must be a number of seconds"},
    )

    def on_bind_field(self, field_name: str, field_obj: fields.Field[Any]) -> None:
        field_obj.data_key = field_obj.data_key or "LRS_" + field_name.upper()


# Variables where an empty value means something ("" loads no profiles, no assignments...);
# for the others an empty value is the same as an unset one.
_EMPTY_MEANS_EMPTY = frozenset(
    {
        "LRS_DATABASE_URL", "LRS_IDENTITY_SECRET", "LRS_PROFILES_DIR", "LRS_PROFILE_APPLY_ALL",
        "LRS_CREDIT_POLICIES", "LRS_ACCESS_LOG",
    }
)
_SCHEMA = EnvironmentSchema()


def read_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """The LRS_* variables of ``environ`` that are set, by Settings attribute name.

    Raises :class:`SettingsError` for the first wrong variable (in alphabetical order).
    """
    given = {
        name: value
        for name, value in environ.items()
        if name.startswith("LRS_") and (value.strip() or name in _EMPTY_MEANS_EMPTY)
    }
    # Case does not matter for names of levels ("INFO" is gunicorn's and logging's spelling).
    for name in ("LRS_LOG_LEVEL", "LRS_LOG_FORMAT"):
        if name in given:
            given[name] = given[name].strip().lower()
    try:
        loaded: dict[str, Any] = _SCHEMA.load(given)
    except ValidationError as exc:
        errors = cast(dict[str, list[str]], exc.messages)  # a schema's: by data_key
        variable = sorted(errors)[0]
        message = "; ".join(errors[variable])
        raise SettingsError(variable, f"{message}, got {environ.get(variable)!r}") from None
    return loaded
