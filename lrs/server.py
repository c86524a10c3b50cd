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
from lrs.domain.archive.runtime import MODES


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

        return create_app(self.settings)


def serve(host: str, port: int, workers: int | None = None, threads: int | None = None) -> None:
    mode = os.environ.get("LRS_ARCHIVE_PROJECTOR") or "process"
    if mode not in MODES:
        raise ValueError(f"LRS_ARCHIVE_PROJECTOR must be one of {', '.join(MODES)}: {mode!r}")
    settings = dataclasses.replace(Settings.from_env(), archive_projector=mode)
    # Open the store once before forking so schema creation and URL errors
    # surface at start-up, not in the first request.
    from lrs.bootstrap import admin_from_env, ensure_admin_credential
    from lrs.storage.factory import open_store

    admin_from_env()  # an invalid LRS_ADMIN_KEY/SECRET stops the start with one line
    store = open_store(settings.resolved_database_url())
    try:
        # Once, here, so it is logged once; each worker then finds it (mongomock://
        # workers, each with its own in-memory store, make their own).
        ensure_admin_credential(store)
    finally:
        store.close()
    # Likewise a missing LRS_IDENTITY_SECRET; a generated one is made once, here.
    from lrs.domain.identity.keys import load_identity_keys

    load_identity_keys(
        settings.identity_secret, settings.data_dir, settings.resolved_database_url()
    )
    # Import the application's modules (not the app: no connections) before
    # forking, so workers share them instead of each paying seconds of CPU for
    # the imports (the IRI grammar alone takes ~2 s): a faster restart after a crash.
    import rfc3987_syntax  # noqa: F401

    import lrs.app  # noqa: F401
    from lrs.slow_clients import header_timeout

    header_timeout()  # an invalid LRS_HEADER_TIMEOUT stops the start with one line
    options = {
        "bind": f"{host}:{port}",
        "workers": workers or int(os.environ.get("LRS_WORKERS", "2")),
        "threads": threads or int(os.environ.get("LRS_THREADS", "4")),
        # gthread, but headers are gathered by the event loop: slow clients hold no thread.
        "worker_class": "lrs.slow_clients.HeaderGuardWorker",
        "graceful_timeout": 30,
        "timeout": 120,
        "accesslog": os.environ.get("LRS_ACCESS_LOG") or None,
        "errorlog": "-",
        "loglevel": os.environ.get("LRS_LOG_LEVEL", "info"),
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
    try:
        LRSServer(options, settings).run()  # returns, or raises SystemExit, when it stops
    finally:
        if follower is not None:
            follower.stop()
