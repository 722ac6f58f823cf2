"""The 居民 page on the 2,000-resident demo clinic: searching as a doctor searches, and adding a resident."""

from __future__ import annotations

from typing import Any

from clinic_app.search import name_initials
from tests.journeys.conftest import Journey
from ui.qt import Qt
from ui.resident_dialog import ResidentDialog

GOOD_ID, WRONG_ID = "110105198001010016", "110105198001010017"  # the second's check character is wrong


def shown_names(page: Any) -> list[str]:
    table = page.table
    return [str(table.model().index(r, 0).data()).removesuffix(" ⚑") for r in range(table.model().rowCount())]


def current_name(page: Any) -> str:
    index = page.table.currentIndex()
    return str(index.siblingAtColumn(0).data()).removesuffix(" ⚑") if index.isValid() else ""


def test_search_by_pinyin_initials_then_down_into_the_results(journey: Journey) -> None:
    page = journey.nav_to("residents")
    with journey.step("type zs in the search box"):
        journey.type(page.search, "zs")
        journey.wait_until(lambda: page.count_label.text().startswith("找到"))
    names = shown_names(page)
    assert names, "the demo clinic has people with the initials zs"
    assert all(name_initials(n).startswith("zs") for n in names), names
    assert page.count_label.text() == f"找到 {len(names)}{'+' if page.model.canFetchMore() else ''} 人"
    with journey.step("press Down: into the results"):
        journey.key(page.search, Qt.Key.Key_Down)
        journey.wait_until(page.table.hasFocus)
    assert page.table.currentIndex().row() == 0 and current_name(page) == names[0]
    summary = page.household.summary.text().replace("\u00a0", " ")
    assert summary.startswith("户号 H") and " 人" in summary, "the first one's household is shown"
    journey.shot("journey-residents-household-selected")
    with journey.step("press Down, then Enter: that resident's record opens"):
        journey.key(page.table, Qt.Key.Key_Down)
        second = current_name(page)
        journey.key(page.table, Qt.Key.Key_Return)
        dialog = journey.dialog(ResidentDialog)
    assert dialog.windowTitle() == "编辑居民" and dialog.name.text() == second
    with journey.step("Escape closes it"):
        journey.key(dialog.name, Qt.Key.Key_Escape)
        journey.wait_until(lambda: not dialog.isVisible())
    journey.window.activateWindow()  # what the window manager does when the dialog closes
    journey.wait_until(journey.window.isActiveWindow)
    with journey.step("Up, Up: back in the search box"):
        journey.key(page.table, Qt.Key.Key_Up)
        journey.key(page.table, Qt.Key.Key_Up)
        journey.wait_until(page.search.hasFocus)
    assert page.search.text() == "zs"


def test_search_by_the_last_digits_of_the_id_number_finds_the_resident(journey: Journey) -> None:
    page = journey.nav_to("residents")
    name, id_number = journey.store.conn.execute(
        "SELECT name, id_number FROM resident WHERE id_number IS NOT NULL ORDER BY id LIMIT 1 OFFSET 700"
    ).fetchone()
    digits = id_number[-6:]
    with journey.step("type the last six digits of the ID card and Enter, as a scanner does"):
        journey.type(page.search, digits)
        journey.key(page.search, Qt.Key.Key_Return)
        journey.wait_until(lambda: current_name(page) != "")
    assert name in shown_names(page)
    masked = [str(page.model.index(r, 3).data()) for r in range(page.model.rowCount())]
    assert all(m.endswith(digits[-4:]) for m in masked), masked
    assert page.table.hasFocus() and page.table.currentIndex().row() == 0


def test_add_a_resident_wrong_id_then_right_confirmed_and_shown(journey: Journey) -> None:
    page = journey.nav_to("residents")
    with journey.step("search for someone else first"):
        journey.type(page.search, "wang")
        journey.wait_until(lambda: page.count_label.text().startswith("找到"))
    with journey.step("click 新增居民"):
        journey.click(page.add_button)
        dialog = journey.dialog(ResidentDialog)
    assert dialog.windowTitle() == "新增居民"
    dialog.activateWindow()
    journey.wait_until(dialog.isActiveWindow)
    height = dialog.height()
    journey.type(dialog.name, "司马晓明")
    with journey.step("type an ID number with a wrong check character and Tab on"):
        journey.type(dialog.id_number, WRONG_ID)
        journey.key(dialog.id_number, Qt.Key.Key_Tab)
        error = dialog.errors["id_number"]
        journey.wait_until(error.isVisible)
    assert "校验码" in error.text(), error.text()
    below = error.mapTo(dialog, error.rect().topLeft()).y()
    field = dialog.id_number.mapTo(dialog, dialog.id_number.rect().bottomLeft()).y()
    assert 0 <= below - field <= 6, "the message sits right under the ID field"
    journey.shot("journey-add-dialog-error", dialog)
    with journey.step("correct the ID number"):
        journey.key(dialog.id_number, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        journey.type(dialog.id_number, GOOD_ID)
        journey.key(dialog.id_number, Qt.Key.Key_Tab)
        journey.wait_until(lambda: not error.isVisible())
        journey.wait_until(lambda: dialog.height() == height)
    assert dialog.birth_date.text() == "1980-01-01" and dialog.sex.currentText() == "男", "read from the ID"
    journey.shot("journey-add-dialog-cleared", dialog)
    with journey.step("choose the village, a new household and the relation by keys"):
        journey.key(dialog.village, Qt.Key.Key_Down)
        journey.type(dialog.household, "H009999")
        journey.key(dialog.relation, Qt.Key.Key_Down)
    village = dialog.village.currentText()
    assert village != "—" and dialog.relation.currentText() == "户主"
    with journey.step("click 保存"):
        journey.click(dialog.buttons.button(dialog.buttons.StandardButton.Save))
        journey.wait_until(lambda: journey.window.residents.notice.text() == "✓ 已新增居民：司马晓明")
        journey.wait_until(lambda: current_name(page) == "司马晓明")
    assert not dialog.isVisible()
    assert page.search.text() == "司马晓明" and shown_names(page) == ["司马晓明"], (
        "shown despite the old search"
    )
    assert page.table.selectionModel().isRowSelected(page.table.currentIndex().row())
    row = page.table.currentIndex().row()
    assert page.model.index(row, 5).data() == village and page.model.index(row, 6).data() == "H009999"
    summary = page.household.summary.text().replace("\u00a0", " ")
    assert summary.startswith("户号 H009999") and summary.endswith("共 1 人")
    journey.shot("journey-residents-added")


def test_edit_a_resident_from_the_list_confirmed_and_the_change_shown(journey: Journey) -> None:
    page = journey.nav_to("residents")
    with journey.step("search by pinyin initials and pick the second person"):
        journey.type(page.search, "zs")
        journey.key(page.search, Qt.Key.Key_Return)
        journey.wait_until(lambda: page.model.rowCount() > 1)
        journey.click_row(page.table, 1)
    name = current_name(page)
    with journey.step("click 编辑"):
        journey.click(page.edit_button)
        dialog = journey.dialog(ResidentDialog)
    assert dialog.name.text() == name and dialog.id_number.text()
    with journey.step("type a new mobile number and save"):
        journey.key(dialog.phone, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        journey.type(dialog.phone, "13912345678")
        journey.click(dialog.buttons.button(dialog.buttons.StandardButton.Save))
        journey.wait_until(lambda: page.notice.text() == f"✓ 已保存 {name} 的修改。")
    assert not dialog.isVisible() and current_name(page) == name
    row = page.table.currentIndex().row()
    assert page.model.index(row, 4).data() == "13912345678"  # the list shows the new number


def test_the_place_an_id_number_names_is_shown_beside_it_as_the_doctor_types(journey: Journey) -> None:
    """RULES §1: the place the first six digits name, to confirm with the resident; an unknown county code a
    warning that saving passes, first two digits of no province refused. Typed in full-width digits, as a
    Chinese input method types them unless switched to half-width."""
    page = journey.nav_to("residents")
    with journey.step("click 新增居民"):
        journey.click(page.add_button)
        dialog = journey.dialog(ResidentDialog)
    dialog.activateWindow()
    journey.wait_until(dialog.isActiveWindow)
    journey.type(dialog.name, "欧阳春")
    place, error = dialog.place, dialog.errors["id_number"]
    with journey.step("type an ID number of 潮阳县 (a county since merged) in full-width digits"):
        journey.type(dialog.id_number, "４４０５２４１９９００１０１００１８")
        journey.wait_until(lambda: place.text() != "")
    assert place.text() == "发证地：广东省 潮阳县", place.text()
    assert dialog.id_number.text() == "440524199001010018", "the digits shown as 0-9"
    assert dialog.birth_date.text() == "1990-01-01" and dialog.sex.currentText() == "男", "read from the ID"
    shown = place.mapTo(dialog, place.rect().topLeft())
    field = dialog.id_number.mapTo(dialog, dialog.id_number.rect().topRight())
    assert shown.x() >= field.x() and abs(shown.y() - field.y()) < dialog.id_number.height(), (
        "beside the field"
    )
    journey.shot("journey-id-place-known", dialog)
    with journey.step("retype it with a county code no edition of GB/T 2260 has"):
        journey.key(dialog.id_number, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        journey.type(dialog.id_number, "449999199001010019")
        journey.key(dialog.id_number, Qt.Key.Key_Tab)
        journey.wait_until(lambda: "449999" in place.text())
    assert place.text() == "广东省；县级代码 449999 不在行政区划代码表中，请与居民核对。", place.text()
    assert not error.isVisible(), "a warning, not an error"
    journey.shot("journey-id-place-unknown-county", dialog)
    with journey.step("retype it with first digits that name no province"):
        journey.key(dialog.id_number, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        journey.type(dialog.id_number, "000000199001010018")
        journey.key(dialog.id_number, Qt.Key.Key_Tab)
        journey.wait_until(error.isVisible)
    assert error.text() == "前两位不是任何省级代码：有数字输错了。" and place.text() == ""
    journey.shot("journey-id-no-province", dialog)
    with journey.step("click 保存: nothing is written while the number is wrong"):
        journey.click(dialog.buttons.button(dialog.buttons.StandardButton.Save))
    assert dialog.isVisible()
    with journey.step("Escape closes it"):
        journey.key(dialog.name, Qt.Key.Key_Escape)
        journey.wait_until(lambda: not dialog.isVisible())


def test_a_second_head_of_a_household_is_refused_naming_the_current_head(journey: Journey) -> None:
    conn = journey.store.conn
    member = conn.execute(
        "SELECT r.id, r.name, r.id_number, r.household_id, h.name AS head, hh.code FROM resident r "
        "JOIN resident h ON h.household_id = r.household_id AND h.relation_to_head = 'head' AND h.deleted_at IS NULL "
        "JOIN household hh ON hh.id = r.household_id WHERE r.relation_to_head = 'spouse' AND r.deleted_at IS NULL "
        "AND r.id_number IS NOT NULL ORDER BY r.id LIMIT 1"
    ).fetchone()
    page = journey.nav_to("residents")
    with journey.step("search the spouse by the last digits of the ID number and click 编辑"):
        journey.type(page.search, member["id_number"][-8:])
        journey.key(page.search, Qt.Key.Key_Return)
        journey.wait_until(lambda: page.model.rowCount() == 1)
        journey.click_row(page.table, 0)
        journey.click(page.edit_button)
        dialog = journey.dialog(ResidentDialog)
    with journey.step("choose 户主 as the relation and save"):
        journey.key(dialog.relation, Qt.Key.Key_Home)
        journey.key(dialog.relation, Qt.Key.Key_Down)
        assert dialog.relation.currentText() == "户主"
        journey.click(dialog.buttons.button(dialog.buttons.StandardButton.Save))
        error = dialog.errors["relation_to_head"]
        journey.wait_until(error.isVisible)
    assert dialog.isVisible(), "not saved"
    assert error.text() == (
        f"户号 {member['code']} 已有户主：{member['head']}。请先修改 {member['head']} 与户主的关系。"
    ), error.text()
    journey.shot("journey-second-head-refused", dialog)
    row = conn.execute("SELECT relation_to_head FROM resident WHERE id = ?", (member["id"],)).fetchone()
    assert row[0] == "spouse", "nothing written"
