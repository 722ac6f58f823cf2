"""`clinic report …`: the clinic's reports (issue 12 points 8, 9 and 11). `report indicators` (RULES §5,
clinic_app.chronic_indicators) is anyone's; `report entry-quality` is the clinic admin's:
it names doctors and patients, so it takes ``--user``, refuses anyone else, and is recorded in the audit log
(as an export of the register is: what it shows leaves the program)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from clinic_app import chronic_indicators as I
from clinic_app import entry_quality as Q
from clinic_app import visit_cli
from clinic_app.cli_core import Commands, Context, out
from clinic_app.digits import report_year
from clinic_app.errors import AuthError
from clinic_app.labels import label

REASON_TEXT = {
    "identical": "same reading {run} visits in a row",
    "burst": "{burst} patients' face-to-face visits recorded within {minutes} minutes",
    "lonely": "dated a day the doctor recorded nothing else (typed in on {recorded_on})",
}


def reason_text(visit: Q.FlaggedVisit, limits: Q.Thresholds) -> str:
    return "; ".join(
        REASON_TEXT[r].format(
            run=visit.run, burst=visit.burst, minutes=limits.burst_minutes, recorded_on=visit.recorded_on
        )
        for r in visit.reasons
    )


def cmd_entry_quality(ctx: Context) -> int:
    a = ctx.args
    year = Q.parse_period(a.period)  # a bad year: exit 3 before the password is asked
    actor = ctx.actor("the entry-quality report is the clinic admin's")
    if not actor.is_admin:
        raise AuthError(
            "permission",
            f"only a clinic admin may see the entry-quality report; {actor.username} is {actor.role}",
        )
    report = Q.build(ctx.store.conn, ctx.store.clinic_id, year)
    flagged_doctors = sum(1 for d in report.doctors if d.flagged)
    with ctx.store.unit(actor.id, "report.entry_quality") as uow:
        uow.summary = (
            f"entry-quality report {year}: {flagged_doctors} doctor(s), {len(report.visits)} visit(s) flagged"
        )
    if a.json:
        out(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
        return 0
    limits = report.thresholds
    out(f"entry quality {year}: follow-ups dated {year}-01-01 .. {year}-12-31")
    out(
        f"terminal digit 0/5: chance {limits.chance_share:.0%}; flagged when n >= {limits.digit_min_readings}, "
        f"share >= {limits.digit_min_share_pct}% and p < {limits.alpha:g} (one-sided exact binomial)"
    )
    out("doctor\tvisits\treadings\tending 0/5\tshare\tp\tidentical\tburst\tlonely\tflagged")
    for d in report.doctors:
        out(
            f"{d.display_name} ({d.username})\t{d.visits}\t{d.readings}\t{d.ending_0_5}\t{d.share:.0%}\t"
            f"{Q.p_text(d.p_value)}\t{d.identical}\t{d.burst}\t{d.lonely}\t{'FLAGGED' if d.flagged else '-'}"
        )
    if report.visits:
        out("")
        out("flagged visits:")
        out("visit date\tpatient\tdisease\tmode\treading\tdoctor\twhy\tfollow-up id")
    for v in report.visits:
        reading = f"{v.sbp}/{v.dbp}" if v.sbp is not None else ""
        if v.fasting_glucose:
            reading = f"{reading} {v.fasting_glucose} mmol/L".strip()
        out(
            f"{v.visit_date}\t{v.name}\t{label('disease', v.disease)}\t{label('visit_mode', v.visit_mode)}\t"
            f"{reading}\t{v.doctor}\t{reason_text(v, limits)}\t{v.followup_id}"
        )
    out(f"{flagged_doctors} doctor(s) flagged, {len(report.visits)} visit(s) flagged")
    return 0


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
    year = report_year(a.period)  # a bad year is refused before the database is opened
    report = I.clinic_report(ctx.store.conn, ctx.store.clinic_id, year)
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
    """The `report` group, made here once; each report adds its leaf to it."""
    group = commands.group(
        "report",
        "reports of the clinic: chronic-care indicators, entry quality, the day end",
        metavar="REPORT",
    )
    add_indicators(commands, group)
    add_entry_quality(commands, group)
    visit_cli.add_report_day(commands, group)  # the day end of outpatient visits


def add_indicators(commands: Commands, group: Any) -> None:
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


def add_entry_quality(commands: Commands, group: Any) -> None:
    p = commands.leaf(
        group,
        "entry-quality",
        cmd_entry_quality,
        "signs of readings written without measuring (clinic admin only): terminal digits 0/5 per doctor, "
        "identical readings, bursts of entries, visits on days with no other trace",
        writes=True,
    )
    p.add_argument("--period", required=True, metavar="YEAR", help="the year of the visit dates")
    p.add_argument("--json", action="store_true", help="one JSON object")
