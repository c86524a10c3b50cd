"""Timestamps as the LRS writes them: UTC, millisecond precision, sortable as text."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, truncated to the millisecond the LRS reports in ``stored``."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def format_timestamp(value: datetime) -> str:
    """``2026-11-23T18:11:31.123Z``: fixed width, so text order is time order."""
    value = value.astimezone(UTC)
    # isoformat is C code (strftime was 6% of batch-ingest CPU); its first 23
    # characters are "YYYY-MM-DDTHH:MM:SS.mmm", milliseconds truncated.
    return value.isoformat(timespec="milliseconds")[:23] + "Z"


def parse_stored(value: str) -> datetime:
    """Read back a timestamp written by :func:`format_timestamp`."""
    if len(value) == 24 and value[19] == "." and value[23] == "Z":
        # The fixed form format_timestamp writes: fromisoformat reads it (and its
        # "Z") ten times faster than strptime, which showed in every stored row.
        return datetime.fromisoformat(value)
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
