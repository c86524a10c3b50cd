"""The embedded store's activity definitions and attachments."""

from __future__ import annotations

import json
from typing import Any

from lrs.storage.port.statements import ActivityRepository, Attachment, AttachmentRepository
from lrs.storage.sqlite.common import SqliteRepository


class SqliteActivities(SqliteRepository, ActivityRepository):
    def save_definition(self, activity_id: str, definition: dict[str, Any]) -> None:
        self._conn.execute(
            "INSERT INTO activities (id, definition) VALUES (?, ?) "
            "ON CONFLICT (id) DO UPDATE SET definition = excluded.definition",
            (activity_id, json.dumps(definition, ensure_ascii=False)),
        )

    def get(self, activity_id: str) -> dict[str, Any] | None:
        row = self._conn.execute(
            "SELECT definition FROM activities WHERE id = ?", (activity_id,)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def get_many(self, activity_ids: list[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        unique = sorted(set(activity_ids))
        for start in range(0, len(unique), 500):  # below SQLite's bound-parameter limit
            chunk = unique[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            rows = self._conn.execute(
                f"SELECT id, definition FROM activities WHERE id IN ({marks})", chunk
            )
            found.update((activity_id, json.loads(text)) for activity_id, text in rows)
        return found


class SqliteAttachments(SqliteRepository, AttachmentRepository):
    def put(self, attachment: Attachment) -> None:
        self._conn.execute(
            "INSERT OR IGNORE INTO attachments (sha2, content_type, data) VALUES (?, ?, ?)",
            (attachment.sha2, attachment.content_type, attachment.data),
        )

    def get_many(self, hashes: list[str]) -> dict[str, Attachment]:
        if not hashes:
            return {}
        marks = ", ".join("?" for _ in hashes)
        rows = self._conn.execute(
            f"SELECT sha2, content_type, data FROM attachments WHERE sha2 IN ({marks})", hashes
        ).fetchall()
        return {sha2: Attachment(sha2, ctype, bytes(data)) for sha2, ctype, data in rows}
