"""The county's chronic-care index and its indicators (issue 12 point 9, RULES §5).

The county holds every row as JSON in ``record``; at 300 clinics and three years that is millions of follow-ups,
which no report can parse. So two rules keep an index on push (as the one-team rule keeps ``contract_index``):
a live registration is a row of ``chronic_patient_index`` (its village as the resident's when it was written), a
follow-up a row of ``chronic_followup_index`` under the clinic's column names, and each write of a follow-up
refreshes the ``chronic_year_index`` row of its patient, disease and year (and of the row it supersedes) with
clinic_app.chronic_indicators.YEAR_SQL — the query the clinic runs over its own follow-ups. The report then reads
one row per registration and one per patient-year and counts them with the clinic's ``tally``.

Rows stored before the index came are indexed by ``rebuild`` (``county-server report rebuild-index``), through the
same code.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from clinic_app import chronic_indicators as I
from sync.server import db
from sync.server.records import Batch, CountyRule, load

_PATIENTS = db.chronic_patient_index
_FOLLOWUPS = db.chronic_followup_index
_YEARS = db.chronic_year_index
_ALL_YEAR = sa.text(I.year_sql(_FOLLOWUPS.name))
CHUNK = 2000  # rows a statement inserts when the index is rebuilt
# as clinic_app.chronic_indicators.patients reads a registration (its figures follow)
PATIENT_COLUMNS = (
    "clinic_id",
    "village_id",
    "registered_by",
    "disease",
    "registered_on",
    "management",
    "ended_on",
)


def patient_values(
    clinic_id: str, row_id: str, data: Mapping[str, Any], village_id: str | None
) -> dict[str, Any]:
    return {
        "row_id": row_id,
        "clinic_id": clinic_id,
        "resident_id": data["resident_id"],
        "disease": data["disease"],
        "village_id": village_id,
        "registered_by": data.get("created_by"),
        "registered_on": str(data["created_at"])[:10],
        "management": data.get("management") or "continue",
        "ended_on": data.get("management_ended_on"),
    }


def followup_values(clinic_id: str, row_id: str, data: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": row_id,
        "clinic_id": clinic_id,
        **{
            name: data.get(name)
            for name in (
                "resident_id",
                "disease",
                "visit_date",
                "visit_mode",
                "classification",
                "created_at",
                "created_by",
                "supersedes",
                "deleted_at",
            )
        },
    }


def _village(conn: Connection, resident_id: str, batch: Batch | None) -> str | None:
    resident = (
        batch.row(conn, "resident", resident_id) if batch is not None else load(conn, "resident", resident_id)
    )
    return None if resident is None else json.loads(resident.data).get("village_id")


_RESIDENTS_YEAR = sa.text(
    I.year_sql(_FOLLOWUPS.name, "AND f.clinic_id = :clinic AND f.resident_id IN :residents")
).bindparams(sa.bindparam("residents", expanding=True))


def year_rows(
    conn: Connection, year: int, clinic_id: str | None = None, residents: list[str] | None = None
) -> list[dict[str, Any]]:
    """``YEAR_SQL`` over the indexed follow-ups of a year: of every patient, or of these residents of a clinic."""
    start, end = I.period_bounds(year)
    args: dict[str, Any] = {"start": start.isoformat(), "end": end.isoformat()}
    if residents is not None:
        args.update(clinic=clinic_id, residents=residents)
    rows = conn.execute(_ALL_YEAR if residents is None else _RESIDENTS_YEAR, args).mappings()
    return [{**r, "year": year, "face_to_face": int(r["face_to_face"] or 0)} for r in rows]


def refresh_years(conn: Connection, touched: set[tuple[str, int, str]]) -> None:
    """Count again the years (clinic, year, resident) a batch's follow-ups touched: two statements a clinic and
    year, whatever the number of patients (up to ``CHUNK``)."""
    groups: dict[tuple[str, int], list[str]] = {}
    for clinic_id, year, resident_id in sorted(touched):
        groups.setdefault((clinic_id, year), []).append(resident_id)
    for (clinic_id, year), residents in groups.items():
        for start in range(0, len(residents), CHUNK):
            chunk = residents[start : start + CHUNK]
            conn.execute(
                sa.delete(_YEARS).where(
                    _YEARS.c.clinic_id == clinic_id, _YEARS.c.year == year, _YEARS.c.resident_id.in_(chunk)
                )
            )
            if rows := year_rows(conn, year, clinic_id, chunk):
                conn.execute(_YEARS.insert(), rows)


class RegistrationIndex(CountyRule):
    """A live registration is a row of ``chronic_patient_index``; a deleted one is none."""

    table = "disease_registration"

    def on_write(
        self,
        conn: Connection,
        clinic_id: str | None,
        row_id: str,
        data: dict[str, Any],
        current: Any,
        batch: Batch | None = None,
    ) -> None:
        if current is not None:
            conn.execute(sa.delete(_PATIENTS).where(_PATIENTS.c.row_id == row_id))
        if clinic_id is None or data.get("deleted_at"):
            return
        village = _village(conn, data["resident_id"], batch)
        conn.execute(_PATIENTS.insert(), patient_values(clinic_id, row_id, data, village))


class FollowupIndex(CountyRule):
    """A follow-up is a row of ``chronic_followup_index``; the years it touches (its own, the one it had, the one of
    the follow-up it supersedes) are counted again for its patient."""

    table = "followup"

    def on_write(
        self,
        conn: Connection,
        clinic_id: str | None,
        row_id: str,
        data: dict[str, Any],
        current: Any,
        batch: Batch | None = None,
    ) -> None:
        if clinic_id is None:
            return
        dates = {str(data["visit_date"])}
        held = None
        if current is not None:
            held = conn.execute(sa.select(_FOLLOWUPS.c.visit_date).where(_FOLLOWUPS.c.id == row_id)).first()
        if held is not None:
            dates.add(held.visit_date)
            conn.execute(sa.delete(_FOLLOWUPS).where(_FOLLOWUPS.c.id == row_id))
        values = followup_values(clinic_id, row_id, data)
        later = batch.later.setdefault(_FOLLOWUPS, {}) if batch is not None else None
        if later is not None and held is None:
            later[row_id] = values  # inserted with the batch's records
        else:
            conn.execute(_FOLLOWUPS.insert(), values)
        if data.get("supersedes"):
            older: Any = later.get(data["supersedes"]) if later is not None else None
            if older is None:
                older = (
                    conn.execute(
                        sa.select(_FOLLOWUPS.c.visit_date).where(_FOLLOWUPS.c.id == data["supersedes"])
                    )
                    .mappings()
                    .first()
                )
            if older is not None:
                dates.add(older["visit_date"])
        years = {(clinic_id, int(d[:4]), str(data["resident_id"])) for d in dates}
        if batch is None:
            refresh_years(conn, years)
            return
        touched: set[tuple[str, int, str]] = batch.memo.setdefault((self.table, "years"), set())
        touched |= years
        batch.at_finish((self.table, "years"), lambda c: refresh_years(c, touched))


def rebuild(conn: Connection) -> dict[str, int]:
    """Index every chronic-care row the county holds afresh: what was indexed is dropped first."""
    for table in (_YEARS, _FOLLOWUPS, _PATIENTS):
        conn.execute(sa.delete(table))
    r = db.record.c
    patients = (
        (rec.clinic_id, rec.row_id, json.loads(rec.data))
        for rec in conn.execute(
            sa.select(r.clinic_id, r.row_id, r.data).where(
                r.table_name == "disease_registration", r.deleted_at.is_(None), r.clinic_id.is_not(None)
            )
        ).all()
    )
    counts = {
        "registrations": _insert(
            conn,
            _PATIENTS,
            (patient_values(c, i, d, _village(conn, d["resident_id"], None)) for c, i, d in patients),
        )
    }
    followups = conn.execute(
        sa.select(r.clinic_id, r.row_id, r.data).where(r.table_name == "followup", r.clinic_id.is_not(None))
    )
    counts["followups"] = _insert(
        conn,
        _FOLLOWUPS,
        (followup_values(rec.clinic_id, rec.row_id, json.loads(rec.data)) for rec in followups),
    )
    counts["patient_years"] = index_years(conn)
    return counts


def index_years(conn: Connection) -> int:
    """Fill ``chronic_year_index`` from the indexed follow-ups, a year at a time (it was emptied)."""
    first = sa.func.substr(_FOLLOWUPS.c.visit_date, 1, 4)
    years = sorted({int(d) for (d,) in conn.execute(sa.select(first).distinct())})
    return sum(_insert(conn, _YEARS, year_rows(conn, y)) for y in years)


def _insert(conn: Connection, table: sa.Table, rows: Iterable[dict[str, Any]]) -> int:
    done, chunk = 0, []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            conn.execute(table.insert(), chunk)
            done, chunk = done + len(chunk), []
    if chunk:
        conn.execute(table.insert(), chunk)
    return done + len(chunk)


def county_report(conn: Connection, year: Any) -> dict[str, Any]:
    """The indicators of a year over every clinic: per clinic and for the county, per disease."""
    start, end = I.period_bounds(year)
    y = _YEARS.c
    joined = sa.select(*(_PATIENTS.c[name] for name in PATIENT_COLUMNS), y.face_to_face, y.latest).outerjoin(
        _YEARS,
        sa.and_(
            y.clinic_id == _PATIENTS.c.clinic_id,
            y.resident_id == _PATIENTS.c.resident_id,
            y.disease == _PATIENTS.c.disease,
            y.year == start.year,
        ),
    )
    patients = I.patients(conn.execute(joined).all())  # fetched at once: a row at a time costs twice as long
    per_clinic, total = I.tally(patients, start, end, lambda p: p.clinic_id, lambda p: None)
    clinics = conn.execute(
        sa.select(db.clinic.c.id, db.clinic.c.code, db.clinic.c.name).order_by(db.clinic.c.code)
    )
    return {
        "period": start.year,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "control_registered_by": I.control_cutoff(end).isoformat(),
        "due_basis": I.DUE_BASIS,
        "county": I.disease_figures(total, None),
        "clinics": [
            {"id": c.id, "code": c.code, "name": c.name, **I.disease_figures(per_clinic, c.id)}
            for c in clinics
        ],
        "indexed": index_complete(conn),
    }


def index_complete(conn: Connection) -> bool:
    """False when the county holds registrations the index has none of (stored before it came: rebuild it)."""
    if conn.execute(sa.select(_PATIENTS.c.row_id).limit(1)).first() is not None:
        return True
    r = db.record.c
    return (
        conn.execute(sa.select(r.row_id).where(r.table_name == "disease_registration").limit(1)).first()
        is None
    )
