"""Where the documents a province edits as data (profiles, credit policies) are found."""

from __future__ import annotations

import sys
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parents[2]


def find_data_dir(setting: str) -> Path | None:
    """The directory ``setting`` names: relative to the working directory, else to the
    source tree (a checkout, in development), else to the installed data
    (``<prefix>/share/lrs``); None when none of them is a directory."""
    path = Path(setting)
    if path.is_dir():
        return path
    if not path.is_absolute():
        for base in (_REPO_ROOT, Path(sys.prefix) / "share" / "lrs"):
            if (base / path).is_dir():
                return base / path
    return None
