"""The learning archive on MongoDB: derived rows, the credit ledger, projector markers.

One repository over three modules, one per what it stores, named as the SQLite
adapter's: ``archive_rows.py``, ``archive_ledger.py``, ``archive_markers.py``.

Same write model as the other repositories: writes are recorded and applied at
commit (one transaction on a replica set; the journal on a standalone server),
and this unit's own writes are laid over its reads. Every write here is a
whole-document upsert or a fresh insert, so replaying a journal entry after a
crash applies it once (``$inc`` would not be replay-safe on the standalone
path). Concurrent projectors never interleave: a write unit that projects
holds the ``archive-projector`` lease (:meth:`lock_projector`) from before its
first read until it ends, so a read-modify-write of a row cannot be lost.

Every key starts with the trainee key (an HMAC digest, evenly spread), so the
collections shard on ``trainee_key`` ranges and a trainee's archive and ledger
live on one shard (see ``SHARD_KEYS`` in indexes.py). Row ``data`` is JSON
text like other free-form content (course IRIs as keys contain dots).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lrs.storage.mongo.archive_ledger import MongoLedger
from lrs.storage.mongo.archive_markers import MongoArchiveMarkers
from lrs.storage.mongo.archive_rows import MongoArchiveRows
from lrs.storage.port import ArchiveRepository

if TYPE_CHECKING:
    from lrs.storage.mongo.unit_of_work import MongoUnitOfWork


class MongoArchive(MongoArchiveRows, MongoLedger, MongoArchiveMarkers, ArchiveRepository):
    def __init__(self, uow: MongoUnitOfWork) -> None:
        self._uow = uow

    def delete_rows(self) -> int:
        # A rebuild projects every statement again: its markers go with the rows.
        count = self._uow.db["archive_rows"].count_documents({}, session=self._uow.session)
        for collection in ("archive_rows", "archive_projected", "archive_unattributed"):
            self._uow.record(
                {"op": "delete", "c": collection, "q": {}, "multi": True},
                overlay_fn=lambda _doc: None,
            )
        return count
