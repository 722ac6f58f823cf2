"""The home-visit round (issue 12 point 5): the patients due by a day (the overdue ones included) grouped by
village and household, with their last readings — the list a doctor takes on a round, printed on A4 (the
desktop) or written as an Excel workbook (here). The due dates are the worklists' (chronic_records.PATIENTS_SQL,
the date agreed in a call included)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from clinic_app import chronic_records as R
from clinic_app import labels
from clinic_app.cells import save_workbook, xlsx_cell
from clinic_app.db import Connection

MAX_ROUND = 2000  # patients on one list (a clinic of 5,000 residents has about 850 under management)
HEADERS = (
    "村",
    "户号",
    "地址",
    "姓名",
    "病种",
    "电话",
    "上次随访",
    "上次血压",
    "上次空腹血糖",
    "应随访",
    "逾期天数",
)


def round_rows(conn: Connection, clinic_id: str, today: dt.date, days: int = 1) -> list[dict[str, Any]]:
    """The patients due by ``today + days - 1`` (overdue ones too), in village, household and name order."""
    until = today + dt.timedelta(days=days - 1)
    rows = [
        dict(r)
        for r in conn.execute(
            f"""SELECT p.*, v.name AS village, h.code AS household_code, h.address
                FROM ({R.PATIENTS_SQL}) p
                LEFT JOIN village v ON v.id = p.village_id
                LEFT JOIN household h ON h.id = p.household_id
                WHERE p.due_on <= ?
                ORDER BY v.name, h.code, p.name_pinyin, p.disease LIMIT ?""",
            (clinic_id, until.isoformat(), MAX_ROUND),
        )
    ]
    for row in rows:
        row["days_overdue"] = max((today - dt.date.fromisoformat(row["due_on"])).days, 0)
    return rows


def export_xlsx(rows: list[dict[str, Any]], target: Path, day: dt.date) -> None:
    """The round as a workbook: one sheet, a row a patient, Chinese headers; every text a text cell."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(f"上门随访 {day.isoformat()}")
    sheet.append([xlsx_cell(sheet, h) for h in HEADERS])
    for r in rows:
        values = (
            r["village"] or "",
            r["household_code"] or "",
            r["address"] or "",
            r["name"],
            labels.label("disease", r["disease"]),
            r["phone"] or "",
            r["visit_date"] or "从未",
            f"{r['sbp']}/{r['dbp']}" if r["sbp"] is not None else "",
            r["fasting_glucose"] or "",
            r["due_on"],
            r["days_overdue"],
        )
        sheet.append([xlsx_cell(sheet, v) for v in values])
    save_workbook(book, target)
