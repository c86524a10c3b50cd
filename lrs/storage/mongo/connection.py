"""Opening a MongoDB client from ``LRS_DATABASE_URL`` and learning what the server can do."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

DEFAULT_DATABASE = "lrs"
MOCK_SCHEME = "mongomock://"

# Server-selection and connect timeouts: fail a request in seconds, not after
# pymongo's default 30 s, when the replica set has no primary.
_TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class Connection:
    client: Any
    db: Any
    mock: bool
    transactions: bool


def database_name(url: str) -> str:
    """The database in the URL's path (``mongodb://h/lrs_prod`` → ``lrs_prod``), default lrs."""
    path = urlsplit(url).path.lstrip("/")
    return path or DEFAULT_DATABASE


def connect(
    url: str, *, database: str | None = None, transactions: bool | None = None
) -> Connection:
    """A client and database handle for ``url``.

    ``transactions=None`` asks the server (``hello``): a replica set member or
    a mongos runs units of work as multi-document transactions, a standalone
    server (and mongomock) uses the journaled fallback. ``False`` forces the
    fallback, e.g. to test it against a real replica set.
    """
    name = database or database_name(url)
    if url.startswith(MOCK_SCHEME):
        from lrs.storage.mongo.mock import mock_client

        mock = mock_client()
        return Connection(mock, mock.get_database(name), True, False)

    import pymongo
    from pymongo.read_concern import ReadConcern
    from pymongo.read_preferences import ReadPreference
    from pymongo.write_concern import WriteConcern

    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(
        url, tz_aware=True, serverSelectionTimeoutMS=_TIMEOUT_MS, connectTimeoutMS=_TIMEOUT_MS
    )
    # Statement writes are acknowledged only once a majority of the replica set
    # has them (a failover cannot lose an acknowledged statement); reads go to
    # the primary and see majority-committed data, so a client reads its writes.
    db = client.get_database(
        name,
        write_concern=WriteConcern("majority"),
        read_concern=ReadConcern("majority"),
        read_preference=ReadPreference.PRIMARY,
    )
    supported = supports_transactions(client)
    if transactions is None:
        transactions = supported
    elif transactions and not supported:
        raise ValueError("this MongoDB deployment cannot run transactions (standalone server)")
    return Connection(client, db, False, transactions)


def supports_transactions(client: Any) -> bool:
    """Whether the deployment runs multi-document transactions with snapshot reads.

    A replica set member reports ``setName``, a mongos ``msg: isdbgrid``; both
    need wire version 13 (MongoDB 5.0) here, the first with snapshot reads
    outside transactions, which statement reads use on sharded clusters.
    """
    hello = client.admin.command("hello")
    clustered = "setName" in hello or hello.get("msg") == "isdbgrid"
    if clustered and hello.get("maxWireVersion", 0) < 13:
        log.warning("MongoDB older than 5.0: using the standalone (journaled) commit path")
        return False
    return clustered
