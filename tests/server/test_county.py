"""County accounts: conflicts kept on the server and decided by a person (on a device or by the county), the
county-wide and admin endpoints, and who may call what."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

from clinic_app.ids import uuid7
from sync.server import admin, db
from sync.server import county as county_service
from sync.server.cli import main as county_cli

from .conftest import HEADERS, County
from .test_api import assert_error, mutation, pull_all, push, resident


def login(county: County, username: str, role: str) -> dict[str, str]:
    county.admin(admin.add_user, username, role, f"{username}-pass-1", None)
    r = county.client.post(
        "/api/v1/login", json={"username": username, "password": f"{username}-pass-1"}, headers=HEADERS
    )
    assert r.status_code == 200, r.text
    return {**HEADERS, "Authorization": f"Bearer {r.json()['token']}", "X-Device-Id": r.json()["device_id"]}


def row_clinic(conn: sa.Connection) -> str:
    return str(conn.execute(sa.select(db.clinic.c.id).where(db.clinic.c.code == "A01")).scalar_one())


def make_conflict(county: County) -> tuple[dict[str, str], dict[str, str], dict[str, Any], dict[str, Any]]:
    """Two devices of A01 change the same resident's phone from the same version: the second is a conflict."""
    a1, a2 = county.enroll("A01", "PC-1"), county.enroll("A01", "PC-2")
    row = resident()
    with county.engine.begin() as conn:  # a clinic with accounts on the server names the user of every change
        who = conn.execute(
            sa.select(db.unique_key.c.row_id)
            .where(db.unique_key.c.table_name == "user", db.unique_key.c.clinic_id == row_clinic(conn))
            .limit(1)
        ).scalar()
    [created] = push(county, a1, mutation("resident", row, user_id=who))
    [first] = push(
        county,
        a1,
        mutation("resident", {"id": row["id"], "phone": "13812345678"}, created["version"], user_id=who),
    )
    assert first["status"] == "applied"
    [clash] = push(
        county,
        a2,
        mutation("resident", {"id": row["id"], "phone": "13900000000"}, created["version"], user_id=who),
    )
    assert clash["status"] == "conflict" and clash["conflict_id"]
    return a1, a2, row, clash


def conflict_rows(county: County, device: dict[str, str]) -> dict[str, dict[str, Any]]:
    changes, _ = pull_all(county, device)
    rows: dict[str, dict[str, Any]] = {}
    for c in changes:  # the latest version of each conflict row
        if c["table"] == "conflict":
            rows[c["row_id"]] = c["row"]
    return rows


def resident_phone(county: County, device: dict[str, str], row_id: str) -> str:
    changes, _ = pull_all(county, device)
    return str([c["row"]["phone"] for c in changes if c["row_id"] == row_id][-1])


# -- conflicts -------------------------------------------------------------------------------------------
def test_a_conflict_is_kept_on_the_server_and_every_device_of_the_clinic_pulls_it(county: County) -> None:
    a1, _a2, row, clash = make_conflict(county)
    pulled = conflict_rows(county, a1)
    assert list(pulled) == [clash["conflict_id"]]
    kept = pulled[clash["conflict_id"]]
    assert (
        kept["table_name"] == "resident"
        and kept["row_id"] == row["id"]
        and kept["kind"] == "edited_elsewhere"
    )
    assert json.loads(kept["local_row"])["phone"] == "13900000000"
    assert json.loads(kept["server_row"])["phone"] == "13812345678" and kept["resolved_at"] is None
    assert conflict_rows(county, county.enroll("B01")) == {}, "another clinic never sees it"
    reviewer = login(county, "reviewer", "county_reviewer")
    listed = county.client.get("/api/v1/county/conflicts", headers=reviewer).json()
    assert [(c["id"], c["clinic_code"], c["device_fields"]["phone"]) for c in listed] == [
        (clash["conflict_id"], "A01", "13900000000")
    ]


def test_the_county_keeps_the_devices_version_and_both_devices_see_it(county: County) -> None:
    a1, a2, row, clash = make_conflict(county)
    reviewer = login(county, "reviewer", "county_reviewer")
    r = county.client.post(
        f"/api/v1/county/conflicts/{clash['conflict_id']}/resolve",
        json={"keep": "device", "note": "电话已核实"},
        headers=reviewer,
    )
    assert r.status_code == 200, r.text
    for device in (a1, a2):
        assert resident_phone(county, device, row["id"]) == "13900000000"
        closed = conflict_rows(county, device)[clash["conflict_id"]]
        decision = json.loads(closed["resolution"])
        assert closed["resolved_at"] and decision == {
            "keep": "device",
            "by": "county:reviewer",
            "note": "电话已核实",
        }
    assert county.client.get("/api/v1/county/conflicts", headers=reviewer).json() == []
    again = county.client.post(
        f"/api/v1/county/conflicts/{clash['conflict_id']}/resolve", json={"keep": "server"}, headers=reviewer
    )
    assert_error(again, 422, "resolved")


def test_keeping_the_servers_version_changes_no_data(county: County) -> None:
    a1, _a2, row, clash = make_conflict(county)
    with county.engine.connect() as conn:
        before = conn.execute(
            sa.select(db.record.c.version).where(db.record.c.row_id == row["id"])
        ).scalar_one()
    county.admin(county_service.resolve_conflict, clash["conflict_id"], "server", "tester")
    with county.engine.connect() as conn:
        after = conn.execute(
            sa.select(db.record.c.version).where(db.record.c.row_id == row["id"])
        ).scalar_one()
    assert after == before and resident_phone(county, a1, row["id"]) == "13812345678"
    assert conflict_rows(county, a1)[clash["conflict_id"]]["resolved_at"]


def test_a_device_resolves_a_conflict_and_the_first_decision_stands(county: County) -> None:
    a1, a2, row, clash = make_conflict(county)
    cid = clash["conflict_id"]
    version = int(conflict_rows(county, a2)[cid]["row_version"])
    decided = {"id": cid, "resolved_at": "2026-11-24T08:00:00.000Z", "resolution": '{"keep": "server"}'}
    [done] = push(county, a2, mutation("conflict", decided, version))
    assert done["status"] == "applied"
    reviewer = login(county, "reviewer", "county_reviewer")
    listed = county.client.get("/api/v1/county/conflicts?include_resolved=true", headers=reviewer).json()
    assert listed[0]["resolved_at"] == "2026-11-24T08:00:00.000Z" and listed[0]["resolution"] == {
        "keep": "server"
    }
    # the other device decided differently before it heard: the first decision stands, shown to it
    [late] = push(county, a1, mutation("conflict", {**decided, "resolution": '{"keep": "device"}'}, version))
    assert late["status"] == "conflict" and late["code"] == "resolved_elsewhere"
    assert late["server_row"]["resolution"] == '{"keep": "server"}' and "conflict_id" not in late
    # a device makes no conflict rows and changes nothing but the resolution
    [made] = push(
        county,
        a1,
        mutation("conflict", {"id": uuid7(), "table_name": "resident", "row_id": row["id"], "kind": "x"}),
    )
    assert made["status"] == "rejected" and made["code"] == "server_only"
    [edited] = push(county, a1, mutation("conflict", {"id": cid, "kind": "other"}, version))
    assert edited["status"] == "rejected" and edited["code"] == "read_only_field"
    [gone] = push(county, a1, mutation("conflict", {"id": cid}, version, op="delete"))
    assert gone["status"] == "rejected" and gone["code"] == "server_only"


def test_keeping_a_deleted_rows_device_version_is_refused(county: County) -> None:
    a1, a2 = county.enroll("A01", "PC-1"), county.enroll("A01", "PC-2")
    row = resident()
    [created] = push(county, a1, mutation("resident", row))
    push(county, a1, mutation("resident", {"id": row["id"]}, created["version"], op="delete"))
    [clash] = push(
        county, a2, mutation("resident", {"id": row["id"], "phone": "13900000000"}, created["version"])
    )
    assert clash["code"] == "deleted"
    admin = login(county, "boss", "county_admin")
    r = county.client.post(
        f"/api/v1/county/conflicts/{clash['conflict_id']}/resolve", json={"keep": "device"}, headers=admin
    )
    assert_error(r, 422, "deleted")
    assert county.client.get("/api/v1/county/conflicts", headers=admin).json()[0]["resolved_at"] is None


# -- authorization matrix ---------------------------------------------------------------------------------
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("get", "/api/v1/county/clinics", None),
    ("get", "/api/v1/county/conflicts", None),
    ("post", "/api/v1/county/conflicts/{conflict}/resolve", {"keep": "server"}),
    ("post", "/api/v1/admin/clinics", {"code": "C{n}", "name": "新卫生室{n}"}),
    (
        "post",
        "/api/v1/admin/users",
        {"username": "u{n}", "role": "nurse", "password": "long-enough-1", "clinic_code": "A01"},
    ),
    ("post", "/api/v1/admin/enroll-codes", {"clinic_code": "A01"}),
    ("get", "/api/v1/admin/devices", None),
    ("post", "/api/v1/admin/devices/{victim}/revoke", None),
    (
        "post",
        "/api/v1/admin/catalog",
        {"csv": "code,name,spec,unit,package_size\nXC09AAE042A001010104023,依那普利片,5mg*16片,盒,16\n"},
    ),
    (
        "post",
        "/api/v1/admin/policy",
        {"key": "capitation.rate_fen", "value": "9000", "effective_from": "2027-01-01"},
    ),
]
READER_PATHS = {
    "/api/v1/county/clinics",
    "/api/v1/county/conflicts",
    "/api/v1/county/conflicts/{conflict}/resolve",
}


@pytest.mark.parametrize("who", ["device", "county_reviewer", "county_admin", "revoked_admin", "no_token"])
def test_who_may_call_the_county_and_admin_endpoints(county: County, who: str) -> None:
    tokens = {"device": county.enroll("A01")}
    tokens["county_reviewer"] = login(county, "reviewer", "county_reviewer")
    tokens["county_admin"] = login(county, "boss", "county_admin")
    tokens["revoked_admin"] = login(county, "former", "county_admin")
    county.admin(admin.revoke_device, tokens["revoked_admin"]["X-Device-Id"])
    tokens["no_token"] = dict(HEADERS)
    for n, (method, path, body) in enumerate(ENDPOINTS):
        conflict = make_conflict(county)[3]["conflict_id"]
        victim = county.enroll("B01", "victim")["X-Device-Id"]
        url = path.format(conflict=conflict, victim=victim)
        text = json.dumps(body).replace("{n}", str(n)) if body is not None else None
        kwargs: dict[str, Any] = {"headers": tokens[who]}
        if text is not None:
            kwargs["json"] = json.loads(text)
        r = getattr(county.client, method)(url, **kwargs)
        if who == "no_token":
            assert_error(r, 401, "no_token")
        elif who == "revoked_admin":
            assert_error(r, 401, "revoked")
        elif who == "device" or (who == "county_reviewer" and path not in READER_PATHS):
            assert_error(r, 403, "forbidden")
        else:
            assert r.status_code in (200, 201), f"{who} {method} {url}: {r.text}"
    if who in ("device", "no_token", "revoked_admin"):  # nothing was made by the refused calls
        with county.engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(db.clinic)).scalar_one() == 2
            assert (
                conn.execute(
                    sa.select(sa.func.count())
                    .select_from(db.conflict)
                    .where(db.conflict.c.resolved_at.is_not(None))
                ).scalar_one()
                == 0
            )


def test_county_accounts_see_every_clinic_and_devices_cannot_pull_as_the_county(county: County) -> None:
    a, b = county.enroll("A01"), county.enroll("B01")
    push(county, a, mutation("resident", resident()))
    push(county, b, mutation("resident", resident(id_number="445224199202290042", birth_date="1992-02-29")))
    reviewer = login(county, "reviewer", "county_reviewer")
    clinics = county.client.get("/api/v1/county/clinics", headers=reviewer).json()
    assert [(c["code"], c["devices"], c["residents_with_id_number"]) for c in clinics] == [
        ("A01", 1, 1),
        ("B01", 1, 1),
    ]
    assert_error(county.client.get("/api/v1/pull", headers=reviewer), 403, "not_a_clinic_device")


def test_an_admin_sets_up_a_clinic_over_the_api_and_its_device_receives_the_county_data(
    county: County,
) -> None:
    admin = login(county, "boss", "county_admin")
    assert (
        county.client.post(
            "/api/v1/admin/clinics", json={"code": "C09", "name": "西山村卫生室"}, headers=admin
        ).status_code
        == 201
    )
    duplicate = county.client.post("/api/v1/admin/clinics", json={"code": "C09", "name": "x"}, headers=admin)
    assert duplicate.status_code == 422 and duplicate.json()["error"]["message"]
    code = county.client.post(
        "/api/v1/admin/enroll-codes", json={"clinic_code": "C09", "hours": 2}, headers=admin
    ).json()["code"]
    r = county.client.post(
        "/api/v1/enroll", json={"code": code, "device_name": "PC", "app_version": "0.1.0"}, headers=HEADERS
    )
    device = {**HEADERS, "Authorization": f"Bearer {r.json()['token']}"}
    csv = "code,name,spec,unit,package_size\nXC09AAE042A001010104023,依那普利片,5mg*16片,盒,16\n"
    report = county.client.post("/api/v1/admin/catalog", json={"csv": csv}, headers=admin).json()
    assert report == {"rows": 1, "changed": 1}
    bad = county.client.post("/api/v1/admin/catalog", json={"csv": csv.replace("16\n", "0\n")}, headers=admin)
    assert_error(bad, 422, "invalid_rows")
    assert "row 2, column package_size" in bad.json()["error"]["message"]
    county.client.post(
        "/api/v1/admin/policy",
        json={"key": "capitation.rate_fen", "value": "9000", "effective_from": "2027-01-01"},
        headers=admin,
    )
    changes, _ = pull_all(county, device)
    assert {c["table"] for c in changes} >= {"drug", "policy", "clinic"}
    listed = county.client.get("/api/v1/admin/devices", headers=admin).json()
    assert any(d["code"] == "C09" for d in listed)


def test_the_openapi_document_lists_the_county_endpoints(county: County) -> None:
    paths = county.client.get("/openapi.json").json()["paths"]
    for _method, path, _body in ENDPOINTS:
        assert path.replace("{conflict}", "{conflict_id}").replace("{victim}", "{device_id}") in paths


# -- the command ------------------------------------------------------------------------------------------
def test_conflicts_resolve_command(
    county: County, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    a1, _a2, row, clash = make_conflict(county)
    cid = clash["conflict_id"]
    assert county_cli(["conflicts", "list", "--database-url", database_url]) == 0
    listed = capsys.readouterr().out
    assert cid in listed and "A01" in listed and "phone=13900000000" in listed
    assert (
        county_cli(["conflicts", "resolve", "nope", "--keep", "server", "--database-url", database_url]) == 3
    )
    assert "conflict: no conflict nope [unknown]" in capsys.readouterr().err
    assert (
        county_cli(
            [
                "conflicts",
                "resolve",
                cid,
                "--keep",
                "device",
                "--note",
                "核实过",
                "--by",
                "王审核",
                "--database-url",
                database_url,
            ]
        )
        == 0
    )
    assert resident_phone(county, a1, row["id"]) == "13900000000"
    assert county_cli(["conflicts", "resolve", cid, "--keep", "server", "--database-url", database_url]) == 3
    assert "[resolved]" in capsys.readouterr().err
    assert county_cli(["conflicts", "list", "--all", "--json", "--database-url", database_url]) == 0
    [shown] = json.loads(capsys.readouterr().out)
    assert shown["resolution"] == {"keep": "device", "by": "county:王审核", "note": "核实过"}


@pytest.mark.parametrize("text", ["\r0", 'code,name\n"unclosed', "\x00"])
def test_a_catalog_that_is_not_csv_is_refused_with_a_message(county: County, text: str) -> None:
    admin = login(county, "boss", "county_admin")
    r = county.client.post("/api/v1/admin/catalog", json={"csv": text}, headers=admin)
    assert r.status_code == 422 and r.json()["error"]["code"] in {"csv", "missing_column"}


def test_a_reference_of_the_wrong_kind_is_rejected_not_a_server_error(county: County) -> None:
    device = county.enroll("A01")
    [village] = push(county, device, mutation("village", {"id": uuid7(), "name": "石头村"}))
    hh = {"id": uuid7(), "village_id": None, "code": "H1", "head_resident_id": []}
    [result] = push(county, device, mutation("household", hh))
    assert village["status"] == "applied" and result["status"] == "rejected"
