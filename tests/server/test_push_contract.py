"""A pushed row the devices could not store is rejected at push, never stored: one bad row would otherwise stop
the sync of every device of the clinic. Per-record problems answer 200 with a code naming the rule; nothing
a device sends makes the server fail (PostgreSQL refuses things SQLite lets through, so both run)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest
import sqlalchemy as sa

from clinic_app.errors import ValidationError
from clinic_app.ids import uuid7
from clinic_app.migrations import MIGRATIONS
from clinic_app.users import hash_password
from sync import protocol as p
from sync.server import admin, contract, db

from .conftest import HEADERS, County
from .test_api import GOOD_ID, assert_error, mutation, pull_all, push, resident

OTHER_ID = "445224199202290042"  # born 1992-02-29, female


def village(**fields: Any) -> dict[str, Any]:
    return {"id": uuid7(), "name": "东村", "code": None, **fields}


def household(village_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": uuid7(), "village_id": village_id, "code": "H-001", "address": None, **fields}


BAD_ROWS: dict[str, tuple[str, dict[str, Any], str, str]] = {
    # case: (table, row, expected code, field named in the message)
    "text as a number": ("resident", resident(name=123), "type", "name"),
    "id number as a number": ("resident", resident(id_number=110105194912310020), "type", "id_number"),
    "id number as an object": ("resident", resident(id_number={"n": GOOD_ID}), "type", "id_number"),
    "text as a list": ("village", village(name=["东村"]), "type", "name"),
    "unknown column": ("village", village(), "unknown_column", "colour"),
    "boolean for a whole number": (
        "resident",
        resident(needs_identity_check=True),
        "type",
        "needs_identity_check",
    ),
    "missing NOT NULL column": (
        "household",
        {"id": uuid7(), "village_id": None, "code": "H-9"},
        "required",
        "village_id",
    ),
    "null where the device has a default": (
        "resident",
        resident(document_type=None),
        "required",
        "document_type",
    ),
    "NUL in text": ("village", village(name="东\x00村"), "control_character", "name"),
    "dangling reference": ("household", household(uuid7()), "unknown_reference", "village_id"),
    "reference that is no id": ("household", household("v'); drop table x; --"), "id_format", "village_id"),
}
BAD_ROWS["unknown column"][1]["colour"] = "red"


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_rows_a_device_could_not_store_are_rejected(county: County, case: str) -> None:
    table, row, code, field = BAD_ROWS[case]
    device = county.enroll("A01")
    [result] = push(county, device, mutation(table, row))
    assert result["status"] == "rejected" and result["code"] == code, result
    assert result["message"].startswith(f"{field}:"), result["message"]
    changes, _ = pull_all(county, device)
    assert row["id"] not in {c["row_id"] for c in changes}, "nothing of it was stored"


def test_an_edit_may_not_empty_a_required_column(county: County) -> None:
    device = county.enroll("A01")
    v = village()
    [made] = push(county, device, mutation("village", v))
    [edit] = push(county, device, mutation("village", {"id": v["id"], "name": None}, made["version"]))
    assert edit["status"] == "rejected" and edit["code"] == "required" and "name" in edit["message"]


def test_bad_ids_are_rejected_per_record(county: County) -> None:
    device = county.enroll("A01")
    entry = {"id": uuid7(), "action": "x", "summary": "x", "rows": "{}"}
    nul_mutation = {**mutation("audit_log", entry), "mutation_id": "ab\x00cd"}
    nul_row = {**mutation("audit_log", {**entry, "id": "x\x00y"}), "row_id": "x\x00y"}
    nul_table = mutation("audit\x00log", {**entry, "id": uuid7()})
    nul_user = {**mutation("audit_log", {**entry, "id": uuid7()}), "user_id": "u\x00"}
    good = mutation("audit_log", {**entry, "id": uuid7()})
    results = push(county, device, nul_mutation, nul_row, nul_table, nul_user, good)
    assert [r["code"] for r in results[:4]] == ["id_format", "id_format", "unknown_table", "id_format"]
    assert results[4]["status"] == "applied", "the rest of the batch goes on"


def test_references_to_rows_of_the_same_push_or_earlier_pushes_resolve(county: County) -> None:
    a, b = county.enroll("A01"), county.enroll("B01")
    v = village()
    h = household(v["id"])
    r = resident(village_id=v["id"], household_id=h["id"])
    assert [
        x["status"]
        for x in push(
            county, a, *(mutation(t, row) for t, row in (("village", v), ("household", h), ("resident", r)))
        )
    ] == ["applied"] * 3
    h2 = household(v["id"], code="H-002")
    assert push(county, a, mutation("household", h2))[0]["status"] == "applied"
    [foreign] = push(county, b, mutation("household", household(v["id"], code="H-003")))
    assert foreign["status"] == "rejected" and foreign["code"] == "unknown_reference", (
        "another clinic's village is no village of this clinic"
    )


def test_an_edit_to_another_residents_id_number_is_rejected(county: County) -> None:
    device = county.enroll("A01")
    first, second = resident(), resident(id_number=OTHER_ID, birth_date="1992-02-29")
    made = push(county, device, mutation("resident", first), mutation("resident", second))
    [clash] = push(
        county,
        device,
        mutation(
            "resident",
            {"id": second["id"], "id_number": GOOD_ID, "birth_date": "1949-12-31"},
            made[1]["version"],
        ),
    )
    assert clash["status"] == "rejected" and clash["code"] == "duplicate"
    assert clash["message"].startswith("id_number:") and first["id"] in clash["message"]
    # freeing the number (deleting its holder) lets the edit through
    push(county, device, mutation("resident", {"id": first["id"]}, made[0]["version"], op="delete"))
    [moved] = push(
        county,
        device,
        mutation(
            "resident",
            {"id": second["id"], "id_number": GOOD_ID, "birth_date": "1949-12-31"},
            made[1]["version"],
        ),
    )
    assert moved["status"] == "applied"


def test_a_merged_residents_later_writes_in_the_same_push_are_redirected(county: County) -> None:
    a, b = county.enroll("A01", "PC-1"), county.enroll("A01", "PC-2")
    first, second = resident(), resident()
    push(county, a, mutation("resident", first))
    results = push(
        county,
        b,
        mutation("resident", second),
        mutation("resident", {"id": second["id"], "note": "同一推送里的修改"}, 0),
    )
    assert results[0]["status"] == "applied" and results[0]["row_id"] == first["id"]
    # base version 0 is older than the merged row's fields: decided against that row, not treated as new
    assert results[1]["status"] == "conflict" and results[1]["row_id"] == first["id"]
    assert results[1]["server_row"]["id"] == first["id"]


def test_an_edit_of_the_kept_resident_after_a_merge_in_the_same_push_keeps_the_merged_fields(
    county: County,
) -> None:
    a, b = county.enroll("A01", "PC-1"), county.enroll("A01", "PC-2")
    first, second = resident(), resident(phone="13812345678")
    [made] = push(county, a, mutation("resident", first))
    merged, edit = push(
        county,
        b,
        mutation("resident", second),
        mutation("resident", {"id": first["id"], "note": "同一推送里的修改"}, made["version"]),
    )
    assert merged["status"] == "applied" and merged["row_id"] == first["id"]
    assert edit["status"] == "applied" and edit["version"] > merged["version"]
    changes, _ = pull_all(county, a)
    [kept] = [c["row"] for c in changes if c["table"] == "resident"]
    assert kept["phone"] == "13812345678", (
        "the edit is decided on the row as the merge left it, not a stale copy"
    )
    assert kept["note"] == "同一推送里的修改"


def test_derived_and_server_columns_are_dropped_not_refused(county: County) -> None:
    device = county.enroll("A01")
    row = resident(name_pinyin="zhangsan", name_initials="zs", row_version=99)
    [result] = push(county, device, mutation("resident", row))
    assert result["status"] == "applied"
    with county.engine.connect() as conn:
        data = conn.execute(sa.select(db.record.c.data).where(db.record.c.row_id == row["id"])).scalar_one()
    stored = json.loads(data)
    assert not {"name_pinyin", "name_initials", "row_version"} & set(stored)
    changes, _ = pull_all(county, device)
    assert [c["row"]["row_version"] for c in changes if c["row_id"] == row["id"]] == [result["version"]]


def test_control_characters_in_enrollment_and_login_are_refused(county: County) -> None:
    r = county.client.post(
        "/api/v1/enroll",
        json={"code": "ABCD-EFGH", "device_name": "PC\x00", "app_version": "0.1.0"},
        headers=HEADERS,
    )
    assert_error(r, 422, "invalid_request")
    r = county.client.post(
        "/api/v1/enroll",
        json={"code": "ABCD-EFGH", "device_name": "PC", "app_version": "new"},
        headers=HEADERS,
    )
    assert_error(r, 422, "invalid_request")
    r = county.client.post("/api/v1/login", json={"username": "a\x00", "password": "x"}, headers=HEADERS)
    assert_error(r, 422, "invalid_request")


# -- the contract is the device's schema ------------------------------------------------------------------
def device_schema() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    for upgrade in MIGRATIONS:
        upgrade(conn)
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def test_contract_matches_the_device_schema() -> None:
    conn = device_schema()
    for table in contract.TABLES:
        info = {r[1]: r for r in conn.execute(f'PRAGMA table_info("{table}")')}
        device = {
            name for name in info if name not in contract.SERVER_COLUMNS | contract.DERIVED.get(table, set())
        }
        assert device == set(contract.columns(table)), table
        for name, column in contract.columns(table).items():
            kind = info[name][2]
            assert (column.kind is int) == (kind == "INTEGER"), (table, name)
            not_null, default = bool(info[name][3]), info[name][4]
            assert name == "id" or (column.required, column.not_null) == (
                not_null and default is None,
                not_null,
            ), (table, name)
        targets = {r[3]: r[2] for r in conn.execute(f'PRAGMA foreign_key_list("{table}")')}
        assert targets == contract.references(table), table


def store_on_a_device(changes: list[dict[str, Any]]) -> None:
    """What a device does with a pulled page (clinic_app.syncstate.apply_pull_page), on its real schema."""
    conn = device_schema()
    conn.execute("BEGIN")
    conn.execute("PRAGMA defer_foreign_keys = ON")
    for change in changes:
        table = change["table"]
        if table not in contract.TABLES:
            continue
        names = [n for n in change["row"] if n in contract.columns(table)] + ["row_version"]
        row = {**change["row"], "row_version": change["version"]}
        conn.execute(
            f'INSERT INTO "{table}" ({", ".join(names)}) VALUES ({", ".join("?" for _ in names)})',
            [row[n] for n in names],
        )
    conn.execute("COMMIT")


def test_what_the_server_accepted_a_device_can_store(county: County) -> None:
    device = county.enroll("A01")
    rows = [(table, row) for table, row, _, _ in BAD_ROWS.values()]
    v = village(name="西村")
    h = household(v["id"])
    rows += [
        ("village", v),
        ("household", h),
        ("resident", resident(village_id=v["id"], household_id=h["id"])),
        ("audit_log", {"id": uuid7(), "action": "x", "summary": "x", "rows": "{}"}),
    ]
    results = push(county, device, *(mutation(t, r) for t, r in rows))
    assert sum(r["status"] == "applied" for r in results) == 4
    changes, _ = pull_all(county, device)
    store_on_a_device(changes)


# -- one village name, household code, user name per clinic (the device's unique indexes) ----------------
def test_names_the_device_keeps_unique_are_unique_on_the_server(county: County) -> None:
    a, b = county.enroll("A01", "PC-1"), county.enroll("A01", "PC-2")
    other = county.enroll("B01")
    v1, v2 = village(), village()  # the same name, registered offline on two devices
    [first] = push(county, a, mutation("village", v1))
    [second] = push(county, b, mutation("village", v2))
    assert first["status"] == "applied"
    assert (
        second["status"] == "rejected"
        and second["code"] == "duplicate"
        and second["message"].startswith("name:")
    )
    assert v1["id"] in second["message"], "the message names the row that has it"
    assert push(county, other, mutation("village", village()))[0]["status"] == "applied", "another clinic may"
    h1, h2 = household(v1["id"]), household(v1["id"])
    assert [r["status"] for r in push(county, a, mutation("household", h1), mutation("household", h2))] == [
        "applied",
        "rejected",
    ]
    # an edit may not take a name either; a deleted village frees its name (partial index on the device)
    v3 = village(name="北村")
    [made] = push(county, a, mutation("village", v3))
    [rename] = push(county, a, mutation("village", {"id": v3["id"], "name": "东村"}, made["version"]))
    assert rename["status"] == "rejected" and rename["code"] == "duplicate"
    push(county, a, mutation("village", {"id": v1["id"]}, first["version"], op="delete"))
    [rename] = push(county, a, mutation("village", {"id": v3["id"], "name": "东村"}, made["version"]))
    assert rename["status"] == "applied"
    changes, _ = pull_all(county, a)
    store_on_a_device(changes)


def test_a_user_name_stays_taken_after_the_user_is_deleted(county: County) -> None:
    boss = county.admin(admin.add_user, "boss", "clinic_admin", "boss-pass-12", "A01")
    device = county.enroll("A01")
    signed = county.client.post(
        "/api/v1/users/signin", json={"username": "boss", "password": "boss-pass-12"}, headers=device
    )
    device = {
        **device,
        p.HEADER_USER_TOKEN: signed.json()["token"],
    }  # account changes need an admin's sign-in
    hash_ = hash_password("doctor-pass-1")
    user = {
        "id": uuid7(),
        "username": "doctor",
        "display_name": "王医生",
        "role": "village_doctor",
        "password_hash": hash_,
        "active": 1,
    }
    [made] = push(county, device, mutation("user", user, user_id=boss))
    push(county, device, mutation("user", {"id": user["id"]}, made["version"], op="delete", user_id=boss))
    [again] = push(county, device, mutation("user", {**user, "id": uuid7()}, user_id=boss))
    assert (
        again["status"] == "rejected"
        and again["code"] == "duplicate"
        and again["message"].startswith("username:")
    )
    with pytest.raises(ValidationError) as err:
        county.admin(admin.add_user, "doctor", "village_doctor", "doctor-pass-1", "A01")
    assert err.value.field == "username" and err.value.rule == "duplicate"
    county.admin(admin.add_user, "nurse", "nurse", "nurse-pass-1", "A01")
    [clash] = push(
        county, device, mutation("user", {**user, "id": uuid7(), "username": "nurse"}, user_id=boss)
    )
    assert clash["code"] == "duplicate", "names given on the server count too"
    changes, _ = pull_all(county, device)
    store_on_a_device(changes)
