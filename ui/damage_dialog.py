"""数据库文件已损坏: what the desktop shows when the database file is damaged — at start (the file does not open)
or when the background check after sign-in finds damage. It names the file and the newest good backup and
offers [用备份恢复] [退出]; restoring moves the damaged file aside (never deletes it) and puts a copy of the
backup in its place. The search for the backup and the restore run off the GUI thread."""

from __future__ import annotations

from pathlib import Path

from clinic_app.errors import DatabaseDamaged
from clinic_app.health import modified, newest_good_backup, restore_damaged
from ui.i18n import tr
from ui.messages import damage_reason, error_text, rule_message
from ui.ops import Ops
from ui.qt import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class DamagedDialog(QDialog):
    def __init__(self, error: DatabaseDamaged, key: bytes | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.error, self.key = error, key
        self.backup: Path | None = None
        self.restored_aside: Path | None = None  # where the damaged file went, once restored
        self.setWindowTitle(tr("Village Clinic"))
        self.setMinimumWidth(620)
        self.title = title = QLabel(tr("The database file is damaged"))
        font = title.font()
        font.setPointSize(font.pointSize() + 4)
        font.setBold(True)
        title.setFont(font)
        self.what = QLabel(
            tr("File: %1\nWhat is wrong: %2")
            .replace("%1", str(error.path))
            .replace("%2", damage_reason(error))
        )
        self.what.setToolTip(error.detail)
        self.what.setWordWrap(True)
        self.backup_line = QLabel(tr("Looking for the newest good backup…"))
        self.backup_line.setWordWrap(True)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color: #b00020")
        self.status.hide()
        self.restore_button = QPushButton(tr("Restore from the backup"))
        self.restore_button.setEnabled(False)
        self.restore_button.clicked.connect(self._restore)
        self.quit_button = QPushButton(tr("Quit"))
        self.quit_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.restore_button)
        buttons.addWidget(self.quit_button)
        layout = QVBoxLayout(self)
        for widget in (title, self.what, self.backup_line, self.status):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        self.ops = Ops(self)
        if error.looked:
            self._found(error.backup)
        else:  # opens and checks each candidate: seconds each for a big clinic
            self.ops.work(lambda: newest_good_backup(error.path, key), self._found, self._failed)

    def _found(self, backup: Path | None) -> None:
        self.backup = backup
        if backup is None:
            self.backup_line.setText(
                tr(
                    "No good backup of this database was found (beside it, nor among those `clinic backup` wrote). "
                    "The damaged file stays as it is: ask for help before changing it."
                )
            )
            self.restore_button.hide()
            return
        self.backup_line.setText(
            tr(
                "The newest good backup is %1, made %2. Restoring it brings the data back as it was then; "
                "the damaged file is kept aside beside it, never deleted."
            )
            .replace("%1", str(backup))
            .replace("%2", modified(backup).strftime("%Y-%m-%d %H:%M"))
        )
        self.restore_button.setEnabled(self.key is not None)
        self.restore_button.setDefault(True)

    def _restore(self) -> None:
        backup, key = self.backup, self.key
        if backup is None or key is None:
            return
        self.restore_button.setEnabled(False)
        self.quit_button.setEnabled(False)
        self.backup_line.setText(tr("Restoring %1 …").replace("%1", str(backup)))
        self.ops.work(lambda: restore_damaged(self.error.path, backup, key), self._restored, self._failed)

    def _restored(self, aside: Path) -> None:
        self.restored_aside = aside
        self.accept()

    def _failed(self, error: BaseException) -> None:
        try:
            text = error_text(error, rule_message)
        except BaseException:
            text = str(error)
        self.status.setText(tr("Not restored: %1").replace("%1", text))
        self.status.show()
        self.quit_button.setEnabled(True)
        self.restore_button.setEnabled(self.backup is not None and self.key is not None)

    def done(self, result: int) -> None:
        self.ops.shutdown(wait=False)
        super().done(result)
