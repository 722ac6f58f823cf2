"""Chronic-care indicators (RULES §5, issue 12 point 9) for a year, per clinic, village and doctor, per disease:
patients under management, the standard management rate, the control rate, follow-ups done against due.

The definitions are written once, here, and hold on both stores:
- ``YEAR_SQL`` reduces a patient's follow-ups of a period to two facts (face-to-face visits, the latest one):
  the clinic runs it over its ``followup`` table, the county over its index of follow-ups
  (sync.server.chronic_index), whose columns carry the same names;
- ``tally`` counts the indicators from one ``Patient`` a registration (a pure function; the county feeds it
  the rows of its index).

Choices (the report's header says them too):
- the period is the calendar year;
- a patient's doctor is the doctor who recorded the patient's latest face-to-face follow-up of the period, or,
  without one, the one who registered the disease: so each patient counts for one doctor and the doctors' figures
  add up to the clinic's;
- follow-ups due are the standard's minimum, 4 face-to-face a year, in proportion to the days of the year the
  patient was under management (rounded up); done are the days with a face-to-face one (a phone follow-up is
  recorded but does not count, RULES §3; two on one day are one visit);
- the latest follow-up of the control rate is the latest face-to-face one (a phone call measures nothing).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from clinic_app import chronic as K
from clinic_app.db import Connection
from clinic_app.digits import report_year

# RULES §5: the control rate counts patients registered ≥ 3 months before the period end
CONTROL_MIN_MONTHS = 3
DOCTOR_BASIS = (
    "the doctor of the patient's latest face-to-face follow-up of the year, else who registered the disease"
)
DUE_BASIS = (
    f"{K.FACE_TO_FACE_PER_YEAR} face-to-face follow-ups a patient-year, in proportion to the days managed"
)

_FACE_TO_FACE = "(" + ", ".join(f"'{m}'" for m in K.FACE_TO_FACE) + ")"
# Per patient and disease, of the live follow-ups (not superseded, not deleted) dated in the period: on how many
# days one was face-to-face (a second one on the same day is no second visit of the standard, as the referral rule
# reads it: clinic_app.chronic_records.previous_face_to_face looks before the day), and the latest face-to-face one as "date|created_at|id|classification|doctor" (the greatest text is
# the latest visit, a later entry of one day winning). ``{followup}`` is the table, ``{where}`` narrows it further;
# parameters :start and :end (ISO dates), and those of ``{where}``. Standard SQL: SQLite and PostgreSQL alike.
YEAR_SQL = f"""
    SELECT f.clinic_id, f.resident_id, f.disease,
           COUNT(DISTINCT CASE WHEN f.visit_mode IN {_FACE_TO_FACE} THEN f.visit_date END) AS face_to_face,
           MAX(CASE WHEN f.visit_mode IN {_FACE_TO_FACE}
                    THEN f.visit_date || '|' || f.created_at || '|' || f.id || '|' || f.classification || '|'
                         || COALESCE(f.created_by, '') END) AS latest
    FROM {{followup}} f
    WHERE f.visit_date BETWEEN :start AND :end AND f.deleted_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM {{followup}} s WHERE s.supersedes = f.id) {{where}}
    GROUP BY f.clinic_id, f.resident_id, f.disease"""


def year_sql(followup_table: str, where: str = "") -> str:
    return YEAR_SQL.format(followup=followup_table, where=where)


@dataclass(frozen=True)
class Latest:
    visit_date: str
    classification: str
    doctor_id: str | None


def parse_latest(text: str | None) -> Latest | None:
    """The latest face-to-face follow-up as ``YEAR_SQL`` gives it."""
    if not text:
        return None
    day, _created, _id, classification, doctor = text.split("|")
    return Latest(day, classification, doctor or None)


@dataclass(frozen=True)
class Patient:
    """A registration with its figures of the period."""

    clinic_id: str
    village_id: str | None
    registered_by: str | None
    disease: str
    registered_on: str  # the day the registration was made (ISO)
    management: str  # continue / lost / terminated
    ended_on: str | None
    face_to_face: int = 0  # days of the period with a face-to-face follow-up
    latest: Latest | None = None  # the latest face-to-face follow-up of the period

    @property
    def doctor_id(self) -> str | None:
        return (
            self.latest.doctor_id if self.latest is not None and self.latest.doctor_id else self.registered_by
        )


def period_bounds(year: Any) -> tuple[dt.date, dt.date]:
    """A period is a calendar year; anything else is refused naming the field."""
    number = report_year(year)
    return dt.date(number, 1, 1), dt.date(number, 12, 31)


def managed_span(p: Patient, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date] | None:
    """The days of the period ``start``..``end`` the patient was under management, None when not one.

    Under management in a period: registered (the registration made) on or before the period's end, and its
    management not ended before the period's start — still continuing, or lost or terminated on a day inside the
    period or after it (a registration ended without a date, or before it was made, counts as ended before the
    period). A deleted registration is never read."""
    if p.management == "continue" and p.registered_on <= start.isoformat():
        return start, end  # most patients: the whole period, nothing to parse
    registered = dt.date.fromisoformat(p.registered_on)
    if registered > end:
        return None
    until = end
    if p.management != "continue":
        if p.ended_on is None:
            return None
        ended = dt.date.fromisoformat(p.ended_on)
        if ended < start:
            return None
        until = min(end, ended)
    since = max(start, registered)
    return (since, until) if since <= until else None


def control_cutoff(end: dt.date) -> dt.date:
    """The latest registration day the control rate counts: ``CONTROL_MIN_MONTHS`` months before ``end``."""
    month = end.month - CONTROL_MIN_MONTHS
    year = end.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for day in range(end.day, 0, -1):
        try:
            return dt.date(year, month, day)
        except ValueError:  # 31 September: the month's last day
            continue
    raise AssertionError("unreachable")


@dataclass
class Figures:
    under_management: int = 0
    standard_managed: int = 0  # face-to-face follow-ups on ≥ 4 days of the period
    control_counted: int = 0  # under management and registered ≥ 3 months before the period end
    controlled: int = 0  # of those, the latest face-to-face follow-up of the period controlled
    followups_done: int = 0  # days with a face-to-face follow-up
    followups_due: int = 0

    @property
    def standard_rate(self) -> float | None:
        return _rate(self.standard_managed, self.under_management)

    @property
    def control_rate(self) -> float | None:
        return _rate(self.controlled, self.control_counted)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "standard_rate": self.standard_rate, "control_rate": self.control_rate}


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def tally(
    patients: Iterable[Patient], start: dt.date, end: dt.date, *keys: Callable[[Patient], Hashable]
) -> list[dict[tuple[Hashable, str], Figures]]:
    """The indicators of the period per disease and per each of ``keys`` of a patient (RULES §5): one dict for
    each key, from one pass over the patients."""
    cutoff = control_cutoff(end).isoformat()
    days = (end - start).days + 1
    outs: list[dict[tuple[Hashable, str], Figures]] = [{} for _ in keys]
    for p in patients:
        span = managed_span(p, start, end)
        if span is None:
            continue
        whole = span == (start, end)
        due = (
            K.FACE_TO_FACE_PER_YEAR
            if whole
            else math.ceil(K.FACE_TO_FACE_PER_YEAR * ((span[1] - span[0]).days + 1) / days)
        )
        standard = p.face_to_face >= K.FACE_TO_FACE_PER_YEAR
        counted = p.registered_on <= cutoff
        controlled = counted and p.latest is not None and p.latest.classification == "controlled"
        for key, out in zip(keys, outs, strict=True):
            group = (key(p), p.disease)
            f = out.get(group)
            if f is None:
                f = out[group] = Figures()
            f.under_management += 1
            f.standard_managed += standard
            f.followups_done += p.face_to_face
            f.followups_due += due
            f.control_counted += counted
            f.controlled += controlled
    return outs


# -- the clinic's figures ----------------------------------------------------------------------------------------
# A registration of the clinic with its figures of the period, in ``Patient``'s order (``patients`` reads them).
CLINIC_PATIENTS_SQL = f"""
    SELECT g.clinic_id, r.village_id, g.created_by, g.disease, substr(g.created_at, 1, 10), g.management,
           g.management_ended_on, y.face_to_face, y.latest
    FROM disease_registration g JOIN resident r ON r.id = g.resident_id
    LEFT JOIN ({year_sql("followup", "AND f.clinic_id = :clinic")}) y
           ON y.resident_id = g.resident_id AND y.disease = g.disease
    WHERE g.clinic_id = :clinic AND g.deleted_at IS NULL"""


def patients(rows: Iterable[Sequence[Any]]) -> list[Patient]:
    """Rows of (clinic_id, village_id, registered_by, disease, registered_on, management, ended_on, face_to_face,
    latest): a registration with its ``YEAR_SQL`` figures, None when it had no follow-up in the period."""
    return [
        Patient(r[0], r[1], r[2], r[3], r[4], r[5], r[6], int(r[7] or 0), parse_latest(r[8])) for r in rows
    ]


def clinic_patients(conn: Connection, clinic_id: str, start: dt.date, end: dt.date) -> list[Patient]:
    args = {"clinic": clinic_id, "start": start.isoformat(), "end": end.isoformat()}
    return patients(conn.execute(CLINIC_PATIENTS_SQL, args).fetchall())


def disease_figures(
    figures: Mapping[tuple[Hashable, str], Figures], key: Hashable
) -> dict[str, dict[str, Any]]:
    return {d: figures.get((key, d), Figures()).as_dict() for d in K.DISEASES}


def clinic_report(conn: Connection, clinic_id: str, year: Any) -> dict[str, Any]:
    """The clinic's indicators of a year: totals, then per village and per doctor, each per disease."""
    start, end = period_bounds(year)
    patients = clinic_patients(conn, clinic_id, start, end)
    villages = {
        r["id"]: r["name"]
        for r in conn.execute("SELECT id, name FROM village WHERE clinic_id = ?", (clinic_id,))
    }
    doctors = {
        r["id"]: r["display_name"] or r["username"]
        for r in conn.execute(
            'SELECT id, username, display_name FROM "user" WHERE clinic_id = ?', (clinic_id,)
        )
    }
    totals, by_village, by_doctor = tally(
        patients, start, end, lambda p: None, lambda p: p.village_id, lambda p: p.doctor_id
    )

    def groups(
        figures: Mapping[tuple[Hashable, str], Figures], names: Mapping[Any, str]
    ) -> list[dict[str, Any]]:
        keys = {k for k, _ in figures}
        rows = [
            {"id": k, "name": names.get(k, "—" if k is None else str(k)), **disease_figures(figures, k)}
            for k in keys
        ]
        return sorted(rows, key=lambda r: (r["id"] is None, r["name"]))

    return {
        "period": start.year,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "control_registered_by": control_cutoff(end).isoformat(),
        "doctor_basis": DOCTOR_BASIS,
        "due_basis": DUE_BASIS,
        "clinic": disease_figures(totals, None),
        "villages": groups(by_village, villages),
        "doctors": groups(by_doctor, doctors),
    }


# -- as text -----------------------------------------------------------------------------------------------------
TEXT_HEADER = ("managed", "standard", "std rate", "counted", "controlled", "ctrl rate", "done", "due")


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def text_lines(
    report: Mapping[str, Any], groups: Iterable[tuple[str, Mapping[str, Any]]], what: str
) -> list[str]:
    """A report as a readable table: its period and choices, then a line per group (name, figures per disease)
    and disease."""
    from clinic_app.labels import label

    lines = [
        f"Chronic-care indicators {report['period']} ({report['start']} .. {report['end']}), {what}",
        f"control rate: patients registered by {report['control_registered_by']}; due: {report['due_basis']}"
        + (f"; doctor: {report['doctor_basis']}" if "doctor_basis" in report else ""),
        "\t".join(("group", "disease", *TEXT_HEADER)),
    ]
    for name, row in groups:
        for disease in K.DISEASES:
            f = row[disease]
            cells = (
                f["under_management"],
                f["standard_managed"],
                percent(f["standard_rate"]),
                f["control_counted"],
                f["controlled"],
                percent(f["control_rate"]),
                f["followups_done"],
                f["followups_due"],
            )
            lines.append("\t".join((name, label("disease", disease), *(str(c) for c in cells))))
    return lines


# -- Excel -------------------------------------------------------------------------------------------------------
XLSX_COLUMNS = (
    ("under_management", "管理人数"),
    ("standard_managed", "规范管理人数"),
    ("standard_rate", "规范管理率（%）"),
    ("control_counted", "控制率统计人数"),
    ("controlled", "控制满意人数"),
    ("control_rate", "控制率（%）"),
    ("followups_done", "已面对面随访"),
    ("followups_due", "应随访"),
)
DISEASE_ZH = {"hypertension": "高血压", "diabetes": "2型糖尿病"}


def export_xlsx(report: Mapping[str, Any], target: Any) -> None:
    """The report as a workbook: a sheet per level (clinic, village, doctor), a row per group and disease; rates
    as percentage numbers; every text a text cell (clinic_app.cells)."""

    from openpyxl import Workbook

    from clinic_app.cells import save_workbook, xlsx_cell

    book = Workbook(write_only=True)
    header = ["名称", "病种", *(zh for _, zh in XLSX_COLUMNS)]
    levels = (
        ("全卫生室", [{"name": "合计", **report["clinic"]}]),
        ("按村", report["villages"]),
        ("按医生", report["doctors"]),
    )
    for title, rows in levels:
        sheet = book.create_sheet(f"{title} {report['period']}")
        sheet.append([xlsx_cell(sheet, f"慢病管理指标 {report['start']} 至 {report['end']}")])
        sheet.append([xlsx_cell(sheet, h) for h in header])
        for row in rows:
            for disease in K.DISEASES:
                f = row[disease]
                values = [
                    round(f[k] * 100, 2) if k.endswith("_rate") and f[k] is not None else f[k]
                    for k, _ in XLSX_COLUMNS
                ]
                sheet.append([xlsx_cell(sheet, v) for v in (row["name"], DISEASE_ZH[disease], *values)])
    save_workbook(book, target)
