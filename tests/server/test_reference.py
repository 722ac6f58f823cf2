from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from clinic_app.errors import ValidationError
from clinic_app.ids import uuid7
from sync.server import db, reference

from .conftest import County
from .test_api import GOOD_ID, assert_error, mutation, pull_all, push, resident

CATALOG = """code,name,spec,unit,package_size,narcotic,psychotropic_1,toxic,radioactive,precursor,antimicrobial,special_storage
XC08CAA01A001010100001,苯磺酸氨氯地平片,5mg,片,28,0,0,0,0,0,0,0
XJ01CAA04A001010100002,阿莫西林胶囊,0.25g,粒,24,0,0,0,0,0,1,0
"""


def test_catalog_and_policy_reach_every_device(county: County, tmp_path: Path) -> None:
    (tmp_path / "drugs.csv").write_text(CATALOG, encoding="utf-8")
    report = county.admin(reference.load_catalog, tmp_path / "drugs.csv")
    assert (report.rows, report.changed) == (2, 2)
    assert county.admin(reference.load_catalog, tmp_path / "drugs.csv").changed == 0, (
        "loading again changes nothing"
    )
    county.admin(reference.set_policy, "capitation.rate_fen", "12000", "2026-01-01")
    a, b = county.enroll("A01"), county.enroll("B01")
    for device in (a, b):
        changes, _ = pull_all(county, device)
        drugs = {c["row"]["code"]: c["row"] for c in changes if c["table"] == "drug"}
        assert drugs["XJ01CAA04A001010100002"]["antimicrobial"] == 1
        policies = [c["row"] for c in changes if c["table"] == "policy"]
        assert (
            len(policies) == 1
            and policies[0]["value"] == "12000"
            and policies[0]["effective_from"] == "2026-01-01"
        )


def test_bad_catalog_rows_are_named_and_nothing_loads(county: County, tmp_path: Path) -> None:
    bad = CATALOG + "Y123,坏药,1,片,0,0,0,0,0,0,2,0\n"
    (tmp_path / "drugs.csv").write_text(bad, encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        county.admin(reference.load_catalog, tmp_path / "drugs.csv")
    message = str(err.value)
    assert "row 4, column code" in message and "row 4, column package_size" in message
    assert "row 4, column antimicrobial" in message
    with county.engine.connect() as conn:
        assert (
            conn.execute(
                sa.select(sa.func.count()).select_from(db.record).where(db.record.c.table_name == "drug")
            ).scalar_one()
            == 0
        )


def test_policy_values_are_checked(county: County) -> None:
    with pytest.raises(ValidationError) as err:
        county.admin(reference.set_policy, "Rate!", "1", "2026-01-01")
    assert err.value.field == "key"
    with pytest.raises(ValidationError) as err:
        county.admin(reference.set_policy, "capitation.rate_fen", "1", "2026-02-30")
    assert err.value.field == "from"


@pytest.mark.parametrize("value", ["0", "两周", "400", "-7"])
def test_a_follow_up_interval_is_whole_days_from_1_to_366(county: County, value: str) -> None:
    with pytest.raises(ValidationError) as err:
        county.admin(reference.set_policy, "followup.revisit_interval_days", value, "2026-01-01")
    assert (err.value.field, err.value.rule) == ("value", "integer")
    assert "1-366" in err.value.message
    county.admin(reference.set_policy, "followup.revisit_interval_days", "10", "2026-01-01")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("settlement.ordinary.ratio_pct", "101"),
        ("settlement.ordinary.ratio_pct", "55.555"),
        ("settlement.chronic.ratio_pct.diabetes", "七成"),
        ("settlement.ordinary.deductible_fen", "-100"),
        ("settlement.chronic.annual_cap_fen.hypertension", "300.5"),
        ("settlement.chronic.ratio_pct.asthma", "70"),
    ],
)
def test_a_settlement_parameter_is_a_percentage_or_whole_fen_of_a_known_key(
    county: County, key: str, value: str
) -> None:
    with pytest.raises(ValidationError) as err:
        county.admin(reference.set_policy, key, value, "2026-01-01")
    assert err.value.field in ("value", "key")
    assert key.rsplit(".", 1)[-1] in err.value.message or "settlement parameter" in err.value.message
    county.admin(reference.set_policy, "settlement.chronic.ratio_pct.diabetes", "62.5", "2026-01-01")
    county.admin(reference.set_policy, "settlement.ordinary.deductible_fen", "20000", "2026-01-01")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("entry_quality.burst_minutes", "0"),
        ("entry_quality.digit_min_share_pct", "20"),
        ("entry_quality.identical_run", "三"),
    ],
)
def test_an_entry_quality_threshold_out_of_its_range_is_refused(county: County, key: str, value: str) -> None:
    with pytest.raises(ValidationError) as err:
        county.admin(reference.set_policy, key, value, "2026-01-01")
    assert (err.value.field, err.value.rule) == ("value", "integer")
    county.admin(reference.set_policy, key, "5" if key.endswith("run") else "45", "2026-01-01")


def test_lookup_says_only_whether_and_where_and_is_audited(county: County) -> None:
    a, b = county.enroll("A01"), county.enroll("B01")
    person = resident()
    push(county, a, mutation("resident", person))
    r = county.client.post(
        "/api/v1/residents/lookup", json={"id_number": GOOD_ID, "period": "2026"}, headers=b
    )
    assert r.status_code == 200 and r.json() == {
        "active_contract": False,
        "clinic_code": None,
        "clinic_name": None,
    }
    team = {"id": uuid7(), "name": "一队"}
    contract = {
        "id": uuid7(),
        "resident_id": person["id"],
        "team_id": team["id"],
        "period": "2026",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "packages": '["BASIC"]',
        "signed_at": "2026-03-01T08:00:00.000Z",
        "witness": "王护士",
    }
    pushed = push(county, a, mutation("team", team), mutation("contract", contract))
    assert [p["status"] for p in pushed] == ["applied", "applied"] and pushed[1]["server_row"][
        "status"
    ] == "active"
    r = county.client.post(
        "/api/v1/residents/lookup", json={"id_number": GOOD_ID.lower(), "period": "2026"}, headers=b
    )
    assert r.json() == {"active_contract": True, "clinic_code": "A01", "clinic_name": "石头村卫生室"}
    body = r.text
    assert "张三" not in body and person["id"] not in body, "nothing more than signing needs"
    r2025 = county.client.post(
        "/api/v1/residents/lookup", json={"id_number": GOOD_ID, "period": "2025"}, headers=b
    )
    assert r2025.json()["active_contract"] is False
    assert_error(
        county.client.post(
            "/api/v1/residents/lookup", json={"id_number": "110105194912310021", "period": "2026"}, headers=b
        ),
        422,
        "check_character",
    )
    with county.engine.connect() as conn:
        audit = conn.execute(sa.select(db.lookup_audit)).all()
    assert len(audit) == 3 and {row.id_number for row in audit} == {GOOD_ID}


# -- only rows a device could store (issue 11, break 4 and rule a) ---------------------------------------------
@pytest.mark.parametrize("size", [str(2**63), str(2**70)])
def test_a_catalog_number_beyond_64_bits_is_refused_and_nothing_loaded(
    county: County, tmp_path: Path, size: str
) -> None:
    (tmp_path / "drugs.csv").write_text(CATALOG.replace(",24,", f",{size},"), encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        county.admin(reference.load_catalog, tmp_path / "drugs.csv")
    assert caught.value.rule == "out_of_range" and "package_size" in str(caught.value)
    assert "XJ01CAA04A001010100002" in str(caught.value), "the row is named"
    with county.engine.connect() as conn:
        assert conn.execute(sa.select(db.record).where(db.record.c.table_name == "drug")).first() is None


def test_packages_with_a_fee_beyond_64_bits_are_refused(county: County, tmp_path: Path) -> None:
    import json

    big = 2**70
    (tmp_path / "p.json").write_text(
        json.dumps(
            [
                {
                    "code": "BASIC",
                    "name": "基础包",
                    "fee_fen": big,
                    "insurance_fund_fen": big,
                    "public_health_fund_fen": 0,
                    "resident_share_fen": 0,
                }
            ]
        ),
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as caught:
        county.admin(reference.load_packages, tmp_path / "p.json")
    assert caught.value.rule == "out_of_range" and "fee_fen" in str(caught.value)


def test_a_policy_value_that_is_no_unicode_text_is_refused(county: County) -> None:
    with pytest.raises(ValidationError) as caught:  # what a command line holds for bytes that are not UTF-8
        county.admin(reference.set_policy, "capitation.rate_fen", "12\udcff000", "2026-01-01")
    assert caught.value.rule == "invalid_text"


def test_the_catalog_command_names_the_column_and_exits_non_zero(
    county: County, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sync.server.cli import main as county_cli

    (tmp_path / "drugs.csv").write_text(CATALOG.replace(",24,", f",{2**70},"), encoding="utf-8")
    assert county_cli(["catalog", "load", str(tmp_path / "drugs.csv"), "--database-url", database_url]) != 0
    err = capsys.readouterr().err
    assert "package_size" in err and "Traceback" not in err


def test_prescription_parameters_are_checked_as_the_devices_read_them(county: County) -> None:
    county.admin(reference.set_policy, "rx.max_days", "56", "2026-01-01")
    for key, value in (
        ("rx.max_days", "400"),
        ("rx.village_doctor_first_issue", "2"),
        ("rx.max_days", "12周"),
    ):
        with pytest.raises(ValidationError) as err:
            county.admin(reference.set_policy, key, value, "2026-01-01")
        assert err.value.rule == "integer" and key in err.value.message


PRICES = """code,name,price_fen,insurance_category,unit
110200001,普通门诊诊查费,1000,A,次
250102001,快速血糖测定,800,B,次
"""


def test_the_price_list_of_services_reaches_every_device(county: County, tmp_path: Path) -> None:
    (tmp_path / "prices.csv").write_text(PRICES, encoding="utf-8")
    report = county.admin(reference.load_prices, tmp_path / "prices.csv")
    assert (report.rows, report.changed) == (2, 2)
    assert county.admin(reference.load_prices, tmp_path / "prices.csv").changed == 0
    changes, _ = pull_all(county, county.enroll("A01"))
    prices = {c["row"]["code"]: c["row"] for c in changes if c["table"] == "service_price"}
    assert prices["250102001"]["price_fen"] == 800 and prices["250102001"]["insurance_category"] == "B"


def test_the_prices_command_names_the_row_and_column_and_loads_nothing(
    county: County, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sync.server.cli import main as county_cli

    (tmp_path / "prices.csv").write_text(PRICES + "999,坏,10,D,次\n", encoding="utf-8")
    assert county_cli(["prices", "load", str(tmp_path / "prices.csv"), "--database-url", database_url]) == 3
    err = capsys.readouterr().err
    assert "row 4, column insurance_category" in err and "Traceback" not in err
    with county.engine.connect() as conn:
        stored = conn.execute(
            sa.select(sa.func.count()).select_from(db.record).where(db.record.c.table_name == "service_price")
        ).scalar_one()
    assert stored == 0
