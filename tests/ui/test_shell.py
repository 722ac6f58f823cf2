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
from ui.qt import QTimer
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
    dialog.username.setText("doctor")
    for _ in range(5):
        dialog.password.setText("wrong-one")
        dialog.sign_in.click()
        assert dialog.error.text() == "用户名或密码错误。" and dialog.user is None
    dialog.password.setText(PASSWORD)
    dialog.sign_in.click()
    assert "锁定" in dialog.error.text() and dialog.user is None


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
    built = {"签约", "同步", "居民"}
    for i in range(window.pages.count()):
        page = window.pages.widget(i)
        if titles[i] in built:
            assert not isinstance(page, NotBuiltPage), titles[i]
        else:
            assert isinstance(page, NotBuiltPage) and "尚未开发" in page.label.text()


def test_status_bar_shows_sync_state(window: MainWindow, ui_clinic: UiClinic) -> None:
    waiting = ui_clinic.store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
    assert "离线" in window.online.text()
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
    win.unlock_dialog.password.setText("wrong-one")
    win.unlock_dialog.try_unlock()
    assert win.locked and win.unlock_dialog.error.isVisible()
    win.unlock_dialog.password.setText(PASSWORD)
    win.unlock_dialog.try_unlock()
    qtbot.waitUntil(lambda: not win.locked)
    assert win.body.currentIndex() == 0
    win.close()
    writer.shutdown()


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
def _run_app(tmp_path: Path, residents: int, password: str) -> subprocess.CompletedProcess[str]:
    create_demo_database(tmp_path / "d.db", tmp_path / "d.key", residents=residents, seed=4)
    command = [sys.executable, "-m", "ui.app", "--db", str(tmp_path / "d.db"), "--key-file", str(tmp_path / "d.key"),
               "--user", "admin", "--exit-when-ready"]  # fmt: skip
    env = {"CLINIC_PASSWORD": password, "QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin",
           "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path)}  # fmt: skip
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60, env=env)


def test_clinic_app_starts_signs_in_and_shows_rows(tmp_path: Path) -> None:
    result = _run_app(tmp_path, 120, "admin1234")
    assert result.returncode == 0, result.stderr
    assert "ready" in result.stdout and "rows=120" in result.stdout


def test_clinic_app_with_a_wrong_password_exits_4(tmp_path: Path) -> None:
    result = _run_app(tmp_path, 5, "nope")
    assert result.returncode == 4 and "wrong user name or password" in result.stderr


def test_clinic_app_unattended_with_a_missing_database_prints_and_exits(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "ui.app", "--db", str(tmp_path / "none.db"), "--key-file", str(tmp_path / "k"),
               "--user", "admin", "--exit-when-ready"]  # fmt: skip
    env = {"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path)}  # fmt: skip
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
