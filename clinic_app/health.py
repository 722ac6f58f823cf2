"""The database file's health: damage found and named, a full disk named, the newest good backup found, and a
damaged file replaced by a backup with the damaged one kept aside. The CLI and the desktop both use these.

What is checked when:
- every opening reads page 1 and the list of tables (a damaged first page is told apart from a wrong key:
  ``db.unopenable``); this is all a start can afford (at 100,000 residents, 300 MB, ``PRAGMA quick_check``
  takes about 2 s, ``cipher_integrity_check`` 1.4 s and ``integrity_check`` 6.7 s on this 2-core machine);
- the desktop runs ``quick_check`` in the background once the window is shown; ``clinic check`` runs it too;
- ``clinic check --full`` runs ``integrity_check`` (indexes against their tables as well);
- any SQLite error while working becomes a ``DatabaseDamaged`` or ``DiskFull`` (``storage_error``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from clinic_app.db import Cancel, DatabaseError, database_size, open_read_only, page_check, storage_error
from clinic_app.errors import DatabaseDamaged, StoreError
from clinic_app.store import Store

BACKUP_LIST_SUFFIX = ".backups"  # beside the database: every backup `clinic backup` wrote, one path a line


# -- checks ----------------------------------------------------------------------------------------------
def background_check(store: Store, cancel: Cancel | None = None) -> DatabaseDamaged | None:
    """``quick_check`` on a connection of its own (for a worker thread while the window is in use); setting
    ``cancel`` interrupts it at once (a sign-out need not wait the seconds it takes)."""
    try:
        conn = store.reader()
    except DatabaseDamaged as exc:
        return exc
    if cancel is not None and cancel.is_set():  # an interruption only stops a statement already running
        conn.close()
        return None
    try:
        if cancel is None:
            problems = page_check(conn)
        else:
            with cancel.interrupts(conn):
                problems = page_check(conn)
    finally:
        conn.close()
    if cancel is not None and cancel.is_set():
        return None
    return damage_found(store.path, problems) if problems else None


def with_newest_backup(error: DatabaseDamaged, key: bytes | None) -> DatabaseDamaged:
    """The same error, naming the newest good backup (the search opens each candidate: seconds each at
    100,000 residents, so only after damage was found)."""
    return error.with_backup(newest_good_backup(error.path, key))


def damage_found(path: Path, problems: list[str]) -> DatabaseDamaged:
    many = f"SQLite's check found {len(problems)} problems, the first: " if len(problems) > 1 else ""
    return DatabaseDamaged(path, many + problems[0], reason="check")


# -- backups -----------------------------------------------------------------------------------------------
def backup_list_path(db: Path) -> Path:
    return _side(db, BACKUP_LIST_SUFFIX)


def record_backup(db: Path, backup: Path) -> None:
    """Remember a backup written anywhere (a USB stick too), so a damaged database can name it later."""
    listed = backup_list_path(db)
    with (
        contextlib.suppress(OSError),
        listed.open("a", encoding="utf-8") as fh,
    ):  # failing: only a later search is poorer
        fh.write(f"{backup.resolve()}\n")


def backup_candidates(db: Path) -> list[Path]:
    """Every backup of ``db`` that exists, newest first: those `clinic backup` recorded, and those made beside
    the database (before each migration, before a restore: ``<db>.*.bak``)."""
    found: dict[Path, float] = {}
    paths: list[Path] = []
    with contextlib.suppress(OSError, UnicodeDecodeError):
        paths += [
            Path(line) for line in backup_list_path(db).read_text(encoding="utf-8").splitlines() if line
        ]
    paths += list(db.parent.glob(f"{db.name}.*.bak"))
    for p in paths:
        try:
            found[p.resolve()] = p.stat().st_mtime
        except OSError:
            continue
    return sorted(found, key=lambda p: found[p], reverse=True)


def backup_problem(backup: Path, key: bytes) -> str | None:
    """Why ``backup`` is not a good backup (None: it is): it must open with the database's key and pass
    ``quick_check``. The file is opened read-only, never changed."""
    if not backup.is_file():
        return f"{backup} does not exist"
    try:
        conn = open_read_only(backup, key)
    except DatabaseError as exc:
        return f"{backup} cannot be opened: {exc}"
    try:
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except DatabaseError:
            return f"{backup} does not open with this database's key (or its first page is damaged)"
        problems = page_check(conn)
        return f"{backup} is damaged: {'; '.join(problems[:3])}" if problems else None
    finally:
        conn.close()


def newest_good_backup(db: Path, key: bytes | None) -> Path | None:
    if key is None:
        return None
    return next((b for b in backup_candidates(db) if backup_problem(b, key) is None), None)


def modified(path: Path) -> dt.datetime:
    return dt.datetime.fromtimestamp(path.stat().st_mtime).astimezone()


# -- putting a good backup in place of a damaged database ------------------------------------------------
def restore_damaged(
    db: Path, backup: Path, key: bytes, accept: Callable[[Store], None] | None = None
) -> Path:
    """Replace the damaged ``db`` by ``backup``; returns where the damaged file was put (never deleted).

    The backup is copied beside the database and opened there as a store first (migrating an older backup,
    proving it reads); ``accept(store)`` may refuse (who asks must be a clinic admin of the backup). Only then
    is the damaged file (with its WAL) moved aside to ``<db>.damaged-<time>`` and the copy moved in."""
    if (problem := backup_problem(backup, key)) is not None:
        raise StoreError(f"the backup cannot be used: {problem}")
    tmp = _side(db, ".restoring")
    for stale in (tmp, _side(tmp, "-wal"), _side(tmp, "-shm")):
        stale.unlink(missing_ok=True)
    try:
        shutil.copyfile(backup, tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        store = Store(tmp, key)
        try:
            if accept is not None:
                accept(store)
            store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            store.close()
    except BaseException as exc:
        for part in (tmp, _side(tmp, "-wal"), _side(tmp, "-shm")):
            part.unlink(missing_ok=True)
        if (clear := storage_error(exc, tmp, database_size(backup))) is not None and clear is not exc:
            raise clear from None
        raise
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = _side(db, f".damaged-{stamp}")
    if db.exists():
        os.replace(db, aside)
    for suffix in ("-wal", "-shm"):
        side = _side(db, suffix)
        if side.exists():
            os.replace(side, _side(aside, suffix))
    os.replace(tmp, db)
    return aside


def _side(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)
