"""The drug history tells each prescription's life in the order it happened (signed, each installment, stopped)
and names the prescription a change replaced by its day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ui.rx_dialogs import history_html

ITEM = {
    "drug_name": "苯磺酸氨氯地平片",
    "spec": "5mg",
    "dose": "1",
    "unit": "片",
    "times_per_day": 1,
    "packages": 3,
}


def rx(**over: Any) -> dict[str, Any]:
    base = {
        "id": "old",
        "issued_on": "2026-09-25",
        "disease": "hypertension",
        "days": 84,
        "status": "stopped",
        "valid_until": "2026-12-25",
        "replaces": None,
        "items": [ITEM],
        "events": [
            {"kind": "stopped", "on_date": "2026-12-01", "reason": "血压偏高，加量"},
            {"kind": "signed", "on_date": "2026-09-25", "reason": None},
        ],
        "installments": [
            {"dispensed_on": "2026-10-23", "days": 28},
            {"dispensed_on": "2026-09-25", "days": 28},
        ],
    }
    return {**base, **over}


def test_a_prescription_s_events_come_in_the_order_they_happened_and_a_change_names_what_it_replaced(
    qapp: Any,
) -> None:
    new = rx(id="new", issued_on="2026-12-01", status="active", replaces="old", events=[], installments=[])
    text = history_html("徐欣", [new, rx()], dt.date(2026, 12, 1))
    old_part = text.split("2026-09-25 · ")[1]
    at = [old_part.index(s) for s in ("2026-09-25 ", "2026-10-23 ", "2026-12-01 ")]
    assert at == sorted(at), "signed and first dispensed, then the second installment, then stopped"
    new_part = text.split("2026-09-25 · ")[0]
    assert "2026-09-25" in new_part, "the change names the day of the prescription it replaced"
