"""Printing through a real preview: the contract's PDF has body text of at least 10 pt on A4 and fills the page
as the paper form does (the old one was ~4 pt in the top sixth); the signature drawn on screen is on it; a click
on a print button opens Qt's print preview with the page in it, and "Save as PDF…" there writes the PDF into the
Documents folder under 签约协议-<name>-<year>.pdf; a PDF that cannot be written says so and leaves nothing."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from clinic_app import contracts as C
from clinic_app.users import authenticate

from .conftest import UiClinic

TODAY = dt.date(2026, 6, 15)
A4_HEIGHT_PT = 842.0
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="poppler-utils (pdftotext, pdftoppm) is not installed: apt-get install poppler-utils",
)


@pytest.fixture
def contract(ui_clinic: UiClinic) -> str:
    """张三 (born 1949) signed for 2026 with the basic and the elderly package, on a paper form."""
    store = ui_clinic.store
    C.install_reference(store)
    C.add_team(store, authenticate(store, "admin", "admin-pass-1"), "一队", "doctor")
    rid = store.conn.execute("SELECT id FROM resident WHERE name = '张三'").fetchone()[0]
    result = C.sign(
        store, ui_clinic.doctor, [rid], "一队", 2026, ["BASIC", "ELDERLY"], witness="王护士", today=TODAY
    )
    return result.contract_ids[0]


def words(pdf: Path, page: int = 1) -> list[tuple[float, float, float, float, str]]:
    out = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [(float(a), float(b), float(c), float(d), text) for a, b, c, d, text in WORD.findall(out)]


def page_count(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", out).group(1))  # type: ignore[union-attr]


def inked_rows(png: Path) -> tuple[int, int, int]:
    """(first row with ink, last row with ink, image height) of a page rendered by pdftoppm."""
    from ui.qt import QImage

    image = QImage(str(png))
    assert not image.isNull()
    rows = [
        y
        for y in range(image.height())
        if any(image.pixelColor(x, y).lightness() < 160 for x in range(0, image.width(), 2))
    ]
    return rows[0], rows[-1], image.height()


@needs_poppler
def test_the_printed_contract_has_10pt_body_text_and_fills_the_a4_page(
    qapp: Any, ui_clinic: UiClinic, contract: str, tmp_path: Path
) -> None:
    from ui.contract_print import write_pdf

    pdf = write_pdf(ui_clinic.store.reader(), contract, tmp_path / "contract.pdf")
    assert pdf.read_bytes().startswith(b"%PDF") and page_count(pdf) == 1
    found = words(pdf)
    text = "".join(w[4] for w in found)
    assert "家庭医生签约服务协议书" in text and "张三" in text
    # the resident's own contract: the whole ID number, as on the paper form
    assert "11010519491231002X" in text
    assert "基础包" in text and "老年人健康管理服务包" in text and "合计" in text and "见证人：王护士" in text
    body = [w for w in found if w[3] < A4_HEIGHT_PT - 20 / 25.4 * 72]  # above the bottom margin (the footer)
    heights = sorted(w[3] - w[1] for w in body)
    assert heights[0] >= 10.0, f"the smallest body text is {heights[0]:.1f} pt high"
    title = next(w for w in found if "家庭医生签约服务协议书" in w[4])
    assert title[3] - title[1] >= 1.5 * heights[len(heights) // 2], "the title is larger than the body text"
    lowest = max(w[3] for w in body)
    assert lowest > 0.75 * A4_HEIGHT_PT, f"the text ends at {lowest:.0f} pt of 842: the page is not filled"
    dates = [w for w in found if w[4].startswith("日期")]
    # both signature blocks, at the foot of the page
    assert len(dates) == 2 and min(d[1] for d in dates) > 0.6 * A4_HEIGHT_PT

    subprocess.run(
        ["pdftoppm", "-r", "72", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True
    )
    top, bottom, height = inked_rows(next(tmp_path.glob("page*.png")))
    assert top < 0.12 * height and bottom > 0.8 * height, f"ink from row {top} to {bottom} of {height}"


@needs_poppler
def test_the_signature_drawn_on_screen_is_printed(qapp: Any, ui_clinic: UiClinic, tmp_path: Path) -> None:
    from ui.contract_print import contract_document, write_pdf
    from ui.qt import QColor, QImage, QPainter, QPen, QTextDocument, QUrl

    store = ui_clinic.store
    C.install_reference(store)
    C.add_team(store, authenticate(store, "admin", "admin-pass-1"), "一队", "doctor")
    pad = QImage(300, 100, QImage.Format.Format_ARGB32)
    pad.fill(QColor("white"))
    painter = QPainter(pad)
    painter.setPen(QPen(QColor("black"), 3))
    painter.drawLine(20, 80, 280, 20)
    painter.end()
    from ui.qt import QBuffer, QByteArray

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QBuffer.OpenModeFlag.WriteOnly)
    pad.save(buffer, "PNG")  # type: ignore[call-overload]
    signature = "data:image/png;base64," + bytes(data.toBase64().data()).decode()
    rid = store.conn.execute("SELECT id FROM resident WHERE name = '张三'").fetchone()[0]
    cid = C.sign(
        store,
        ui_clinic.doctor,
        [rid],
        "一队",
        2026,
        ["BASIC", "ELDERLY"],
        consent="screen",
        signature=signature,
        today=TODAY,
    ).contract_ids[0]

    from clinic_app.contract_form import contract_form

    document = contract_document(contract_form(store.reader(), cid))
    image = document.resource(QTextDocument.ResourceType.ImageResource, QUrl("contract:signature.png"))
    assert isinstance(image, QImage) and image.width() == 300
    pdf = write_pdf(store.reader(), cid, tmp_path / "screen.pdf")
    listed = subprocess.run(
        ["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    assert " 300 " in listed and " 100 " in listed, listed
    # two packages and the drawn signature still on one page, the signature with the consent above it
    assert page_count(pdf) == 1
    assert "乙方已在屏幕上阅读本协议并签名确认" in "".join(w[4] for w in words(pdf))


@needs_poppler
def test_a_long_contract_keeps_the_consent_and_both_signatures_together_on_the_next_page(
    qapp: Any, ui_clinic: UiClinic, contract: str, tmp_path: Path
) -> None:
    import dataclasses

    from clinic_app.contract_form import PackageLine, contract_form
    from ui import printing
    from ui.contract_print import contract_document

    form = contract_form(ui_clinic.store.reader(), contract)
    more = [
        PackageLine(
            f"X{i}",
            f"个性化服务包{i}",
            ["每年至少4次面对面随访", "长期处方", "年度健康体检"],
            6000,
            4000,
            2000,
        )
        for i in range(3)
    ]
    long_form = dataclasses.replace(form, packages=form.packages + more)
    pdf = printing.write_pdf(lambda: contract_document(long_form), tmp_path / "long.pdf", "协议")
    assert page_count(pdf) == 2
    first, second = "".join(w[4] for w in words(pdf, 1)), "".join(w[4] for w in words(pdf, 2))
    assert (
        "六、协议的变更与解除" in first
        and "签约医生）签字" not in first
        and "七、知情同意" not in first
        and "第1页，共2页" in first
    )
    assert "七、知情同意" in second and "甲方（签约医生）签字" in second and second.count("日期") == 2


def open_preview_by_click(qtbot: Any, ui_clinic: UiClinic, contract: str) -> Any:
    """A window with a print button wired as the 签约 page wires 打印协议…; click it, wait for the preview."""
    from ui.contract_print import preview_contract
    from ui.printing import PrintPreview
    from ui.qt import QApplication, QPushButton, Qt, QVBoxLayout, QWidget

    window = QWidget()
    button = QPushButton("打印协议…", window)
    QVBoxLayout(window).addWidget(button)
    reader = ui_clinic.store.reader()
    button.clicked.connect(lambda _checked=False: preview_contract(reader, contract, window))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    found: list[Any] = []

    def shown() -> bool:
        found[:] = [
            w for w in QApplication.topLevelWidgets() if isinstance(w, PrintPreview) and w.isVisible()
        ]
        return bool(found)

    qtbot.waitUntil(shown)
    preview = found[0]
    qtbot.waitUntil(lambda: preview.preview_widget.pageCount() >= 1)
    return preview


def visible_file_dialog(qtbot: Any) -> Any:
    from ui.qt import QApplication, QFileDialog

    found: list[Any] = []

    def shown() -> bool:
        found[:] = [w for w in QApplication.topLevelWidgets() if isinstance(w, QFileDialog) and w.isVisible()]
        return bool(found)

    qtbot.waitUntil(shown)
    return found[0]


@needs_poppler
def test_a_click_opens_the_preview_and_save_as_pdf_writes_it_to_documents(
    qtbot: Any, ui_clinic: UiClinic, contract: str, documents: Path
) -> None:
    from ui.qt import QLineEdit, QMessageBox, QPrintPreviewDialog, Qt

    preview = open_preview_by_click(qtbot, ui_clinic, contract)
    assert isinstance(preview, QPrintPreviewDialog)
    assert preview.preview_widget.pageCount() == 1 and "张三" in preview.windowTitle()
    assert preview.save_button.text() == "另存为PDF…" and preview.print_button.text() == "打印…"
    qtbot.mouseClick(preview.save_button, Qt.MouseButton.LeftButton)
    chooser = visible_file_dialog(qtbot)
    assert Path(chooser.directory().absolutePath()) == documents
    name_box = chooser.findChild(QLineEdit, "fileNameEdit")
    assert name_box.text() == "签约协议-张三-2026.pdf"
    qtbot.keyClick(name_box, Qt.Key.Key_Return)
    target = documents / "签约协议-张三-2026.pdf"
    qtbot.waitUntil(target.exists)
    qtbot.waitUntil(lambda: preview.message is not None and preview.message.isVisible())
    box = preview.message
    assert isinstance(box, QMessageBox) and box.text() == f"已保存到 {target}"
    assert "张三" in "".join(w[4] for w in words(target)) and not list(documents.glob("*.part"))
    box.accept()
    with qtbot.waitSignal(preview.finished):
        qtbot.mouseClick(preview.close_button, Qt.MouseButton.LeftButton)


def test_without_a_printer_the_print_button_writes_a_pdf_offered_in_documents(
    qtbot: Any, ui_clinic: UiClinic, contract: str, documents: Path
) -> None:
    """Qt's own print button: on Windows without a printer it asks where to export the PDF, on Linux its print
    dialog offers "print to file"; either way the file offered is the suggested one in Documents."""
    from ui.qt import QApplication, QDialog, QFileDialog, QLineEdit, QPrintDialog, QPrinterInfo, Qt, QTimer

    if QPrinterInfo.availablePrinterNames():
        pytest.skip("this computer has a printer: Qt's print dialog would print on it")
    preview = open_preview_by_click(qtbot, ui_clinic, contract)
    offered: list[str] = []
    target = documents / "签约协议-张三-2026.pdf"

    def answer_qt_dialog() -> None:  # Qt's dialog runs its own event loop: answer it from inside that loop
        asking = QApplication.activeModalWidget()
        if isinstance(asking, QFileDialog) and asking.isVisible():
            name_box = asking.findChild(QLineEdit, "fileNameEdit")
            offered.append(str(Path(asking.directory().absolutePath()) / name_box.text()))
            qtbot.keyClick(name_box, Qt.Key.Key_Return)
        elif isinstance(asking, QPrintDialog) and asking.isVisible():
            offered.append(asking.printer().outputFileName())
            asking.done(QDialog.DialogCode.Accepted)
        else:
            QTimer.singleShot(20, answer_qt_dialog)

    QTimer.singleShot(20, answer_qt_dialog)
    qtbot.mouseClick(preview.print_button, Qt.MouseButton.LeftButton)
    assert offered == [str(target)]
    qtbot.waitUntil(target.exists)
    assert target.read_bytes().startswith(b"%PDF")


def test_a_pdf_that_cannot_be_written_says_so_and_leaves_nothing(
    qtbot: Any, ui_clinic: UiClinic, contract: str, documents: Path, tmp_path: Path
) -> None:
    from ui.qt import QLineEdit, QMessageBox, Qt

    preview = open_preview_by_click(qtbot, ui_clinic, contract)
    qtbot.mouseClick(preview.save_button, Qt.MouseButton.LeftButton)
    name_box = visible_file_dialog(qtbot).findChild(QLineEdit, "fileNameEdit")
    missing = tmp_path / "no-such-folder" / "签约协议-张三-2026.pdf"
    # pasted: typing a path into Qt's own dialog offscreen aborts in its completer
    name_box.setText(str(missing))
    qtbot.keyClick(name_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: preview.message is not None and preview.message.isVisible())
    assert preview.message.icon() == QMessageBox.Icon.Warning
    assert preview.message.windowTitle() == "PDF未保存"
    assert preview.message.text() == f"无法写入 {missing}：文件夹不存在"
    assert not missing.parent.exists()
    preview.message.accept()
    preview.reject()


def test_a_suggested_file_name_never_holds_what_windows_refuses() -> None:
    from ui.printing import safe_file_name

    assert safe_file_name("签约协议-张三-2026.pdf") == "签约协议-张三-2026.pdf"
    assert safe_file_name('签约协议-a/b:c*?"<>|-2026.pdf') == "签约协议-a_b_c_-2026.pdf"
