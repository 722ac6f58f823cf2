"""Accounts and authorship on the county server (issue 11, breaks 3, 6 and 12): a device token alone changes no
account; an account change takes effect with an entitled user's online sign-in (a short-lived user token); the
clinic's first accounts come with its first push (the bootstrap); pushed password hashes are within the device's
bounds; the acting user and the device of every stored row come from the push, not from the row."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from clinic_app import users
from clinic_app.ids import uuid7
from sync import protocol as p
from sync.server import accounts, admin, db
from sync.server.common import Caller

from .conftest import HEADERS, County

PW = "admin-pass-1"
NURSE_PW = "nurse-pass-1"
NOW = "2026-11-23T08:00:00.000Z"


def stored(county: County, table: str, row_id: str) -> dict[str, Any]:
    with county.engine.begin() as conn:
        row = conn.execute(
            sa.select(db.record.c.data).where(db.record.c.table_name == table, db.record.c.row_id == row_id)
        ).scalar_one()
    return dict(json.loads(row))


def mutation(
    table: str,
    row_id: str,
    fields: dict[str, Any],
    user_id: str | None,
    base_version: int = 0,
    op: str = "upsert",
) -> dict[str, Any]:
    return {
        "mutation_id": uuid7(),
        "table": table,
        "op": op,
        "row_id": row_id,
        "base_version": base_version,
        "fields": {"id": row_id, **fields},
        "user_id": user_id,
        "device_time": NOW,
    }


def push(
    county: County, headers: dict[str, str], *mutations: dict[str, Any], user_token: str | None = None
) -> list[dict[str, Any]]:
    extra = {p.HEADER_USER_TOKEN: user_token} if user_token else {}
    r = county.client.post("/api/v1/push", json={"mutations": list(mutations)}, headers={**headers, **extra})
    assert r.status_code == 200, r.text
    return list(r.json()["results"])


def sign_in(county: County, headers: dict[str, str], username: str, password: str) -> Any:
    return county.client.post(
        "/api/v1/users/signin", json={"username": username, "password": password}, headers=headers
    )


def token(county: County, headers: dict[str, str], username: str, password: str) -> str:
    r = sign_in(county, headers, username, password)
    assert r.status_code == 200, r.text
    return str(r.json()["token"])


def new_user(username: str, role: str, password: str = "new-pass-123") -> dict[str, Any]:
    return {
        "username": username,
        "display_name": username,
        "role": role,
        "active": 1,
        "password_hash": users.hash_password(password),
        "created_at": NOW,
        "updated_at": NOW,
    }


@pytest.fixture
def clinic(county: County) -> dict[str, Any]:
    """Clinic A01 with an admin and a nurse the county made, and one enrolled device."""
    admin_id = county.admin(admin.add_user, "admin", "clinic_admin", PW, "A01")
    nurse_id = county.admin(admin.add_user, "nurse", "nurse", NURSE_PW, "A01")
    return {"admin": admin_id, "nurse": nurse_id, "device": county.enroll("A01")}


def version(county: County, row_id: str) -> int:
    with county.engine.begin() as conn:
        return int(
            conn.execute(sa.select(db.record.c.version).where(db.record.c.row_id == row_id)).scalar_one()
        )


# -- break 3: a device token alone changes no account ------------------------------------------------------
def test_a_nurse_with_the_device_token_cannot_make_herself_admin(
    county: County, clinic: dict[str, Any]
) -> None:
    nurse = clinic["nurse"]
    [result] = push(
        county,
        clinic["device"],
        mutation("user", nurse, {"role": "clinic_admin"}, nurse, version(county, nurse)),
    )
    assert result["status"] == "rejected" and result["code"] == "account_sign_in"
    assert stored(county, "user", nurse)["role"] == "nurse"


def test_a_device_token_alone_cannot_replace_a_password_or_add_an_admin(
    county: County, clinic: dict[str, Any]
) -> None:
    before = stored(county, "user", clinic["admin"])["password_hash"]
    stolen = mutation(
        "user",
        clinic["admin"],
        {"password_hash": users.hash_password("attacker-pw-1")},
        clinic["nurse"],
        version(county, clinic["admin"]),
    )
    added = mutation("user", uuid7(), new_user("boss2", "clinic_admin"), clinic["nurse"])
    results = push(county, clinic["device"], stolen, added)
    assert [(r["status"], r["code"]) for r in results] == [("rejected", "account_sign_in")] * 2
    assert stored(county, "user", clinic["admin"])["password_hash"] == before
    with county.engine.begin() as conn:
        assert (
            conn.execute(
                sa.select(sa.func.count()).select_from(db.record).where(db.record.c.table_name == "user")
            ).scalar_one()
            == 2
        )


def test_a_signed_in_nurse_may_change_only_her_own_password(county: County, clinic: dict[str, Any]) -> None:
    nurse, device = clinic["nurse"], clinic["device"]
    nurse_token = token(county, device, "nurse", NURSE_PW)
    own = users.hash_password("nurse-new-pass")
    results = push(
        county,
        device,
        mutation("user", nurse, {"role": "clinic_admin"}, nurse, version(county, nurse)),
        mutation("user", clinic["admin"], {"password_hash": own}, nurse, version(county, clinic["admin"])),
        mutation("user", uuid7(), new_user("boss2", "clinic_admin"), nurse),
        user_token=nurse_token,
    )
    assert [(r["status"], r["code"]) for r in results] == [("rejected", "not_entitled")] * 3
    [mine] = push(
        county,
        device,
        mutation("user", nurse, {"password_hash": own}, nurse, version(county, nurse)),
        user_token=nurse_token,
    )
    assert mine["status"] == "applied"
    assert (
        stored(county, "user", nurse)["password_hash"] == own
        and stored(county, "user", nurse)["role"] == "nurse"
    )


def test_an_admins_online_sign_in_lets_account_changes_through(
    county: County, clinic: dict[str, Any]
) -> None:
    device, nurse = clinic["device"], clinic["nurse"]
    admin_token = token(county, device, "admin", PW)
    waiting = mutation("user", nurse, {"role": "village_doctor"}, clinic["admin"], version(county, nurse))
    [first] = push(county, device, waiting)
    assert first["code"] == "account_sign_in", "without the sign-in it waits"
    newcomer = uuid7()
    results = push(
        county,
        device,
        waiting,
        mutation("user", newcomer, new_user("doc", "village_doctor"), clinic["admin"]),
        user_token=admin_token,
    )
    assert [r["status"] for r in results] == ["applied", "applied"], "a waiting answer is not replayed"
    assert stored(county, "user", nurse)["role"] == "village_doctor"
    assert stored(county, "user", newcomer)["created_by"] == clinic["admin"]


def test_a_user_token_is_good_only_for_its_device_and_clinic_and_not_for_long(
    county: County, clinic: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    device, nurse = clinic["device"], clinic["nurse"]
    other = county.enroll("A01", "PC-2")
    admin_token = token(county, device, "admin", PW)
    change = {"role": "village_doctor"}
    [elsewhere] = push(
        county,
        other,
        mutation("user", nurse, change, clinic["admin"], version(county, nurse)),
        user_token=admin_token,
    )
    assert elsewhere["code"] == "account_sign_in" and "another device" in elsewhere["message"]
    forged = admin_token.replace(clinic["admin"], nurse)
    [bad] = push(
        county,
        device,
        mutation("user", nurse, change, clinic["admin"], version(county, nurse)),
        user_token=forged,
    )
    assert bad["code"] == "account_sign_in" and "not readable" in bad["message"]
    monkeypatch.setattr(accounts.time, "time", lambda: time.monotonic() * 0 + 10**10)
    [late] = push(
        county,
        device,
        mutation("user", nurse, change, clinic["admin"], version(county, nurse)),
        user_token=admin_token,
    )
    assert late["code"] == "account_sign_in" and "expired" in late["message"]
    assert stored(county, "user", nurse)["role"] == "nurse"


def test_the_sign_in_checks_the_countys_copy_of_the_password(county: County, clinic: dict[str, Any]) -> None:
    device = clinic["device"]
    wrong = sign_in(county, device, "admin", "not-the-password")
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "bad_credentials"
    unknown = sign_in(county, device, "nobody", PW)
    assert unknown.status_code == 401 and unknown.json()["error"]["code"] == "bad_credentials"
    other_clinic = county.enroll("B01")
    assert sign_in(county, other_clinic, "admin", PW).status_code == 401, "a user of A01 is no user of B01"
    assert sign_in(county, HEADERS, "admin", PW).status_code == 401, "the device token is needed"
    good = sign_in(county, device, "admin", PW).json()
    assert good["user_id"] == clinic["admin"] and good["role"] == "clinic_admin" and good["expires_at"] > NOW


def test_a_deactivated_admin_signs_in_no_more(county: County, clinic: dict[str, Any]) -> None:
    device = clinic["device"]
    admin_token = token(county, device, "admin", PW)
    [done] = push(
        county,
        device,
        mutation("user", clinic["admin"], {"active": 0}, clinic["admin"], version(county, clinic["admin"])),
        user_token=admin_token,
    )
    assert done["status"] == "applied"
    assert sign_in(county, device, "admin", PW).status_code == 401
    [after] = push(
        county,
        device,
        mutation(
            "user",
            clinic["nurse"],
            {"role": "clinic_admin"},
            clinic["admin"],
            version(county, clinic["nurse"]),
        ),
        user_token=admin_token,
    )
    assert after["code"] == "account_sign_in" and "no longer active" in after["message"]


# -- the bootstrap ------------------------------------------------------------------------------------------
def test_the_first_push_of_a_clinic_without_accounts_brings_its_first_admin(county: County) -> None:
    device = county.enroll("A01")
    first = uuid7()
    audit = uuid7()
    results = push(
        county,
        device,
        mutation("user", first, new_user("admin", "clinic_admin", PW), None),
        mutation(
            "audit_log",
            audit,
            {
                "action": "user.add",
                "summary": "admin added",
                "rows": "{}",
                "created_at": NOW,
                "updated_at": NOW,
            },
            None,
        ),
    )
    assert [r["status"] for r in results] == ["applied", "applied"]
    # from the first account on, the rule holds: another admin needs an admin's sign-in, every change its user
    late = mutation("user", uuid7(), new_user("boss2", "clinic_admin"), first)
    anonymous = mutation("village", uuid7(), {"name": "石头村", "created_at": NOW, "updated_at": NOW}, None)
    results = push(county, device, late, anonymous)
    assert [r["code"] for r in results] == ["account_sign_in", "unknown_user"]
    assert token(county, device, "admin", PW), (
        "the first admin signs in online with the password of the device"
    )


# -- break 6: pushed password hashes ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("bad", "rule"),
    [
        ("scrypt$x", "format"),
        ("scrypt$32768$8$1$!!$!!", "format"),
        ("md5$abc", "format"),
        (f"scrypt${2**20}$8$1$AAAAAAAAAAAAAAAAAAAAAA==$" + "A" * 43 + "=", "out_of_range"),
        ("scrypt$32768$8$99$AAAAAAAAAAAAAAAAAAAAAA==$" + "A" * 43 + "=", "out_of_range"),
    ],
)
def test_a_pushed_password_hash_is_well_formed_and_within_the_devices_bounds(
    county: County, clinic: dict[str, Any], bad: str, rule: str
) -> None:
    admin_token = token(county, clinic["device"], "admin", PW)
    [result] = push(
        county,
        clinic["device"],
        mutation(
            "user", uuid7(), {**new_user("doc", "village_doctor"), "password_hash": bad}, clinic["admin"]
        ),
        user_token=admin_token,
    )
    assert result["status"] == "rejected" and result["code"] == rule and "password_hash" in result["message"]


@settings(max_examples=200, deadline=None)
@given(
    st.text(max_size=120)
    | st.from_regex(
        r"scrypt\$[0-9]{1,9}\$[0-9]{1,3}\$[0-9]{1,3}\$[A-Za-z0-9+/=]{0,90}\$"
        r"[A-Za-z0-9+/=]{0,60}",
        fullmatch=True,
    )
)
def test_any_hash_the_format_check_passes_is_checked_quickly(stored_hash: str) -> None:
    if users.check_hash_format(stored_hash) is None:
        started = time.perf_counter()
        assert users.verify_password("some-password", stored_hash) is False
        assert time.perf_counter() - started < 2


def test_hashes_this_program_makes_pass_the_format_check() -> None:
    assert users.check_hash_format(users.hash_password("x" * 8)) is None


# -- break 12: authorship from the token --------------------------------------------------------------------
def test_the_device_and_user_of_a_stored_row_come_from_the_push(
    county: County, clinic: dict[str, Any]
) -> None:
    other_clinic_user = county.admin(admin.add_user, "other", "nurse", NURSE_PW, "B01")
    b_device = county.enroll("B01", "B-PC")
    forged = uuid7()
    entry = {
        "action": "resident.edit",
        "summary": "edited",
        "rows": "{}",
        "created_at": NOW,
        "updated_at": NOW,
        "device_id": b_device["X-Device-Id"],
        "created_by": other_clinic_user,
        "updated_by": other_clinic_user,
    }
    [done] = push(county, clinic["device"], mutation("audit_log", forged, entry, clinic["nurse"]))
    assert done["status"] == "applied"
    row = stored(county, "audit_log", forged)
    assert row["device_id"] == clinic["device"]["X-Device-Id"], "the token's device, not the row's"
    assert row["created_by"] == row["updated_by"] == clinic["nurse"], "the mutation's user, not the row's"
    [foreign] = push(county, clinic["device"], mutation("audit_log", uuid7(), entry, other_clinic_user))
    assert foreign["status"] == "rejected" and foreign["code"] == "unknown_user"
    [nobody] = push(
        county,
        clinic["device"],
        mutation("village", uuid7(), {"name": "村", "created_at": NOW, "updated_at": NOW}, None),
    )
    assert nobody["code"] == "unknown_user", "a record names who made it"
    anonymous = uuid7()
    [event] = push(county, clinic["device"], mutation("audit_log", anonymous, entry, None))
    assert event["status"] == "applied", (
        "an event from before anyone signed in (the database made) is by nobody"
    )
    assert stored(county, "audit_log", anonymous)["created_by"] is None
    [made_up] = push(county, clinic["device"], mutation("audit_log", uuid7(), entry, uuid7()))
    assert made_up["code"] == "unknown_user"


def test_an_edits_author_is_recorded_from_the_mutation(county: County, clinic: dict[str, Any]) -> None:
    village = uuid7()
    [made] = push(
        county,
        clinic["device"],
        mutation(
            "village", village, {"name": "石头村", "created_at": NOW, "updated_at": NOW}, clinic["admin"]
        ),
    )
    [edited] = push(
        county,
        clinic["device"],
        mutation(
            "village",
            village,
            {"name": "石头新村", "updated_by": clinic["admin"]},
            clinic["nurse"],
            made["version"],
        ),
    )
    assert edited["status"] == "applied"
    row = stored(county, "village", village)
    assert (row["created_by"], row["updated_by"]) == (clinic["admin"], clinic["nurse"])


def test_the_screen_asks_nothing_of_a_push_without_accounts_or_users(engine: sa.Engine) -> None:
    caller = Caller(device_id="d", clinic_id="c", role="device")
    with engine.begin() as conn:
        assert accounts.screen(conn, caller, [], None).answers == {}
