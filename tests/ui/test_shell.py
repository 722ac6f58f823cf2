from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from clinic_app.demo import create_demo_database
from clinic_app.settings import set_setting
from ui.mainwindow import MainWindow, NotBuiltPage
from ui.ops import Writer
from ui.qt import QApplication, QLockFile, Qt, QTimer
from ui.resident_dialog import ResidentDialog
from ui.residents_page import ResidentTableModel
from ui.signin import SignInDialog

from .conftest import PASSWORD, UiClinic

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def window(qtbot, ui_clinic: UiClinic):  # type: ignore[no-untyped-def]
    writer = Writer()
    win = MainWindow(ui_clinic.store, ui_clinic.doctor, writer)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()
    writer.shutdown()


def _names(model: ResidentTableModel) -> list[str]:
    return [model.resident_at(r)["name"] for r in range(model.rowCount())]


# -- sign-in -----------------------------------------------------------------------------------------
def test_sign_in_with_the_right_password(qtbot, ui_clinic: UiClinic) -> None:
    dialog = SignInDialog(ui_clinic.store, "石头村卫生室")
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.username, "doctor")
    qtbot.keyClicks(dialog.password, PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        dialog.sign_in.click()
    assert dialog.user is not None and dialog.user.username == "doctor"


def test_wrong_password_says_so_and_five_lock_the_account(qtbot, ui_clinic: UiClinic) -> None:
    dialog = SignInDialog(ui_clinic.store, "石头村卫生室")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.username, "doctor")
    for attempt in range(5):
        qtbot.keyClicks(dialog.password, "wrong-one")
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: dialog.sign_in.isEnabled() and dialog.password.text() == "")
        assert dialog.error.text() == "用户名或密码错误。" and dialog.user is None, attempt
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.mouseClick(dialog.sign_in, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "锁定" in dialog.error.text())
    assert dialog.user is None


def test_the_password_is_checked_off_the_gui_thread(qtbot, ui_clinic: UiClinic) -> None:
    """scrypt takes 0.1-0.3 s by design: the window keeps painting meanwhile."""
    dialog = SignInDialog(ui_clinic.store, "石头村卫生室")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.username, "doctor")
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert not dialog.sign_in.isEnabled() and dialog.user is None, "the check runs; Enter again does nothing"
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        pass
    assert dialog.user is not None and dialog.user.username == "doctor"


def test_language_switch_retranslates_the_sign_in_window(qtbot, ui_clinic: UiClinic) -> None:
    dialog = SignInDialog(ui_clinic.store, "石头村卫生室")
    qtbot.addWidget(dialog)
    assert dialog.sign_in.text() == "登录"
    dialog.language.setCurrentIndex(dialog.language.findData("en"))
    qtbot.waitUntil(lambda: dialog.sign_in.text() == "Sign in")
    assert dialog.user_label.text() == "User name"
    dialog.language.setCurrentIndex(dialog.language.findData("zh_CN"))
    qtbot.waitUntil(lambda: dialog.sign_in.text() == "登录")


# -- residents page ----------------------------------------------------------------------------------
def test_typing_initials_finds_the_resident(qtbot, window: MainWindow) -> None:
    page = window.residents
    qtbot.keyClicks(page.search, "zs")
    qtbot.waitUntil(lambda: _names(page.model) == ["张三"], timeout=3000)
    assert page.count_label.text() == "找到 1 人"


def test_scanner_typing_an_id_suffix_and_enter_selects_the_resident(qtbot, window: MainWindow) -> None:
    page = window.residents
    qtbot.keyClicks(page.search, "0042")
    qtbot.keyClick(page.search, "\r")
    assert _names(page.model) == ["李四"]
    assert page.table.currentIndex().row() == 0
    qtbot.waitUntil(lambda: "共 2 人" in page.household.summary.text().replace("\u00a0", " "))
    assert page.household.members.count() == 2
    assert "户主" in page.household.members.item(0).text()


def test_table_shows_masked_id_numbers_and_everyone_without_a_query(qtbot, window: MainWindow) -> None:
    qtbot.waitUntil(
        lambda: window.residents.count_label.text() == "已登记居民 3 人"
    )  # counted off the GUI thread
    model = window.residents.model
    assert sorted(_names(model)) == sorted(["张三", "李四", "王五"])
    row = _names(model).index("张三")
    assert model.data(model.index(row, 3)) == "110105********002X"
    assert model.data(model.index(row, 5)) == "石头村"
    assert model.data(model.index(row, 6)) == "H0001"


def test_table_model_passes_the_model_tester_and_pages_lazily(qtmodeltester, tmp_path: Path) -> None:
    from clinic_app.store import Store

    create_demo_database(tmp_path / "d.db", tmp_path / "d.key", residents=450, seed=2)
    store = Store.open(tmp_path / "d.db", tmp_path / "d.key")
    model = ResidentTableModel(store.reader(), store.clinic_id, page_size=200)
    assert model.rowCount() == 200 and model.canFetchMore()
    qtmodeltester.check(model)
    model.fetchMore()
    model.fetchMore()
    assert model.rowCount() == 450 and not model.canFetchMore()
    assert len({model.resident_at(r)["id"] for r in range(450)}) == 450
    model.set_query("z")
    qtmodeltester.check(model)
    store.close()


# -- add / edit ---------------------------------------------------------------------------------------
def _counts(ui_clinic: UiClinic) -> tuple[int, int]:
    conn = ui_clinic.store.conn
    return (
        conn.execute("SELECT count(*) FROM resident").fetchone()[0],
        conn.execute("SELECT count(*) FROM outbox").fetchone()[0],
    )


def test_add_dialog_shows_the_rule_under_the_field_and_writes_nothing(
    qtbot, window: MainWindow, ui_clinic: UiClinic
) -> None:
    before = _counts(ui_clinic)
    dialog = window.open_resident(None)
    dialog.name.setText("赵六")
    qtbot.keyClicks(dialog.id_number, "110105194912310021")  # wrong check character
    dialog.id_number.editingFinished.emit()
    error = dialog.errors["id_number"]
    assert error.isVisible() and "校验码" in error.text()
    assert not dialog.errors["name"].isVisible()
    dialog.save()
    assert dialog.isVisible() and dialog.result() == 0
    assert _counts(ui_clinic) == before


def test_add_dialog_saves_a_good_resident_in_a_new_household(
    qtbot, window: MainWindow, ui_clinic: UiClinic
) -> None:
    dialog = window.open_resident(None)
    dialog.name.setText("赵六")
    qtbot.keyClicks(dialog.id_number, "110105198001010016")
    assert dialog.birth_date.text() == "1980-01-01" and not dialog.birth_date.isEnabled(), (
        "filled from the ID"
    )
    dialog.village.setCurrentIndex(dialog.village.findText("石头村"))
    qtbot.keyClicks(dialog.household, "H0009")
    assert not dialog.check()
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        dialog.save()
    qtbot.waitUntil(lambda: "赵六" in _names(window.residents.model))
    row = ui_clinic.store.conn.execute(
        "SELECT r.sex, h.code FROM resident r JOIN household h ON h.id = r.household_id WHERE r.name = '赵六'"
    ).fetchone()
    assert tuple(row) == ("M", "H0009")
    qtbot.waitUntil(lambda: window.waiting.text().endswith(str(_counts(ui_clinic)[1])))


def test_edit_dialog_loads_and_saves_the_change(qtbot, window: MainWindow, ui_clinic: UiClinic) -> None:
    rid = ui_clinic.store.conn.execute("SELECT id FROM resident WHERE name = '王五'").fetchone()[0]
    dialog = window.open_resident(rid)
    assert dialog.id_number.text() == "110105194912310011" and dialog.name.text() == "王五"
    dialog.phone.setText("13900001111")
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        dialog.save()
    assert (
        ui_clinic.store.conn.execute("SELECT phone FROM resident WHERE id = ?", (rid,)).fetchone()[0]
        == "13900001111"
    )


def test_duplicate_id_number_is_refused_inline(qtbot, window: MainWindow) -> None:
    dialog = window.open_resident(None)
    dialog.name.setText("张三丰")
    dialog.id_number.setText("11010519491231002x")
    dialog.save()
    assert "已登记给 张三" in dialog.errors["id_number"].text()


# -- main window ---------------------------------------------------------------------------------------
def test_pages_not_built_say_so_plainly(window: MainWindow) -> None:
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert titles == ["居民", "签约", "慢病随访", "长处方", "报表", "同步"]
    built = {"签约", "同步", "居民", "慢病随访", "长处方", "报表"}  # every page now
    for i in range(window.pages.count()):
        page = window.pages.widget(i)
        if titles[i] in built:
            assert not isinstance(page, NotBuiltPage), titles[i]
        else:
            assert isinstance(page, NotBuiltPage) and "尚未开发" in page.label.text()


def test_status_bar_shows_sync_state(qtbot, window: MainWindow, ui_clinic: UiClinic) -> None:
    waiting = ui_clinic.store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
    assert "离线" in window.online.text()
    qtbot.waitUntil(lambda: window.last_sync.text() != "")  # the counts are read off the GUI thread
    assert window.last_sync.text() == "上次同步：从未"
    assert window.waiting.text() == f"待上传的修改：{waiting}"
    assert window.conflicts.text() == "待人工处理的冲突：0"


def test_window_locks_after_the_idle_time_and_unlocks_with_the_password(qtbot, ui_clinic: UiClinic) -> None:
    with ui_clinic.store.unit(None, "setting.set") as uow:
        set_setting(uow.conn, "idle_lock_seconds", 5)
    writer = Writer()
    win = MainWindow(ui_clinic.store, ui_clinic.doctor, writer)
    qtbot.addWidget(win)
    win.show()
    assert win.idle.timer.interval() == 5000, "the setting decides"
    win.idle.timer.setInterval(300)  # keep the test short
    win.idle.timer.start()
    qtbot.waitUntil(lambda: win.locked, timeout=3000)
    assert win.body.currentWidget() is win.lock_screen
    unlock = win.unlock_dialog
    qtbot.keyClicks(unlock.password, "wrong-one")
    qtbot.keyClick(unlock.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: unlock.error.isVisible() and unlock.unlock.isEnabled())
    assert win.locked
    qtbot.keyClicks(unlock.password, PASSWORD)
    qtbot.mouseClick(unlock.unlock, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not win.locked)
    assert win.body.currentIndex() == 0
    win.close()
    writer.shutdown()


def test_activity_postpones_the_idle_lock_and_the_watcher_then_stops_listening_for_a_while(qtbot) -> None:
    """The watcher's application-wide filter made every Qt event a call into Python (a form's opening: 50-80 ms
    instead of 12-17); after activity it is taken off, and put back a tenth of the idle time later at most."""
    from ui.mainwindow import IdleWatcher
    from ui.qt import QLineEdit

    field = QLineEdit()
    qtbot.addWidget(field)
    field.show()
    watcher = IdleWatcher(3600)
    watcher.start()
    try:
        assert watcher.listening
        watcher.timer.setInterval(2000)  # deaf for 200 ms after activity
        watcher.timer.start()
        qtbot.wait(600)
        before = watcher.timer.remainingTime()
        qtbot.keyClick(field, Qt.Key.Key_A)
        assert watcher.timer.remainingTime() > before + 300, "the key press started the idle count again"
        assert not watcher.listening, "what the key press makes happen no longer passes through Python"
        qtbot.waitUntil(lambda: watcher.listening, timeout=1500)
        qtbot.keyClick(field, Qt.Key.Key_B)
        assert watcher.timer.remainingTime() > 1700 and not watcher.listening, "heard again once listening"
    finally:
        watcher.stop()
    assert not watcher.listening and not watcher.timer.isActive()


def test_window_keeps_responding_while_the_writer_works(qtbot, window: MainWindow) -> None:
    ticks = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    release = threading.Event()
    done = []
    window.writer.run(lambda: release.wait(5) and "slow write", done.append)
    qtbot.waitUntil(lambda: len(ticks) >= 10, timeout=3000)  # the event loop turns while the write is running
    assert not done
    release.set()
    qtbot.waitUntil(lambda: done == ["slow write"], timeout=3000)
    timer.stop()


def test_dialog_is_a_dialog(window: MainWindow) -> None:
    dialog = window.open_resident(None)
    assert isinstance(dialog, ResidentDialog) and dialog.windowTitle() == "新增居民"
    dialog.reject()


# -- the program as started from the command line ---------------------------------------------------------
def _run_app(
    tmp_path: Path, residents: int, password: str, create: bool = True
) -> subprocess.CompletedProcess[str]:
    if create:
        create_demo_database(tmp_path / "d.db", tmp_path / "d.key", residents=residents, seed=4)
    command = [
        sys.executable,
        "-m",
        "ui.app",
        "--db",
        str(tmp_path / "d.db"),
        "--key-file",
        str(tmp_path / "d.key"),
        "--user",
        "admin",
        "--exit-when-ready",
    ]
    env = {
        "CLINIC_PASSWORD": password,
        "QT_QPA_PLATFORM": "offscreen",
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path),
    }
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60, env=env)


def test_clinic_app_starts_signs_in_and_shows_rows(tmp_path: Path) -> None:
    result = _run_app(tmp_path, 120, "admin1234")
    assert result.returncode == 0, result.stderr
    assert "ready" in result.stdout and "rows=120" in result.stdout


def test_clinic_app_with_a_wrong_password_exits_4(tmp_path: Path) -> None:
    result = _run_app(tmp_path, 5, "nope")
    assert result.returncode == 4 and "wrong user name or password" in result.stderr


def test_clinic_app_unattended_with_a_missing_database_prints_and_exits(tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "ui.app",
        "--db",
        str(tmp_path / "none.db"),
        "--key-file",
        str(tmp_path / "k"),
        "--user",
        "admin",
        "--exit-when-ready",
    ]
    env = {
        "QT_QPA_PLATFORM": "offscreen",
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path),
    }
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode != 0 and "does not exist" in result.stderr, "no dialog waiting for nobody"


def test_clinic_app_with_a_wrong_key_shows_a_message_and_exits_4(qapp, tmp_path: Path, monkeypatch) -> None:
    from ui import app as app_module

    create_demo_database(tmp_path / "d.db", tmp_path / "d.key", residents=5, seed=4)
    (tmp_path / "other.key").write_text("cd" * 32 + "\n")
    shown = []
    monkeypatch.setattr(app_module.QMessageBox, "critical", lambda *a: shown.append(a[2]))
    monkeypatch.setattr(app_module, "install_excepthook", lambda path, interactive=True: None)
    code = app_module.main(["--db", str(tmp_path / "d.db"), "--key-file", str(tmp_path / "other.key")])
    assert code == 4 and "cannot be opened with this key" in shown[0]


def test_every_visible_string_has_a_chinese_translation_and_the_qm_is_current() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "resources" / "i18n" / "update.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout


# -- layout and keyboard at 1366×768 (issue 9, point 9) ------------------------------------------------------
WINDOW_PROBE = """
import json, sys
from clinic_app.demo import DEMO_USERS
from clinic_app.store import Store
from clinic_app.users import authenticate
from ui.i18n import install_language
from ui.mainwindow import MainWindow
from ui.ops import Writer
from ui.qt import QApplication
app = QApplication([])
install_language(app, sys.argv[3])
store = Store.open(sys.argv[1], sys.argv[2])
writer = Writer()
window = MainWindow(store, authenticate(store, "doctor", DEMO_USERS["doctor"]), writer)
window.show()
app.processEvents()
table = window.residents.table
header = table.horizontalHeader()
screen = window.screen().availableGeometry()
frame = window.frameGeometry()
print(json.dumps({
    "screen": [screen.x(), screen.y(), screen.width(), screen.height()],
    "frame": [frame.x(), frame.y(), frame.width(), frame.height()],
    "viewport": table.viewport().width(),
    "hscroll": table.horizontalScrollBar().isVisible(),
    "columns": [{"title": str(table.model().headerData(c, header.orientation())),
                 "left": header.sectionViewportPosition(c), "width": header.sectionSize(c),
                 "needs": max(table.sizeHintForColumn(c), header.sectionSizeHint(c))}
                for c in range(header.count())],
}))
window.close()
writer.shutdown()
store.close()
"""


@pytest.mark.parametrize(
    ("screen", "lang"), [((1366, 768), "zh_CN"), ((1280, 720), "zh_CN"), ((1366, 768), "en")]
)
def test_the_default_window_fits_a_small_laptop_screen_and_shows_every_residents_column(
    tmp_path: Path, screen: tuple[int, int], lang: str
) -> None:
    import json

    create_demo_database(tmp_path / "d.db", tmp_path / "d.key", residents=300, seed=3)
    config = tmp_path / "screen.json"
    config.write_text(
        json.dumps(
            {
                "screens": [
                    {
                        "name": "laptop",
                        "x": 0,
                        "y": 0,
                        "width": screen[0],
                        "height": screen[1],
                        "logicalDpi": 96,
                        "dpr": 1,
                    }
                ]
            }
        )
    )
    env = {
        "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    result = subprocess.run(
        [sys.executable, "-c", WINDOW_PROBE, str(tmp_path / "d.db"), str(tmp_path / "d.key"), lang],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    sx, sy, sw, sh = seen["screen"]
    fx, fy, fw, fh = seen["frame"]
    assert sx <= fx and sy <= fy and fx + fw <= sx + sw and fy + fh <= sy + sh, (
        f"window {seen['frame']} on {screen}"
    )
    assert not seen["hscroll"], "no column hides behind a horizontal scroll bar"
    for column in seen["columns"]:
        assert column["left"] + column["width"] <= seen["viewport"], f"{column['title']} is cut off: {seen}"
        assert column["width"] >= column["needs"], f"{column['title']} is narrower than its text: {column}"
    assert seen["columns"][-1]["title"] == ("家庭户" if lang == "zh_CN" else "Household")


def test_the_window_keeps_clear_of_the_taskbar() -> None:
    from ui.mainwindow import initial_size
    from ui.qt import QSize

    assert (
        initial_size(QSize(1366, 728)).width() <= 1366 and initial_size(QSize(1366, 728)).height() <= 728 - 30
    )
    assert initial_size(QSize(1920, 1040)) == QSize(1280, 800), (
        "a big screen: a comfortable window, not all of it"
    )


def _lines(text: str, font: object, width: int) -> list[str]:
    """The lines a word-wrapping label of ``width`` pixels breaks ``text`` into."""
    from PySide6.QtGui import QTextLayout

    layout = QTextLayout(text, font)  # type: ignore[call-overload]
    layout.beginLayout()
    lines = []
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        lines.append(text[line.textStart() : line.textStart() + line.textLength()])
    layout.endLayout()
    return lines


def test_the_household_summary_never_breaks_inside_the_member_count(qtbot, window: MainWindow) -> None:
    page = window.residents
    qtbot.keyClicks(page.search, "0042")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    label = page.household.summary
    qtbot.waitUntil(lambda: "H0001" in label.text())
    text = label.text()
    for width in range(120, 420, 4):
        lines = [line.replace("\u00a0", " ").strip() for line in _lines(text, label.font(), width)]
        assert any("共 2 人" in line for line in lines), f"at {width} px: {lines}"
        assert any("户号 H0001" in line for line in lines), f"at {width} px: {lines}"


def test_a_cleared_error_leaves_no_gap_in_the_add_dialog(qtbot, window: MainWindow) -> None:
    qtbot.mouseClick(window.residents.add_button, Qt.MouseButton.LeftButton)
    dialog = window.findChild(ResidentDialog)
    qtbot.waitUntil(lambda: dialog is not None and dialog.isVisible())
    assert dialog is not None
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    dialog.id_number.setFocus()
    qtbot.waitUntil(dialog.id_number.hasFocus)

    def gap() -> int:  # from the ID field to the next field
        return dialog.document_number.mapTo(dialog, dialog.document_number.rect().topLeft()).y() - (
            dialog.id_number.mapTo(dialog, dialog.id_number.rect().bottomLeft()).y()
        )

    height, spacing = dialog.height(), gap()
    qtbot.keyClicks(dialog.id_number, "110105194912310021")  # wrong check character
    qtbot.keyClick(dialog.id_number, Qt.Key.Key_Tab)
    error = dialog.errors["id_number"]
    qtbot.waitUntil(lambda: error.isVisible() and "校验码" in error.text())
    qtbot.waitUntil(lambda: dialog.height() > height)
    qtbot.keyClick(dialog.id_number, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(dialog.id_number, "110105198001010016")  # replaces the selection
    qtbot.keyClick(dialog.id_number, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: not error.isVisible())
    qtbot.waitUntil(lambda: dialog.height() == height, timeout=2000)
    assert gap() == spacing, "the fields close up again"
    dialog.reject()


def _focus_on(qtbot, widget) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: widget.hasFocus(), timeout=2000)


def test_down_in_the_search_box_moves_into_the_results_and_up_comes_back(qtbot, window: MainWindow) -> None:
    page = window.residents
    window.activateWindow()
    page.search.setFocus()
    _focus_on(qtbot, page.search)
    qtbot.keyClicks(page.search, "l")
    qtbot.keyClick(page.search, Qt.Key.Key_Down)
    _focus_on(qtbot, page.table)
    assert page.table.currentIndex().row() == 0 and page.table.selectionModel().isRowSelected(0)
    assert page.model.resident_at(0)["name"] == "李四"
    assert "共 2 人" in page.household.summary.text().replace("\u00a0", " ")
    qtbot.keyClick(page.table, Qt.Key.Key_Up)
    _focus_on(qtbot, page.search)
    assert page.search.text() == "l"


def test_tab_goes_navigation_search_table_buttons(qtbot, window: MainWindow) -> None:
    from ui.qt import QApplication

    page = window.residents
    window.activateWindow()
    first = window.nav.visualItemRect(window.nav.item(0)).center()
    qtbot.mouseClick(window.nav.viewport(), Qt.MouseButton.LeftButton, pos=first)
    _focus_on(qtbot, window.nav)
    order = []
    for _ in range(4):
        qtbot.keyClick(
            QApplication.focusWidget(), Qt.Key.Key_Tab
        )  # the table does not keep Tab for its cells
        order.append(QApplication.focusWidget())
    assert order == [page.search, page.table, page.add_button, page.edit_button], (
        "the table's first row is current"
    )


def test_keyboard_focus_is_visible_in_the_navigation(qtbot, window: MainWindow) -> None:
    window.activateWindow()
    nav = window.nav
    row = nav.visualItemRect(nav.item(0))

    def look() -> tuple[object, object]:
        image = nav.grab().toImage()
        return image.pixelColor(row.center().x() + 40, row.center().y()), image.pixelColor(
            1, nav.height() // 2
        )

    window.residents.search.setFocus()
    _focus_on(qtbot, window.residents.search)
    item_away, edge_away = look()
    qtbot.keyClick(window.residents.search, Qt.Key.Key_Backtab)
    _focus_on(qtbot, nav)
    item_here, edge_here = look()

    def distance(a, b) -> int:  # type: ignore[no-untyped-def]
        return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue())

    assert distance(edge_here, edge_away) > 100, "the navigation's frame shows where the keyboard is"
    assert distance(item_here, item_away) > 100, "the current page's entry changes colour with the focus"


def ime_type(widget, text: str) -> None:  # type: ignore[no-untyped-def]
    """Chinese as an input method delivers it (QTest types only what a key of the keyboard makes)."""
    from PySide6.QtGui import QInputMethodEvent

    from ui.qt import QApplication

    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


# -- a save is confirmed, and the saved resident is shown (issue 9, point 5) --------------------------------------
def test_adding_a_resident_confirms_it_and_shows_the_new_row_even_under_another_search(
    qtbot, window: MainWindow, ui_clinic: UiClinic
) -> None:
    page = window.residents
    qtbot.keyClicks(page.search, "zs")
    qtbot.waitUntil(lambda: _names(page.model) == ["张三"], timeout=3000)
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    dialog = window.findChild(ResidentDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    ime_type(dialog.name, "赵六")
    qtbot.keyClicks(dialog.id_number, "110105198001010016")
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Save), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.residents.notice.text() == "✓ 已新增居民：赵六", timeout=5000)
    assert page.search.text() == "赵六"
    qtbot.waitUntil(lambda: _names(page.model) == ["赵六"])
    current = page.table.currentIndex()
    assert current.isValid() and page.model.resident_at(current.row())["name"] == "赵六"
    assert page.table.selectionModel().isRowSelected(current.row())


def test_editing_a_resident_confirms_it_and_keeps_the_row_selected(qtbot, window: MainWindow) -> None:
    page = window.residents
    qtbot.keyClicks(page.search, "ww")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert page.table.currentIndex().row() == 0
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    dialog = window.findChild(ResidentDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    qtbot.keyClicks(dialog.phone, "13900001111")
    qtbot.keyClick(dialog.phone, Qt.Key.Key_Return)  # Enter saves
    qtbot.waitUntil(lambda: window.residents.notice.text() == "✓ 已保存 王五 的修改。", timeout=5000)
    current = page.table.currentIndex()
    assert current.isValid() and page.model.resident_at(current.row())["name"] == "王五"


def test_the_residents_page_refreshes_only_for_what_it_shows(qtbot, window: MainWindow) -> None:
    page = window.residents
    resets = []
    page.model.modelReset.connect(lambda: resets.append(1))
    page.on_store_changed({"contract": {"c1"}, "outbox": {"o1"}})
    assert resets == []
    page.on_store_changed({"household": {"h1"}})
    assert resets == [1]
    page.on_store_changed(None)
    assert resets == [1, 1]


# -- sign-out, lock screen and sign-in layout, a second instance ---------------------------------------
def test_a_wrong_password_on_the_sign_in_moves_neither_the_button_nor_the_dialog(
    qtbot, ui_clinic: UiClinic
) -> None:
    dialog = SignInDialog(ui_clinic.store, "石头村卫生室", "admin / admin-pass-1, doctor / doctor-pass-1")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    size, button = dialog.size(), dialog.sign_in.mapTo(dialog, dialog.sign_in.rect().topLeft())
    qtbot.keyClicks(dialog.username, "doctor")
    qtbot.keyClicks(dialog.password, "wrong-one")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.error.isVisible() and dialog.sign_in.isEnabled())
    qtbot.wait(20)  # let a layout that would grow do so
    assert dialog.error.text() == "用户名或密码错误。"
    assert dialog.sign_in.mapTo(dialog, dialog.sign_in.rect().topLeft()) == button, (
        "the button stays under the mouse"
    )
    assert dialog.size() == size


def test_a_wrong_password_on_the_lock_screen_leaves_the_message_whole(qtbot, ui_clinic: UiClinic) -> None:
    writer = Writer()
    win = MainWindow(ui_clinic.store, ui_clinic.doctor, writer, idle_seconds=3600)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    win.idle.timer.setInterval(100)
    win.idle.timer.start()
    qtbot.waitUntil(lambda: win.locked, timeout=3000)
    unlock = win.unlock_dialog
    qtbot.waitExposed(unlock)
    size = unlock.size()
    qtbot.keyClicks(unlock.password, "wrong-one")
    qtbot.keyClick(unlock.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: unlock.error.isVisible() and unlock.unlock.isEnabled())
    qtbot.wait(20)
    message = unlock.message
    assert message.height() >= message.heightForWidth(message.width()), (
        "every line of the message shows whole"
    )
    assert message.geometry().bottom() < unlock.password.geometry().top()
    assert unlock.error.geometry().top() > unlock.password.geometry().bottom()
    assert unlock.error.height() >= unlock.error.heightForWidth(unlock.error.width())
    assert unlock.size() == size, "nothing jumps when the error appears"
    win.close()
    writer.shutdown()


def test_the_sign_out_button_is_in_the_status_bar_reached_by_tab_and_closes_the_window(
    qtbot, window: MainWindow
) -> None:
    button = window.sign_out_button
    assert button.isVisible() and button.text() == "退出登录"
    assert window.statusBar().isAncestorOf(button)
    window.activateWindow()
    window.nav.setFocus()
    for _ in range(40):  # Tab through the window until the button has the focus
        if button.hasFocus():
            break
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert button.hasFocus(), "the keyboard reaches 退出登录"
    with qtbot.waitSignal(window.signed_out, timeout=2000), qtbot.waitSignal(window.closed, timeout=2000):
        qtbot.keyClick(button, Qt.Key.Key_Space)
    assert not window.isVisible()
    assert not window.idle.timer.isActive() and not window.status_timer.isActive()
    qtbot.keyClick(window.nav, Qt.Key.Key_A)  # activity after the close no longer restarts the idle lock
    assert not window.idle.timer.isActive()


def _held_lock(path: Path) -> QLockFile:
    lock = QLockFile(str(path.with_name(path.name + ".app-lock")))
    assert lock.tryLock(0)
    return lock


def test_a_second_clinic_app_on_the_same_database_says_it_is_open_and_exits_0(
    qapp, tmp_path: Path, monkeypatch, capsys
) -> None:
    from ui import app as app_module

    create_demo_database(tmp_path / "d.db", tmp_path / "d.key", residents=3, seed=4)
    first = _held_lock(tmp_path / "d.db")  # the first program, running
    shown: list[str] = []
    monkeypatch.setattr(app_module.QMessageBox, "information", lambda _p, _t, text: shown.append(text))
    monkeypatch.setattr(app_module, "install_excepthook", lambda *a, **k: None)
    # were a sign-in opened instead, it is closed rather than waited on for ever
    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(
        lambda: [w.reject() for w in QApplication.topLevelWidgets() if isinstance(w, SignInDialog)]
    )
    guard.start(3000)
    code = app_module.main(
        ["--db", str(tmp_path / "d.db"), "--key-file", str(tmp_path / "d.key"), "--lang", "zh_CN"]
    )
    guard.stop()
    assert code == 0
    assert shown and "村医助手已经打开" in shown[0], shown
    assert "already running" in capsys.readouterr().err
    first.unlock()


def test_a_lock_left_by_a_program_that_died_does_not_stop_the_next_start(tmp_path: Path) -> None:
    create_demo_database(tmp_path / "d.db", tmp_path / "d.key", residents=5, seed=4)
    take = (
        "from ui.qt import QLockFile; import os, sys; l = QLockFile(sys.argv[1]); l.setStaleLockTime(0); "
        "assert l.tryLock(0); os._exit(0)"
    )
    subprocess.run(
        [sys.executable, "-c", take, str(tmp_path / "d.db.app-lock")], cwd=ROOT, check=True, timeout=60
    )
    assert (tmp_path / "d.db.app-lock").exists(), "the dead program left its lock"
    result = _run_app(tmp_path, 5, "admin1234", create=False)
    assert result.returncode == 0 and "rows=5" in result.stdout, result.stderr


def test_the_clinic_command_is_not_blocked_by_a_running_program(tmp_path: Path) -> None:
    create_demo_database(tmp_path / "d.db", tmp_path / "d.key", residents=5, seed=4)
    first = _held_lock(tmp_path / "d.db")
    env = {"CLINIC_PASSWORD": "admin1234", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "clinic_app.cli",
            "check",
            "--db",
            str(tmp_path / "d.db"),
            "--key-file",
            str(tmp_path / "d.key"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    first.unlock()
