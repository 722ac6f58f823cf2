"""`clinic report …`: the clinic's reports (issue 12 points 8, 9 and 11): `clinic report indicators --period YEAR
[--json] [--xlsx FILE]` (RULES §5, clinic_app.chronic_indicators)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from clinic_app import chronic_indicators as I
from clinic_app.cli_core import Commands, Context, out


def report_group(commands: Commands) -> Any:
    return commands.group("report", "reports of the clinic: chronic-care indicators, entry quality")


def indicator_lines(report: dict[str, Any]) -> list[str]:
    """The clinic, then per village and per doctor, a line per disease."""
    groups = [
        ("clinic", report["clinic"]),
        *((f"village: {r['name']}", r) for r in report["villages"]),
        *((f"doctor: {r['name']}", r) for r in report["doctors"]),
    ]
    return I.text_lines(report, groups, "the clinic")


def cmd_report_indicators(ctx: Context) -> int:
    a = ctx.args
    I.period_bounds(a.period)  # a bad year is refused before the database is opened
    report = I.clinic_report(ctx.store.conn, ctx.store.clinic_id, a.period)
    if a.xlsx:
        I.export_xlsx(report, Path(a.xlsx))
    if a.json:
        out(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        for line in indicator_lines(report):
            out(line)
    if a.xlsx and not a.json:
        out(f"written to {a.xlsx}")
    return 0


def add_commands(commands: Commands) -> None:
    group = report_group(commands)
    p = commands.leaf(
        group,
        "indicators",
        cmd_report_indicators,
        "chronic-care indicators of a year (RULES §5): patients under management, standard management rate, "
        "control rate, follow-ups done and due; per clinic, village and doctor, per disease",
    )
    p.add_argument("--period", required=True, metavar="YEAR", help="the calendar year, e.g. 2026")
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.add_argument("--xlsx", metavar="FILE", help="also write the report as an Excel workbook")
