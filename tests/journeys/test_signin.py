"""Signing in: the real sign-in dialog on the demo clinic, by keys, then the window it opens."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from clinic_app.demo import DEMO_USERS
from clinic_app.store import Store
from tests.journeys.conftest import Journey, StallReport
from ui.qt import Qt
from ui.signin import SignInDialog


@pytest.fixture
def signin(
    qtbot: Any, demo_copy: tuple[Path, Path], request: pytest.FixtureRequest, stall_report: StallReport
) -> Any:
    store = Store.open(*demo_copy)
    clinic = store.conn.execute("SELECT name FROM clinic WHERE id = ?", (store.clinic_id,)).fetchone()[0]
    hint = ", ".join(f"{u} / {p}" for u, p in DEMO_USERS.items())
    dialog = SignInDialog(store, clinic, hint)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    steps = Journey(qtbot, store, None, dialog, None, request.node.name, stall_report)  # type: ignore[arg-type]
    yield steps, dialog, clinic
    store.close()


def test_a_doctor_signs_in_by_keys_and_the_register_opens(qtbot: Any, signin: Any) -> None:
    from ui.app import open_main_window

    steps, dialog, clinic = signin
    assert dialog.username.hasFocus(), "the cursor waits in the user name"
    assert dialog.sign_in.text() == "登录" and "doctor / doctor" in dialog.hint.text()
    with steps.step("type a wrong password and press Enter"):
        steps.type(dialog.username, "doctor")
        steps.key(dialog.username, Qt.Key.Key_Tab)
        qtbot.waitUntil(dialog.password.hasFocus)
        qtbot.keyClicks(dialog.password, "not-the-password")
        steps.key(dialog.password, Qt.Key.Key_Return)
        steps.wait_until(dialog.error.isVisible)
    assert dialog.error.text() == "用户名或密码错误。"
    assert dialog.password.text() == "" and dialog.password.hasFocus(), "ready for the next try"
    assert dialog.isVisible() and dialog.user is None
    steps.shot("signin-wrong-password", dialog)
    with (
        steps.step("type the right password and press Enter"),
        qtbot.waitSignal(dialog.accepted, timeout=5000),
    ):
        qtbot.keyClicks(dialog.password, DEMO_USERS["doctor"])
        steps.key(dialog.password, Qt.Key.Key_Return)
    assert dialog.user is not None and dialog.user.username == "doctor"

    window, writer = open_main_window(dialog.store, dialog.user, start_sync=False)
    qtbot.addWidget(window)
    try:
        window.resize(1366, 768)
        qtbot.waitExposed(window)
        assert window.windowTitle() == f"村医助手 — {clinic}"
        assert window.who.text() == f"李医生 · {clinic}"
        assert window.nav.currentItem().text() == "居民" and window.residents.isVisible()
        qtbot.waitUntil(lambda: window.residents.count_label.text() == "已登记居民 2,000 人", timeout=10_000)
    finally:
        window.close()
        writer.shutdown()


def _visible(kind: type) -> list[Any]:
    from ui.qt import QApplication

    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


def _new_threads(before: set[threading.Thread]) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t not in before and t.is_alive()]


def test_signing_out_brings_the_sign_in_back_for_another_user_and_closing_it_ends(
    qtbot: Any, demo_copy: tuple[Path, Path], request: pytest.FixtureRequest, stall_report: StallReport
) -> None:
    from ui.app import Session
    from ui.mainwindow import MainWindow

    store = Store.open(*demo_copy)
    before = set(threading.enumerate())
    clinic = store.conn.execute("SELECT name FROM clinic WHERE id = ?", (store.clinic_id,)).fetchone()[0]
    session = Session(store, clinic, None, start_sync=False)
    opened: list[MainWindow] = []
    session.window_opened.connect(opened.append)
    steps = Journey(qtbot, store, None, None, None, request.node.name, stall_report)  # type: ignore[arg-type]
    try:
        session.start()
        first = steps.dialog(SignInDialog)
        with steps.step("sign in as the doctor"):
            steps.type(first.username, "doctor")
            steps.type(first.password, DEMO_USERS["doctor"])
            steps.key(first.password, Qt.Key.Key_Return)
            steps.wait_until(lambda: len(opened) == 1)
        doctor_window, doctor_writer = opened[0], session.writer
        assert doctor_writer is not None
        qtbot.waitExposed(doctor_window)
        assert doctor_window.who.text().startswith("李医生")
        with steps.step("click 退出登录 in the status bar"):
            assert doctor_window.sign_out_button.text() == "退出登录"
            steps.click(doctor_window.sign_out_button)
            second = steps.dialog(SignInDialog)
        assert second is not first and not _visible(MainWindow), "the window closed; the sign-in is back"
        assert second.username.text() == "" and second.clinic.text() == clinic
        assert not doctor_writer._pools, "the old window's writer stopped"
        steps.shot("signin-after-sign-out", second)
        with steps.step("the admin signs in on the same database"):
            steps.type(second.username, "admin")
            steps.type(second.password, DEMO_USERS["admin"])
            steps.key(second.password, Qt.Key.Key_Return)
            steps.wait_until(lambda: len(opened) == 2)
        admin_window = opened[1]
        qtbot.waitExposed(admin_window)
        assert admin_window.user.username == "admin" and admin_window.store is store
        with steps.step("the window locks; 退出登录 on the lock screen"):
            admin_window.idle.timer.setInterval(50)  # keep the test short
            admin_window.idle.timer.start()
            steps.wait_until(lambda: admin_window.locked)
            unlock = admin_window.unlock_dialog
            qtbot.waitExposed(unlock)
            steps.type(unlock.password, "not-it")
            steps.key(unlock.password, Qt.Key.Key_Return)
            steps.wait_until(lambda: unlock.error.isVisible() and unlock.unlock.isEnabled())
            steps.click(unlock.sign_out)
            third = steps.dialog(SignInDialog)
        assert not _visible(MainWindow) and third.isVisible()
        with steps.step("close the sign-in: the program ends"), qtbot.waitSignal(session.ended, timeout=5000):
            steps.key(third.username, Qt.Key.Key_Escape)
        qtbot.waitUntil(
            lambda: not _new_threads(before), timeout=5000
        )  # no writer, sync or checker thread left
    finally:
        session.shutdown()
        store.close()


def test_an_account_whose_password_hash_came_damaged_by_sync_says_its_password_must_be_set_again(
    qtbot: Any, signin: Any
) -> None:
    """Break 6 of issue 11: a malformed `scrypt$…` hash pulled from another device crashed sign-in (traceback);
    one with huge parameters held it for minutes."""
    from clinic_app.syncstate import apply_pull_pages

    steps, dialog, _clinic = signin
    store = dialog.store
    with store.transaction() as conn:
        conn.execute("DELETE FROM outbox WHERE table_name = 'user'")  # sent: the county's version is pulled
    malformed, huge = (
        "scrypt$abc$8$1$c2FsdA==$ZGlnZXN0",
        "scrypt$1048576$64$64$c2FsdHNhbHRzYWx0$" + "A" * 43 + "=",
    )
    for n, damaged in enumerate([malformed, huge]):
        row = dict(store.conn.execute('SELECT * FROM "user" WHERE username = ?', ("doctor",)).fetchone())
        row["password_hash"] = damaged
        change = {"table": "user", "row_id": row["id"], "op": "upsert", "version": 50 + n, "row": row}
        apply_pull_pages(store, [([change], f"c{n}")])
        with steps.step("type the doctor's password and press Enter"):
            dialog.username.setText("")
            steps.type(dialog.username, "doctor")
            dialog.password.setFocus()
            qtbot.keyClicks(dialog.password, DEMO_USERS["doctor"])
            steps.key(dialog.password, Qt.Key.Key_Return)
            steps.wait_until(
                lambda: dialog.sign_in.isEnabled() and "重新设置" in dialog.error.text()
            )  # checked
        assert (
            dialog.error.text() == "此账号的密码需要重新设置：本机保存的密码信息已损坏。请联系卫生室管理员。"
        )
        assert dialog.isVisible() and dialog.user is None and dialog.sign_in.isEnabled()
    steps.shot("signin-password-must-be-set-again", dialog)


def test_five_wrong_passwords_lock_the_account_and_it_says_for_how_long(qtbot: Any, signin: Any) -> None:
    steps, dialog, _clinic = signin
    with steps.step("type the nurse's name and five wrong passwords"):
        steps.type(dialog.username, "nurse")
        for _ in range(5):
            dialog.password.setFocus()
            qtbot.keyClicks(dialog.password, "not-the-password")
            steps.key(dialog.password, Qt.Key.Key_Return)
            steps.wait_until(lambda: dialog.password.text() == "")
    with steps.step("the right password now: locked, and for how long"):
        qtbot.keyClicks(dialog.password, DEMO_USERS["nurse"])
        steps.key(dialog.password, Qt.Key.Key_Return)
        steps.wait_until(lambda: "锁定" in dialog.error.text())
    assert dialog.error.text() == "密码多次输错，账号已锁定 15 分钟。请 15 分钟后再试或联系卫生室管理员。", (
        dialog.error.text()
    )  # lockout_seconds 900 (the clinic's setting)
    assert dialog.user is None
    steps.shot("signin-locked", dialog)
