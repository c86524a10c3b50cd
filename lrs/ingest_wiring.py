"""What a statement write needs beside the store, built from the settings: the loaded xAPI
Profiles, the identity keys and the ingest hooks they make.

``create_app`` builds them for the HTTP layer; the gateway's commands build them for the hub
without a web application (``lrs.gateway_hub``): both run the very same hooks.
"""

from __future__ import annotations

from dataclasses import dataclass

from lrs.config import Settings
from lrs.domain.identity.ingest import identity_hook
from lrs.domain.identity.keys import IdentityKeys, load_identity_keys
from lrs.domain.profiles import load_registry
from lrs.domain.profiles.ingest import ProfileValidationHook
from lrs.domain.profiles.policy import ProfileSettings
from lrs.domain.profiles.registry import ProfileRegistry
from lrs.domain.statements.hooks import IngestHook


@dataclass(frozen=True)
class IngestWiring:
    # xAPI Profiles: the loaded documents, checked on every statement write.
    profiles: ProfileRegistry
    # Trainee identity: agreed identifiers hashed with LRS_IDENTITY_SECRET.
    identity_keys: IdentityKeys
    # Domain steps run inside each statement write, in this order: profile checks, then
    # the identity hook, which links each statement's actor to the trainee it names.
    hooks: list[IngestHook]


def build_ingest(settings: Settings) -> IngestWiring:
    """Raises ProfileLoadError for a profile that cannot be enforced and IdentitySecretError
    for an unusable identity secret."""
    registry = load_registry(settings.profiles_dir)
    keys = load_identity_keys(
        settings.identity_secret, settings.data_dir, settings.resolved_database_url()
    )
    hooks: list[IngestHook] = [
        ProfileValidationHook(registry, ProfileSettings.from_settings(settings)),
        identity_hook(keys),
    ]
    return IngestWiring(registry, keys, hooks)
