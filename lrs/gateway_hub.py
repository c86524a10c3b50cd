"""The hub a gateway command stores into (the LRS's store and ingest hooks), and the
retry of a dead letter that ``POST /xapi/gateway/dead-letters/…/retry`` and
``lrs gateway retry`` share.

The hooks come from :func:`lrs.ingest_wiring.build_ingest`, as ``create_app``'s do, so
pulled and imported statements pass the very same profile policy and identity hook as a
POST, without building a web application. Nothing projects here: the server's follower,
or ``lrs archive catch-up``, projects the outbox.
"""

from __future__ import annotations

from lrs.config import Settings
from lrs.domain.gateway import jobs
from lrs.domain.gateway.ingest import Hub, retry_letter
from lrs.ingest_wiring import build_ingest
from lrs.services import Services
from lrs.storage.factory import open_store
from lrs.storage.port import DeadLetter


def build_hub(settings: Settings | None = None) -> Hub:
    """The hub on the store ``settings`` names. Raises ProfileLoadError, IdentitySecretError
    and UnsupportedDatabase (all but the second ValueErrors) naming what is wrong."""
    settings = settings or Settings.from_env()
    ingest = build_ingest(settings)
    store = open_store(settings.resolved_database_url())
    return Hub(store, tuple(ingest.hooks), settings.authority_homepage, settings)


def app_hub(found: Services) -> Hub:
    """The hub of a running app (the HTTP gateway): its store and its hooks."""
    return Hub(found.store, tuple(found.ingest_hooks), found.settings.authority_homepage,
               found.settings)


def retry_dead_letter(hub: Hub, settings: Settings, letter: DeadLetter) -> str | None:
    """Try a dead letter again, the way its job delivers: a forward job sends it upstream,
    a pull or import job stores it in the hub. None when delivered (resolved), else why."""
    job = jobs.get_job(hub.store, letter.job)
    if job.kind == "forward":
        from adapters.forward import Forwarder  # the HTTP client: only when forwarding

        return Forwarder(hub.store, settings, job.name).retry(letter)
    report = retry_letter(hub, jobs.job_credential(hub.store, job), letter)
    return report.refused[0][1] if report.refused else None
