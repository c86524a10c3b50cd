"""The embedded store's credentials."""

from __future__ import annotations

import json
from typing import Any

from lrs.storage.port.credentials import Credential, CredentialRepository
from lrs.storage.sqlite.common import SqliteRepository
from lrs.timeutil import format_timestamp, parse_stored, utcnow


class SqliteCredentials(SqliteRepository, CredentialRepository):
    def add(self, credential: Credential) -> None:
        self._conn.execute(
            "INSERT INTO credentials (key, secret_hash, name, scopes, org, created, revoked, "
            "settings) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                credential.key,
                credential.secret_hash,
                credential.name,
                json.dumps(list(credential.scopes)),
                credential.org,
                format_timestamp(credential.created or utcnow()),
                int(credential.revoked),
                json.dumps(credential.settings),
            ),
        )

    def get(self, key: str) -> Credential | None:
        row = self._conn.execute(
            "SELECT key, secret_hash, name, scopes, org, created, revoked, settings "
            "FROM credentials WHERE key = ?",
            (key,),
        ).fetchone()
        return _credential_from_row(row) if row else None

    def list_credentials(self) -> list[Credential]:
        rows = self._conn.execute(
            "SELECT key, secret_hash, name, scopes, org, created, revoked, settings "
            "FROM credentials ORDER BY created, key"
        ).fetchall()
        return [_credential_from_row(row) for row in rows]

    def revoke(self, key: str) -> bool:
        cursor = self._conn.execute("UPDATE credentials SET revoked = 1 WHERE key = ?", (key,))
        return cursor.rowcount > 0


def _credential_from_row(row: tuple[Any, ...]) -> Credential:
    key, secret_hash, name, scopes, org, created, revoked, settings = row
    return Credential(
        key=key,
        secret_hash=secret_hash,
        name=name,
        scopes=tuple(json.loads(scopes)),
        org=org,
        created=parse_stored(created),
        revoked=bool(revoked),
        settings=json.loads(settings),
    )
