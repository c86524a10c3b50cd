"""The embedded store's learning archive: derived rows, credit ledger, projector markers.

One repository over three modules, one per what it stores: ``archive_rows.py``
(the derived rows), ``archive_ledger.py`` (the credit ledger),
``archive_markers.py`` (projected and unattributed markers, the checkpoint).
``store.py`` applies :data:`ARCHIVE_SCHEMA` with the main schema (``CREATE … IF
NOT EXISTS``, so an existing data file gains the tables on its next start) and
hangs :class:`SqliteArchive` on each unit of work.
"""

from __future__ import annotations

from lrs.storage.port import ArchiveRepository
from lrs.storage.sqlite.archive_ledger import LEDGER_SCHEMA, SqliteLedger
from lrs.storage.sqlite.archive_markers import MARKERS_SCHEMA, SqliteArchiveMarkers
from lrs.storage.sqlite.archive_rows import ROWS_SCHEMA, SqliteArchiveRows
from lrs.storage.sqlite.common import SqliteRepository

ARCHIVE_SCHEMA = ROWS_SCHEMA + LEDGER_SCHEMA + MARKERS_SCHEMA


class SqliteArchive(
    SqliteRepository, SqliteArchiveRows, SqliteLedger, SqliteArchiveMarkers, ArchiveRepository
):
    def delete_rows(self) -> int:
        # A rebuild projects every statement again: its markers go with the rows.
        deleted = self._conn.execute("DELETE FROM archive_rows").rowcount
        self._conn.execute("DELETE FROM archive_projected")
        self._conn.execute("DELETE FROM archive_unattributed")
        return deleted
