"""The MongoDB adapter's credentials (written at commit, like every repository's)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from lrs.storage.mongo.schema import json_text
from lrs.storage.mongo.statements import aware
from lrs.storage.port.credentials import Credential, CredentialRepository
from lrs.timeutil import utcnow

if TYPE_CHECKING:
    from lrs.storage.mongo.unit_of_work import MongoUnitOfWork


def _credential(doc: dict[str, Any]) -> Credential:
    return Credential(
        key=doc["_id"],
        secret_hash=doc["secret_hash"],
        name=doc["name"],
        scopes=tuple(doc["scopes"]),
        org=doc["org"],
        created=aware(doc["created"]),
        revoked=bool(doc.get("revoked")),
        settings=json.loads(doc.get("settings") or "{}"),
    )


class MongoCredentials(CredentialRepository):
    def __init__(self, uow: MongoUnitOfWork) -> None:
        self._uow = uow

    def add(self, credential: Credential) -> None:
        row = {
            "_id": credential.key,
            "secret_hash": credential.secret_hash,
            "name": credential.name,
            "scopes": list(credential.scopes),
            "org": credential.org,
            "created": credential.created or utcnow(),
            "revoked": credential.revoked,
            "settings": json_text(credential.settings),
        }
        # Insert-if-absent: a second credential with the same key is refused.
        self._uow.record_cas("credentials", credential.key, row, None)

    def get(self, key: str) -> Credential | None:
        doc = self._uow.lookup("credentials", key)
        return _credential(doc) if doc else None

    def list_credentials(self) -> list[Credential]:
        overlay = dict(self._uow.overlay_items("credentials"))
        docs = [
            doc
            for doc in self._uow.db["credentials"].find({}, session=self._uow.session)
            if doc["_id"] not in overlay
        ]
        docs += [doc for doc in overlay.values() if doc is not None]
        return sorted((_credential(d) for d in docs), key=lambda c: (c.created, c.key))

    def revoke(self, key: str) -> bool:
        doc = self._uow.lookup("credentials", key)
        if doc is None:
            return False
        doc["revoked"] = True
        self._uow.record(
            {"op": "update", "c": "credentials", "id": key, "q": {"_id": key},
             "u": {"$set": {"revoked": True}}},
            overlay=doc,
        )
        return True
