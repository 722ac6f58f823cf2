"""Benchmarks of the chronic-care indicators (issue 12 point 9): a clinic's report on its own database (a demo clinic
of 5,000 residents with up to three years of follow-ups; target ≤ 200 ms) and the county's over 300 such clinics on
PostgreSQL (target ≤ 5 s).

The county's index is filled directly, not by pushing millions of rows: the demo clinic's registrations and
follow-ups go in through the rule's own code (sync.server.chronic_index.patient_values / followup_values), are
copied inside PostgreSQL to the other 299 clinics under new ids, and the per-year rows are counted by the index's
``index_years`` (clinic_app.chronic_indicators.YEAR_SQL), as a rebuild does.

    python tests/benchmarks/indicator_bench.py     # both figures, on their own
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

Add = Callable[..., object]  # Bench.add(name, value, unit, limit=None, note="")
CLINIC_RESIDENTS = 5000
CLINIC_TARGET_MS = 200.0
COUNTY_CLINICS = 300
QUICK_CLINICS = 30  # --quick: the command's smoke run stays short
COUNTY_TARGET_S = 5.0


def demo_clinic(folder: Path) -> tuple[Path, Path]:
    """The 5,000-resident demo clinic, built once in ``folder``."""
    from clinic_app.demo import create_demo_database

    db, key = folder / "chronic-5k.db", folder / "chronic-5k.key"
    if not db.exists():
        create_demo_database(db, key, residents=CLINIC_RESIDENTS)
    return db, key


def clinic_indicators(add: Add, folder: Path, quick: bool) -> None:
    from clinic_app import chronic_indicators as I
    from clinic_app.store import Store

    db, key = demo_clinic(folder)
    store = Store.open(db, key)
    conn = store.reader()
    try:
        year = dt.date.today().year
        I.clinic_report(conn, store.clinic_id, year)  # the pages read once, as a page that was opened
        timings = []
        for _ in range(5 if quick else 15):
            started = time.perf_counter()
            report = I.clinic_report(conn, store.clinic_id, year)
            timings.append((time.perf_counter() - started) * 1000)
        followups = conn.execute("SELECT count(*) FROM followup").fetchone()[0]
    finally:
        conn.close()
        store.close()
    managed = sum(report["clinic"][d]["under_management"] for d in I.K.DISEASES)
    add(
        "chronic_clinic_indicators_ms",
        statistics.median(timings),
        "ms",
        CLINIC_TARGET_MS,
        note=f"clinic_report for {year} on a {CLINIC_RESIDENTS:,}-resident demo clinic ({managed} patients under "
        f"management, {followups:,} follow-ups): median of {len(timings)}, "
        f"{min(timings):.1f}-{max(timings):.1f} ms",
    )


def _fill_county(conn: Any, rows: dict[str, list[dict[str, Any]]], count: int) -> int:
    """``count`` clinics, each holding the demo clinic's registrations and follow-ups (under new ids)."""
    import sqlalchemy as sa

    from sync.server import admin, chronic_index, db

    clinics = [admin.add_clinic(conn, f"K{c:03d}", f"卫生室{c}") for c in range(count)]
    first = clinics[0]
    conn.execute(
        db.chronic_patient_index.insert(),
        [chronic_index.patient_values(first, r["id"], r, r["village_id"]) for r in rows["registrations"]],
    )
    for start in range(0, len(rows["followups"]), chronic_index.CHUNK):
        chunk = rows["followups"][start : start + chronic_index.CHUNK]
        conn.execute(
            db.chronic_followup_index.insert(),
            [chronic_index.followup_values(first, r["id"], r) for r in chunk],
        )
    others = sa.table("others", sa.column("n"), sa.column("clinic_id"))
    conn.execute(sa.text("CREATE TEMP TABLE others (n integer, clinic_id text)"))
    conn.execute(others.insert(), [{"n": n, "clinic_id": c} for n, c in enumerate(clinics[1:], start=1)])
    conn.execute(
        sa.text(
            "INSERT INTO chronic_patient_index SELECT o.n || '-' || p.row_id, o.clinic_id, o.n || '-' || p.resident_id,"
            " p.disease, p.village_id, p.registered_by, p.registered_on, p.management, p.ended_on "
            "FROM chronic_patient_index p CROSS JOIN others o WHERE p.clinic_id = :first"
        ),
        {"first": first},
    )
    conn.execute(
        sa.text(
            "INSERT INTO chronic_followup_index SELECT o.n || '-' || f.id, o.clinic_id, o.n || '-' || f.resident_id,"
            " f.disease, f.visit_date, f.visit_mode, f.classification, f.created_at, f.created_by,"
            " CASE WHEN f.supersedes IS NOT NULL THEN o.n || '-' || f.supersedes END, f.deleted_at "
            "FROM chronic_followup_index f CROSS JOIN others o WHERE f.clinic_id = :first"
        ),
        {"first": first},
    )
    conn.execute(sa.text("ANALYZE chronic_followup_index"))
    years = chronic_index.index_years(conn)
    conn.execute(sa.text("ANALYZE chronic_patient_index"))
    conn.execute(sa.text("ANALYZE chronic_year_index"))
    return years


def county_indicators(add: Add, folder: Path, quick: bool) -> None:
    import sqlalchemy as sa

    from clinic_app.store import Store
    from sync.server import chronic_index, db
    from tests.benchmarks.server_bench import migrated_scratch

    clinics = QUICK_CLINICS if quick else COUNTY_CLINICS
    path, key = demo_clinic(folder)
    store = Store.open(path, key)
    try:
        rows = {
            "registrations": [
                dict(r)
                for r in store.conn.execute(
                    "SELECT g.*, r.village_id FROM disease_registration g JOIN resident r ON r.id = g.resident_id "
                    "WHERE g.deleted_at IS NULL"
                )
            ],
            "followups": [dict(r) for r in store.conn.execute("SELECT * FROM followup")],
        }
    finally:
        store.close()
    with migrated_scratch() as (_url, engine):
        started = time.perf_counter()
        with engine.begin() as conn:
            patient_years = _fill_county(conn, rows, clinics)
        filled = time.perf_counter() - started
        with engine.connect() as conn:
            followups = conn.execute(
                sa.select(sa.func.count()).select_from(db.chronic_followup_index)
            ).scalar()
            year = dt.date.today().year - 1  # a whole year
            timings = []
            for _ in range(2 if quick else 3):
                started = time.perf_counter()
                report = chronic_index.county_report(conn, year)
                timings.append(time.perf_counter() - started)
    managed = sum(report["county"][d]["under_management"] for d in ("hypertension", "diabetes"))
    add(
        "county_indicators_seconds",
        statistics.median(timings),
        "s",
        COUNTY_TARGET_S,
        note=f"county_report for {year} over {clinics} clinics on PostgreSQL ({managed:,} patients under "
        f"management, {followups:,} follow-ups, {patient_years:,} patient-years indexed; index filled directly "
        f"in {filled:.0f} s, not pushed): median of {len(timings)}, {min(timings):.2f}-{max(timings):.2f} s",
    )


def main() -> int:
    import tempfile

    def add(name: str, value: float, unit: str, limit: float | None = None, note: str = "") -> None:
        print(f"{name}\t{value:.3f} {unit}\t(target <= {limit})\t{note}")

    with tempfile.TemporaryDirectory(prefix="indicator-bench-") as folder:
        clinic_indicators(add, Path(folder), quick=False)
        county_indicators(add, Path(folder), quick=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
