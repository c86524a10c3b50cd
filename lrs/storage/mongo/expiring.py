"""Collections of short-lived documents (rate counters, `more` cursors) with a TTL index."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from lrs.storage.mongo.store import MongoStore


def when(unix: float) -> datetime:
    """A Unix time as the BSON date the TTL index reads."""
    return datetime.fromtimestamp(unix, UTC)


def expiring_collection(store: MongoStore, name: str) -> Any:
    """The collection ``name``, whose documents the server drops once ``expires`` passed."""
    collection = store.db[name]
    if not store.conn.mock:
        # mongomock expires documents on the spot, even one just written.
        collection.create_index("expires", expireAfterSeconds=0)
    return collection
