"""The embedded store's outbox."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from lrs import compactjson
from lrs.storage.port.outbox import Outbox, OutboxEvent, OutboxLag
from lrs.storage.sqlite.common import SqliteRepository
from lrs.timeutil import format_timestamp, parse_stored, utcnow


class SqliteOutbox(SqliteRepository, Outbox):
    def add(self, topic: str, payload: dict[str, Any]) -> None:
        self._conn.execute(
            "INSERT INTO outbox (topic, payload, created) VALUES (?, ?, ?)",
            (topic, compactjson.dumps(payload), format_timestamp(utcnow())),
        )

    def pending(self, topic: str | None = None, limit: int = 100) -> list[OutboxEvent]:
        sql = "SELECT id, topic, payload, created FROM outbox WHERE done = 0"
        params: list[Any] = []
        if topic is not None:
            sql += " AND topic = ?"
            params.append(topic)
        rows = self._conn.execute(sql + " ORDER BY id LIMIT ?", [*params, limit]).fetchall()
        return [
            OutboxEvent(eid, t, json.loads(payload), parse_stored(created))
            for eid, t, payload, created in rows
        ]

    def mark_done(self, event_ids: list[int | str]) -> None:
        self._conn.executemany("UPDATE outbox SET done = 1 WHERE id = ?", [(i,) for i in event_ids])

    def after(
        self, cursor: int | str | None, topic: str, limit: int = 100,
        created_before: datetime | None = None,
    ) -> list[OutboxEvent]:
        # Ids are taken inside the write transaction, which SQLite serialises: id
        # order is commit order, so a cursor never skips a late commit.
        sql = "SELECT id, topic, payload, created FROM outbox WHERE id > ? AND topic = ?"
        params: list[Any] = [int(cursor or 0), topic]
        if created_before is not None:
            sql += " AND created < ?"
            params.append(format_timestamp(created_before))
        rows = self._conn.execute(sql + " ORDER BY id LIMIT ?", [*params, limit]).fetchall()
        return [
            OutboxEvent(eid, t, json.loads(payload), parse_stored(created))
            for eid, t, payload, created in rows
        ]

    def lag(self) -> OutboxLag:
        count, oldest = self._conn.execute(
            "SELECT COUNT(*), MIN(created) FROM outbox WHERE done = 0"
        ).fetchone()
        return OutboxLag(count, parse_stored(oldest) if oldest else None)
