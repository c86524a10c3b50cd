"""The embedded store's identity conflicts (and transfer requests): recorded, listed,
closed once."""

from __future__ import annotations

import json
from typing import Any

from lrs.storage.port.identity import IdentityConflict, IdentityConflictRepository
from lrs.storage.sqlite.common import SqliteRepository, org_filter
from lrs.storage.sqlite.identity import _dumps, _stamp
from lrs.timeutil import parse_stored

_CONFLICT_COLUMNS = (
    "id, kind, dedupe_key, status, org, trainee_key, other_trainee_key, agent_key, details, "
    "count, resolution, created, updated"
)


def _conflict(row: tuple[Any, ...]) -> IdentityConflict:
    (cid, kind, dedupe, status, org, trainee, other, agent, details, count, res, created, upd) = row
    return IdentityConflict(
        id=cid,
        kind=kind,
        dedupe_key=dedupe,
        status=status,
        org=org,
        trainee_key=trainee,
        other_trainee_key=other,
        agent_key=agent,
        details=json.loads(details),
        count=count,
        resolution=json.loads(res),
        created=parse_stored(created),
        updated=parse_stored(upd),
    )


class SqliteIdentityConflicts(SqliteRepository, IdentityConflictRepository):
    def record(self, conflict: IdentityConflict) -> IdentityConflict:
        now = _stamp(conflict.updated)
        self._conn.execute(
            "INSERT INTO identity_conflicts (kind, dedupe_key, status, org, trainee_key, "
            "other_trainee_key, agent_key, details, count, resolution, created, updated) "
            "VALUES (?, ?, 'open', ?, ?, ?, ?, ?, 1, '{}', ?, ?) "
            "ON CONFLICT (dedupe_key) WHERE status = 'open' DO UPDATE SET "
            "count = count + 1, updated = excluded.updated",
            (
                conflict.kind,
                conflict.dedupe_key,
                conflict.org,
                conflict.trainee_key,
                conflict.other_trainee_key,
                conflict.agent_key,
                _dumps(conflict.details),
                _stamp(conflict.created or conflict.updated),
                now,
            ),
        )
        row = self._conn.execute(
            f"SELECT {_CONFLICT_COLUMNS} FROM identity_conflicts "
            "WHERE dedupe_key = ? AND status = 'open'",
            (conflict.dedupe_key,),
        ).fetchone()
        return _conflict(row)

    def get(self, conflict_id: int | str) -> IdentityConflict | None:
        numeric = _rowid(conflict_id)
        if numeric is None:
            return None
        row = self._conn.execute(
            f"SELECT {_CONFLICT_COLUMNS} FROM identity_conflicts WHERE id = ?", (numeric,)
        ).fetchone()
        return _conflict(row) if row else None

    def list_conflicts(
        self, status: str | None = "open", org_scope: str | None = None,
        trainee_key: str | None = None, limit: int = 100,
    ) -> list[IdentityConflict]:
        sql, params = org_filter("org", org_scope)
        if status is not None:
            sql += " AND status = ?"
            params.append(status)
        if trainee_key is not None:
            sql += " AND (trainee_key = ? OR other_trainee_key = ?)"
            params.extend([trainee_key, trainee_key])
        rows = self._conn.execute(
            f"SELECT {_CONFLICT_COLUMNS} FROM identity_conflicts WHERE 1{sql} ORDER BY id LIMIT ?",
            [*params, limit],
        ).fetchall()
        return [_conflict(r) for r in rows]

    def close(self, conflict_id: int | str, status: str, resolution: dict[str, Any]) -> bool:
        numeric = _rowid(conflict_id)
        if numeric is None:
            return False
        cursor = self._conn.execute(
            "UPDATE identity_conflicts SET status = ?, resolution = ?, updated = ? "
            "WHERE id = ? AND status = 'open'",
            (status, _dumps(resolution), _stamp(None), numeric),
        )
        return cursor.rowcount > 0


def _rowid(value: int | str) -> int | None:
    """``value`` as a rowid, or None: SQLite raises OverflowError past 2^63 - 1."""
    text = str(value)
    if not (text.isascii() and text.isdigit()) or len(text) > 19 or int(text) >= 2**63:
        return None
    return int(text)
