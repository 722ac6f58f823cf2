"""The 签约 page and the sign dialog with real Qt widgets: a household with one ineligible member is refused with
the member named and nothing half-signed; consent on screen needs a signature; the county is asked first when
online; the page lists contracts, worklists and the ledger, prints the contract and exports the ledger."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from clinic_app import contracts as C
from clinic_app import residents as R
from clinic_app.users import authenticate
from ui.contract_dialogs import RenewDialog
from ui.ops import Writer
from ui.printing import PrintPreview
from ui.qt import QApplication, QDialog, QFileDialog, QLineEdit, Qt
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


def _visible(qtbot: Any, kind: type, accept: Any = None) -> Any:
    """The visible top-level window of class ``kind`` (a dialog the person now sees)."""
    found: list[Any] = []

    def shown() -> bool:
        found[:] = [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, kind) and w.isVisible() and (accept is None or accept(w))
        ]
        return bool(found)

    qtbot.waitUntil(shown, timeout=10_000)
    return found[-1]


def resident(store: Any, name: str) -> str:
    return str(store.conn.execute("SELECT id FROM resident WHERE name = ?", (name,)).fetchone()[0])


def dialog(
    qtbot: Any, clinic: UiClinic, name: str, household: bool = False, lookup: Any = None
) -> SignDialog:
    store = clinic.store
    d = SignDialog(
        store,
        store.reader(),
        Writer(),
        clinic.doctor,
        resident(store, name),
        household,
        (lambda: lookup) if lookup else None,
        today=TODAY,
    )
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


def _click_row(qtbot: Any, view: Any, row: int) -> None:
    from ui.qt import Qt

    index = view.model().index(row, 0)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center())


def _click_tab(qtbot: Any, tabs: Any, i: int) -> None:
    from ui.qt import Qt

    qtbot.mouseClick(tabs.tabBar(), Qt.MouseButton.LeftButton, pos=tabs.tabBar().tabRect(i).center())


def _cells(view: Any, row: int) -> list[str]:
    model = view.model()
    return [str(model.data(model.index(row, c))) for c in range(model.columnCount())]


def _page(qtbot: Any, clinic: UiClinic, user: Any = None, writer: Any = None) -> Any:
    from ui.contracts_page import ContractsPage

    store = clinic.store
    page = ContractsPage(store, store.reader(), writer or Writer(), user or clinic.doctor, today=TODAY)
    qtbot.addWidget(page)
    page.resize(1000, 600)
    page.show()
    qtbot.waitExposed(page)
    qtbot.waitUntil(
        lambda: page.contract_total is not None
    )  # the list a turn after the page shows, its count next
    return page


def test_the_page_lists_worklists_ledger_prints_and_exports(
    qtbot: Any, signing: UiClinic, documents: Path
) -> None:
    from openpyxl import load_workbook

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
    page = _page(qtbot, signing)
    assert page.contract_model.rowCount() == 1 and _cells(page.contracts, 0)[0] == "张三"
    assert "*" in _cells(page.contracts, 0)[1] and _cells(page.contracts, 0)[4] == "待确认"
    assert page.contract_count.text() == "共 1 份签约"
    _click_tab(qtbot, page.tabs, 1)
    page.which.setFocus()
    qtbot.keyClick(page.which, Qt.Key.Key_Down)
    qtbot.keyClick(page.which, Qt.Key.Key_Down)  # never signed
    assert [_cells(page.worklist, i)[0] for i in range(page.work_model.rowCount())] == ["李四", "王五"]
    _click_tab(qtbot, page.tabs, 2)
    if page.book is None:  # until the worker answers it says so, never "no ledger this year"
        assert page.figures["heads"].text() == "正在读取台账…"
        assert page.chart.empty.text() == "正在读取台账…"
    qtbot.waitUntil(lambda: page.book is not None)  # read on a worker
    assert page.figures["heads"].text().startswith("签约且参保：1 人")
    assert "年度预算：90.00 元" in page.figures["budget"].text() and page.chart.ledger is not None
    _click_tab(qtbot, page.tabs, 0)
    _click_row(qtbot, page.contracts, 0)
    assert page.print_button.isEnabled()
    index = page.contracts.model().index(0, 0)
    qtbot.mouseDClick(
        page.contracts.viewport(), Qt.MouseButton.LeftButton, pos=page.contracts.visualRect(index).center()
    )
    view = _visible(qtbot, QDialog, lambda d: hasattr(d, "browser"))
    assert "家庭医生签约服务协议书" in view.browser.toPlainText() and "张三" in view.browser.toPlainText()
    view.reject()
    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    preview = _visible(qtbot, PrintPreview)
    qtbot.waitUntil(lambda: preview.preview_widget.pageCount() >= 1)
    assert "张三" in preview.windowTitle()
    preview.reject()
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    chooser = _visible(qtbot, QFileDialog)
    assert Path(chooser.directory().absolutePath()) == documents
    qtbot.keyClick(chooser.findChild(QLineEdit, "fileNameEdit"), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.notice.text().startswith("✓ 2026 年度台账已保存到"))
    xlsx = documents / "人头费台账2026.xlsx"
    assert load_workbook(xlsx)["汇总"]["B2"].value == 1


def test_the_contracts_preview_is_read_and_drawn_off_the_gui_thread_and_opens_once(
    qtbot: Any, signing: UiClinic
) -> None:
    """打印协议… built Qt's preview on the GUI thread while a worker drew the page (181 ms without events): the
    contract is now read and drawn first, and the preview opens with its page drawn."""
    from ui.printing import PrintPreview

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
    page = _page(qtbot, signing)
    _click_row(qtbot, page.contracts, 0)
    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)

    def previews() -> list[Any]:
        return [w for w in QApplication.topLevelWidgets() if isinstance(w, PrintPreview) and w.isVisible()]

    assert previews() == [], "nothing is built on the GUI thread before the page is drawn"
    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)  # clicked again while it is drawn
    preview = _visible(qtbot, PrintPreview)
    assert preview.rendered is not None and len(preview.rendered.images) >= 1, "it opens with its page drawn"
    assert "张三" in preview.windowTitle()
    qtbot.wait(200)
    assert previews() == [preview], "the second click opened no second preview"
    preview.reject()


def test_the_search_box_filters_the_list_and_one_match_opens_the_sign_dialog(
    qtbot: Any, signing: UiClinic
) -> None:
    store = signing.store
    for name in ("张三", "王五"):
        C.sign(
            store,
            signing.doctor,
            [resident(store, name)],
            "一队",
            2026,
            ["BASIC"],
            witness="王护士",
            today=TODAY,
        )
    page = _page(qtbot, signing)
    assert [_cells(page.contracts, r)[0] for r in range(2)] == ["王五", "张三"], "pinyin: wang before zhang"
    page.finder.setFocus()
    qtbot.keyClicks(page.finder, "zhang")
    qtbot.waitUntil(lambda: page.contract_model.rowCount() == 1, timeout=5000)
    assert _cells(page.contracts, 0)[0] == "张三" and page.contract_count.text() == "共 1 份签约"
    qtbot.keyClick(page.finder, Qt.Key.Key_Down)  # Down moves into the results
    assert page.focusWidget() is page.contracts and page.contracts.current_key() is not None
    page.finder.clear()
    qtbot.keyClicks(page.finder, "lisi")
    qtbot.waitUntil(lambda: page.contract_model.rowCount() == 0, timeout=5000)
    qtbot.mouseClick(page.sign_button, Qt.MouseButton.LeftButton)
    d = _open(SignDialog)
    assert [box.text().split("（")[0] for _rid, box in d.members] == ["李四"]
    d.reject()


def test_several_matches_are_offered_and_the_signed_resident_is_shown_selected(
    qtbot: Any, signing: UiClinic
) -> None:
    from ui.sign_dialog import ResidentPicker

    store = signing.store
    admin = authenticate(store, "admin", "admin-pass-1")
    vid = store.conn.execute("SELECT id FROM village").fetchone()[0]
    R.add_resident(store, admin, R.ResidentInput(name="赵四", id_number="110105195001010039", village_id=vid))
    page = _page(qtbot, signing)
    page.finder.setFocus()
    qtbot.keyClicks(page.finder, "zs")
    qtbot.mouseClick(page.sign_button, Qt.MouseButton.LeftButton)
    picker = _open(ResidentPicker)
    assert picker.label.text() == "2 位居民符合“zs”，请选择一位。"
    assert [_cells(picker.view, r)[0] for r in range(2)] == ["张三", "赵四"]
    assert picker.focusWidget() is picker.view and picker.view.current_key() == resident(store, "张三")
    qtbot.keyClick(picker.view, Qt.Key.Key_Down)
    qtbot.keyClick(picker.view, Qt.Key.Key_Return)
    d = _open(SignDialog)
    assert [box.text().split("（")[0] for _rid, box in d.members] == ["赵四"]
    d.witness.setFocus()
    qtbot.keyClicks(d.witness, "wang")
    qtbot.mouseClick(d.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not d.isVisible(), timeout=10_000)
    assert page.notice.text() == "✓ 已为 赵四 签约 2026 年度。"
    assert _cells(page.contracts, page.contracts.currentIndex().row())[0] == "赵四"
    assert page.contracts.current_key() == d.result_ids[0]


def test_terminate_and_change_team_open_dialogs_and_show_the_result(qtbot: Any, signing: UiClinic) -> None:
    """The buttons' clicked(bool) once filled the reason and the team with False: an English error instead."""
    from ui.contract_dialogs import ChangeTeamDialog, TerminateDialog

    store = signing.store
    admin = authenticate(store, "admin", "admin-pass-1")
    C.add_team(store, admin, "二队", "admin")
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
    page = _page(qtbot, signing)
    _click_row(qtbot, page.contracts, 0)
    qtbot.mouseClick(page.transfer_button, Qt.MouseButton.LeftButton)
    change = _open(ChangeTeamDialog)
    assert [change.team.itemText(i) for i in range(change.team.count())] == ["二队"]
    qtbot.mouseClick(change.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not change.isVisible(), timeout=10_000)
    assert page.notice.text() == "✓ 张三 的签约已转到 二队。" and _cells(page.contracts, 0)[2] == "二队"
    qtbot.mouseClick(page.terminate_button, Qt.MouseButton.LeftButton)
    stop = _open(TerminateDialog)
    assert [stop.reason.itemText(i) for i in range(stop.reason.count())][1:] == [
        "迁出",
        "失联满一年",
        "拒绝服务",
        "居民主动要求",
        "死亡",
    ]
    assert stop.day.date().toString("yyyy-MM-dd") == "2026-06-15"
    stop.reason.setFocus()
    for _ in range(4):
        qtbot.keyClick(stop.reason, Qt.Key.Key_Down)
    qtbot.mouseClick(stop.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not stop.isVisible(), timeout=10_000)
    assert page.notice.text() == "✓ 已解除 张三 的签约（居民主动要求）。"
    assert (
        _cells(page.contracts, 0)[4] == "已解约（居民主动要求）" and page.contracts.current_key() is not None
    )
    assert C.get_contract(store.conn, page.contracts.current_key())["stop_reason"] == "resident_request"


def test_a_renewal_switches_the_year_and_selects_the_new_contract(qtbot: Any, signing: UiClinic) -> None:
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
    page = _page(qtbot, signing)
    _click_row(qtbot, page.contracts, 0)
    qtbot.mouseClick(page.renew_button, Qt.MouseButton.LeftButton)
    ask = _open(RenewDialog, qtbot)  # asks first: one click no longer makes next year's contract
    assert ask.ok_button.text() == "续约"
    text = ask.question.text()
    assert "为 张三 续约 2027 年度（团队：一队）" in text and "服务包（与本年度相同）：" in text
    assert "签 2027 年度" in text, "it says how to sign other packages"
    ask.reject()
    qtbot.waitUntil(lambda: not ask.isVisible(), timeout=5000)
    assert page.year.value() == 2026 and len(C.list_contracts(store.conn, store.clinic_id)) == 1
    qtbot.mouseClick(page.renew_button, Qt.MouseButton.LeftButton)
    ask = _open(RenewDialog, qtbot)
    ask.consent.witness.setText("李护士")  # this renewal's witness, not last year's
    qtbot.mouseClick(ask.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.year.value() == 2027, timeout=10_000)
    assert page.notice.text() == "✓ 已为 张三 续约 2027 年度。"
    new = C.get_contract(store.conn, page.contracts.current_key())
    assert (
        new["period"] == "2027" and _cells(page.contracts, page.contracts.currentIndex().row())[0] == "张三"
    )
    assert new["witness"] == "李护士"
    _click_row(qtbot, page.contracts, 0)
    qtbot.mouseClick(page.renew_button, Qt.MouseButton.LeftButton)  # 2028: out of range, said in Chinese
    ask = _open(RenewDialog, qtbot)
    assert "2028" in ask.question.text()
    ask.consent.witness.setText("李护士")
    qtbot.mouseClick(ask.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ask.error.isVisible(), timeout=5000)
    assert ask.error.text() == "只能签约上一年度、本年度或下一年度。"
    ask.reject()


def test_the_page_reads_only_what_a_write_changed_and_only_while_shown(
    qtbot: Any, signing: UiClinic, monkeypatch: Any
) -> None:
    import threading

    store = signing.store
    writer = Writer()
    page = _page(qtbot, signing, writer=writer)
    reads: list[str] = []
    for name in ("contract_page", "contract_rows", "never_signed_page"):
        real = getattr(C, name)
        monkeypatch.setattr(
            C, name, lambda *a, _real=real, _name=name, **k: (reads.append(_name), _real(*a, **k))[1]
        )
    admin = authenticate(store, "admin", "admin-pass-1")
    with qtbot.waitSignal(writer.store_changed, timeout=10_000):
        writer.run(lambda: R.add_village(store, admin, "河东村"))
    assert reads == [], "a new village touches nothing the page shows"
    with qtbot.waitSignal(writer.store_changed, timeout=10_000):
        writer.run(
            lambda: C.sign(
                store,
                signing.doctor,
                [resident(store, "王五")],
                "一队",
                2026,
                ["BASIC"],
                witness="王护士",
                today=TODAY,
            )
        )
    assert reads == ["contract_rows"], "one small query for the contract that changed, not the whole list"
    assert [_cells(page.contracts, r)[0] for r in range(page.contract_model.rowCount())] == ["王五"]
    page.hide()
    reads.clear()

    def elsewhere() -> None:  # the sync thread writes through a sibling store of its own
        sibling = store.sibling()
        try:
            C.sign(
                sibling,
                signing.doctor,
                [resident(sibling, "张三")],
                "一队",
                2026,
                ["BASIC"],
                witness="王护士",
                today=TODAY,
            )
        finally:
            sibling.close()

    with qtbot.waitSignal(writer.store_changed, timeout=10_000):
        thread = threading.Thread(target=elsewhere)
        thread.start()
    thread.join()
    assert reads == [], "hidden: nothing is read, the page is stale"
    page.show()
    qtbot.waitUntil(lambda: reads != [])  # read the turn after the page is shown
    assert reads == ["contract_rows"]
    assert [_cells(page.contracts, r)[0] for r in range(page.contract_model.rowCount())] == ["王五", "张三"]


def _open(kind: Any, qtbot: Any = None) -> Any:
    """The visible window of this kind (waiting for it with ``qtbot``)."""
    from ui.qt import QApplication

    def found() -> list[Any]:
        return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]

    if qtbot is not None:
        qtbot.waitUntil(lambda: bool(found()), timeout=10_000)
    assert found(), f"no {kind.__name__} open"
    return found()[-1]


def test_without_a_team_the_dialog_says_what_to_do_first(qtbot: Any, ui_clinic: UiClinic) -> None:
    C.install_reference(ui_clinic.store)
    d = dialog(qtbot, ui_clinic, "张三")
    assert d.error.isVisible() and "还没有家庭医生团队" in d.error.text() and not d.sign_button.isEnabled()


def test_an_admin_adds_a_team_from_the_page_and_others_only_see_them(qtbot: Any, ui_clinic: UiClinic) -> None:
    from ui.teams_dialog import TeamsDialog

    store = ui_clinic.store
    admin = authenticate(store, "admin", "admin-pass-1")
    page = _page(qtbot, ui_clinic, user=admin)
    qtbot.mouseClick(page.teams_button, Qt.MouseButton.LeftButton)
    teams = _open(TeamsDialog)
    teams.name.setFocus()
    qtbot.keyClicks(teams.name, "A1")
    teams.lead.setCurrentIndex(teams.lead.findData("doctor"))
    teams.members["admin"].setFocus()
    qtbot.keyClick(teams.members["admin"], Qt.Key.Key_Space)
    qtbot.mouseClick(teams.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: teams.model.rowCount() == 1, timeout=10_000)
    assert _cells(teams.table, 0)[:2] == ["A1", "李医生"] and teams.table.current_key() is not None
    assert set(_cells(teams.table, 0)[2].split("、")) == {"李医生", admin.display_name}
    assert teams.notice.text() == "✓ 已添加团队 A1。"
    qtbot.keyClicks(teams.name, "A1")
    qtbot.mouseClick(teams.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(teams.error.isVisible, timeout=10_000)
    assert teams.error.text() == "已有同名团队。"
    teams.reject()
    doctor_page = _page(qtbot, ui_clinic)
    qtbot.mouseClick(doctor_page.teams_button, Qt.MouseButton.LeftButton)
    view = _open(TeamsDialog)
    assert view.model.rowCount() == 1 and not view.add_button.parentWidget().isEnabled()
    view.reject()


def test_a_second_contract_and_one_signed_elsewhere_are_refused_in_chinese(
    qtbot: Any, signing: UiClinic
) -> None:
    """The sentences come from the rule's code and details, not from the domain's English."""
    d = dialog(qtbot, signing, "王五")
    d.witness.setText("王护士")
    with qtbot.waitSignal(d.accepted, timeout=10_000):
        d.sign_button.click()
    again = dialog(qtbot, signing, "王五")
    again.witness.setText("王护士")
    again.sign_button.click()
    qtbot.waitUntil(again.error.isVisible, timeout=10_000)
    assert again.error.text() == "王五 本年度已有签约：2026 年度已与 一队 签约（每年只能与一个团队签约）"

    def county(_number: str, _period: str) -> dict[str, Any]:
        return {"active_contract": True, "clinic_name": "东村卫生室"}

    elsewhere = dialog(qtbot, signing, "张三", lookup=county)
    elsewhere.witness.setText("王护士")
    elsewhere.sign_button.click()
    qtbot.waitUntil(elsewhere.error.isVisible, timeout=10_000)
    assert elsewhere.error.text() == "张三 本年度已在其他机构签约：东村卫生室"


def _buttons(page: Any) -> dict[str, bool]:
    return {
        "renew": page.renew_button.isEnabled(),
        "terminate": page.terminate_button.isEnabled(),
        "transfer": page.transfer_button.isEnabled(),
        "print": page.print_button.isEnabled(),
    }


def test_the_buttons_offer_only_what_the_contracts_status_allows_and_say_why(
    qtbot: Any, signing: UiClinic
) -> None:
    store, doctor = signing.store, signing.doctor
    C.sign(store, doctor, [resident(store, "张三")], "一队", 2026, ["BASIC"], witness="王护士", today=TODAY)
    C.sign(store, doctor, [resident(store, "王五")], "一队", 2026, ["BASIC"], witness="王护士", today=TODAY)
    C.sign(store, doctor, [resident(store, "李四")], "一队", 2025, ["BASIC"], witness="王护士", today=TODAY)
    C.terminate(
        store,
        doctor,
        next(c["id"] for c in C.list_contracts(store.conn, store.clinic_id) if c["name"] == "张三"),
        "resident_request",
        TODAY,
    )
    C.expire_due(store, doctor, TODAY)  # 李四's 2025 contract has ended
    page = _page(qtbot, signing)
    assert _buttons(page) == {"renew": False, "terminate": False, "transfer": False, "print": False}
    assert page.renew_button.toolTip() == "请先在列表中选择一条签约。"
    rows = {_cells(page.contracts, r)[0]: r for r in range(page.contract_model.rowCount())}
    _click_row(qtbot, page.contracts, rows["张三"])
    assert _buttons(page) == {"renew": False, "terminate": False, "transfer": False, "print": True}
    assert page.renew_button.toolTip() == "该签约已解约，不能续约。"
    assert page.terminate_button.toolTip() == "该签约已解约，不能解约。"
    assert page.transfer_button.toolTip() == "该签约已解约，不能转团队。"
    status = page.contract_model.index(rows["张三"], 4)
    assert page.contract_model.data(status, Qt.ItemDataRole.ToolTipRole) == "已解约（居民主动要求）"
    text_width = page.contracts.fontMetrics().horizontalAdvance("已解约（居民主动要求）")
    assert page.contracts.columnWidth(4) > text_width, "the whole status fits in its column"
    _click_row(qtbot, page.contracts, rows["王五"])
    assert _buttons(page) == {"renew": True, "terminate": True, "transfer": True, "print": True}
    page.year.setFocus()
    qtbot.keyClick(page.year, Qt.Key.Key_Down)  # 2025: 李四's expired contract
    qtbot.waitUntil(lambda: page.year.value() == 2025 and page.contract_model.rowCount() == 1)
    _click_row(qtbot, page.contracts, 0)
    assert _cells(page.contracts, 0)[4] == "已到期"
    assert _buttons(page) == {"renew": True, "terminate": False, "transfer": False, "print": True}
    assert page.terminate_button.toolTip() == "该签约已到期，不能解约。"


def test_the_notice_of_an_action_goes_when_the_year_or_the_search_changes(
    qtbot: Any, signing: UiClinic
) -> None:
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
    C.sign(
        store,
        signing.doctor,
        [resident(store, "王五")],
        "一队",
        2026,
        ["BASIC"],
        witness="王护士",
        today=TODAY,
    )
    page = _page(qtbot, signing)
    _click_row(qtbot, page.contracts, 0)
    qtbot.mouseClick(page.renew_button, Qt.MouseButton.LeftButton)
    ask = _open(RenewDialog, qtbot)
    ask.consent.witness.setText("王护士")
    qtbot.mouseClick(ask.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.year.value() == 2027 and page.notice.text() != "", timeout=10_000)
    page.year.setFocus()
    qtbot.keyClick(page.year, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: page.year.value() == 2026)
    assert page.notice.text() == "", "the 2027 renewal's notice is not left under the 2026 list"
    _click_row(qtbot, page.contracts, 1)
    qtbot.mouseClick(page.renew_button, Qt.MouseButton.LeftButton)
    ask = _open(RenewDialog, qtbot)
    ask.consent.witness.setText("王护士")
    qtbot.mouseClick(ask.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.year.value() == 2027 and page.notice.text() != "", timeout=10_000)
    qtbot.keyClicks(page.finder, "zhang")
    qtbot.waitUntil(lambda: page.contract_model.rowCount() == 1)
    assert page.notice.text() == "", "a new search clears it too"


def test_the_household_dialog_shows_members_signed_for_the_year_unticked(
    qtbot: Any, signing: UiClinic
) -> None:
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
    d = dialog(qtbot, signing, "李四", household=True)
    boxes = {box.text().split("（")[0]: box for _rid, box in d.members}
    assert boxes["张三"].text().endswith("已签约（一队）")
    assert not boxes["张三"].isChecked() and not boxes["张三"].isEnabled()
    assert boxes["李四"].isChecked() and boxes["李四"].isEnabled()
    d.period.setFocus()
    qtbot.keyClick(d.period, Qt.Key.Key_Up)  # 2027: nobody is signed for it
    assert boxes["张三"].isChecked() and boxes["张三"].isEnabled() and "已签约" not in boxes["张三"].text()


def test_the_sign_dialog_offers_the_users_own_team_not_the_newest(qtbot: Any, signing: UiClinic) -> None:
    from clinic_app import users

    store = signing.store
    admin = authenticate(store, "admin", "admin-pass-1")
    C.add_team(store, admin, "A队", "admin")  # newer, and first by name
    assert [t["name"] for t in C.teams(store.conn, store.clinic_id)] == ["A队", "一队"]
    d = dialog(qtbot, signing, "张三")
    assert d.team.currentText() == "一队", "the doctor leads 一队"
    nurse = users.add_user(store, admin, "nurse", "nurse", "nurse-pass-12", display_name="王护士")
    d2 = SignDialog(store, store.reader(), Writer(), nurse, resident(store, "张三"), today=TODAY)
    qtbot.addWidget(d2)
    assert d2.team.currentText() == "一队", "in no team: the clinic's first team, not the one added last"


def test_the_budget_line_shows_the_weighted_heads_it_is_made_of(qtbot: Any, signing: UiClinic) -> None:
    store = signing.store
    for name in ("张三", "李四"):
        C.sign(
            store,
            signing.doctor,
            [resident(store, name)],
            "一队",
            2026,
            ["BASIC"],
            witness="王护士",
            today=TODAY,
        )
        C.set_insurance(store, signing.doctor, resident(store, name), 2026)
    page = _page(qtbot, signing)
    _click_tab(qtbot, page.tabs, 2)
    qtbot.waitUntil(lambda: page.book is not None)  # read on a worker
    assert page.figures["budget"].text() == "年度预算：180.00 元（加权人数 2 × 每人 90.00 元）"


def _anchored(qtbot: Any, button: Any, act: Any) -> None:
    before = button.mapToGlobal(button.rect().topLeft())
    act()
    qtbot.wait(20)
    assert button.mapToGlobal(button.rect().topLeft()) == before, "the button moved under the mouse"


def test_dialog_buttons_stay_put_when_a_problem_shows_or_goes(qtbot: Any, signing: UiClinic) -> None:
    from ui.contract_dialogs import ChangeTeamDialog, TerminateDialog
    from ui.teams_dialog import TeamsDialog

    store = signing.store
    admin = authenticate(store, "admin", "admin-pass-1")
    C.add_team(store, admin, "二队", "admin")
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
    contract = C.list_contracts(store.conn, store.clinic_id)[0]["id"]
    writer = Writer()
    stop = TerminateDialog(store, store.reader(), writer, signing.doctor, contract, TODAY)
    qtbot.addWidget(stop)
    stop.show()
    qtbot.waitExposed(stop)
    _anchored(qtbot, stop.ok_button, lambda: qtbot.mouseClick(stop.ok_button, Qt.MouseButton.LeftButton))
    assert stop.error.isVisible() and stop.error.text() == "请选择原因。"
    stop.reason.setFocus()
    _anchored(qtbot, stop.ok_button, lambda: qtbot.keyClick(stop.reason, Qt.Key.Key_Down))
    assert not stop.error.isVisible()
    change = ChangeTeamDialog(store, store.reader(), writer, signing.doctor, contract)
    qtbot.addWidget(change)
    change.show()
    qtbot.waitExposed(change)
    C.terminate(store, signing.doctor, contract, "moved_away", TODAY)  # meanwhile, on another device

    def refused() -> None:
        qtbot.mouseClick(change.ok_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(change.error.isVisible, timeout=10_000)

    _anchored(qtbot, change.ok_button, refused)
    teams = TeamsDialog(store, store.reader(), writer, admin)
    qtbot.addWidget(teams)
    teams.show()
    qtbot.waitExposed(teams)

    def duplicate() -> None:
        qtbot.keyClicks(teams.name, "yidui")
        teams.name.setText("一队")
        qtbot.mouseClick(teams.add_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(teams.error.isVisible, timeout=10_000)

    _anchored(qtbot, teams.add_button, duplicate)


def test_a_year_typed_in_full_width_digits_is_the_year(qtbot: Any, signing: UiClinic) -> None:
    """As a Chinese input method types it (２０２５); Qt's own spin box dropped it without a word."""
    from PySide6.QtGui import QInputMethodEvent

    page = _page(qtbot, signing)
    page.year.setFocus()
    page.year.lineEdit().selectAll()
    event = QInputMethodEvent("", [])
    event.setCommitString("２０２５")
    QApplication.sendEvent(page.year.lineEdit(), event)
    qtbot.waitUntil(lambda: page.year.value() == 2025, timeout=5000)
    assert page.year.text() == "2025"
