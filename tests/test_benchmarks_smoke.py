"""The benchmark command runs and writes its figures in the agreed shape (the numbers are for people)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_benchmark_command_prints_a_table_and_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "benchmarks" / "run.py"), "--json", str(out), "--quick",
         "--residents", "1500", "--workdir", str(tmp_path / "work")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    figures = json.loads(out.read_text())
    names = {f["name"] for f in figures}
    expected = {"search_name_ms", "search_name_part_ms", "search_pinyin_full_ms", "search_pinyin_initials_ms",
                "search_id_suffix_ms", "search_phone_ms", "residents_page_first_rows_ms", "cold_start_seconds",
                "demo_1k_seconds", "bare_pyside6_window_seconds"}  # fmt: skip
    assert expected <= names, names
    for f in figures:
        assert set(f) >= {"name", "value", "unit", "target", "ok"}
        assert isinstance(f["value"], (int, float)) and not math.isnan(f["value"]), f
        assert isinstance(f["ok"], bool)
    header = result.stdout.splitlines()[0].split()
    assert header == ["figure", "value", "unit", "target", "pass"]
    assert "search_pinyin_initials_ms" in result.stdout
