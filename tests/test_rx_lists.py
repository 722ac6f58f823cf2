"""What the 长处方 page reads beside rx_records (clinic_app.rx_lists): the prescriptions awaiting the patient's
signature, the earlier sales of a scanned code (with the clinic and the patient), a prescription's drugs with
their trace product ids."""

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
