"""The county's price list of services (issue 14 point 1): the CSV checked all rows or none with every bad row and
column named, `clinic prices load` for a clinic without a county (refused once it has joined), the demo's list."""

from __future__ import annotations

from pathlib import Path

import pytest

from clinic_app.errors import ValidationError
from clinic_app.prices import demo_prices_file, parse_prices, read_prices_file
from clinic_app.store import Store

from .test_cli import Cli

PRICES = """code,name,price_fen,insurance_category,unit
110200001,普通门诊诊查费,1000,A,次
250102001,快速血糖测定,800,b,次
480000001,中医推拿,3000,C,
"""


def test_a_price_list_is_read_with_whole_fen_and_its_category() -> None:
    rows = parse_prices(PRICES)
    assert rows == [
        {
            "code": "110200001",
            "name": "普通门诊诊查费",
            "price_fen": 1000,
            "insurance_category": "A",
            "unit": "次",
        },
        {
            "code": "250102001",
            "name": "快速血糖测定",
            "price_fen": 800,
            "insurance_category": "B",
            "unit": "次",
        },
        {"code": "480000001", "name": "中医推拿", "price_fen": 3000, "insurance_category": "C", "unit": None},
    ]


def test_every_bad_row_and_column_is_named_and_no_row_is_kept() -> None:
    bad = PRICES + "110200001,重复,10,A,次\n?bad,,12.50,D,次\n"
    with pytest.raises(ValidationError) as err:
        parse_prices(bad)
    message = err.value.message
    assert err.value.field == "file" and err.value.rule == "invalid_rows"
    assert "row 5, column code: same code as row 2" in message
    assert "row 6, column code" in message and "row 6, column name" in message
    assert "row 6, column price_fen: whole fen" in message and "row 6, column insurance_category" in message


def test_a_file_without_a_required_column_is_refused_naming_it() -> None:
    with pytest.raises(ValidationError) as err:
        parse_prices("code,name,unit\n1,a,次\n")
    assert err.value.rule == "missing_column" and "insurance_category, price_fen" in err.value.message


def test_the_demo_price_list_is_marked_demo_in_every_row() -> None:
    rows = parse_prices(read_prices_file(demo_prices_file()))
    assert rows and all(r["code"].startswith("DEMO-") and "演示" in r["name"] for r in rows)


@pytest.fixture
def clinic(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    c = Cli(tmp_path, capsys, monkeypatch)
    assert c("init", "--clinic-code", "C001", "--clinic-name", "石头村卫生室", "--admin", "admin")[0] == 0
    return c


def _prices(cli: Cli) -> list[tuple[str, int, str]]:
    store = Store.open(cli.db, cli.key)
    try:
        return [
            (r["code"], r["price_fen"], r["insurance_category"])
            for r in store.conn.execute("SELECT * FROM service_price ORDER BY code")
        ]
    finally:
        store.close()


def test_clinic_prices_load_stores_the_list_and_a_bad_file_exits_3_storing_nothing(
    clinic: Cli, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(PRICES + "999,坏,-5,A,次\n", encoding="utf-8")
    code, _, err = clinic("prices", "load", str(bad), "--user", "admin")
    assert code == 3 and "row 5, column price_fen" in err and "[invalid_rows]" in err
    assert _prices(clinic) == []
    good = tmp_path / "prices.csv"
    good.write_text(PRICES, encoding="gb18030")  # as Chinese Excel saves it
    code, out, err = clinic("prices", "load", str(good), "--user", "admin")
    assert code == 0, err
    assert "3 rows" in out
    assert _prices(clinic) == [("110200001", 1000, "A"), ("250102001", 800, "B"), ("480000001", 3000, "C")]


def test_a_clinic_that_joined_its_county_is_told_the_county_loads_the_list(
    clinic: Cli, tmp_path: Path
) -> None:
    from clinic_app.syncstate import set_state

    store = Store.open(clinic.db, clinic.key)
    with store.transaction() as conn:
        set_state(conn, "server_url", "http://county.example")
    store.close()
    (tmp_path / "prices.csv").write_text(PRICES, encoding="utf-8")
    code, _, err = clinic("prices", "load", str(tmp_path / "prices.csv"), "--user", "admin")
    assert code == 3 and "[joined]" in err and "county-server prices load" in err
    assert _prices(clinic) == []
