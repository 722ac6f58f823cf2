"""The desktop and a damaged database or a full disk (issue 11): at start the 数据库文件已损坏 dialog names the
file and the newest good backup and restores it keeping the damaged file aside; the background check after
sign-in finds damage the start cannot afford to look for; a full disk is a clear message, not a traceback."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from clinic_app import health, keystore
from clinic_app import users as U
from clinic_app.demo import populate
from clinic_app.errors import DiskFull
from clinic_app.store import Store
from ui.qt import QApplication, Qt, QTimer

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "screenshots"
ADMIN_PW = "admin-pass-1"


def make_clinic(folder: Path, residents: int = 200) -> tuple[Path, Path, Path]:
    """A clinic with one recorded good backup: (database, key file, backup)."""
    db, key = folder / "clinic.db", folder / "clinic.key"
    store, _ = Store.initialise(db, "C001", "石头村卫生室", key_file=key)
    admin = U.add_user(store, None, "admin", "clinic_admin", ADMIN_PW)
    populate(store, admin, residents)
    (folder / "backups").mkdir()  # a backup is never written into a folder it had to make
    backup = store.backup(folder / "backups" / "clinic-2026-11-30.db")
    health.record_backup(db, backup)
    store.close()
    return db, key, backup


def overwrite(path: Path, offset: int, data: bytes = b"\xde\xad\xbe\xef" * 4) -> None:
    with open(path, "r+b") as fh:
        fh.seek(offset)
        fh.write(data)


def when_shown(kind: type, then: Callable[[Any], None], timeout_ms: int = 30_000) -> list[Any]:
    """Call ``then(dialog)`` once a visible top-level ``kind`` appears (a modal exec() blocks the test)."""
    seen: list[Any] = []
    waited = [0]

    def poll() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, kind) and widget.isVisible():
                seen.append(widget)
                then(widget)
                return
        waited[0] += 50
        if waited[0] < timeout_ms:
            QTimer.singleShot(50, poll)

    QTimer.singleShot(50, poll)
    return seen


def shot(widget: Any, name: str) -> Path:
    SHOTS.mkdir(exist_ok=True)
    path = SHOTS / f"{name}.png"
    widget.grab().save(str(path))
    return path


def test_start_with_a_damaged_first_page_offers_the_backup_and_restores_keeping_the_damaged_file(
    qtbot: Any, tmp_path: Path
) -> None:
    from ui.app import parse_args, start_store
    from ui.damage_dialog import DamagedDialog

    db, key, backup = make_clinic(tmp_path)
    overwrite(db, 300, b"\xde\xad")  # page 1: with the right key it fails its HMAC, as with a wrong key
    damaged = db.read_bytes()
    seen: list[str] = []

    def restore(dialog: DamagedDialog) -> None:
        qtbot.waitUntil(lambda: dialog.restore_button.isEnabled(), timeout=30_000)
        dialog.resize(640, dialog.sizeHint().height())
        shot(dialog, "damaged-database-at-start")
        seen.append(dialog.title.text() + "\n" + dialog.what.text() + "\n" + dialog.backup_line.text())
        seen.append(dialog.restore_button.text() + "|" + dialog.quit_button.text())
        qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)

    when_shown(DamagedDialog, restore)
    store, _ = start_store(parse_args(["--db", str(db), "--key-file", str(key)]), interactive=True)
    assert isinstance(store, Store)
    try:
        assert store.conn.execute("SELECT count(*) FROM resident").fetchone()[0] == 200
    finally:
        store.close()
    text, buttons = seen
    assert "数据库文件已损坏" in text and str(db) in text
    assert f"最新的完好备份是 {backup.resolve()}" in text
    assert buttons == "用备份恢复|退出"
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("clinic.db.damaged-")]
    assert len(aside) == 1 and aside[0].read_bytes() == damaged  # kept, never deleted


def test_quit_at_the_damaged_database_dialog_exits_10_and_changes_nothing(qtbot: Any, tmp_path: Path) -> None:
    from ui.app import main
    from ui.damage_dialog import DamagedDialog

    db, key, _ = make_clinic(tmp_path)
    overwrite(db, 300, b"\xde\xad")
    damaged = db.read_bytes()
    when_shown(DamagedDialog, lambda dialog: qtbot.mouseClick(dialog.quit_button, Qt.MouseButton.LeftButton))
    assert main(["--db", str(db), "--key-file", str(key)]) == 10
    assert db.read_bytes() == damaged
    assert not [p for p in tmp_path.iterdir() if ".damaged-" in p.name]


def test_the_check_after_sign_in_finds_damage_and_offers_the_backup(qtbot: Any, tmp_path: Path) -> None:
    from ui.app import Session
    from ui.damage_dialog import DamagedDialog
    from ui.signin import SignInDialog

    db, key, backup = make_clinic(tmp_path, residents=600)
    size = db.stat().st_size
    overwrite(db, size * 3 // 4)  # deep in the file: page 1 and the schema open, the start check passes
    store = Store.open(db, key)
    session = Session(store, "石头村卫生室", None, start_sync=False, key_file=str(key))
    ended: list[bool] = []
    session.ended.connect(lambda: ended.append(True))
    seen: list[str] = []

    def quit_dialog(dialog: DamagedDialog) -> None:
        qtbot.waitUntil(lambda: dialog.restore_button.isEnabled(), timeout=30_000)
        shot(dialog, "damaged-database-after-sign-in")
        seen.append(dialog.what.text() + "\n" + dialog.backup_line.text())
        qtbot.mouseClick(dialog.quit_button, Qt.MouseButton.LeftButton)

    session.start()
    signin = session.signin
    assert isinstance(signin, SignInDialog)
    qtbot.keyClicks(signin.username, "admin")
    qtbot.keyClicks(signin.password, ADMIN_PW)
    qtbot.mouseClick(signin.sign_in, Qt.MouseButton.LeftButton)
    when_shown(DamagedDialog, quit_dialog)
    qtbot.waitUntil(lambda: bool(ended), timeout=60_000)
    assert seen and str(db) in seen[0] and str(backup.resolve()) in seen[0]
    assert session.window is None  # the window was closed behind the dialog
    session.store.close()


def test_a_save_on_a_full_disk_says_so_in_chinese_and_writes_nothing(qtbot: Any, tmp_path: Path) -> None:
    """The writer's failure is the clear DiskFull, and the default error dialog says 磁盘已满."""
    from ui.ops import Ops, show_failure
    from ui.qt import QMessageBox, QWidget

    db, key, _ = make_clinic(tmp_path, residents=50)
    store = Store.open(db, key)
    admin = U.authenticate(store, "admin", ADMIN_PW)
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLITE_FULL as a full disk gives it
    ops = Ops()
    ops.watch(store)
    failures: list[BaseException] = []
    ops.write(lambda: populate(store, admin, 2000), None, failures.append)
    qtbot.waitUntil(lambda: bool(failures), timeout=60_000)
    assert isinstance(failures[0], DiskFull) and failures[0].path == db
    boxes: list[str] = []
    when_shown(
        QMessageBox, lambda box: (boxes.append(box.text()), shot(box, "disk-full-message"), box.close())
    )
    window = QWidget()
    window.resize(1366, 768)
    qtbot.addWidget(window)
    window.show()
    show_failure(failures[0], window)
    qtbot.waitUntil(lambda: bool(boxes), timeout=10_000)
    assert boxes[0].startswith(f"磁盘已满（{db}）：什么都没有保存。请在这块磁盘上腾出至少")
    assert store.conn.execute("SELECT count(*) FROM resident").fetchone()[0] == 50
    ops.shutdown()
    store.close()


def test_keycheck_file_is_written_at_init(tmp_path: Path) -> None:
    db, key, _ = make_clinic(tmp_path, residents=1)
    assert keystore.key_matches(db, keystore.load_key(db, key)) is True
    assert not (tmp_path / "backups" / "clinic-2026-11-30.db.keycheck").exists()
    shutil.rmtree(tmp_path / "backups")


def test_damage_met_on_the_gui_thread_is_the_damage_message_not_unexpected(
    qtbot: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    import sys

    from clinic_app.db import DatabaseError
    from ui.app import explain_storage_errors
    from ui.qt import QMessageBox

    db = tmp_path / "clinic.db"
    passed_on: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, value, tb: passed_on.append(value))
    explain_storage_errors(db, interactive=True)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    malformed = DatabaseError("database disk image is malformed")
    malformed.sqlite_errorcode = 11  # type: ignore[attr-defined]
    sys.excepthook(DatabaseError, malformed, None)
    assert shown and shown[0].startswith(f"数据库文件 {db} 已损坏（文件有一部分读不出来）") and not passed_on
    bug = ValueError("a bug")
    sys.excepthook(ValueError, bug, None)
    assert passed_on == [bug]  # anything else still goes to the unexpected-error handler
