"""Checks on a file the program is asked to write (a backup, an export)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from clinic_app.errors import ValidationError


def require_folder(target: Path, field: str = "file") -> None:
    """``target``'s folder must exist: it is never made, so that a USB stick that is not mounted does not send
    a backup or an export to the computer's own disk under the stick's name."""
    folder = target.parent
    if not folder.is_dir():
        raise ValidationError(
            field,
            "folder_missing",
            f"the folder {folder} does not exist (is the USB stick or the drive plugged in?); nothing written",
            {"folder": str(folder)},
        )


def write_problem(target: Path) -> str | None:
    """Why a file cannot be made in ``target``'s folder, in the system's words ("Permission denied", "Read-only
    file system" …); None when one can."""
    try:
        with tempfile.TemporaryFile(dir=target.parent):
            return None
    except OSError as exc:
        return exc.strerror or str(exc)
