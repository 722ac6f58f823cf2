"""The clinic's per-capita budget for a contract period (RULES §2): who counts, what the county pays, what was
spent, what is left, and a forecast to the period's end. Every amount and rate comes from the county's
``policy`` rows in force at the period's start:

- ``capitation.rate_fen``: the per-capita rate for a year, in fen (required);
- ``capitation.age_weights``: optional JSON list ``[[min_age, max_age_or_null, weight], ...]`` (age at the
  period's start; a resident in no band weighs 1);
- ``capitation.quality_reserve_pct``: optional share held back until the year-end assessment (default 0);
- ``capitation.deduct_claims_elsewhere``: optional switch, ``1`` or ``0`` (default 0) on the day of a visit: the
  ordinary outpatient claims of a resident contracted here, settled at another institution, are deducted from
  this clinic's budget. The county server applies it (sync/server/visit_cap.py): it makes a ``capitation_claim``
  row for this clinic, which the device pulls.

Heads are residents with an open contract (active, or provisional until the server confirms it) for the period
**and** a paid insurance premium for that year. The budget is paid monthly in advance: one twelfth a month.
Spending (``spending_by_month``) is the fund's share of the live ordinary outpatient visits (type 11) held here of
residents with an open contract of the clinic for the period, on a day within that contract's period, plus the
claims elsewhere the county deducted (not cancelled). The forecast extends the spending of the months begun to
the whole period.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from clinic_app.cells import save_workbook, xlsx_cell
from clinic_app.contracts import age_on, has_table, period_bounds, policy_value
from clinic_app.db import Connection
from clinic_app.errors import ValidationError
from clinic_app.money import fen_half_up

CLAIMS_ELSEWHERE = "capitation.deduct_claims_elsewhere"


def claims_elsewhere(text: str | None, key: str = CLAIMS_ELSEWHERE) -> bool:
    """The county's switch read as a device and the server read it: ``1`` on, ``0`` (or not set) off."""
    if text is None:
        return False
    if text.strip() not in ("0", "1"):
        raise ValidationError(key, "policy", f"{key} is 1 (deduct claims elsewhere) or 0, not {text!r}")
    return text.strip() == "1"


@dataclass
class Month:
    month: str  # YYYY-MM
    budget_fen: int  # paid in advance for the month (after the reserve)
    spending_fen: int  # all of it: the visits here and the claims elsewhere
    elsewhere_fen: int = 0  # of the spending: claims at other institutions deducted by the county


@dataclass
class Ledger:
    period: int
    start: str
    end: str
    heads: int
    provisional_heads: int  # of ``heads``: contracts the server has not confirmed yet
    contracted_not_insured: int
    rate_fen: int
    weighted_heads: Decimal
    budget_fen: int  # for the whole period, before the reserve
    reserve_pct: Decimal
    reserve_fen: int
    advance_fen: int  # budget minus reserve: what is paid over the twelve months
    months: list[Month] = field(default_factory=list)
    budget_to_date_fen: int = 0
    spending_to_date_fen: int = 0
    elsewhere_to_date_fen: int = 0  # of the spending to date: claims at other institutions
    surplus_to_date_fen: int = 0
    forecast_spending_fen: int = 0
    forecast_surplus_fen: int = 0
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out = {
            k: (str(v) if isinstance(v, Decimal) else v) for k, v in self.__dict__.items() if k != "months"
        }
        out["months"] = [m.__dict__ for m in self.months]
        return out


def _weights(text: str | None) -> list[tuple[int, int | None, Decimal]]:
    if not text:
        return []
    try:
        bands = [
            (int(lo), None if hi is None else int(hi), Decimal(str(w))) for lo, hi, w in json.loads(text)
        ]
    except (ValueError, TypeError):
        raise ValidationError(
            "capitation.age_weights",
            "policy",
            "the county's age weights are not a list of [min_age, max_age, weight]",
        ) from None
    return bands


def _weight(bands: list[tuple[int, int | None, Decimal]], age: int) -> Decimal:
    for lo, hi, weight in bands:
        if age >= lo and (hi is None or age <= hi):
            return weight
    return Decimal(1)


def _months(start: dt.date) -> list[dt.date]:
    return [
        dt.date(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, 1)
        for i in range(12)
    ]


RATE_KEY = "capitation.rate_fen"


def build(conn: Connection, clinic_id: str, period: int, today: dt.date | None = None) -> Ledger:
    today = today or dt.date.today()
    start, end = period_bounds(conn, period)
    rate_text = policy_value(conn, RATE_KEY, start)
    if rate_text is None:
        raise ValidationError(
            RATE_KEY,
            "policy_missing",
            f"the county has not set the per-capita rate for {period} (policy {RATE_KEY})",
        )
    try:
        rate = int(rate_text)
    except ValueError:
        raise ValidationError(RATE_KEY, "policy", f"the county's rate {rate_text!r} is not fen") from None
    bands = _weights(policy_value(conn, "capitation.age_weights", start))
    reserve_pct = Decimal(policy_value(conn, "capitation.quality_reserve_pct", start) or "0")

    rows = conn.execute(
        """SELECT r.birth_date, c.status,
                  EXISTS (SELECT 1 FROM insurance_status i WHERE i.resident_id = r.id AND i.year = ? AND i.paid = 1
                          AND i.deleted_at IS NULL) AS insured
           FROM contract c JOIN resident r ON r.id = c.resident_id
           WHERE c.clinic_id = ? AND c.period = ? AND c.status IN ('provisional', 'active')
             AND c.deleted_at IS NULL AND r.deleted_at IS NULL""",
        (period, clinic_id, str(period)),
    ).fetchall()
    counted = [r for r in rows if r["insured"]]
    weighted = sum((_weight(bands, age_on(r["birth_date"], start)) for r in counted), Decimal(0))
    budget = fen_half_up(weighted * rate)
    reserve = fen_half_up(Decimal(budget) * reserve_pct / 100)
    ledger = Ledger(
        period=period,
        start=start.isoformat(),
        end=end.isoformat(),
        heads=len(counted),
        provisional_heads=sum(1 for r in counted if r["status"] == "provisional"),
        contracted_not_insured=len(rows) - len(counted),
        rate_fen=rate,
        weighted_heads=weighted,
        budget_fen=budget,
        reserve_pct=reserve_pct,
        reserve_fen=reserve,
        advance_fen=budget - reserve,
    )
    visits = (
        has_table(conn, "visit")
        and conn.execute("SELECT 1 FROM visit WHERE clinic_id = ? LIMIT 1", (clinic_id,)).fetchone()
        is not None
    )
    spending = spending_by_month(conn, clinic_id, period, start, end)
    monthly = monthly_advances(ledger.advance_fen)
    for first, paid in zip(_months(start), monthly, strict=True):
        key = first.strftime("%Y-%m")
        here, elsewhere = spending.get(key, (0, 0))
        ledger.months.append(Month(key, paid, here + elsewhere, elsewhere))
        if first <= today:
            ledger.budget_to_date_fen += paid
            ledger.spending_to_date_fen += here + elsewhere
            ledger.elsewhere_to_date_fen += elsewhere
    ledger.surplus_to_date_fen = ledger.budget_to_date_fen - ledger.spending_to_date_fen
    ledger.forecast_spending_fen = forecast_spending(ledger.spending_to_date_fen, start, end, today)
    ledger.forecast_surplus_fen = ledger.advance_fen - ledger.forecast_spending_fen
    if not visits:
        ledger.notes.append("no outpatient visits are recorded yet: spending is 0 until visits come")
    if ledger.elsewhere_to_date_fen:
        ledger.notes.append(
            f"{ledger.elsewhere_to_date_fen} fen of the spending are claims at other institutions the county deducted"
        )
    if ledger.provisional_heads:
        ledger.notes.append(
            f"{ledger.provisional_heads} of the heads are provisional until the county confirms them"
        )
    return ledger


def forecast_spending(spent_fen: int, start: dt.date, end: dt.date, today: dt.date) -> int:
    """The period's spending at the pace of the days gone by (the spending to date is of the visits up to today):
    ``spent × days of the period / days elapsed``, in fen, half up; 0 before the period starts. By days, not
    months: on the first of the last month the spending of eleven months and a day is not the year's."""
    if today < start:
        return 0
    elapsed = (min(today, end) - start).days + 1
    return fen_half_up(Decimal(spent_fen) * ((end - start).days + 1) / elapsed)


def monthly_advances(advance_fen: int) -> list[int]:
    """Twelve equal monthly payments in whole fen; the fen left by the division go with the last month."""
    monthly = [advance_fen // 12] * 12
    monthly[-1] += advance_fen - sum(monthly)
    return monthly


def spending_by_month(
    conn: Connection, clinic_id: str, period: int, start: dt.date, end: dt.date
) -> dict[str, tuple[int, int]]:
    """The period's spending by month (YYYY-MM): (the fund's share of the live type-11 visits held here of
    residents contracted here, the claims elsewhere the county deducted)."""
    found: dict[str, tuple[int, int]] = {}
    if has_table(conn, "visit"):
        from clinic_app.visits import LIVE

        # from the clinic's open contracts of the period (one per resident) to each one's visits by the
        # (resident, date) index: CROSS JOIN keeps that order, and ``+v.clinic_id`` keeps the planner off the
        # (clinic, date) index (either way it reads every visit of the year for each contract: minutes at 5,000)
        rows = conn.execute(
            "WITH signed AS (SELECT resident_id, min(period_start) AS s, max(period_end) AS e FROM contract "
            "WHERE clinic_id = ? AND period = ? AND status IN ('provisional', 'active') AND deleted_at IS NULL "
            "GROUP BY resident_id) "
            "SELECT substr(v.visit_date, 1, 7) AS month, sum(v.fund_fen) FROM signed CROSS JOIN visit v "
            "WHERE v.resident_id = signed.resident_id AND v.visit_date BETWEEN signed.s AND signed.e "
            "AND v.visit_date BETWEEN ? AND ? AND +v.clinic_id = ? AND v.deleted_at IS NULL AND v.med_type = '11' "
            f"AND {LIVE.format(v='v')} GROUP BY month",
            (clinic_id, str(period), start.isoformat(), end.isoformat(), clinic_id),
        )
        found = {r[0]: (int(r[1] or 0), 0) for r in rows}
    if has_table(conn, "capitation_claim"):
        for month, fund in conn.execute(
            "SELECT substr(visit_date, 1, 7) AS month, sum(fund_fen) FROM capitation_claim WHERE clinic_id = ? "
            "AND visit_date BETWEEN ? AND ? AND cancelled_on IS NULL AND deleted_at IS NULL GROUP BY month",
            (clinic_id, start.isoformat(), end.isoformat()),
        ):
            found[month] = (found.get(month, (0, 0))[0], int(fund or 0))
    return found


_NOTES_ZH = (
    (
        re.compile(r"^no outpatient visits are recorded yet: spending is 0 until visits come$"),
        "尚无门诊记录：有门诊记录之前支出为 0",
    ),
    (
        re.compile(r"^(\d+) fen of the spending are claims at other institutions the county deducted$"),
        r"支出中 \1 分为县级扣减的在其他机构就诊费用",
    ),
    (
        re.compile(r"^(\d+) of the heads are provisional until the county confirms them$"),
        r"其中 \1 人待县级确认",
    ),
)


def _note_zh(note: str) -> str:
    for pattern, chinese in _NOTES_ZH:
        if pattern.match(note):
            return pattern.sub(chinese, note)
    return note


def export_xlsx(ledger: Ledger, target: Path, headers: str = "zh") -> None:
    """The ledger as an Excel workbook: a summary sheet and one row a month (amounts in yuan). Sheet names,
    labels and notes in Chinese, or (``headers="en"``, for other programs) in English."""
    from openpyxl import Workbook

    if headers not in ("zh", "en"):
        raise ValidationError("headers", "unknown", "the headers are zh (Chinese, the default) or en")
    zh = headers == "zh"
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "汇总" if zh else "summary"
    yuan = lambda fen: round(fen / 100, 2)  # noqa: E731
    period = (
        f"{ledger.period}（{ledger.start} 至 {ledger.end}）"
        if zh
        else f"{ledger.period} ({ledger.start} .. {ledger.end})"
    )
    lines = (
        ("签约周期", "period", period),
        ("签约且参保人数", "heads (contracted and insured)", ledger.heads),
        ("其中待县级确认", "of them provisional", ledger.provisional_heads),
        ("签约未参保人数", "contracted but not insured", ledger.contracted_not_insured),
        ("人头费标准（元/人/年）", "rate (yuan/head/year)", yuan(ledger.rate_fen)),
        ("加权人数", "weighted heads", float(ledger.weighted_heads)),
        ("年度预算（元）", "budget (yuan)", yuan(ledger.budget_fen)),
        (
            f"质量保证金 {ledger.reserve_pct}%（元）",
            f"quality reserve {ledger.reserve_pct}% (yuan)",
            yuan(ledger.reserve_fen),
        ),
        ("按月预拨合计（元）", "paid in advance (yuan)", yuan(ledger.advance_fen)),
        ("至今预拨（元）", "budget to date (yuan)", yuan(ledger.budget_to_date_fen)),
        ("至今支出（元）", "spending to date (yuan)", yuan(ledger.spending_to_date_fen)),
        ("其中在其他机构（元）", "of it, claims elsewhere (yuan)", yuan(ledger.elsewhere_to_date_fen)),
        ("至今结余（元）", "surplus to date (yuan)", yuan(ledger.surplus_to_date_fen)),
        ("预计全年支出（元）", "forecast spending (yuan)", yuan(ledger.forecast_spending_fen)),
        ("预计年末结余（元）", "forecast surplus (yuan)", yuan(ledger.forecast_surplus_fen)),
    )
    for chinese, english, value in lines:
        summary.append([xlsx_cell(summary, v) for v in (chinese if zh else english, value)])
    for note in ledger.notes:
        summary.append([xlsx_cell(summary, v) for v in (["说明", _note_zh(note)] if zh else ["note", note])])
    summary.column_dimensions["A"].width = 26
    summary.column_dimensions["B"].width = 32
    months = book.create_sheet("按月" if zh else "months")
    months.append(
        ["月份", "预拨（元）", "支出（元）", "结余（元）"]
        if zh
        else ["month", "budget (yuan)", "spending (yuan)", "surplus (yuan)"]
    )
    for m in ledger.months:
        months.append(
            [
                xlsx_cell(months, v)
                for v in (
                    m.month,
                    yuan(m.budget_fen),
                    yuan(m.spending_fen),
                    yuan(m.budget_fen - m.spending_fen),
                )
            ]
        )
    for column in "ABCD":
        months.column_dimensions[column].width = 14
    save_workbook(book, target)
