"""A print preview whose pages were built, laid out and drawn off the GUI thread (ui.printing.render): as many
pages as a document laid out on the GUI thread has, shown after the worker thread is gone (a layout holds the
font faces of its thread: only pictures cross), without building the document again on the GUI thread; a
printer of another page is laid out afresh. The follow-up record's cells say when a value or its target was not
recorded."""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest

from ui import printing
from ui.followup_print import BODY_PT, NOT_SET, record_html, rows

VISITS = [
    {
        "visit_date": f"2026-0{month}-10",
        "visit_mode": "clinic",
        "symptoms": "[]",
        "sbp": 150 - month,
        "dbp": 90,
        "weight": 54,
        "target_weight": None if month % 2 else 52,
        "classification": "uncontrolled",
        "drugs": [{"name": "氨氯地平片", "dose": "5 mg", "times_per_day": 1}],
        "next_visit_date": f"2026-0{month}-24",
        "doctor_signature": "李医生",
    }
    for month in range(1, 10)
]
RESIDENT = {"name": "张三", "id_number": "11010519491231002X"}


def builder() -> Any:
    from ui.followup_print import record_document

    return record_document(RESIDENT, "hypertension", list(reversed(VISITS)))


def rendered_on_a_thread(printable: printing.Printable, resolution: int, layout: Any) -> printing.Rendered:
    """Drawn on a thread that has ended by the time the pictures are shown."""
    out: list[printing.Rendered] = []
    worker = threading.Thread(target=lambda: out.append(printing.render(printable, resolution, layout)))
    worker.start()
    worker.join(60)
    assert not worker.is_alive()
    return out[0]


def counting_builder(built: list[int]) -> Any:
    def build() -> Any:
        built.append(1)
        return builder()

    return build


def test_the_pages_drawn_on_a_worker_are_the_pages_laid_out_here(qapp: Any) -> None:
    printer = printing.new_printer()
    rendered = rendered_on_a_thread(
        printing.Printable(builder, "x.pdf", "随访记录"), printer.resolution(), printer.pageLayout()
    )
    assert len(rendered.images) == printing.lay_out(builder(), printer) == 3, "9 visits: three sheets of four"
    assert rendered.metrics == printing.page_metrics(printer)
    width = rendered.images[0].width()
    assert width == round(rendered.metrics[0] * printing.PREVIEW_DPI / rendered.metrics[3])


def test_the_preview_shows_the_pages_drawn_on_a_worker_without_building_them_again(
    qapp: Any, qtbot: Any
) -> None:
    built: list[int] = []
    printer = printing.new_printer()
    printable = printing.Printable(counting_builder(built), "随访记录.pdf", "随访记录", "footer")
    rendered = rendered_on_a_thread(printable, printer.resolution(), printer.pageLayout())
    assert built == [1]
    dialog = printing.PrintPreview(
        printable.builder, "随访记录.pdf", "随访记录", "footer", printer=printer, rendered=rendered
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.preview_widget.pageCount() == 3)
    assert built == [1], "the GUI thread only showed the pictures"


def test_a_preview_opened_at_once_shows_the_pages_when_its_worker_has_drawn_them(
    qapp: Any, qtbot: Any
) -> None:
    built: list[int] = []
    dialog = printing.PrintPreview(counting_builder(built), "x.pdf", "x")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.preview_widget.pageCount() == 3, timeout=20_000)
    assert built == [1] and dialog.rendered is not None


def test_a_printer_of_another_page_is_laid_out_afresh(qapp: Any, qtbot: Any) -> None:
    built: list[int] = []
    printer = printing.new_printer()
    printable = printing.Printable(counting_builder(built), "x.pdf", "x")
    rendered = rendered_on_a_thread(printable, printer.resolution() // 2, printer.pageLayout())
    dialog = printing.PrintPreview(printable.builder, "x.pdf", "x", printer=printer, rendered=rendered)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.preview_widget.pageCount() == 3)
    assert built == [1, 1], "drawn for half the resolution: built again for this printer"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_a_pdf_of_the_record_shows_a_missing_target_as_not_recorded(qapp: Any, tmp_path: Path) -> None:
    pdf = printing.write_pdf(builder, tmp_path / "record.pdf", "随访记录")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert f"54 / {NOT_SET}" in text and "54 / 52" in text
    assert "54 /\n" not in text


def test_a_value_without_its_target_and_a_target_without_a_value_are_marked() -> None:
    weight = next(fill for _group, item, fill in rows("hypertension") if item == "体重（kg）")
    assert weight({"weight": 54}) == f"54 / {NOT_SET}"
    assert weight({"target_weight": 52}) == f"{NOT_SET} / 52"
    assert weight({"weight": 54, "target_weight": 52}) == "54 / 52"
    assert weight({}) == ""


def test_the_record_is_printed_at_the_type_size_of_the_paper_form() -> None:
    assert BODY_PT >= 10.5
    assert f"font-size: {BODY_PT}pt" in record_html(RESIDENT, "hypertension", VISITS[:1])
