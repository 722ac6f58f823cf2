"""The drug catalog on a device (issue 13 point 1): every column of the county's file, the demo catalog, the search
by name, pinyin, initials and code through the indexed key table, and `clinic catalog load` for a clinic without a
county."""

from __future__ import annotations

from pathlib import Path

import pytest

from clinic_app import catalog, drugs
from clinic_app.errors import ValidationError
from clinic_app.syncstate import set_state

from .conftest import Clinic
from .test_cli import Cli


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    c = Cli(tmp_path, capsys, monkeypatch)
    assert c("init", "--clinic-code", "C001", "--clinic-name", "石头村卫生室", "--admin", "admin")[0] == 0
    return c


HEADER = (
    "code,name,brand_name,form,spec,unit,package_size,package_unit,price_fen,insurance_category,atc_code,"
    "narcotic,psychotropic_1,toxic,radioactive,precursor,antimicrobial,anti_tuberculosis,special_storage\n"
)
AMLODIPINE = (
    "XC08CAA01A001010100001,苯磺酸氨氯地平片,络活喜,片剂,5mg,片,28,盒,1650,甲,C08CA01,0,0,0,0,0,0,0,0\n"
)
ISONIAZID = "XJ04ACA01A001010100002,异烟肼片,,片剂,0.1g,片,100,瓶,420,甲类,J04AC01,0,0,0,0,0,1,1,0\n"


def demo_catalog(clinic: Clinic) -> None:
    catalog.install_catalog(clinic.store, drugs.read_catalog_file(catalog.demo_catalog_file()))


def test_every_column_of_the_catalog_is_read() -> None:
    amlodipine, isoniazid = drugs.parse_catalog(HEADER + AMLODIPINE + ISONIAZID)
    assert amlodipine["brand_name"] == "络活喜" and amlodipine["form"] == "片剂"
    assert (amlodipine["package_size"], amlodipine["package_unit"], amlodipine["price_fen"]) == (
        28,
        "盒",
        1650,
    )
    assert amlodipine["insurance_category"] == "A" and amlodipine["atc_code"] == "C08CA01"
    assert isoniazid["insurance_category"] == "A", "甲类 is category A"
    assert isoniazid["antimicrobial"] == 1 and isoniazid["anti_tuberculosis"] == 1


def test_bad_optional_columns_are_named() -> None:
    bad = "XC08CAA01A001010100001,氨氯地平片,,片剂,5mg,片,28,盒,-5,丁,C8,0,0,0,0,0,0,2,0\n"
    with pytest.raises(ValidationError) as err:
        drugs.parse_catalog(HEADER + bad)
    message = err.value.message
    for column in ("price_fen", "insurance_category", "atc_code", "anti_tuberculosis"):
        assert f"row 2, column {column}" in message, column


def test_the_demo_catalog_loads_with_each_excluded_class_and_isoniazid(clinic: Clinic) -> None:
    rows = drugs.parse_catalog(drugs.read_catalog_file(catalog.demo_catalog_file()))
    assert 75 <= len(rows) <= 100
    for flag in (*drugs.EXCLUDED_FLAGS, "special_storage", "anti_tuberculosis"):
        assert any(r[flag] for r in rows), flag
    assert any(r["name"] == "异烟肼片" and r["anti_tuberculosis"] for r in rows)
    assert sum(r["atc_code"] == "A10BA02" for r in rows) == 2, "two metformins: a duplicate-therapy example"
    demo_catalog(clinic)
    assert clinic.store.conn.execute("SELECT count(*) FROM drug").fetchone()[0] == len(rows)
    assert catalog.install_catalog(clinic.store, drugs.read_catalog_file(catalog.demo_catalog_file())) == (
        len(rows),
        0,
    ), "loading again changes nothing"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("氨氯地平", "苯磺酸氨氯地平片"),  # a part of the generic name
        ("络活喜", "苯磺酸氨氯地平片"),  # the brand name
        ("aldp", "苯磺酸氨氯地平片"),  # initials from a syllable on
        ("bhsaldp", "苯磺酸氨氯地平片"),  # initials of the whole name
        ("anlu", "苯磺酸氨氯地平片"),  # pinyin
        ("erjiashuang", "盐酸二甲双胍片"),
        ("yyj", "异烟肼片"),
        ("XC08CA01", "苯磺酸氨氯地平片"),  # the start of the code
        ("xc08ca01a001", "苯磺酸氨氯地平片"),  # in small letters
    ],
)
def test_search_by_name_pinyin_initials_and_code(clinic: Clinic, query: str, expected: str) -> None:
    demo_catalog(clinic)
    assert expected in [d["name"] for d in drugs.search_drugs(clinic.store.conn, query)]


def test_search_uses_the_key_index_and_finds_each_drug_once(clinic: Clinic) -> None:
    demo_catalog(clinic)
    found = drugs.search_drugs(clinic.store.conn, "a", limit=50)
    assert len({d["id"] for d in found}) == len(found) > 10
    assert drugs.search_drugs(clinic.store.conn, "  ") == []
    plan = " ".join(
        str(r[-1])
        for r in clinic.store.conn.execute("EXPLAIN QUERY PLAN " + drugs._SEARCH_SQL, ("p:a", "p:b", 10))
    )
    assert "SEARCH k USING PRIMARY KEY (key>? AND key<?)" in plan and "SCAN" not in plan, plan


def big_catalog(count: int) -> str:
    """A catalog of ``count`` drugs with distinct names and codes (the benchmark's too)."""
    lines = [HEADER]
    for i in range(count):
        lines.append(
            f"XC08CA01A{i:05d}0101{i:05d},药品{i}号氨氯地平片,品牌{i},片剂,5mg,片,28,盒,1650,甲,C08CA01,"
            "0,0,0,0,0,0,0,0\n"
        )
    return "".join(lines)


def test_twenty_thousand_drugs_load_and_are_found(clinic: Clinic) -> None:
    assert catalog.install_catalog(clinic.store, big_catalog(20_000)) == (20_000, 20_000)
    found = drugs.search_drugs(clinic.store.conn, "药品1999")
    assert found and all(d["name"].startswith("药品1999") for d in found)
    [one] = drugs.search_drugs(clinic.store.conn, "XC08CA01A019990101")
    assert one["name"] == "药品1999号氨氯地平片"
    assert len(drugs.search_drugs(clinic.store.conn, "aldp", limit=20)) == 20


def test_a_joined_clinic_does_not_load_its_own_catalog(clinic: Clinic) -> None:
    with clinic.store.transaction() as conn:
        set_state(conn, "server_url", "https://county.example")
    with pytest.raises(ValidationError) as err:
        catalog.install_catalog(clinic.store, HEADER + AMLODIPINE)
    assert err.value.rule == "joined"
    assert clinic.store.conn.execute("SELECT count(*) FROM drug").fetchone()[0] == 0


def test_catalog_load_command(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "drugs.csv").write_text(HEADER + AMLODIPINE + ISONIAZID, encoding="utf-8")
    code, out, err = cli("catalog", "load", str(tmp_path / "drugs.csv"), "--user", "admin")
    assert code == 0, err
    assert "2 rows, 2 new or changed" in out
    (tmp_path / "bad.csv").write_text(HEADER + AMLODIPINE.replace(",28,", ",0,"), encoding="utf-8")
    code, _, err = cli("catalog", "load", str(tmp_path / "bad.csv"), "--user", "admin")
    assert code == 3 and "row 2, column package_size" in err


def test_a_drug_deleted_by_the_county_leaves_the_search(clinic: Clinic) -> None:
    catalog.install_catalog(clinic.store, HEADER + AMLODIPINE)
    [row] = [dict(r) for r in clinic.store.conn.execute("SELECT * FROM drug")]
    clinic.store.write_server_rows({"drug": [{**row, "deleted_at": "2026-01-01T00:00:00.000Z"}]}, "sync.pull")
    assert drugs.search_drugs(clinic.store.conn, "氨氯地平") == []
    assert clinic.store.conn.execute("SELECT count(*) FROM drug_search_key").fetchone()[0] == 0


def test_a_count_of_packages_is_said_in_the_catalogs_package_unit() -> None:
    pen = {"code": "XA10AE04A0430101010043", "package_unit": "支"}
    assert drugs.packages_text(3, pen) == "3 支", "an insulin pen is a 支, not a 盒"
    assert drugs.packages_text(2, {"package_unit": "瓶"}) == "2 瓶"
    assert drugs.packages_text(1, {"package_unit": None}) == "1 盒", "the catalog says nothing: a box"
    assert drugs.package_unit({}) == drugs.DEFAULT_PACKAGE_UNIT == "盒"


@pytest.mark.parametrize(
    ("value", "text"), [("10", "10"), ("10.00", "10"), ("0.5", "0.5"), (20, "20"), (None, "")]
)
def test_a_dose_is_written_as_a_person_writes_it(value: object, text: str) -> None:
    from clinic_app.digits import plain_number

    assert plain_number(value) == text
