"""Typed domain errors. The CLI maps them to exit codes, the UI to translated messages."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path


class ClinicError(Exception):
    """Base of every expected failure."""

    exit_code = 1


class ValidationError(ClinicError):
    """Bad input. ``field`` names the field, ``rule`` a stable machine code for the broken rule, ``details``
    what a sentence about it needs besides (who, which status, which package …: the values, never English);
    ``message`` is the English sentence for logs and the CLI."""

    exit_code = 3

    def __init__(self, field: str, rule: str, message: str, details: Mapping[str, str] | None = None) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.rule = rule
        self.message = message
        self.details: dict[str, str] = dict(details or {})


class ValidationErrors(ClinicError):
    """Several validation errors found at once (a form or an import row)."""

    exit_code = 3

    def __init__(self, errors: list[ValidationError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


class AuthError(ClinicError):
    """Wrong password, locked account, unknown user, missing permission."""

    exit_code = 4

    def __init__(self, rule: str, message: str, details: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.rule = rule
        self.details: dict[str, str] = dict(details or {})


class UsageError(ClinicError):
    """A command typed without an option it needs (``option``, say ``--user``), as argparse's own usage errors."""

    exit_code = 2

    def __init__(self, option: str, rule: str, message: str) -> None:
        super().__init__(message)
        self.option = option
        self.rule = rule


class StoreKeyError(ClinicError):
    """The database key is missing or wrong."""

    exit_code = 4


class KeyringUnavailable(ClinicError):
    """No OS keyring backend and no key file named: the user must choose a key file."""

    exit_code = 2


class StoreError(ClinicError):
    """The database file is missing, damaged or of an unknown schema version."""

    exit_code = 1


class DatabaseDamaged(StoreError):
    """The database file cannot be read as it was written (SQLite's "malformed", a page failing its HMAC
    with the right key). ``reason``: which finding (``first_page``, ``schema``, ``read``, ``check``) for a
    message in the user's language; ``backup``: the newest good backup, when the caller looked for one."""

    exit_code = 10  # apart from `clinic sync`'s own 5 and 6

    def __init__(
        self, path: Path, detail: str, backup: Path | None = None, looked: bool = False, reason: str = "read"
    ) -> None:
        self.path, self.detail, self.backup, self.looked, self.reason = path, detail, backup, looked, reason
        text = f"the database file {path} is damaged ({detail})"
        if backup is not None:
            text += f"; the newest good backup is {backup}: restore it with `clinic restore {backup}`"
            text += " (the damaged file is kept aside, never deleted)"
        elif looked:
            text += "; no good backup was found beside it (nor among those `clinic backup` wrote)"
        super().__init__(text)

    def with_backup(self, backup: Path | None) -> DatabaseDamaged:
        return DatabaseDamaged(self.path, self.detail, backup, looked=True, reason=self.reason)


class DiskFull(StoreError):
    """The disk holding a file is full: the transaction was rolled back (or the partial file removed)."""

    exit_code = 11

    def __init__(self, path: Path, needed: int, free: int) -> None:
        self.path, self.needed, self.free = path, needed, free
        super().__init__(
            f"the disk holding {path} is full: nothing was written; free at least {_mb(needed)} there "
            f"(now {_mb(free)} free) and try again"
        )


def _mb(size: int) -> str:
    return f"{max(size, 0) / 1e6:,.1f} MB"


class NotFound(ClinicError):
    exit_code = 3


def error_lines(error: ValidationError | ValidationErrors) -> list[str]:
    """What a command prints for a validation error: one line per problem, the field and the rule named."""
    errors = error.errors if isinstance(error, ValidationErrors) else [error]
    return [f"{e.field}: {e.message} [{e.rule}]" for e in errors]
