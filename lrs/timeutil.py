"""Timestamps as the LRS writes them: UTC, millisecond precision, sortable as text."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, truncated to the millisecond the LRS reports in ``stored``."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def format_timestamp(value: datetime) -> str:
    """``2026-11-23T18:11:31.123Z``: fixed width, so text order is time order."""
    global _last_formatted
    last = _last_formatted
    if last[0] is value:
        return last[1]  # a batch formats its one `stored` moment once per statement
    # isoformat is C code (strftime was 6% of batch-ingest CPU); its first 23
    # characters are "YYYY-MM-DDTHH:MM:SS.mmm", milliseconds truncated.
    text = value.astimezone(UTC).isoformat(timespec="milliseconds")[:23] + "Z"
    _last_formatted = (value, text)
    return text


# The last (datetime, text) pair; replaced as one tuple, so threads never see a
# value paired with another value's text.
_last_formatted: tuple[datetime | None, str] = (None, "")


def parse_stored(value: str) -> datetime:
    """Read back a timestamp written by :func:`format_timestamp`."""
    if len(value) == 24 and value[19] == "." and value[23] == "Z":
        # The fixed form format_timestamp writes: fromisoformat reads it (and its
        # "Z") ten times faster than strptime, which showed in every stored row.
        return datetime.fromisoformat(value)
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
