"""The 长处方 page's printed documents and the change of a prescription, as a village doctor uses them on the
2,000-resident demo clinic (issue 13 points 2, 4 and 5): the printed prescription from the refill worklist (A5),
from the awaiting list (A4, printed as awaiting the signature) and from the patient's drug history; the refill
round printed for the horizon shown, then Enter on a row of the worklist opens the dispensing of that prescription;
更改… with a reason replaces a prescription by a new one."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from typing import Any

from clinic_app import rx_records as X
from clinic_app.residents import mask_id_number
from tests.journeys.conftest import Journey
from tests.journeys.test_prescriptions import AMLODIPINE, box, issue_for, open_page, row_of, stable_patients

A5, A4 = "A5", "A4"


def page_size_name(preview: Any) -> str:
    from ui.qt import QPageSize

    size = preview.printer().pageLayout().pageSize().id()
    return {QPageSize.PageSizeId.A5: A5, QPageSize.PageSizeId.A4: A4}.get(size, str(size))


def preview_text(preview: Any) -> str:
    """The words of the document the preview shows (its builder makes the same document for every device)."""
    return str(preview.rendered.printable.builder().toPlainText())


def open_preview(journey: Journey, button: Any) -> Any:
    from ui.printing import PrintPreview

    journey.click(button)
    preview = journey.dialog(PrintPreview)
    journey.wait_until(lambda: preview.preview_widget.pageCount() >= 1)
    return preview


def save_pdf(journey: Journey, preview: Any, documents: Path, png: str) -> Path:
    """Click 另存为PDF…, accept the name offered; the PDF rendered to a PNG beside the screenshots."""
    from ui.qt import QFileDialog, QLineEdit, Qt

    with journey.step("click 另存为PDF… and accept the name offered"):
        journey.click(preview.save_button)
        chooser = journey.dialog(QFileDialog)
        name_box = chooser.findChild(QLineEdit, "fileNameEdit")
        offered = name_box.text()
        journey.key(name_box, Qt.Key.Key_Return)
        box_ = journey.message_box()
    target = documents / offered
    assert target.read_bytes().startswith(b"%PDF")
    journey.click(box_.button(box_.StandardButton.Ok))
    if shutil.which("pdftoppm"):
        from tests.journeys.conftest import SHOT_DIR

        SHOT_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["pdftoppm", "-r", "60", "-png", "-singlefile", str(target), str(SHOT_DIR / png)], check=True
        )
    return target


def pdf_pages(target: Path) -> tuple[int, str]:
    """The number of pages and the page size pdfinfo reads (0, "" without poppler)."""
    if not shutil.which("pdfinfo"):
        return 0, ""
    info = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True, check=True).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    return int(fields["Pages"]), fields["Page size"].strip()


def close(journey: Journey, preview: Any) -> None:
    with journey.step("close the preview"), journey.qtbot.waitSignal(preview.finished):
        journey.click(preview.close_button)


def test_print_a_prescription_from_the_worklist_the_awaiting_list_and_the_drug_history(
    journey: Journey, documents: Path
) -> None:
    from ui.rx_dialogs import HistoryDialog

    Qt = __import__("ui.qt", fromlist=["Qt"]).Qt
    day = journey.today - dt.timedelta(days=25)
    first, second = list(stable_patients(journey, day))[:2]
    rx = issue_for(journey, first, day)
    X.dispense(journey.store, journey.user, rx["id"], 28, [box(11)], on=day.isoformat())  # runs out in 3 days
    held = X.issue(
        journey.store,
        journey.user,
        second["resident_id"],
        "hypertension",
        [X.ItemInput(AMLODIPINE, "1", 1)],
        42,
        assessment="血压控制满意",
    )
    assert held["status"] == "awaiting_signature"
    page = open_page(journey)
    assert not page.print_button.isEnabled(), "nothing selected: nothing to print"
    with journey.step("select the patient on the refill worklist"):
        journey.click_row(
            page.views["refills"], row_of(page, "refills", lambda r: r["prescription_id"] == rx["id"])
        )
        journey.wait_until(lambda: page.print_button.isEnabled())
    assert page.paper.currentText() == A5
    journey.shot("rxprint-page", journey.window)
    with journey.step("click 打印处方…"):
        preview = open_preview(journey, page.print_button)
    assert preview.preview_widget.pageCount() == 1 and page_size_name(preview) == A5
    text = preview_text(preview)
    for words in (
        "长期处方笺",
        first["name"],
        mask_id_number(first["id_number"]),
        "高血压",
        "苯磺酸氨氯地平片",
        "3 盒",
        "用法：每次 1片，每日 1 次，口服，共 84 天",
        "处方 84 天；有效期 91 天",
        "已调配 1 次，共 28 天，剩余 56 天",
        "上次所发天数减 7 天（下次调配不早于",
        "状态：有效",
        "患者已签字确认",
        "医师：李医生",
    ):
        assert words in text, words
    assert first["id_number"] not in text, "the ID number is printed masked"
    journey.shot("rxprint-preview-a5", preview)
    target = save_pdf(journey, preview, documents, "rxprint-prescription-a5")
    assert target.name == f"长期处方-{first['name']}-{day.isoformat()}.pdf"
    pages, size = pdf_pages(target)
    assert pages in (0, 1) and (not size or "(A5)" in size)
    close(journey, preview)

    with journey.step("the awaiting tab: select the 42-day prescription, choose A4, click 打印处方…"):
        journey.click_tab(page.tabs, 1)
        journey.click_row(
            page.views["awaiting"], row_of(page, "awaiting", lambda r: r["prescription_id"] == held["id"])
        )
        journey.wait_until(lambda: page.print_button.isEnabled())
        page.paper.setFocus()
        journey.key(page.paper, Qt.Key.Key_Down)
        assert page.paper.currentText() == A4
        preview = open_preview(journey, page.print_button)
    assert preview.preview_widget.pageCount() == 1 and page_size_name(preview) == A4
    text = preview_text(preview)
    assert "状态：待患者签字" in text and "签字前不予调配" in text and "患者签字：" in text
    assert "处方 42 天；有效期 49 天" in text and "尚未调配，剩余 42 天" in text
    journey.shot("rxprint-preview-awaiting-a4", preview)
    target = save_pdf(journey, preview, documents, "rxprint-prescription-awaiting-a4")
    pages, size = pdf_pages(target)
    assert pages in (0, 1) and (not size or "(A4)" in size)
    close(journey, preview)

    with journey.step("用药史…, then print the prescription chosen there"):
        journey.click(page.history_button)
        history = journey.dialog(HistoryDialog)
        journey.wait_until(lambda: history.loaded and history.print_button.isEnabled())
        assert history.chosen.count() == 1 and history.chosen.currentData() == held["id"]
        journey.shot("rxprint-history", history)
        preview = open_preview(journey, history.print_button)
    assert second["name"] in preview_text(preview) and page_size_name(preview) == A5
    close(journey, preview)
    history.accept()


def test_print_the_refill_round_then_enter_dispenses_the_selected_row(journey: Journey) -> None:
    from ui.rx_dialogs import DispenseDialog

    Qt = __import__("ui.qt", fromlist=["Qt"]).Qt
    day = journey.today - dt.timedelta(days=25)
    patients = list(stable_patients(journey, day))[:3]
    made = []
    for n, patient in enumerate(patients):
        rx = issue_for(journey, patient, day)
        X.dispense(journey.store, journey.user, rx["id"], 28, [box(20 + n)], on=day.isoformat())
        made.append(rx)
    page = open_page(journey)
    listed = page.models["refills"].rowCount()
    assert all(row_of(page, "refills", lambda r, i=rx["id"]: r["prescription_id"] == i) >= 0 for rx in made)
    with journey.step("click 打印续方清单…"):
        preview = open_preview(journey, page.round_button)
    text = preview_text(preview)
    assert (
        "长期处方续方清单" in text
        and f"{page.horizon.value()} 天内应续方、发药或到期：共 {listed} 张处方" in text
    )
    for patient in patients:
        assert patient["name"] in text and mask_id_number(patient["id_number"]) in text
    assert "将用完" in text and "苯磺酸氨氯地平片 5mg" in text, "why each is listed, and the drug to bring"
    journey.shot("rxprint-round-preview", preview)
    close(journey, preview)
    with journey.step("select a row and press Enter: the dispensing of that prescription"):
        at = row_of(page, "refills", lambda r: r["prescription_id"] == made[1]["id"])
        journey.click_row(page.views["refills"], at)
        journey.key(page.views["refills"], Qt.Key.Key_Return)
        dialog = journey.dialog(DispenseDialog)
    assert dialog.rx_id == made[1]["id"] and patients[1]["name"] in dialog.who.text()
    assert "(Enter)" in page.dispense_button.text() or "回车" in page.dispense_button.text()
    journey.wait_until(lambda: dialog.scan.hasFocus())
    dialog.reject()


def test_change_a_prescription_with_a_reason(journey: Journey) -> None:
    from ui.rx_dialogs import ChangeDialog

    Qt = __import__("ui.qt", fromlist=["Qt"]).Qt
    patient = next(stable_patients(journey))
    rx = issue_for(journey, patient)
    page = open_page(journey)
    with journey.step("select the prescription and click 更改…"):
        journey.click_row(
            page.views["refills"], row_of(page, "refills", lambda r: r["prescription_id"] == rx["id"])
        )
        journey.wait_until(lambda: page.change_button.isEnabled())
        journey.click(page.change_button)
        dialog = journey.dialog(ChangeDialog)
    assert len(dialog.lines) == 1 and dialog.lines[0].drug["code"] == AMLODIPINE
    assert dialog.days.value() == 84 and dialog.lines[0].dose.text() == "1"
    assert not dialog.finder.isEnabled() and patient["name"] in dialog.who.text()
    with journey.step("click 更改 without a reason"):
        journey.click(dialog.ok_button)
        journey.wait_until(dialog.error.isVisible)
    assert dialog.error.text() == "请填写更改原因。"
    with journey.step("type the reason and a dose of 2, 28 days, Ctrl+Enter"):
        journey.type(dialog.reason, "血压偏高，加量")
        dialog.lines[0].dose.selectAll()
        journey.type(dialog.lines[0].dose, "2")
        dialog.days.selectAll()
        journey.type(dialog.days, "28")
        assert dialog.lines[0].packages.text() == "2 盒"
        journey.shot("rxprint-change", dialog)
        journey.key(dialog.days, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        journey.wait_until(lambda: not dialog.isVisible())
        journey.wait_until(lambda: row_of(page, "refills", lambda r: r["prescription_id"] == rx["id"]) < 0)
    assert page.notice.text() == f"✓ {patient['name']} 的处方已更改：新处方 28 天，已生效。"
    assert X.get_prescription(journey.store.conn, rx["id"])["status"] == "stopped"
    new = journey.store.conn.execute(
        "SELECT id, days FROM prescription WHERE replaces = ?", (rx["id"],)
    ).fetchone()
    assert new is not None and new["days"] == 28
    journey.wait_until(lambda: row_of(page, "refills", lambda r: r["prescription_id"] == new["id"]) >= 0)
    stop = journey.store.conn.execute(
        "SELECT reason FROM prescription_event WHERE prescription_id = ? AND kind = 'stopped'", (rx["id"],)
    ).fetchone()
    assert stop["reason"] == "血压偏高，加量"
