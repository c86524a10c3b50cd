"""Long-running processes keep their start-up objects out of the cyclic GC (lrs/gc_freeze.py)."""

from __future__ import annotations

import gc

from lrs.config import Settings
from lrs.server import LRSServer


def test_a_worker_freezes_the_app_it_built(tmp_path):
    gc.unfreeze()
    try:
        app = LRSServer({}, Settings(data_dir=tmp_path)).load()
        # The app, its blueprints and compiled profiles are in the permanent generation.
        assert gc.get_freeze_count() > 10_000
        assert app.name == "lrs.app"
    finally:
        gc.unfreeze()
