"""Online backup and restore of the embedded store (``lrs backup`` / ``lrs restore``).

**Backup** copies the live database with SQLite's backup API in a single step:
the copy is one read transaction, so it is the database exactly as it was at
one commit (a consistent snapshot), and in WAL mode writers keep committing
while it runs. The copy is written next to the target under a temporary name,
checked (``PRAGMA integrity_check``, LRS schema present), synced and only then
renamed into place, so a crash never leaves a half-written backup at ``PATH``.

**Restore** first verifies that the file is an intact LRS store, refuses to
overwrite a store that holds data unless forced, and copies it into the
configured store through the same API (SQLite's locking, not a file copy, so
a stale ``-wal`` file can never be replayed over the restored pages).

The identity secret generated in the data directory (when
``LRS_IDENTITY_SECRET`` is unset) hashes trainees' agreed identifiers; a
database restored without it cannot match them again. Backup copies it to
``PATH.identity-secret``; restore puts it back.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path

from lrs.storage.sqlite import inuse
from lrs.storage.sqlite.schema import SCHEMA_VERSION

#: Tables every LRS store has; a file without them is not one.
REQUIRED_TABLES = frozenset({"meta", "statements", "credentials", "documents", "outbox"})
SECRET_SUFFIX = ".identity-secret"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why."""


@dataclass(frozen=True)
class StoreSummary:
    path: str
    statements: int
    last_seq: int
    bytes: int

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def sqlite_path(database_url: str) -> Path:
    """The file of a ``sqlite:///`` URL; BackupError for any other store."""
    if not database_url.startswith("sqlite:///") or database_url == "sqlite:///":
        scheme = database_url.split(":", 1)[0]
        raise BackupError(
            f"lrs backup/restore work on the embedded SQLite store, not {scheme!r}; "
            "back a MongoDB store up with mongodump"
        )
    return Path(database_url[len("sqlite:///") :])


def backup(
    source: Path, target: Path, *, force: bool = False, secret: Path | None = None
) -> StoreSummary:
    """Copy the live store at ``source`` to ``target`` consistently; see the module doc.

    ``secret`` is the generated identity-secret file, copied along when it exists.
    """
    source, target = Path(source), Path(target)
    if not source.exists():
        raise BackupError(f"there is no store at {source}")
    if target.exists() and not force:
        raise BackupError(f"{target} exists; choose a new path or pass --force")
    # A backup holds every statement and credential hash: owner-only, like the store.
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    _remove_database(partial)
    try:
        _create_private(partial)  # SQLite keeps an existing file's mode (and its journal's)
        # One self-contained file: no -wal beside it to lose in a copy.
        _copy(source, partial, journal_mode="DELETE")
        summary = verify(partial)
        _fsync(partial)
        os.replace(partial, target)
        _fsync_dir(target.parent)
    finally:
        _remove_database(partial)
    if secret is not None and Path(secret).exists():
        _copy_private(Path(secret), Path(str(target) + SECRET_SUFFIX))
    return StoreSummary(str(target), summary.statements, summary.last_seq, target.stat().st_size)


def restore(
    backup_file: Path, target: Path, *, force: bool = False, secret: Path | None = None
) -> StoreSummary:
    """Replace the store at ``target`` with ``backup_file`` after verifying both.

    ``secret`` is where the identity secret belongs; the backup's copy goes there.
    """
    backup_file, target = Path(backup_file), Path(target)
    try:
        with inuse.exclusive(target):
            return _restore(backup_file, target, force=force, secret=secret)
    except inuse.StoreInUse as exc:
        raise BackupError(str(exc)) from exc


def _restore(
    backup_file: Path, target: Path, *, force: bool, secret: Path | None
) -> StoreSummary:
    summary = verify(backup_file)
    if target.exists():
        held = _rows_held(target)
        if held and not force:
            raise BackupError(
                f"the store at {target} is not empty ({held}); "
                "restore into an empty data directory, or pass --force to replace it"
            )
    secret_backup = Path(str(backup_file) + SECRET_SUFFIX)
    secret_target = Path(secret) if secret is not None else None
    if (
        secret_target is not None
        and secret_backup.exists()
        and secret_target.exists()
        and secret_backup.read_bytes().strip() != secret_target.read_bytes().strip()
        and not force
    ):
        raise BackupError(
            f"{secret_target} differs from the backup's identity secret; trainee keys "
            "would no longer match. Pass --force to replace it with the backup's"
        )
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):  # private, like a store the LRS creates
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    _copy(backup_file, target, journal_mode="WAL", timeout=30)
    if secret_target is not None and secret_backup.exists():
        _copy_private(secret_backup, secret_target)
    restored = verify(target)
    if (restored.statements, restored.last_seq) != (summary.statements, summary.last_seq):
        raise BackupError(f"{target} does not hold what {backup_file} holds after the restore")
    return StoreSummary(str(target), restored.statements, restored.last_seq, restored.bytes)


def _copy(source: Path, target: Path, *, journal_mode: str, timeout: float = 5.0) -> None:
    """Copy the database at ``source`` into ``target`` through SQLite's backup API."""
    with (
        contextlib.closing(_connect(source, readonly=True)) as src,
        contextlib.closing(sqlite3.connect(target, timeout=timeout)) as dst,
    ):
        # pages=-1: the whole database in one step, i.e. in one read
        # transaction; stepwise copies restart whenever a writer commits.
        src.backup(dst, pages=-1)
        dst.execute(f"PRAGMA journal_mode = {journal_mode}")


def verify(path: Path) -> StoreSummary:
    """Check that ``path`` is an intact LRS store; BackupError naming the problem if not."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    with open(path, "rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise BackupError(f"{path} is not an LRS store: not an SQLite database")
    try:
        conn = _connect(path, readonly=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchall()
            if result != [("ok",)]:
                problems = "; ".join(str(row[0]) for row in result[:3])
                raise BackupError(f"{path} fails the integrity check: {problems}")
            tables = {
                row[0]
                for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            missing = REQUIRED_TABLES - tables
            if missing:
                raise BackupError(
                    f"{path} is not an LRS store: no {', '.join(sorted(missing))} table"
                )
            row = conn.execute("SELECT value FROM meta WHERE name = 'schema_version'").fetchone()
            if row is None or not str(row[0]).isdigit():
                raise BackupError(f"{path} is not an LRS store: no schema version")
            if int(row[0]) > SCHEMA_VERSION:
                raise BackupError(
                    f"{path} has schema version {row[0]}, newer than this LRS ({SCHEMA_VERSION})"
                )
            count, last = conn.execute("SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM statements")\
                .fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a readable SQLite database ({exc})") from exc
    return StoreSummary(str(path), count, last, path.stat().st_size)


def _rows_held(path: Path) -> str:
    """'' for a store with no data, else e.g. '12 rows in statements, 1 in credentials'."""
    try:
        conn = _connect(path, readonly=True)
    except sqlite3.DatabaseError:
        return "" if path.stat().st_size == 0 else "an unreadable file"
    try:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT IN ('meta', 'sqlite_sequence') ORDER BY name"
            )
        ]
        held = []
        for name in names:
            count = conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]
            if count:
                held.append(f"{count} rows in {name}")
        return ", ".join(held)
    except sqlite3.DatabaseError:
        return "an unreadable database"
    finally:
        conn.close()


def _connect(path: Path, *, readonly: bool) -> sqlite3.Connection:
    mode = "ro" if readonly else "rw"
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode={mode}", uri=True, timeout=30)
    conn.execute("PRAGMA busy_timeout = 30000")
    return conn


def _create_private(path: Path) -> None:
    """An empty file only its owner can read, whatever the umask."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    os.chmod(path, 0o600)  # an existing file keeps its mode through os.open


def _copy_private(source: Path, target: Path) -> None:
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    _create_private(target)  # never readable by others, not even while being copied
    shutil.copyfile(source, target)


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{path}{suffix}")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
