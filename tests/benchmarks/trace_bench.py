"""The county's trace-code report (issue 13 "Proven by": `county-server report trace-codes` over 300 clinics ≤ 5 s)
on PostgreSQL.

The county's tables are filled directly, not by pushing every box: each clinic's year of boxes goes into
``trace_code_index`` (the first clinic to sell a code holds it) and a share of them, sold again at another
clinic, into ``trace_code_flag`` with the columns sync.server.trace_codes.TraceCodeRule writes — inside
PostgreSQL with generate_series. The figure is ``trace_codes.report`` as the command calls it (one transaction);
the note gives the command's own wall time too (`county-server report trace-codes --json` as a subprocess:
Python's start and the JSON printed).

    python tests/benchmarks/trace_bench.py     # the figure on its own
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.benchmarks.indicator_bench import COUNTY_CLINICS, QUICK_CLINICS, Add  # noqa: E402 (the path above)

BOXES_PER_CLINIC = 10_000  # a year of a clinic's long-term prescriptions: ~260 patients, ~40 boxes each
DOUBLED_EVERY = 200  # one box in 200 sold again at another clinic (0.5 %: far more than a county should see)
TARGET_S = 5.0


def _fill(conn: Connection, clinics: int) -> tuple[int, int]:
    """``clinics`` clinics with their boxes and the doubled ones: (codes indexed, flags)."""
    import sqlalchemy as sa

    from sync.server import admin

    ids = [admin.add_clinic(conn, f"T{c:03d}", f"卫生室{c}") for c in range(clinics)]
    execute = conn.execute
    execute(sa.text("CREATE TEMP TABLE bench_clinic (n integer, clinic_id text)"))
    execute(
        sa.text("INSERT INTO bench_clinic VALUES (:n, :c)"), [{"n": n, "c": c} for n, c in enumerate(ids)]
    )
    execute(
        sa.text(
            "INSERT INTO trace_code_index (code, clinic_id, row_id) "
            "SELECT '81' || lpad(k.n::text, 5, '0') || lpad(s::text, 13, '0'), k.clinic_id, "
            "'box-' || k.n || '-' || s FROM bench_clinic k CROSS JOIN generate_series(1, CAST(:boxes AS integer)) s"
        ),
        {"boxes": BOXES_PER_CLINIC},
    )
    execute(
        sa.text(
            "INSERT INTO trace_code_flag (row_id, code, clinic_id, first_clinic_id, first_row_id, flagged_at) "
            "SELECT 'again-' || k.n || '-' || s, '81' || lpad(k.n::text, 5, '0') || lpad(s::text, 13, '0'), "
            "o.clinic_id, k.clinic_id, 'box-' || k.n || '-' || s, "
            "to_char(timestamp '2026-01-01' + (s || ' minutes')::interval, 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') "
            "FROM bench_clinic k CROSS JOIN generate_series(CAST(:every AS integer), CAST(:boxes AS integer), CAST(:every AS integer)) s "
            "JOIN bench_clinic o ON o.n = (k.n + 1 + s % 7) % :clinics"
        ),
        {"every": DOUBLED_EVERY, "boxes": BOXES_PER_CLINIC, "clinics": clinics},
    )
    execute(sa.text("ANALYZE trace_code_index"))
    execute(sa.text("ANALYZE trace_code_flag"))
    codes = execute(sa.text("SELECT count(*) FROM trace_code_index")).scalar_one()
    flags = execute(sa.text("SELECT count(*) FROM trace_code_flag")).scalar_one()
    return int(codes), int(flags)


def county_trace_codes(add: Add, quick: bool) -> None:
    from sync.server import trace_codes
    from tests.benchmarks.server_bench import migrated_scratch

    clinics = QUICK_CLINICS if quick else COUNTY_CLINICS
    with migrated_scratch() as (url, engine):
        started = time.perf_counter()
        with engine.begin() as conn:
            codes, flags = _fill(conn, clinics)
        filled = time.perf_counter() - started
        timings = []
        for _ in range(2 if quick else 3):
            started = time.perf_counter()
            with engine.begin() as conn:  # as the command: one transaction
                rows = trace_codes.report(conn)
            timings.append(time.perf_counter() - started)
        program = str(Path(sys.executable).with_name("county-server"))
        command = [program, "--database-url", url, "report", "trace-codes", "--json"]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env={**os.environ}, timeout=300)
        wall = time.perf_counter() - started
    said = f"{wall:.2f} s" if done.returncode == 0 else f"failed (exit {done.returncode})"
    later = sum(len(r["also_sold_at"]) for r in rows)
    add(
        "county_trace_codes_seconds",
        statistics.median(timings),
        "s",
        TARGET_S,
        note=f"trace_codes.report over {clinics} clinics on PostgreSQL: {codes:,} codes indexed, {flags:,} sold "
        f"again elsewhere ({len(rows):,} codes listed, {later:,} later sales; filled directly in {filled:.0f} s, "
        f"not pushed): median of {len(timings)}, {min(timings):.2f}-{max(timings):.2f} s; the command "
        f"`county-server report trace-codes --json` as a subprocess {said}",
    )


def main() -> int:
    def add(name: str, value: float, unit: str, limit: float | None = None, note: str = "") -> None:
        print(f"{name}\t{value:.3f} {unit}\t(target <= {limit})\t{note}")

    county_trace_codes(add, quick="--quick" in sys.argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
