"""`clinic prices load`, `clinic visit add|cancel`, `clinic report day` (issue 14 point 6): the price list of a
clinic without a county, outpatient visits with their settlement, their reversal, and the day's end."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from clinic_app import visits as V
from clinic_app.cli_core import Commands, Context, out
from clinic_app.contract_cli import resident_by_number
from clinic_app.day_end import day_report
from clinic_app.digits import parse_date
from clinic_app.errors import ValidationError
from clinic_app.labels import label
from clinic_app.money import yuan
from clinic_app.prices import load_prices_locally
from clinic_app.settlement import DISEASES, MED_TYPES


def cmd_prices_load(ctx: Context) -> int:
    ctx.actor()
    count = load_prices_locally(ctx.store, Path(ctx.args.file))
    out(f"service prices: {count} rows loaded")
    return 0


def cmd_visit_add(ctx: Context) -> int:
    a = ctx.args
    actor = ctx.actor()
    resident = resident_by_number(ctx.store, a.resident)
    items = [V.code_and_quantity("item", s) for s in a.item or ()]
    data = V.VisitInput(
        resident_id=resident["id"],
        visit_date=a.date,
        med_type=a.type,
        disease=a.disease,
        diagnoses=a.diagnosis or (),
        services=[V.code_and_quantity("service", s) for s in a.service or ()],
        items=items,
        boxes=[V.trace_box(t, [code for code, _ in items]) for t in a.trace_code or ()],
    )
    result = V.add_visit(ctx.store, actor, data)
    if a.json:
        out(json.dumps(result.as_dict(), ensure_ascii=False, indent=1))
        return 0
    for line in result.lines:
        out(
            f"{line['code']}\t{line['name']}\t{yuan(line['unit_price_fen'])} × {line['quantity']}\t"
            f"{yuan(line['amount_fen'])}\t{line['insurance_category']}"
            + (f"\ttrace code {line['trace_code']}" if line["trace_code"] else "")
        )
    capped = ""
    if result.cap_used_before:
        capped = " (the year's cap was used up before this visit: the fund pays 0 of it)"
    elif result.capped:
        capped = " (the year's cap is reached in this visit: the fund pays what was left of it)"
    out(
        f"{resident['name']} {result.visit_date} {label('med_type', a.type)}: total {yuan(result.total_fen)}, within the "
        f"scheme {yuan(result.in_scheme_fen)}, deductible {yuan(result.deductible_fen)}, fund "
        f"{yuan(result.fund_fen)}{capped}, patient {yuan(result.patient_fen)}, left of the year's cap "
        f"{yuan(result.cap_left_fen)}"
        + (" — provisional until the county confirms" if result.provisional else "")
    )
    out(result.id)
    return 0


def cmd_visit_cancel(ctx: Context) -> int:
    actor = ctx.actor()
    V.cancel_visit(ctx.store, actor, ctx.args.visit, ctx.args.reason)
    out(f"visit {ctx.args.visit} cancelled")
    return 0


def cmd_report_day(ctx: Context) -> int:
    a = ctx.args
    day = parse_date("date", a.date)
    if day > dt.date.today():
        raise ValidationError(
            "date", "future", f"{day.isoformat()} lies in the future: its day has not ended"
        )
    store = ctx.store
    report = day_report(store.conn, store.clinic_id, day)
    if a.export:
        report["export"] = str(V.export_day(store.conn, store.clinic_id, day, Path(a.export)))
    if a.json:
        out(json.dumps(report, ensure_ascii=False, indent=1))
        return 0
    out(f"day end {report['date']}")
    for med_type, sums in report["by_med_type"].items():
        out(
            f"{med_type} {label('med_type', med_type)}\t{sums['visits']} visit(s)\ttotal {yuan(sums['total_fen'])}"
            f"\tfund {yuan(sums['fund_fen'])}\tcash {yuan(sums['cash_fen'])}"
        )
    t = report["totals"]
    out(
        f"all\t{t['visits']} visit(s)\ttotal {yuan(t['total_fen'])}\tfund {yuan(t['fund_fen'])}"
        f"\tcash {yuan(t['cash_fen'])}"
    )
    for r in report["receipts"]:
        causes = ", ".join(p["cause"] for p in r["problems"])
        out(
            f"receipt {r['number']}\t{r['name']}\t{r['med_type']}\ttotal {yuan(r['total_fen'])}\tfund "
            f"{yuan(r['fund_fen'])}\tcash {yuan(r['patient_fen'])}"
            + (f"\tMISMATCH {causes}" if causes else "")
        )
    for c in report["cancelled"]:
        out(
            f"cancelled\t{c['number']} (void)\t{c['name']}\t{yuan(c['total_fen'])}\t{c['cancelled_on']}"
            f"\t{c['reason']}\t{c['id']}"
        )
    rec = report["reconciliation"]
    out(
        f"receipts {rec['receipts']}: cash {yuan(rec['receipts_cash_fen'])} against the settlements' "
        f"{yuan(rec['cash_fen'])}: "
        + (
            "balanced"
            if rec["balanced"]
            else f"NOT balanced (difference {yuan(rec['difference_fen'])}; {len(rec['mismatched'])} receipt(s) "
            f"mismatched: {', '.join(rec['mismatched'])})"
        )
    )
    for u in report["unbilled"]:
        amount = "price unknown" if u["amount_fen"] is None else yuan(u["amount_fen"])
        out(
            f"NOT BILLED dispensing\t{u['name']}\t{'、'.join(u['drugs'])}\t{u['boxes']} box(es)\t{amount}"
            f"\ton no visit: open a visit for the patient to charge it\t{u['id']}"
        )
    if "export" in report:
        out(f"exported to {report['export']}")
    return 0


def add_commands(commands: Commands) -> None:
    leaf = commands.leaf
    group = commands.group("prices", "the county's price list of services")
    p = leaf(
        group,
        "load",
        cmd_prices_load,
        "load the price list of a clinic that has not joined a county (CSV: code, name, price_fen, "
        "insurance_category, unit; all rows or none)",
        writes=True,
    )
    p.add_argument("file")

    group = commands.group("visit", "outpatient visits and their settlement")
    p = leaf(
        group,
        "add",
        cmd_visit_add,
        "record an outpatient visit: prints its settlement (total, fund, patient, what is left of the cap)",
        writes=True,
    )
    p.add_argument("--resident", required=True, metavar="ID_NUMBER")
    p.add_argument(
        "--type", required=True, choices=MED_TYPES, help="11 ordinary outpatient, 14 chronic outpatient"
    )
    p.add_argument("--disease", choices=DISEASES, help="type 14: the chronic disease")
    p.add_argument("--diagnosis", action="append", required=True, metavar="CODE", help="ICD-10 (repeatable)")
    p.add_argument("--service", action="append", metavar="CODE,QTY", help="a service of the price list")
    p.add_argument("--item", action="append", metavar="DRUG_CODE,QTY", help="a drug of the catalog")
    p.add_argument(
        "--trace-code",
        action="append",
        metavar="DRUG_CODE,TRACE_CODE",
        help="the trace code of a box sold on a drug line (repeatable; the code alone when one drug is sold)",
    )
    p.add_argument("--date", metavar="DATE", help="the day of the visit (default today, never in the future)")
    p.add_argument("--json", action="store_true")
    p = leaf(
        group, "cancel", cmd_visit_cancel, "cancel a visit (冲正): a new event with the reason", writes=True
    )
    p.add_argument("visit", metavar="VISIT_ID")
    p.add_argument("--reason", required=True)


def add_report_day(commands: Commands, group: Any) -> None:
    """`clinic report day`: a leaf of the report group (clinic_app.report_cli makes the group)."""
    p = commands.leaf(
        group,
        "day",
        cmd_report_day,
        "day end: the day's visits by medical type, fund and cash totals, the cancelled ones, the receipts "
        "reconciled against the totals",
    )
    p.add_argument("--date", required=True, metavar="DATE")
    p.add_argument("--json", action="store_true")
    p.add_argument("--export", metavar="DIR", help="also write the day's insurance export file into DIR")
