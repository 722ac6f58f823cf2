"""What the 长处方 page reads beside rx_records (clinic_app.rx_lists): the prescriptions awaiting the patient's
signature, the earlier sales of a scanned code (with the clinic and the patient), a prescription's drugs with
their trace product ids, what the dispensing dialog starts from and what the printed prescription shows."""

from __future__ import annotations

from clinic_app import rx_lists as L
from clinic_app.clinic import clinic_name

from .conftest import Clinic
from .test_rx_records import AMLODIPINE, CODE, METFORMIN, TODAY, X, dispense, issue, rx

__all__ = ["rx"]  # the fixture, used by name


def test_awaiting_lists_an_unsigned_prescription_until_it_is_signed(rx: Clinic) -> None:
    held = issue(rx, 42, signed=False, assessment=None)
    today = TODAY.isoformat()
    rows = L.awaiting_signature(rx.store.conn, rx.store.clinic_id, today)
    assert [(r["prescription_id"], r["name"], r["days"]) for r in rows] == [(held["id"], "张三", 42)]
    X.sign(rx.store, rx.admin, held["id"], "血压控制满意", today=TODAY)
    assert L.awaiting_signature(rx.store.conn, rx.store.clinic_id, today) == []


def test_earlier_sales_name_the_day_the_clinic_and_the_patient(rx: Clinic) -> None:
    assert L.earlier_sales(rx.store.conn, CODE) == []
    dispense(rx, issue(rx)["id"], 28)
    [sale] = L.earlier_sales(rx.store.conn, CODE)
    assert sale["dispensed_on"] == "2026-11-02"
    assert sale["clinic"] == clinic_name(rx.store.conn, rx.store.clinic_id)
    assert sale["resident"] == "张三"
    assert sale["split_pack"] == 0


def test_item_drugs_carry_the_catalogs_trace_product_id(rx: Clinic) -> None:
    made = issue(rx, 28, X.ItemInput(AMLODIPINE, "1", 1), X.ItemInput(METFORMIN, "0.5", 2))
    lines = L.item_drugs(rx.store.conn, made["id"])
    assert [(i["drug_code"], i["trace_product_id"]) for i in lines] == [
        (AMLODIPINE, "8100001"),
        (METFORMIN, "8100002"),
    ]
    assert L.product_known(rx.store.conn, "8100001")
    assert not L.product_known(rx.store.conn, "9999999")


def test_known_products_are_the_catalogs_trace_product_ids(rx: Clinic) -> None:
    known = L.known_products(rx.store.conn)
    assert {"8100001", "8100002"} <= known and "9999999" not in known
    assert all(L.product_known(rx.store.conn, p) for p in sorted(known)[:5])


def test_dispensing_start_holds_the_prescription_the_days_dispensed_and_the_items(rx: Clinic) -> None:
    made = issue(rx, 84)
    dispense(rx, made["id"], 28)
    start = L.dispensing_start(rx.store.conn, made["id"])
    assert start["rx"]["id"] == made["id"] and start["rx"]["status"] == "active"
    assert start["dispensed_days"] == 28
    assert [i["trace_product_id"] for i in start["lines"]] == ["8100001"]
    assert "8100001" in start["known_products"]


def test_the_prescription_sheet_holds_what_the_printed_prescription_shows(rx: Clinic) -> None:
    made = issue(rx, 84, allergies="青霉素")
    dispense(rx, made["id"], 28)
    sheet = L.prescription_sheet(rx.store.conn, made["id"])
    assert (sheet["name"], sheet["age"], sheet["disease"], sheet["icd_code"]) == (
        "张三",
        66,
        "hypertension",
        "I10",
    )
    assert sheet["clinic"] == clinic_name(rx.store.conn, rx.store.clinic_id)
    assert sheet["doctor"] == "李医生" and sheet["issued_on"] == "2026-11-02" and sheet["status"] == "active"
    assert (sheet["days"], sheet["validity_days"]) == (84, 91)
    assert sheet["valid_until"] == "2027-02-01"
    assert (sheet["installments"], sheet["dispensed_days"], sheet["left_days"]) == (1, 28, 56)
    # the next installment: when the 28 days run out less the county's 7 early days (the minimum interval)
    assert sheet["early_days"] == 7 and sheet["earliest_next"] == "2026-11-23"
    assert sheet["signature_above_days"] == 28  # the county's (policy), as the sheet says it
    assert sheet["signed"] and sheet["allergies"] == "青霉素"
    [item] = sheet["items"]
    assert (item["drug_name"], item["form"], item["packages"], item["route"]) == (
        "苯磺酸氨氯地平片",
        "片剂",
        3,
        "oral",
    )


def test_the_sheet_of_a_stopped_prescription_names_the_stop_and_no_next_installment(rx: Clinic) -> None:
    made = issue(rx, 28)
    X.stop(rx.store, rx.admin, made["id"], "血压控制不佳", today=TODAY)
    sheet = L.prescription_sheet(rx.store.conn, made["id"])
    assert sheet["status"] == "stopped" and sheet["stopped"]["reason"] == "血压控制不佳"
    assert sheet["installments"] == 0 and sheet["earliest_next"] is None and not sheet["signed_on"]


def test_the_sheet_of_a_changed_prescription_names_the_one_it_replaces_by_its_day_and_drugs(
    rx: Clinic,
) -> None:
    old = issue(rx, 28)
    new = X.change(
        rx.store, rx.admin, old["id"], "加用二甲双胍", [X.ItemInput(METFORMIN, "1", 2)], 28, today=TODAY
    )
    sheet = L.prescription_sheet(rx.store.conn, new["id"])
    assert sheet["replaces"] == old["id"]
    assert (sheet["replaces_issued_on"], sheet["replaces_drugs"]) == ("2026-11-02", ["苯磺酸氨氯地平片"])
    assert L.prescription_sheet(rx.store.conn, old["id"])["replaces_drugs"] == []
