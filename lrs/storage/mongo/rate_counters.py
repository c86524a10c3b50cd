"""Rate-limit counters in MongoDB: one atomic ``$inc`` upsert per hit.

The ``rate_counters`` collection is small and unsharded; a TTL index on
``expires`` lets the server drop ended windows by itself (``purge`` does it at
once, and is all mongomock has).
"""

from __future__ import annotations

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from lrs.storage.mongo.expiring import expiring_collection, when
from lrs.storage.mongo.store import MongoStore
from lrs.storage.port.rate_counters import RateCounters


class MongoRateCounters(RateCounters):
    def __init__(self, store: MongoStore) -> None:
        self._collection = expiring_collection(store, "rate_counters")

    def hit(self, name: str, amount: int, expires: float) -> int:
        for _ in range(2):
            try:
                doc = self._collection.find_one_and_update(
                    {"_id": name},
                    {"$inc": {"count": amount}, "$setOnInsert": {"expires": when(expires)}},
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
        return self._collection.delete_many({"expires": {"$lt": when(now)}}).deleted_count
