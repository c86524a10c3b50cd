"""Pick a store adapter from a database URL."""

from __future__ import annotations

from lrs.storage.port import Store


class UnsupportedDatabase(ValueError):
    pass


def open_store(url: str, tolerate_unavailable: bool = False) -> Store:
    """``sqlite:///relative/path``, ``sqlite:////absolute/path``, ``mongodb://…``,
    ``mongodb+srv://…`` or (demos and tests only) ``mongomock://``.

    ``tolerate_unavailable``: an embedded store whose file is read-only just now
    opens anyway and answers 503 until it is writable (server workers)."""
    if url.startswith("sqlite:///"):
        from lrs.storage.sqlite.store import SqliteStore

        path = url[len("sqlite:///") :]
        if not path:
            raise UnsupportedDatabase("sqlite URL needs a file path: sqlite:///path/to/lrs.sqlite3")
        return SqliteStore(path, tolerate_unavailable=tolerate_unavailable)
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
