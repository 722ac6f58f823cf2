"""The 同步 page against a real county server on loopback: the clinic administrator enrolls the demo clinic,
a second device of the clinic (made with `clinic enroll`, as a team laptop would be) and this one change the
same resident's phone, 立即同步 brings the conflict, and the administrator decides it field by field.

The county server and the second device are separate programs (subprocesses): this journey runs in the
environment `./dev.sh demo` builds and imports nothing of the server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from clinic_app import residents as R
from clinic_app.demo import DEMO_USERS
from clinic_app.users import authenticate
from tests.journeys.conftest import CountyServer, Journey

pytestmark = pytest.mark.timeout(300)
LONG = 120_000  # ms: the first sync sends the whole demo clinic


def clinic(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The `clinic` command of this environment, as the task scheduler or a person at a console runs it."""
    program = Path(sys.executable).with_name("clinic")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [str(program), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=240
    )


def cell(view: Any, row: int, column: int) -> str:
    return str(view.model().index(row, column).data() or "")


def test_enroll_sync_and_resolve_a_conflict_on_the_sync_page(
    admin_journey: Journey, county_server: CountyServer, tmp_path: Path
) -> None:
    from ui.conflict_dialog import ConflictDialog
    from ui.enroll_dialog import EnrollDialog
    from ui.resident_dialog import ResidentDialog

    j, win = admin_journey, admin_journey.window
    person = j.store.conn.execute(
        "SELECT id, name, id_number, phone FROM resident WHERE phone IS NOT NULL AND deleted_at IS NULL "
        "ORDER BY id LIMIT 1"
    ).fetchone()

    with j.step("open the sync page"):
        page = j.nav_to("sync")
    assert "尚未登记" in page.server.text() and page.enroll_button.text() == "登记本机…"
    assert not page.sync_button.isEnabled()
    j.shot("sync-not-enrolled")

    with j.step("click 登记本机…"):
        j.click(page.enroll_button)
        dialog = j.dialog(EnrollDialog)
    assert dialog.windowTitle() == "登记本机"
    code = county_server.enroll_code()  # the county gives it (a separate program; not the person's step)
    with j.step("type the server address and the enrollment code"):
        j.type(dialog.form.server, county_server.url)
        j.type(dialog.form.code, code)
    j.shot("sync-enroll-dialog", dialog)
    with j.step("enroll, and the first sync sends the clinic"):
        with j.qtbot.waitSignal(win.sync.finished, timeout=LONG) as first:
            j.click(dialog.ok)
        j.wait_until(lambda: not dialog.isVisible())
    assert first.args[0] == "ok", win.sync.message
    assert "在线" in win.online.text() and "在线" in page.state.text()
    j.wait_until(lambda: page.history.model().rowCount() == 1)
    assert cell(page.history, 0, 1) == "登记" and cell(page.history, 0, 2) == "已同步"
    assert not page.enroll_button.isVisible() and page.sync_button.isEnabled()
    j.shot("sync-history")

    # a second device of the clinic: a team laptop set up with `clinic enroll`, which changes the phone first
    laptop_db, laptop_key = tmp_path / "laptop.db", tmp_path / "laptop.key"
    made = clinic(
        "enroll",
        "--db",
        str(laptop_db),
        "--key-file",
        str(laptop_key),
        "--server",
        county_server.url,
        "--code",
        county_server.enroll_code(),
        "--device-name",
        "随访笔记本",
        cwd=tmp_path,
    )
    assert made.returncode == 0, made.stderr
    from clinic_app.store import Store

    laptop = Store.open(laptop_db, laptop_key)
    try:
        admin = authenticate(laptop, "admin", DEMO_USERS["admin"])
        data = R.resident_input(
            dict(laptop.conn.execute("SELECT * FROM resident WHERE id = ?", (person["id"],)).fetchone())
        )
        data.phone = "13900000002"
        R.update_resident(laptop, admin, person["id"], data)
    finally:
        laptop.close()
    synced = clinic("sync", "--db", str(laptop_db), "--key-file", str(laptop_key), cwd=tmp_path)
    assert synced.returncode == 0, synced.stderr + synced.stdout

    # here the same phone is changed too, through the resident's form on the 居民 page
    with j.step("find the resident by ID number"):
        residents = j.nav_to("residents")
        j.type(residents.search, person["id_number"])
        j.key(residents.search, _key("Key_Return"))
        j.wait_until(lambda: residents.model.rowCount() == 1)
    with j.step("open the resident's form"):
        j.click_row(residents.table, 0)
        j.click(residents.edit_button)
        form = j.dialog(ResidentDialog)
    with j.step("change the phone and save"):
        form.phone.selectAll()
        j.type(form.phone, "13700000003")
        j.click(form.buttons.button(_save()))
        j.wait_until(lambda: not form.isVisible())
        j.idle()

    with j.step("open the sync page and click 立即同步"):
        page = j.nav_to("sync")
        with j.qtbot.waitSignal(win.sync.finished, timeout=LONG) as second:
            j.click(page.sync_button)
    assert second.args[0] == "conflicts"
    j.wait_until(lambda: page.history.model().rowCount() == 2)
    assert cell(page.history, 0, 1) == "手动" and cell(page.history, 0, 5) == "1"
    j.wait_until(lambda: "待人工处理的冲突：1" in win.conflicts.text())  # counted off the GUI thread

    with j.step("open the conflicts tab"):
        j.click_tab(page.tabs, 1)
    assert page.tabs.tabText(1) == "冲突（1）"
    j.wait_until(lambda: page.conflicts.model().rowCount() == 1)
    assert person["name"] in cell(page.conflicts, 0, 1) and cell(page.conflicts, 0, 3) == "电话"
    j.shot("sync-conflicts")
    with j.step("select the conflict and click 处理…"):
        j.click_row(page.conflicts, 0)
        j.click(page.resolve_button)
        resolve = j.dialog(ConflictDialog)
    mine, server = resolve.groups["phone"]
    assert (mine.text(), server.text()) == ("13700000003", "13900000002")
    assert server.isChecked(), "the server's value is offered first"
    j.shot("sync-conflict-dialog", resolve)
    with j.step("keep this device's phone and save the choice"):
        j.click(mine)
        j.click(resolve.save)
        j.wait_until(lambda: not resolve.isVisible())
    j.wait_until(lambda: page.conflicts.model().rowCount() == 0)
    assert page.tabs.tabText(1) == "冲突（0）"
    j.wait_until(lambda: "待人工处理的冲突：0" in win.conflicts.text())  # counted off the GUI thread
    row = j.store.conn.execute("SELECT phone FROM resident WHERE id = ?", (person["id"],)).fetchone()
    assert row[0] == "13700000003"
    with j.step("tick 同时显示已处理的"):
        j.click(page.show_decided)
        j.wait_until(lambda: page.conflicts.model().rowCount() == 1)
    assert cell(page.conflicts, 0, 4) == "保留设备上的版本（admin）"
    j.click_row(page.conflicts, 0)
    assert not page.resolve_button.isEnabled(), "a decided conflict is not decided again"

    with j.step("sync the decision"), j.qtbot.waitSignal(win.sync.finished, timeout=LONG) as third:
        j.click(page.sync_button)
    assert third.args[0] == "ok"
    j.wait_until(lambda: cell(page.history, 0, 2) == "已同步")
    with j.step("look at the refused changes"):
        j.click_tab(page.tabs, 2)
    assert page.tabs.tabText(2) == "被退回的修改（0）"
    j.shot("sync-refused")


def _key(name: str) -> Any:
    from ui.qt import Qt

    return getattr(Qt.Key, name)


def _save() -> Any:
    from ui.qt import QDialogButtonBox

    return QDialogButtonBox.StandardButton.Save


def test_account_changes_wait_for_an_administrators_online_sign_in_on_the_sync_page(
    admin_journey: Journey, county_server: CountyServer, tmp_path: Path
) -> None:
    """A user added on this computer after it joined the county reaches the county only with an administrator's
    online sign-in: the 同步 page says why the change waits and offers the sign-in."""
    from clinic_app import users
    from ui.account_signin import AccountSignInDialog
    from ui.enroll_dialog import EnrollDialog

    j, win = admin_journey, admin_journey.window
    code = county_server.enroll_code()  # the county gives it (a separate program; not the person's step)
    with j.step("open the sync page and enroll; the first sync sends the clinic and its accounts"):
        page = j.nav_to("sync")
        j.click(page.enroll_button)
        dialog = j.dialog(EnrollDialog)
        j.type(dialog.form.server, county_server.url)
        j.type(dialog.form.code, code)
        with j.qtbot.waitSignal(win.sync.finished, timeout=LONG) as first:
            j.click(dialog.ok)
        j.wait_until(lambda: not dialog.isVisible())
    assert first.args[0] == "ok", win.sync.message
    assert not page.accounts_notice.isVisible(), "the clinic's first accounts came with its first push"

    users.add_user(
        j.store, j.user, "xiaoli", "nurse", "nurse-pass-2", display_name="小李"
    )  # the admin adds a nurse
    with (
        j.step("click 立即同步: the new account waits"),
        j.qtbot.waitSignal(win.sync.finished, timeout=LONG) as second,
    ):
        j.click(page.sync_button)
    assert second.args[0] == "ok", win.sync.message
    j.wait_until(lambda: page.accounts_notice.isVisible())
    assert "账户变更" in page.accounts_notice.text() and "管理员在线登录" in page.accounts_notice.text()
    assert page.account_sign_in_button.text() == "在线登录并发送…"
    assert (
        j.store.conn.execute(
            "SELECT count(*) FROM outbox WHERE table_name = 'user' AND rejected_code IS NULL"
        ).fetchone()[0]
        == 1
    ), "kept in the outbox, not refused"
    j.shot("sync-accounts-waiting")

    with j.step("click 在线登录并发送…"):
        j.click(page.account_sign_in_button)
        signin = j.dialog(AccountSignInDialog)
    assert signin.windowTitle() == "在县级平台登录" and signin.username.text() == "admin"
    with j.step("a wrong password: the county says so"):
        j.type(signin.password, "not-the-password")
        j.click(signin.ok)
        j.wait_until(lambda: signin.problem.isVisible(), timeout=30_000)
    assert "用户名或密码错误" in signin.problem.text() and signin.isVisible()
    j.shot("sync-accounts-signin-wrong", signin)
    with j.step("the right password: signed in, and the sync sends the account"):
        j.type(signin.password, DEMO_USERS["admin"])
        with j.qtbot.waitSignal(win.sync.finished, timeout=LONG) as third:
            j.click(signin.ok)
        j.wait_until(lambda: not signin.isVisible())
    assert third.args[0] == "ok", win.sync.message
    j.wait_until(lambda: not page.accounts_notice.isVisible())
    assert j.store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
    j.shot("sync-accounts-sent")

    # a second computer of the clinic, set up from the county alone, knows the nurse with her password
    laptop_db, laptop_key = tmp_path / "laptop.db", tmp_path / "laptop.key"
    made = clinic(
        "enroll",
        "--db",
        str(laptop_db),
        "--key-file",
        str(laptop_key),
        "--server",
        county_server.url,
        "--code",
        county_server.enroll_code(),
        cwd=tmp_path,
    )
    assert made.returncode == 0, made.stderr
    from clinic_app.store import Store

    laptop = Store.open(laptop_db, laptop_key)
    try:
        assert authenticate(laptop, "xiaoli", "nurse-pass-2").role == "nurse"
    finally:
        laptop.close()


def test_rows_from_the_county_that_cannot_be_stored_are_reported_on_the_sync_page_and_replaced_when_corrected(
    journey: Journey,
) -> None:
    """A village named like one of this clinic's own, and a user row with a number no database holds: the sync
    stores the rest, the 同步 page says how many could not be stored, and 查看是哪些… lists them."""
    from clinic_app.syncstate import apply_pull_pages

    j = journey
    store = j.store
    own = store.conn.execute("SELECT name FROM village ORDER BY name LIMIT 1").fetchone()[0]
    stamp = "2026-11-30T08:00:00Z"
    common = {
        "clinic_id": store.clinic_id,
        "created_at": stamp,
        "updated_at": stamp,
        "created_by": None,
        "updated_by": None,
        "deleted_at": None,
    }
    village_id, user_id = "01a30000-0000-7000-8000-0000000000a1", "01a30000-0000-7000-8000-0000000000a2"
    village = {
        "table": "village",
        "row_id": village_id,
        "op": "upsert",
        "version": 7,
        "row": {**common, "id": village_id, "name": own, "code": None},
    }
    user = {
        "table": "user",
        "row_id": user_id,
        "op": "upsert",
        "version": 8,
        "row": {
            **common,
            "id": user_id,
            "username": "visitor",
            "display_name": "巡诊医生",
            "role": "nurse",
            "password_hash": "scrypt$32768$8$1$c2FsdA==$ZGlnZXN0",
            "active": 2**70,
        },
    }

    with j.step("open the sync page"):
        page = j.nav_to("sync")
    assert not page.set_aside_note.isVisible() and page.tabs.tabText(3) == "未能保存（0）"

    # what a sync receives from the county (the real apply step of a pull; not the person's doing)
    apply_pull_pages(store, [([village, user], "c1")])
    j.wait_until(lambda: page.set_aside_note.isVisible())
    assert "县里发来的 2 条记录无法保存在本机" in page.set_aside_note.text()
    assert page.show_set_aside.text() == "查看是哪些…"
    with j.step("click 查看是哪些…"):
        j.click(page.show_set_aside)
        j.wait_until(lambda: page.tabs.currentIndex() == 3 and page.set_aside.model().rowCount() == 2)
    assert page.tabs.tabText(3) == "未能保存（2）"
    shown = {cell(page.set_aside, r, 1): cell(page.set_aside, r, 2) for r in range(2)}
    assert shown == {f"村 {own}": "本机已有同名或同编号的另一条记录", "用户 巡诊医生": "数值超出范围"}, shown
    assert all(cell(page.set_aside, r, 0) and cell(page.set_aside, r, 3) for r in range(2)), "when, both"
    j.click_row(page.set_aside, 0)
    j.shot("sync-set-aside")

    # the county corrects the user row: it is stored, and its entry goes
    corrected = {**user, "version": 9, "row": {**user["row"], "active": 1}}
    apply_pull_pages(store, [([corrected], "c2")])
    j.wait_until(lambda: page.set_aside.model().rowCount() == 1)
    assert page.tabs.tabText(3) == "未能保存（1）" and "县里发来的 1 条记录" in page.set_aside_note.text()
    assert cell(page.set_aside, 0, 1) == f"村 {own}"
