"""The issue dialog searches the drug catalog on a worker as the doctor types: an Enter typed before the answer
comes adds the first drug of the answer to the text typed last; an answer to an earlier text is never shown."""

from __future__ import annotations

import datetime as dt
from typing import Any

from clinic_app import catalog, drugs
from clinic_app import rx_records as X
from ui.ops import Writer
from ui.qt import Qt
from ui.rx_dialogs import IssueDialog, RxContext

from .conftest import UiClinic

TODAY = dt.date(2026, 11, 20)


def dialog_of(qtbot: Any, clinic: UiClinic) -> IssueDialog:
    store = clinic.store
    catalog.install_catalog(store, drugs.read_catalog_file(catalog.demo_catalog_file()))
    ctx = RxContext(store, store.reader(), Writer(), clinic.doctor, TODAY)
    dialog = IssueDialog(ctx, None, {"limits": X.limits(store.conn, TODAY), "patient": None})
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_enter_before_the_answer_adds_the_first_drug_of_the_last_text(
    qtbot: Any, ui_clinic: UiClinic
) -> None:
    dialog = dialog_of(qtbot, ui_clinic)
    dialog.search.setFocus()
    qtbot.keyClicks(dialog.search, "bhsaldp")
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)  # at once, as a fast typist or a scanner does
    qtbot.waitUntil(lambda: len(dialog.lines) == 1, timeout=10_000)
    assert dialog.lines[0].drug["name"] == "苯磺酸氨氯地平片"
    assert dialog.search.text() == "" and not dialog.searching


def test_an_answer_to_an_earlier_text_is_not_shown(qtbot: Any, ui_clinic: UiClinic) -> None:
    dialog = dialog_of(qtbot, ui_clinic)
    dialog.search.setFocus()
    qtbot.keyClicks(dialog.search, "bhsaldp")
    qtbot.waitUntil(lambda: not dialog.searching and dialog.results.count() > 0, timeout=10_000)
    shown = [dialog.results.item(i).text() for i in range(dialog.results.count())]
    late = drugs.search_drugs(ui_clinic.store.conn, "amx", limit=3)
    dialog.typed.answer(dialog.typed.searched - 1, late)  # the answer to a text typed before the last
    assert [dialog.results.item(i).text() for i in range(dialog.results.count())] == shown
