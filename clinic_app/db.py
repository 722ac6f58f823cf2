"""Opening the encrypted database, pragmas, migrations with a backup before each, backup and restore."""

from __future__ import annotations

import datetime as dt
import errno
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlcipher3

from clinic_app import keystore
from clinic_app.errors import ClinicError, DatabaseDamaged, DiskFull, StoreError, StoreKeyError

Connection = Any  # sqlcipher3.Connection has no type stubs
DatabaseError = sqlcipher3.DatabaseError
IntegrityError = sqlcipher3.IntegrityError
SQLITE_CORRUPT, SQLITE_FULL, SQLITE_NOTADB = 11, 13, 26  # exc.sqlite_errorcode
WRITE_ROOM = 32 * 1024 * 1024  # what a change needs free: the writer's page cache (below), spilled to the WAL
PAGE_SIZE = 4096  # SQLCipher 4's default, which every Village Clinic database has


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
    except sqlcipher3.DatabaseError as exc:
        conn.close()
        raise unopenable(path, key, exc) from None
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA temp_store = MEMORY")  # no plaintext temp files
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA cache_size = -32768")  # 32 MiB of decrypted pages: bulk writes stay linear
    return conn


def unopenable(path: Path, key: bytes, exc: Exception) -> StoreKeyError | DatabaseDamaged:
    """Why the first read of a database failed: a wrong key, or damage. With a wrong key and with a damaged
    page 1 alike, page 1 fails its HMAC; the key check value beside the database tells them apart, and
    without one SQLCipher's per-page HMAC does (the right key opens the other pages; a wrong one opens none)."""
    if getattr(exc, "sqlite_errorcode", None) == SQLITE_CORRUPT:  # page 1 opened: the schema's pages did not
        return DatabaseDamaged(path, "its list of tables cannot be read", reason="schema")
    wrong = StoreKeyError(
        f"{path} cannot be opened with this key: the key is wrong or the file is not a Village Clinic database"
    )
    matches = keystore.key_matches(path, key)
    if matches is False:
        return StoreKeyError(
            f"{path} cannot be opened with this key: it is not the key this database was made with "
            f"(its key check value is in {keystore.key_check_path(path)})"
        )
    if matches:
        return DatabaseDamaged(
            path, "its first page does not read back with the right key", reason="first_page"
        )
    try:
        pages = max(path.stat().st_size // PAGE_SIZE, 0)
        failed = len(page_failures(path, key))
    except (OSError, sqlcipher3.DatabaseError):
        return wrong
    if pages > 1 and failed < pages:
        return DatabaseDamaged(
            path,
            f"page 1 does not read back, while {pages - failed} of its {pages} pages do with this key",
            reason="first_page",
        )
    return wrong


def page_failures(path: Path, key: bytes) -> list[str]:
    """Pages whose HMAC fails with ``key`` (SQLCipher's ``cipher_integrity_check``: reads every page, about
    1.4 s at 100,000 residents; needs no readable schema)."""
    conn = open_read_only(path, key)
    try:
        return [str(r[0]) for r in conn.execute("PRAGMA cipher_integrity_check").fetchall()]
    finally:
        conn.close()


def open_read_only(path: Path, key: bytes) -> Connection:
    """A connection that can change nothing in the file (a backup being looked at stays as it was); not
    checked: its first query finds out whether the key fits."""
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    conn = sqlcipher3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlcipher3.Row
    conn.execute("PRAGMA cipher_log_level = NONE")
    _apply_key(conn, key)
    conn.execute("PRAGMA temp_store = MEMORY")
    return conn


def storage_error(exc: BaseException, path: Path, needed: int = WRITE_ROOM) -> ClinicError | None:
    """The clear error a SQLite failure (or a full disk under a file) stands for; None when ``exc`` is none
    of those. ``needed``: the free space the failed operation needed (a backup: the database's size)."""
    if isinstance(exc, DatabaseDamaged | DiskFull):
        return exc
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(exc, DatabaseError):
        if code in (SQLITE_CORRUPT, SQLITE_NOTADB):
            return DatabaseDamaged(path, str(exc))
        if code == SQLITE_FULL:
            return disk_full(path, needed)
        return StoreError(f"the database {path} cannot be used: {exc}")
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return disk_full(Path(exc.filename) if exc.filename else path, needed)
    return None


def disk_full(path: Path, needed: int) -> DiskFull:
    folder = path.parent if path.parent.exists() else Path.cwd()
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        free = 0
    return DiskFull(path, needed, free)


def database_size(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, _side(path, "-wal")) if p.exists())


def _side(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def page_check(conn: Connection, full: bool = False) -> list[str]:
    """SQLite's ``quick_check`` (every page of every table and index read and its structure checked) or, with
    ``full``, ``integrity_check`` (each index against its table as well, about 3× slower). Empty: sound."""
    try:
        rows = conn.execute(f"PRAGMA {'integrity_check' if full else 'quick_check'}").fetchall()
    except DatabaseError as exc:
        return [str(exc)]
    lines = [line for r in rows for line in str(r[0]).splitlines()]
    return [] if lines == ["ok"] else [line for line in lines if line.strip() and not line.startswith("***")]


class Cancel(threading.Event):
    """A cancel flag that also interrupts the statement running on the connections lent to it (``interrupts``):
    a long single statement such as ``quick_check`` looks at no flag while it reads pages, and a progress
    handler is not called during its page reading either."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._running: list[Connection] = []

    def set(self) -> None:
        with self._lock:
            super().set()
            for conn in self._running:
                conn.interrupt()  # sqlite3_interrupt: safe from any thread while the connection is open

    @contextmanager
    def interrupts(self, conn: Connection) -> Iterator[Connection]:
        """While inside, ``set()`` interrupts ``conn``'s statement (at once if it was set already); close the
        connection only after leaving."""
        with self._lock:
            self._running.append(conn)
            if self.is_set():
                conn.interrupt()
        try:
            yield conn
        finally:
            with self._lock:
                self._running.remove(conn)


def schema_version(conn: Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def vacuum_into(conn: Connection, target: Path) -> None:
    """A consistent, encrypted (same key) copy of the database, schema version included."""
    if target.exists():
        raise StoreError(f"{target} exists already; choose a new file name")
    try:
        conn.execute("VACUUM INTO ?", (str(target),))
    except BaseException:
        target.unlink(missing_ok=True)  # a disk that filled up halfway leaves no half backup behind
        raise


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
    """Replace ``db_path`` (closed) with ``backup``, which the caller proved good (``health.backup_problem``)."""
    if not backup.exists():
        raise StoreError(f"backup file {backup} does not exist")
    tmp = db_path.with_name(db_path.name + ".restoring")
    try:
        shutil.copyfile(backup, tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise storage_error(exc, tmp, database_size(backup)) or exc from None
    for suffix in ("-wal", "-shm"):
        side = db_path.with_name(db_path.name + suffix)
        if side.exists():
            side.unlink()
    os.replace(tmp, db_path)
