"""Who gets validated how: per-credential policy and the settings it defaults to.

A credential's ``settings`` may hold::

    {"profile_policy": "enforce" | "flag" | "off",
     "profile_mode": "spec" | "any-template"}

``enforce`` refuses a request whose statements break a loaded profile (400),
``flag`` stores them and records the violations, ``off`` skips validation.
Without ``profile_policy`` the server's ``LRS_PROFILE_POLICY`` applies.
``profile_mode`` overrides the mode configured for each profile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lrs.domain.cadre import PROFILE
from lrs.domain.profiles.templates import ANY_TEMPLATE, MODES

ENFORCE, FLAG, OFF = "enforce", "flag", "off"
POLICIES = (ENFORCE, FLAG, OFF)
# The cadre-training profile (profiles/cadre-training/), the default profile.
CADRE_PROFILE = PROFILE


def check_policy(value: str, name: str = "profile policy") -> str:
    if value not in POLICIES:
        raise ValueError(f"{name} must be one of {', '.join(POLICIES)}, got {value!r}")
    return value


def check_mode(value: str, name: str = "profile mode") -> str:
    if value not in MODES:
        raise ValueError(f"{name} must be one of {', '.join(MODES)}, got {value!r}")
    return value


@dataclass(frozen=True)
class ProfileSettings:
    """The server-wide part, read from LRS_PROFILE_* settings."""

    policy: str = FLAG
    mode: str = ANY_TEMPLATE
    # Per-profile modes: profile id -> mode.
    modes: dict[str, str] = field(default_factory=dict)
    # The profile applied to every statement of credentials whose policy is in
    # ``apply_all`` (otherwise only to statements that declare it).
    default_profile: str = CADRE_PROFILE
    apply_all: frozenset[str] = frozenset()

    @classmethod
    def from_settings(cls, settings: Any) -> ProfileSettings:
        """From :class:`lrs.config.Settings` (its ``profile_*`` fields)."""
        return cls.parse(
            settings.profile_policy,
            settings.profile_mode,
            settings.profile_default,
            settings.profile_apply_all,
        )

    @classmethod
    def parse(
        cls,
        policy: str = FLAG,
        modes: str = ANY_TEMPLATE,
        default_profile: str = CADRE_PROFILE,
        apply_all: str = "",
    ) -> ProfileSettings:
        """From the setting strings; ``modes`` is ``MODE`` and/or ``PROFILE_ID=MODE`` items."""
        default_mode = ANY_TEMPLATE
        per_profile = {}
        for item in (m.strip() for m in modes.split(",")):
            if not item:
                continue
            if "=" in item:
                profile_id, _, mode = item.rpartition("=")
                per_profile[profile_id.strip()] = check_mode(mode.strip(), "LRS_PROFILE_MODE")
            else:
                default_mode = check_mode(item, "LRS_PROFILE_MODE")
        policies = frozenset(
            check_policy(p.strip(), "LRS_PROFILE_APPLY_ALL")
            for p in apply_all.split(",")
            if p.strip()
        )
        return cls(
            policy=check_policy(policy, "LRS_PROFILE_POLICY"),
            mode=default_mode,
            modes=per_profile,
            default_profile=default_profile,
            apply_all=policies,
        )


@dataclass(frozen=True)
class Policy:
    """What applies to one credential's statements."""

    policy: str
    mode: str | None  # a credential's override, else None
    apply_default_to_all: bool
    settings: ProfileSettings

    def mode_for(self, profile_id: str) -> str:
        return self.mode or self.settings.modes.get(profile_id, self.settings.mode)


def policy_for(credential_settings: dict[str, Any], settings: ProfileSettings) -> Policy:
    """The policy of a credential (its ``settings`` dict) under the server's settings."""
    policy = credential_settings.get("profile_policy") or settings.policy
    if policy not in POLICIES:
        policy = settings.policy
    mode = credential_settings.get("profile_mode")
    if mode not in MODES:
        mode = None
    return Policy(policy, mode, policy in settings.apply_all, settings)
