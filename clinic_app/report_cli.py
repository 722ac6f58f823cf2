"""`clinic report …`: the clinic's reports (issue 12 points 8, 9 and 11): `clinic report indicators --period YEAR
[--json] [--xlsx FILE]` (RULES §5, clinic_app.chronic_indicators)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from clinic_app import chronic_indicators as I
from clinic_app.cli_core import Commands, Context, out
from clinic_app.labels import label


def report_group(commands: Commands) -> Any:
    return commands.group("report", "reports of the clinic: chronic-care indicators, entry quality")


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def indicator_lines(report: dict[str, Any]) -> list[str]:
    """The report as a readable table: the clinic, then per village and per doctor, a line per disease."""
    lines = [
        f"Chronic-care indicators {report['period']} ({report['start']} .. {report['end']})",
        f"control rate: patients registered by {report['control_registered_by']}; doctor: {report['doctor_basis']}; "
        f"due: {report['due_basis']}",
        "\t".join(
            (
                "group",
                "disease",
                "managed",
                "standard",
                "std rate",
                "counted",
                "controlled",
                "ctrl rate",
                "done",
                "due",
            )
        ),
    ]
    levels = (
        ("clinic", [{"name": "clinic", **report["clinic"]}]),
        ("village", report["villages"]),
        ("doctor", report["doctors"]),
    )
    for level, rows in levels:
        for row in rows:
            for disease, f in ((d, row[d]) for d in I.K.DISEASES):
                lines.append(
                    "\t".join(
                        (
                            f"{level}: {row['name']}" if level != "clinic" else "clinic",
                            label("disease", disease),
                            str(f["under_management"]),
                            str(f["standard_managed"]),
                            _percent(f["standard_rate"]),
                            str(f["control_counted"]),
                            str(f["controlled"]),
                            _percent(f["control_rate"]),
                            str(f["followups_done"]),
                            str(f["followups_due"]),
                        )
                    )
                )
    return lines


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
