"""Storage port: the error a store raises when a compare-and-set lost a race."""

from __future__ import annotations

__all__ = ["ConcurrentUpdate"]


class ConcurrentUpdate(Exception):
    """Raised by a store when a compare-and-set on a document's ETag lost a race."""
