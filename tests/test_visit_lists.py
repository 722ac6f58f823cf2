"""What the desktop's visit form, receipt and visit list read (clinic_app.visit_lists): a patient's visits newest
first in keyset pages with their reversal, a visit's receipt, the price list's search by code and name, and the
chronic pools a type-14 visit may use on a day — the same rule as clinic_app.visits.check_qualification."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic_app import visit_lists as VL
from clinic_app import visits as V
from clinic_app.day_end import receipt_number
from clinic_app.errors import ValidationError

from .conftest import Clinic
from .test_visits import AMLODIPINE, Y, prepare, qualify, rid, visit


def test_a_patients_visits_come_newest_first_in_pages_with_their_reversal(
    clinic: Clinic, tmp_path: Path
) -> None:
    prepare(clinic, tmp_path)
    days = [f"{Y}-0{m}-10" for m in range(1, 6)]
    made = [visit(clinic, day, [("S1", 1)]) for day in days]
    visit(clinic, f"{Y}-02-11", [("S1", 1)], name="王五")  # another patient's: not in the list
    V.cancel_visit(clinic.store, clinic.admin, made[1].id, "录入错误", dt.date(Y, 12, 1))
    conn, person = clinic.store.conn, rid(clinic, "张三")
    first = VL.patient_visits(conn, person, limit=3)
    rest = VL.patient_visits(conn, person, VL.visit_cursor(first[-1]), limit=3)
    assert [r["visit_date"] for r in first + rest] == days[::-1]
    assert [r["id"] for r in first + rest] == [m.id for m in made[::-1]]
    cancelled = {r["id"]: r for r in first + rest if r["cancelled"]}
    assert list(cancelled) == [made[1].id]
    assert cancelled[made[1].id]["cancel_reason"] == "录入错误"
    assert cancelled[made[1].id]["cancelled_on"] == f"{Y}-12-01"
    assert first[0]["diagnoses"] == ["J06.9"] and first[0]["doctor"]
    assert [r["id"] for r in VL.visit_rows(conn, [made[1].id])] == [made[1].id]
    assert VL.visit_rows(conn, []) == []


def test_a_receipt_holds_the_visit_its_lines_the_patient_and_the_reversal(
    clinic: Clinic, tmp_path: Path
) -> None:
    prepare(clinic, tmp_path)
    saved = visit(clinic, f"{Y}-03-01", [("S1", 2), ("S3", 1)])
    data = VL.receipt(clinic.store.conn, saved.id)
    assert data["number"] == receipt_number(saved.id, data["visit"]["visit_date"])  # the day end's number
    assert data["visit"]["total_fen"] == 5000 and data["visit"]["patient_fen"] == saved.patient_fen
    assert [(line["code"], line["quantity"], line["amount_fen"]) for line in data["lines"]] == [
        ("S1", 2, 2000),
        ("S3", 1, 3000),
    ]
    assert data["resident"]["name"] == "张三" and data["cancelled"] is None and data["clinic"]
    V.cancel_visit(clinic.store, clinic.admin, saved.id, "患者未取药")
    assert VL.receipt(clinic.store.conn, saved.id)["cancelled"]["reason"] == "患者未取药"
    with_drug = visit(clinic, f"{Y}-03-02", [("S1", 1)], items=[(AMLODIPINE, 2)])
    [drug] = [line for line in VL.receipt(clinic.store.conn, with_drug.id)["lines"] if line["kind"] == "drug"]
    assert drug["spec"] == "5mg" and "package_unit" in drug, (
        "the receipt says the strength (and package) of a drug"
    )


def test_the_price_list_is_searched_by_code_prefix_and_by_name(clinic: Clinic, tmp_path: Path) -> None:
    prepare(clinic, tmp_path)
    conn = clinic.store.conn
    assert [s["code"] for s in VL.search_services(conn, "s1")] == ["S1"]
    assert [s["code"] for s in VL.search_services(conn, "推拿")] == ["S3"]
    assert {s["code"] for s in VL.search_services(conn, "S")} == {"S1", "S2", "S3"}
    assert VL.search_services(conn, "   ") == [] and VL.search_services(conn, "%") == []
    hit = VL.search_services(conn, "血糖")[0]
    assert (hit["price_fen"], hit["insurance_category"]) == (800, "B")


def test_the_price_list_is_searched_by_pinyin_and_initials_as_the_drugs_are(
    clinic: Clinic, tmp_path: Path
) -> None:
    prepare(clinic, tmp_path)  # S1 诊查费, S2 快速血糖测定, S3 中医推拿
    conn = clinic.store.conn
    assert [s["code"] for s in VL.search_services(conn, "zcf")] == ["S1"]  # the initials
    assert [s["code"] for s in VL.search_services(conn, "ZCF")] == ["S1"]
    assert [s["code"] for s in VL.search_services(conn, "xt")] == ["S2"]  # initials from a syllable on
    assert [s["code"] for s in VL.search_services(conn, "tuina")] == ["S3"]  # the full pinyin
    assert [s["code"] for s in VL.search_services(conn, "zhongyi")] == ["S3"]
    assert VL.search_services(conn, "qqq") == []
    assert [s["code"] for s in VL.search_services(conn, "S", limit=2)] == [
        "S1",
        "S2",
    ]  # codes first, the limit


STATUSES = st.sampled_from(["none", "applied", "approved", "refused"])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(status=STATUSES, approved=st.integers(0, 60), visit_day=st.integers(0, 60))
def test_the_pools_offered_agree_with_the_rule_a_save_applies(
    status: str, approved: int, visit_day: int
) -> None:
    """chronic_pools says qualified exactly when check_qualification lets a type-14 visit through."""
    start = dt.date(Y, 1, 1)
    reg = {
        "disease": "hypertension",
        "icd_code": "I10",
        "qualification_status": status,
        "qualification_date": (start + dt.timedelta(days=approved)).isoformat() if status != "none" else None,
    }
    on = start + dt.timedelta(days=visit_day)
    (pool,) = VL.chronic_pools([reg], on)

    class Conn:  # what check_qualification reads: the registration
        def execute(self, *_args: object) -> Conn:
            return self

        def fetchone(self) -> dict[str, object]:
            return reg

    try:
        V.check_qualification(Conn(), {"id": "r", "name": "张三"}, "hypertension", on)  # type: ignore[arg-type]
        allowed = True
    except ValidationError as e:
        assert e.rule == "qualification"
        allowed = False
    assert pool.qualified == allowed
    assert pool.reason == (None if allowed else ("status" if status != "approved" else "after"))


def test_a_qualified_patient_has_a_pool_and_an_unqualified_one_says_why(
    clinic: Clinic, tmp_path: Path
) -> None:
    from clinic_app import chronic_records as H

    prepare(clinic, tmp_path)
    qualify(clinic, "张三", on=f"{Y}-03-01")
    regs = H.registrations(clinic.store.conn, rid(clinic, "张三"))
    (before,) = VL.chronic_pools(regs, dt.date(Y, 2, 28))
    (after,) = VL.chronic_pools(regs, dt.date(Y, 3, 1))
    assert (before.qualified, before.reason, before.approved_on) == (False, "after", f"{Y}-03-01")
    assert (after.qualified, after.reason, after.icd_code) == (True, None, "I10")
    assert VL.chronic_pools(H.registrations(clinic.store.conn, rid(clinic, "王五")), dt.date(Y, 3, 1)) == []
