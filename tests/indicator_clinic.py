"""A hand-built clinic for the chronic-care indicators of 2025 (clinic_app.chronic_indicators), with the figures
worked out by hand (``EXPECTED_*``). The registrations are made on given days (the store's clock is set while
each is written: the day a registration is made is when its management starts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from clinic_app import chronic_records as H
from clinic_app import residents as R
from clinic_app import store as S
from clinic_app import users
from clinic_app.idcard import check_character
from clinic_app.store import Store

PERIOD = 2025
TODAY = dt.date(2026, 6, 1)  # every visit lies before it


def id_number(born: str, sequence: str) -> str:
    first = "110105" + born.replace("-", "") + sequence
    return first + check_character(first)


@contextmanager
def clock(day: str) -> Iterator[None]:
    """The store's clock stands on ``day`` (02:00 UTC) while the block writes."""
    held = S.utc_now
    S.utc_now = lambda: f"{day}T02:00:00.000Z"
    try:
        yield
    finally:
        S.utc_now = held


# name, born, village
PEOPLE = (
    ("甲", "1966-03-10", "石头村"),
    ("乙", "1961-07-01", "石头村"),
    ("丙", "1950-01-05", "河边村"),  # 75 in 2025: controlled below 150/90
    ("丁", "1970-04-04", "河边村"),
    ("戊", "1958-08-08", "石头村"),
    ("己", "1955-05-05", "河边村"),
    ("庚", "1960-06-06", "石头村"),
    ("辛", "1962-02-02", "河边村"),
)


def build(store: Store, admin: users.User) -> dict[str, Any]:
    """The patients (hypertension unless said), as the figures of 2025 read them:

    甲  registered 2024-06-01; 4 clinic visits in 2025 (Nov controlled) by 李, one in Dec 2024 → standard, controlled
    乙  registered 2024-06-01; 4 clinic visits on 3 days (June's recorded twice), the latest face-to-face (Oct,
        uncontrolled) by 王, then a phone visit in Dec reading controlled (by 李) → 3 visits, not standard, not
        controlled; his doctor is 王
    丙  registered 2024-03-01; 4 clinic visits, the Dec one recorded uncontrolled and corrected to controlled → 4
        face-to-face (the superseded one never counts), latest controlled
    丁  registered 2025-11-01 (2 months before the end): 1 visit → not counted for control; due 1 (61 of 365 days)
    戊  registered 2024-01-10, terminated 2025-03-31 after a Feb visit (controlled) → under management, counted,
        controlled; due 1 (90 days)
    己  registered 2024-01-10, lost 2024-12-15 → not under management in 2025
    庚  registered 2026-01-05 → not under management in 2025
    辛  registered 2024-05-01 by 王, no visit in 2025 → under management, counted, not controlled; doctor 王
    甲 diabetes: registered 2025-02-01, visits in May (6.5) and Aug (8.0, uncontrolled) → due 4 (334 days)
    """
    li = users.add_user(store, admin, "li", "village_doctor", "doctor-pass-1", display_name="李医生")
    wang = users.add_user(store, admin, "wang", "village_doctor", "doctor-pass-2", display_name="王医生")
    villages = {name: R.add_village(store, admin, name) for name in ("石头村", "河边村")}
    ids: dict[str, str] = {}
    for n, (name, born, village) in enumerate(PEOPLE):
        ids[name] = R.add_resident(
            store,
            admin,
            R.ResidentInput(
                name=name, id_number=id_number(born, f"{n + 1:03d}"), village_id=villages[village]
            ),
            today=TODAY,
        )

    def register(name: str, day: str, by: users.User = li, disease: str = "hypertension") -> str:
        with clock(day):
            return H.register(
                store, by, ids[name], disease, "I10" if disease == "hypertension" else "E11", day, today=TODAY
            )

    def visit(name: str, day: str, sbp: int, dbp: int, by: users.User = li, mode: str = "clinic") -> str:
        data = H.FollowupInput(ids[name], "hypertension", day, mode, sbp_1=sbp, dbp_1=dbp)
        return H.add_followup(store, by, data, today=TODAY).id

    def glucose(name: str, day: str, fpg: str) -> None:
        H.add_followup(
            store, li, H.FollowupInput(ids[name], "diabetes", day, "clinic", fasting_glucose=fpg), TODAY
        )

    register("甲", "2024-06-01")
    visit("甲", "2024-12-20", 132, 82)
    for day in ("2025-02-10", "2025-05-10", "2025-08-10", "2025-11-10"):
        visit("甲", day, 130, 80)
    register("乙", "2024-06-01")
    visit("乙", "2025-03-01", 130, 82)
    visit("乙", "2025-06-01", 132, 84)
    visit("乙", "2025-06-01", 132, 84)  # the same visit recorded again: one visit of the standard
    visit("乙", "2025-10-01", 150, 95, by=wang)
    visit("乙", "2025-12-10", 125, 80, mode="phone")
    register("丙", "2024-03-01")
    for day in ("2025-03-05", "2025-06-05", "2025-09-05"):
        visit("丙", day, 140, 88)
    wrong = visit("丙", "2025-12-05", 165, 100)
    H.supersede_followup(
        store,
        li,
        wrong,
        H.FollowupInput(ids["丙"], "hypertension", "2025-12-05", "clinic", sbp_1=135, dbp_1=85),
        "the readings of another patient",
        today=TODAY,
    )
    register("丁", "2025-11-01")
    visit("丁", "2025-11-20", 128, 78)
    registration = register("戊", "2024-01-10", by=wang)
    visit("戊", "2025-02-15", 128, 80)
    H.end_management(store, li, registration, "terminated", "moved to the city", "2025-03-31", today=TODAY)
    registration = register("己", "2024-01-10")
    H.end_management(store, li, registration, "lost", "not reached", "2024-12-15", today=TODAY)
    register("庚", "2026-01-05")
    register("辛", "2024-05-01", by=wang)
    register("甲", "2025-02-01", disease="diabetes")
    glucose("甲", "2025-05-01", "6.5")
    glucose("甲", "2025-08-01", "8.0")
    return {"li": li, "wang": wang, "villages": villages, "residents": ids}


def figures(
    managed: int, standard: int, counted: int, controlled: int, done: int, due: int
) -> dict[str, Any]:
    return {
        "under_management": managed,
        "standard_managed": standard,
        "control_counted": counted,
        "controlled": controlled,
        "followups_done": done,
        "followups_due": due,
        "standard_rate": round(standard / managed, 4) if managed else None,
        "control_rate": round(controlled / counted, 4) if counted else None,
    }


# hypertension: under management 甲乙丙丁戊辛 (6); ≥ 4 face-to-face 甲丙 (2); counted for control 甲乙丙戊辛 (5), of
# them controlled 甲丙戊 (3); done 4+3+4+1+1+0 = 13; due 4+4+4+1+1+4 = 18
EXPECTED_CLINIC = {
    "hypertension": figures(6, 2, 5, 3, 13, 18),
    "diabetes": figures(1, 0, 1, 0, 2, 4),
}
EXPECTED_VILLAGES = {  # 石头村: 甲乙戊; 河边村: 丙丁辛
    "石头村": {"hypertension": figures(3, 1, 3, 2, 8, 9), "diabetes": figures(1, 0, 1, 0, 2, 4)},
    "河边村": {"hypertension": figures(3, 1, 2, 1, 5, 9), "diabetes": figures(0, 0, 0, 0, 0, 0)},
}
EXPECTED_DOCTORS = {  # 李医生: 甲丙丁戊 (戊 registered by 王, seen by 李); 王医生: 乙 (his latest visit) and 辛
    "李医生": {"hypertension": figures(4, 2, 3, 3, 10, 10), "diabetes": figures(1, 0, 1, 0, 2, 4)},
    "王医生": {"hypertension": figures(2, 0, 2, 0, 3, 8), "diabetes": figures(0, 0, 0, 0, 0, 0)},
}
