"""`clinic catalog load`, `clinic rx …`, `clinic worklist refills`: the drug catalog of a clinic without a county and
long-term prescriptions on the command line (issue 13 point 6; the rules are clinic_app.prescriptions', the records
clinic_app.rx_records')."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from clinic_app import catalog, drugs
from clinic_app import chronic as K
from clinic_app import prescriptions as P
from clinic_app import rx_records as X
from clinic_app.cli_core import Commands, Context, out, whole
from clinic_app.contract_cli import resident_by_number
from clinic_app.errors import AuthError, ValidationError
from clinic_app.labels import label
from clinic_app.residents import get_resident


def cmd_catalog_load(ctx: Context) -> int:
    actor = ctx.actor()
    if not actor.is_admin:
        raise AuthError(
            "permission", f"only a clinic admin may load the drug catalog; {actor.username} is {actor.role}"
        )
    rows, changed = catalog.install_catalog(ctx.store, drugs.read_catalog_file(Path(ctx.args.file)))
    out(f"drug catalog: {rows} rows, {changed} new or changed")
    return 0


def parse_item(n: int, text: str) -> X.ItemInput:
    """``CODE,DOSE_PER_TIME,TIMES_PER_DAY[,ROUTE]`` as typed after --item (no ROUTE: from the drug's form)."""
    parts = [p.strip() for p in text.replace("，", ",").split(",")]
    if len(parts) not in (3, 4) or not all(parts):
        raise ValidationError(
            f"item {n}", "format", f"{text!r}: write CODE,DOSE_PER_TIME,TIMES_PER_DAY (e.g. XC08CA01…,1,1)"
        )
    return X.ItemInput(parts[0].upper(), parts[1], parts[2], parts[3] if len(parts) == 4 else None)


def _show(a: Any, result: dict[str, Any], lines: list[str]) -> int:
    """The result as --json asks, or its lines and then its id."""
    if a.json:
        out(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        for line in [*lines, result["id"]]:
            out(line)
    return 0


def cmd_rx_issue(ctx: Context) -> int:
    a = ctx.args
    actor = ctx.actor()
    resident = resident_by_number(ctx.store, a.resident)
    lines = [parse_item(n, text) for n, text in enumerate(a.item, start=1)]
    result = X.issue(ctx.store, actor, resident["id"], a.disease, lines, a.days, **written(a))
    return _show(a, result, issued_lines(resident["name"], result))


def written(a: Any) -> dict[str, Any]:
    """The options of a new prescription beside its drugs and days (issue, change)."""
    return {"signed": a.signed, "assessment": a.assessment, "allergies": a.allergies, "on": a.date}


def cmd_rx_change(ctx: Context) -> int:
    """A changed prescription: the old one stops with the reason, the new one (the same patient and disease)
    is issued under the same rules, in one unit of work."""
    a = ctx.args
    actor = ctx.actor()
    lines = [parse_item(n, text) for n, text in enumerate(a.item, start=1)]
    resident = get_resident(ctx.store.conn, X.get_prescription(ctx.store.conn, a.rx)["resident_id"])
    result = X.change(ctx.store, actor, a.rx, a.reason, lines, a.days, **written(a))
    result["replaces"] = a.rx
    text = [f"changed: {a.rx} is stopped ({a.reason.strip()})", *issued_lines(resident["name"], result)]
    return _show(a, result, text)


def issued_lines(name: str, result: dict[str, Any]) -> list[str]:
    """What a doctor reads of a prescription just issued: the patient, days, status, each drug's packages."""
    text = [f"{name}: long-term prescription, {result['days']} days, {result['status']}"]
    text += [
        f"  {i['drug_name']}\t{i['dose']} × {i['times_per_day']}/day, {i['route']}\t{i['packages']} package(s)"
        for i in result["items"]
    ]
    text += [f"  warning: {w['message']}" for w in result["warnings"]]
    if result["status"] == "awaiting_signature":
        text.append("  held until the patient signs (clinic rx sign); it dispenses nothing until then")
    return text


def cmd_rx_sign(ctx: Context) -> int:
    a = ctx.args
    result = X.sign(ctx.store, ctx.actor(), a.rx, a.assessment, on=a.date)
    return _show(a, result, ["signed: the prescription is active"])


def cmd_rx_dispense(ctx: Context) -> int:
    a = ctx.args
    result = X.dispense(
        ctx.store, ctx.actor(), a.rx, a.days, a.trace_code, split_pack=a.split_pack, on=a.date
    )
    text = [
        f"dispensed {result['days']} days ({result['dispensed_days']} so far, {result['left_days']} left)"
    ]
    text += [
        f"  {c['code']}\t" + ("verified" if c["verified"] else f"unverified: {c['reason']}")
        for c in result["codes"]
    ]
    if result["next_from"]:
        text.append(f"  next installment from {result['next_from']}")
    return _show(a, result, text)


def cmd_rx_stop(ctx: Context) -> int:
    a = ctx.args
    result = X.stop(ctx.store, ctx.actor(), a.rx, a.reason, on=a.date)
    return _show(a, result, ["stopped: the prescription dispenses nothing more"])


def refill_rows(ctx: Context, today: dt.date, days: int) -> list[dict[str, Any]]:
    return X.refills(ctx.store.conn, ctx.store.clinic_id, today, days)


def print_refills(rows: list[dict[str, Any]]) -> None:
    for r in rows:
        out(
            f"{r['due_on']}\t{'、'.join(label('refill_reason', why) for why in r['reasons'])}\t{r['name']}\t{label('disease', r['disease'])}\t"
            f"{r['dispensed_days']} of {r['days']} days\tvalid until {r['valid_until']}\t{r['prescription_id']}"
        )
    out(f"{len(rows)} prescription(s)")


def add_commands(commands: Commands) -> None:
    leaf = commands.leaf
    group = commands.group("catalog", "the drug catalog (a clinic not joined to a county)")
    p = leaf(
        group,
        "load",
        cmd_catalog_load,
        "load the drug catalog from a CSV file, all rows or none (the columns of `county-server catalog load`)",
        writes=True,
    )
    p.add_argument("file", metavar="FILE")

    group = commands.group("rx", "long-term prescriptions (长期处方; RULES §6, §7)")

    def rx_leaf(name: str, func: Any, helptext: str, date_help: str = "default today") -> Any:
        p = leaf(group, name, func, helptext, writes=True)
        if name != "issue":
            p.add_argument("rx", metavar="RX_ID")
        p.add_argument("--date", metavar="DATE", help=date_help)
        p.add_argument("--json", action="store_true")
        return p

    p = rx_leaf(
        "issue",
        cmd_rx_issue,
        "issue a long-term prescription for a registered, stable chronic patient (refusals exit 3 naming the rule)",
        "the day of issue (default today, never in the future, at most the county's rx.issue_back_days, default 7, "
        "back; the patient's stability is judged on the follow-ups recorded by today)",
    )
    p.add_argument("--resident", required=True, metavar="ID_NUMBER")
    p.add_argument("--disease", required=True, choices=K.DISEASES)
    prescription_options(p)
    p = rx_leaf("sign", cmd_rx_sign, "record the patient's signature on a prescription over 28 days")
    p.add_argument("--assessment", metavar="TEXT", help="the doctor's assessment, if not recorded at issue")
    p = rx_leaf(
        "dispense",
        cmd_rx_dispense,
        "dispense an installment with the trace code of every box (exit 3 when over the prescription, too "
        "early, or a code already sold)",
    )
    p.add_argument("--days", required=True, type=whole, help="days this installment supplies")
    p.add_argument(
        "--trace-code", required=True, action="append", metavar="CODE", help="a box's code; repeatable"
    )
    p.add_argument(
        "--split-pack", action="store_true", help="拆零: the box may be sold again until it is used up"
    )
    p = rx_leaf("stop", cmd_rx_stop, "stop a prescription with a reason: it dispenses nothing more")
    p.add_argument("--reason", required=True)
    p = rx_leaf(
        "change",
        cmd_rx_change,
        "change a prescription (another drug, dose or length) with a reason: it stops and a new one for the same "
        "patient and disease is issued under the same rules (refusals exit 3 naming the rule, nothing written)",
        "the day of the change (default today, never in the future)",
    )
    p.add_argument("--reason", required=True, metavar="TEXT", help="why the prescription changes")
    prescription_options(p)


def prescription_options(p: Any) -> None:
    """The options of what a new prescription holds (issue, change): items, days, signature, assessment."""
    p.add_argument(
        "--item",
        required=True,
        action="append",
        metavar="CODE,DOSE_PER_TIME,TIMES_PER_DAY",
        help=f"a drug by its catalog code, the dose in the catalog's unit, times a day; optionally ,ROUTE "
        f"({', '.join(P.ROUTES)}); repeatable",
    )
    days_max = P.POLICY_DEFAULTS["rx.max_days"]
    p.add_argument(
        "--days", required=True, type=whole, help=f"days prescribed (the county's most: {days_max})"
    )
    p.add_argument("--signed", action="store_true", help="the patient has signed (needed over 28 days)")
    p.add_argument("--assessment", metavar="TEXT", help="the doctor's assessment (needed over 28 days)")
    p.add_argument("--allergies", metavar="TEXT", help="the patient's recorded allergies, comma-separated")
