"""`clinic visit add|cancel`, `clinic chronic qualify`, `clinic report day` (issue 14 point 6) on a real database:
the settlement printed (--json with the fields the checks read), exit 3 naming the field and the rule for every
refusal with nothing written, the day's end and its export file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from clinic_app import contracts as C
from clinic_app.day_end import receipt_number
from clinic_app.prices import load_prices_locally
from clinic_app.store import Store

from .test_cli import Cli
from .test_visits import AMLODIPINE, POLICY, PRICES, Y, id_number, the_catalog

ZHANG = id_number("1960-03-10")


@pytest.fixture
def vcli(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    c = Cli(tmp_path, capsys, monkeypatch)
    assert c("init", "--clinic-code", "C001", "--clinic-name", "石头村卫生室", "--admin", "admin")[0] == 0
    code, _, err = c("resident", "add", "--user", "admin", "--id-number", ZHANG, "--name", "张三")
    assert code == 0, err
    store = Store.open(c.db, c.key)
    try:
        C.install_reference(store, policy=POLICY)
        (tmp_path / "prices.csv").write_text(PRICES, encoding="utf-8")
        load_prices_locally(store, tmp_path / "prices.csv")
        the_catalog(store)
    finally:
        store.close()
    return c


def add(cli: Cli, *args: str, date: str = f"{Y}-03-01") -> tuple[int, str, str]:
    return cli("visit", "add", "--resident", ZHANG, "--date", date, "--user", "admin", *args)


def count(cli: Cli, table: str) -> int:
    store = Store.open(cli.db, cli.key)
    try:
        return int(store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        store.close()


def test_visit_add_prints_the_settlement_as_json(vcli: Cli) -> None:
    code, out, err = add(vcli, "--type", "11", "--diagnosis", "J06.9", "--service", "S1,6", "--json")
    assert code == 0, err
    first = json.loads(out)
    # 6000 within the scheme: 5000 deductible, 55 % of 1000 = 550
    assert {k: first[k] for k in ("total_fen", "fund_fen", "patient_fen", "cap_left_fen", "provisional")} == {
        "total_fen": 6000,
        "fund_fen": 550,
        "patient_fen": 5450,
        "cap_left_fen": 40000 - 550,
        "provisional": True,
    }
    assert first["id"]
    code, out, err = add(vcli, "--type", "11", "--diagnosis", "J06.9", "--item", f"{AMLODIPINE}，2")
    assert code == 0, err
    assert "fund 17.05" in out and "patient 13.95" in out and "provisional" in out  # 3100 × 55 % = 1705


def test_visit_add_without_a_date_is_a_visit_of_today(vcli: Cli) -> None:
    today = dt.date.today().isoformat()
    code, out, err = vcli(
        "visit", "add", "--resident", ZHANG, "--type", "11", "--diagnosis", "J06.9", "--service", "S1,1",
        "--user", "admin", "--json",
    )  # fmt: skip
    assert code == 0, err
    visit_id, day = json.loads(out)["id"], json.loads(out)["visit_date"]
    assert day == today
    store = Store.open(vcli.db, vcli.key)
    try:
        assert (
            store.conn.execute("SELECT visit_date FROM visit WHERE id = ?", (visit_id,)).fetchone()[0]
            == today
        )
    finally:
        store.close()
    code, out, err = vcli(
        "visit", "add", "--resident", ZHANG, "--type", "11", "--diagnosis", "J06.9", "--service", "S1,1",
        "--user", "admin",
    )  # fmt: skip
    assert code == 0 and f"张三 {today} " in out, err


def test_a_chronic_visit_needs_the_qualification_command_first(vcli: Cli) -> None:
    args = (
        "--type",
        "14",
        "--disease",
        "hypertension",
        "--diagnosis",
        "I10.x00",
        "--item",
        f"{AMLODIPINE},4",
    )
    code, _, err = add(vcli, *args)
    assert code == 3 and "type:" in err and "[qualification]" in err and "not registered" in err
    qualify = ("chronic", "qualify", "--resident", ZHANG, "--disease", "hypertension", "--on", f"{Y}-01-05")
    code, _, err = vcli(*qualify, "--user", "admin")
    assert code == 3 and "[not_registered]" in err
    register = ("chronic", "register", "--resident", ZHANG, "--disease", "hypertension", "--icd", "I10")
    code, _, err = vcli(*register, "--confirmed", f"{Y - 2}-06-01", "--user", "admin")
    assert code == 0, err
    code, out, err = vcli(*qualify, "--certificate", "MT-2025-001", "--user", "admin")
    assert code == 0, err
    assert "approved" in out and "nothing changed" not in out
    code, out, err = vcli(*qualify, "--certificate", "MT-2025-001", "--user", "admin")
    assert code == 0 and "already recorded so: nothing changed" in out, (out, err)
    code, _, err = vcli(*qualify[:-1], f"{Y}-13-05", "--user", "admin")
    assert code == 3 and "qualification_date:" in err and f"'{Y}-13-05' is not a day" in err
    code, _, err = vcli(*qualify[:-1], f"{Y - 3}-01-05", "--user", "admin")  # the diagnosis: {Y - 2}-06-01
    assert code == 3 and "qualification_date:" in err and "[before_diagnosis]" in err
    code, out, err = vcli(*qualify[:-1], f"{Y}-01-06", "--user", "admin")
    assert code == 0 and f"it replaces the approval of {Y}-01-05" in out, (out, err)
    store = Store.open(vcli.db, vcli.key)
    try:
        held = store.conn.execute("SELECT qualification_date, certificate_number FROM disease_registration")
        assert tuple(held.fetchone()) == (f"{Y}-01-06", "MT-2025-001"), "a new date keeps the certificate"
    finally:
        store.close()
    code, out, err = vcli(*qualify[:-1], f"{Y}-01-05", "--user", "admin")
    assert code == 0, err
    code, out, err = add(vcli, *args, "--json")
    assert code == 0, err
    assert json.loads(out)["fund_fen"] == 4340  # 6200 × 70 %


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--type", "11", "--diagnosis", "J06.9", "--service", "NOPE,1"), "service: NOPE"),
        (("--type", "11", "--diagnosis", "J06.9", "--service", "S1,x"), "[quantity]"),
        (("--type", "11", "--diagnosis", "J06.9", "--service", "S1,1,2"), "[format]"),
        (("--type", "11", "--diagnosis", "I1O", "--service", "S1,1"), "[icd_format]"),
        (("--type", "11", "--diagnosis", "J06.9"), "lines: "),
        (("--type", "11", "--disease", "diabetes", "--diagnosis", "E11", "--service", "S1"), "[not_chronic]"),
        (("--type", "14", "--diagnosis", "I10", "--service", "S1"), "disease: "),
        (("--type", "11", "--diagnosis", "J06.9", "--item", "XZ00000000000000000009,1"), "item: "),
    ],
)
def test_every_refusal_exits_3_naming_the_field_and_rule_and_writes_nothing(
    vcli: Cli, args: tuple[str, ...], needle: str
) -> None:
    code, _, err = add(vcli, *args)
    assert code == 3 and needle in err and "Traceback" not in err, err
    assert count(vcli, "visit") == 0 and count(vcli, "visit_line") == 0


def test_a_future_date_is_refused(vcli: Cli) -> None:
    code, _, err = add(vcli, "--type", "11", "--diagnosis", "J06.9", "--service", "S1", date="2999-01-01")
    assert code == 3 and "date:" in err and "[future]" in err


def test_visit_cancel_and_the_day_end_with_its_export(vcli: Cli, tmp_path: Path) -> None:
    day = f"{Y}-03-01"
    code, out, _ = add(vcli, "--type", "11", "--diagnosis", "J06.9", "--service", "S1,6", "--json")
    kept = json.loads(out)
    code, out, _ = add(vcli, "--type", "11", "--diagnosis", "J06.9", "--service", "S2,1", "--json")
    gone = json.loads(out)
    assert gone["fund_fen"] == 440  # deductible met: 800 × 55 %
    with pytest.raises(SystemExit) as usage:  # the reason is required: a usage error
        vcli("visit", "cancel", gone["id"], "--user", "admin")
    assert usage.value.code == 2
    code, out, err = vcli("visit", "cancel", gone["id"], "--reason", "录入错误", "--user", "admin")
    assert code == 0, err
    code, _, err = vcli("visit", "cancel", gone["id"], "--reason", "again", "--user", "admin")
    assert code == 3 and "[cancelled]" in err
    code, _, err = vcli("visit", "cancel", "no-such-visit", "--reason", "x", "--user", "admin")
    assert code == 3 and "visit:" in err and "[unknown]" in err

    (tmp_path / "out").mkdir()
    code, out, err = vcli("report", "day", "--date", day, "--json", "--export", str(tmp_path / "out"))
    assert code == 0, err
    report = json.loads(out)
    assert report["totals"] == {"visits": 1, "total_fen": 6000, "fund_fen": 550, "cash_fen": 5450}
    assert [c["id"] for c in report["cancelled"]] == [gone["id"]]
    exported = json.loads(Path(report["export"]).read_text(encoding="utf-8"))
    assert [v["mdtrt_id"] for v in exported["visits"]] == [kept["id"]]
    assert exported["visits"][0]["feedetail"][0]["cnt"] == 6
    code, out, err = vcli("report", "day", "--date", day)
    assert code == 0 and "11 普通门诊\t1 visit(s)\ttotal 60.00\tfund 5.50\tcash 54.50" in out
    number = receipt_number(gone["id"], day)
    assert f"cancelled\t{number} (void)\t张三\t8.00" in out and "录入错误" in out
    assert f"receipt {receipt_number(kept['id'], day)}\t张三\t11\ttotal 60.00\tfund 5.50\tcash 54.50\n" in out
    assert "receipts 1: cash 54.50 against the settlements' 54.50: balanced" in out
    assert report["reconciliation"]["balanced"] and report["receipts"][0]["number"] in out
    code, _, err = vcli("report", "day", "--date", day, "--export", str(tmp_path / "missing"))
    assert code == 3 and "[folder_missing]" in err


def test_the_export_into_a_folder_nothing_can_be_written_in_exits_3_naming_the_folder(
    vcli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from clinic_app import visits

    add(vcli, "--type", "11", "--diagnosis", "J06.9", "--service", "S1,1")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    if os.access(locked, os.W_OK):  # root writes anywhere: the system's answer to anyone else, then
        monkeypatch.setattr(visits, "write_problem", lambda target: "Permission denied")
    try:
        code, out, err = vcli("report", "day", "--date", f"{Y}-03-01", "--export", str(locked))
    finally:
        locked.chmod(0o700)
    assert code == 3 and "[folder_not_writable]" in err and str(locked) in err and "Traceback" not in err
    assert list(locked.iterdir()) == [] and out == ""


def test_the_day_end_of_a_day_to_come_is_refused_not_an_empty_balanced_day(vcli: Cli) -> None:
    ahead = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    code, out, err = vcli("report", "day", "--date", ahead)
    assert code == 3 and "date:" in err and "[future]" in err and out == ""


def test_the_printed_settlement_says_whether_the_cap_was_reached_in_the_visit_or_used_up_before(
    vcli: Cli,
) -> None:
    """Trial F29: a visit that begins with the cap used up was said to reach it."""
    code, out, err = add(vcli, "--type", "11", "--diagnosis", "J06.9", "--service", "S1,100")
    assert code == 0, err  # 1,000.00 within the scheme: 55 % after the deductible is over the 400.00 cap
    assert "fund 400.00 (the year's cap is reached in this visit" in out
    code, out, err = add(vcli, "--type", "11", "--diagnosis", "J06.9", "--service", "S1,1")
    assert code == 0, err
    assert "fund 0.00 (the year's cap was used up before this visit: the fund pays 0 of it)" in out
    assert "reached" not in out
