"""The day's end (issue 14 point 5) against a hand-built day: the totals by medical type, the cancelled visit
listed and counted nowhere, every receipt reconciled (its lines, its shares, its cash against the day's cash
total) and each kind of mismatch found with its cause — a visit whose lines never arrived, a line whose amount
is not price × quantity, lines that do not add up to the settled total, shares that do not — and a visit over the
county-wide cap flagged as pending; whatever is cancelled, a day of saved visits balances."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic_app import users
from clinic_app import visits as V
from clinic_app.day_end import day_report, receipt_number
from clinic_app.ids import utc_now, uuid7
from clinic_app.store import Store

from .conftest import Clinic
from .test_visits import AMLODIPINE, Y, prepare, qualify, rid, visit

DAY = f"{Y}-05-10"


def report(c: Clinic, day: str = DAY) -> dict:
    return day_report(c.store.conn, c.store.clinic_id, dt.date.fromisoformat(day))


@pytest.fixture
def vc(clinic: Clinic, tmp_path: Path) -> Clinic:
    prepare(clinic, tmp_path)
    qualify(clinic, "张三")
    return clinic


def hand_built_day(c: Clinic) -> dict[str, V.VisitResult]:
    """张三: an ordinary visit (S1 + S3 = 40.00, all to the 50.00 deductible: the fund 0, cash 40.00) and a
    chronic one (2 boxes of amlodipine 31.00 at 70 %: fund 21.70, cash 9.30); 王五: an ordinary visit (S2 8.00 to
    the deductible: cash 8.00), cancelled; a visit of 王五 the next day."""
    a = visit(c, DAY, [("S1", 1), ("S3", 1)])
    b = visit(c, DAY, [], [(AMLODIPINE, 2)], "14", "hypertension", diagnoses=("I10",))
    gone = visit(c, DAY, [("S2", 1)], name="王五")
    visit(c, f"{Y}-05-11", [("S1", 1)], name="王五")
    V.cancel_visit(c.store, c.admin, gone.id, "重复录入", today=dt.date(Y, 5, 10))
    return {"a": a, "b": b, "gone": gone}


def test_the_totals_by_medical_type_leave_out_the_cancelled_visit_and_every_receipt_reconciles(
    vc: Clinic,
) -> None:
    v = hand_built_day(vc)
    r = report(vc)
    assert r["by_med_type"] == {
        "11": {"visits": 1, "total_fen": 4000, "fund_fen": 0, "cash_fen": 4000},
        "14": {"visits": 1, "total_fen": 3100, "fund_fen": 2170, "cash_fen": 930},
    }
    assert r["totals"] == {"visits": 2, "total_fen": 7100, "fund_fen": 2170, "cash_fen": 4930}
    assert [(x["number"], x["reason"], x["total_fen"]) for x in r["cancelled"]] == [
        (receipt_number(v["gone"].id, DAY), "重复录入", 800)
    ]
    assert [x["number"] for x in r["receipts"]] == [
        receipt_number(v["a"].id, DAY),
        receipt_number(v["b"].id, DAY),
    ]
    first, second = r["receipts"]
    assert (first["name"], first["lines"], first["lines_fen"], first["receipt_cash_fen"]) == (
        "张三",
        2,
        4000,
        4000,
    )
    assert (second["med_type"], second["lines_fen"], second["fund_fen"], second["receipt_cash_fen"]) == (
        "14",
        3100,
        2170,
        930,
    )
    assert first["problems"] == second["problems"] == []
    assert r["reconciliation"] == {
        "receipts": 2,
        "receipts_cash_fen": 4930,
        "cash_fen": 4930,
        "difference_fen": 0,
        "mismatched": [],
        "causes": {},
        "cap_pending": [],
        "balanced": True,
    }
    assert report(vc, f"{Y}-05-12")["reconciliation"]["balanced"], "a day without visits balances too"


def test_a_receipt_number_is_the_visit_s_date_and_the_end_of_its_id() -> None:
    assert receipt_number("01938a2b-7c1d-7e2f-8a3b-4c5d6e7f8091", "2026-12-01") == "20261201-6E7F8091"


def _tamper(store: Store, sql: str, *args: object) -> None:
    with store.transaction() as conn:
        conn.execute(sql, args)


def test_each_kind_of_mismatch_is_shown_on_its_receipt_with_its_cause_and_the_day_does_not_balance(
    vc: Clinic,
) -> None:
    v = hand_built_day(vc)
    a, b = v["a"].id, v["b"].id
    # a line of 张三's ordinary visit whose amount is not price × quantity (S3: 30.00 stored as 25.00): the lines
    # then add up to 35.00, not the 40.00 settled
    _tamper(vc.store, "UPDATE visit_line SET amount_fen = 2500 WHERE visit_id = ? AND line_no = 2", a)
    # the chronic visit's shares do not add up to its total (a row changed outside the program)
    _tamper(vc.store, "UPDATE visit SET patient_fen = 1000 WHERE id = ?", b)
    # a visit of another device of the clinic whose lines have not arrived yet
    pulled = uuid7()
    now = utc_now()
    _tamper(
        vc.store,
        "INSERT INTO visit(id, clinic_id, created_at, updated_at, resident_id, visit_date, med_type, diagnoses, "
        "total_fen, in_scheme_fen, fund_fen, patient_fen, cap_left_fen, ratio_pct, annual_cap_fen) "
        "VALUES (?, ?, ?, ?, ?, ?, '11', '[\"J06.9\"]', 1200, 1200, 0, 1200, 40000, '55', 40000)",
        pulled,
        vc.store.clinic_id,
        now,
        now,
        rid(vc, "王五"),
        DAY,
    )
    r = report(vc)
    by_number = {x["number"]: x for x in r["receipts"]}
    ra, rb, rp = (by_number[receipt_number(i, DAY)] for i in (a, b, pulled))
    assert ra["problems"] == [
        {"cause": "line_amount", "lines": [2]},
        {"cause": "lines_total", "difference_fen": -500},
    ]
    assert ra["receipt_cash_fen"] == 3500, "the receipt's lines make 张三 pay 35.00, the settlement 40.00"
    assert rb["problems"] == [{"cause": "shares", "difference_fen": 70}]
    assert rp["problems"] == [{"cause": "no_lines"}] and rp["receipt_cash_fen"] is None
    assert r["totals"]["cash_fen"] == 4000 + 1000 + 1200, "the totals are the settlements' sums"
    rec = r["reconciliation"]
    assert rec["receipts_cash_fen"] == 3500 + (3100 - 2170) + 0
    assert rec["difference_fen"] == rec["receipts_cash_fen"] - 6200 == -1770
    assert rec["mismatched"] == [ra["number"], rb["number"], rp["number"]]
    assert rec["causes"] == {"no_lines": 1, "line_amount": 1, "lines_total": 1, "shares": 1}
    assert rec["balanced"] is False


def test_a_visit_over_the_county_wide_cap_awaiting_the_reviewer_is_flagged_not_mismatched(vc: Clinic) -> None:
    v = hand_built_day(vc)
    now = utc_now()
    _tamper(
        vc.store,
        "INSERT INTO conflict(id, clinic_id, created_at, updated_at, table_name, row_id, kind, message) "
        "VALUES (?, ?, ?, ?, 'visit', ?, 'cap_overrun', 'over the cap by 5.00')",
        uuid7(),
        vc.store.clinic_id,
        now,
        now,
        v["b"].id,
    )
    rec = report(vc)["reconciliation"]
    assert rec["cap_pending"] == [receipt_number(v["b"].id, DAY)]
    assert rec["balanced"], "the receipt matches what was settled; only the county's decision is pending"
    _tamper(vc.store, "UPDATE conflict SET resolved_at = ?", now)
    assert report(vc)["reconciliation"]["cap_pending"] == []


def test_the_cli_and_the_day_end_give_the_same_totals(vc: Clinic, tmp_path: Path) -> None:
    """`clinic report day --json` prints ``day_report`` as it is (the desktop shows the same dict)."""
    import contextlib
    import io

    from clinic_app import cli

    hand_built_day(vc)
    vc.store.close()
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = cli.main(
            ["--db", str(vc.db), "--key-file", str(vc.key), "report", "day", "--date", DAY, "--json"]
        )
    vc.reopen()
    assert code == 0
    assert json.loads(printed.getvalue()) == report(vc)


def test_the_export_refuses_a_folder_nothing_can_be_written_in_and_writes_nothing(
    vc: Clinic, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clinic_app.errors import ValidationError

    hand_built_day(vc)
    monkeypatch.setattr(V, "write_problem", lambda target: "Read-only file system")
    with pytest.raises(ValidationError) as err:
        V.export_day(vc.store.conn, vc.store.clinic_id, dt.date.fromisoformat(DAY), tmp_path)
    assert (err.value.field, err.value.rule) == ("export", "folder_not_writable")
    assert err.value.details == {"folder": str(tmp_path), "problem": "Read-only file system"}
    assert not list(tmp_path.glob("visits-*"))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(1, 4), st.integers(0, 3), st.booleans(), st.booleans()), max_size=6))
def test_whatever_is_saved_and_cancelled_a_day_of_saved_visits_balances(
    tmp_path_factory: pytest.TempPathFactory, plan: list[tuple[int, int, bool, bool]]
) -> None:
    tmp = tmp_path_factory.mktemp("day")
    store, _ = Store.initialise(tmp / "c.db", "C001", "石头村卫生室", key_file=tmp / "c.key")
    try:
        admin = users.add_user(store, None, "admin", "clinic_admin", "admin-pass-1")
        c = Clinic(store, admin, tmp / "c.db", tmp / "c.key")
        prepare(c, tmp)
        live: list[V.VisitResult] = []
        for services, boxes, who, cancel in plan:
            r = visit(
                c,
                DAY,
                [("S1", services)],
                [(AMLODIPINE, boxes)] if boxes else [],
                name="王五" if who else "张三",
            )
            if cancel:
                V.cancel_visit(store, admin, r.id, "测试")
            else:
                live.append(r)
        r = report(c)
        assert r["totals"] == {
            "visits": len(live),
            "total_fen": sum(x.total_fen for x in live),
            "fund_fen": sum(x.fund_fen for x in live),
            "cash_fen": sum(x.patient_fen for x in live),
        }
        assert (
            r["reconciliation"]["balanced"]
            and r["reconciliation"]["receipts_cash_fen"] == r["totals"]["cash_fen"]
        )
        numbers = [x["number"] for x in r["receipts"]] + [x["number"] for x in r["cancelled"]]
        assert len(set(numbers)) == len(plan)
    finally:
        store.close()
