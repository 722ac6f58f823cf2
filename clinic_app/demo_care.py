"""The demo clinic's long-term prescriptions and outpatient visits (issue 13 point 8, issue 14 point 8), written
through the domain functions a doctor's clicks call — clinic_app.rx_records (issue, sign, change, stop,
dispense with the trace code of every box), clinic_app.chronic_records.set_qualification (the chronic-outpatient
qualification, ``clinic chronic qualify``) and clinic_app.visits (add_visit, cancel_visit) — each its own unit
of work under the doctor who did it, so every rule holds for the demo's rows as for a doctor's.

What it makes, deterministic for a seed:

- long-term prescriptions for a share of the registered chronic patients, issued on a day their last
  face-to-face follow-up was controlled, with the drugs of their follow-ups: 28 days unsigned, 56 or 84 days
  signed with an assessment, dispensed 28 days at a time a few days before the last installment runs out; some
  changed (another drug, with the reason) or stopped, some patients who stopped coming (their refill overdue),
  a few prescriptions awaiting the patient's signature; the rest fall due in the coming days or later as their
  dates make them;
- a year of outpatient visits: ordinary (type 11) visits of contracted residents, and a chronic outpatient
  visit (type 14) of every installment of a qualified patient, its drugs the installment's boxes (the visit
  domain takes drug lines by code and quantity: it does not link an installment or carry its trace codes); one
  diabetes patient on an expensive drug who reaches the year's cap; a few reversals (冲正);
- one box whose trace code the county found sold at another clinic too: the conflict row as the county server
  sends it to the clinic whose sale came first (sync.server.trace_codes), waiting for the county's reviewer,
  written as a pull writes it — the demo clinic is joined to no county, and a device never holds another
  clinic's sales.

The amounts are bounded (``MAX_RX_PATIENTS``, ``MAX_VISIT_RESIDENTS``), whatever the clinic's size: a
100,000-resident benchmark clinic builds as quickly as the 2,000-resident one."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from clinic_app import chronic_records as H
from clinic_app import drugs
from clinic_app import prescriptions as P
from clinic_app import rx_records as X
from clinic_app import visits as V
from clinic_app.ids import uuid7
from clinic_app.store import Store
from clinic_app.users import User, find_user

MAX_RX_PATIENTS = 30  # patients with long-term prescriptions, at most
RX_SHARE = 0.6  # of the registered patients under management (first come, up to the most above)
HISTORY_DAYS = (180, 365)  # how far back a patient's prescriptions begin
DROPOUT_SHARE = 0.15  # patients who stopped coming for their refills: overdue on the worklist
AWAITING_SIGNATURE = 3  # first prescriptions issued in the last days, waiting for the patient's signature
CHANGE_SHARE = 0.08  # of installments where the doctor changes the prescription instead
STOP_SHARE = 0.03  # of installments where the doctor stops it
LATE_QUALIFIED = 4  # rx patients whose chronic-outpatient qualification is approved during the year
MAX_VISIT_RESIDENTS = 2000  # residents considered for ordinary visits
ORDINARY_SHARE = 0.08  # of the contracted residents considered: one to three ordinary visits in the year
TRACE_SERIAL_BASE = 5_000_000_000_000  # the demo's boxes (the journeys scan low serials of their own)
OTHER_CLINIC = ("DEMO02", "青石乡河湾村卫生室")  # the clinic that sold the demo's box again

# The drugs of the demo's follow-ups (clinic_app.demo) as catalog drugs: code, dose per time, times a day.
FOLLOWUP_DRUGS = {
    "氨氯地平片": ("XC08CA01A0010101010001", "1", 1),
    "缬沙坦胶囊": ("XC09CA03A0070101010007", "1", 1),
    "硝苯地平缓释片": ("XC08CA05A0020101010002", "1", 1),
    "二甲双胍片": ("XA10BA02A0260101010026", "1", 3),
    "格列美脲片": ("XA10BB12A0280101010028", "1", 1),
    "阿卡波糖片": ("XA10BF01A0310101010031", "1", 3),
}
# A change of prescription: the drug put in place of the first one, and why.
CHANGES = {
    "hypertension": (("XC09CA04A0060101010006", "1", 1), "服药后踝部水肿，换用厄贝沙坦"),
    "diabetes": (("XA10AE04A0430101010043", "12", 1), "口服药血糖控制欠佳，加用甘精胰岛素"),
}
STOP_REASONS = ("血压控制不佳，转上级医院调整用药", "患者外出务工，暂停长期处方", "出现不良反应，停药观察")
# The doctor's assessment of a stable patient, in the words of the disease (as many for each: the same draws).
ASSESSMENTS = {
    "hypertension": ("血压控制满意，依从性好，无不良反应", "病情稳定，用药规律", "血压平稳，无头晕等不适"),
    "diabetes": ("血糖控制达标，无低血糖发生", "病情稳定，用药规律", "空腹血糖控制满意，依从性好"),
}
VISIT_SERVICE = "DEMO-110200005"  # 一般诊疗费
GLUCOSE_TEST = "DEMO-250102001"
EXAM_FEE = "DEMO-110200001"
# Ordinary outpatient complaints: diagnosis, services (code, qty), drugs (code, qty).
ORDINARY_CASES = (
    ("J06.9", ((EXAM_FEE, 1),), (("XJ01CA04A0770101010077", 2),)),  # 上呼吸道感染, 阿莫西林
    ("J06.9", ((EXAM_FEE, 1), ("DEMO-120400001", 2)), (("XJ01DB01A0780101010078", 1),)),  # 输液
    ("J20.9", ((EXAM_FEE, 1), ("DEMO-120100001", 1)), (("XJ01MA12A0790101010079", 1),)),  # 支气管炎
    ("K29.7", ((EXAM_FEE, 1),), (("XA02BC01A0650101010065", 2),)),  # 胃炎, 奥美拉唑
    ("M54.5", ((EXAM_FEE, 1), ("DEMO-480000001", 1)), ()),  # 腰痛, 推拿 (丙类: the patient's)
    ("S61.9", (("DEMO-120600001", 1),), ()),  # 手部外伤, 换药
    ("R51", ((EXAM_FEE, 1), ("DEMO-310701001", 1)), (("ZA069B010101000000069", 1),)),  # 头痛, 心电图
)
CAP_DRUGS = (("XA10BJ02A0470101010047", 2), ("XA10AE04A0430101010043", 2))  # 利拉鲁肽, 甘精胰岛素
REVERSAL_EVERY = 80  # of the visits planned: an ordinary one reversed
REVERSALS = (
    "医保类型选错，冲正后重录",
    "收费项目录错",
    "患者退药，收费冲正",
    "录入错误：重复录入",
)  # the last first


@dataclass
class _Plan:
    """The visits to write once the prescriptions are, in the order of their dates."""

    visits: list[tuple[str, int, User, V.VisitInput, str | None]] = field(default_factory=list)
    serial: int = TRACE_SERIAL_BASE

    def add(self, day: dt.date, actor: User, data: V.VisitInput, reversal: str | None = None) -> None:
        self.visits.append((day.isoformat(), len(self.visits), actor, data, reversal))


def populate_care(store: Store, seed: int = 1, today: dt.date | None = None) -> dict[str, int]:
    """The demo clinic's prescriptions, installments, visits and the doubled box (see the module). Returns
    counts: prescriptions, installments, visits, reversals."""
    today = today or dt.date.today()
    rng = random.Random(seed + 13)
    conn = store.conn
    doctors = {
        r["id"]: user
        for r in conn.execute(
            "SELECT id, username FROM \"user\" WHERE role = 'village_doctor' ORDER BY username"
        )
        if (user := find_user(conn, store.clinic_id, r["username"])) is not None
    }
    if not doctors:
        return {"prescriptions": 0, "installments": 0, "visits": 0, "reversals": 0}
    plan = _Plan()
    prescriptions, installments = _prescriptions(store, rng, doctors, today, plan)
    _cap_patient(store, rng, doctors, today, plan)
    _ordinary_visits(store, rng, list(doctors.values()), today, plan)
    visits, reversals = _write_visits(store, plan, today)
    _doubled_box(store, today)
    return {
        "prescriptions": prescriptions,
        "installments": installments,
        "visits": visits,
        "reversals": reversals,
    }


# -- prescriptions -------------------------------------------------------------------------------------------
def _regimen(conn: Any, resident_id: str, disease: str) -> list[X.ItemInput]:
    """The drugs of the patient's latest follow-up of the disease, as catalog drugs."""
    names = [
        r[0]
        for r in conn.execute(
            "SELECT d.name FROM followup_drug d JOIN followup f ON f.id = d.followup_id "
            "WHERE f.id = (SELECT id FROM followup WHERE resident_id = ? AND disease = ? "
            "ORDER BY visit_date DESC, created_at DESC LIMIT 1) ORDER BY d.rowid",
            (resident_id, disease),
        )
    ]
    lines = [X.ItemInput(*FOLLOWUP_DRUGS[n]) for n in names if n in FOLLOWUP_DRUGS]
    if not lines:
        first = "氨氯地平片" if disease == "hypertension" else "二甲双胍片"
        lines = [X.ItemInput(*FOLLOWUP_DRUGS[first])]
    return lines


def _stable_on(conn: Any, resident_id: str, disease: str, day: dt.date) -> bool:
    last = H.previous_face_to_face(conn, resident_id, disease, day + dt.timedelta(days=1))
    return last is not None and last["classification"] == "controlled"


def _next_stable_day(
    conn: Any, resident_id: str, disease: str, after: dt.date, today: dt.date
) -> dt.date | None:
    """The first face-to-face follow-up after ``after`` that was controlled: a day to issue on."""
    row = conn.execute(
        "SELECT min(visit_date) FROM followup WHERE resident_id = ? AND disease = ? AND visit_date > ? "
        "AND visit_date <= ? AND visit_mode IN ('clinic', 'home') AND classification = 'controlled' "
        "AND deleted_at IS NULL",
        (resident_id, disease, after.isoformat(), today.isoformat()),
    ).fetchone()
    return dt.date.fromisoformat(row[0]) if row and row[0] else None


def _boxes(
    plan: _Plan, conn: Any, lines: Sequence[dict[str, Any]], days: int
) -> tuple[list[str], list[tuple[str, int]]]:
    """A trace code for every box of ``days`` of the prescription's items (the 20-digit family: the catalog's
    product id where it has one, else one it does not know), and the boxes per drug."""
    codes: list[str] = []
    per_drug: list[tuple[str, int]] = []
    for line in lines:
        drug = drugs.drug_by_code(conn, line["drug_code"])
        assert drug is not None
        count = P.packages_for(
            Decimal(line["dose"]), int(line["times_per_day"]), days, int(drug["package_size"])
        )
        product = drug.get("trace_product_id") or f"830{drug['code'][-4:]}"
        for _ in range(count):
            plan.serial += 1
            codes.append(f"{product}{plan.serial:013d}")
        per_drug.append((drug["code"], count))
    return codes, per_drug


def _prescriptions(
    store: Store, rng: random.Random, doctors: dict[str, User], today: dt.date, plan: _Plan
) -> tuple[int, int]:
    conn = store.conn
    patients = conn.execute(
        "SELECT g.id AS registration_id, g.resident_id, g.disease, g.icd_code, g.qualification_status, "
        "g.qualification_date, (SELECT f.created_by FROM followup f WHERE f.resident_id = g.resident_id "
        "AND f.disease = g.disease ORDER BY f.visit_date DESC LIMIT 1) AS doctor_id "
        "FROM disease_registration g WHERE g.management = 'continue' AND g.deleted_at IS NULL "
        "ORDER BY g.resident_id, g.disease"
    ).fetchall()
    chosen = [dict(p) for p in patients if rng.random() < RX_SHARE][:MAX_RX_PATIENTS]
    late = [i for i, p in enumerate(chosen) if p["qualification_status"] != "approved"]
    late_qualified = set(late[:LATE_QUALIFIED])
    issued = dispensed = 0
    for n, patient in enumerate(chosen):
        actor = doctors.get(patient["doctor_id"]) or next(iter(doctors.values()))
        start = today - dt.timedelta(days=rng.randint(*HISTORY_DAYS))
        if n in late_qualified:  # 门诊慢特病认定 approved during the history: type 14 from then on
            on = start + dt.timedelta(days=rng.randint(20, 80))
            H.set_qualification(
                store, actor, patient["registration_id"], "approved", on, f"MT-{on.year}-{n + 1:04d}", today
            )
            patient.update(qualification_status="approved", qualification_date=on.isoformat())
        made = _patient_prescriptions(store, rng, actor, patient, start, today, plan)
        issued += made[0]
        dispensed += made[1]
    return issued + _awaiting_signature(store, rng, doctors, today), dispensed


def _awaiting_signature(store: Store, rng: random.Random, doctors: dict[str, User], today: dt.date) -> int:
    """A first long-term prescription of 56 or 84 days issued in the last days to a few stable patients, held
    until the patient signs at the next visit."""
    conn = store.conn
    made = 0
    for g in conn.execute(
        "SELECT g.resident_id, g.disease, (SELECT f.created_by FROM followup f WHERE f.resident_id = g.resident_id "
        "AND f.disease = g.disease ORDER BY f.visit_date DESC LIMIT 1) AS doctor_id FROM disease_registration g "
        "WHERE g.management = 'continue' AND g.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM prescription p "
        "WHERE p.resident_id = g.resident_id) ORDER BY g.resident_id DESC, g.disease"
    ).fetchall():
        day = today - dt.timedelta(days=rng.randint(1, 5))
        if made == AWAITING_SIGNATURE or not _stable_on(conn, g["resident_id"], g["disease"], today):
            continue
        actor = doctors.get(g["doctor_id"]) or next(iter(doctors.values()))
        lines = _regimen(conn, g["resident_id"], g["disease"])
        X.issue(
            store, actor, g["resident_id"], g["disease"], lines, rng.choice((56, 84)), on=day, today=today
        )
        made += 1
    return made


def _patient_prescriptions(
    store: Store,
    rng: random.Random,
    actor: User,
    patient: dict[str, Any],
    start: dt.date,
    today: dt.date,
    plan: _Plan,
) -> tuple[int, int]:
    """One patient's prescriptions from ``start`` to today: (issued, installments)."""
    conn = store.conn
    rid, disease = patient["resident_id"], patient["disease"]
    day = _next_stable_day(conn, rid, disease, start, today)
    dropout = today - dt.timedelta(days=rng.randint(8, 40)) if rng.random() < DROPOUT_SHARE else None
    lines = _regimen(conn, rid, disease)
    issued = dispensed = 0
    rx: dict[str, Any] | None = None
    left = 0
    while day is not None and day <= today and (dropout is None or day <= dropout):
        if rx is None or left == 0:
            if not _stable_on(conn, rid, disease, day):
                day = _next_stable_day(conn, rid, disease, day, today)
                rx = None
                continue
            days = rng.choices((28, 56, 84), (0.3, 0.25, 0.45))[0]
            rx = X.issue(
                store,
                actor,
                rid,
                disease,
                lines,
                days,
                signed=days > 28,
                assessment=rng.choice(ASSESSMENTS[disease]) if days > 28 else None,
                on=day,
                today=day,  # the history is entered on its day
            )
            issued += 1
            left = days
        elif (
            rng.random() < CHANGE_SHARE
            and all(line.code != CHANGES[disease][0][0] for line in lines)
            and _stable_on(conn, rid, disease, day)
        ):
            new, reason = CHANGES[disease]
            lines = (
                [X.ItemInput(*new), *lines[1:]] if disease == "hypertension" else [*lines, X.ItemInput(*new)]
            )
            days = rng.choice((56, 84))
            rx = X.change(
                store,
                actor,
                rx["id"],
                reason,
                lines,
                days,
                signed=True,
                assessment=rng.choice(ASSESSMENTS[disease]),
                on=day,
                today=day,
            )
            issued += 1
            left = days
        elif rng.random() < STOP_SHARE:
            X.stop(store, actor, rx["id"], rng.choice(STOP_REASONS), on=day, today=today)
            rx, left = None, 0
            day = _next_stable_day(conn, rid, disease, day + dt.timedelta(days=30), today)
            continue
        count = min(28, left)
        held = X.items(conn, rx["id"])
        codes, _ = _boxes(plan, conn, held, count)
        given = X.dispense(store, actor, rx["id"], count, codes, on=day, today=today)
        dispensed += 1
        left -= count
        _visit_of_installment(plan, actor, patient, day, str(given["id"]))
        day += dt.timedelta(days=count - rng.randint(0, 5))
    return issued, dispensed


def _visit_of_installment(
    plan: _Plan, actor: User, patient: dict[str, Any], day: dt.date, dispensing_id: str
) -> None:
    """The installment's boxes (with their trace codes) as the drug lines of the patient's visit that day:
    chronic outpatient (type 14) once qualified for the disease, ordinary outpatient before."""
    qualified = patient["qualification_status"] == "approved" and (patient["qualification_date"] or "9") <= (
        day.isoformat()
    )
    data = V.VisitInput(
        patient["resident_id"],
        day,
        "14" if qualified else "11",
        (patient["icd_code"],),
        patient["disease"] if qualified else None,
        services=((VISIT_SERVICE, 1),),
        dispensing_id=dispensing_id,
    )
    plan.add(day, actor, data)


# -- visits ----------------------------------------------------------------------------------------------------
def _cap_patient(
    store: Store, rng: random.Random, doctors: dict[str, User], today: dt.date, plan: _Plan
) -> None:
    """A qualified diabetes patient on liraglutide and insulin, seen every four weeks this year: the fund's share
    reaches the year's cap in the middle of a visit, and after it the patient pays the whole."""
    conn = store.conn
    row = conn.execute(
        "SELECT g.resident_id, g.icd_code FROM disease_registration g WHERE g.disease = 'diabetes' "
        "AND g.qualification_status = 'approved' AND g.qualification_date <= ? AND g.management = 'continue' "
        "AND g.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM prescription p WHERE p.resident_id = g.resident_id) "
        "ORDER BY g.resident_id LIMIT 1",
        (f"{today.year:04d}-01-01",),
    ).fetchone()
    if row is None:
        return
    actor = sorted(doctors.values(), key=lambda u: u.username)[0]
    day = dt.date(today.year, 1, 6)
    while day <= today:
        services = ((VISIT_SERVICE, 1), (GLUCOSE_TEST, 1))
        plan.add(day, actor, V.VisitInput(row[0], day, "14", (row[1],), "diabetes", services, CAP_DRUGS))
        day += dt.timedelta(days=28)


def _ordinary_visits(
    store: Store, rng: random.Random, doctors: list[User], today: dt.date, plan: _Plan
) -> None:
    """One to three ordinary outpatient visits in the last year of some contracted residents; a few reversed (one
    of them a visit saved twice, the second reversed)."""
    conn = store.conn
    people = [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT c.resident_id FROM contract c JOIN resident r ON r.id = c.resident_id "
            "WHERE c.status = 'active' AND c.deleted_at IS NULL AND r.deleted_at IS NULL ORDER BY c.resident_id "
            "LIMIT ?",
            (MAX_VISIT_RESIDENTS,),
        )
    ]
    reversals = list(REVERSALS)
    for resident_id in people:
        if rng.random() >= ORDINARY_SHARE:
            continue
        for _ in range(rng.choice((1, 1, 2, 3))):
            day = today - dt.timedelta(days=rng.randrange(365))
            code, services, items = rng.choice(ORDINARY_CASES)
            data = V.VisitInput(resident_id, day, "11", (code,), None, services, items)
            actor = rng.choice(doctors)
            if reversals and len(plan.visits) % REVERSAL_EVERY == REVERSAL_EVERY // 2:
                reason = reversals.pop()
                if reason.endswith("重复录入"):
                    plan.add(day, actor, data)  # saved once as it should be, then a second time by mistake
                plan.add(day, actor, data, reason)
            else:
                plan.add(day, actor, data)


def _write_visits(store: Store, plan: _Plan, today: dt.date) -> tuple[int, int]:
    """Every planned visit, the earliest first (as the year's use builds up); a reversal the same day."""
    written = reversed_ = 0
    for day, _n, actor, data, reversal in sorted(plan.visits, key=lambda v: (v[0], v[1])):
        result = V.add_visit(store, actor, data, today)
        written += 1
        if reversal is not None:
            V.cancel_visit(store, actor, result.id, reversal, dt.date.fromisoformat(day))
            reversed_ += 1
    return written, reversed_


# -- the box sold twice ------------------------------------------------------------------------------------------
def _doubled_box(store: Store, today: dt.date) -> None:
    """The conflict row the county server sends the clinic whose sale of a box came first when another clinic
    sells the same code (sync.server.trace_codes, ``trace_code_elsewhere``), for the demo's latest amlodipine box
    sold a week ago or more, as if 青石乡河湾村卫生室 had sold it the next day: waiting on the 同步 page for the
    county's reviewer (``county-server conflicts resolve ID --keep acknowledged``). The demo clinic joins no
    county; should it join one, the row goes (clinic_app.syncstate.adopt_clinic): that county never made it."""
    conn = store.conn
    box = conn.execute(
        "SELECT c.*, d.dispensed_on FROM dispensing_code c JOIN dispensing d ON d.id = c.dispensing_id "
        "WHERE c.code LIKE '8100001%' AND d.dispensed_on <= ? ORDER BY d.dispensed_on DESC, c.code LIMIT 1",
        ((today - dt.timedelta(days=7)).isoformat(),),
    ).fetchone()
    if box is None:
        return
    row = dict(box)
    sold = dt.date.fromisoformat(row.pop("dispensed_on"))
    flagged = f"{sold + dt.timedelta(days=1)}T03:12:00.000Z"
    other = f"{OTHER_CLINIC[1]} ({OTHER_CLINIC[0]})"
    conflict = {
        "id": uuid7(),
        "clinic_id": store.clinic_id,
        "created_at": flagged,
        "updated_at": flagged,
        "created_by": None,
        "updated_by": None,
        "deleted_at": None,
        "row_version": 1,
        "table_name": "dispensing_code",
        "row_id": row["id"],
        "kind": "trace_code_elsewhere",
        "message": f"trace code {row['code']} of this clinic's sale was sold at {other} as well",
        "local_row": None,
        "server_row": json.dumps({**row, "row_version": 1}, ensure_ascii=False),
        "resolved_at": None,
        "resolution": None,
    }
    store.write_server_rows({"conflict": [conflict]}, "demo.trace_code")
