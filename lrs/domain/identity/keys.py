"""Keyed hashing and masking of agreed identifiers and names (§6.1.3, §9.2.3).

The agreed identifier may be a national ID number. The registry keeps only
``HMAC-SHA-256(secret, normalised identifier)`` (the *trainee key*) and a
masked form for display; neither the identifier nor the secret is ever logged.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
import unicodedata
from pathlib import Path

from lrs.domain.errors import NotFound

log = logging.getLogger(__name__)

MAX_ID_LENGTH = 128
MIN_SECRET_LENGTH = 16
SECRET_FILE = "identity-secret"
_KEY = re.compile(r"^[0-9a-f]{64}$")


class IdentitySecretError(RuntimeError):
    """The identity features cannot start: no usable secret."""


def normalize_agreed_id(raw: str) -> str:
    """One spelling per identifier: NFKC (full-width → ASCII), no whitespace, upper case.

    ``350102 19900101 123x`` and ``３５０１０２１９９００１０１１２３Ｘ`` are the same
    ID number; agreed identifiers are compared case-insensitively.
    """
    text = unicodedata.normalize("NFKC", raw)
    return "".join(text.split()).upper()


def is_trainee_key(value: str) -> bool:
    return bool(_KEY.match(value))


def checked_trainee_key(value: str) -> str:
    """``value`` (a URL's trainee key); one not even shaped like a key names nobody, and is
    not found like an unknown one."""
    if not is_trainee_key(value):
        raise NotFound("no trainee with this key")
    return value


def mask_id(agreed_id: str) -> str:
    """``350102199001011234`` → ``350102********1234``; short identifiers keep less."""
    text = normalize_agreed_id(agreed_id)
    n = len(text)
    if n >= 15:
        head, tail = 6, 4
    elif n >= 7:
        head, tail = 2, 2
    else:
        head, tail = min(1, n - 1), 0
    return text[:head] + "*" * (n - head - tail) + text[n - tail :] if n else ""


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***: the first character stays, the rest become ``*``."""
    if not name:
        return ""
    return name[0] + "".join(" " if c.isspace() else "*" for c in name[1:])


# Keys computed recently, so a cadre's next statements skip the HMAC.
CACHE_SIZE = 65_536


class IdentityKeys:
    """Turns agreed identifiers into trainee keys with the configured secret."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < MIN_SECRET_LENGTH:
            raise IdentitySecretError(
                f"the identity secret must be at least {MIN_SECRET_LENGTH} bytes"
            )
        # The keyed state, copied per identifier instead of re-keying each time.
        self._hmac = hmac.new(secret, digestmod=hashlib.sha256)
        self._cache: dict[str, str] = {}

    def __repr__(self) -> str:
        return "IdentityKeys(<secret>)"

    def key(self, agreed_id: str) -> str:
        found = self._cache.get(agreed_id)
        if found is None:
            mac = self._hmac.copy()
            mac.update(normalize_agreed_id(agreed_id).encode("utf-8"))
            found = mac.hexdigest()
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            self._cache[agreed_id] = found
        return found

    def derive(self, label: str) -> bytes:
        """A secret for another purpose (e.g. the console's session cookies), derived from
        the identity secret so every worker of every server agrees on it. The NUL byte
        keeps labels apart from agreed identifiers."""
        mac = self._hmac.copy()
        mac.update(b"\x00derive:" + label.encode("utf-8"))
        return mac.digest()

    def key_or_id(self, value: str) -> str:
        """A trainee key as given, or the key of an agreed identifier (CLI input)."""
        stripped = value.strip()
        return stripped if is_trainee_key(stripped) else self.key(stripped)


def check_agreed_id(raw: object) -> str | None:
    """Why ``raw`` cannot be an agreed identifier, or None when it can (never echoes it)."""
    text = normalize_agreed_id(raw) if isinstance(raw, str) else ""
    if not text:
        return "the agreed identifier must be a non-empty string"
    if len(text) > MAX_ID_LENGTH:
        return f"the agreed identifier is longer than {MAX_ID_LENGTH} characters"
    return None


def load_identity_keys(secret: str, data_dir: Path, database_url: str) -> IdentityKeys:
    """The keys from ``LRS_IDENTITY_SECRET``, or from a secret generated in the data dir.

    A generated secret is only allowed with the embedded SQLite store (one
    host); with a shared database every server must hash with the same secret,
    so the setting is required and starting without it fails.
    """
    if secret:
        if len(secret.encode()) < MIN_SECRET_LENGTH:
            raise IdentitySecretError(
                f"LRS_IDENTITY_SECRET must be at least {MIN_SECRET_LENGTH} characters"
            )
        return IdentityKeys(secret.encode())
    if not database_url.startswith("sqlite:"):
        raise IdentitySecretError(
            "LRS_IDENTITY_SECRET is required with a shared database: every server must "
            "hash agreed identifiers with the same secret"
        )
    return IdentityKeys(_generated_secret(Path(data_dir) / SECRET_FILE))


def _generated_secret(path: Path) -> bytes:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        # Written aside, then hard-linked into place: the link fails if another
        # process got there first, and nobody ever reads a half-written file.
        value = secrets.token_hex(32).encode()
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(value + b"\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        else:
            log.warning(
                "!!! LRS_IDENTITY_SECRET is not set: generated a new identity secret in %s. "
                "Every trainee key depends on it: back it up with the database, never "
                "change it, and set LRS_IDENTITY_SECRET in production. !!!",
                path,
            )
            return value
        finally:
            tmp.unlink()
    value = path.read_bytes().strip()
    if len(value) < MIN_SECRET_LENGTH:
        raise IdentitySecretError(f"{path} holds no usable identity secret")
    log.warning(
        "LRS_IDENTITY_SECRET is not set; agreed identifiers are hashed with the "
        "generated secret in %s",
        path,
    )
    return value
