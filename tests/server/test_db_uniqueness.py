"""County-wide uniqueness held by the database, not by check-then-insert (issue 11, rule c): pushes racing on a
real server with several workers (requests on threads, the server's thread pool and connection pool), on
SQLite and on the real PostgreSQL of this machine — where transactions of different clinics run at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import requests

from clinic_app.idcard import check_character
from clinic_app.ids import uuid7

from .conftest import HEADERS, County
from .live import live_server
from .test_api import mutation, resident
from .test_contracts_server import contract_row

ROUNDS = 25


def number(seq: int) -> str:
    """A valid ID number of a woman born 1949-12-31 (as ``resident()`` is), one per ``seq`` below 500."""
    first17 = f"11010519491231{2 * seq:03d}"
    return first17 + check_character(first17)


def device(base: str, county: County, clinic: str, name: str) -> dict[str, str]:
    headers = county.enroll(clinic, name)
    return {**HEADERS, "Authorization": headers["Authorization"]}


def push(base: str, headers: dict[str, str], *mutations: dict[str, Any]) -> list[dict[str, Any]]:
    r = requests.post(f"{base}/api/v1/push", json={"mutations": list(mutations)}, headers=headers, timeout=60)
    assert r.status_code == 200, r.text
    return list(r.json()["results"])


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls on threads released together; their answers (or what they raised), in order."""
    barrier = threading.Barrier(len(calls))
    answers: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            answers[i] = calls[i]()
        except BaseException as exc:
            answers[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return answers


def conflicts(base: str, headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    r = requests.get(
        f"{base}/api/v1/snapshot", params={"table": "conflict", "limit": 1000}, headers=headers, timeout=60
    )
    assert r.status_code == 200, r.text
    return {c["row_id"]: c["row"] for c in r.json()["changes"]}


def test_two_clinics_signing_one_person_at_the_same_instant_get_one_active_contract(county: County) -> None:
    with live_server(county.engine) as base:
        a, b = device(base, county, "A01", "A-1"), device(base, county, "B01", "B-1")
        people: dict[str, list[str]] = {}
        teams = {}
        for clinic, headers in (("A01", a), ("B01", b)):
            team = {"id": uuid7(), "name": "一队"}
            rows = [resident(id_number=number(i)) for i in range(ROUNDS)]
            results = push(base, headers, mutation("team", team), *(mutation("resident", r) for r in rows))
            assert {r["status"] for r in results} == {"applied"}, results
            people[clinic], teams[clinic] = [r["id"] for r in rows], team["id"]
        doubled, losers = [], []
        for i in range(ROUNDS):
            signed = {c: contract_row(people[c][i], teams[c]) for c in ("A01", "B01")}
            answers = at_once(
                *(
                    lambda h=h, row=signed[c]: push(base, h, mutation("contract", row))[0]
                    for c, h in (("A01", a), ("B01", b))
                )
            )
            for answer in answers:
                assert isinstance(answer, dict), answer
            states = sorted((x.get("server_row") or {}).get("status", x["status"]) for x in answers)
            if states != ["active", "conflict"]:
                doubled.append((i, states))
                continue
            loser = next(x for x in answers if x["server_row"]["status"] == "conflict")
            mine, other = (
                ("A01", "B01") if loser["mutation_id"] == answers[0]["mutation_id"] else ("B01", "A01")
            )
            assert loser["conflict_id"], loser
            losers.append((mine, loser["conflict_id"], other))
        held = {c: conflicts(base, h) for c, h in (("A01", a), ("B01", b))}
    assert doubled == [], f"{len(doubled)} of {ROUNDS} rounds gave not one active contract and one conflict"
    for (
        mine,
        conflict_id,
        other,
    ) in losers:  # as the rule does sequentially: the loser's conflict names the other
        assert f"({other})" in held[mine][conflict_id]["message"], held[mine][conflict_id]


def test_two_devices_of_a_clinic_registering_one_number_at_the_same_instant_keep_one_resident(
    county: County,
) -> None:
    with live_server(county.engine) as base:
        pc, laptop = device(base, county, "A01", "PC"), device(base, county, "A01", "laptop")
        for i in range(ROUNDS):
            rows = [resident(id_number=number(i)) for _ in range(2)]
            answers = at_once(
                *(
                    lambda h=h, r=r: push(base, h, mutation("resident", r))[0]
                    for h, r in ((pc, rows[0]), (laptop, rows[1]))
                )
            )
            assert all(isinstance(x, dict) and x["status"] == "applied" for x in answers), answers
            kept = {x.get("row_id") for x in answers} - {None}
            assert len(kept) == 1 and kept <= {r["id"] for r in rows}, answers
        r = requests.get(
            f"{base}/api/v1/snapshot", params={"table": "resident", "limit": 1000}, headers=pc, timeout=60
        )
        numbers = [c["row"]["id_number"] for c in r.json()["changes"] if not c["row"]["deleted_at"]]
    assert sorted(numbers) == sorted({number(i) for i in range(ROUNDS)}), "one resident per ID number"


def test_the_same_mutation_id_from_two_clinics_at_once_is_each_clinics_own(county: County) -> None:
    """Decided: a mutation id is a clinic's own (the server keys them by clinic and id), so a clinic that knows
    another's ids can neither block nor read their results; no 5xx however they race."""
    with live_server(county.engine) as base:
        a, b = device(base, county, "A01", "A-1"), device(base, county, "B01", "B-1")
        for _ in range(3 * ROUNDS):
            shared = uuid7()
            entries = [{"id": uuid7(), "action": "test", "summary": "x", "rows": "{}"} for _ in range(2)]
            answers = at_once(
                *(
                    lambda h=h, e=e, k=shared: push(base, h, {**mutation("audit_log", e), "mutation_id": k})[
                        0
                    ]
                    for h, e in ((a, entries[0]), (b, entries[1]))
                )
            )
            assert all(isinstance(x, dict) and x["status"] == "applied" for x in answers), answers
            again = push(base, b, {**mutation("audit_log", entries[1]), "mutation_id": shared})
            assert again[0]["status"] == "duplicate" and again[0]["version"] == answers[1]["version"]


# -- rows keyed by a merged row (rule d), through the API -----------------------------------------------------
def test_the_registry_names_every_unique_key_that_includes_a_merged_reference() -> None:
    from clinic_app.registry import REGISTRY

    assert {name: (table, key.columns) for name, (table, key) in REGISTRY.dependant_keys.items()} == {
        "insurance_resident_year": ("insurance_status", ("resident_id", "year")),
        "disease_registration_resident": ("disease_registration", ("resident_id", "disease")),
    }


def test_a_second_row_for_a_held_key_is_merged_and_an_edit_onto_one_is_refused(county: County) -> None:
    from .test_api import pull_all
    from .test_api import push as api_push

    device = county.enroll("A01")
    person = resident()
    insured = {"id": uuid7(), "resident_id": person["id"], "year": 2026, "paid": 1, "paid_on": "2026-01-05"}
    again = {**insured, "id": uuid7(), "paid_on": "2026-01-09"}
    later = {**insured, "id": uuid7(), "year": 2027}
    results = api_push(
        county,
        device,
        mutation("resident", person),
        *(mutation("insurance_status", r) for r in (insured, again, later)),
    )
    assert [r["status"] for r in results] == ["applied"] * 4, results
    assert results[2]["row_id"] == insured["id"] and results[2]["server_row"]["paid_on"] == "2026-01-09"
    [moved] = api_push(
        county, device, mutation("insurance_status", {"id": later["id"], "year": 2026}, results[3]["version"])
    )
    assert (
        moved["status"] == "rejected" and moved["code"] == "duplicate" and insured["id"] in moved["message"]
    )
    changes, _ = pull_all(county, device)
    assert sorted((c["row"]["year"], c["row_id"]) for c in changes if c["table"] == "insurance_status") == [
        (2026, insured["id"]),
        (2027, later["id"]),
    ], "one row per resident and year, as every device's index allows"
