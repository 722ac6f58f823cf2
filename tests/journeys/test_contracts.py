"""The 签约 page as a village doctor uses it on the 2,000-resident demo clinic: the page opens, the search box
filters and offers the residents a query matches, signing one resident or a household, renewing, terminating
with a reason, changing team, the teams dialog and the ledger — each confirmed on screen and the record shown
and selected."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from clinic_app import contracts as C
from tests.journeys.conftest import Journey

SHOTS = Path(os.environ.get("CONTRACT_SHOTS") or os.environ.get("JOURNEY_SHOTS") or "screenshots")


def _qt() -> Any:
    from ui.qt import Qt

    return Qt


def cell(view: Any, column: str) -> str:
    """The text of the selected row's cell in the named column, as the person reads it."""
    model = view.model()
    names = [c.name for c in model.columns]
    return str(model.data(model.index(view.currentIndex().row(), names.index(column))))


def shot_dialog(journey: Journey, dialog: Any, name: str) -> None:
    journey.qtbot.wait(50)  # the layout of a message that just appeared is done before the grab
    journey.shot(name, widget=dialog)


def open_page(journey: Journey) -> Any:
    with journey.step("open the 签约 page"):
        page = journey.nav_to("contracts")
        journey.wait_until(lambda: page.contract_model.rowCount() > 0)
    return page


def test_open_search_pick_and_sign_one_resident(journey: Journey) -> None:
    from ui.sign_dialog import ResidentPicker, SignDialog

    page = open_page(journey)
    year = journey.today.year
    assert page.year.value() == year and page.contract_model.canFetchMore(), "a page of the year's ~1,300"
    journey.shot("contracts-page")
    with journey.step("type zs in the search box"):
        journey.type(page.finder, "zs")
        journey.wait_until(lambda: page.contract_model.rowCount() < 200)
    shown = [page.contract_model.row_data(r)["name_pinyin"] for r in range(page.contract_model.rowCount())]
    assert shown == sorted(shown) and shown, "the list is filtered by zs and in pinyin order"
    conn, clinic = journey.store.conn, journey.store.clinic_id
    matches = [r["id"] for r in C.resident_page(conn, clinic, "zs", limit=100)]
    unsigned = {r["id"] for r in C.never_signed_page(conn, clinic, "zs", limit=100)}
    target = next(i for i, rid in enumerate(matches) if rid in unsigned)
    with journey.step("click 签约… : several residents match"):
        journey.click(page.sign_button)
        picker = journey.dialog(ResidentPicker)
    assert picker.model.rowCount() == len(matches) > 1
    assert picker.label.text().startswith(f"{len(matches)} 位居民符合")
    shot_dialog(journey, picker, "contracts-picker")
    with journey.step("move down to the resident and press Enter"):
        for _ in range(target):
            journey.key(picker.view, _qt().Key.Key_Down)
        journey.key(picker.view, _qt().Key.Key_Return)
        sign = journey.dialog(SignDialog)
    name = sign.people[matches[target]]["name"]
    assert [box.text().split("（")[0] for _rid, box in sign.members] == [name]
    shot_dialog(journey, sign, "contracts-sign-dialog")
    with journey.step("name the witness and sign"):
        journey.type(sign.witness, "示范护士")
        journey.click(sign.sign_button)
        journey.wait_until(lambda: not sign.isVisible())
        journey.wait_until(lambda: page.contracts.current_key() is not None)
    assert page.notice.text() == f"✓ 已为 {name} 签约 {year} 年度。"
    assert cell(page.contracts, "name") == name and cell(page.contracts, "status") == "待确认"
    journey.shot("contracts-signed")


def test_a_household_with_an_ineligible_member_is_refused_naming_the_member(journey: Journey) -> None:
    from ui.sign_dialog import SignDialog

    conn, clinic = journey.store.conn, journey.store.clinic_id
    head, young = _household_nobody_signed(journey)
    page = open_page(journey)
    with journey.step("type the last digits of the head's ID number"):
        journey.type(page.finder, head["id_number"][-8:])
        journey.wait_until(lambda: page.contract_model.rowCount() == 0)  # nobody of it is signed
    with journey.step("click 签约全户…"):
        journey.click(page.household_button)
        sign = journey.dialog(SignDialog)
    members = [box.text().split("（")[0] for _rid, box in sign.members]
    assert head["name"] in members and young["name"] in members and len(members) >= 2
    with journey.step("add the elderly package, name the witness and sign"):
        journey.click(sign.packages["ELDERLY"])
        journey.type(sign.witness, "示范护士")
        journey.click(sign.sign_button)
        journey.wait_until(sign.error.isVisible)
    assert sign.error.text().startswith(f"{young['name']} 不符合服务包条件：老年人健康管理服务包")
    shot_dialog(journey, sign, "contracts-household-refused")
    assert not [r for r in C.contract_page(conn, clinic, str(journey.today.year), head["id_number"][-8:])]
    with journey.step("take the elderly package off and sign the household"):
        journey.click(sign.packages["ELDERLY"])
        journey.click(sign.sign_button)
        journey.wait_until(lambda: not sign.isVisible())
    assert page.notice.text() == f"✓ 已为 {members[0]} 一户 {len(members)} 人签约 {journey.today.year} 年度。"
    assert cell(page.contracts, "name") == members[0]
    journey.shot("contracts-household-signed")


def _household_nobody_signed(journey: Journey) -> tuple[dict[str, Any], dict[str, Any]]:
    """A household of the demo with nobody signed, an adult head and a member under 65."""
    conn, clinic, year = journey.store.conn, journey.store.clinic_id, journey.today.year
    for h in conn.execute("SELECT id FROM household WHERE clinic_id = ? ORDER BY code", (clinic,)):
        people = C.signing_people(
            conn,
            conn.execute("SELECT id FROM resident WHERE household_id = ? LIMIT 1", (h[0],)).fetchone()[0],
            True,
        )
        if len(people) < 2 or not people[0]["id_number"]:
            continue
        if any(
            conn.execute("SELECT 1 FROM contract WHERE resident_id = ?", (p["id"],)).fetchone()
            for p in people
        ):
            continue
        if C.age_on(people[0]["birth_date"], journey.today) < 65:
            continue
        young = [
            p for p in people[1:] if C.age_on(p["birth_date"], journey.today.replace(month=1, day=1)) < 65
        ]
        digits = people[0]["id_number"][-8:]
        if young and len(C.resident_page(conn, clinic, digits)) == 1 and year:
            return people[0], young[0]
    raise AssertionError("the demo clinic has no household fit for this journey")


def test_renew_then_terminate_with_a_reason(journey: Journey) -> None:
    from ui.contract_dialogs import RenewDialog, TerminateDialog

    page = open_page(journey)
    year = journey.today.year
    with journey.step("click the first contract of the year"):
        journey.click_row(page.contracts, 0)
    name = cell(page.contracts, "name")
    old = C.get_contract(journey.store.conn, page.contracts.current_key())
    assert page.renew_button.isEnabled()
    with journey.step("click 续约: it asks first, and for the resident's consent"):
        journey.click(page.renew_button)
        ask = journey.dialog(RenewDialog)
    text = ask.question.text()
    assert f"为 {name} 续约 {year + 1} 年度" in text and "服务包（与本年度相同）：" in text
    assert (
        ask.ok_button.text() == "续约" and ask.consent.paper.isChecked() and ask.consent.witness.text() == ""
    )
    shot_dialog(journey, ask, "contracts-renew-confirm")
    with journey.step("click 续约 without a witness: refused, the field named"):
        journey.click(ask.ok_button)
        journey.wait_until(lambda: ask.error.isVisible())
    assert ask.isVisible() and ask.error.text() == "请填写纸质协议签名的见证人。", ask.error.text()
    renewed = "SELECT count(*) FROM contract WHERE renewed_from = ?"
    assert journey.store.conn.execute(renewed, (old["id"],)).fetchone()[0] == 0, "nothing renewed"
    shot_dialog(journey, ask, "contracts-renew-no-witness")
    with journey.step("name this renewal's witness and confirm 续约"):
        journey.type(ask.consent.witness, "续约见证人")
        journey.click(ask.ok_button)
        journey.wait_until(lambda: page.year.value() == year + 1)
        journey.wait_until(lambda: page.contracts.current_key() is not None)
    assert page.notice.text() == f"✓ 已为 {name} 续约 {year + 1} 年度。"
    assert cell(page.contracts, "name") == name and cell(page.contracts, "status") == "待确认"
    new = C.get_contract(journey.store.conn, page.contracts.current_key())
    assert new["period"] == str(year + 1) and new["witness"] == "续约见证人" != old["witness"]
    from clinic_app.contract_form import contract_form

    assert contract_form(journey.store.conn, new["id"]).witness == "续约见证人", (
        "the printed agreement names it"
    )
    journey.shot("contracts-renewed")
    with journey.step("back to this year with the year box's Down key"):
        page.year.setFocus()
        journey.key(page.year, _qt().Key.Key_Down)
        journey.wait_until(lambda: page.year.value() == year)
    with journey.step("click the second contract and 解约…"):
        journey.click_row(page.contracts, 1)
        name = cell(page.contracts, "name")
        journey.click(page.terminate_button)
        dialog = journey.dialog(TerminateDialog)
    assert dialog.reason.currentText() == "选择…" and dialog.day.date().year() == year
    with journey.step("解约 without a reason"):
        journey.click(dialog.ok_button)
    assert dialog.error.isVisible() and dialog.error.text() == "请选择原因。"
    with journey.step("choose 迁出 with the keyboard and confirm"):
        dialog.reason.setFocus()
        journey.key(dialog.reason, _qt().Key.Key_Down)
        shot_dialog(journey, dialog, "contracts-terminate-dialog")
        journey.click(dialog.ok_button)
        journey.wait_until(lambda: not dialog.isVisible())
    assert page.notice.text() == f"✓ 已解除 {name} 的签约（迁出）。"
    assert cell(page.contracts, "name") == name and cell(page.contracts, "status") == "已解约（迁出）"
    journey.shot("contracts-terminated")
    # a terminated contract offers no 续约 / 解约… / 转团队…, and the tooltips say why (once the dialog said it)
    assert (
        not page.terminate_button.isEnabled()
        and page.terminate_button.toolTip() == "该签约已解约，不能解约。"
    )
    assert not page.renew_button.isEnabled() and page.renew_button.toolTip() == "该签约已解约，不能续约。"
    assert not page.transfer_button.isEnabled() and page.print_button.isEnabled()


def test_teams_and_a_change_of_team(admin_journey: Journey) -> None:
    from ui.contract_dialogs import ChangeTeamDialog
    from ui.teams_dialog import TeamsDialog

    journey = admin_journey
    page = open_page(journey)
    with journey.step("click 团队…"):
        journey.click(page.teams_button)
        teams = journey.dialog(TeamsDialog)
    assert teams.model.rowCount() == 1 and teams.model.row_data(0)["name"] == "家庭医生一队"
    with journey.step("add a second team"):
        journey.type(teams.name, "家庭医生二队")
        journey.click(teams.add_button)
        journey.wait_until(lambda: teams.model.rowCount() == 2)
    assert teams.notice.text() == "✓ 已添加团队 家庭医生二队。"
    assert teams.model.row_data(teams.table.currentIndex().row())["name"] == "家庭医生二队"
    shot_dialog(journey, teams, "contracts-teams-dialog")
    journey.click(next(b for b in teams.findChildren(type(teams.add_button)) if b.text() == "关闭"))
    with journey.step("click the first contract and 转团队…"):
        journey.click_row(page.contracts, 0)
        name = cell(page.contracts, "name")
        journey.click(page.transfer_button)
        dialog = journey.dialog(ChangeTeamDialog)
    assert [dialog.team.itemText(i) for i in range(dialog.team.count())] == ["家庭医生二队"]
    shot_dialog(journey, dialog, "contracts-change-team-dialog")
    with journey.step("confirm the change of team"):
        journey.click(dialog.ok_button)
        journey.wait_until(lambda: not dialog.isVisible())
    assert page.notice.text() == f"✓ {name} 的签约已转到 家庭医生二队。"
    assert cell(page.contracts, "name") == name and cell(page.contracts, "team") == "家庭医生二队"
    journey.shot("contracts-team-changed")


def test_worklists_and_ledger_tabs(journey: Journey, documents: Path) -> None:
    page = open_page(journey)
    with journey.step("click the worklists tab"):
        journey.click_tab(page.tabs, 1)
        journey.wait_until(lambda: page.work_model.columns)
    assert page.which.currentText() == "30天内到期待续约"
    with journey.step("choose 从未签约的居民 with the keyboard"):
        page.which.setFocus()
        journey.key(page.which, _qt().Key.Key_Down)
        journey.key(page.which, _qt().Key.Key_Down)
        journey.wait_until(lambda: page.work_model.rowCount() > 0)
    assert page.which.currentText() == "从未签约的居民"
    names = [page.work_model.row_data(r)["name_pinyin"] for r in range(page.work_model.rowCount())]
    assert names == sorted(names)
    journey.shot("contracts-worklists")
    with journey.step("click the ledger tab"):
        journey.click_tab(page.tabs, 2)
        if page.book is None:  # read on a worker: until it answers the page says so
            assert page.figures["heads"].text() == "正在读取台账…"
        journey.wait_until(lambda: page.book is not None and page.figures["heads"].text() != "正在读取台账…")
    assert page.figures["heads"].text().startswith("签约且参保：")
    assert "年度预算：" in page.figures["budget"].text() and page.chart.ledger is not None
    with journey.step("wait for the chart (its library loads off the GUI thread)"):
        journey.wait_until(
            lambda: page.chart.chart is not None and page.chart.chart.isVisible(), timeout=20_000
        )
    assert not page.chart.empty.isVisible()  # no "loading" or "no ledger" text over the bars
    journey.shot("contracts-ledger")
    from ui.qt import QFileDialog, QLineEdit

    with journey.step("click 导出Excel…"):
        journey.click(page.export_button)
        chooser = journey.dialog(QFileDialog)
    name_box = chooser.findChild(QLineEdit, "fileNameEdit")
    year = journey.today.year
    assert (
        Path(chooser.directory().absolutePath()) == documents and name_box.text() == f"人头费台账{year}.xlsx"
    )
    with journey.step("accept the name offered"):
        journey.key(name_box, _qt().Key.Key_Return)
        journey.wait_until(lambda: page.notice.text())
    target = documents / f"人头费台账{year}.xlsx"
    assert page.notice.text() == f"✓ {year} 年度台账已保存到 {target}。"
    from openpyxl import load_workbook

    assert load_workbook(target).sheetnames[0] == "汇总"


def test_the_selection_stays_in_sight_when_the_search_is_cleared(journey: Journey) -> None:
    """A contract picked in a search stays selected and scrolled into sight when ✕ clears the search; one the
    list no longer holds is dropped and the buttons go off — no button acts on a contract nobody sees."""
    from ui.qt import QToolButton

    page = open_page(journey)
    model, view = page.contract_model, page.contracts
    conn, clinic, year = journey.store.conn, journey.store.clinic_id, str(journey.today.year)
    first = C.contract_page(conn, clinic, year, limit=200)
    target = next(r for r in first[120:] if len(C.resident_page(conn, clinic, r["id_number"][-8:])) == 1)
    with journey.step("search the resident's ID digits and click the contract"):
        journey.type(page.finder, target["id_number"][-8:])
        journey.wait_until(lambda: 0 < model.rowCount() < 5)
        journey.click_row(view, next(r for r in range(model.rowCount()) if model.key_at(r) == target["id"]))
    assert view.current_key() == target["id"] and page.renew_button.isEnabled()
    clear = next(b for b in page.finder.findChildren(QToolButton) if b.isVisible())
    with journey.step("clear the search with ✕"):
        journey.click(clear)
        journey.wait_until(lambda: model.rowCount() >= 200)
    assert page.contract_count.text() == f"共 {C.count_contracts(conn, clinic, year):,} 份签约"
    assert view.current_key() == target["id"] and cell(view, "name") == target["name"]
    assert view.viewport().rect().contains(view.visualRect(model.index(view.currentIndex().row(), 0))), (
        "the selected contract is on screen"
    )
    journey.shot("contracts-selection-kept")
    far = C.contract_page(conn, clinic, year, after=C.contract_cursor(first[-1]), limit=400)[-1]
    with journey.step("search one beyond the first page, click it, clear the search"):
        journey.type(page.finder, far["id_number"][-8:])
        journey.wait_until(lambda: 0 < model.rowCount() < 5)
        journey.click_row(view, next(r for r in range(model.rowCount()) if model.key_at(r) == far["id"]))
        assert view.current_key() == far["id"]
        journey.click(next(b for b in page.finder.findChildren(QToolButton) if b.isVisible()))
        journey.wait_until(lambda: model.rowCount() >= 200)
    assert view.current_key() is None
    assert not any(
        b.isEnabled()
        for b in (page.renew_button, page.terminate_button, page.transfer_button, page.print_button)
    )


def test_the_worklist_says_how_many_it_holds(journey: Journey) -> None:
    page = open_page(journey)
    conn, clinic = journey.store.conn, journey.store.clinic_id
    with journey.step("click the worklists tab"):
        journey.click_tab(page.tabs, 1)
        journey.wait_until(lambda: page.work_model.columns and page.work_count.text())
    due = len(
        C.renewals_due(conn, clinic, journey.today, 30)
    )  # what `clinic contract worklist renewals` lists
    assert page.work_count.text() == f"本清单 {due:,} 人", "the real number, not 200+"
    journey.shot("contracts-worklist-count")
    with journey.step("choose 从未签约的居民"):
        page.which.setFocus()
        journey.key(page.which, _qt().Key.Key_Down)
        journey.key(page.which, _qt().Key.Key_Down)
        journey.wait_until(lambda: page.which.currentData() == "never")
    never = conn.execute(
        "SELECT count(*) FROM resident r WHERE r.clinic_id = ? AND r.deleted_at IS NULL AND NOT "
        "EXISTS (SELECT 1 FROM contract c WHERE c.resident_id = r.id AND c.deleted_at IS NULL)",
        (clinic,),
    ).fetchone()[0]
    assert page.work_count.text() == f"本清单 {never:,} 人"
