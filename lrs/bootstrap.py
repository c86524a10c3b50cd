"""An initial admin credential from the environment (LRS_ADMIN_KEY, LRS_ADMIN_SECRET).

A container deployment, or the in-memory ``mongomock://`` demo, needs a first
credential without running ``lrs credentials create`` inside the server. Like
SQL LRS's LRSQL_ADMIN_USER_DEFAULT, it is created at start when absent (and
left alone when present, even if the variables change), logged with its key,
and its secret is never printed or logged.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping

from lrs.domain.credentials import create_credential
from lrs.domain.errors import ValidationError
from lrs.storage.port import Store

log = logging.getLogger(__name__)

KEY_VARIABLE = "LRS_ADMIN_KEY"
SECRET_VARIABLE = "LRS_ADMIN_SECRET"
KEY_PATTERN = re.compile(r"[A-Za-z0-9._~-]{8,64}")
MIN_SECRET_LENGTH = 16
MAX_SECRET_LENGTH = 256
NAME = "bootstrap admin (LRS_ADMIN_KEY)"


def admin_from_env(environ: Mapping[str, str] = os.environ) -> tuple[str, str] | None:
    """The (key, secret) the environment asks for, None if unset; ValueError if invalid."""
    key = environ.get(KEY_VARIABLE, "")
    secret = environ.get(SECRET_VARIABLE, "")
    if not key and not secret:
        return None
    if not key or not secret:
        raise ValueError(f"set both {KEY_VARIABLE} and {SECRET_VARIABLE}, or neither")
    if not KEY_PATTERN.fullmatch(key):
        raise ValueError(
            f"{KEY_VARIABLE} must be 8-64 characters of letters, digits, '.', '_', '~' or '-'"
        )
    if not MIN_SECRET_LENGTH <= len(secret) <= MAX_SECRET_LENGTH or ":" in secret:
        # HTTP Basic splits at the first colon of user:password, so a key never has one;
        # a secret could, but a colon in an environment value is usually a paste error.
        raise ValueError(
            f"{SECRET_VARIABLE} must be {MIN_SECRET_LENGTH}-{MAX_SECRET_LENGTH} characters "
            "without ':'"
        )
    return key, secret


def ensure_admin_credential(store: Store, environ: Mapping[str, str] = os.environ) -> bool:
    """Create the environment's admin credential if it is absent; True if created now."""
    wanted = admin_from_env(environ)
    if wanted is None:
        return False
    key, secret = wanted
    with store.read() as uow:
        if uow.credentials.get(key) is not None:
            return False
    try:
        create_credential(store, NAME, "all", key=key, secret=secret)
    except ValidationError:  # another process (a sibling worker) created it first
        return False
    log.warning("created the bootstrap admin credential %s from %s", key, KEY_VARIABLE)
    return True
