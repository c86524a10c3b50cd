"""Pick a store adapter from a database URL."""

from __future__ import annotations

from lrs.storage.port import Store


class UnsupportedDatabase(ValueError):
    pass


def open_store(url: str) -> Store:
    """``sqlite:///relative/path``, ``sqlite:////absolute/path`` or ``mongodb://…``."""
    if url.startswith("sqlite:///"):
        from lrs.storage.sqlite.store import SqliteStore

        path = url[len("sqlite:///") :]
        if not path:
            raise UnsupportedDatabase("sqlite URL needs a file path: sqlite:///path/to/lrs.sqlite3")
        return SqliteStore(path)
    if url.startswith(("mongodb://", "mongodb+srv://", "mongomock://")):
        raise UnsupportedDatabase(
            "the MongoDB store is not available yet in this release; "
            "unset LRS_DATABASE_URL to use the embedded SQLite store"
        )
    raise UnsupportedDatabase(f"unsupported LRS_DATABASE_URL scheme: {url.split(':', 1)[0]!r}")
