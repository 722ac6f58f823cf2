"""Crafted input never makes the server fail (issue 11, break 9): numbers beyond 64 bits in a cursor, a NUL in a
snapshot's ``after``, a lone surrogate anywhere in one mutation — that mutation is refused, the rest of the batch
goes on. SQLite and PostgreSQL (which refuses a NUL in text and numbers beyond BIGINT)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
import sqlalchemy as sa

from clinic_app.ids import uuid7
from sync.server import db

from .conftest import County
from .test_api import assert_error, mutation, push

BIG = (2**63, 2**70, -(2**63) - 1)


def _cursor(county: County, device: dict[str, str], **values: Any) -> str:
    with county.engine.connect() as conn:
        raw = {"e": db.epoch(conn), "c": 0, "r": 0, **values}
    return base64.urlsafe_b64encode(json.dumps(raw).encode()).decode().rstrip("=")


@pytest.mark.parametrize("value", BIG)
@pytest.mark.parametrize("part", ["c", "r"])
def test_a_cursor_number_beyond_64_bits_is_a_bad_cursor(county: County, part: str, value: int) -> None:
    device = county.enroll("A01")
    r = county.client.get(
        "/api/v1/pull", params={"cursor": _cursor(county, device, **{part: value})}, headers=device
    )
    assert_error(r, 400, "bad_cursor")


@pytest.mark.parametrize("after", ["a%00b", "%ED%A0%80", "%00" * 64, "%EF%BD%98%EF%BC%91", "%FF"])
def test_a_snapshot_after_that_names_no_row_is_refused(county: County, after: str) -> None:
    """NUL (PostgreSQL refuses it in text), a lone surrogate's bytes, full-width letters, bytes no UTF-8."""
    device = county.enroll("A01")
    r = county.client.get(f"/api/v1/snapshot?table=resident&after={after}", headers=device)
    assert r.status_code in (400, 422), r.text
    assert "Traceback" not in r.text and set(r.json()) == {"error"}


def _entry() -> dict[str, Any]:
    return {"id": uuid7(), "action": "test", "summary": "x", "rows": "{}"}


def _raw_push(county: County, device: dict[str, str], mutations: list[dict[str, Any]]) -> Any:
    """JSON as a crafted client writes it: a lone surrogate escaped (\\ud800), as any JSON encoder may."""
    body = json.dumps({"mutations": mutations}, ensure_ascii=True)
    return county.client.post(
        "/api/v1/push", content=body.encode(), headers={**device, "Content-Type": "application/json"}
    )


SURROGATE_PLACES = {
    "mutation_id": lambda m: {**m, "mutation_id": "ab\ud800"},
    "table": lambda m: {**m, "table": "audit\ud800log"},
    "row_id": lambda m: {**m, "row_id": "r\udfff", "fields": {**m["fields"], "id": "r\udfff"}},
    "user_id": lambda m: {**m, "user_id": "u\ud800"},
    "device_time": lambda m: {**m, "device_time": "2026\ud800"},
    "field value": lambda m: {**m, "fields": {**m["fields"], "summary": "a\ud800b"}},
    "field name": lambda m: {**m, "fields": {**m["fields"], "s\ud800": "x"}},
}


@pytest.mark.parametrize("place", sorted(SURROGATE_PLACES))
def test_a_lone_surrogate_refuses_its_mutation_only(county: County, place: str) -> None:
    device = county.enroll("A01")
    bad = SURROGATE_PLACES[place](mutation("audit_log", _entry()))
    good = mutation("audit_log", _entry())
    r = _raw_push(county, device, [bad, good])
    assert r.status_code == 200, r.text
    first, second = r.json()["results"]
    assert second["status"] == "applied", "the rest of the batch goes on"
    if place == "device_time":  # not stored, not answered: the change itself is good
        assert first["status"] == "applied"
        return
    assert first["status"] == "rejected" and first["code"], first


def test_one_mutation_id_from_two_clinics_is_each_clinics_own(county: County) -> None:
    a, b = county.enroll("A01"), county.enroll("B01")
    shared = uuid7()
    [mine] = push(county, a, {**mutation("audit_log", _entry()), "mutation_id": shared})
    [theirs] = push(county, b, {**mutation("audit_log", _entry()), "mutation_id": shared})
    assert mine["status"] == theirs["status"] == "applied" and theirs["version"] != 0
    [replay] = push(county, b, {**mutation("audit_log", _entry()), "mutation_id": shared})
    assert replay["status"] == "duplicate" and replay["version"] == theirs["version"], "B's result, not A's"


def _bad_values(table: str) -> list[tuple[str, Any, str]]:
    """(column, value, the code it is refused with) for every pushed column, from the registry."""
    from clinic_app.registry import REGISTRY
    from sync.server import contract

    cases: list[tuple[str, Any, str]] = []
    for c in REGISTRY.table(table).wire_columns:
        if c.name in ("id", "clinic_id"):  # the row id and the token's clinic: wrong_clinic, id_mismatch
            continue
        if c.name in (
            "created_by",
            "updated_by",
            "device_id",
        ):  # the server writes them from the push and token
            continue
        wire = contract.columns(table)[c.name]
        if c.type == "INTEGER":
            cases += [
                (c.name, 2**63, "out_of_range"),
                (c.name, -(2**63) - 1, "out_of_range"),
                (c.name, 2**70, "out_of_range"),
                (c.name, "１", "type"),
                (c.name, True, "type"),
            ]
            continue
        cases += [
            (c.name, "a\ud800", "invalid_text"),
            (c.name, "a\x00", "control_character"),
            (c.name, "x" * (wire.max_length + 1), "too_long"),
            (c.name, 12, "type"),
        ]
        if wire.allowed is not None:
            cases.append((c.name, "not-one-of-them", "choice"))
    return cases


def test_every_pushed_column_is_held_to_what_a_device_stores(county: County) -> None:
    """Rule a, column by column from the registry: 64-bit whole numbers, Unicode text without NUL, lengths,
    allowed values; each bad value refuses its own mutation, with the column named."""
    from clinic_app.registry import REGISTRY

    device = county.enroll("A01")
    cases = [(table, *case) for table in sorted(REGISTRY.pushed_tables) for case in _bad_values(table)]
    sent = [mutation(table, {"id": uuid7(), column: value}) for table, column, value, _ in cases]
    answered = []
    for start in range(0, len(sent), 250):
        r = _raw_push(county, device, sent[start : start + 250])
        assert r.status_code == 200, r.text
        answered += [
            (x["status"], x.get("code"), x.get("message", "").split(":")[0]) for x in r.json()["results"]
        ]
    wrong = [
        (case, got)
        for case, got in zip(cases, answered, strict=True)
        if got != ("rejected", case[3], case[1])
    ]
    assert wrong == []


def test_a_blank_where_a_device_takes_only_listed_values_is_refused_naming_the_column(county: County) -> None:
    """The resident rules read a blank relation as "none"; a device's column takes only the listed relations, so
    the row as sent would be set aside on every device of the clinic (found by test_push_property)."""
    from .test_push_property import template

    device = county.enroll("A01")
    blank = template("resident", {}) | {"relation_to_head": ""}
    [result] = push(county, device, mutation("resident", blank))
    assert (result["status"], result["code"]) == ("rejected", "not_allowed")
    assert result["message"].startswith("relation_to_head: '' is not one of child"), result
    fine = template("resident", {}) | {"relation_to_head": None, "id_number": None}
    fine |= {"document_type": "passport", "document_number": "P1234567"}
    assert push(county, device, mutation("resident", fine))[0]["status"] == "applied"


@pytest.mark.parametrize("stamp", ["deleted_at", "created_at", "updated_at"])
def test_a_time_stamp_longer_than_any_time_is_refused_not_a_server_failure(
    county: County, stamp: str
) -> None:
    """PostgreSQL's deleted_at column holds 40 characters: a longer value failed the whole push with a 500."""
    device = county.enroll("A01")
    village = {"id": uuid7(), "name": "东村", "code": None, stamp: "x" * 300}
    [result, entry] = push(county, device, mutation("village", village), mutation("audit_log", _entry()))
    assert (result["status"], result["code"]) == ("rejected", "too_long"), result
    assert stamp in result["message"] and entry["status"] == "applied"


def test_one_row_made_on_two_devices_is_no_conflict_over_when_each_made_it(county: County) -> None:
    """A row whose id both devices derive (a resident's insurance of a year, a registration) and that each made
    offline: the second is an edit of the first, and its own creation time is no change a person must decide
    (it was a conflict naming only created_at). The row keeps the time it was first made."""
    first, second = county.enroll("A01", "PC-1"), county.enroll("A01", "PC-2")
    row_id = uuid7()
    made = {"id": row_id, "name": "东村", "code": None, "created_at": "2026-11-23T08:00:00.000Z"}
    assert push(county, first, mutation("village", made))[0]["status"] == "applied"
    again = {**made, "created_at": "2026-11-23T09:30:00.000Z", "updated_at": "2026-11-23T09:30:00.000Z"}
    [result] = push(county, second, mutation("village", again))
    assert result["status"] == "applied", result
    with county.engine.connect() as conn:
        stored = json.loads(
            conn.execute(sa.select(db.record.c.data).where(db.record.c.row_id == row_id)).scalar_one()
        )
    assert stored["created_at"] == "2026-11-23T08:00:00.000Z"
