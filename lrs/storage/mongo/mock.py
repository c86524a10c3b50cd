"""An in-process mongomock client that behaves like a server where the adapter depends on it.

mongomock runs each operation as Python code over shared dictionaries: a
unique-index check and the insert that follows it, or the read and write of a
``find_one_and_update``, can interleave between threads, which a real server
never allows. Every operation here runs under one lock, so per-document
atomicity holds as on MongoDB. mongomock 4.3's ``bulk_write`` cannot read the
operation objects of current pymongo, so bulk writes run one operation at a
time (still under the lock). Only tests and ``mongomock://`` demos use this.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from pymongo.operations import DeleteMany, DeleteOne, InsertOne, ReplaceOne, UpdateMany, UpdateOne

_LOCK = threading.RLock()


@dataclass
class BulkResult:
    inserted_count: int = 0
    matched_count: int = 0
    modified_count: int = 0
    deleted_count: int = 0
    upserted_count: int = 0


class LockedCollection:
    def __init__(self, collection: Any) -> None:
        self._collection = collection

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._collection, name)
        if not callable(attr):
            return attr

        def locked(*args: Any, **kwargs: Any) -> Any:
            kwargs.pop("session", None)  # the fallback path passes none; be safe
            with _LOCK:
                result = attr(*args, **kwargs)
                # Cursors are lazy: read them while the lock is held.
                if name in ("find", "aggregate", "list_indexes"):
                    return list(result)
                return result

        return locked

    def bulk_write(self, requests: list[Any], ordered: bool = True, **_: Any) -> BulkResult:
        result = BulkResult()
        c = self._collection
        with _LOCK:
            for op in requests:
                if isinstance(op, InsertOne):
                    c.insert_one(op._doc)
                    result.inserted_count += 1
                elif isinstance(op, UpdateOne | UpdateMany | ReplaceOne):
                    if isinstance(op, ReplaceOne):
                        r = c.replace_one(op._filter, op._doc, upsert=op._upsert)
                    elif isinstance(op, UpdateOne):
                        r = c.update_one(op._filter, op._doc, upsert=op._upsert)
                    else:
                        r = c.update_many(op._filter, op._doc, upsert=op._upsert)
                    result.matched_count += r.matched_count
                    result.modified_count += r.modified_count
                    result.upserted_count += int(r.upserted_id is not None)
                elif isinstance(op, DeleteOne | DeleteMany):
                    one = isinstance(op, DeleteOne)
                    r = c.delete_one(op._filter) if one else c.delete_many(op._filter)
                    result.deleted_count += r.deleted_count
                else:  # pragma: no cover - the adapter sends only the kinds above
                    raise TypeError(f"unsupported bulk operation {op!r}")
        return result


class LockedDatabase:
    def __init__(self, db: Any) -> None:
        self._db = db

    def __getitem__(self, name: str) -> LockedCollection:
        return LockedCollection(self._db[name])

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)


class LockedClient:
    def __init__(self, client: Any) -> None:
        self._client = client

    def get_database(self, name: str, **_: Any) -> LockedDatabase:
        return LockedDatabase(self._client.get_database(name))

    def drop_database(self, name: str) -> None:
        with _LOCK:
            self._client.drop_database(name)

    def close(self) -> None:
        self._client.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def mock_client() -> LockedClient:
    """A fresh, empty in-memory server (each call is its own server)."""
    import mongomock

    return LockedClient(mongomock.MongoClient(tz_aware=True))
