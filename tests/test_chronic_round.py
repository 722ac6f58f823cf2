"""The home-visit round (clinic_app.chronic_round): the patients due by the day, overdue included, grouped by
village and household, and its workbook with text cells only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import load_workbook

from clinic_app import chronic_round as H

from .conftest import Clinic
from .test_chronic_records import TODAY, care, register, visit  # noqa: F401 (the fixture)


def test_the_round_lists_the_patients_due_and_overdue_by_village_and_household(
    care: Clinic,  # noqa: F811
    tmp_path: Path,
) -> None:
    for name in ("张三", "王五"):
        register(care, name)
    visit(care, "张三", "2026-01-10", sbp_1=130, dbp_1=80)  # due 2026-04-10: overdue
    visit(care, "王五", "2026-06-10", sbp_1=150, dbp_1=95)  # uncontrolled: due 2026-06-24
    conn, clinic = care.store.conn, care.store.clinic_id
    assert [(r["name"], r["days_overdue"]) for r in H.round_rows(conn, clinic, TODAY)] == [("张三", 66)]
    week = H.round_rows(conn, clinic, TODAY, days=10)
    assert [r["name"] for r in week] == ["王五", "张三"], "one village, no household: in pinyin order"
    assert {r["village"] for r in week} == {"石头村"}
    assert week == sorted(week, key=lambda r: (r["village"], r["household_code"] or "", r["name_pinyin"]))
    target = tmp_path / "round.xlsx"
    H.export_xlsx(week, target, TODAY)
    sheet = load_workbook(target).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == H.HEADERS
    assert {r[3] for r in rows[1:]} == {"张三", "王五"}
    assert {r[7] for r in rows[1:]} == {"130/80", "150/95"}
    assert not any(str(c).startswith("=") for r in rows for c in r if c is not None)
    assert dt.date.fromisoformat(rows[1][9])  # the due date as written
