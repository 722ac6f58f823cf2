"""The 长处方 page's refill worklist pages by its keyset (rx_records.refills_page): the first pages read on a worker,
the later ones as the view scrolls to them, each row once and in the order of the whole list; the count says
when more rows are to come, and follows the rows loaded."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from clinic_app import rx_records as X
from clinic_app import rx_supply
from ui.listmodel import PAGE_SIZE
from ui.ops import Writer
from ui.prescriptions_page import PrescriptionsPage, reason_text

from .conftest import UiClinic

TODAY = dt.date(2026, 11, 20)
PRESCRIPTIONS = 2 * PAGE_SIZE + 37


def due_prescriptions(clinic: UiClinic, count: int) -> None:
    """``count`` active 28-day prescriptions, one a patient, none dispensed yet (all on the worklist), issued over
    the last days so that several share a day (the keyset's second column decides)."""
    store = clinic.store
    conn, clinic_id = store.conn, store.clinic_id
    stamp = "2026-01-01T00:00:00.000Z"
    people, prescriptions = [], []
    for i in range(count):
        person, rx = str(uuid.uuid4()), str(uuid.uuid4())
        issued = TODAY - dt.timedelta(days=i % 5)
        people.append((person, clinic_id, stamp, stamp, f"患者{i:03d}"))
        valid = (issued + dt.timedelta(days=35)).isoformat()
        prescriptions.append((rx, clinic_id, stamp, stamp, issued.isoformat(), person, valid))
    with store.transaction():
        conn.executemany(
            "INSERT INTO resident(id, clinic_id, created_at, updated_at, name, sex, birth_date) "
            "VALUES (?, ?, ?, ?, ?, 'F', '1950-01-01')",
            people,
        )
        conn.executemany(
            "INSERT INTO prescription(id, clinic_id, created_at, updated_at, issued_on, resident_id, disease, days, "
            "status_on_issue, valid_until) VALUES (?, ?, ?, ?, ?, ?, 'hypertension', 28, 'active', ?)",
            prescriptions,
        )
        rx_supply.refresh(conn, [p[0] for p in prescriptions])


def shown_page(qtbot: Any, clinic: UiClinic) -> PrescriptionsPage:
    store = clinic.store
    page = PrescriptionsPage(store, store.reader(), Writer(), clinic.doctor, today=TODAY)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    qtbot.waitUntil(lambda: page.loaded > 0, timeout=10_000)
    return page


def test_the_refill_worklist_pages_by_its_keyset_as_the_view_scrolls(
    qtbot: Any, ui_clinic: UiClinic, qtmodeltester: Any
) -> None:
    due_prescriptions(ui_clinic, PRESCRIPTIONS)
    whole = [
        r["prescription_id"] for r in X.refills(ui_clinic.store.conn, ui_clinic.store.clinic_id, TODAY, 7)
    ]
    assert len(whole) == PRESCRIPTIONS
    page = shown_page(qtbot, ui_clinic)
    model, view = page.models["refills"], page.views["refills"]
    assert model.rowCount() == PAGE_SIZE and model.canFetchMore(), "one page read on the worker, more to come"
    assert page.count.text() == f"本清单 {PAGE_SIZE}+ 人"
    qtmodeltester.check(model)
    while model.canFetchMore():  # a person scrolling to the end of the list
        before = model.rowCount()
        view.scrollToBottom()
        qtbot.waitUntil(lambda before=before: model.rowCount() > before or not model.canFetchMore())
    keys = [model.key_at(r) for r in range(model.rowCount())]
    assert keys == whole, "each row once, in the order of the whole list"
    assert page.count.text() == f"本清单 {PRESCRIPTIONS} 人"


def test_the_refill_list_fits_the_1366_window_phone_whole_dates_unambiguous(
    qtbot: Any, ui_clinic: UiClinic
) -> None:
    """Trial F8: at 1366×768 (the page about 1090 px wide) no column runs off the list and an 11-digit phone is
    whole; F10: nothing dispensed yet shows no day it runs out, and the last valid day reads 有效至, not 过期."""
    due_prescriptions(ui_clinic, 3)
    store = ui_clinic.store
    page = PrescriptionsPage(store, store.reader(), Writer(), ui_clinic.doctor, today=TODAY)
    qtbot.addWidget(page)
    page.resize(1090, 690)
    page.show()
    qtbot.waitUntil(lambda: page.loaded > 0, timeout=10_000)
    view, model = page.views["refills"], page.models["refills"]
    header = view.horizontalHeader()
    assert header.length() <= view.viewport().width(), "no column hidden behind a horizontal scrollbar"
    phone = [c.name for c in model.columns].index("phone")
    needed = view.fontMetrics().horizontalAdvance("13786641770") + 8
    assert header.sectionSize(phone) >= needed
    columns = [c.name for c in model.columns]
    first = {name: model.data(model.index(0, i)) for i, name in enumerate(columns)}
    assert first["runs_out_on"] == "", "nothing dispensed: no day the boxes run out"
    assert first["why"] == "尚未发药"
    assert reason_text({"reasons": ["expiring"], "valid_until": "2026-12-02"}) == "有效至 2026-12-02"
