"""Where the program saves what a person asks it to save (a PDF, an Excel export): the Documents folder, a
suggested name, a window-modal file dialog (no nested event loop), and why a write failed, in words."""

from __future__ import annotations

import errno
import re
from collections.abc import Callable
from pathlib import Path

from ui.i18n import tr
from ui.qt import QFileDialog, QMessageBox, QStandardPaths, Qt, QWidget


def documents_folder() -> Path:
    """The user's Documents folder (made if it does not exist yet), where a saved file goes by default."""
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    folder = Path(location) if location else Path.home()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def safe_file_name(name: str, fallback: str = "document.pdf") -> str:
    """``name`` without the characters Windows refuses in a file name."""
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", name).strip(" .")
    return cleaned or fallback


def why_not_written(error: OSError) -> str:
    if error.errno in (errno.EACCES, errno.EPERM, errno.EBUSY):
        return tr("no permission, or the file is open in another program")
    if error.errno == errno.ENOSPC:
        return tr("the disk is full")
    if error.errno == errno.ENOENT:
        return tr("the folder does not exist")
    return error.strerror or str(error)


def ask_where_to_save(
    parent: QWidget,
    title: str,
    suggested_name: str,
    name_filter: str,
    suffix: str,
    chosen: Callable[[Path], None],
) -> QFileDialog:
    """Open a save dialog in Documents with ``suggested_name`` filled in; ``chosen`` gets the path (with
    ``suffix`` added when the person left it out). Window-modal, so the window's signals keep flowing."""
    folder = documents_folder()
    dialog = QFileDialog(parent, title, str(folder), name_filter)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.setDefaultSuffix(suffix)
    dialog.selectFile(str(folder / safe_file_name(suggested_name)))

    def selected(name: str) -> None:
        if name:
            target = Path(name)
            if target.suffix.lower() != f".{suffix}":
                target = target.with_name(f"{target.name}.{suffix}")
            chosen(target)

    dialog.fileSelected.connect(selected)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def not_written(parent: QWidget, target: Path) -> Callable[[BaseException], None]:
    """The failure of a background write of ``target``: a disk's refusal said in words (window-modal), anything
    else to the default error dialog."""

    def failed(error: BaseException) -> None:
        if not isinstance(error, OSError):
            raise error
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            tr("Not saved"),
            tr("Could not write %1: %2").replace("%1", str(target)).replace("%2", why_not_written(error)),
            QMessageBox.StandardButton.Ok,
            parent,
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    return failed
