"""What a patient's chart shows (issue 12 point 6), read at once: the resident, the registrations, every
follow-up as corrected (newest first, each with its drugs; and the history with the corrected ones), the current drugs (the latest visit's), this year's
contract and the referrals still open. The desktop draws it (ui/chronic_chart.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from clinic_app import chronic as K
from clinic_app import chronic_records as R
from clinic_app.contracts import open_contract
from clinic_app.db import Connection
from clinic_app.residents import get_resident
from clinic_app.rx_records import drug_history


@dataclass
class PatientChart:
    resident: dict[str, Any]
    registrations: list[dict[str, Any]]
    visits: list[dict[str, Any]]  # newest first, as corrected
    contract: dict[str, Any] | None
    age: int
    referrals_open: int
    drugs: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)  # every follow-up, the corrected ones too
    # the long-term prescriptions, newest first, with their items, events and installments (issue 13 point 5)
    prescriptions: list[dict[str, Any]] = field(default_factory=list)


def open_referrals(conn: Connection, resident_id: str) -> int:
    """How many referrals of the patient are not followed up yet."""
    row = conn.execute(
        "SELECT count(*) FROM referral INDEXED BY referral_resident "
        "WHERE resident_id = ? AND status = 'open' AND deleted_at IS NULL",
        (resident_id,),
    ).fetchone()
    return int(row[0])


def patient_chart(conn: Connection, resident_id: str, today: dt.date) -> PatientChart:
    resident = get_resident(conn, resident_id)
    every = R.visit_history(conn, resident_id)
    visits = [v for v in every if v["corrected_by"] is None]
    return PatientChart(
        resident,
        R.registrations(conn, resident_id),
        visits,
        open_contract(conn, resident_id, str(today.year)),
        K.age_on(resident["birth_date"], today),
        open_referrals(conn, resident_id),
        visits[0]["drugs"] if visits else [],
        every,
        drug_history(conn, resident_id),
    )
