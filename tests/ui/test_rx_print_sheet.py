"""The printed long-term prescription says its status as of the day it is printed: active, awaiting the
patient's signature (and that it dispenses nothing until then), stopped (when and why), or expired; the patient's
ID number masked; the county's numbers (the signature threshold, the early days) as the sheet holds them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ui.rx_print import ROUND_HEADS, prescription_html, round_html, status_words

TODAY = dt.date(2026, 11, 20)


def sheet(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "rx1",
        "clinic": "石头村卫生室",
        "name": "张<三>",
        "sex": "F",
        "age": 76,
        "id_number": "11010519491231002X",
        "disease": "hypertension",
        "icd_code": "I10",
        "issued_on": "2026-11-02",
        "days": 84,
        "status": "active",
        "assessment": "稳定",
        "allergies": None,
        "valid_until": "2027-02-01",
        "validity_days": 91,
        "installments": 0,
        "dispensed_days": 0,
        "left_days": 84,
        "early_days": 5,
        "signature_above_days": 30,
        "earliest_next": None,
        "doctor": "李医生",
        "signed": True,
        "signed_on": None,
        "stopped": None,
        "replaces": None,
        "items": [
            {
                "drug_name": "苯磺酸氨氯地平片",
                "spec": "5mg",
                "form": "片剂",
                "unit": "片",
                "package_size": 28,
                "packages": 3,
                "dose": "1",
                "times_per_day": 1,
                "route": "oral",
            }
        ],
    }
    return {**base, **over}


@pytest.mark.parametrize(
    ("over", "status", "meaning"),
    [
        ({}, "有效", ""),
        ({"status": "awaiting_signature", "signed": False}, "待患者签字", "签字前不予调配"),
        (
            {"status": "stopped", "stopped": {"on_date": "2026-11-10", "reason": "换药"}},
            "已停用",
            "2026-11-10 停用（换药）",
        ),
        ({"valid_until": "2026-11-19"}, "已过期", "2026-11-19 过期"),
    ],
)
def test_the_status_is_printed_as_of_the_day(over: dict[str, Any], status: str, meaning: str) -> None:
    words, line = status_words(sheet(**over), TODAY)
    assert words == status and meaning in line
    html = prescription_html(sheet(**over), TODAY)
    assert f">{status}</span>" in html and (not meaning or meaning in html)


def test_the_sheet_masks_the_id_escapes_names_and_says_the_countys_numbers() -> None:
    html = prescription_html(sheet(), TODAY)
    assert "110105********002X" in html and "11010519491231002X" not in html
    assert "张&lt;三&gt;" in html and "张<三>" not in html
    assert "上次所发天数减 5 天" in html and "患者已签字确认（开具时）" in html
    awaiting = prescription_html(sheet(status="awaiting_signature", signed=False), TODAY)
    assert "超过 30 天的长期处方须经医生评估并由患者签字确认" in awaiting
    short = prescription_html(sheet(days=28, signed=False), TODAY)
    assert "30 天以内，无需患者签字" in short


def test_an_empty_refill_round_says_so() -> None:
    assert "（无）" in round_html([], "石头村卫生室", TODAY, 7) and "共 0 张处方" in round_html(
        [], "石头村卫生室", TODAY, 7
    )


def test_each_column_of_the_refill_round_has_its_heading() -> None:
    row = {
        "due_on": "2026-11-21",
        "name": "张三",
        "id_number": "11010519491231002X",
        "disease": "hypertension",
        "issued_on": "2026-11-02",
        "days": 84,
        "dispensed_days": 28,
        "left_days": 56,
        "runs_out_on": "2026-11-30",
        "valid_until": "2027-02-01",
        "reasons": ["runs_out"],
        "phone": "13812345678",
        "items": [{"drug_name": "苯磺酸氨氯地平片", "spec": "5mg"}],
    }
    html = round_html([row], "石头村卫生室", TODAY, 7)
    body = html[html.index("</thead>") :]
    headings = html.count("<th>") + html.count("<th ")
    assert headings == body.count("<td") == len(ROUND_HEADS) + 1  # and the column written in by hand
    cells = [c.split(">", 1)[1].split("</td>")[0] for c in body.split("<td")[1:]]
    assert cells[ROUND_HEADS.index("药品")] == "苯磺酸氨氯地平片 5mg"
    assert cells[ROUND_HEADS.index("身份证号")] == "110105********002X"
    assert cells[ROUND_HEADS.index("原因")] == "将用完"


def test_a_stopped_sheet_points_to_no_next_installment_and_a_change_names_the_day_and_drugs_replaced() -> (
    None
):
    stopped = {"on_date": "2026-11-10", "reason": "血压偏低", "kind": "stopped"}
    text = prescription_html(
        sheet(status="stopped", stopped=stopped, installments=1, dispensed_days=28, left_days=56,
              earliest_next="2026-11-25"),
        TODAY,
    )  # fmt: skip
    assert "不再调配" in text and "下次调配不早于" not in text
    replaced = {"replaces_issued_on": "2026-09-11", "replaces_drugs": ["苯磺酸氨氯地平片", "二甲双胍片"]}
    text = prescription_html(sheet(replaces="01a2339e-0000", **replaced), TODAY)
    assert "本处方替代 2026-09-11 开具的苯磺酸氨氯地平片、二甲双胍片原处方（已停用）" in text
    assert "01a2339e" not in text


def test_an_insulin_pen_is_counted_in_its_package_unit_not_in_boxes() -> None:
    pen = {
        "drug_name": "甘精胰岛素注射液",
        "spec": "3ml:300单位",
        "form": "注射剂",
        "unit": "单位",
        "package_unit": "支",
        "package_size": 300,
        "packages": 3,
        "dose": "10",
        "times_per_day": 1,
        "route": "subcutaneous",
    }
    text = prescription_html(sheet(items=[pen]), TODAY)
    assert "300单位/支" in text and "3 支" in text and "皮下注射" in text and "3 盒" not in text
    assert "每次 10单位" in text, "a dose of 10 is 10, not 1E+1"
