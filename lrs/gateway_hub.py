"""The hub a gateway command stores into: the LRS app's store and ingest hooks.

Built with ``create_app`` so pulled and imported statements pass the very same
profile policy and identity hook as a POST; the archive projector is left off
here (the server's follower, or ``lrs archive catch-up``, projects the outbox).
"""

from __future__ import annotations

from dataclasses import replace

from flask import Flask

from lrs.config import Settings
from lrs.domain.gateway.ingest import Hub
from lrs.services import services


def build_hub(settings: Settings | None = None) -> tuple[Hub, Flask]:
    from lrs.app import create_app  # the app imports every domain; only gateway commands need it

    settings = replace(settings or Settings.from_env(), archive_projector="off")
    app = create_app(settings)
    hub = Hub(services(app).store, tuple(services(app).ingest_hooks),
              settings.authority_homepage, settings)
    return hub, app
