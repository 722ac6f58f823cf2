"""Settling a visit and the day's end (issue 14: ≤ 20 ms at 5,000 patients with a year of visits; ≤ 100 ms) on
the benchmark's demo database: a year of visits of 5,000 patients (six each, both medical types, a few
reversals) is written straight into the tables first, then a visit is settled (checked, priced, the year's use
read, the settlement computed), saved (one unit of work), and a busy day's end is reported."""

from __future__ import annotations

import datetime as dt
import json
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PATIENTS = 5_000
VISITS_EACH = 6


def _year_of_visits(store: Any, year: int, rng: random.Random) -> tuple[list[str], str, int]:
    """(the patients, the busiest day, how many visits it has)."""
    from clinic_app.ids import utc_now, uuid7

    conn = store.conn
    patients = [r[0] for r in conn.execute("SELECT id FROM resident WHERE deleted_at IS NULL ORDER BY id")][
        :PATIENTS
    ]
    now = utc_now()
    visits: list[tuple[Any, ...]] = []
    lines: list[tuple[Any, ...]] = []  # one a visit, its amount the visit's total (the day's end reads them)
    cancels: list[tuple[Any, ...]] = []
    days: dict[str, int] = {}
    for resident_id in patients:
        for _ in range(VISITS_EACH):
            day = (dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))).isoformat()
            days[day] = days.get(day, 0) + 1
            chronic = rng.random() < 0.3
            total = rng.randrange(500, 20_000)
            fund = total // 2
            visit_id = uuid7()
            visits.append(
                (
                    visit_id,
                    store.clinic_id,
                    now,
                    now,
                    resident_id,
                    day,
                    "14" if chronic else "11",
                    "hypertension" if chronic else None,
                    json.dumps(["I10" if chronic else "J06.9"]),
                    total,
                    total,
                    fund,
                    total - fund,
                    0,
                    "50",
                    0,
                )
            )
            lines.append(
                (uuid7(), store.clinic_id, now, now, visit_id, 1, "S", "bench", total, 1, total, "A")
            )
            if rng.random() < 0.02:
                cancels.append((uuid7(), store.clinic_id, now, now, visit_id, day, "bench"))
    with store.transaction() as c:
        c.executemany(
            "INSERT INTO visit(id, clinic_id, created_at, updated_at, resident_id, visit_date, med_type, disease, "
            "diagnoses, total_fen, in_scheme_fen, fund_fen, patient_fen, cap_left_fen, ratio_pct, annual_cap_fen) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            visits,
        )
        c.executemany(
            "INSERT INTO visit_line(id, clinic_id, created_at, updated_at, visit_id, line_no, kind, code, name, "
            "unit_price_fen, quantity, amount_fen, insurance_category) VALUES (?, ?, ?, ?, ?, ?, 'service', ?, ?, "
            "?, ?, ?, ?)",
            lines,
        )
        c.executemany(
            "INSERT INTO visit_cancel(id, clinic_id, created_at, updated_at, visit_id, cancelled_on, reason) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            cancels,
        )
    busiest = max(days, key=lambda d: days[d])
    return patients, busiest, days[busiest]


def settle_and_day_end(add: Callable[..., Any], db: Path, key: Path, quick: bool) -> None:
    from clinic_app import users
    from clinic_app import visits as V
    from clinic_app.day_end import day_report
    from clinic_app.store import Store

    rng = random.Random(14)
    year = dt.date.today().year - 1
    store = Store.open(db, key)
    try:
        patients, busiest, on_busiest = _year_of_visits(store, year, rng)
        service = store.conn.execute("SELECT code FROM service_price ORDER BY code LIMIT 1").fetchone()[0]
        admin = store.conn.execute(
            "SELECT username FROM \"user\" WHERE role = 'clinic_admin' LIMIT 1"
        ).fetchone()
        actor = users.find_user(store.conn, store.clinic_id, admin[0])
        assert actor is not None
        runs = 20 if quick else 50
        chosen = rng.sample(patients, runs * 2)

        def data(resident_id: str) -> V.VisitInput:
            return V.VisitInput(resident_id, f"{year}-12-30", "11", ("J06.9",), None, [(service, 2)])

        settle_ms, save_ms = [], []
        for resident_id in chosen[:runs]:
            started = time.perf_counter()
            V.plan_visit(store.conn, data(resident_id))
            settle_ms.append((time.perf_counter() - started) * 1000)
        for resident_id in chosen[runs:]:
            started = time.perf_counter()
            V.add_visit(store, actor, data(resident_id))
            save_ms.append((time.perf_counter() - started) * 1000)
        day = dt.date.fromisoformat(busiest)
        day_ms = []
        for _ in range(runs):
            started = time.perf_counter()
            day_report(store.conn, store.clinic_id, day)
            day_ms.append((time.perf_counter() - started) * 1000)
    finally:
        store.close()
    held = f"{len(patients):,} patients × {VISITS_EACH} visits of {year}"
    add("visit_settle_ms", statistics.median(settle_ms), "ms", 20, f"median of {runs}; {held}; not saved")
    add(
        "visit_save_ms",
        statistics.median(save_ms),
        "ms",
        None,
        f"median of {runs}; settled and saved, one unit",
    )
    add(
        "day_end_ms",
        statistics.median(day_ms),
        "ms",
        100,
        f"median of {runs}; {busiest}: {on_busiest} visits; clinic_app.day_end.day_report, receipts reconciled",
    )
