"""The embedded store's state, activity profile and agent profile documents."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lrs.storage.port.documents import ANY, Document, DocumentKey, DocumentRepository, DocumentScope
from lrs.storage.port.errors import ConcurrentUpdate
from lrs.storage.sqlite.common import SqliteRepository
from lrs.timeutil import format_timestamp, parse_stored

_DOC_KEY_COLUMNS = "kind, org, activity_id, agent_key, registration, doc_id"


def _key_params(key: DocumentKey) -> tuple[str, ...]:
    return (key.kind, key.org, key.activity_id, key.agent_key, key.registration, key.doc_id)


def _scope_sql(scope: DocumentScope) -> tuple[str, list[Any]]:
    sql = "kind = ? AND org = ? AND activity_id = ? AND agent_key = ?"
    params: list[Any] = [scope.kind, scope.org, scope.activity_id, scope.agent_key]
    if scope.registration is not None:
        sql += " AND registration = ?"
        params.append(scope.registration)
    return sql, params


class SqliteDocuments(SqliteRepository, DocumentRepository):
    def get(self, key: DocumentKey) -> Document | None:
        row = self._conn.execute(
            "SELECT content, content_type, etag, updated FROM documents WHERE "
            "kind = ? AND org = ? AND activity_id = ? AND agent_key = ? AND registration = ? "
            "AND doc_id = ?",
            _key_params(key),
        ).fetchone()
        if not row:
            return None
        content, content_type, etag, updated = row
        return Document(key, bytes(content), content_type, etag, parse_stored(updated))

    def list_ids(self, scope: DocumentScope, since: datetime | None = None) -> list[str]:
        sql, params = _scope_sql(scope)
        if since is not None:
            sql += " AND updated > ?"
            params.append(format_timestamp(since))
        rows = self._conn.execute(
            f"SELECT DISTINCT doc_id FROM documents WHERE {sql} ORDER BY doc_id", params
        ).fetchall()
        return [row[0] for row in rows]

    def save(self, document: Document, expected_etag: str | None) -> None:
        values = (
            *_key_params(document.key),
            document.content,
            document.content_type,
            document.etag,
            format_timestamp(document.updated),
        )
        if expected_etag is None:
            cursor = self._conn.execute(
                f"INSERT INTO documents ({_DOC_KEY_COLUMNS}, content, content_type, etag, updated) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                values,
            )
        elif expected_etag == ANY:
            cursor = self._conn.execute(
                f"INSERT INTO documents ({_DOC_KEY_COLUMNS}, content, content_type, etag, updated) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
                "content = excluded.content, content_type = excluded.content_type, "
                "etag = excluded.etag, updated = excluded.updated",
                values,
            )
        else:
            cursor = self._conn.execute(
                "UPDATE documents SET content = ?, content_type = ?, etag = ?, updated = ? "
                "WHERE kind = ? AND org = ? AND activity_id = ? AND agent_key = ? "
                "AND registration = ? AND doc_id = ? AND etag = ?",
                (*values[6:], *values[:6], expected_etag),
            )
        if cursor.rowcount == 0:
            raise ConcurrentUpdate(document.key.doc_id)

    def delete(self, key: DocumentKey) -> None:
        self._conn.execute(
            "DELETE FROM documents WHERE kind = ? AND org = ? AND activity_id = ? "
            "AND agent_key = ? AND registration = ? AND doc_id = ?",
            _key_params(key),
        )

    def delete_all(self, scope: DocumentScope) -> None:
        sql, params = _scope_sql(scope)
        self._conn.execute(f"DELETE FROM documents WHERE {sql}", params)
