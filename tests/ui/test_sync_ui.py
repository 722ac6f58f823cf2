"""The desktop side of sync with real Qt widgets and a real county server on loopback: the status bar, a sync
that runs while the window keeps working, cancel, history, conflicts resolved through the dialog, refused
changes corrected and sent again, enrollment, and the first-run dialog."""

from __future__ import annotations

import itertools
import random
import time
from pathlib import Path
from typing import Any

import pytest

from clinic_app import conflicts
from clinic_app import residents as R
from clinic_app.store import Store
from clinic_app.syncstate import rejected_changes
from clinic_app.syncstate import sync_history as history
from clinic_app.users import authenticate
from sync.client import Client
from tests.ui.sync_scenario import PASSWORD, Scenario, _edit, _sync, refuse_a_change, scenario
from ui.mainwindow import MainWindow
from ui.ops import Writer
from ui.syncer import JITTER, SyncController

pytestmark = pytest.mark.timeout(120)


class SlowClient(Client):
    """A real client whose every request takes a while longer (a village's slow link)."""

    delay = 0.5

    def _call(self, *args: Any, **kwargs: Any) -> Any:
        time.sleep(self.delay)
        return super()._call(*args, **kwargs)


def window(qtbot: Any, store: Store, factory: Any = None) -> MainWindow:
    writer = Writer()
    controller = SyncController(store, client_factory=factory)
    win = MainWindow(store, authenticate(store, "admin", PASSWORD), writer, sync=controller)
    qtbot.addWidget(win)
    win.show()
    return win


def finish(qtbot: Any, win: MainWindow) -> None:
    qtbot.waitUntil(lambda: not win.sync.running, timeout=60_000)


def open_sync_page(qtbot: Any, win: MainWindow) -> Any:
    """Click 同步 in the navigation, as a person does."""
    from ui.qt import Qt

    rect = win.nav.visualItemRect(win.nav.item(5))
    qtbot.mouseClick(win.nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: win.sync_page.isVisible(), timeout=5_000)
    return win.sync_page


def cell(view: Any, row: int, column: int) -> str:
    return str(view.model().index(row, column).data() or "")


def rows(view: Any) -> int:
    return int(view.model().rowCount())


def click(qtbot: Any, widget: Any) -> None:
    from ui.qt import Qt

    assert widget.isVisible() and widget.isEnabled(), f"{widget!r} cannot be clicked"
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def click_row(qtbot: Any, view: Any, row: int) -> None:
    from ui.qt import Qt

    rect = view.visualRect(view.model().index(row, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def click_tab(qtbot: Any, tabs: Any, index: int) -> None:
    from ui.qt import Qt

    bar = tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    qtbot.waitUntil(lambda: tabs.currentIndex() == index, timeout=5_000)


def dialog_of(qtbot: Any, kind: type) -> Any:
    from ui.qt import QApplication

    found: list[Any] = []

    def visible() -> bool:
        found[:] = [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
        return bool(found)

    qtbot.waitUntil(visible, timeout=10_000)
    return found[-1]


@pytest.fixture
def county(tmp_path: Path) -> Any:
    with scenario(tmp_path) as s:
        yield s


def test_status_bar_and_page_follow_a_sync_and_new_rows_show(qtbot: Any, county: Scenario) -> None:
    pc = county.open(county.pc)
    admin = authenticate(pc, "admin", PASSWORD)
    vid = pc.conn.execute("SELECT id FROM village").fetchone()[0]
    R.add_resident(pc, admin, R.ResidentInput(name="赵六", id_number="110105194912310046", village_id=vid))
    _sync(pc)
    pc.close()
    store = county.open(county.laptop)
    win = window(qtbot, store)
    assert "在线" in win.online.text()
    qtbot.waitUntil(lambda: "冲突：1" in win.conflicts.text())  # the counts are read off the GUI thread
    before = win.residents.model.rowCount()
    with qtbot.waitSignal(win.sync.finished, timeout=60_000) as signal:
        assert win.sync.sync_now("manual")
        assert "正在同步" in win.online.text()
    assert signal.args[0] == "conflicts" and signal.args[1].pulled >= 2
    assert "在线" in win.online.text()
    qtbot.waitUntil(
        lambda: win.residents.model.rowCount() == before + 1, timeout=5_000
    )  # the pulled resident
    page = open_sync_page(qtbot, win)  # the page reads its lists when it is shown
    assert cell(page.history, 0, 1) == "手动"
    assert cell(page.history, 0, 7) == "已核对：本机数据与服务器一致。"
    win.close()
    store.close()


def test_the_window_keeps_working_while_a_slow_sync_runs_and_cancel_stops_it(
    qtbot: Any, county: Scenario
) -> None:
    store = county.open(county.laptop)
    for i in range(3):  # changes to send, so that the run has several requests
        _edit(store, "李四", note=f"第{i}次")
    win = window(qtbot, store, SlowClient)
    # the test's own sign-in hashes a password on this thread: done before the ticks are counted, so that a gap
    # is the window's, not the test's
    vid = store.conn.execute("SELECT id FROM village").fetchone()[0]
    doctor = authenticate(store, "admin", PASSWORD)
    ticks = []
    from ui.qt import QTimer

    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(20)
    saved: list[str] = []
    assert win.sync.sync_now("manual")
    qtbot.waitUntil(lambda: win.sync.step != "", timeout=10_000)
    # a write of the window goes through while the sync thread is inside its run
    win.writer.run(
        lambda: R.add_resident(
            store, doctor, R.ResidentInput(name="孙七", id_number="110105194912310011", village_id=vid)
        ),
        saved.append,
    )
    qtbot.waitUntil(lambda: bool(saved), timeout=10_000)
    assert win.sync.running, "the write finished while the sync still ran"
    qtbot.wait(700)  # the window goes on for a while beside the sync
    assert win.sync.running
    win.sync.cancel()
    finish(qtbot, win)
    timer.stop()
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert len(ticks) > 10 and max(gaps) < 0.5, (
        "the event loop kept running (no freeze longer than half a second)"
    )
    assert history(store.conn, 1)[0]["outcome"] == "cancelled"
    page = open_sync_page(qtbot, win)
    assert cell(page.history, 0, 2) == "已取消"
    assert cell(page.history, 0, 7) == "已手动停止；已上传和已接收的内容都保留。"
    win.close()
    store.close()


def test_a_conflict_resolved_in_the_dialog_reaches_the_other_device(qtbot: Any, county: Scenario) -> None:
    store = county.open(county.laptop)
    win = window(qtbot, store)
    page = open_sync_page(qtbot, win)
    click_tab(qtbot, page.tabs, 1)
    assert rows(page.conflicts) == 1 and "张三" in cell(page.conflicts, 0, 1)
    assert cell(page.conflicts, 0, 3) == "备注、电话" and page.tabs.tabText(1) == "冲突（1）"
    click_row(qtbot, page.conflicts, 0)
    click(qtbot, page.resolve_button)
    from ui.conflict_dialog import ConflictDialog

    dialog = dialog_of(qtbot, ConflictDialog)
    labels = {name: (mine.text(), server.text()) for name, (mine, server) in dialog.groups.items()}
    assert labels == {"phone": ("13900000002", "13800000001"), "note": ("随访时登记", "电话已改")}
    click(qtbot, dialog.groups["phone"][0])  # the phone from this device, the note from the server
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        click(qtbot, dialog.save)
    assert rows(page.conflicts) == 0
    qtbot.waitUntil(lambda: "冲突：0" in win.conflicts.text())  # the counts are read off the GUI thread
    assert page.tabs.tabText(1) == "冲突（0）"
    with qtbot.waitSignal(win.sync.finished, timeout=60_000) as signal:
        click(qtbot, page.sync_button)
    assert signal.args[0] == "ok"
    win.close()
    store.close()
    pc = county.open(county.pc)
    _sync(pc)
    row = pc.conn.execute("SELECT phone, note FROM resident WHERE name = '张三'").fetchone()
    assert (row["phone"], row["note"]) == ("13900000002", "电话已改")
    assert conflicts.list_conflicts(pc.conn) == []
    pc.close()


def test_a_refused_change_is_corrected_and_sent_again(
    qtbot: Any, county: Scenario, qtmodeltester: Any
) -> None:
    store = county.open(county.laptop)
    refuse_a_change(store)
    _sync(store)
    win = window(qtbot, store)
    page = open_sync_page(qtbot, win)
    click_tab(qtbot, page.tabs, 2)
    assert rows(page.rejected) == 1 and page.tabs.tabText(2) == "被退回的修改（1）"
    assert cell(page.rejected, 0, 2).startswith("身份证号：校验码不符")
    for model in (page.history_model, page.conflict_model, page.refused_model):
        qtmodeltester.check(model)  # each list a well-behaved Qt model, on real rows
    assert not page.correct_button.isEnabled(), "sending again changes a record: only the one picked"
    click_row(qtbot, page.rejected, 0)
    click(qtbot, page.correct_button)
    from ui.qt import QDialogButtonBox
    from ui.resident_dialog import ResidentDialog

    dialog = dialog_of(qtbot, ResidentDialog)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Save))
    qtbot.waitUntil(lambda: rows(page.rejected) == 0, timeout=10_000)
    assert page.tabs.tabText(2) == "被退回的修改（0）"
    waiting = store.conn.execute(
        "SELECT table_name FROM outbox WHERE rejected_code IS NULL ORDER BY seq"
    ).fetchall()
    assert [w[0] for w in waiting] == ["audit_log", "resident"], "the edit's audit entry, the row sent again"
    with qtbot.waitSignal(win.sync.finished, timeout=60_000):
        click(qtbot, page.sync_button)
    assert (
        rejected_changes(store.conn) == []
        and store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
    )
    win.close()
    store.close()
    pc = county.open(county.pc)
    _sync(pc)
    assert pc.conn.execute("SELECT note FROM resident WHERE name = '李四'").fetchone()[0] == "旧版本写入"
    pc.close()


def test_an_unenrolled_clinic_enrolls_from_the_sync_page(
    qtbot: Any, county: Scenario, ui_clinic: Any
) -> None:
    from ui.enroll_dialog import EnrollDialog

    store = ui_clinic.store
    win = MainWindow(store, authenticate(store, "admin", "admin-pass-1"), Writer())
    qtbot.addWidget(win)
    win.show()
    page = open_sync_page(qtbot, win)
    assert page.enroll_button.isVisible() and not page.sync_button.isEnabled()
    assert "尚未登记" in page.server.text() and rows(page.history) == 0
    click(qtbot, page.enroll_button)
    dialog = dialog_of(qtbot, EnrollDialog)
    click(qtbot, dialog.ok)
    assert dialog.error.text() == "请输入县级平台的地址。"
    qtbot.keyClicks(dialog.form.server, "county.example.cn")
    click(qtbot, dialog.ok)
    assert dialog.error.text() == "地址应以 https:// 开头"
    dialog.form.server.clear()
    qtbot.keyClicks(dialog.form.server, county.url)
    qtbot.keyClicks(dialog.form.code, "WRONG-CODE-0000")
    click(qtbot, dialog.ok)
    qtbot.waitUntil(lambda: dialog.error.isVisible() and dialog.ok.isEnabled(), timeout=20_000)
    assert "登记码" in dialog.error.text()
    dialog.form.code.clear()
    qtbot.keyClicks(dialog.form.code, county.enroll_code())  # clinic A01 has records from its devices already
    click(qtbot, dialog.ok)
    qtbot.waitUntil(lambda: "已有数据" in dialog.error.text(), timeout=20_000)
    assert store.conn.execute("SELECT value FROM sync_state WHERE key = 'server_url'").fetchone() is None
    with county.engine.begin() as conn:  # type: ignore[attr-defined]
        from sync.server import admin

        admin.add_clinic(conn, "B01", "河东村卫生室")
        code = admin.make_enroll_code(conn, "B01")
    dialog.form.code.clear()
    qtbot.keyClicks(dialog.form.code, code)
    with qtbot.waitSignal(win.sync.finished, timeout=60_000) as signal:
        click(qtbot, dialog.ok)
    assert signal.args[0] == "ok" and signal.args[1].pushed > 0
    with county.engine.begin() as conn:  # type: ignore[attr-defined]
        county_id = admin.clinic_by_code(conn, "B01").id
    assert store.clinic_id == county_id and win.residents.model.rowCount() >= 3
    assert "河东村卫生室" in win.windowTitle() and not page.enroll_button.isVisible()
    # the sync thread's own store wrote the run: the page, shown all along, lists it
    qtbot.waitUntil(lambda: rows(page.history) == 1, timeout=5_000)
    assert cell(page.history, 0, 1) == "登记" and "B01" in page.server.text()
    win.close()


def test_an_install_missing_a_part_says_so_in_chinese_when_enrolling(
    qtbot: Any, ui_clinic: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An install without pydantic answered "No module named 'pydantic'" in English (issue 9, point 2)."""
    import ui.enroll_dialog as enroll

    def missing(*_a: Any, **_k: Any) -> Any:
        raise ModuleNotFoundError("No module named 'pydantic'", name="pydantic")

    monkeypatch.setattr(enroll, "enroll_open_store", missing)
    store = ui_clinic.store
    win = MainWindow(store, authenticate(store, "admin", "admin-pass-1"), Writer())
    qtbot.addWidget(win)
    win.show()
    page = open_sync_page(qtbot, win)
    click(qtbot, page.enroll_button)
    dialog = dialog_of(qtbot, enroll.EnrollDialog)
    qtbot.keyClicks(dialog.form.server, "https://county.example.cn")
    qtbot.keyClicks(dialog.form.code, "ABCD-EFGH-JKLM-NPQR")
    click(qtbot, dialog.ok)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10_000)
    assert dialog.error.text() == "村医助手安装不完整：缺少组件“pydantic”。请按 README 重新安装。"
    assert dialog.ok.isEnabled() and dialog.isVisible()
    win.close()


def test_enrollment_errors_are_chosen_by_code_not_by_their_english_text() -> None:
    from clinic_app.errors import ValidationError
    from sync.client import Refused
    from ui.enroll_dialog import failure_text

    # the client's own check of the address speaks English; the dialog shows its rule in Chinese
    assert failure_text(ValidationError("server", "format", "the server address starts with https://")) == (
        "地址应以 https:// 开头"
    )
    assert failure_text(Refused("device_name: not printable", "invalid_request")) == (
        "县级平台不接受本机名称：请使用字母和数字。"
    )
    assert (
        failure_text(Refused("something new", "new_rule"))
        == "县级平台拒绝了登记（原因 new_rule）。请联系县里。"
    )


def test_first_start_joins_the_clinic_and_its_users_sign_in_with_their_passwords(
    qtbot: Any, county: Scenario, tmp_path: Path
) -> None:
    from ui.enroll_dialog import FirstRunDialog

    db = tmp_path / "third.db"
    dialog = FirstRunDialog(db, str(tmp_path / "third.key"))
    qtbot.addWidget(dialog)
    dialog.join_button.click()
    assert dialog.pages.currentIndex() == 1
    dialog.join_ok.click()
    assert "县级平台的地址" in dialog.error.text() and not db.exists()
    dialog.join_form.server.setText(county.url)
    dialog.join_form.code.setText(county.enroll_code())
    with qtbot.waitSignal(dialog.accepted, timeout=60_000):
        dialog.join_ok.click()
    store = dialog.store
    assert store is not None and authenticate(store, "admin", PASSWORD).display_name == "王院长"
    assert {r["name"] for r in R.search_residents(store.conn, store.clinic_id, "").rows} >= {"张三", "李四"}
    store.close()


def test_first_start_can_make_a_new_clinic(qtbot: Any, tmp_path: Path) -> None:
    from ui.enroll_dialog import FirstRunDialog

    dialog = FirstRunDialog(tmp_path / "new.db", str(tmp_path / "new.key"))
    qtbot.addWidget(dialog)
    dialog.new_button.click()
    dialog.clinic_code.setText("C009")
    dialog.clinic_name.setText("西山村卫生室")
    dialog.admin_password.setText("long-enough-1")
    dialog.admin_again.setText("long-enough-2")
    dialog.new_ok.click()
    assert dialog.error.text() == "两次输入的密码不一致。" and not (tmp_path / "new.db").exists()
    dialog.admin_again.setText("long-enough-1")
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.new_ok.click()
    assert dialog.store is not None and authenticate(dialog.store, "admin", "long-enough-1").is_admin
    dialog.store.close()


def test_schedule_runs_every_interval_with_jitter_and_backs_off_when_offline(
    qtbot: Any, county: Scenario
) -> None:
    store = county.open(county.laptop)
    controller = SyncController(store, rng=random.Random(7))
    intervals = [controller.interval_ms() for _ in range(200)]
    assert min(intervals) >= 15 * 60_000 * (1 - JITTER) and max(intervals) <= 15 * 60_000 * (1 + JITTER)
    assert len(set(intervals)) > 150, "devices do not all call at the same minute"
    with qtbot.waitSignal(controller.finished, timeout=60_000) as signal:
        controller.sync_now("timer")
    assert signal.args[0] == "conflicts" and controller.timer.isActive()
    assert controller.timer.remainingTime() > 11 * 60_000
    from clinic_app.syncstate import set_state
    from tests.server.live import free_port

    set_state(store.conn, "server_url", f"http://127.0.0.1:{free_port()}")
    with qtbot.waitSignal(controller.finished, timeout=60_000) as signal:
        controller.sync_now("timer")
    assert signal.args[0] == "offline" and controller.state == "offline"
    assert 0 < controller.timer.remainingTime() <= 5_000, "the first retry comes after 2.5-5 s"
    controller.stop()
    store.close()


def test_a_decision_of_the_county_shows_on_the_conflict_list(qtbot: Any, county: Scenario) -> None:
    from sync.server import county as county_service

    with county.engine.begin() as conn:  # type: ignore[attr-defined]
        [waiting] = county_service.list_conflicts(conn)
        county_service.resolve_conflict(conn, waiting["id"], "device", "王审核", "电话已核实")
    store = county.open(county.laptop)
    win = window(qtbot, store)
    with qtbot.waitSignal(win.sync.finished, timeout=60_000) as signal:
        win.sync.sync_now("manual")
    assert signal.args[0] == "ok"
    page = open_sync_page(qtbot, win)
    click_tab(qtbot, page.tabs, 1)
    assert rows(page.conflicts) == 0 and page.tabs.tabText(1) == "冲突（0）"
    click(qtbot, page.show_decided)
    assert rows(page.conflicts) == 1
    assert cell(page.conflicts, 0, 4) == "县级审核（王审核）：保留设备上的版本 — 电话已核实"
    click_row(qtbot, page.conflicts, 0)
    assert not page.resolve_button.isEnabled(), "a decided conflict is not decided again"
    win.close()
    store.close()


def test_the_lists_read_again_only_when_their_tables_change_and_only_when_shown(
    qtbot: Any, county: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui.sync_page as sync_page

    reads: list[str] = []
    for name in ("sync_run_page", "refused_page"):
        real = getattr(sync_page, name)
        monkeypatch.setattr(
            sync_page, name, lambda *a, _real=real, _name=name: reads.append(_name) or _real(*a)
        )
    real_conflicts = sync_page.conflicts.conflict_page
    monkeypatch.setattr(
        sync_page.conflicts,
        "conflict_page",
        lambda *a, **k: reads.append("conflict_page") or real_conflicts(*a, **k),
    )
    store = county.open(county.laptop)
    win = window(qtbot, store)
    assert reads == [], "start-up reads nothing of a page not shown"
    page = open_sync_page(qtbot, win)
    assert sorted(reads) == ["conflict_page", "refused_page", "sync_run_page"]
    assert rows(page.history) == 2 and rows(page.conflicts) == 1

    reads.clear()  # a resident saved on this device: none of the page's tables
    admin = authenticate(store, "admin", PASSWORD)
    vid = store.conn.execute("SELECT id FROM village").fetchone()[0]
    saved: list[str] = []
    win.writer.run(
        lambda: R.add_resident(
            store, admin, R.ResidentInput(name="孙七", id_number="110105194912310011", village_id=vid)
        ),
        saved.append,
    )
    qtbot.waitUntil(lambda: bool(saved), timeout=10_000)
    assert reads == []

    with qtbot.waitSignal(
        win.sync.finished, timeout=60_000
    ):  # the sync thread writes sync_run and the outbox
        click(qtbot, page.sync_button)
    qtbot.waitUntil(lambda: rows(page.history) == 3, timeout=5_000)
    assert "sync_run_page" in reads and "refused_page" in reads

    reads.clear()  # hidden: a change only marks the list stale; it is read when the page is shown again
    rect = win.nav.visualItemRect(win.nav.item(0))
    from ui.qt import Qt

    qtbot.mouseClick(win.nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: not page.isVisible(), timeout=5_000)
    with qtbot.waitSignal(win.sync.finished, timeout=60_000):
        win.sync.sync_now("timer")  # the schedule, while the person is on another page
    win.writer.flush()  # what the sync thread wrote, delivered now rather than after the coalescing timer
    assert reads == []
    page = open_sync_page(qtbot, win)
    assert "sync_run_page" in reads and rows(page.history) == 4
    win.close()
    store.close()


def test_a_box_sold_at_two_clinics_is_shown_as_the_countys_to_decide(qtbot: Any, county: Scenario) -> None:
    """A trace-code conflict (issue 13 point 3) on the 同步 page: its words, and a dialog without choices."""
    import json

    CODE = "81000010000000000001"

    store = county.open(county.laptop)
    now = "2026-11-23T08:00:00.000Z"
    message = f"trace code {CODE} was sold at 河村卫生室 (B01) already: one box, one sale"
    pulled = {
        "clinic_id": store.clinic_id,
        **dict.fromkeys(("created_at", "updated_at"), now),
        **dict.fromkeys(("created_by", "updated_by", "deleted_at"), None),
        "row_version": 1,
    }
    box = {
        "id": "d-1",
        **pulled,
        "dispensing_id": "x",
        "prescription_item_id": None,
        "code": CODE,
        "verified": 1,
    }
    box.update(
        unverified_reason=None, split_pack=0, units="28", package_size=28
    )  # its installment not needed
    conflict = {
        "id": "c-trace",
        **pulled,
        "table_name": "dispensing_code",
        "row_id": "d-1",
        "message": message,
    }
    conflict.update(kind="trace_code_elsewhere", local_row=None, resolved_at=None, resolution=None)
    conflict["server_row"] = json.dumps({"id": "d-1", "code": CODE})
    store.write_server_rows(
        {"dispensing_code": [box], "conflict": [conflict]},
        "sync.pull",
    )
    win = window(qtbot, store)
    page = open_sync_page(qtbot, win)
    click_tab(qtbot, page.tabs, 1)
    found = [i for i in range(rows(page.conflicts)) if "同一盒药在两家机构售出" in cell(page.conflicts, i, 2)]
    assert len(found) == 1, [cell(page.conflicts, i, 2) for i in range(rows(page.conflicts))]
    assert cell(page.conflicts, found[0], 1) == f"追溯码 {CODE}", "a box is known by its code"
    click_row(qtbot, page.conflicts, found[0])
    click(qtbot, page.resolve_button)
    from ui.conflict_dialog import ConflictDialog

    dialog = dialog_of(qtbot, ConflictDialog)
    texts = " ".join(label.text() for label in dialog.findChildren(type(dialog.error)))
    assert "这盒药的追溯码在另一家机构也已售出" in texts
    assert f"追溯码 {CODE}：本卫生室的这次售出不在本机上" in texts  # its installment is not on this device
    assert message not in texts and "sold at" not in texts, "never the server's English (trial F5)"
    assert not dialog.save.isVisible(), "the county decides: no choice here"
    dialog.reject()
    win.close()
    store.close()


def cap_overrun_on(store: Store) -> None:
    """A visit of another clinic over the patient's county-wide cap, as the county sends its conflict row: the
    shares as that clinic settled them (local_row) and the visit as the county settles it (server_row)."""
    import json

    now = "2026-11-23T08:00:00.000Z"
    conflict = {
        "id": "c-cap",
        "clinic_id": store.clinic_id,
        **dict.fromkeys(("created_at", "updated_at"), now),
        **dict.fromkeys(("created_by", "updated_by", "deleted_at", "resolved_at", "resolution"), None),
        "row_version": 1,
        "table_name": "visit",
        "row_id": "0190f000-0000-7000-8000-00000000ab12",
        "kind": "cap_overrun",
        "message": "the fund's share passes the county-wide annual cap by 3000 fen: ...",
        "local_row": json.dumps({"fund_fen": 4000, "patient_fen": 4000}),
        "server_row": json.dumps({"fund_fen": 1000, "patient_fen": 7000, "capped": 1, "provisional": 1}),
    }
    store.write_server_rows({"conflict": [conflict]}, "sync.pull")


def test_a_visit_over_the_county_wide_cap_is_shown_as_the_countys_to_decide(
    qtbot: Any, county: Scenario
) -> None:
    """A cap overrun (issue 14 point 2) on the 同步 page: its kind in Chinese, the dialog says the amounts from the
    rows (never from the English message) and offers no choice: a county reviewer decides."""
    store = county.open(county.laptop)
    cap_overrun_on(store)
    win = window(qtbot, store)
    page = open_sync_page(qtbot, win)
    click_tab(qtbot, page.tabs, 1)
    found = [i for i in range(rows(page.conflicts)) if "超出全县年度限额" in cell(page.conflicts, i, 2)]
    assert len(found) == 1, [cell(page.conflicts, i, 2) for i in range(rows(page.conflicts))]
    click_row(qtbot, page.conflicts, found[0])
    click(qtbot, page.resolve_button)
    from ui.conflict_dialog import ConflictDialog

    dialog = dialog_of(qtbot, ConflictDialog)
    texts = " ".join(label.text() for label in dialog.findChildren(type(dialog.error)))
    assert "本次门诊基金支付 10.00 元，而非本机构结算的 40.00 元，少 30.00 元" in texts, texts
    assert "by 3000 fen" not in texts
    assert not dialog.save.isVisible(), "the county decides: no choice here"
    dialog.reject()
    win.close()
    store.close()
