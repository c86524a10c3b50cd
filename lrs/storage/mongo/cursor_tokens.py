"""Server-side `more` cursors in MongoDB.

A TTL index on ``expires`` lets the server drop expired tokens by itself;
reads still check ``expires`` because the TTL monitor runs only once a minute.
"""

from __future__ import annotations

from lrs.storage.mongo.expiring import expiring_collection, when
from lrs.storage.mongo.store import MongoStore
from lrs.storage.port.cursor_tokens import CursorTokens


class MongoCursorTokens(CursorTokens):
    def __init__(self, store: MongoStore) -> None:
        self._collection = expiring_collection(store, "cursor_tokens")

    def put(self, token: str, owner: str, state: str, expires: float, now: float) -> None:
        # Tokens are rare (only queries too long for a compact cursor), so sweeping on
        # each write is cheap, and purges where no TTL monitor runs (mongomock).
        self._collection.delete_many({"expires": {"$lt": when(now)}})
        self._collection.insert_one(
            {"_id": token, "owner": owner, "state": state, "expires": when(expires)}
        )

    def get(self, token: str, owner: str, now: float) -> str | None:
        doc = self._collection.find_one(
            {"_id": token, "owner": owner, "expires": {"$gte": when(now)}}, {"state": 1}
        )
        return None if doc is None else str(doc["state"])

    def purge(self, now: float) -> int:
        return self._collection.delete_many({"expires": {"$lt": when(now)}}).deleted_count
