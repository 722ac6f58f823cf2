"""The day's end (日结, issue 14 point 5): the day's outpatient visits by medical type with their fund and cash
(patient) totals, the cancelled ones listed apart and counted nowhere, and the reconciliation against the
receipts. ``clinic report day`` and the desktop's 日结 tab both show ``day_report`` — one function, one set of
totals.

**The receipts and what reconciling means here.** Each live visit of the day has one receipt (门诊收费票据), its
number ``receipt_number`` (the visit's date and the last eight hex digits of its id: the same on every device,
since the id is made once with the visit). A receipt prints the visit's lines (price × quantity each) and its
settlement (fund share, patient share). The totals of the day are the settlements' sums; the receipts are the
lines the patients were shown. They reconcile when, for every receipt:

- the visit has its lines on this device (``no_lines``: they have not arrived, e.g. set aside by a sync);
- each line's amount is its unit price × its quantity (``line_amount``, the lines named);
- the lines add up to the settled total (``lines_total``, by how much);
- the fund share and the patient share add up to that total (``shares``);

and then the cash the receipts make the patients pay (their lines' sum less the fund's share, summed) equals the
day's cash total, fen for fen. A receipt that fails a check is a mismatch with its cause; the day is balanced
when there is none. A live visit the county found over the county-wide cap and no reviewer has decided yet is
flagged ``cap_pending`` (not a mismatch: its patient share may still change). Cancelled visits are listed with
their receipt numbers as void (作废): their receipts are taken back."""

from __future__ import annotations

import datetime as dt
from typing import Any

from clinic_app.db import Connection
from clinic_app.settlement import MED_TYPES
from clinic_app.visits import unbilled_dispensings

MISMATCHES = ("no_lines", "line_amount", "lines_total", "shares")  # the causes, in the order reported
CAP_CONFLICT = "cap_overrun"  # the conflict kind of a visit over the county-wide cap (sync.server.visit_cap)
FIGURES = ("visits", "total_fen", "fund_fen", "cash_fen")


def receipt_number(visit_id: str, visit_date: str) -> str:
    """``20261201-1A2B3C4D``: the visit's date and the last eight hex digits of its id (upper case)."""
    return f"{visit_date.replace('-', '')}-{visit_id.replace('-', '')[-8:].upper()}"


def _receipt(r: Any) -> dict[str, Any]:
    """One live visit's receipt with its checks (a row of ``day_report``'s query)."""
    lines_fen = int(r["lines_fen"])
    problems: list[dict[str, Any]] = []
    if r["line_count"] == 0:
        problems.append({"cause": "no_lines"})
    else:
        if r["bad_lines"]:
            problems.append(
                {"cause": "line_amount", "lines": sorted(int(n) for n in r["bad_lines"].split(","))}
            )
        if lines_fen != r["total_fen"]:
            problems.append({"cause": "lines_total", "difference_fen": lines_fen - r["total_fen"]})
    if r["fund_fen"] + r["patient_fen"] != r["total_fen"]:
        problems.append(
            {"cause": "shares", "difference_fen": r["fund_fen"] + r["patient_fen"] - r["total_fen"]}
        )
    return {
        "number": receipt_number(r["id"], r["visit_date"]),
        "visit_id": r["id"],
        "name": r["name"],
        "med_type": r["med_type"],
        "total_fen": r["total_fen"],
        "fund_fen": r["fund_fen"],
        "patient_fen": r["patient_fen"],
        "lines": r["line_count"],
        "lines_fen": lines_fen,
        # what the receipt's lines make the patient pay; None without lines (no receipt to back the cash)
        "receipt_cash_fen": lines_fen - r["fund_fen"] if r["line_count"] else None,
        "provisional": bool(r["provisional"]),
        "cap_pending": bool(r["cap_pending"]),
        "problems": problems,
    }


DAY_SQL = f"""
SELECT v.id, v.visit_date, v.med_type, v.total_fen, v.fund_fen, v.patient_fen, v.provisional, r.name,
       c.reason AS cancel_reason, c.cancelled_on,
       (SELECT count(*) FROM visit_line l WHERE l.visit_id = v.id AND l.deleted_at IS NULL) AS line_count,
       (SELECT coalesce(sum(l.amount_fen), 0) FROM visit_line l
         WHERE l.visit_id = v.id AND l.deleted_at IS NULL) AS lines_fen,
       (SELECT group_concat(l.line_no) FROM visit_line l WHERE l.visit_id = v.id AND l.deleted_at IS NULL
           AND l.amount_fen != l.unit_price_fen * l.quantity) AS bad_lines,
       EXISTS (SELECT 1 FROM conflict k WHERE k.table_name = 'visit' AND k.row_id = v.id
                 AND k.kind = '{CAP_CONFLICT}' AND k.resolved_at IS NULL AND k.deleted_at IS NULL) AS cap_pending
FROM visit v JOIN resident r ON r.id = v.resident_id
LEFT JOIN visit_cancel c ON c.visit_id = v.id AND c.deleted_at IS NULL
WHERE v.clinic_id = ? AND v.visit_date = ? AND v.deleted_at IS NULL
ORDER BY v.created_at, v.id
"""


def day_report(conn: Connection, clinic_id: str, day: dt.date) -> dict[str, Any]:
    """The day's end: ``by_med_type`` and ``totals`` (visits, total, fund, cash the patients paid) of the live
    visits; ``cancelled`` (with their void receipt numbers and reasons); ``receipts`` (one a live visit, in the
    order recorded, each with its ``problems``); ``reconciliation`` (the receipts' cash against the cash total,
    the mismatches, ``balanced``); ``unbilled`` (the day's dispensing installments no visit pays for)."""
    rows = conn.execute(DAY_SQL, (clinic_id, day.isoformat())).fetchall()
    by_type = {t: dict.fromkeys(FIGURES, 0) for t in MED_TYPES}
    cancelled: list[dict[str, Any]] = []
    receipts: list[dict[str, Any]] = []
    seen: set[str] = set()
    for r in rows:
        if r["id"] in seen:  # two reversals of one visit (two devices): listed once
            continue
        seen.add(r["id"])
        if r["cancel_reason"] is not None:
            cancelled.append(
                {
                    "id": r["id"],
                    "number": receipt_number(r["id"], r["visit_date"]),
                    "name": r["name"],
                    "med_type": r["med_type"],
                    "total_fen": r["total_fen"],
                    "reason": r["cancel_reason"],
                    "cancelled_on": r["cancelled_on"],
                }
            )
            continue
        sums = by_type[r["med_type"]]
        sums["visits"] += 1
        sums["total_fen"] += r["total_fen"]
        sums["fund_fen"] += r["fund_fen"]
        sums["cash_fen"] += r["patient_fen"]
        receipts.append(_receipt(r))
    totals = {k: sum(t[k] for t in by_type.values()) for k in FIGURES}
    return {
        "date": day.isoformat(),
        "by_med_type": by_type,
        "totals": totals,
        "cancelled": cancelled,
        "receipts": receipts,
        "reconciliation": reconcile(receipts, totals),
        # installments dispensed this day that no live visit pays for (trial F2): given out, not charged yet
        "unbilled": unbilled_dispensings(conn, day, clinic_id=clinic_id),
    }


def reconcile(receipts: list[dict[str, Any]], totals: dict[str, int]) -> dict[str, Any]:
    """The receipts against the day's totals: how many, the cash they make the patients pay against the cash
    total of the settlements, the receipts that fail a check (by cause), and whether the day balances."""
    receipts_cash = sum(r["receipt_cash_fen"] or 0 for r in receipts)
    mismatched = [r["number"] for r in receipts if r["problems"]]
    causes = {c: sum(1 for r in receipts for p in r["problems"] if p["cause"] == c) for c in MISMATCHES}
    return {
        "receipts": len(receipts),
        "receipts_cash_fen": receipts_cash,
        "cash_fen": totals["cash_fen"],
        "difference_fen": receipts_cash - totals["cash_fen"],
        "mismatched": mismatched,
        "causes": {c: n for c, n in causes.items() if n},
        "cap_pending": [r["number"] for r in receipts if r["cap_pending"]],
        "balanced": not mismatched
        and receipts_cash == totals["cash_fen"]
        and len(receipts) == totals["visits"],
    }
