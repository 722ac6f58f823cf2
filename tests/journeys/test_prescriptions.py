"""The 长处方 page as a village doctor uses it on the 2,000-resident demo clinic (issue 13 point 7): issuing (an
excluded drug refused naming its class, 42 days held for the patient's signature, then signed), dispensing with
trace codes typed + Enter into the scan field (a box scanned twice and a box sold before refused with the reason
and where it was sold, days over the prescription refused naming the rule), the refill worklist, the drug history
and stopping a prescription."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from clinic_app import chronic_records as H
from clinic_app import rx_records as X
from clinic_app.clinic import clinic_name
from tests.journeys.conftest import Journey

AMLODIPINE = "XC08CA01A0010101010001"  # demo catalog: 28 tablets a box, trace product id 8100001
AMOXICILLIN = "XJ01CA04A0770101010077"  # an antimicrobial: never on a long-term prescription
GLARGINE = "XA10AE04A0430101010043"  # insulin glargine: 300 units a pen, package unit 支
REFILLS, AWAITING = 0, 1


def _qt() -> Any:
    from ui.qt import Qt

    return Qt


def box(serial: int) -> str:
    return f"8100001{serial:013d}"


def stable_patients(
    journey: Journey, on: dt.date | None = None, disease: str = "hypertension"
) -> Iterator[dict[str, Any]]:
    """Demo patients under management for ``disease`` whose last face-to-face follow-up (by ``on``, default
    today) was controlled."""
    conn = journey.store.conn
    rows = conn.execute(
        "SELECT g.resident_id, r.name, r.id_number FROM disease_registration g JOIN resident r ON r.id = g.resident_id "
        "WHERE g.disease = ? AND g.management = 'continue' AND g.deleted_at IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM prescription p WHERE p.resident_id = g.resident_id) ORDER BY r.id_number",
        (disease,),
    ).fetchall()
    for r in rows:
        last = H.previous_face_to_face(
            conn, r["resident_id"], disease, (on or journey.today) + dt.timedelta(days=1)
        )
        if last is not None and last["classification"] == "controlled":
            yield dict(r)


def unstable_patient(journey: Journey) -> dict[str, Any]:
    """A demo patient under hypertension management whose last face-to-face follow-up was not controlled."""
    conn = journey.store.conn
    for r in conn.execute(
        "SELECT g.resident_id, r.name, r.id_number FROM disease_registration g "
        "JOIN resident r ON r.id = g.resident_id WHERE g.disease = 'hypertension' AND g.management = 'continue' "
        "AND g.deleted_at IS NULL ORDER BY r.id_number"
    ).fetchall():
        last = H.previous_face_to_face(
            conn, r["resident_id"], "hypertension", journey.today + dt.timedelta(days=1)
        )
        if last is not None and last["classification"] != "controlled":
            return {**dict(r), "visit_date": last["visit_date"]}
    raise AssertionError("the demo has no unstable hypertension patient")


def issue_for(journey: Journey, patient: dict[str, Any], on: dt.date | None = None) -> dict[str, Any]:
    return X.issue(
        journey.store,
        journey.user,
        patient["resident_id"],
        "hypertension",
        [X.ItemInput(AMLODIPINE, "1", 1)],
        84,
        signed=True,
        assessment="血压控制满意，依从性好",
        on=on,
        today=on,  # a prescription of the past was entered on its day
    )


def open_page(journey: Journey) -> Any:
    with journey.step("open the 长处方 page"):
        page = journey.nav_to("prescriptions")
        journey.wait_until(lambda: page.loaded > 0)
    return page


def row_of(page: Any, which: str, test: Any) -> int:
    model = page.models[which]
    for row in range(model.rowCount()):
        if test(model.row_data(row)):
            return row
    return -1


def shot(journey: Journey, widget: Any, name: str) -> None:
    journey.qtbot.wait(50)
    journey.shot(name, widget=widget)


def test_issue_refuses_an_excluded_drug_holds_42_days_for_the_signature_then_signed(journey: Journey) -> None:
    from ui.qt import QPoint
    from ui.rx_dialogs import IssueDialog, SignDialog

    Qt = _qt()
    patient = next(stable_patients(journey))
    page = open_page(journey)
    journey.shot("prescriptions-page")
    with journey.step("click 开长处方…"):
        journey.click(page.issue_button)
        dialog = journey.dialog(IssueDialog)
    unstable = unstable_patient(journey)
    with journey.step("type an unstable patient's ID number and press Enter"):
        journey.type(dialog.finder, unstable["id_number"])
        journey.key(dialog.finder, Qt.Key.Key_Return)
        journey.wait_until(dialog.error.isVisible)
    assert dialog.error.text() == (
        f"最近一次面对面随访（{unstable['visit_date']}）控制不满意：长期处方仅适用于病情稳定的患者。"
    )
    dialog.finder.selectAll()
    with journey.step("type the ID number and press Enter"):
        journey.type(dialog.finder, patient["id_number"])
        journey.key(dialog.finder, Qt.Key.Key_Return)
        journey.wait_until(lambda: patient["name"] in dialog.who.text())  # looked up on a worker
    assert not dialog.error.isVisible()
    assert dialog.disease.currentText() == "高血压"
    with journey.step("search amoxicillin by its code and press Enter"):
        journey.type(dialog.search, AMOXICILLIN[:10])
        journey.wait_until(lambda: dialog.results.count() > 0)
        journey.key(dialog.search, Qt.Key.Key_Return)
        journey.wait_until(dialog.error.isVisible)
    assert dialog.error.text() == "阿莫西林胶囊 属于抗菌药物（结核病用药除外）：不得开具长期处方。"
    assert dialog.lines == []
    shot(journey, dialog, "prescriptions-issue-refused")
    with journey.step("search amlodipine by pinyin initials and press Enter"):
        dialog.search.clear()
        journey.type(dialog.search, "bhsaldp")
        # the search runs on a worker: the list shows the answer to what was typed last
        journey.wait_until(lambda: not dialog.searching and dialog.results.count() > 0)
        assert dialog.results.item(0).text().startswith("苯磺酸氨氯地平片")
        journey.key(dialog.search, Qt.Key.Key_Return)
        journey.wait_until(lambda: len(dialog.lines) == 1)
    assert not dialog.error.isVisible()
    line = dialog.lines[0]
    assert line.packages.text() == "1 盒"  # 1 tablet a day for 28 days: one box of 28
    with journey.step("type 2 tablets a time: the packages follow"):
        line.dose.selectAll()
        journey.type(line.dose, "2")
    assert line.packages.text() == "2 盒"
    with journey.step("add levamlodipine: a warning of two drugs of one class"):
        journey.type(dialog.search, "bhszaldp")
        journey.wait_until(lambda: dialog.results.count() > 0)
        journey.key(dialog.search, Qt.Key.Key_Return)
        journey.wait_until(lambda: len(dialog.lines) == 2)
    assert (
        dialog.warnings.text()
        == "⚠ 苯磺酸氨氯地平片 与 苯磺酸左氨氯地平片 为同类药物（C08CA）：是否重复用药？"
    )
    with journey.step("click 移除 on levamlodipine: the warning goes"):
        journey.click(dialog.lines[1].remove)
        journey.wait_until(lambda: len(dialog.lines) == 1)
    assert dialog.warnings.text() == ""
    assert line.route_choice.currentText() == "口服", "a tablet is taken by mouth"
    with journey.step("add insulin glargine: its route defaults from 注射剂 to 皮下注射 (trial F3)"):
        journey.type(dialog.search, "gjyds")
        journey.wait_until(lambda: not dialog.searching and dialog.results.count() > 0)
        assert dialog.results.item(0).text().startswith("甘精胰岛素注射液")
        journey.key(dialog.search, Qt.Key.Key_Return)
        journey.wait_until(lambda: len(dialog.lines) == 2)
    assert (
        dialog.lines[1].route_choice.currentText() == "皮下注射" and dialog.lines[1].route == "subcutaneous"
    )
    shot(journey, dialog, "prescriptions-issue-insulin-route")
    with journey.step("click 移除 on the insulin"):
        journey.click(dialog.lines[1].remove)
        journey.wait_until(lambda: len(dialog.lines) == 1)
    with journey.step("type 42 days: the signature rule shows"):
        dialog.days.selectAll()
        journey.type(dialog.days, "42")
    assert dialog.days.value() == 42
    assert line.packages.text() == "3 盒"  # 84 tablets
    assert dialog.rule.text().startswith("超过 28 天：须填写医生评估并由患者签字。")
    assert dialog.signed.isEnabled() and not dialog.signed.isChecked()
    with journey.step("type 90 days: refused over 12 weeks, as typed"):
        dialog.days.selectAll()
        journey.type(dialog.days, "90")
    assert dialog.rule.text() == "90 天超过 84 天（12 周）：长期处方最长不超过 12 周。"
    dialog.days.selectAll()
    journey.type(dialog.days, "42")
    journey.type(dialog.assessment, "血压控制满意")
    shot(journey, dialog, "prescriptions-issue")
    with journey.step("Ctrl+Enter issues it, unsigned"):
        journey.key(dialog.days, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        journey.wait_until(lambda: not dialog.isVisible())
        journey.wait_until(lambda: row_of(page, "awaiting", lambda r: r["name"] == patient["name"]) >= 0)
    assert page.notice.text() == f"✓ 已为 {patient['name']} 开具长期处方 42 天：待患者签字后生效。"
    assert page.tabs.currentIndex() == AWAITING
    status = journey.store.conn.execute(
        "SELECT status_on_issue FROM prescription WHERE resident_id = ?", (patient["resident_id"],)
    ).fetchone()[0]
    assert status == "awaiting_signature"
    with journey.step("select the prescription and press Enter: the signature"):
        at = row_of(page, "awaiting", lambda r: r["name"] == patient["name"])
        journey.click_row(page.views["awaiting"], at)
        journey.wait_until(lambda: page.sign_button.isEnabled())
        journey.key(page.views["awaiting"], Qt.Key.Key_Return)
        sign = journey.dialog(SignDialog)
    assert not sign.ok_button.isEnabled()
    assert sign.assessment.text() == "血压控制满意"
    with journey.step("tick 患者已在处方上签字"):
        journey.qtbot.mouseClick(
            sign.signed, Qt.MouseButton.LeftButton, pos=QPoint(8, sign.signed.height() // 2)
        )
    assert sign.signed.isChecked() and sign.ok_button.isEnabled()
    shot(journey, sign, "prescriptions-sign")
    assert sign.ok_button.text() == "确认签字"
    with journey.step("click 确认签字"):
        journey.click(sign.ok_button)
        journey.wait_until(lambda: not sign.isVisible())
        journey.wait_until(lambda: row_of(page, "awaiting", lambda r: r["name"] == patient["name"]) < 0)
    assert page.notice.text() == f"✓ {patient['name']} 已签字：处方生效。"
    with journey.step("the refills tab: the new prescription, nothing dispensed yet"):
        journey.click_tab(page.tabs, REFILLS)
    at = row_of(page, "refills", lambda r: r["name"] == patient["name"])
    assert at >= 0
    assert page.models["refills"].row_data(at)["reasons"] == ["not_dispensed"]


def test_dispense_with_scanned_codes_a_duplicate_refused_with_its_reason(journey: Journey) -> None:
    from ui.qt import QPoint
    from ui.rx_dialogs import DispenseDialog

    Qt = _qt()
    first, second = list(stable_patients(journey))[:2]
    sold = issue_for(journey, first)
    X.dispense(journey.store, journey.user, sold["id"], 28, [box(1)])
    rx = issue_for(journey, second)
    here = clinic_name(journey.store.conn, journey.store.clinic_id)
    page = open_page(journey)
    at = row_of(page, "refills", lambda r: r["prescription_id"] == rx["id"])
    assert at >= 0, "a prescription with nothing dispensed is on the refill worklist"
    assert (
        row_of(page, "refills", lambda r: r["prescription_id"] == sold["id"]) < 0
    )  # 28 days last beyond a week
    with journey.step("select the patient and press Enter"):
        journey.click_row(page.views["refills"], at)
        journey.wait_until(lambda: page.dispense_button.isEnabled())
        journey.key(page.views["refills"], Qt.Key.Key_Return)
        dialog = journey.dialog(DispenseDialog)
    journey.wait_until(lambda: dialog.scan.hasFocus())
    assert dialog.days.value() == 28
    assert dialog.quantity.text() == "苯磺酸氨氯地平片：1 盒"
    with journey.step("type 2 boxes: the days follow, then back to 28 days"):
        dialog.packages.selectAll()
        journey.type(dialog.packages, "2")
        assert dialog.days.value() == 56 and dialog.quantity.text() == "苯磺酸氨氯地平片：2 盒"
        dialog.days.selectAll()
        journey.type(dialog.days, "28")
    assert dialog.packages.value() == 1
    with journey.step("scan a box: its code and Enter"):
        journey.type(dialog.scan, box(2))
        journey.key(dialog.scan, Qt.Key.Key_Return)
    assert [dialog.boxes.item(i).text() for i in range(dialog.boxes.count())] == [box(2)]
    assert dialog.scan.hasFocus() and dialog.scan.text() == ""
    with journey.step("scan the same box again"):
        journey.type(dialog.scan, box(2))
        journey.key(dialog.scan, Qt.Key.Key_Return)
        journey.wait_until(dialog.error.isVisible)
    assert dialog.error.text() == f"{box(2)}：此盒已在列表中。"
    with journey.step("scan a box sold to another patient"):
        journey.type(dialog.scan, box(1))
        journey.key(dialog.scan, Qt.Key.Key_Return)
    today = journey.today.isoformat()
    assert dialog.error.text() == (
        f"{box(1)}：此追溯码已售出（一盒一码）。该码已于 {today} 在 {here} 售出（{first['name']}）。"
    )
    assert dialog.boxes.count() == 1
    assert dialog.scan.hasFocus()
    shot(journey, dialog, "prescriptions-dispense-refused")
    with journey.step("tick 拆零 and scan the sold box again: a whole box sold before stays refused"):
        journey.qtbot.mouseClick(
            dialog.split, Qt.MouseButton.LeftButton, pos=QPoint(8, dialog.split.height() // 2)
        )
        assert dialog.split.isChecked()
        journey.type(dialog.scan, box(1))
        journey.key(dialog.scan, Qt.Key.Key_Return)
    assert dialog.error.text().startswith(f"{box(1)}：此追溯码已售出（一盒一码）。")
    assert dialog.boxes.count() == 1
    journey.qtbot.mouseClick(
        dialog.split, Qt.MouseButton.LeftButton, pos=QPoint(8, dialog.split.height() // 2)
    )
    assert not dialog.split.isChecked()
    with journey.step("scan one more box, select it and click 移除此盒"):
        journey.type(dialog.scan, box(3))
        journey.key(dialog.scan, Qt.Key.Key_Return)
        assert dialog.boxes.count() == 2
        journey.click_row(dialog.boxes, 1)
        journey.click(dialog.remove_button)
    assert [dialog.boxes.item(i).text() for i in range(dialog.boxes.count())] == [box(2)]
    assert dialog.scanned.text() == "已扫描 1 盒"
    assert dialog.scan.hasFocus()
    with journey.step("scan a code of another family: accepted unverified"):
        journey.type(dialog.scan, "ABC123456")
        journey.key(dialog.scan, Qt.Key.Key_Return)
    assert dialog.boxes.item(1).text() == "ABC123456 — 未校验：非 20 位追溯码，无法校验"
    assert not dialog.error.isVisible()
    shot(journey, dialog, "prescriptions-dispense")
    with journey.step("90 days: refused at save naming the rule"):
        dialog.days.selectAll()
        journey.type(dialog.days, "90")
        journey.click(dialog.ok_button)
        journey.wait_until(dialog.error.isVisible)
    assert dialog.error.text() == "超过处方剩余天数（共 84 天，剩余 84 天）。"
    with journey.step("28 days (1 box) with 2 boxes scanned: Ctrl+Enter refused naming both numbers"):
        dialog.days.selectAll()
        journey.type(dialog.days, "28")
        journey.key(dialog.scan, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        journey.wait_until(lambda: "请逐盒扫码" in dialog.error.text())
    assert dialog.error.text() == "请逐盒扫码：已扫 2 盒，本次应发 1 盒。" and dialog.isVisible()
    with journey.step("2 boxes (56 days), Ctrl+Enter dispenses"):
        dialog.packages.selectAll()
        journey.type(dialog.packages, "2")
        journey.key(dialog.scan, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        journey.wait_until(lambda: not dialog.isVisible())
        journey.wait_until(lambda: row_of(page, "refills", lambda r: r["prescription_id"] == rx["id"]) < 0)
    assert page.notice.text() == f"✓ {second['name']}：已发药 56 天，2 盒；处方剩余 28 天。"
    codes = journey.store.conn.execute(
        "SELECT c.code FROM dispensing_code c JOIN dispensing d ON d.id = c.dispensing_id "
        "WHERE d.prescription_id = ? ORDER BY c.code",
        (rx["id"],),
    ).fetchall()
    assert [c[0] for c in codes] == [box(2), "ABC123456"]


def test_dispensing_insulin_counts_pens_in_the_catalogs_package_unit(journey: Journey) -> None:
    """Trial F4: an insulin pen is a 支 in the catalog; the dispensing dialog and the drug history say 支, not 盒."""
    Qt = _qt()
    patient = next(stable_patients(journey, disease="diabetes"))
    rx = X.issue(
        journey.store,
        journey.user,
        patient["resident_id"],
        "diabetes",
        [X.ItemInput(GLARGINE, "10", 1)],
        28,
        on=journey.today,
    )
    page = open_page(journey)
    at = row_of(page, "refills", lambda r: r["prescription_id"] == rx["id"])
    assert at >= 0
    with journey.step("select the insulin patient and press Enter"):
        journey.click_row(page.views["refills"], at)
        journey.wait_until(lambda: page.dispense_button.isEnabled())
        journey.key(page.views["refills"], Qt.Key.Key_Return)
        dialog = journey.dialog(_dispense_dialog())
    journey.wait_until(lambda: dialog.scan.hasFocus())
    from ui.qt import QLabel

    labels = [w.text() for w in dialog.findChildren(QLabel)]
    assert "甘精胰岛素注射液 数量（支）" in labels, labels
    assert "每次 10 单位" in "".join(labels) and "1E+1" not in "".join(labels), "a dose of 10 units is 10"
    assert dialog.quantity.text() == "甘精胰岛素注射液：1 支"  # 10 units a day × 28 days of a 300-unit pen
    with journey.step("type 2 pens: the days follow"):
        dialog.packages.selectAll()
        journey.type(dialog.packages, "2")
    assert dialog.days.value() == 60 and dialog.quantity.text() == "甘精胰岛素注射液：2 支"  # 600 units
    assert not [t for t in labels if "盒数" in t]
    shot(journey, dialog, "prescriptions-dispense-insulin-pens")
    journey.key(dialog.scan, Qt.Key.Key_Escape)
    journey.wait_until(lambda: not dialog.isVisible())


def _dispense_dialog() -> Any:
    from ui.rx_dialogs import DispenseDialog

    return DispenseDialog


def test_refill_worklist_horizon_history_and_stop(journey: Journey, qtmodeltester: Any) -> None:
    from ui.rx_dialogs import DispenseDialog, HistoryDialog, StopDialog

    day = journey.today - dt.timedelta(days=25)
    earlier = day.isoformat()
    patient = next(stable_patients(journey, day))
    rx = issue_for(journey, patient, day)
    X.dispense(journey.store, journey.user, rx["id"], 28, [box(7)], on=earlier)  # runs out in 3 days
    page = open_page(journey)
    at = row_of(page, "refills", lambda r: r["prescription_id"] == rx["id"])
    assert at >= 0
    runs_out = (journey.today + dt.timedelta(days=3)).isoformat()
    model = page.models["refills"]
    qtmodeltester.check(model)
    names = [c.name for c in model.columns]
    assert model.data(model.index(at, names.index("why"))) == f"{runs_out} 用完"
    assert model.data(model.index(at, names.index("left"))) == "56"
    with journey.step("a horizon of 2 days: the row leaves the list"):
        before = page.loaded
        page.horizon.selectAll()
        journey.type(page.horizon, "2")
        journey.wait_until(
            lambda: page.loaded > before and page.reading is not None and not page.reading.running
        )
        journey.idle()
    assert row_of(page, "refills", lambda r: r["prescription_id"] == rx["id"]) < 0
    with journey.step("back to 7 days"):
        page.horizon.selectAll()
        journey.type(page.horizon, "7")
        journey.wait_until(lambda: row_of(page, "refills", lambda r: r["prescription_id"] == rx["id"]) >= 0)
    shot(journey, journey.window, "prescriptions-refills")
    with journey.step("click the row and 发药…, then 取消"):
        journey.click_row(
            page.views["refills"], row_of(page, "refills", lambda r: r["prescription_id"] == rx["id"])
        )
        journey.wait_until(lambda: page.dispense_button.isEnabled())
        journey.click(page.dispense_button)
        dispense = journey.dialog(DispenseDialog)
        assert dispense.days.value() == 28 and dispense.boxes.count() == 0
        dispense.reject()
    with journey.step("click the row and 用药史…"):
        journey.click_row(
            page.views["refills"], row_of(page, "refills", lambda r: r["prescription_id"] == rx["id"])
        )
        journey.wait_until(lambda: page.history_button.isEnabled())
        journey.click(page.history_button)
        history = journey.dialog(HistoryDialog)
        journey.wait_until(lambda: history.loaded)
    text = history.text.toPlainText()
    assert f"{patient['name']} 的用药史" in text
    assert "苯磺酸氨氯地平片 5mg：每次 1 片，每日 1 次 — 3 盒" in text
    assert f"{earlier} 发药 28 天" in text
    shot(journey, history, "prescriptions-history")
    history.accept()
    with journey.step("停用… without a reason, then with one"):
        journey.click(page.stop_button)
        stop = journey.dialog(StopDialog)
        journey.click(stop.ok_button)
        journey.wait_until(stop.error.isVisible)
        assert stop.error.text() == "请填写停用原因。"
        journey.type(stop.reason, "血压控制不佳，转上级医院调整用药")
        journey.click(stop.ok_button)
        journey.wait_until(lambda: not stop.isVisible())
        journey.wait_until(lambda: row_of(page, "refills", lambda r: r["prescription_id"] == rx["id"]) < 0)
    assert page.notice.text() == f"✓ {patient['name']} 的处方已停用。"
    assert X.get_prescription(journey.store.conn, rx["id"])["status"] == "stopped"
