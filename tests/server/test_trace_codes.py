"""One box, one sale county-wide (issue 13 point 3, RULES §7, §9): a trace code already sold at another clinic is
kept but flagged — a conflict row to both clinics naming the other, and a row of the county's list — decided by the
database's key when two clinics push the same code at the same instant (SQLite and PostgreSQL, a real server)."""

from __future__ import annotations

import json
from typing import Any

from clinic_app.ids import uuid7
from sync.server import trace_codes
from sync.server.cli import main as county_cli

from .conftest import County
from .live import live_server
from .test_api import mutation, pull_all, push, resident
from .test_db_uniqueness import at_once, conflicts, device
from .test_db_uniqueness import push as live_push

CODE = "81000010000000000001"
STAMP = "2026-11-23T08:00:00.000Z"


def sale(code: str, split_pack: int = 0) -> list[dict[str, Any]]:
    """The mutations of one sale of a box: its patient, prescription, installment and the box's code."""
    person = resident()
    rx = {
        "id": uuid7(),
        "resident_id": person["id"],
        "disease": "hypertension",
        "issued_on": "2026-11-01",
        "days": 28,
        "status_on_issue": "active",
        "valid_until": "2026-12-06",
        "created_at": STAMP,
        "updated_at": STAMP,
    }
    given = {
        "id": uuid7(),
        "prescription_id": rx["id"],
        "dispensed_on": "2026-11-02",
        "days": 28,
        "created_at": STAMP,
        "updated_at": STAMP,
    }
    box = {
        "id": uuid7(),
        "dispensing_id": given["id"],
        "code": code,
        "verified": 1,
        "units": "28",
        "split_pack": split_pack,
        "created_at": STAMP,
        "updated_at": STAMP,
    }
    return [
        mutation("resident", person),
        mutation("prescription", rx),
        mutation("dispensing", given),
        mutation("dispensing_code", box),
    ]


def test_a_code_sold_at_two_clinics_is_flagged_to_both_and_listed(county: County) -> None:
    a, b = county.enroll("A01"), county.enroll("B01")
    first = push(county, a, *sale(CODE))
    assert {r["status"] for r in first} == {"applied"} and not first[-1].get("conflict_id")
    assert not push(county, a, *sale(CODE, split_pack=1))[-1].get("conflict_id"), (
        "its own clinic: not flagged"
    )
    second = push(county, b, *sale(CODE))
    assert second[-1]["status"] == "applied" and second[-1]["conflict_id"], "kept (the box left) but flagged"
    for headers, other in ((a, "B01"), (b, "A01")):
        changes, _ = pull_all(county, headers)
        [conflict] = [c["row"] for c in changes if c["table"] == "conflict"]
        assert conflict["kind"] == "trace_code_elsewhere" and f"({other})" in conflict["message"]
        assert CODE in conflict["message"]
    with county.engine.begin() as conn:
        [listed] = trace_codes.report(conn)
    assert listed["code"] == CODE and listed["first_clinic"] == "A01"
    assert [s["clinic"] for s in listed["also_sold_at"]] == ["B01"]


def test_the_report_command_and_acknowledging_closes_both(
    county: County, database_url: str, capsys: Any
) -> None:
    a, b = county.enroll("A01"), county.enroll("B01")
    push(county, a, *sale(CODE))
    conflict_id = push(county, b, *sale(CODE))[-1]["conflict_id"]
    assert county_cli(["report", "trace-codes", "--json", "--database-url", database_url]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["code"] == CODE
    assert (
        county_cli(
            ["conflicts", "resolve", conflict_id, "--keep", "acknowledged", "--database-url", database_url]
        )
        == 0
    )
    for headers in (a, b):
        changes, _ = pull_all(county, headers)
        [conflict] = [c["row"] for c in changes if c["table"] == "conflict"]
        assert conflict["resolved_at"] and json.loads(conflict["resolution"])["keep"] == "acknowledged"


ROUNDS = 10


def test_two_clinics_selling_one_code_at_the_same_instant_get_one_flag(county: County) -> None:
    with live_server(county.engine) as base:
        a, b = device(base, county, "A01", "A-1"), device(base, county, "B01", "B-1")
        flagged = []
        for i in range(ROUNDS):
            code = f"8100001{i:013d}"
            answers = at_once(*(lambda h=h, c=code: live_push(base, h, *sale(c))[-1] for h in (a, b)))
            for answer in answers:
                assert isinstance(answer, dict) and answer["status"] == "applied", answer
            flagged.append(sum(bool(x.get("conflict_id")) for x in answers))
        held = {c: conflicts(base, h) for c, h in (("A01", a), ("B01", b))}
    assert flagged == [1] * ROUNDS, "exactly one of the two sales of each code is flagged"
    assert len(held["A01"]) == len(held["B01"]) == ROUNDS, "each clinic gets its conflict row of every code"
    with county.engine.begin() as conn:
        assert len(trace_codes.report(conn)) == ROUNDS
