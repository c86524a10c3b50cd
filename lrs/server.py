"""``lrs serve``: the LRS under gunicorn, a production WSGI server.

Several worker processes each run a few threads; gunicorn restarts a worker
that dies and, on SIGTERM, stops taking connections and lets requests in
flight finish (up to ``graceful_timeout``) before exiting.

The learning-archive projector runs as ONE follower process beside the workers
(LRS_ARCHIVE_PROJECTOR=process, the default here): a projector thread in every
worker took CPU and the SQLite write lock from ingest in each of them. The
follower stops with the server. ``thread`` puts a projector thread in each worker
as before; ``off`` runs none (e.g. one ``lrs archive follow`` for a cluster).
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

from gunicorn.app.base import BaseApplication

from lrs.archive_follower import ArchiveFollower
from lrs.config import Settings
from lrs.gc_freeze import freeze_startup_objects
from lrs.logs import configure_logging
from lrs.startup import check_settings, prepare_store


class LRSServer(BaseApplication):
    def __init__(self, options: dict[str, Any], settings: Settings) -> None:
        self.options = options
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self):
        # Each worker builds its own app (and database connections) after fork.
        from lrs.app import create_app

        app = create_app(self.settings)
        freeze_startup_objects()  # the app lives as long as the worker
        return app


def serve(host: str, port: int, workers: int | None = None, threads: int | None = None) -> None:
    """Raises SettingsError (naming the variable) before forking when a setting is wrong."""
    settings = Settings.from_env()
    if not os.environ.get("LRS_ARCHIVE_PROJECTOR"):
        settings = dataclasses.replace(settings, archive_projector="process")
    mode = settings.archive_projector
    configure_logging(settings.log_level, settings.log_format)  # before the checks log
    check_settings(settings)
    from lrs.bootstrap import admin_from_env

    admin_from_env()  # an invalid LRS_ADMIN_KEY/SECRET stops the start with one line
    # Open the store once before forking so schema creation and URL errors surface at
    # start-up, not in the first request; likewise the identity secret (a generated one is
    # made once, here).
    prepare_store(settings)
    # Import the application's modules (not the app: no connections) before
    # forking, so workers share them instead of each paying for the imports: a
    # faster restart after a crash. jsonschema is imported lazily by the modules
    # (`lrs --help` must not pay for it) but every worker needs it for the profiles.
    import jsonschema  # noqa: F401

    import lrs.app  # noqa: F401
    from lrs.slow_clients import header_timeout

    header_timeout()  # an invalid LRS_HEADER_TIMEOUT stops the start with one line
    options = {
        "bind": f"{host}:{port}",
        "workers": workers or settings.workers,
        "threads": threads or settings.threads,
        # gthread, but headers are gathered by the event loop: slow clients hold no thread.
        "worker_class": "lrs.slow_clients.HeaderGuardWorker",
        "graceful_timeout": 30,
        "timeout": 120,
        "accesslog": settings.access_log or None,
        "errorlog": "-",
        "loglevel": settings.log_level,
        "proc_name": "lrs",
        # gunicorn caps the request line at 8190 bytes whatever is set; say so. Longer
        # lines get 414 (README, Operations); `more` cursors are kept well below.
        "limit_request_line": 8190,
        # gunicorn ≥ 24 opens a control socket at ~/.gunicorn/gunicorn.ctl by default:
        # one path per user, so several LRS servers on one host take it from each other.
        "control_socket_disable": True,
    }
    follower = ArchiveFollower() if mode == "process" else None
    if follower is not None:
        follower.start()
    # The gateway's pull and forward jobs (lrs.gateway_follower, LRS_GATEWAY_FOLLOWER).
    from lrs.gateway_follower import gateway_follower

    gateway = gateway_follower(settings)
    if gateway is not None:
        gateway.start()
    freeze_startup_objects()  # before the workers fork from this process
    try:
        LRSServer(options, settings).run()  # returns, or raises SystemExit, when it stops
    finally:
        if gateway is not None:
            gateway.stop()
        if follower is not None:
            follower.stop()
