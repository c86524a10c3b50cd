"""The hub a gateway command stores into (the LRS app's store and ingest hooks), and the
retry of a dead letter that ``POST /xapi/gateway/dead-letters/…/retry`` and
``lrs gateway retry`` share.

The hub is built with ``create_app`` so pulled and imported statements pass the very same
profile policy and identity hook as a POST; the archive projector is left off
here (the server's follower, or ``lrs archive catch-up``, projects the outbox).
"""

from __future__ import annotations

from dataclasses import replace

from flask import Flask

from lrs.config import Settings
from lrs.domain.gateway import jobs
from lrs.domain.gateway.ingest import Hub, retry_letter
from lrs.services import services
from lrs.storage.port import DeadLetter


def build_hub(settings: Settings | None = None) -> tuple[Hub, Flask]:
    from lrs.app import create_app  # the app imports every domain; only gateway commands need it

    settings = replace(settings or Settings.from_env(), archive_projector="off")
    app = create_app(settings)
    hub = Hub(services(app).store, tuple(services(app).ingest_hooks),
              settings.authority_homepage, settings)
    return hub, app


def retry_dead_letter(hub: Hub, settings: Settings, letter: DeadLetter) -> str | None:
    """Try a dead letter again, the way its job delivers: a forward job sends it upstream,
    a pull or import job stores it in the hub. None when delivered (resolved), else why."""
    job = jobs.get_job(hub.store, letter.job)
    if job.kind == "forward":
        from adapters.forward import Forwarder  # the HTTP client: only when forwarding

        return Forwarder(hub.store, settings, job.name).retry(letter)
    report = retry_letter(hub, jobs.job_credential(hub.store, job), letter)
    return report.refused[0][1] if report.refused else None
