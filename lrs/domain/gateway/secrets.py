"""Remote LRS credentials at rest: Fernet-encrypted, or the name of an environment variable.

The Fernet key is derived (HKDF-SHA-256) from LRS_GATEWAY_SECRET, else from the
identity secret (LRS_IDENTITY_SECRET, or the one generated beside a SQLite
store), so a copied database alone does not give away the platforms' secrets.
A secret is never printed: job listings show only whether one is set.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any, Protocol

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from lrs.domain.errors import ValidationError
from lrs.domain.identity.keys import SECRET_FILE, _generated_secret

INFO = b"lrs-gateway-remote-credentials-v1"


class GatewaySettings(Protocol):
    """What the gateway's secrets need of the settings (``lrs.config.Settings`` has it)."""

    @property
    def identity_secret(self) -> str: ...

    @property
    def gateway_secret(self) -> str: ...

    @property
    def data_dir(self) -> Path: ...

    def resolved_database_url(self) -> str: ...


def _master(settings: GatewaySettings) -> bytes:
    explicit = settings.gateway_secret or settings.identity_secret
    if explicit:
        return explicit.encode()
    if not settings.resolved_database_url().startswith("sqlite:"):
        raise ValidationError(
            "set LRS_GATEWAY_SECRET (or LRS_IDENTITY_SECRET) to store remote credentials "
            "with a shared database", "secret",
        )
    # The same generated secret the trainee registry uses (SQLite, one host); read
    # quietly when it exists (the registry already warned at start-up).
    path = Path(settings.data_dir) / SECRET_FILE
    if path.exists():
        value = path.read_bytes().strip()
        if value:
            return value
    return _generated_secret(path)


def cipher(settings: GatewaySettings) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(
        _master(settings)
    )
    return Fernet(base64.urlsafe_b64encode(key))


def seal(settings: GatewaySettings, secret: str | None, secret_env: str | None) -> dict[str, Any]:
    """The config fields that stand for the secret: encrypted, or an env var's name."""
    if secret_env:
        return {"secretEnv": secret_env}
    if not secret:
        raise ValidationError("give the remote secret, or --secret-env NAME", "secret")
    return {"secretEncrypted": cipher(settings).encrypt(secret.encode()).decode()}


def unseal(settings: GatewaySettings, config: dict[str, Any]) -> str:
    """The remote secret of a job's config (from the env var it names, or decrypted)."""
    name = config.get("secretEnv")
    if name:
        value = os.environ.get(name)
        if not value:
            raise ValidationError(f"environment variable {name} (the remote secret) is not set",
                                  "secretEnv")
        return value
    try:
        return cipher(settings).decrypt(config["secretEncrypted"].encode()).decode()
    except (KeyError, InvalidToken) as exc:
        raise ValidationError(
            "the remote secret cannot be decrypted: LRS_GATEWAY_SECRET or "
            "LRS_IDENTITY_SECRET changed since the job was added; set it again with "
            "`lrs gateway … add --replace`", "secretEncrypted",
        ) from exc


def describe(config: dict[str, Any]) -> dict[str, Any]:
    """The config as shown to operators: everything but the secret."""
    shown = {k: v for k, v in config.items() if k != "secretEncrypted"}
    if "secretEncrypted" in config:
        shown["secret"] = "(encrypted)"
    return shown
