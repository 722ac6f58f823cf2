"""Signing in: the real sign-in dialog on the demo clinic, by keys, then the window it opens."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from clinic_app.demo import DEMO_USERS
from clinic_app.store import Store
from tests.journeys.conftest import Journey, StallReport
from ui.qt import Qt
from ui.signin import SignInDialog


@pytest.fixture
def signin(qtbot: Any, demo_copy: tuple[Path, Path], request: pytest.FixtureRequest,
           stall_report: StallReport) -> Any:  # fmt: skip
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
