"""The 签约 page and the sign dialog with real Qt widgets: a household with one ineligible member is refused with
the member named and nothing half-signed; consent on screen needs a signature; the county is asked first when
online; the page lists contracts, worklists and the ledger, prints the contract and exports the ledger."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from clinic_app import contracts as C
from clinic_app.users import authenticate
from ui.ops import Writer
from ui.sign_dialog import SignDialog

from .conftest import UiClinic

TODAY = dt.date(2026, 6, 15)
POLICY = {
    "capitation.rate_fen": ("9000", "2026-01-01"),
    "capitation.quality_reserve_pct": ("10", "2026-01-01"),
}


@pytest.fixture
def signing(ui_clinic: UiClinic) -> UiClinic:
    store = ui_clinic.store
    C.install_reference(store, policy=POLICY)
    C.add_team(store, authenticate(store, "admin", "admin-pass-1"), "一队", "doctor")
    return ui_clinic


def resident(store: Any, name: str) -> str:
    return str(store.conn.execute("SELECT id FROM resident WHERE name = ?", (name,)).fetchone()[0])


def dialog(
    qtbot: Any, clinic: UiClinic, name: str, household: bool = False, lookup: Any = None
) -> SignDialog:
    store = clinic.store
    d = SignDialog(store, store.reader(), Writer(), clinic.doctor, resident(store, name), household,
                   (lambda: lookup) if lookup else None, today=TODAY)  # fmt: skip
    qtbot.addWidget(d)
    d.show()
    return d


def outbox(store: Any) -> int:
    return int(store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0])


def test_a_household_with_one_ineligible_member_is_refused_naming_them(qtbot: Any, signing: UiClinic) -> None:
    store = signing.store
    d = dialog(qtbot, signing, "张三", household=True)
    assert [box.text().split("（")[0] for _rid, box in d.members] == ["张三", "李四"]
    d.packages["ELDERLY"].setChecked(True)
    d.witness.setText("王护士")
    before = outbox(store)
    d.sign_button.click()
    qtbot.waitUntil(d.error.isVisible, timeout=10_000)
    assert (
        d.error.text()
        == "李四 不符合服务包条件：老年人健康管理服务包 适用于签约周期开始时年满 65 岁的居民（该居民 33 岁）"
    )
    assert C.list_contracts(store.conn, store.clinic_id) == [] and outbox(store) == before, (
        "nothing half-signed"
    )
    d.packages["ELDERLY"].setChecked(False)
    d.insured.setChecked(True)
    with qtbot.waitSignal(d.accepted, timeout=10_000):
        d.sign_button.click()
    signed = C.list_contracts(store.conn, store.clinic_id)
    assert sorted(r["name"] for r in signed) == ["张三", "李四"] and {r["status"] for r in signed} == {
        "provisional"
    }
    assert (
        store.conn.execute("SELECT count(*) FROM insurance_status WHERE year = 2026 AND paid = 1").fetchone()[
            0
        ]
        == 2
    )


def test_consent_on_screen_needs_the_residents_signature(qtbot: Any, signing: UiClinic) -> None:
    from ui.qt import QPoint, Qt

    d = dialog(qtbot, signing, "王五")
    d.on_screen.setChecked(True)
    d.sign_button.click()
    qtbot.waitUntil(d.error.isVisible, timeout=10_000)
    assert d.error.text() == "请居民先在屏幕上签名。"
    qtbot.mousePress(d.pad, Qt.MouseButton.LeftButton, pos=QPoint(20, 30))
    for x in range(20, 200, 15):
        qtbot.mouseMove(d.pad, QPoint(x, 30 + (x % 40)))
    assert not d.pad.is_empty()
    with qtbot.waitSignal(d.accepted, timeout=10_000):
        d.sign_button.click()
    [row] = C.list_contracts(signing.store.conn, signing.store.clinic_id)
    assert C.get_contract(signing.store.conn, row["id"])["signature"].startswith("data:image/png;base64,")


def test_the_county_is_asked_first_when_the_device_is_online(qtbot: Any, signing: UiClinic) -> None:
    asked: list[str] = []

    def elsewhere(number: str, period: str) -> dict[str, Any]:
        asked.append(number)
        return {"active_contract": True, "clinic_code": "B01", "clinic_name": "河东村卫生室"}

    d = dialog(qtbot, signing, "张三", lookup=elsewhere)
    d.witness.setText("王护士")
    d.sign_button.click()
    qtbot.waitUntil(d.error.isVisible, timeout=10_000)
    assert (
        asked == ["11010519491231002X"]
        and "本年度已在其他机构签约" in d.error.text()
        and "河东村卫生室" in d.error.text()
    )
    assert C.list_contracts(signing.store.conn, signing.store.clinic_id) == []

    def offline(number: str, period: str) -> dict[str, Any]:
        raise ConnectionError("no signal")

    d2 = dialog(qtbot, signing, "张三", lookup=offline)
    d2.witness.setText("王护士")
    with qtbot.waitSignal(d2.accepted, timeout=10_000):
        d2.sign_button.click()
    assert not d2.checked_online, "offline: signed provisional, the county decides on sync"


def test_the_page_lists_worklists_ledger_prints_and_exports(
    qtbot: Any, signing: UiClinic, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    from ui.contracts_page import ContractsPage

    store = signing.store
    C.sign(
        store,
        signing.doctor,
        [resident(store, "张三")],
        "一队",
        2026,
        ["BASIC"],
        witness="王护士",
        today=TODAY,
    )
    C.set_insurance(store, signing.doctor, resident(store, "张三"), 2026)
    page = ContractsPage(
        store, store.reader(), Writer(), authenticate(store, "doctor", "doctor-pass-1"), today=TODAY
    )
    qtbot.addWidget(page)
    page.show()
    assert page.contracts.rowCount() == 1 and page.contracts.item(0, 0).text() == "张三"
    assert "*" in page.contracts.item(0, 1).text() and page.contracts.item(0, 4).text() == "待确认"
    page.which.setCurrentIndex(2)  # never signed
    assert sorted(page.worklist.item(i, 0).text() for i in range(page.worklist.rowCount())) == [
        "李四",
        "王五",
    ]
    page.tabs.setCurrentIndex(2)
    assert page.figures["heads"].text().startswith("签约且参保：1 人")
    assert "年度预算：90.00 元" in page.figures["budget"].text() and page.chart.ledger is not None
    page.tabs.setCurrentIndex(0)
    page.contracts.setCurrentCell(0, 0)
    view = page.view_selected()
    assert "家庭医生签约服务协议书" in view.browser.toPlainText() and "张三" in view.browser.toPlainText()
    view.reject()
    pdf = page.print_selected(tmp_path / "contract.pdf")
    assert pdf is not None and pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5_000
    xlsx = page.export_ledger(tmp_path / "ledger.xlsx")
    assert xlsx is not None and load_workbook(xlsx)["汇总"]["B2"].value == 1
    page.finder.setText("王五")
    d = page.sign_found()
    assert d is not None and [box.text().split("（")[0] for _rid, box in d.members] == ["王五"]
    d.reject()


def test_without_a_team_the_dialog_says_what_to_do_first(qtbot: Any, ui_clinic: UiClinic) -> None:
    C.install_reference(ui_clinic.store)
    d = dialog(qtbot, ui_clinic, "张三")
    assert d.error.isVisible() and "还没有家庭医生团队" in d.error.text() and not d.sign_button.isEnabled()


def test_an_admin_adds_a_team_from_the_page_and_others_only_see_them(qtbot: Any, ui_clinic: UiClinic) -> None:
    from ui.contracts_page import ContractsPage

    store = ui_clinic.store
    admin = authenticate(store, "admin", "admin-pass-1")
    page = ContractsPage(store, store.reader(), Writer(), admin, today=TODAY)
    qtbot.addWidget(page)
    teams = page.open_teams()
    teams.name.setText("一队")
    teams.lead.setCurrentIndex(teams.lead.findData("doctor"))
    teams.members["admin"].setChecked(True)
    teams.add_button.click()
    qtbot.waitUntil(lambda: teams.table.rowCount() == 1, timeout=10_000)
    assert [teams.table.item(0, c).text() for c in range(2)] == ["一队", "李医生"]
    assert set(teams.table.item(0, 2).text().split("、")) == {"李医生", admin.display_name}
    teams.name.setText("一队")
    teams.add_button.click()
    qtbot.waitUntil(teams.error.isVisible, timeout=10_000)
    assert teams.error.text() == "已有同名团队。"
    teams.reject()
    doctor_page = ContractsPage(store, store.reader(), Writer(), ui_clinic.doctor, today=TODAY)
    qtbot.addWidget(doctor_page)
    view = doctor_page.open_teams()
    assert (
        view.table.rowCount() == 1 and not view.add_button.isEnabled()
    ) or not view.add_button.parentWidget().isEnabled()
    view.reject()
