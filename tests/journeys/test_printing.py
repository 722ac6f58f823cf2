"""Printing a contract on the demo clinic: on 签约 the doctor picks a contract, clicks 打印协议…, sees Qt's print
preview with the page in it, clicks 另存为PDF…, accepts the name offered in the Documents folder, and is told
where the PDF went."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.journeys.conftest import Journey


def _refuse_a_save_as_dialog(journey: Journey, seen: list[str]) -> None:
    """A save-as dialog opened straight from the page (no preview) blocks the click: note it and close it."""
    from ui.printing import PrintPreview
    from ui.qt import QApplication, QFileDialog, QTimer

    def check() -> None:
        modal = QApplication.activeModalWidget()
        if isinstance(modal, QFileDialog) and not isinstance(modal.parent(), PrintPreview):
            seen.append(modal.windowTitle())
            modal.reject()
        elif not seen:
            QTimer.singleShot(200, check)

    QTimer.singleShot(200, check)


def test_print_a_contract_through_the_preview_and_save_it_as_pdf(journey: Journey, documents: Path) -> None:
    from ui.printing import PrintPreview
    from ui.qt import QFileDialog, QLineEdit, Qt

    with journey.step("open the contracts page"):
        page = journey.nav_to("contracts")
    table: Any = page.contracts
    journey.wait_until(lambda: table.model().rowCount() > 0)
    first = table.model().index(0, 0)
    name = str(first.data())
    with journey.step("pick the first contract"):
        table.scrollTo(first)
        journey.qtbot.mouseClick(
            table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(first).center()
        )
    blocked: list[str] = []
    _refuse_a_save_as_dialog(journey, blocked)
    with journey.step("click 打印协议…"):
        journey.click(page.print_button)
        assert not blocked, f"打印协议… opened a save-as dialog ({blocked[0]}), not a print preview"
        preview = journey.dialog(PrintPreview)
        journey.wait_until(lambda: preview.preview_widget.pageCount() >= 1)
    assert name in preview.windowTitle() and preview.save_button.isVisible()
    journey.shot("journey-print-preview", preview)
    with journey.step("click 另存为PDF…"):
        journey.click(preview.save_button)
        chooser = journey.dialog(QFileDialog)
    name_box = chooser.findChild(QLineEdit, "fileNameEdit")
    assert Path(chooser.directory().absolutePath()) == documents
    offered = name_box.text()
    assert offered.startswith(f"签约协议-{name}-") and offered.endswith(".pdf")
    with journey.step("accept the name offered"):
        journey.key(name_box, Qt.Key.Key_Return)
        box = journey.message_box()
    target = documents / offered
    assert box.text() == f"已保存到 {target}"
    assert [p.name for p in documents.iterdir()] == [offered] and target.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True).stdout
        assert "家庭医生签约服务协议书" in text and name in text
    journey.click(box.button(box.StandardButton.Ok))
    with journey.step("close the preview"), journey.qtbot.waitSignal(preview.finished):
        journey.click(preview.close_button)
