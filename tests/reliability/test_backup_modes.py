"""Issue 12: `lrs backup` writes owner-only files (0600) into an owner-only directory (0700).

A backup holds every statement and every credential's hash; a permissive umask
must not make it readable by other local users.
"""

from __future__ import annotations

import os
import stat

from lrs.storage.sqlite import backup as store_backup

from .conftest import create_credential, run_lrs


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_backup_files_are_0600_and_a_new_directory_0700(tmp_path):
    live = tmp_path / "live"
    live.mkdir()
    create_credential(live)
    target = tmp_path / "backups" / "nightly" / "lrs.backup"
    old = os.umask(0o022)  # the usual umask: files 0644, directories 0755 by default
    try:
        run_lrs(live, "backup", str(target))
        # --force over a file some other tool left world-readable: tightened too.
        again = tmp_path / "existing.backup"
        again.write_bytes(b"")
        os.chmod(again, 0o644)
        run_lrs(live, "backup", "--force", str(again))
    finally:
        os.umask(old)
    assert _mode(target) == 0o600
    assert _mode(target.parent) == 0o700
    assert _mode(again) == 0o600
    secret = target.with_name(target.name + store_backup.SECRET_SUFFIX)
    if secret.exists():  # the identity secret travels with the backup, just as private
        assert _mode(secret) == 0o600
    assert store_backup.verify(target).statements == 0
    assert sorted(p.name for p in target.parent.iterdir()) == sorted(
        [target.name] + ([secret.name] if secret.exists() else [])
    )  # no partial file left behind
