"""Clinic settings, each declared once with its type, default and bounds; stored in the local ``setting`` table."""

from __future__ import annotations

from dataclasses import dataclass

from clinic_app.db import Connection
from clinic_app.digits import whole_number
from clinic_app.errors import ValidationError


@dataclass(frozen=True)
class Setting:
    name: str
    default: int
    minimum: int
    maximum: int
    description: str


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting(
            "idle_lock_seconds", 600, 5, 86400, "the desktop program locks itself after this much idle time"
        ),
        Setting("lockout_attempts", 5, 1, 100, "wrong passwords in a row that lock an account"),
        Setting("lockout_seconds", 900, 1, 86400, "how long a locked account stays locked"),
        Setting(
            "sync_interval_minutes",
            15,
            1,
            1440,
            "the desktop program syncs this often (± 20 %) when enrolled",
        ),
    )
}


def get_setting(conn: Connection, name: str) -> int:
    spec = SETTINGS[name]
    row = conn.execute("SELECT value FROM setting WHERE name = ?", (name,)).fetchone()
    return int(row[0]) if row else spec.default


def set_setting(conn: Connection, name: str, value: str | int) -> int:
    """Validate and store; the caller holds the write transaction."""
    spec = SETTINGS.get(name)
    if spec is None:
        raise ValidationError(
            "name", "unknown_setting", f"no setting called {name!r}; known: {', '.join(SETTINGS)}"
        )
    number = whole_number(name, value)
    if not spec.minimum <= number <= spec.maximum:
        raise ValidationError(name, "range", f"must be between {spec.minimum} and {spec.maximum}")
    conn.execute(
        "INSERT INTO setting(name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
        (name, str(number)),
    )
    return number
