"""The archive rows one projection batch reads and writes, each read once and written once.

A batch's statements mostly touch a few rows again and again (one registration's
launched, progressed, completed): rows are read on first use, kept here, and
written back by :meth:`RowCache.flush`. ``touched`` collects the (trainee,
period) pairs whose rows changed, for the aggregates (lrs.domain.archive.aggregates).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lrs.storage.port import ArchiveRow, UnitOfWork

RowId = tuple[str, str, str, str]  # (kind, trainee, period, activity)


class RowCache:
    def __init__(self, uow: UnitOfWork, now: datetime) -> None:
        self.uow = uow
        self.now = now
        self._rows: dict[RowId, ArchiveRow | None] = {}
        self._dirty: dict[RowId, ArchiveRow] = {}
        self.touched: set[tuple[str, str]] = set()

    def get(self, kind: str, trainee: str, period: str, activity: str) -> ArchiveRow | None:
        key = (kind, trainee, period, activity)
        if key not in self._rows:
            self._rows[key] = self.uow.archive.get_row(kind, trainee, period, activity)
        return self._rows[key]

    def put(self, row: ArchiveRow) -> None:
        key = (row.kind, row.trainee_key, row.period_key, row.activity_id)
        self._rows[key] = self._dirty[key] = row
        self.touched.add((row.trainee_key, row.period_key))

    def save(self, row: ArchiveRow, data: dict[str, Any], unit: str | None = None) -> None:
        """Store ``row`` with new ``data`` (and ``unit``); built directly, not through
        ``dataclasses.replace``, which cost more than the rest of this on the hot path."""
        self.put(ArchiveRow(
            row.kind, row.trainee_key, row.period_key, row.activity_id,
            row.unit if unit is None else unit, row.institution, row.org, data, self.now,
        ))

    def drop(self, kind: str, trainee: str, period: str, activity: str) -> None:
        key = (kind, trainee, period, activity)
        self._dirty.pop(key, None)
        self._rows[key] = None
        self.touched.add((trainee, period))
        self.uow.archive.delete_row(kind, trainee, period, activity)

    def for_activity(self, trainee: str, activity: str) -> list[ArchiveRow]:
        """The trainee's rows about ``activity`` in every period, from the table."""
        self.flush()  # the query reads the table (crediting statements only: rare)
        rows = self.uow.archive.rows_for_activity(trainee, activity)
        for row in rows:
            self._rows[(row.kind, row.trainee_key, row.period_key, row.activity_id)] = row
        return rows

    def flush(self) -> None:
        """Write the rows changed since the last flush; call before the unit commits."""
        for row in self._dirty.values():
            self.uow.archive.save_row(row)
        self._dirty.clear()
