"""Storage port: credentials (Basic auth key pairs and their scope).

See :mod:`lrs.storage.port` for the rules every adapter follows.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["Credential", "CredentialRepository"]


@dataclass(frozen=True)
class Credential:
    key: str
    secret_hash: str
    name: str
    scopes: tuple[str, ...]
    org: str = ""
    created: datetime | None = None
    revoked: bool = False
    # Profile-validation policy and other per-credential settings.
    settings: dict[str, Any] = field(default_factory=dict)


class CredentialRepository(ABC):
    @abstractmethod
    def add(self, credential: Credential) -> None: ...

    @abstractmethod
    def get(self, key: str) -> Credential | None: ...

    @abstractmethod
    def list_credentials(self) -> list[Credential]: ...

    @abstractmethod
    def revoke(self, key: str) -> bool:
        """Mark revoked; False when no such credential."""
