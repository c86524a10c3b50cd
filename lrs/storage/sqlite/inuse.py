"""Who is using an embedded store: a shared lock while open, an exclusive one to replace it.

Every open SqliteStore (each `lrs serve` worker, the archive follower, a CLI
command) holds a shared ``flock`` on ``<database>.lock``; ``lrs restore`` takes
it exclusively without waiting, so it refuses to replace a store a running
server is using instead of swapping the file under it. The kernel drops the
lock when its process dies, so a crashed server never blocks a restore.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path


class StoreInUse(RuntimeError):
    pass


def lock_path(database: Path) -> Path:
    return Path(f"{database}.lock")


def hold_shared(database: Path) -> int | None:
    """Take the shared lock; the returned descriptor holds it until closed.

    Waits while a restore holds the exclusive lock. None when the lock file
    cannot be made (a read-only directory): the store still opens.
    """
    try:
        fd = os.open(lock_path(database), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError:
        return None
    fcntl.flock(fd, fcntl.LOCK_SH)
    return fd


def release(fd: int | None) -> None:
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)


@contextlib.contextmanager
def exclusive(database: Path) -> Iterator[None]:
    """Hold the store alone for the block; StoreInUse at once if anyone has it open."""
    Path(database).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(lock_path(database), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise StoreInUse(
                f"the store {database} is in use (a running `lrs serve`, archive follower or "
                "other lrs command has it open): stop it, then restore"
            ) from exc
        yield
    finally:
        os.close(fd)
