"""Rate-limit counters in MongoDB: one atomic ``$inc`` upsert per hit.

The ``rate_counters`` collection is small and unsharded; a TTL index on
``expires`` lets the server drop ended windows by itself (``purge`` does it at
once, and is all mongomock has).
"""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from lrs.storage.mongo.store import MongoStore
from lrs.storage.port.rate_counters import RateCounters


def _when(unix: float) -> datetime:
    return datetime.fromtimestamp(unix, UTC)


class MongoRateCounters(RateCounters):
    def __init__(self, store: MongoStore) -> None:
        self._collection = store.db["rate_counters"]
        if not store.conn.mock:
            # mongomock expires documents on the spot, even one just upserted.
            self._collection.create_index("expires", expireAfterSeconds=0)

    def hit(self, name: str, amount: int, expires: float) -> int:
        for _ in range(2):
            try:
                doc = self._collection.find_one_and_update(
                    {"_id": name},
                    {"$inc": {"count": amount}, "$setOnInsert": {"expires": _when(expires)}},
                    upsert=True,
                    return_document=ReturnDocument.AFTER,
                )
                return int(doc["count"])
            except DuplicateKeyError:
                continue  # two first hits raced on the upsert: the second one increments
        raise RuntimeError(f"could not count {name}")

    def counts(self, names: list[str]) -> dict[str, int]:
        if not names:
            return {}
        found = self._collection.find({"_id": {"$in": names}}, {"count": 1})
        return {doc["_id"]: int(doc["count"]) for doc in found}

    def purge(self, now: float) -> int:
        return self._collection.delete_many({"expires": {"$lt": _when(now)}}).deleted_count
