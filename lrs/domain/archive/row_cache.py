"""The archive rows one projection batch reads and writes, each read once and written once.

A batch's statements mostly touch a few rows again and again (one registration's
launched, progressed, completed): rows are read on first use, kept here, and
written back by :meth:`RowCache.flush`. ``touched`` collects the (trainee,
period) pairs whose rows changed, for the aggregates (lrs.domain.archive.aggregates).

The aggregates are settled from *all* of a touched pair's rows. Most pairs have few,
and this cache has often read every one of them already: :meth:`RowCache.rows_of`
gives them when it can tell so (the pair's stored contribution says how many rows it
had), and the settle step reads back only the other pairs.
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
        # Per (trainee, period): the ids held here, and how many of them were rows of
        # the table when first read (before this batch changed anything).
        self._ids: dict[tuple[str, str], set[RowId]] = {}
        self._stored: dict[tuple[str, str], int] = {}

    def get(self, kind: str, trainee: str, period: str, activity: str) -> ArchiveRow | None:
        key = (kind, trainee, period, activity)
        if key not in self._rows:
            self._read(key, self.uow.archive.get_row(kind, trainee, period, activity))
        return self._rows[key]

    def _read(self, key: RowId, row: ArchiveRow | None) -> None:
        """Hold a row as the table had it before this batch changed it (None: absent)."""
        self._hold(key, row)
        if row is not None:
            pair = (key[1], key[2])
            self._stored[pair] = self._stored.get(pair, 0) + 1

    def _hold(self, key: RowId, row: ArchiveRow | None) -> None:
        self._rows[key] = row
        self._ids.setdefault((key[1], key[2]), set()).add(key)

    def put(self, row: ArchiveRow) -> None:
        key = (row.kind, row.trainee_key, row.period_key, row.activity_id)
        self._hold(key, row)
        self._dirty[key] = row
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
        self._hold(key, None)
        self.touched.add((trainee, period))
        self.uow.archive.delete_row(kind, trainee, period, activity)

    def rows_of(self, trainee: str, period: str, stored: int) -> list[ArchiveRow] | None:
        """Every row of the trainee's period as this unit of work has it, in the table's
        order (kind, activity), if the table had ``stored`` rows of the pair before this
        batch and this cache read them all; else None (read them from the table)."""
        if self._stored.get((trainee, period), 0) != stored:
            return None
        keys = sorted(self._ids.get((trainee, period), ()))
        return [row for key in keys if (row := self._rows[key]) is not None]

    def for_activity(self, trainee: str, activity: str) -> list[ArchiveRow]:
        """The trainee's rows about ``activity`` in every period, from the table."""
        self.flush()  # the query reads the table (crediting statements only: rare)
        rows = self.uow.archive.rows_for_activity(trainee, activity)
        for row in rows:
            key = (row.kind, row.trainee_key, row.period_key, row.activity_id)
            if key in self._rows:
                self._hold(key, row)  # flushed above: the table holds what this cache held
            else:
                self._read(key, row)  # unchanged by this batch: as it was before it
        return rows

    def flush(self) -> None:
        """Write the rows changed since the last flush; call before the unit commits."""
        for row in self._dirty.values():
            self.uow.archive.save_row(row)
        self._dirty.clear()
