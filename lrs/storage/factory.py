"""Pick a store adapter from a database URL."""

from __future__ import annotations

from lrs.storage.port import Store


class UnsupportedDatabase(ValueError):
    pass


def open_store(url: str) -> Store:
    """``sqlite:///relative/path``, ``sqlite:////absolute/path``, ``mongodb://…``,
    ``mongodb+srv://…`` or (demos and tests only) ``mongomock://``."""
    if url.startswith("sqlite:///"):
        from lrs.storage.sqlite.store import SqliteStore

        path = url[len("sqlite:///") :]
        if not path:
            raise UnsupportedDatabase("sqlite URL needs a file path: sqlite:///path/to/lrs.sqlite3")
        return SqliteStore(path)
    if url.startswith(("mongodb://", "mongodb+srv://", "mongomock://")):
        try:
            import mongoengine  # noqa: F401 - the schema is declared with it
            import pymongo  # noqa: F401

            if url.startswith("mongomock://"):
                import mongomock  # noqa: F401
        except ImportError as exc:
            extra = "test" if url.startswith("mongomock://") else "mongo"
            raise UnsupportedDatabase(
                f"the MongoDB store needs {exc.name}: pip install -e '.[{extra}]'"
            ) from exc
        from lrs.storage.mongo.store import MongoStore

        return MongoStore(url)
    raise UnsupportedDatabase(f"unsupported LRS_DATABASE_URL scheme: {url.split(':', 1)[0]!r}")
