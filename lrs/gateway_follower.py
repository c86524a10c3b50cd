"""``lrs serve``'s gateway follower: one ``lrs gateway follow`` process beside gunicorn.

Supervised like the archive follower (restarted if it dies, stopped with the
server, exits by itself if the server is gone). ``LRS_GATEWAY_FOLLOWER``:
``auto`` (default) starts it when the store holds a pull or forward job at start-up,
``process`` always, ``off`` never (run ``lrs gateway follow`` yourself, e.g. one
for a cluster of servers on MongoDB).
"""

from __future__ import annotations

from lrs.archive_follower import ArchiveFollower
from lrs.config import Settings


class GatewayFollower(ArchiveFollower):
    label = "gateway follower"
    command = "gateway"


def gateway_follower(settings: Settings) -> GatewayFollower | None:
    """The follower ``settings`` ask for (LRS_GATEWAY_FOLLOWER, checked by lrs.environment)."""
    mode = settings.gateway_follower
    if mode == "off":
        return None
    if mode == "auto":
        from lrs.storage.factory import open_store

        store = open_store(settings.resolved_database_url())
        try:
            with store.read() as uow:
                if not any(j.kind in ("pull", "forward") for j in uow.gateway.list_jobs()):
                    return None
        finally:
            store.close()
    return GatewayFollower(interval=settings.gateway_interval)
