"""The LRS's own loggers (``lrs.*``): time, level, process and logger on each line.

LRS_LOG_LEVEL sets the level; LRS_LOG_FORMAT=json writes one JSON object a line (for a log
collector) instead of text. gunicorn's own error log keeps its format, at the same level.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import TextIO

TEXT_FORMAT = "%(asctime)s [%(process)d] [%(levelname)s] %(name)s: %(message)s"


class JsonLines(logging.Formatter):
    """One JSON object a record: time (UTC, ISO 8601), level, logger, pid, message[, exc]."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "pid": record.process,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)  # Chinese stays readable


def configure_logging(level: str = "info", fmt: str = "text", stream: TextIO | None = None) -> None:
    """Send the ``lrs`` loggers to ``stream`` (stderr) at ``level``; idempotent."""
    root = logging.getLogger("lrs")
    for handler in [h for h in root.handlers if getattr(h, "_lrs", False)]:
        root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler._lrs = True  # type: ignore[attr-defined]  # ours, replaced on the next call
    handler.setFormatter(JsonLines() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(level.upper())
    root.propagate = False  # not twice when something else configures the root logger
