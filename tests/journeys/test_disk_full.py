"""A save when the disk is full (issue 11, break 11): the demo clinic on a small real filesystem (a tmpfs,
mounted here as root; skipped elsewhere — tests/ui/test_damage_ui.py covers the same with SQLite's page cap),
the disk filled, a resident's phone edited and saved: 未保存 … 磁盘已满, nothing written, and the dialog stays
open with what was typed."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.journeys.conftest import Journey
from ui.qt import QApplication, QMessageBox, Qt, QTimer
from ui.resident_dialog import ResidentDialog


@pytest.fixture
def demo_copy(demo_clinic_files: tuple[Path, Path], tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """The demo clinic on a tmpfs a little larger than it (this module's journeys get this copy)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a small filesystem needs root (mount -t tmpfs)")
    db, key = demo_clinic_files
    small = tmp_path / f"small-{uuid.uuid4().hex[:6]}"
    small.mkdir()
    size = db.stat().st_size + 4 * 1024 * 1024
    if (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(small)], capture_output=True
        ).returncode
        != 0
    ):
        pytest.skip("no tmpfs can be mounted here")
    try:
        shutil.copy2(db, small / db.name)
        shutil.copy2(key, small / key.name)
        yield small / db.name, small / key.name
    finally:
        subprocess.run(["umount", "-l", str(small)], check=False)


def fill_disk(folder: Path) -> None:
    """Take every free byte of the filesystem under ``folder``."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (65536, 4096, 512, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                continue
    finally:
        os.close(fd)


def test_saving_a_resident_on_a_full_disk_says_disk_full_and_writes_nothing(journey: Journey) -> None:
    page = journey.nav_to("residents")
    with journey.step("pick the first resident and click 编辑"):
        journey.wait_until(lambda: page.model.rowCount() > 0)
        journey.click_row(page.table, 0)
        journey.click(page.edit_button)
        dialog = journey.dialog(ResidentDialog)
    before = journey.store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
    fill_disk(journey.store.path.parent)
    seen: list[str] = []

    def answer() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QMessageBox) and widget.isVisible():
                seen.append(widget.windowTitle() + "|" + widget.text())
                journey.shot("disk-full-save", widget)
                widget.accept()
                return
        QTimer.singleShot(50, answer)

    with journey.step("type a new mobile number and save: the disk is full"):
        journey.key(dialog.phone, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        journey.type(dialog.phone, "13912345678")
        QTimer.singleShot(50, answer)
        journey.click(dialog.buttons.button(dialog.buttons.StandardButton.Save))
        journey.wait_until(lambda: bool(seen), timeout=20_000)
    title, text = seen[0].split("|", 1)
    assert title == "未保存"
    assert "磁盘已满" in text and str(journey.store.path) in text and "什么都没有保存" in text
    assert dialog.isVisible() and dialog.phone.text() == "13912345678"  # what was typed is still there
    assert journey.store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == before
