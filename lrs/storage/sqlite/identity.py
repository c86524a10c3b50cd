"""The embedded store's trainee registry: trainees, unit memberships, account links, conflicts.

Kept apart from ``repositories.py``; ``store.py`` applies :data:`IDENTITY_SCHEMA`
with the main schema and hangs these repositories on each unit of work.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from lrs.storage.port.identity import (
    AccountLink,
    AccountLinkRepository,
    Membership,
    Trainee,
    TraineeRepository,
)
from lrs.storage.sqlite.common import SqliteRepository, chunks, marks, org_filter
from lrs.timeutil import format_timestamp, parse_stored, utcnow

IDENTITY_SCHEMA = """
-- key is the HMAC-SHA-256 of the agreed identifier; the identifier is never stored.
CREATE TABLE IF NOT EXISTS trainees (
    key TEXT PRIMARY KEY,
    masked_id TEXT NOT NULL,
    name TEXT NOT NULL,
    position TEXT NOT NULL,
    rank TEXT NOT NULL,
    unit TEXT NOT NULL,
    provisional INTEGER NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS trainees_unit ON trainees (unit, key);

-- joined_on '' = since before the registry knew; left_on NULL = still there.
CREATE TABLE IF NOT EXISTS trainee_memberships (
    trainee_key TEXT NOT NULL,
    unit TEXT NOT NULL,
    joined_on TEXT NOT NULL,
    left_on TEXT,
    source TEXT NOT NULL,
    PRIMARY KEY (trainee_key, joined_on, unit)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS trainee_memberships_unit ON trainee_memberships (unit, trainee_key);

-- An agent key has at most one active link: the partial unique index decides
-- between concurrent claims. Ended links stay as history.
CREATE TABLE IF NOT EXISTS trainee_links (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_key TEXT NOT NULL,
    trainee_key TEXT NOT NULL,
    ifi TEXT NOT NULL,
    source TEXT NOT NULL,
    org TEXT NOT NULL,
    linked TEXT NOT NULL,
    linked_by TEXT NOT NULL,
    statement_id TEXT,
    unlinked TEXT,
    unlinked_by TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX IF NOT EXISTS trainee_links_active ON trainee_links (agent_key)
    WHERE unlinked IS NULL;
CREATE INDEX IF NOT EXISTS trainee_links_trainee ON trainee_links (trainee_key, agent_key)
    WHERE unlinked IS NULL;
CREATE INDEX IF NOT EXISTS trainee_links_history ON trainee_links (agent_key, trainee_key);

CREATE TABLE IF NOT EXISTS identity_conflicts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    dedupe_key TEXT NOT NULL,
    status TEXT NOT NULL,
    org TEXT NOT NULL,
    trainee_key TEXT NOT NULL,
    other_trainee_key TEXT,
    agent_key TEXT,
    details TEXT NOT NULL,
    count INTEGER NOT NULL,
    resolution TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS identity_conflicts_open ON identity_conflicts (dedupe_key)
    WHERE status = 'open';
CREATE INDEX IF NOT EXISTS identity_conflicts_status ON identity_conflicts (status, id);
CREATE INDEX IF NOT EXISTS identity_conflicts_trainee ON identity_conflicts (trainee_key, id);
"""


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _stamp(value: datetime | None) -> str:
    return format_timestamp(value or utcnow())


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _parse_day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _select_in(conn: sqlite3.Connection, select: str, column: str, keys: list[str],
               rest: str = "") -> Iterator[tuple[Any, ...]]:
    """The rows of ``select … WHERE column IN (keys) rest``, asked a chunk of keys at a time."""
    for chunk in chunks(keys):
        yield from conn.execute(f"{select} WHERE {column} IN ({marks(chunk)}){rest}", chunk)


_TRAINEE_COLUMNS = "key, masked_id, name, position, rank, unit, provisional, created, updated"


def _trainee(row: tuple[Any, ...]) -> Trainee:
    key, masked_id, name, position, rank, unit, provisional, created, updated = row
    return Trainee(
        key=key,
        masked_id=masked_id,
        name=name,
        position=position,
        rank=rank,
        unit=unit,
        provisional=bool(provisional),
        created=parse_stored(created),
        updated=parse_stored(updated),
    )


class SqliteTrainees(SqliteRepository, TraineeRepository):
    def get(self, key: str) -> Trainee | None:
        row = self._conn.execute(
            f"SELECT {_TRAINEE_COLUMNS} FROM trainees WHERE key = ?", (key,)
        ).fetchone()
        return _trainee(row) if row else None

    def get_many(self, keys: list[str]) -> dict[str, Trainee]:
        rows = _select_in(self._conn, f"SELECT {_TRAINEE_COLUMNS} FROM trainees", "key", keys)
        return {row[0]: _trainee(row) for row in rows}

    def save(self, trainee: Trainee) -> None:
        now = utcnow()
        self._conn.execute(
            f"INSERT INTO trainees ({_TRAINEE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET masked_id = excluded.masked_id, "
            "name = excluded.name, position = excluded.position, rank = excluded.rank, "
            "unit = excluded.unit, provisional = excluded.provisional, "
            "updated = excluded.updated",
            (
                trainee.key,
                trainee.masked_id,
                trainee.name,
                trainee.position,
                trainee.rank,
                trainee.unit,
                int(trainee.provisional),
                _stamp(trainee.created or now),
                _stamp(trainee.updated or now),
            ),
        )

    def list_trainees(
        self, org_scope: str | None = None, after_key: str | None = None, limit: int = 500
    ) -> list[Trainee]:
        org_sql, params = org_filter("unit", org_scope, indexed=True)
        if after_key is not None:
            org_sql += " AND key > ?"
            params.append(after_key)
        rows = self._conn.execute(
            f"SELECT {_TRAINEE_COLUMNS} FROM trainees WHERE 1{org_sql} ORDER BY key LIMIT ?",
            [*params, limit],
        ).fetchall()
        return [_trainee(r) for r in rows]

    def memberships(self, key: str) -> list[Membership]:
        rows = self._conn.execute(
            "SELECT unit, joined_on, left_on, source FROM trainee_memberships "
            "WHERE trainee_key = ? ORDER BY joined_on, unit",
            (key,),
        ).fetchall()
        return [
            Membership(unit, _parse_day(joined), _parse_day(left), source)
            for unit, joined, left, source in rows
        ]

    def memberships_many(self, keys: list[str]) -> dict[str, list[Membership]]:
        found: dict[str, list[Membership]] = {}
        rows = _select_in(
            self._conn,
            "SELECT trainee_key, unit, joined_on, left_on, source FROM trainee_memberships",
            "trainee_key", keys, " ORDER BY trainee_key, joined_on, unit",
        )
        for key, unit, joined, left, source in rows:
            found.setdefault(key, []).append(
                Membership(unit, _parse_day(joined), _parse_day(left), source)
            )
        return found

    def set_memberships(self, key: str, memberships: list[Membership]) -> None:
        self._conn.execute("DELETE FROM trainee_memberships WHERE trainee_key = ?", (key,))
        self._conn.executemany(
            "INSERT INTO trainee_memberships (trainee_key, unit, joined_on, left_on, source) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                (key, m.unit, _day(m.joined), _day(m.left) or None, m.source)
                for m in memberships
            ],
        )

    def with_memberships_in(
        self, org_scope: str, after_key: str | None = None, limit: int = 500
    ) -> list[Trainee]:
        org_sql, params = org_filter("m.unit", org_scope)
        if after_key is not None:
            org_sql += " AND m.trainee_key > ?"
            params.append(after_key)
        columns = ", ".join(f"t.{c.strip()}" for c in _TRAINEE_COLUMNS.split(","))
        rows = self._conn.execute(
            f"SELECT {columns} FROM trainees t WHERE t.key IN ("
            f"SELECT m.trainee_key FROM trainee_memberships m WHERE 1{org_sql}) "
            "ORDER BY t.key LIMIT ?",
            [*params, limit],
        ).fetchall()
        return [_trainee(r) for r in rows]


_LINK_COLUMNS = (
    "agent_key, trainee_key, ifi, source, org, linked, linked_by, statement_id, unlinked, "
    "unlinked_by"
)


def _link(row: tuple[Any, ...]) -> AccountLink:
    agent_key, trainee_key, ifi, source, org, linked, by, statement_id, unlinked, unby = row
    return AccountLink(
        agent_key=agent_key,
        trainee_key=trainee_key,
        ifi=json.loads(ifi),
        source=source,
        org=org,
        linked=parse_stored(linked),
        linked_by=by,
        statement_id=statement_id,
        unlinked=parse_stored(unlinked) if unlinked else None,
        unlinked_by=unby,
    )


class SqliteAccountLinks(SqliteRepository, AccountLinkRepository):
    def link(self, link: AccountLink) -> AccountLink | None:
        cursor = self._conn.execute(
            "INSERT INTO trainee_links (agent_key, trainee_key, ifi, source, org, linked, "
            "linked_by, statement_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (agent_key) WHERE unlinked IS NULL DO NOTHING",
            (
                link.agent_key,
                link.trainee_key,
                _dumps(link.ifi),
                link.source,
                link.org,
                _stamp(link.linked),
                link.linked_by,
                link.statement_id,
            ),
        )
        if cursor.rowcount == 0:
            return self.owners([link.agent_key]).get(link.agent_key)
        return None

    def unlink(self, agent_key: str, when: datetime, by: str = "") -> AccountLink | None:
        current = self.owners([agent_key]).get(agent_key)
        if current is None:
            return None
        self._conn.execute(
            "UPDATE trainee_links SET unlinked = ?, unlinked_by = ? "
            "WHERE agent_key = ? AND unlinked IS NULL",
            (_stamp(when), by, agent_key),
        )
        return replace(current, unlinked=parse_stored(_stamp(when)), unlinked_by=by)

    def owners(self, agent_keys: list[str]) -> dict[str, AccountLink]:
        rows = _select_in(self._conn, f"SELECT {_LINK_COLUMNS} FROM trainee_links", "agent_key",
                          agent_keys, " AND unlinked IS NULL")
        return {row[0]: _link(row) for row in rows}

    def owner_keys(self, agent_keys: list[str]) -> dict[str, str]:
        rows = _select_in(self._conn, "SELECT agent_key, trainee_key FROM trainee_links",
                          "agent_key", agent_keys, " AND unlinked IS NULL")
        return dict(rows)

    def agent_keys(self, trainee_key: str) -> list[str]:
        rows = self._conn.execute(
            "SELECT agent_key FROM trainee_links WHERE trainee_key = ? AND unlinked IS NULL "
            "ORDER BY agent_key",
            (trainee_key,),
        ).fetchall()
        return [r[0] for r in rows]

    def for_trainee(self, trainee_key: str, include_unlinked: bool = False) -> list[AccountLink]:
        active = "" if include_unlinked else " AND unlinked IS NULL"
        rows = self._conn.execute(
            f"SELECT {_LINK_COLUMNS} FROM trainee_links WHERE trainee_key = ?{active} ORDER BY id",
            (trainee_key,),
        ).fetchall()
        return [_link(r) for r in rows]

    def was_unlinked(self, agent_key: str, trainee_key: str) -> bool:
        row = self._conn.execute(
            "SELECT 1 FROM trainee_links WHERE agent_key = ? AND trainee_key = ? "
            "AND unlinked IS NOT NULL LIMIT 1",
            (agent_key, trainee_key),
        ).fetchone()
        return row is not None
