"""The app's services, typed: what the HTTP layer, the console and the CLIs reach for.

``create_app`` builds one :class:`Services` per app and keeps it under a single
extension key; everything else calls :func:`services` instead of looking up
string keys, so a missing or misspelt service is a type error, not a KeyError.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the types only: importing this module stays cheap (lrs --help)
    from flask import Flask

    from lrs.config import Settings
    from lrs.domain.archive.runtime import ArchiveRuntime
    from lrs.domain.identity.keys import IdentityKeys
    from lrs.domain.profiles.registry import ProfileRegistry
    from lrs.domain.ratelimit import Limiter
    from lrs.domain.statements.hooks import IngestHook
    from lrs.storage.port import CursorTokens, Store

EXTENSION = "lrs"


@dataclass
class Services:
    settings: Settings
    store: Store
    # xAPI Profiles: the loaded documents, checked on every statement write.
    profiles: ProfileRegistry
    # Agreed identifiers are hashed with these (LRS_IDENTITY_SECRET).
    identity_keys: IdentityKeys
    # Domain steps run inside each statement write (profile checks, identity links).
    ingest_hooks: list[IngestHook]
    # Rate limits on failed authentications and identifier lookups.
    limiter: Limiter
    # Learning archives (§9.1): the projector runtime and its policy book.
    archive: ArchiveRuntime
    # Server-side `more` cursors; made on first use (most apps never page that far).
    cursor_tokens: CursorTokens | None = field(default=None)


def install(app: Flask, services_: Services) -> None:
    app.extensions[EXTENSION] = services_


def services(app: Flask | None = None) -> Services:
    """The services of ``app``, or of the app handling the current request."""
    if app is None:
        from flask import current_app  # here: importing this module must not load Flask

        found: Services = current_app.extensions[EXTENSION]
    else:
        found = app.extensions[EXTENSION]
    return found
