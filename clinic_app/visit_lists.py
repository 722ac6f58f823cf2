"""What the desktop's visit form, receipt and visit list read (issue 14 points 3, 5, 7): a patient's visits newest
first with their reversal, one visit as its receipt shows it, the services of the county's price list found by
code or name, and which chronic pools (medical type 14) a patient may be settled from on a day. The rules stay in
clinic_app.visits and clinic_app.settlement; these are the queries, kept with their domain (no SQL in ``ui/``)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from clinic_app.contracts import has_table
from clinic_app.day_end import receipt_number
from clinic_app.db import Connection
from clinic_app.drugs import drug_by_code
from clinic_app.errors import ValidationError
from clinic_app.prescriptions import packages_for
from clinic_app.search import normalize_name, text_keys
from clinic_app.visits import dispensing_lines, get_visit, unbilled_dispensings

Row = dict[str, Any]
PAGE = 200
MAX_SERVICE_HITS = 50

_VISIT_SQL = (
    "SELECT v.id, v.resident_id, v.visit_date, v.med_type, v.disease, v.diagnoses, v.total_fen, v.fund_fen, "
    "v.patient_fen, v.cap_left_fen, v.capped, v.provisional, v.created_at, u.display_name AS doctor, "
    "(SELECT c.cancelled_on FROM visit_cancel c WHERE c.visit_id = v.id AND c.deleted_at IS NULL "
    " ORDER BY c.created_at LIMIT 1) AS cancelled_on, "
    "(SELECT c.reason FROM visit_cancel c WHERE c.visit_id = v.id AND c.deleted_at IS NULL "
    " ORDER BY c.created_at LIMIT 1) AS cancel_reason "
    "FROM visit v LEFT JOIN user u ON u.id = v.doctor_id "
)


def visit_cursor(row: Row) -> tuple[str, str, str]:
    """The keyset of the patient's visit list (newest first): the day, when it was recorded, the id."""
    return (str(row["visit_date"]), str(row["created_at"]), str(row["id"]))


def _shown(row: Any) -> Row:
    found = dict(row)
    found["diagnoses"] = json.loads(found["diagnoses"] or "[]")
    found["cancelled"] = found["cancelled_on"] is not None
    return found


def patient_visits(
    conn: Connection, resident_id: str, after: tuple[str, str, str] | None = None, limit: int = PAGE
) -> list[Row]:
    """A page of the patient's visits, newest first, each with its reversal (``cancelled``, ``cancelled_on``,
    ``cancel_reason``) and its doctor's name; ``after`` is ``visit_cursor`` of the last row of the page before."""
    sql = _VISIT_SQL + "WHERE v.resident_id = ? AND v.deleted_at IS NULL "
    args: list[Any] = [resident_id]
    if after is not None:
        sql += "AND (v.visit_date, v.created_at, v.id) < (?, ?, ?) "
        args += list(after)
    sql += "ORDER BY v.visit_date DESC, v.created_at DESC, v.id DESC LIMIT ?"
    args.append(limit)
    return [_shown(r) for r in conn.execute(sql, args)]


def visit_rows(conn: Connection, ids: list[str]) -> list[Row]:
    """These visits as the list shows them (for refreshing the rows one write changed)."""
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    return [_shown(r) for r in conn.execute(_VISIT_SQL + f"WHERE v.id IN ({marks})", ids)]


def receipt(conn: Connection, visit_id: str) -> Row:
    """One visit as its receipt prints it: the visit and its settlement, its lines, the patient, the doctor, the
    clinic and the reversal if there is one."""
    visit = get_visit(conn, visit_id)
    lines = [
        dict(r)
        for r in conn.execute(
            "SELECT * FROM visit_line WHERE visit_id = ? AND deleted_at IS NULL ORDER BY line_no", (visit_id,)
        )
    ]
    for line in lines:  # a drug as a patient reads it on the receipt: its strength and its package
        drug = drug_by_code(conn, str(line["code"])) if line["kind"] == "drug" else None
        line["spec"] = drug.get("spec") if drug else None
        line["package_unit"] = drug.get("package_unit") if drug else None
    resident = dict(
        conn.execute(
            "SELECT id, name, sex, birth_date, id_number, document_number FROM resident WHERE id = ?",
            (visit["resident_id"],),
        ).fetchone()
    )
    doctor = conn.execute("SELECT display_name FROM user WHERE id = ?", (visit["doctor_id"],)).fetchone()
    clinic = conn.execute("SELECT name FROM clinic WHERE id = ?", (visit["clinic_id"],)).fetchone()
    cancel = conn.execute(
        "SELECT cancelled_on, reason FROM visit_cancel WHERE visit_id = ? AND deleted_at IS NULL "
        "ORDER BY created_at LIMIT 1",
        (visit_id,),
    ).fetchone()
    return {
        "number": receipt_number(visit_id, visit["visit_date"]),  # as the day end lists it
        "visit": {**visit, "diagnoses": json.loads(visit["diagnoses"] or "[]")},
        "lines": lines,
        "resident": resident,
        "doctor": doctor[0] if doctor else "",
        "clinic": clinic[0] if clinic else "",
        "cancelled": dict(cancel) if cancel else None,
    }


def search_services(conn: Connection, text: str, limit: int = MAX_SERVICE_HITS) -> list[Row]:
    """Services of the county's price list whose code starts with, or whose name holds, ``text`` (codes first),
    then those whose name's pinyin or initials from a syllable on start with it (``zcf`` finds 诊查费), the keys
    derived as the drug search derives them (clinic_app.search.text_keys)."""
    query = text.strip()
    if not query or not has_table(conn, "service_price"):
        return []
    like = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    found = [
        dict(r)
        for r in conn.execute(
            f"SELECT {SERVICE_COLUMNS} FROM service_price "
            "WHERE deleted_at IS NULL AND (code LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\') "
            "ORDER BY code LIKE ? ESCAPE '\\' DESC, code LIMIT ?",
            (like.upper() + "%", "%" + like + "%", like.upper() + "%", limit),
        )
    ]
    spelled = normalize_name(query).lower().replace("ü", "v").replace("'", "")
    if len(found) < limit and spelled.isascii() and spelled.isalpha():
        seen = {r["code"] for r in found}
        for r in conn.execute(
            f"SELECT {SERVICE_COLUMNS} FROM service_price WHERE deleted_at IS NULL ORDER BY code"
        ):
            if r["code"] not in seen and any(k.startswith(spelled) for k in service_pinyin_keys(r["name"])):
                found.append(dict(r))
                if len(found) == limit:
                    break
    return found


SERVICE_COLUMNS = "code, name, price_fen, insurance_category, unit"


@lru_cache(maxsize=16384)
def service_pinyin_keys(name: str) -> tuple[str, ...]:
    """The pinyin and initials of a service's name from each syllable on (the ``p:`` keys of text_keys)."""
    return tuple(sorted(k[2:] for k in text_keys(name) if k.startswith("p:")))


@dataclass(frozen=True)
class ChronicPool:
    """Whether a type-14 visit for ``disease`` may be settled on a day, and why not (``reason``: ``status``, the
    qualification is not approved; ``after``, it was approved after the day), with the registration's ICD code."""

    disease: str
    icd_code: str
    qualified: bool
    reason: str | None = None
    status: str = ""
    approved_on: str | None = None


def chronic_pools(registrations: list[Row], on: dt.date) -> list[ChronicPool]:
    """The patient's registrations (chronic_records.registrations) as the pools of a type-14 visit on ``on``: the
    rule of visits.check_qualification, told per disease so the form can say why type 14 is not offered."""
    pools = []
    for reg in registrations:
        status, approved = str(reg.get("qualification_status") or "none"), reg.get("qualification_date")
        if status != "approved":
            pools.append(ChronicPool(reg["disease"], reg["icd_code"], False, "status", status, approved))
        elif approved is None or str(approved) > on.isoformat():
            pools.append(ChronicPool(reg["disease"], reg["icd_code"], False, "after", status, approved))
        else:
            pools.append(ChronicPool(reg["disease"], reg["icd_code"], True, None, status, approved))
    return pools


def prescription_lines(conn: Connection, rx_id: str, days: int) -> list[tuple[Row, int]]:
    """The drugs of a long-term prescription as the drug lines of a type-14 visit that dispenses ``days`` of it:
    each catalog drug with the whole packages those days take (RULES §6: dose × times × days ÷ package size,
    rounded up); a drug the catalog no longer holds is left out."""
    found = []
    for item in conn.execute(
        "SELECT drug_code, dose, times_per_day, package_size FROM prescription_item WHERE prescription_id = ? "
        "ORDER BY line",
        (rx_id,),
    ):
        drug = drug_by_code(conn, str(item["drug_code"]))
        if drug is None:
            continue
        packages = packages_for(
            Decimal(str(item["dose"])), int(item["times_per_day"]), days, int(item["package_size"])
        )
        found.append((drug, max(1, packages)))
    return found


def todays_installment(
    conn: Connection, rx_id: str, day: dt.date
) -> tuple[str, list[tuple[Row, int, list[str]]]] | None:
    """The prescription's installment dispensed on ``day`` that no live visit pays for yet, as the visit's drug
    lines (visits.dispensing_lines): its id and, a drug at a time, the catalog's drug, the boxes and their trace
    codes; None when there is none."""
    found = conn.execute(
        "SELECT d.id, p.resident_id FROM dispensing d JOIN prescription p ON p.id = d.prescription_id "
        "WHERE d.prescription_id = ? AND d.dispensed_on = ? AND d.deleted_at IS NULL "
        "ORDER BY d.created_at DESC LIMIT 1",
        (rx_id, day.isoformat()),
    ).fetchone()
    if found is None:
        return None
    return installment_lines(conn, str(found["id"]), str(found["resident_id"]))


def patients_unbilled_installment(
    conn: Connection, resident_id: str, day: dt.date
) -> tuple[str, list[tuple[Row, int, list[str]]]] | None:
    """The newest installment dispensed to the patient on ``day`` that no live visit pays for yet (trial F2: the
    visit form opened from any page bills it, as from the refill list), as ``todays_installment``; None when
    there is none."""
    for given in unbilled_dispensings(conn, day, resident_id=resident_id):
        if (found := installment_lines(conn, str(given["id"]), resident_id)) is not None:
            return found
    return None


def installment_lines(
    conn: Connection, dispensing_id: str, resident_id: str
) -> tuple[str, list[tuple[Row, int, list[str]]]] | None:
    """An installment's boxes as the visit's drug lines, a drug at a time; None when a visit pays for it already
    or the catalog lost its drug."""
    try:
        lines = dispensing_lines(conn, dispensing_id, resident_id, None)
    except ValidationError:
        return None  # paid already (or the catalog lost the drug): the prescription's own lines instead
    by_drug: dict[str, tuple[Row, int, list[str]]] = {}
    for line in lines:
        if line.code not in by_drug:  # the catalog read once a drug, not once a box
            drug = drug_by_code(conn, line.code)
            if drug is None:
                continue
            by_drug[line.code] = (drug, 0, [])
        held = by_drug[line.code]
        codes = held[2] + ([line.trace_code] if line.trace_code else [])
        by_drug[line.code] = (held[0], held[1] + line.quantity, codes)
    return dispensing_id, list(by_drug.values())
