"""The daily backup the desktop program takes by itself: a village doctor never runs `clinic backup`, and a disk
that fails or a file damaged by a power cut must not take the clinic's records with it.

Once a day, the first time the program runs that day, an encrypted copy (same key) is written beside the database
as ``<db>.daily-YYYY-MM-DD.bak``, the newest ``DAILY_KEEP`` are kept. The copy is read on a connection of its own
(a WAL reader: saves go on while it is written) into a temporary name, then renamed: a crash or a full disk leaves
no half backup under a backup's name. A damaged database finds these copies (health.backup_candidates) and offers
the newest good one."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from pathlib import Path

from clinic_app.store import Store, copy_database

DAILY_KEEP = 7
_DAILY = re.compile(r"\.daily-(\d{4}-\d{2}-\d{2})\.bak$")


def daily_path(db: Path, day: dt.date) -> Path:
    return db.with_name(f"{db.name}.daily-{day.isoformat()}.bak")


def daily_backups(db: Path) -> list[Path]:
    """The daily copies of ``db`` beside it, newest day first."""
    found = [
        (m.group(1), p) for p in db.parent.glob(f"{db.name}.daily-*.bak") if (m := _DAILY.search(p.name))
    ]
    return [p for _day, p in sorted(found, reverse=True)]


def take_daily_backup(store: Store, today: dt.date | None = None, keep: int = DAILY_KEEP) -> Path | None:
    """Today's copy, when there is none yet (None: there was). Older daily copies beyond ``keep`` are removed,
    only after today's is in place. Raises ``DiskFull``, ``DatabaseDamaged`` or ``StoreError`` (nothing left
    behind)."""
    today = today or dt.date.today()
    target = daily_path(store.path, today)
    if target.exists():
        return None
    partial = target.with_name(target.name + "-partial")
    partial.unlink(missing_ok=True)  # left by a program killed while writing it
    conn = store.reader()
    try:
        copy_database(conn, store.path, partial)
    finally:
        conn.close()
    partial.replace(target)
    for old in daily_backups(store.path)[keep:]:
        with contextlib.suppress(OSError):  # a copy another program holds open is removed another day
            old.unlink()
    return target
