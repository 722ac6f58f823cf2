"""Checks on a file the program is asked to write (a backup, an export)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from clinic_app.errors import ValidationError


def require_folder(target: Path, field: str = "file") -> None:
    """``target``'s folder must exist: it is never made, so that a USB stick that is not mounted does not send
    a backup or an export to the computer's own disk under the stick's name."""
    folder = target.parent
    if folder.exists() and not folder.is_dir():
        raise ValidationError(
            field,
            "folder_is_file",
            f"{folder} is a file, not a folder; nothing written",
            {"folder": str(folder)},
        )
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


def write_private(target: Path, data: bytes) -> None:
    """``data`` as the file ``target``, readable by its owner only from its first byte (it holds names, ID numbers
    and diagnoses: not for the other accounts of a shared PC), written under a temporary name then renamed: no half
    file."""
    partial = target.with_name(target.name + ".part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.chmod(partial, 0o600)  # a .part left by an earlier try keeps the mode it was made with
    partial.replace(target)
