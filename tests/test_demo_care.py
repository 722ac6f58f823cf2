"""The demo clinic's long-term prescriptions and visits (issue 13 point 8, issue 14 point 8; clinic_app.demo_care):
the mix of prescriptions a doctor works with (28-day unsigned, 56/84-day signed with the assessment, changed,
stopped, awaiting the signature), a refill worklist with patients due this week and overdue, every box with its
own trace code and one the county found sold at another clinic (its conflict waiting for the county), a year of visits of both medical types with a
patient who reaches the cap and a few reversals — each row as the domain functions wrote it."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from clinic_app import chronic_records as H
from clinic_app import conflicts as CF
from clinic_app import ledger as LG
from clinic_app import prescriptions as P
from clinic_app import rx_records as X
from clinic_app import visits as V
from clinic_app.day_end import day_report
from clinic_app.demo import create_demo_database
from clinic_app.demo_care import AWAITING_SIGNATURE, MAX_RX_PATIENTS, OTHER_CLINIC
from clinic_app.errors import ValidationError
from clinic_app.ids import uuid7
from clinic_app.store import Store
from clinic_app.syncstate import adopt_clinic, counts

STATUS = X.STATUS_SQL.format(p="p")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    folder: Path = tmp_path_factory.mktemp("demo-care")
    create_demo_database(folder / "clinic.db", folder / "demo.key", residents=2000)
    store = Store.open(folder / "clinic.db", folder / "demo.key")
    yield store
    store.close()


def rows(store: Store, sql: str, *args: object) -> list[dict[str, object]]:
    return [dict(r) for r in store.conn.execute(sql, args)]


def test_prescriptions_of_every_kind_a_doctor_meets(demo: Store) -> None:
    found = rows(
        demo,
        f"SELECT p.*, {STATUS} AS status, (SELECT count(*) FROM prescription_event e "
        "WHERE e.prescription_id = p.id AND e.kind = 'signed') AS signed_later FROM prescription p",
    )
    patients = {(r["resident_id"], r["disease"]) for r in found}
    assert 20 <= len(patients) <= MAX_RX_PATIENTS + AWAITING_SIGNATURE, len(patients)
    kinds = Counter((r["days"], r["status_on_issue"], r["signed"]) for r in found)
    assert kinds[(28, "active", 0)] >= 5, "28 days need no signature"
    assert kinds[(56, "active", 1)] + kinds[(84, "active", 1)] >= 10, kinds
    for r in found:
        if r["days"] > 28 and r["status_on_issue"] == "active":
            assert r["signed"] == 1 and r["assessment"], "over 28 days: signed with the doctor's assessment"
    statuses = Counter(r["status"] for r in found)
    assert statuses["awaiting_signature"] >= 1 and statuses["stopped"] >= 2 and statuses["active"] >= 20
    changed = [r for r in found if r["replaces"]]
    assert changed, "some prescriptions were changed"
    for r in changed:
        stop = rows(demo, "SELECT * FROM prescription_event WHERE prescription_id = ?", r["replaces"])
        assert [(e["kind"], e["on_date"]) for e in stop] == [("stopped", r["issued_on"])] and stop[0][
            "reason"
        ]
    reasons = {
        e["reason"]
        for e in rows(demo, "SELECT reason FROM prescription_event WHERE kind = 'stopped'")
        if e["reason"]
    }
    assert len(reasons) >= 2, reasons


def test_each_assessment_speaks_of_its_prescriptions_disease(demo: Store) -> None:
    """Trial F7: a diabetes prescription's assessment said 血压控制满意."""
    found = rows(demo, "SELECT disease, assessment FROM prescription WHERE assessment IS NOT NULL")
    by_disease = {
        d: [r["assessment"] for r in found if r["disease"] == d] for d in ("hypertension", "diabetes")
    }
    assert by_disease["hypertension"] and by_disease["diabetes"], (
        "the demo assesses patients of both diseases"
    )
    assert not [a for a in by_disease["diabetes"] if "血压" in str(a)]
    assert not [a for a in by_disease["hypertension"] if "血糖" in str(a)]


def test_each_prescription_was_issued_when_the_patient_was_stable_and_never_dispenses_over_its_days(
    demo: Store,
) -> None:
    conn = demo.conn
    for rx in rows(demo, "SELECT * FROM prescription"):
        issued = dt.date.fromisoformat(str(rx["issued_on"]))
        last = H.previous_face_to_face(
            conn, str(rx["resident_id"]), str(rx["disease"]), issued + dt.timedelta(1)
        )
        assert last is not None and last["classification"] == "controlled"
        held = X.installments(conn, str(rx["id"]))
        assert sum(int(i["days"]) for i in held) <= int(rx["days"])
        for before, after in itertools.pairwise(held):
            earliest = P.earliest_next(dt.date.fromisoformat(before["dispensed_on"]), int(before["days"]))
            assert after["dispensed_on"] >= earliest.isoformat(), "never before the minimum interval"
        if held:
            assert held[-1]["dispensed_on"] <= rx["valid_until"]


def test_every_box_has_its_own_trace_code_and_each_installment_its_boxes(demo: Store) -> None:
    codes = [r["code"] for r in rows(demo, "SELECT code FROM dispensing_code")]
    assert len(codes) > 300 and len(set(codes)) == len(codes), "one box, one sale at this clinic"
    assert all(len(c) == 20 and c.isdigit() for c in codes)
    for d in rows(demo, "SELECT * FROM dispensing"):
        boxes = demo.conn.execute(
            "SELECT count(*) FROM dispensing_code WHERE dispensing_id = ?", (d["id"],)
        ).fetchone()[0]
        quantities = json.loads(str(d["quantities"]))
        assert boxes == sum(q["packages"] for q in quantities) > 0


def test_the_refill_worklist_has_patients_due_this_week_and_overdue_ones(demo: Store) -> None:
    today = dt.date.today()
    listed = X.refills(demo.conn, demo.clinic_id, today, 7)
    overdue = [r for r in listed if r["due_on"] < today.isoformat()]
    this_week = [r for r in listed if today.isoformat() <= r["due_on"]]
    assert len(overdue) >= 3 and len(this_week) >= 5, (len(overdue), len(this_week))
    assert len(listed) < X.PAGE, "the journeys' own prescriptions stay on the first page"
    assert any("runs_out" in r["reasons"] for r in listed)
    for r in listed:  # one already without is told apart from one about to be
        without = r["dispensed_days"] and r["left_days"] > 0 and r["runs_out_on"] < today.isoformat()
        assert ("ran_out" in r["reasons"]) == bool(without)
    later = X.refills(demo.conn, demo.clinic_id, today, 60)
    assert len(later) > len(listed), "others fall due later"
    waiting = rows(demo, f"SELECT * FROM prescription p WHERE {STATUS} = 'awaiting_signature'")
    assert waiting and all(str(r["issued_on"]) >= (today - dt.timedelta(days=7)).isoformat() for r in waiting)
    assert all(not X.installments(demo.conn, str(r["id"])) for r in waiting), (
        "an unsigned one dispenses nothing"
    )


def test_a_box_sold_here_and_at_another_clinic_waits_on_the_sync_page_for_the_county(demo: Store) -> None:
    conn = demo.conn
    waiting = CF.list_conflicts(conn)
    assert [c.kind for c in waiting] == ["trace_code_elsewhere"] and counts(conn)["conflicts"] == 1
    flag = waiting[0]
    assert flag.county_decides and flag.table == "dispensing_code" and flag.resolved_at is None
    box = dict(conn.execute("SELECT * FROM dispensing_code WHERE id = ?", (flag.row_id,)).fetchone())
    assert box["clinic_id"] == demo.clinic_id and box["code"] in flag.message
    assert f"{OTHER_CLINIC[1]} ({OTHER_CLINIC[0]})" in flag.message
    assert flag.server["code"] == box["code"]
    sold = conn.execute(
        "SELECT dispensed_on FROM dispensing WHERE id = ?", (box["dispensing_id"],)
    ).fetchone()[0]
    assert sold < flag.created_at, "flagged after the sale"
    page = CF.conflict_page(conn, None, 10)
    assert [r["label"] for r in page] == [box["code"]], "the box known by its code on the 同步 page"
    assert not conn.execute("SELECT 1 FROM outbox WHERE table_name = 'conflict'").fetchone(), (
        "the county's row"
    )


def test_the_demo_s_conflict_goes_when_the_clinic_joins_a_county(demo: Store, tmp_path: Path) -> None:
    """A clinic joining a county for the first time holds no conflict of that county: the demo's would wait for
    ever (every sync ending "conflicts waiting") and differ from the county's rows after each sync."""
    copy = Store.open(demo.backup(tmp_path / "joined.db"), demo.path.with_name("demo.key"))
    try:
        adopt_clinic(copy, uuid7(), "http://county.example", uuid7(), "DEMO01")
        assert copy.conn.execute("SELECT count(*) FROM conflict").fetchone()[0] == 0
        assert counts(copy.conn)["conflicts"] == 0
        assert copy.conn.execute("SELECT count(*) FROM dispensing_code").fetchone()[0] > 0, "the sales stay"
    finally:
        copy.close()


def test_a_year_of_visits_of_both_medical_types(demo: Store) -> None:
    today = dt.date.today()
    held = rows(demo, "SELECT * FROM visit")
    by_type = Counter(r["med_type"] for r in held)
    assert by_type["11"] >= 100 and by_type["14"] >= 50, by_type
    assert {r["disease"] for r in held if r["med_type"] == "14"} == {"hypertension", "diabetes"}
    days = sorted(str(r["visit_date"]) for r in held)
    assert days[0] >= (today - dt.timedelta(days=365)).isoformat() and days[-1] <= today.isoformat()
    assert (dt.date.fromisoformat(days[-1]) - dt.date.fromisoformat(days[0])).days >= 330
    for r in held:
        if r["med_type"] == "14":
            g = H.registration(demo.conn, str(r["resident_id"]), str(r["disease"]))
            assert g is not None and g["qualification_status"] == "approved"
            assert g["qualification_date"] <= r["visit_date"]
    doctors = {r["doctor_id"] for r in held}
    assert len(doctors) == 3, "each of the demo's village doctors saw patients"
    wrong = demo.conn.execute(
        "SELECT count(*) FROM outbox o JOIN visit v ON v.id = o.row_id WHERE o.table_name = 'visit' "
        "AND o.user_id IS NOT v.doctor_id"
    ).fetchone()[0]
    assert wrong == 0, "each visit sent as the doctor's who saw the patient"


def test_an_installment_of_a_qualified_patient_is_the_drug_lines_of_a_type_14_visit(demo: Store) -> None:
    pairs = rows(
        demo,
        "SELECT d.id, d.dispensed_on, p.resident_id, p.disease FROM dispensing d "
        "JOIN prescription p ON p.id = d.prescription_id JOIN disease_registration g "
        "ON g.resident_id = p.resident_id AND g.disease = p.disease "
        "WHERE g.qualification_status = 'approved' AND g.qualification_date <= d.dispensed_on",
    )
    assert len(pairs) >= 20
    for d in pairs:
        boxes = Counter(
            {
                q["drug_code"]: q["packages"]
                for q in json.loads(
                    demo.conn.execute(
                        "SELECT quantities FROM dispensing WHERE id = ?", (d["id"],)
                    ).fetchone()[0]
                )
            }
        )
        visits = rows(
            demo,
            "SELECT v.id FROM visit v WHERE v.resident_id = ? AND v.visit_date = ? AND v.med_type = '14' "
            "AND v.disease = ?",
            d["resident_id"],
            d["dispensed_on"],
            d["disease"],
        )
        lines = [
            Counter({r["code"]: r["quantity"]})
            for v in visits
            for r in rows(
                demo, "SELECT code, quantity FROM visit_line WHERE visit_id = ? AND kind = 'drug'", v["id"]
            )
        ]
        assert boxes == sum(lines, Counter()), d
        sold = {
            r["code"] for r in rows(demo, "SELECT code FROM dispensing_code WHERE dispensing_id = ?", d["id"])
        }
        traced = {
            r["trace_code"]
            for v in visits
            for r in rows(
                demo, "SELECT trace_code FROM visit_line WHERE visit_id = ? AND kind = 'drug'", v["id"]
            )
        }
        assert sold and sold <= traced, "every box's trace code is on the visit's lines (drug_trac_codg)"
    late = rows(demo, "SELECT * FROM disease_registration WHERE certificate_number LIKE 'MT-%'")
    assert late, "some qualified during the year (clinic chronic qualify)"


def test_a_patient_reaches_the_chronic_cap_in_the_middle_of_a_visit(demo: Store) -> None:
    year = dt.date.today().year
    capped = rows(demo, "SELECT * FROM visit WHERE med_type = '14' AND capped = 1 ORDER BY visit_date")
    assert capped
    patient = capped[0]["resident_id"]
    year_visits = rows(
        demo,
        "SELECT * FROM visit WHERE resident_id = ? AND med_type = '14' AND disease = ? AND visit_date >= ? "
        "ORDER BY visit_date",
        patient,
        capped[0]["disease"],
        f"{year}-01-01",
    )
    cap = int(year_visits[0]["annual_cap_fen"])
    first = next(v for v in year_visits if v["capped"])
    assert int(first["fund_fen"]) > 0 and first["cap_left_fen"] == 0, (
        "the cap reached in the middle of a visit"
    )
    assert sum(int(v["fund_fen"]) for v in year_visits) == cap
    after = [v for v in year_visits if v["visit_date"] > first["visit_date"]]
    assert after and all(v["fund_fen"] == 0 and v["patient_fen"] == v["total_fen"] for v in after)


def test_a_few_visits_reversed_and_counted_nowhere(demo: Store) -> None:
    cancelled = rows(
        demo,
        "SELECT v.*, c.reason, c.cancelled_on FROM visit_cancel c JOIN visit v ON v.id = c.visit_id",
    )
    assert 3 <= len(cancelled) <= 6 and all(c["reason"] for c in cancelled)
    assert all(c["cancelled_on"] == c["visit_date"] for c in cancelled), "reversed the same day"
    for c in cancelled:
        day = day_report(demo.conn, demo.clinic_id, dt.date.fromisoformat(str(c["visit_date"])))
        assert c["id"] in [x["id"] for x in day["cancelled"]]
        live = rows(
            demo,
            f"SELECT count(*) AS n FROM visit v WHERE v.visit_date = ? AND {V.LIVE.format(v='v')}",
            c["visit_date"],
        )[0]["n"]
        assert day["totals"]["visits"] == live
    twice = [c for c in cancelled if str(c["reason"]).endswith("重复录入")]
    assert twice, "a visit saved twice, the second reversed"
    same = rows(
        demo,
        "SELECT id FROM visit WHERE resident_id = ? AND visit_date = ? AND total_fen = ?",
        twice[0]["resident_id"],
        twice[0]["visit_date"],
        twice[0]["total_fen"],
    )
    assert len(same) == 2


def test_the_ledger_spends_this_year_s_ordinary_settlements(demo: Store) -> None:
    today = dt.date.today()
    book = LG.build(demo.conn, demo.clinic_id, today.year, today)
    assert book.spending_to_date_fen > 0 and not any("no outpatient visits" in n for n in book.notes)
    spent = [m for m in book.months if m.spending_fen > 0]
    assert len(spent) >= 10, "spending in most months of the year"


def test_an_installment_is_paid_by_one_visit_of_its_own_patient(demo: Store) -> None:
    """visits.dispensing_lines: the boxes already on a live visit are not charged again; another patient's
    installment is refused naming the rule."""
    [d] = rows(
        demo,
        "SELECT d.id, d.dispensed_on, p.resident_id, p.disease FROM dispensing d JOIN prescription p "
        "ON p.id = d.prescription_id WHERE EXISTS (SELECT 1 FROM dispensing_code c WHERE c.dispensing_id = d.id "
        "AND c.split_pack = 0) ORDER BY d.dispensed_on LIMIT 1",
    )
    again = V.VisitInput(d["resident_id"], d["dispensed_on"], "11", ("I10",), None, dispensing_id=d["id"])
    with pytest.raises(ValidationError) as err:
        V.plan_visit(demo.conn, again)
    assert (err.value.field, err.value.rule) == ("dispensing", "paid")
    other = rows(demo, "SELECT id FROM resident WHERE id != ? LIMIT 1", d["resident_id"])[0]["id"]
    with pytest.raises(ValidationError) as err:
        V.plan_visit(
            demo.conn, V.VisitInput(other, d["dispensed_on"], "11", ("J06.9",), None, dispensing_id=d["id"])
        )
    assert (err.value.field, err.value.rule) == ("dispensing", "other_patient")


def test_the_demos_injections_are_subcutaneous_its_tablets_oral(demo: Store) -> None:
    """Trial F3: the demo's insulins and GLP-1 (注射剂) are 皮下注射 (subcutaneous), the rest 口服."""
    routes = rows(
        demo,
        "SELECT d.form, i.route FROM prescription_item i JOIN drug d ON d.code = i.drug_code GROUP BY 1, 2",
    )
    assert {(r["form"], r["route"]) for r in routes if r["form"] == "注射剂"} == {("注射剂", "subcutaneous")}
    assert all(r["route"] == "oral" for r in routes if r["form"] != "注射剂")


def test_the_export_of_an_installment_s_visit_carries_its_trace_codes_and_long_term_prescription_fields(
    demo: Store,
) -> None:
    """RULES §10: drug_trac_codg and long_rx_flag, vali_days, max_rept_cnt, reptd_cnt, min_inrv_days on the fee
    lines of a visit that pays for a dispensing installment; an ordinary service line says long_rx_flag 0."""
    [d] = rows(
        demo,
        "SELECT d.id, d.dispensed_on, d.days, p.id AS rx_id, p.days AS rx_days, p.issued_on, p.valid_until "
        "FROM dispensing d JOIN prescription p ON p.id = d.prescription_id WHERE EXISTS (SELECT 1 FROM visit_line l "
        "JOIN dispensing_code c ON c.code = l.trace_code WHERE c.dispensing_id = d.id) "
        "ORDER BY d.dispensed_on DESC LIMIT 1",
    )
    sold = {
        r["code"] for r in rows(demo, "SELECT code FROM dispensing_code WHERE dispensing_id = ?", d["id"])
    }
    exported = V.export_rows(demo.conn, demo.clinic_id, dt.date.fromisoformat(d["dispensed_on"]))
    lines = [line for v in exported for line in v["feedetail"] if line["drug_trac_codg"] in sold]
    assert {line["drug_trac_codg"] for line in lines} == sold
    before = rows(
        demo,
        "SELECT count(*) AS n FROM dispensing WHERE prescription_id = ? AND dispensed_on <= ?",
        d["rx_id"],
        d["dispensed_on"],
    )[0]["n"]
    validity = (dt.date.fromisoformat(d["valid_until"]) - dt.date.fromisoformat(d["issued_on"])).days
    for line in lines:
        assert line["long_rx_flag"] == "1" and line["vali_days"] == validity
        assert line["max_rept_cnt"] == -(-d["rx_days"] // d["days"]) and line["reptd_cnt"] == before
        assert 0 < line["min_inrv_days"] < d["days"]
    services = [line for v in exported for line in v["feedetail"] if line["list_type"] == "service"]
    assert services and all(line["long_rx_flag"] == "0" for line in services)
