"""The county-wide contract rule on the server: first accepted is active, a later one for the same person and
period is a conflict both clinics see, a county reviewer decides; service packages from the county."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from clinic_app.ids import uuid7
from sync.server import admin, reference
from sync.server import county as county_service
from sync.server.cli import main as county_cli

from .conftest import HEADERS, County
from .test_api import assert_error, mutation, pull_all, push, resident

NUMBER = "11010519491231002X"


def contract_row(resident_id: str, team_id: str, period: str = "2026", **fields: Any) -> dict[str, Any]:
    return {
        "id": uuid7(),
        "resident_id": resident_id,
        "team_id": team_id,
        "period": period,
        "period_start": f"{period}-01-01",
        "period_end": f"{period}-12-31",
        "packages": '["BASIC"]',
        "status": "provisional",
        "signed_at": "2026-03-01T08:00:00.000Z",
        "consent": "paper",
        "witness": "王护士",
        "fee_fen": 12000,
        **fields,
    }


def setup_clinic(county: County, code: str) -> tuple[dict[str, str], str, str]:
    """A device of the clinic, a resident with NUMBER, a team: (headers, resident id, team id)."""
    device = county.enroll(code)
    person, team = resident(id_number=NUMBER), {"id": uuid7(), "name": "一队"}
    results = push(county, device, mutation("resident", person), mutation("team", team))
    assert [r["status"] for r in results] == ["applied", "applied"], results
    return device, person["id"], team["id"]


def latest(county: County, device: dict[str, str], table: str) -> dict[str, dict[str, Any]]:
    changes, _ = pull_all(county, device)
    return {c["row_id"]: c["row"] for c in changes if c["table"] == table}


def test_the_first_contract_accepted_is_active_and_the_lookup_finds_it(county: County) -> None:
    device, person, team = setup_clinic(county, "A01")
    row = contract_row(person, team)
    [result] = push(county, device, mutation("contract", row))
    assert result["status"] == "applied" and result["server_row"]["status"] == "active"
    assert latest(county, device, "contract")[row["id"]]["status"] == "active"
    other = county.enroll("B01")
    found = county.client.post(
        "/api/v1/residents/lookup", json={"id_number": NUMBER, "period": "2026"}, headers=other
    ).json()
    assert found == {"active_contract": True, "clinic_code": "A01", "clinic_name": "石头村卫生室"}
    none = county.client.post(
        "/api/v1/residents/lookup", json={"id_number": NUMBER, "period": "2027"}, headers=other
    ).json()
    assert none["active_contract"] is False and none.get("clinic_code") is None


def test_a_second_clinic_signing_the_same_person_gets_a_conflict_both_see(county: County) -> None:
    a, a_person, a_team = setup_clinic(county, "A01")
    b, b_person, b_team = setup_clinic(county, "B01")
    first, second = contract_row(a_person, a_team), contract_row(b_person, b_team)
    push(county, a, mutation("contract", first))
    [late] = push(county, b, mutation("contract", second))
    assert late["status"] == "applied" and late["server_row"]["status"] == "conflict" and late["conflict_id"]
    b_conflicts, a_conflicts = latest(county, b, "conflict"), latest(county, a, "conflict")
    assert [c["kind"] for c in b_conflicts.values()] == ["contract_elsewhere"]
    assert "石头村卫生室 (A01)" in next(iter(b_conflicts.values()))["message"]
    assert [c["row_id"] for c in a_conflicts.values()] == [first["id"]], (
        "the first clinic sees it on its contract"
    )
    assert "河东村卫生室 (B01)" in next(iter(a_conflicts.values()))["message"]
    # the same person signed twice in one clinic (two devices offline) is a conflict too
    [again] = push(county, a, mutation("contract", contract_row(a_person, a_team)))
    assert again["server_row"]["status"] == "conflict"


@pytest.mark.parametrize("keep", ["transfer", "cancel"])
def test_the_county_reviewer_decides_and_both_clinics_converge(county: County, keep: str) -> None:
    a, a_person, a_team = setup_clinic(county, "A01")
    b, b_person, b_team = setup_clinic(county, "B01")
    first, second = contract_row(a_person, a_team), contract_row(b_person, b_team)
    push(county, a, mutation("contract", first))
    [late] = push(county, b, mutation("contract", second))
    versions = latest(county, b, "conflict")
    [mine] = [v for v in versions.values() if v["id"] == late["conflict_id"]]
    [by_device] = push(
        county,
        b,
        mutation(
            "conflict",
            {"id": mine["id"], "resolved_at": "2026-11-24T08:00:00.000Z", "resolution": '{"keep": "server"}'},
            mine["row_version"],
        ),
    )
    assert by_device["status"] == "rejected" and by_device["code"] == "county_decides"
    assert_error(
        county.client.post(
            f"/api/v1/county/conflicts/{late['conflict_id']}/resolve",
            json={"keep": "server"},
            headers=login_reviewer(county),
        ),
        422,
        "choice",
    )
    county.admin(county_service.resolve_conflict, late["conflict_id"], keep, "王审核", "居民已搬到河东村")
    a_rows, b_rows = latest(county, a, "contract"), latest(county, b, "contract")
    if keep == "transfer":
        assert (a_rows[first["id"]]["status"], a_rows[first["id"]]["stop_reason"]) == (
            "terminated",
            "transferred",
        )
        assert b_rows[second["id"]]["status"] == "active"
        where = "B01"
    else:
        assert a_rows[first["id"]]["status"] == "active"
        assert (b_rows[second["id"]]["status"], b_rows[second["id"]]["stop_reason"]) == (
            "terminated",
            "duplicate",
        )
        where = "A01"
    for device in (a, b):
        [closed] = latest(county, device, "conflict").values()
        assert closed["resolved_at"] and json.loads(closed["resolution"])["keep"] == keep
    assert county.admin(county_service.list_conflicts) == []
    other = county.enroll("A01", "third")
    assert (
        county.client.post(
            "/api/v1/residents/lookup", json={"id_number": NUMBER, "period": "2026"}, headers=other
        ).json()["clinic_code"]
        == where
    )


def login_reviewer(county: County) -> dict[str, str]:
    county.admin(admin.add_user, "reviewer", "county_reviewer", "review-pass-1", None)
    r = county.client.post(
        "/api/v1/login", json={"username": "reviewer", "password": "review-pass-1"}, headers=HEADERS
    )
    return {**HEADERS, "Authorization": f"Bearer {r.json()['token']}"}


def test_a_contract_status_the_device_cannot_store_is_rejected(county: County) -> None:
    device, person, team = setup_clinic(county, "A01")
    [bad] = push(county, device, mutation("contract", contract_row(person, team, status="signed")))
    assert bad["status"] == "rejected" and bad["code"] == "choice"


# -- service packages -----------------------------------------------------------------------------------
def test_init_loads_the_default_packages_and_devices_receive_them(
    county: County, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert county_cli(["init", "--database-url", database_url]) == 0
    assert "BASIC, HTN, DM, ELDERLY, MCH" in capsys.readouterr().out
    device = county.enroll("A01")
    rows = latest(county, device, "service_package")
    assert {r["code"] for r in rows.values()} == {"BASIC", "HTN", "DM", "ELDERLY", "MCH"}
    elderly = next(r for r in rows.values() if r["code"] == "ELDERLY")
    assert json.loads(elderly["eligibility"]) == {"min_age": 65, "requires": ["BASIC"]}
    assert county_cli(["init", "--database-url", database_url]) == 0
    assert "default service packages" not in capsys.readouterr().out, "a county's own set is never replaced"


def test_packages_load_replaces_the_set_all_or_none(
    county: County, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    county.admin(reference.install_default_packages)
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            [
                {
                    "code": "BASIC",
                    "name": "基础包",
                    "fee_fen": 100,
                    "insurance_fund_fen": 50,
                    "public_health_fund_fen": 0,
                    "resident_share_fen": 0,
                },
                {"code": "X", "name": "", "eligibility": {"colour": "red"}},
            ]
        ),
        encoding="utf-8",
    )
    assert county_cli(["packages", "load", str(bad), "--database-url", database_url]) == 3
    err = capsys.readouterr().err
    assert "package 1, fee_fen" in err and "package 2, code" in err and "package 2, eligibility" in err
    good = tmp_path / "good.json"
    good.write_text(
        json.dumps(
            [
                {
                    "code": "BASIC",
                    "name": "基础包",
                    "kind": "basic",
                    "fee_fen": 15000,
                    "insurance_fund_fen": 10000,
                    "public_health_fund_fen": 5000,
                    "resident_share_fen": 0,
                }
            ]
        ),
        encoding="utf-8",
    )
    assert county_cli(["packages", "load", str(good), "--database-url", database_url]) == 0
    device = county.enroll("A01")
    rows = {r["code"]: r for r in latest(county, device, "service_package").values()}
    assert rows["BASIC"]["fee_fen"] == 15000 and rows["BASIC"]["active"] == 1
    assert {c for c, r in rows.items() if r["active"] == 0} == {"HTN", "DM", "ELDERLY", "MCH"}, "withdrawn"


def test_two_contracts_for_one_person_in_one_push_the_first_is_active_the_second_a_conflict(
    county: County,
) -> None:
    """The push's new contracts are indexed together (one_team.settle), in the push's order: the first holds
    the person and period, the second is a conflict naming the first, as when they came in two pushes."""
    device, person, team = setup_clinic(county, "A01")
    first, second = contract_row(person, team), contract_row(person, team)
    results = push(
        county,
        device,
        mutation("contract", first),
        mutation("audit_log", _audit()),
        mutation("contract", second),
    )
    assert [r["status"] for r in results] == ["applied"] * 3, results
    assert results[0]["server_row"]["status"] == "active" and "conflict_id" not in results[0]
    assert results[2]["server_row"]["status"] == "conflict" and results[2]["conflict_id"]
    rows = latest(county, device, "contract")
    assert (rows[first["id"]]["status"], rows[second["id"]]["status"]) == ("active", "conflict")
    [conflict] = latest(county, device, "conflict").values()
    assert conflict["row_id"] == second["id"] and conflict["kind"] == "contract_elsewhere"


def test_a_contract_made_and_edited_in_one_push_is_decided_before_the_edit_reads_it(county: County) -> None:
    """A rule's judgement put off to the end of the push (one_team.settle) is made before a later mutation of
    the push touches the row: an edit based on the version the contract was made at meets it made active since
    (its status changed on the server after that version), as it would in two pushes."""
    device, person, team = setup_clinic(county, "A01")
    row = contract_row(person, team)
    version = max(r["version"] for r in push(county, device, mutation("audit_log", _audit()))) + 1
    made, edited = push(
        county,
        device,
        mutation("contract", row),
        mutation("contract", {**row, "witness": "李医生"}, base_version=version),
    )
    assert made["status"] == "applied" and made["version"] == version + 1, made  # made, then made active
    assert made["server_row"]["status"] == "active", made
    assert (edited["status"], edited["code"]) == ("conflict", "edited_elsewhere"), edited
    assert "status" in edited["message"] and edited["server_row"]["status"] == "active"
    assert latest(county, device, "contract")[row["id"]]["status"] == "active"


def _audit() -> dict[str, Any]:
    return {"id": uuid7(), "action": "contract.sign", "summary": "x", "rows": "{}"}
