"""X-Experience-API-Version negotiation (xAPI Communication 3.3 / 2.0 §4.1.3)."""

from __future__ import annotations

import re

from lrs.domain.errors import ValidationError

VERSION_HEADER = "X-Experience-API-Version"

# A client on any 1.0.x patch level is served by the 1.0.3 rules; 2.0.x by 2.0.0.
_ONE_ZERO = re.compile(r"^1\.0(\.[0-9]+)?$")
_TWO_ZERO = re.compile(r"^2\.0(\.[0-9]+)?$")


def negotiate(header: str | None, enabled: tuple[str, ...]) -> str:
    """The version this request is served under: ``"1.0.3"`` or ``"2.0.0"``, if enabled."""
    if header is None or not header.strip():
        raise ValidationError(f"the {VERSION_HEADER} header is required", VERSION_HEADER)
    value = header.strip()
    version = None
    if _ONE_ZERO.match(value):
        version = "1.0.3"
    elif _TWO_ZERO.match(value):
        version = "2.0.0"
    if version is None or version not in enabled:
        raise ValidationError(
            f"unsupported xAPI version {value!r}; this LRS serves {', '.join(enabled)}",
            VERSION_HEADER,
        )
    return version
