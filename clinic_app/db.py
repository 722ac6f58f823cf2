"""Opening the encrypted database, pragmas, migrations with a backup before each, backup and restore."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlcipher3

from clinic_app.errors import StoreError, StoreKeyError

Connection = Any  # sqlcipher3.Connection has no type stubs
DatabaseError = sqlcipher3.DatabaseError
IntegrityError = sqlcipher3.IntegrityError


def _apply_key(conn: Connection, key: bytes) -> None:
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")


def connect(path: str | os.PathLike[str], key: bytes, *, must_exist: bool = True) -> Connection:
    """An encrypted connection in autocommit mode; transactions are begun explicitly."""
    path = Path(path)
    if must_exist and not path.exists():
        raise StoreError(f"database {path} does not exist; create it with `clinic init`")
    conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=30)
    conn.row_factory = sqlcipher3.Row
    conn.execute("PRAGMA cipher_log_level = NONE")  # a wrong key is reported below, not logged to stderr
    _apply_key(conn, key)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError:
        conn.close()
        raise StoreKeyError(
            f"{path} cannot be opened with this key: the key is wrong or the file is not a Village Clinic database"
        ) from None
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA temp_store = MEMORY")  # no plaintext temp files
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA cache_size = -32768")  # 32 MiB of decrypted pages: bulk writes stay linear
    return conn


def schema_version(conn: Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def vacuum_into(conn: Connection, target: Path) -> None:
    """A consistent, encrypted (same key) copy of the database, schema version included."""
    if target.exists():
        raise StoreError(f"{target} exists already; choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    conn.execute("VACUUM INTO ?", (str(target),))


def migrate(
    conn: Connection,
    db_path: Path,
    migrations: list[Callable[[Connection], None]],
    *,
    target: int | None = None,
    backup: bool = True,
) -> list[Path]:
    """Bring the schema to ``target`` (default: newest). Each step is one transaction, preceded by a backup
    copy of the file (``<db>.v<N>-<time>.bak``) unless the database is new (version 0)."""
    target = len(migrations) if target is None else target
    current = schema_version(conn)
    if current > len(migrations):
        raise StoreError(
            f"{db_path} has schema version {current}, newer than this program knows ({len(migrations)}): "
            "update Village Clinic"
        )
    backups: list[Path] = []
    while current < target:
        if backup and current > 0:
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
            copy = db_path.with_name(f"{db_path.name}.v{current}-{stamp}.bak")
            vacuum_into(conn, copy)
            backups.append(copy)
        step = migrations[current]
        conn.execute("BEGIN IMMEDIATE")
        try:
            step(conn)
            conn.execute(f"PRAGMA user_version = {current + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        current += 1
    return backups


def restore_file(backup: Path, db_path: Path, key: bytes) -> None:
    """Replace ``db_path`` with ``backup`` after proving the backup opens with the key and is intact."""
    if not backup.exists():
        raise StoreError(f"backup file {backup} does not exist")
    probe = connect(backup, key)
    try:
        result = probe.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise StoreError(f"backup file {backup} is damaged: {result}")
    finally:
        probe.close()
    tmp = db_path.with_name(db_path.name + ".restoring")
    shutil.copyfile(backup, tmp)
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    for suffix in ("-wal", "-shm"):
        side = db_path.with_name(db_path.name + suffix)
        if side.exists():
            side.unlink()
    os.replace(tmp, db_path)
