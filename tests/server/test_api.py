from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from clinic_app.ids import uuid7
from sync import protocol as p
from sync.server import admin, db, throttle
from sync.server import pull as pull_feed

from .conftest import HEADERS, County

GOOD_ID = "11010519491231002X"


def resident(row_id: str | None = None, **fields: Any) -> dict[str, Any]:
    base = {
        "id": row_id or uuid7(),
        "name": "张三",
        "document_type": "id_card",
        "id_number": GOOD_ID,
        "sex": "F",
        "birth_date": "1949-12-31",
        "phone": None,
        "created_at": "2026-11-23T08:00:00.000Z",
        "updated_at": "2026-11-23T08:00:00.000Z",
        "deleted_at": None,
    }
    base.update(fields)
    return base


def mutation(
    table: str, row: dict[str, Any], base_version: int = 0, op: str = "upsert", user_id: str | None = None
) -> dict[str, Any]:
    """``user_id`` None: a clinic without accounts on the server (the bootstrap); else a user of the clinic."""
    return {
        "mutation_id": uuid7(),
        "table": table,
        "op": op,
        "row_id": row["id"],
        "base_version": base_version,
        "fields": row,
        "user_id": user_id,
        "device_time": "2026-11-23T08:00:00.000Z",
    }


def push(county: County, headers: dict[str, str], *mutations: dict[str, Any]) -> list[dict[str, Any]]:
    r = county.client.post("/api/v1/push", json={"mutations": list(mutations)}, headers=headers)
    assert r.status_code == 200, r.text
    return list(r.json()["results"])


def pull_all(
    county: County, headers: dict[str, str], limit: int = 1000, cursor: str | None = None
) -> tuple[list[dict[str, Any]], str]:
    changes: list[dict[str, Any]] = []
    while True:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        r = county.client.get("/api/v1/pull", params=params, headers=headers)
        assert r.status_code == 200, r.text
        body = r.json()
        changes += body["changes"]
        cursor = body["cursor"]
        if not body["has_more"]:
            return changes, cursor


def assert_error(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code and body["error"]["message"]
    assert "Traceback" not in response.text and 'File "' not in response.text


# -- basics --------------------------------------------------------------------------------------------
def test_health_and_meta(county: County) -> None:
    assert county.client.get("/health").json() == {"status": "ok"}
    device = county.enroll("A01")
    meta = county.client.get("/api/v1/meta", headers=device).json()
    assert (
        meta["schema_versions"] == list(p.SCHEMA_VERSIONS)
        and meta["epoch"]
        and meta["server_time"].endswith("Z")
    )


def test_migrations_reach_the_metadata(engine: sa.Engine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == []


def test_openapi_is_served_and_lists_every_endpoint(county: County) -> None:
    spec = county.client.get("/openapi.json").json()
    assert {"/health", "/api/v1/enroll", "/api/v1/meta", "/api/v1/push", "/api/v1/pull"} <= set(spec["paths"])


# -- enrollment ----------------------------------------------------------------------------------------
def test_enrollment_code_is_one_time(county: County) -> None:
    code = county.admin(admin.make_enroll_code, "A01")
    body = {"code": code, "device_name": "PC-1", "app_version": "0.1.0"}
    first = county.client.post("/api/v1/enroll", json=body, headers=HEADERS)
    assert (
        first.status_code == 201 and first.json()["clinic_code"] == "A01" and len(first.json()["token"]) >= 40
    )
    assert_error(county.client.post("/api/v1/enroll", json=body, headers=HEADERS), 401, "code_used")
    assert_error(
        county.client.post("/api/v1/enroll", json={**body, "code": "AAAA-BBBB"}, headers=HEADERS),
        401,
        "bad_code",
    )


def test_expired_enrollment_code_is_refused(county: County) -> None:
    code = county.admin(admin.make_enroll_code, "A01")
    with county.engine.begin() as conn:
        conn.execute(sa.update(db.enrollment_code).values(expires_at="2000-01-01T00:00:00.000Z"))
    r = county.client.post(
        "/api/v1/enroll", json={"code": code, "device_name": "x", "app_version": "0.1.0"}, headers=HEADERS
    )
    assert_error(r, 401, "code_expired")


def test_enrollment_is_throttled(county: County) -> None:
    """Slowed, not blocked: the delay and the other addresses are in test_throttle.py."""
    body = {"code": "WRONG-CODE", "device_name": "x", "app_version": "0.1.0"}
    for _ in range(throttle.LIMITS["enroll.free_failures"]):
        assert county.client.post("/api/v1/enroll", json=body, headers=HEADERS).status_code == 401
    good = county.admin(admin.make_enroll_code, "A01")
    refused = county.client.post("/api/v1/enroll", json={**body, "code": good}, headers=HEADERS)
    assert_error(refused, 429, "throttled")
    assert int(refused.headers["Retry-After"]) >= 1


def test_token_is_stored_hashed(county: County) -> None:
    device = county.enroll("A01")
    token = device["Authorization"].removeprefix("Bearer ")
    with county.engine.connect() as conn:
        stored = conn.execute(sa.select(db.device.c.token_hash)).scalars().all()
    assert token not in stored and len(stored) == 1 and len(stored[0]) == 64


# -- versions ----------------------------------------------------------------------------------------
def test_unsupported_clients_get_426(county: County) -> None:
    device = county.enroll("A01")
    assert_error(
        county.client.get("/api/v1/meta", headers={"Authorization": device["Authorization"]}),
        426,
        "upgrade_required",
    )
    assert_error(
        county.client.get("/api/v1/meta", headers={**device, p.HEADER_SCHEMA: "1"}), 426, "schema_unsupported"
    )
    assert_error(
        county.client.get("/api/v1/meta", headers={**device, p.HEADER_APP: "0.0.9"}), 426, "app_too_old"
    )


# -- push ----------------------------------------------------------------------------------------------
def test_push_applies_then_replays_duplicates(county: County) -> None:
    device = county.enroll("A01")
    m = mutation("resident", resident())
    [first] = push(county, device, m)
    assert first["status"] == "applied" and first["version"] >= 1
    [again] = push(county, device, m)
    assert again["status"] == "duplicate" and again["version"] == first["version"]
    twice = mutation("resident", resident(id_number="445224199202290042", birth_date="1992-02-29"))
    assert [r["status"] for r in push(county, device, twice, twice)] == ["applied", "duplicate"], (
        "within a batch too"
    )


def test_bad_id_number_is_rejected_by_the_shared_rules(county: County) -> None:
    device = county.enroll("A01")
    results = push(
        county,
        device,
        mutation("resident", resident(id_number="110105194912310021")),
        mutation("resident", resident(id_number="445224199202290042", birth_date="1992-02-29")),
    )
    assert results[0]["status"] == "rejected" and results[0]["code"] == "check_character"
    assert "id_number" in results[0]["message"]
    assert results[1]["status"] == "applied", "one bad row does not stop the batch"


def test_stale_edit_of_other_fields_merges_same_field_conflicts(county: County) -> None:
    a, b = county.enroll("A01", "PC-1"), county.enroll("A01", "PC-2")
    row = resident()
    [created] = push(county, a, mutation("resident", row))
    v = created["version"]
    [phone] = push(county, a, mutation("resident", {"id": row["id"], "phone": "13812345678"}, v))
    assert phone["status"] == "applied"
    [note] = push(
        county, b, mutation("resident", {"id": row["id"], "note": "腿脚不便"}, v)
    )  # stale, other field
    assert note["status"] == "applied" and note["server_row"]["phone"] == "13812345678"
    [clash] = push(county, b, mutation("resident", {"id": row["id"], "phone": "13900000000"}, v))
    assert clash["status"] == "conflict" and clash["code"] == "edited_elsewhere"
    assert clash["server_row"]["phone"] == "13812345678" and "phone" in clash["message"]


def test_delete_beats_edit(county: County) -> None:
    device = county.enroll("A01")
    row = resident()
    [created] = push(county, device, mutation("resident", row))
    [edit] = push(
        county, device, mutation("resident", {"id": row["id"], "phone": "13812345678"}, created["version"])
    )
    [delete] = push(county, device, mutation("resident", {"id": row["id"]}, created["version"], op="delete"))
    assert delete["status"] == "applied", "a stale delete still wins"
    [late] = push(county, device, mutation("resident", {"id": row["id"], "note": "x"}, edit["version"]))
    assert late["status"] == "conflict" and late["code"] == "deleted" and late["server_row"]["deleted_at"]


def test_append_only_rows_never_conflict(county: County) -> None:
    device = county.enroll("A01")
    entry = {"id": uuid7(), "action": "resident.add", "summary": "x", "rows": "{}", "device_id": None}
    [first] = push(county, device, mutation("audit_log", entry))
    [again] = push(county, device, mutation("audit_log", entry, 0))  # same event, new mutation id
    assert first["status"] == again["status"] == "applied" and again["version"] == first["version"]
    [gone] = push(county, device, mutation("audit_log", entry, first["version"], op="delete"))
    assert gone["status"] == "rejected" and gone["code"] == "append_only"


def test_same_person_registered_on_two_devices_is_merged(county: County) -> None:
    a, b = county.enroll("A01", "PC-1"), county.enroll("A01", "laptop")
    first, second = resident(), resident(phone="13812345678")
    [r1] = push(county, a, mutation("resident", first))
    [r2] = push(county, b, mutation("resident", second))
    assert r2["status"] == "applied" and r2["row_id"] == first["id"]
    [r3] = push(county, b, mutation("resident", {"id": second["id"], "note": "later edit"}, r2["version"]))
    assert r3["status"] == "applied" and r3["row_id"] == first["id"], "writes to the merged id are redirected"
    changes, _ = pull_all(county, a)
    residents = [c for c in changes if c["table"] == "resident"]
    assert len(residents) == 1 and residents[0]["row"]["phone"] == "13812345678"
    assert residents[0]["row"]["note"] == "later edit" and r1["status"] == "applied"


def test_unknown_and_reference_tables_are_rejected(county: County) -> None:
    device = county.enroll("A01")
    results = push(county, device, mutation("drug", {"id": uuid7()}), mutation("secrets", {"id": uuid7()}))
    assert [r["code"] for r in results] == ["read_only", "unknown_table"]


def test_push_size_is_limited(county: County) -> None:
    device = county.enroll("A01")
    many = [
        mutation("audit_log", {"id": uuid7(), "action": "x", "summary": "x", "rows": "{}"})
        for _ in range(p.MAX_PUSH + 1)
    ]
    r = county.client.post("/api/v1/push", json={"mutations": many}, headers=device)
    assert_error(r, 422, "invalid_request")


# -- pull ----------------------------------------------------------------------------------------------
def test_pull_pages_in_order_with_explicit_has_more(county: County) -> None:
    device = county.enroll("A01")
    rows = [{"id": uuid7(), "action": "x", "summary": str(i), "rows": "{}"} for i in range(25)]
    push(county, device, *[mutation("audit_log", r) for r in rows])
    seen, pages = [], 0
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 10, **({"cursor": cursor} if cursor else {})}
        body = county.client.get("/api/v1/pull", params=params, headers=device).json()
        pages += 1
        seen += [c for c in body["changes"] if c["table"] == "audit_log"]
        cursor = body["cursor"]
        if not body["has_more"]:
            break
    assert [c["row_id"] for c in seen] == [r["id"] for r in rows]
    versions = [c["version"] for c in seen]
    assert versions == sorted(versions) and pages >= 3
    again, _ = pull_all(county, device, cursor=cursor)
    assert again == [], "nothing twice"


def test_checksums_are_the_clinic_s_and_county_s_rows_read_from_the_kept_sums_not_a_scan(
    county: County,
) -> None:
    from sync.server import reference

    device, other = county.enroll("A01"), county.enroll("B01", "PC-2")
    county.admin(reference.set_policy, "test.value", "1", "2026-01-01")
    events = [{"id": uuid7(), "action": "x", "summary": str(i), "rows": "{}"} for i in range(3)]
    person = resident()
    results = push(county, device, mutation("resident", person), *[mutation("audit_log", e) for e in events])
    assert [r["status"] for r in results] == ["applied"] * 4, results
    edited = push(county, device, mutation("resident", {**person, "name": "李四"}, results[0]["version"]))
    push(county, other, mutation("audit_log", {"id": uuid7(), "action": "x", "summary": "x", "rows": "{}"}))
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    sa.event.listen(county.engine, "before_cursor_execute", seen)
    try:
        r = county.client.get("/api/v1/checksums", headers=device)
    finally:
        sa.event.remove(county.engine, "before_cursor_execute", seen)
    assert r.status_code == 200, r.text
    record = db.record.c
    with county.engine.connect() as conn:  # what a scan of the clinic's and the county's records finds
        scope = conn.execute(sa.select(record.scope).where(record.row_id == person["id"])).scalar_one()
        scanned = {
            t: {"count": n, "version_sum": int(v)}
            for t, n, v in conn.execute(
                sa.select(record.table_name, sa.func.count(), sa.func.sum(record.version))
                .where(record.scope.in_([scope, "county"]))
                .group_by(record.table_name)
            )
        }
    assert r.json()["tables"] == scanned
    assert edited[0]["status"] == "applied"
    assert scanned["resident"] == {"count": 1, "version_sum": edited[0]["version"]}  # its latest version only
    assert scanned["audit_log"]["count"] == 3  # the other clinic's event is not the clinic's
    reads = [s for s in statements if " record_checksum" in s]
    assert reads and not [s for s in statements if "FROM record " in s or "FROM record\n" in s], statements


def test_a_page_takes_the_county_s_changes_first_then_the_clinic_s_each_once_in_version_order(
    county: County,
) -> None:
    from sync.server import reference

    device = county.enroll("A01")
    for n in range(7):  # county reference data: the county's own scope and sequence
        county.admin(reference.set_policy, f"test.value_{n}", str(n), "2026-01-01")
    rows = [{"id": uuid7(), "action": "x", "summary": str(i), "rows": "{}"} for i in range(9)]
    push(county, device, *[mutation("audit_log", r) for r in rows])
    clinic_scope = f"clinic:{county.admin(admin.clinic_by_code, 'A01').id}"
    with county.engine.connect() as conn:
        expected = {
            scope: [
                (r.table_name, r.row_id, r.version)
                for r in conn.execute(
                    sa.select(db.record).where(db.record.c.scope == scope).order_by(db.record.c.version)
                )
            ]
            for scope in ("county", clinic_scope)
        }
    county_count = len(expected["county"])
    assert county_count >= 7
    # among the page sizes, one that a page of county rows fills exactly
    for limit in (1, 3, county_count, county_count + 1, 1000):
        pages: list[dict[str, Any]] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": limit, **({"cursor": cursor} if cursor else {})}
            r = county.client.get("/api/v1/pull", params=params, headers=device)
            assert r.status_code == 200, r.text
            pages.append(r.json())
            assert len(pages[-1]["changes"]) <= limit
            cursor = pages[-1]["cursor"]
            if not pages[-1]["has_more"]:
                break
        seen = [(c["table"], c["row_id"], c["version"]) for page in pages for c in page["changes"]]
        # the county's first, then the clinic's, nothing twice, nothing skipped
        assert seen == expected["county"] + expected[clinic_scope], limit
        assert all(len(page["changes"]) == limit for page in pages[:-1]), limit  # only the last page short
        assert pull_all(county, device, cursor=cursor)[0] == [], "nothing after the head"


def test_bad_cursor_and_limits(county: County) -> None:
    device = county.enroll("A01")
    assert_error(
        county.client.get("/api/v1/pull", params={"cursor": "nonsense"}, headers=device), 400, "bad_cursor"
    )
    assert_error(
        county.client.get("/api/v1/pull", params={"limit": 1001}, headers=device), 422, "invalid_request"
    )
    other_epoch = pull_feed.encode_cursor("0000", 0, 0)
    assert_error(
        county.client.get("/api/v1/pull", params={"cursor": other_epoch}, headers=device),
        409,
        "epoch_changed",
    )


def test_users_made_on_the_server_reach_the_clinic_devices(county: County) -> None:
    county.admin(admin.add_user, "doctor", "village_doctor", "doctor-pass-1", "A01")
    device = county.enroll("A01")
    changes, _ = pull_all(county, device)
    users = [c["row"] for c in changes if c["table"] == "user"]
    assert [u["username"] for u in users] == ["doctor"]
    assert users[0]["password_hash"].startswith("scrypt$") and "doctor-pass-1" not in json.dumps(users)
    assert {c["table"] for c in changes} == {"clinic", "user"}


# -- authorization -----------------------------------------------------------------------------------------
def test_a_device_of_clinic_a_reads_and_writes_nothing_of_clinic_b(county: County) -> None:
    a, b = county.enroll("A01"), county.enroll("B01")
    b_row = resident()
    [made] = push(county, b, mutation("resident", b_row))
    a_changes, _ = pull_all(county, a)
    assert all(c["row"].get("clinic_id") in (None, _clinic_id(county, "A01")) for c in a_changes)
    assert b_row["id"] not in {c["row_id"] for c in a_changes}
    results = push(
        county,
        a,
        mutation("resident", {"id": b_row["id"], "phone": "13812345678"}, made["version"]),
        mutation("resident", {"id": b_row["id"]}, made["version"], op="delete"),
        mutation(
            "resident",
            resident(
                clinic_id=_clinic_id(county, "B01"), id_number="445224199202290042", birth_date="1992-02-29"
            ),
        ),
    )
    assert [r["status"] for r in results] == ["rejected"] * 3
    assert {r["code"] for r in results} == {"wrong_clinic"}
    b_changes, _ = pull_all(county, b)
    assert [c["row"]["phone"] for c in b_changes if c["table"] == "resident"] == [None]
    # the rows a device of A writes land in A, whatever it claims
    own = resident(id_number="445224199202290042", birth_date="1992-02-29")
    [mine] = push(county, a, mutation("resident", own))
    with county.engine.connect() as conn:
        owner = conn.execute(
            sa.select(db.record.c.clinic_id).where(
                db.record.c.table_name == "resident", db.record.c.row_id == own["id"]
            )
        ).all()
    assert mine["status"] == "applied" and [o[0] for o in owner] == [_clinic_id(county, "A01")]


def _clinic_id(county: County, code: str) -> str:
    return str(county.admin(admin.clinic_by_code, code).id)


def test_revoked_or_missing_tokens_are_refused(county: County) -> None:
    device = county.enroll("A01")
    assert county.client.get("/api/v1/meta", headers=device).status_code == 200
    county.admin(admin.revoke_device, device["X-Device-Id"])
    for method, path in (("get", "/api/v1/meta"), ("get", "/api/v1/pull"), ("post", "/api/v1/push")):
        kwargs: dict[str, Any] = {"headers": device}
        if method == "post":
            kwargs["json"] = {"mutations": []}
        assert_error(getattr(county.client, method)(path, **kwargs), 401, "revoked")
        no_token = {k: v for k, v in device.items() if k != "Authorization"}
        kwargs["headers"] = no_token
        assert_error(getattr(county.client, method)(path, **kwargs), 401, "no_token")
        kwargs["headers"] = {**device, "Authorization": "Bearer made-up"}
        assert_error(getattr(county.client, method)(path, **kwargs), 401, "bad_token")


def test_county_roles_log_in_but_do_not_push_as_a_clinic(county: County) -> None:
    county.admin(admin.add_user, "reviewer", "county_reviewer", "review-pass-1", None)
    r = county.client.post(
        "/api/v1/login", json={"username": "reviewer", "password": "review-pass-1"}, headers=HEADERS
    )
    assert r.status_code == 200 and r.json()["role"] == "county_reviewer"
    token = {**HEADERS, "Authorization": f"Bearer {r.json()['token']}"}
    assert_error(
        county.client.post("/api/v1/push", json={"mutations": []}, headers=token), 403, "not_a_clinic_device"
    )
    bad = county.client.post(
        "/api/v1/login", json={"username": "reviewer", "password": "nope"}, headers=HEADERS
    )
    assert_error(bad, 401, "bad_credentials")


def test_an_unexpected_failure_answers_500_without_a_stack_trace(county: County, monkeypatch: Any) -> None:
    device = county.enroll("A01")

    def boom(*_args: Any) -> None:
        raise RuntimeError("secret internals at /srv/county/service.py line 42")

    monkeypatch.setattr(pull_feed, "pull", boom)
    r = county.client.get("/api/v1/pull", headers=device)
    assert_error(r, 500, "internal")
    assert "secret internals" not in r.text


def test_malformed_bodies_get_an_error_body(county: County) -> None:
    device = county.enroll("A01")
    assert_error(
        county.client.post(
            "/api/v1/push", content=b"{not json", headers={**device, "Content-Type": "application/json"}
        ),
        422,
        "invalid_request",
    )
    assert_error(
        county.client.post("/api/v1/push", json={"mutations": [{"op": "explode"}]}, headers=device),
        422,
        "invalid_request",
    )
    assert_error(county.client.get("/api/v1/nowhere", headers=device), 404, "http_error")


def test_pull_pages_written_from_stored_rows_keep_the_wire_contract(county: County) -> None:
    """Pull and snapshot pages are assembled from the stored JSON; they still parse as the documented models."""
    device = county.enroll("A01")
    row = resident(note='引号 " 反斜杠 \\ 换行\n')
    push(county, device, mutation("resident", row))
    r = county.client.get("/api/v1/pull", params={"limit": 1000}, headers=device)
    page = p.PullResponse.model_validate_json(r.text)
    [mine] = [c for c in page.changes if c.row_id == row["id"]]
    assert mine.row["note"] == row["note"] and mine.row["row_version"] == mine.version and mine.op == "upsert"
    snap = county.client.get("/api/v1/snapshot", params={"table": "resident"}, headers=device)
    shot = p.SnapshotResponse.model_validate_json(snap.text)
    assert [c.row for c in shot.changes] == [mine.row] and shot.after == row["id"] and not shot.has_more
