"""The benchmark command runs in quick mode and writes its figures in the agreed shape.

The numbers are for people (``python tests/benchmarks/run.py --json PATH``); this only checks that every
figure is there and was measured, so that the command does not rot between full runs.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUN = ROOT / "tests" / "benchmarks" / "run.py"

EXPECTED = [
    "demo_10k_seconds",
    "database_size_mb",
    "search_name_ms",
    "search_name_p95_ms",
    "search_name_part_ms",
    "search_name_part_p95_ms",
    "search_pinyin_full_ms",
    "search_pinyin_full_p95_ms",
    "search_pinyin_initials_ms",
    "search_pinyin_initials_p95_ms",
    "search_id_suffix_ms",
    "search_id_suffix_p95_ms",
    "search_phone_ms",
    "search_phone_p95_ms",
    "residents_list_first_page_ms",
    "drug_search_ms",
    "refill_worklist_first_page_ms",
    "residents_page_first_rows_ms",
    "residents_model_first_rows_ms",
    "cold_start_seconds",
    "bare_pyside6_window_seconds",
    "password_hash_ms",
    "entry_quality_ms",
    "visit_settle_ms",
    "visit_save_ms",
    "day_end_ms",
    "server_devices_push_p50_ms",
    "server_devices_push_p95_ms",
    "server_devices_pull_p50_ms",
    "server_devices_pull_p95_ms",
    "server_devices_errors",
    "server_cpu_per_request_ms",
    "server_burst_push_p95_ms",
    "server_burst_pull_p95_ms",
    "server_burst_errors",
    "pull_100_changes_small_ms",
    "pull_100_changes_large_ms",
    "pull_cost_ratio_large_vs_small",
    "initial_sync_seconds",
    "raw_bulk_insert_seconds",
    "initial_sync_vs_raw_insert",
    "incremental_sync_100_seconds",
    "chronic_clinic_indicators_ms",
    "county_indicators_seconds",
    "county_trace_codes_seconds",
    "journey_worst_gui_stall_ms",
    "journey_steps",
    "chronic_worklist_overdue_first_page_ms",
    "chronic_worklist_due_first_page_ms",
    "chronic_worklist_referrals_first_page_ms",
    "chronic_worklist_short_first_page_ms",
    "chronic_chart_ms",
    "chronic_page_refresh_after_followup_ms",
]
COUNTS = {"server_devices_errors", "server_burst_errors", "journey_steps"}  # zero is the good value


# the quick run takes ~2 minutes alone, more beside another test worker; its own subprocess timeout (420 s) is the
# limit that counts
@pytest.mark.timeout(600)
def test_quick_benchmark_prints_a_table_and_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, str(RUN), "--json", str(out), "--quick", "--workdir", str(tmp_path / "work")],
        capture_output=True,
        text=True,
        timeout=420,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "work" / "bench.db").is_file()  # --workdir keeps the database

    figures = json.loads(out.read_text(encoding="utf-8"), parse_constant=_reject_constant)
    assert isinstance(figures, list)
    assert [f["name"] for f in figures] == EXPECTED
    for f in figures:
        assert set(f) - {"note"} == {"name", "value", "unit", "target", "ok"}, f
        assert isinstance(f["value"], int | float) and not isinstance(f["value"], bool), f
        assert math.isfinite(f["value"]), f
        assert isinstance(f["unit"], str) and f["unit"], f
        assert isinstance(f["target"], str) and f["target"], f
        assert isinstance(f["ok"], bool), f
        assert not f.get("note", "").startswith("NOT MEASURED"), (
            f
        )  # value -1: the figure could not be measured
        assert f["value"] > 0 or (f["name"] in COUNTS and f["value"] == 0), f

    lines = result.stdout.splitlines()
    assert lines[0].split() == ["figure", "value", "unit", "target", "pass"]
    for f in figures:  # one aligned row per figure, the same as the JSON
        row = next(line for line in lines if line.startswith(f["name"] + " "))
        assert row.split()[:3] == [f["name"], f"{f['value']:.3f}", f["unit"]]
        assert row.split()[-1] == ("yes" if f["ok"] else "NO")


def _reject_constant(constant: str) -> None:
    raise AssertionError(f"the JSON holds {constant}: not strict JSON")


def test_usage_error_exits_2() -> None:
    result = subprocess.run([sys.executable, str(RUN), "--quick"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "--json" in result.stderr
