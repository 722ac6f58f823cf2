"""The county's reference files are judged by the domain (clinic_app.drugs, clinic_app.packages): the county
server's loaders and a device without a county call the same checks and make the same rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clinic_app import contracts, drugs, packages
from clinic_app.errors import ValidationError

from .conftest import Clinic

HEADER = "code,name,spec,unit,package_size,narcotic,psychotropic_1,toxic,radioactive,precursor,antimicrobial,special_storage\n"
GOOD = "XJ01CAA04A001010100002,阿莫西林胶囊,0.25g,粒,24,0,0,0,0,0,1,0\n"


def test_a_catalog_becomes_rows_with_flags() -> None:
    [row] = drugs.parse_catalog(HEADER + GOOD)
    assert row["code"] == "XJ01CAA04A001010100002" and row["package_size"] == 24
    assert row["antimicrobial"] == 1 and row["narcotic"] == 0 and row["anti_tuberculosis"] == 0


def test_a_bad_catalog_names_every_row_and_column() -> None:
    with pytest.raises(ValidationError) as err:
        drugs.parse_catalog(HEADER + GOOD + GOOD.lower() + "Y1,,1,片,x,0,0,0,0,0,2,0\n")
    assert err.value.field == "file" and err.value.rule == "invalid_rows"
    message = err.value.message
    assert "row 3, column code: same code as row 2" in message, "codes are compared in capitals"
    assert "row 4, column code" in message and "row 4, column name" in message
    assert "row 4, column package_size" in message and "row 4, column antimicrobial" in message


def test_a_catalog_saved_by_chinese_excel_is_read(tmp_path: Path) -> None:
    path = tmp_path / "drugs.csv"
    path.write_bytes((HEADER + GOOD).encode("gb18030"))
    assert drugs.parse_catalog(drugs.read_catalog_file(path))[0]["name"] == "阿莫西林胶囊"
    assert drugs.is_drug_code("ZA01AAA0001010100001234") and not drugs.is_drug_code("Y123")


def test_a_package_file_checks_the_fee_split_and_what_it_requires() -> None:
    item = {
        "code": "HTN",
        "name": "高血压包",
        "fee_fen": 100,
        "insurance_fund_fen": 50,
        "public_health_fund_fen": 30,
        "resident_share_fen": 10,
        "eligibility": {"requires": ["BASIC"]},
    }
    with pytest.raises(ValidationError) as err:
        packages.parse_packages([item])
    assert err.value.rule == "invalid_packages"
    assert (
        "package 1, fee_fen" in err.value.message
        and "requires BASIC, which the file lacks" in err.value.message
    )


def test_a_device_without_a_county_installs_the_rows_the_package_file_makes(clinic: Clinic) -> None:
    rows = packages.parse_packages(packages.read_packages_file(contracts.default_packages_file()))
    assert {r["code"] for r in rows} == {"BASIC", "HTN", "DM", "ELDERLY", "MCH"}
    contracts.install_reference(clinic.store)
    names = ", ".join(f'"{k}"' for k in rows[0])
    stored = {r["code"]: dict(r) for r in clinic.store.conn.execute(f"SELECT {names} FROM service_package")}
    assert stored == {r["code"]: r for r in rows}
    assert all(isinstance(json.loads(r["eligibility"]), dict) for r in rows)
