"""Long-term prescriptions stored (clinic_app.rx_records; issue 13 points 2, 3, 5): issuing for a registered, stable
patient, the signature, stopping, installments with trace codes (one box, one sale; split-pack reuse), the refill
worklist — each a unit of work with its outbox, nothing written on a refusal."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from clinic_app import catalog, drugs, users
from clinic_app import chronic_records as H
from clinic_app import residents as R
from clinic_app import rx_records as X
from clinic_app.errors import ValidationError
from clinic_app.idcard import check_character

from .conftest import Clinic

TODAY = dt.date(2026, 11, 28)
AMLODIPINE = "XC08CA01A0010101010001"  # 28 tablets, trace product id 8100001
METFORMIN = "XA10BA02A0260101010026"  # 20 tablets, 8100002
AMOXICILLIN = "XJ01CA04A0770101010077"
ISONIAZID = "XJ04AC01A0740101010074"
CODE = "81000010000000000001"  # RULES §9


def id_number(born: str) -> str:
    first = "110105" + born.replace("-", "") + "002"
    return first + check_character(first)


def code_of(c: Clinic, name: str) -> str:
    row = c.store.conn.execute("SELECT code FROM drug WHERE name = ?", (name,)).fetchone()
    return str(row[0])


@pytest.fixture
def rx(clinic: Clinic) -> Clinic:
    store, admin = clinic.store, clinic.admin
    users.add_user(store, admin, "doctor", "village_doctor", "doctor-pass-1", display_name="李医生")
    vid = R.add_village(store, admin, "石头村")
    R.add_resident(
        store, admin, R.ResidentInput(name="张三", id_number=id_number("1960-03-10"), village_id=vid)
    )
    catalog.install_catalog(store, drugs.read_catalog_file(catalog.demo_catalog_file()))
    H.register(store, doctor(clinic), rid(clinic), "hypertension", "I10", "2025-01-10", today=TODAY)
    visit(clinic, "2026-11-01", 132, 84)
    return clinic


def doctor(c: Clinic) -> users.User:
    found = users.find_user(c.store.conn, c.store.clinic_id, "doctor")
    assert found is not None
    return found


def rid(c: Clinic) -> str:
    return str(c.store.conn.execute("SELECT id FROM resident WHERE name = '张三'").fetchone()[0])


def visit(c: Clinic, day: str, sbp: int, dbp: int) -> None:
    H.add_followup(
        c.store,
        doctor(c),
        H.FollowupInput(rid(c), "hypertension", day, "clinic", sbp_1=sbp, dbp_1=dbp),
        today=TODAY,
    )


def issue(c: Clinic, days: int = 84, *lines: X.ItemInput, **kw: Any) -> dict[str, Any]:
    kw.setdefault("signed", True)
    kw.setdefault("assessment", "血压控制满意，用药依从性好")
    kw.setdefault("on", "2026-11-02")
    kw.setdefault("today", dt.date.fromisoformat(kw["on"]))  # entered on its day
    return X.issue(
        c.store,
        doctor(c),
        rid(c),
        "hypertension",
        lines or (X.ItemInput(AMLODIPINE, "1", 1),),
        days,
        **kw,
    )


def dispense(c: Clinic, rx_id: str, days: int, *codes: str, **kw: Any) -> dict[str, Any]:
    kw.setdefault("on", "2026-11-02")
    return X.dispense(c.store, doctor(c), rx_id, days, codes or (CODE,), today=TODAY, **kw)


def count(c: Clinic, table: str) -> int:
    return int(c.store.conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])


def refused(call: Any, *args: Any, **kw: Any) -> ValidationError:
    with pytest.raises(ValidationError) as err:
        call(*args, **kw)
    return err.value


def test_84_days_signed_is_active_with_whole_packages_and_its_outbox(rx: Clinic) -> None:
    result = issue(rx, 84)
    assert result["status"] == "active" and result["items"][0]["packages"] == 3
    assert result["valid_until"] == "2027-02-01"
    outbox = {r[0] for r in rx.store.conn.execute("SELECT table_name FROM outbox")}
    assert {"prescription", "prescription_item"} <= outbox
    assert X.get_prescription(rx.store.conn, result["id"])["status"] == "active"


def test_42_days_unsigned_is_held_and_dispenses_nothing_until_signed(rx: Clinic) -> None:
    result = issue(rx, 42, signed=False)
    assert result["status"] == "awaiting_signature"
    assert refused(dispense, rx, result["id"], 28).rule == "unsigned"
    assert X.sign(rx.store, doctor(rx), result["id"], today=TODAY)["status"] == "active"
    assert X.get_prescription(rx.store.conn, result["id"])["status"] == "active"
    assert dispense(rx, result["id"], 28)["left_days"] == 14


def test_signing_needs_an_assessment(rx: Clinic) -> None:
    result = issue(rx, 42, signed=False, assessment=None)
    assert refused(X.sign, rx.store, doctor(rx), result["id"], today=TODAY).rule == "assessment_required"
    assert X.sign(rx.store, doctor(rx), result["id"], assessment="稳定", today=TODAY)["status"] == "active"


@pytest.mark.parametrize(
    ("days", "lines", "rule"),
    [
        (85, (), "over_max_days"),
        (28, (X.ItemInput(AMOXICILLIN, "2", 3),), "excluded_antimicrobial"),
        (28, (X.ItemInput("XN02AA01A0800101010080", "1", 2),), "excluded_narcotic"),
        (28, (X.ItemInput("XZZZZ", "1", 1),), "unknown_drug"),
        (28, (X.ItemInput(AMLODIPINE, "0", 1),), "range"),
        (28, (X.ItemInput(AMLODIPINE, "1", 1), X.ItemInput(AMLODIPINE, "1", 1)), "duplicate"),
    ],
)
def test_refusals_name_the_rule_and_write_nothing(
    rx: Clinic, days: int, lines: tuple[Any, ...], rule: str
) -> None:
    before = count(rx, "outbox")
    assert refused(issue, rx, days, *lines).rule == rule
    assert count(rx, "prescription") == 0 and count(rx, "outbox") == before


def test_isoniazid_is_allowed(rx: Clinic) -> None:
    assert issue(rx, 28, X.ItemInput(ISONIAZID, "3", 1))["status"] == "active"


def test_an_unstable_or_unregistered_patient_is_refused(rx: Clinic) -> None:
    visit(rx, "2026-11-10", 150, 96)
    assert refused(issue, rx, 28, on="2026-11-12").rule == "not_stable"
    assert issue(rx, 28, on="2026-11-05")["status"] == "active", "stable on the day it was entered"
    H.end_management(
        rx.store,
        doctor(rx),
        H.registration(rx.store.conn, rid(rx), "hypertension")["id"],
        "lost",
        "搬走",
        today=TODAY,
    )  # type: ignore[index]
    assert refused(issue, rx, 28).rule == "not_registered"


def test_a_backdated_prescription_is_judged_on_the_follow_ups_known_today(rx: Clinic) -> None:
    """Trial F4: dated before an uncontrolled follow-up, entered after it: refused, nothing written."""
    visit(rx, "2026-11-10", 150, 96)
    before = count(rx, "outbox")
    error = refused(issue, rx, 84, on="2026-11-08", today=dt.date(2026, 11, 12))
    assert error.rule == "not_stable" and error.details["visit_date"] == "2026-11-10"
    assert count(rx, "prescription") == 0 and count(rx, "outbox") == before
    visit(rx, "2026-11-12", 132, 84)
    assert issue(rx, 84, on="2026-11-08", today=dt.date(2026, 11, 12))["status"] == "active", (
        "controlled again by the day it is entered"
    )


def test_a_prescription_is_dated_at_most_the_countys_days_back(rx: Clinic) -> None:
    today = dt.date(2026, 11, 12)
    error = refused(issue, rx, 28, on="2026-11-04", today=today)
    assert error.field == "date" and error.rule == "too_far_back"
    assert error.details == {"earliest": "2026-11-05", "days": "7"}
    assert count(rx, "prescription") == 0
    assert issue(rx, 28, on="2026-11-05", today=today)["status"] == "active"
    from clinic_app.contracts import install_reference

    install_reference(rx.store, policy={"rx.issue_back_days": ("0", "2020-01-01")})  # 0: only today
    in_force = X.in_force(rx.store.conn, rid(rx), "hypertension", today)
    assert in_force is not None
    X.stop(rx.store, doctor(rx), in_force["id"], "换药", today=today)
    assert refused(issue, rx, 28, on="2026-11-11", today=today).rule == "too_far_back"
    assert issue(rx, 28, on="2026-11-12", today=today)["status"] == "active"


def test_the_county_can_withhold_a_first_issue_from_village_doctors(rx: Clinic) -> None:
    from clinic_app.contracts import install_reference

    install_reference(rx.store, policy={"rx.village_doctor_first_issue": ("0", "2020-01-01")})
    assert refused(issue, rx, 28).rule == "issuing_rights"


def test_warnings_for_two_of_one_class_special_storage_and_an_allergy(rx: Clinic) -> None:
    lines = (
        X.ItemInput(code_of(rx, "盐酸二甲双胍片"), "1", 2),
        X.ItemInput(code_of(rx, "盐酸二甲双胍缓释片"), "1", 1),
        X.ItemInput(code_of(rx, "甘精胰岛素注射液"), "12", 1, "subcutaneous"),
    )
    result = issue(rx, 28, *lines, allergies="二甲双胍")
    assert {w["code"] for w in result["warnings"]} == {"allergy", "same_class", "special_storage"}


def test_installments_up_to_exactly_the_prescribed_days_then_one_more_is_refused(rx: Clinic) -> None:
    rx_id = issue(rx, 56)["id"]
    dispense(rx, rx_id, 28, "81000010000000000001", on="2026-11-02")
    assert refused(dispense, rx, rx_id, 28, "81000010000000000002", on="2026-11-20").rule == "too_early"
    done = dispense(rx, rx_id, 28, "81000010000000000002", on="2026-11-23")
    assert done["left_days"] == 0 and done["next_from"] is None
    assert (
        refused(dispense, rx, rx_id, 1, "81000010000000000003", on="2026-11-20").rule == "over_prescription"
    )


def test_a_code_sold_twice_is_blocked_locally(rx: Clinic) -> None:
    first = issue(rx, 84)["id"]
    dispense(rx, first, 28, CODE)
    before = count(rx, "dispensing")
    err = refused(dispense, rx, first, 28, CODE, on="2026-11-25")
    assert err.rule == "duplicate_code" and CODE in err.message
    assert count(rx, "dispensing") == before


def test_a_split_pack_reuses_its_code_until_the_units_are_used(rx: Clinic) -> None:
    rx_id = issue(rx, 84, X.ItemInput(AMLODIPINE, "1", 1))["id"]  # 28 tablets a box
    dispense(rx, rx_id, 14, CODE, split_pack=True, on="2026-11-02")
    dispense(rx, rx_id, 14, CODE, split_pack=True, on="2026-11-12")  # 14 + 14 = the box
    err = refused(dispense, rx, rx_id, 14, CODE, split_pack=True, on="2026-11-20")
    assert err.rule == "duplicate_code" and "used up" in err.message


def test_trace_codes_of_other_families_are_unverified_with_the_reason_and_products_checked(
    rx: Clinic,
) -> None:
    rx_id = issue(rx, 84)["id"]
    result = dispense(rx, rx_id, 28, "(01)06901234567892(21)X1")
    assert result["codes"][0]["verified"] is False and "not checked" in result["codes"][0]["reason"]
    wrong = "81000020000000000001"  # metformin's product id: not on this prescription
    assert refused(dispense, rx, rx_id, 28, wrong, on="2026-11-23").rule == "wrong_product"


def test_nothing_from_a_stopped_or_expired_prescription(rx: Clinic) -> None:
    rx_id = issue(rx, 28)["id"]
    X.stop(rx.store, doctor(rx), rx_id, "血压控制不佳，换药", today=TODAY)
    assert refused(dispense, rx, rx_id, 28).rule == "stopped"
    assert refused(X.stop, rx.store, doctor(rx), rx_id, "again", today=TODAY).rule == "stopped"
    old = issue(rx, 7, on="2026-11-02")["id"]
    assert refused(dispense, rx, old, 7, on="2026-11-19").rule == "expired"


def test_the_refill_worklist(rx: Clinic) -> None:
    due = issue(rx, 84)["id"]
    dispense(rx, due, 28, CODE, on="2026-11-02")  # runs out 2026-11-30
    rows = X.refills(rx.store.conn, rx.store.clinic_id, TODAY, 14)
    assert [(r["prescription_id"], r["runs_out_on"], r["reasons"]) for r in rows] == [
        (due, "2026-11-30", ["runs_out"])
    ]
    assert X.refills(rx.store.conn, rx.store.clinic_id, TODAY, 1) == []
    later = TODAY + dt.timedelta(days=30)  # 2026-11-30 is past: the patient has run out
    assert [r["reasons"] for r in X.refills(rx.store.conn, rx.store.clinic_id, later, 14)] == [["ran_out"]]


def test_the_drug_history_holds_items_events_and_installments(rx: Clinic) -> None:
    rx_id = issue(rx, 28)["id"]
    dispense(rx, rx_id, 28)
    X.stop(rx.store, doctor(rx), rx_id, "停药", today=TODAY)
    [row] = X.drug_history(rx.store.conn, rid(rx))
    assert row["status"] == "stopped" and [e["kind"] for e in row["events"]] == ["stopped"]
    assert len(row["items"]) == 1 and len(row["installments"]) == 1


def test_a_change_stops_the_old_prescription_and_issues_one_that_replaces_it(rx: Clinic) -> None:
    old = issue(rx, 84)["id"]
    new = X.change(
        rx.store,
        doctor(rx),
        old,
        "改为每日两次",
        [X.ItemInput(AMLODIPINE, "1", 2)],
        28,
        on="2026-11-22",
        today=TODAY,
    )
    assert new["status"] == "active" and new["items"][0]["packages"] == 2
    assert X.get_prescription(rx.store.conn, old)["status"] == "stopped"
    assert X.get_prescription(rx.store.conn, new["id"])["replaces"] == old
    history = X.drug_history(rx.store.conn, rid(rx))
    assert [h["id"] for h in history] == [new["id"], old]
    assert history[1]["events"][0]["reason"] == "改为每日两次"
    before = count(rx, "prescription")
    assert (
        refused(X.change, rx.store, doctor(rx), old, "again", [X.ItemInput(AMLODIPINE, "1", 1)], 28).rule
        == "stopped"
    )
    assert (
        refused(X.change, rx.store, doctor(rx), new["id"], " ", [X.ItemInput(AMLODIPINE, "1", 1)], 28).rule
        == "required"
    )
    assert (
        refused(
            X.change, rx.store, doctor(rx), new["id"], "x", [X.ItemInput(AMLODIPINE, "1", 1)], 85, today=TODAY
        ).rule
        == "over_max_days"
    )
    assert (
        count(rx, "prescription") == before
        and X.get_prescription(rx.store.conn, new["id"])["status"] == "active"
    )


def test_the_worklist_follows_stops_and_rows_pulled_in_either_order(rx: Clinic) -> None:
    rx_id = issue(rx, 84)["id"]
    assert [r["reasons"] for r in X.refills(rx.store.conn, rx.store.clinic_id, TODAY, 7)] == [
        ["not_dispensed"]
    ]
    X.stop(rx.store, doctor(rx), rx_id, "停药", today=TODAY)
    assert X.refills(rx.store.conn, rx.store.clinic_id, TODAY, 7) == []
    # as a pull brings them: the installment's page before its prescription's, then the prescription
    conn = rx.store.conn
    rows = {t: [dict(r) for r in conn.execute(f"SELECT * FROM {t}")] for t in ("prescription", "dispensing")}
    with rx.store.transaction():
        conn.execute("DELETE FROM prescription_supply")
    given = {**rows["prescription"][0], "id": "pulled-rx", "created_at": "2026-11-01T00:00:00.000Z"}
    later = {
        "id": "pulled-d",
        "clinic_id": rx.store.clinic_id,
        "created_at": "x",
        "updated_at": "x",
        "created_by": None,
        "updated_by": None,
        "deleted_at": None,
        "row_version": 1,
        "prescription_id": "pulled-rx",
        "dispensed_on": "2026-11-20",
        "days": 28,
        "split_pack": 0,
        "quantities": "[]",
    }
    rx.store.write_server_rows({"dispensing": [later]}, "sync.pull")
    rx.store.write_server_rows({"prescription": [given]}, "sync.pull")
    [row] = X.refills(conn, rx.store.clinic_id, TODAY, 30)
    assert (row["prescription_id"], row["dispensed_days"], row["runs_out_on"]) == (
        "pulled-rx",
        28,
        "2026-12-18",
    )


def test_the_route_defaults_from_the_drugs_form_insulin_is_subcutaneous(rx: Clinic) -> None:
    """Trial F3: with no route given, an injection (注射剂) is 皮下注射, a tablet 口服; a route given is kept."""
    insulin = code_of(rx, "甘精胰岛素注射液")
    assert refused(issue, rx, 28, X.ItemInput(AMLODIPINE, "1", 1, "by_ear")).rule == "choice"
    result = issue(rx, 28, X.ItemInput(AMLODIPINE, "1", 1), X.ItemInput(insulin, "12", 1))
    assert [i["route"] for i in result["items"]] == ["oral", "subcutaneous"]
    stored = [i["route"] for i in X.items(rx.store.conn, result["id"])]
    assert stored == ["oral", "subcutaneous"]


def test_the_codes_scanned_are_exactly_the_boxes_of_the_installment(rx: Clinic) -> None:
    """Trial F1: 5 codes where 1 box is due, 1 code where 5 are due — refused naming the numbers, nothing written;
    a split-pack sale may hand out fewer."""
    rx_id = issue(rx, 84)["id"]  # amlodipine 1 × 1, 28 a box: 28 days is 1 box
    codes = [f"810000100000000000{n:02d}" for n in range(1, 6)]
    before = count(rx, "dispensing")
    err = refused(dispense, rx, rx_id, 28, *codes)
    assert err.rule == "box_count" and "5 scanned, this installment is 1 box" in err.message
    assert count(rx, "dispensing") == before and count(rx, "dispensing_code") == 0
    err = refused(dispense, rx, rx_id, 84 - 28, CODE)  # 56 days: 2 boxes
    assert err.rule == "box_count" and "1 scanned, this installment is 2 boxes" in err.message
    assert dispense(rx, rx_id, 56, *codes[:2])["days"] == 56


def test_a_split_pack_sale_may_scan_fewer_boxes(rx: Clinic) -> None:
    rx_id = issue(rx, 84)["id"]
    assert dispense(rx, rx_id, 56, CODE, split_pack=True)["days"] == 56


@pytest.mark.parametrize("code", ["12345", "ABC1234", "8100001-000000000001", "81000010000000000001!"])
def test_what_cannot_be_a_trace_code_is_refused_naming_the_rule(rx: Clinic, code: str) -> None:
    """Trial F2: a few characters, or anything but digits and letters, is no family of RULES §7."""
    rx_id = issue(rx, 28)["id"]
    assert refused(dispense, rx, rx_id, 28, code).rule in {"too_short", "characters"}
    assert count(rx, "dispensing") == 0


def test_one_prescription_per_disease_in_force_a_change_still_works(rx: Clinic) -> None:
    """Trial F20: a second prescription while one is active or awaiting the signature is refused naming the
    rule; change() stops the old one first; one wholly dispensed or stopped leaves the way open."""
    first = issue(rx, 56)["id"]
    err = refused(issue, rx, 28, on="2026-11-06")
    assert err.rule == "in_force" and "issued 2026-11-02 is in force" in err.message
    assert count(rx, "prescription") == 1
    new = X.change(rx.store, doctor(rx), first, "加量", [X.ItemInput(AMLODIPINE, "1", 1)], 28, today=TODAY)
    assert refused(issue, rx, 42, signed=False, assessment=None).rule == "in_force"
    X.stop(rx.store, doctor(rx), new["id"], "停药", today=TODAY)
    held = issue(rx, 42, signed=False, assessment=None)
    assert held["status"] == "awaiting_signature"
    assert refused(issue, rx, 28).rule == "in_force", "awaiting the signature is in force too"


def test_a_finished_prescription_may_be_renewed(rx: Clinic) -> None:
    rx_id = issue(rx, 28)["id"]
    dispense(rx, rx_id, 28, CODE)
    assert issue(rx, 28, on="2026-11-25")["status"] == "active"


def test_signed_over_4_weeks_without_an_assessment_is_refused(rx: Clinic) -> None:
    """Trial F21: the signature is never silently dropped."""
    err = refused(issue, rx, 42, signed=True, assessment=None)
    assert err.field == "assessment" and err.rule == "assessment_required"
    assert count(rx, "prescription") == 0


def test_a_prescriptions_items_carry_their_drugs_package_unit(rx: Clinic) -> None:
    glargine = code_of(rx, "甘精胰岛素注射液")
    given = issue(
        rx, 28, X.ItemInput(AMLODIPINE, "1", 1), X.ItemInput(glargine, "10", 1, route="subcutaneous")
    )
    units = {i["drug_code"]: i["package_unit"] for i in X.items(rx.store.conn, given["id"])}
    assert units == {AMLODIPINE: "盒", glargine: "支"}
    history = X.drug_history(rx.store.conn, rid(rx))
    assert {i["package_unit"] for i in history[0]["items"]} == {"盒", "支"}, "the history's items too"


def test_a_box_sold_at_two_clinics_names_this_clinics_sale(rx: Clinic) -> None:
    """Trial F5: the conflict dialog says to whom and when this clinic sold the box, from its own records."""
    from clinic_app import conflicts

    made = issue(rx, 28)
    dispense(rx, made["id"], 28)
    box = rx.store.conn.execute("SELECT id FROM dispensing_code WHERE code = ?", (CODE,)).fetchone()[0]
    flagged = conflicts.Conflict(
        "c-1", "dispensing_code", box, "trace_code_elsewhere", "…", {}, {"code": CODE}, "", None, None
    )
    assert conflicts.box_sale(rx.store.conn, flagged) == {
        "code": CODE,
        "dispensed_on": "2026-11-02",
        "resident": "张三",
    }
    elsewhere = conflicts.Conflict(
        "c-2", "dispensing_code", "not-here", "trace_code_elsewhere", "…", {}, {"code": CODE}, "", None, None
    )
    assert conflicts.box_sale(rx.store.conn, elsewhere) == {
        "code": CODE,
        "dispensed_on": None,
        "resident": None,
    }
