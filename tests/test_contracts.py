"""Family-doctor contracts and the capitation ledger on the device (RULES §2, §9)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clinic_app import contracts as C
from clinic_app import ledger as L
from clinic_app import residents as R
from clinic_app import users
from clinic_app.errors import ValidationError, ValidationErrors

from .conftest import Clinic

TODAY = dt.date(2026, 6, 15)
POLICY = {
    "capitation.rate_fen": ("9000", "2026-01-01"),
    "capitation.age_weights": ("[[0, 64, 1], [65, null, 1.5]]", "2026-01-01"),
    "capitation.quality_reserve_pct": ("10", "2026-01-01"),
}


@pytest.fixture
def signup(clinic: Clinic) -> Clinic:
    store, admin = clinic.store, clinic.admin
    C.install_reference(store, policy=POLICY)
    users.add_user(store, admin, "doctor", "village_doctor", "doctor-pass-1", display_name="李医生")
    users.add_user(store, admin, "nurse", "nurse", "nurse-pass-1")
    C.add_team(store, admin, "一队", "doctor", ["nurse"])
    C.add_team(store, admin, "二队", "admin")
    vid = R.add_village(store, admin, "石头村")
    people = [
        ("张三", "11010519491231002X", "head", "H1"),  # 76 on 2026-01-01, F
        ("李四", "445224199202290042", "spouse", "H1"),  # 33, F
        ("王五", "110105194912310011", None, "H2"),  # 76, M
        ("赵六", "110105201901010016", None, "H2"),
    ]  # 7, M
    for name, number, relation, household in people:
        R.add_resident(
            store,
            admin,
            R.ResidentInput(name=name, id_number=number, village_id=vid, relation_to_head=relation),
            household_code=household,
        )
    return clinic


def rid(clinic: Clinic, name: str) -> str:
    return str(clinic.store.conn.execute("SELECT id FROM resident WHERE name = ?", (name,)).fetchone()[0])


def doctor(clinic: Clinic) -> users.User:
    return users.authenticate(clinic.store, "doctor", "doctor-pass-1")


def sign(
    clinic: Clinic, names: list[str], team: str = "一队", codes: str = "BASIC", **kw: Any
) -> C.SignResult:
    return C.sign(
        clinic.store,
        doctor(clinic),
        [rid(clinic, n) for n in names],
        team,
        2026,
        codes.split(","),
        witness="王护士",
        today=TODAY,
        **kw,
    )


def status(clinic: Clinic, contract_id: str) -> str:
    return str(C.get_contract(clinic.store.conn, contract_id)["status"])


# -- signing ------------------------------------------------------------------------------------------
def test_a_contract_is_signed_provisional_with_the_packages_amounts(signup: Clinic) -> None:
    [cid] = sign(signup, ["张三"], codes="BASIC,ELDERLY").contract_ids
    row = C.get_contract(signup.store.conn, cid)
    assert row["status"] == "provisional" and json.loads(row["packages"]) == ["BASIC", "ELDERLY"]
    assert (row["period_start"], row["period_end"]) == ("2026-01-01", "2026-12-31")
    assert (row["fee_fen"], row["resident_share_fen"], row["fund_share_fen"]) == (17000, 1000, 16000)
    outbox = signup.store.conn.execute("SELECT table_name FROM outbox WHERE row_id = ?", (cid,)).fetchall()
    assert [o[0] for o in outbox] == ["contract"], "it syncs"


def test_one_team_per_resident_per_period(signup: Clinic) -> None:
    """RULES §9: a resident with an active 2026 contract at team A signs with team B → refused."""
    sign(signup, ["张三"], team="一队")
    with pytest.raises(ValidationErrors, match="already signed for 2026 with team 一队"):
        sign(signup, ["张三"], team="二队")
    assert len(C.list_contracts(signup.store.conn, signup.store.clinic_id)) == 1


def test_the_county_is_asked_first_when_online(signup: Clinic) -> None:
    asked: list[tuple[str, str]] = []

    def elsewhere(number: str, period: str) -> dict[str, Any]:
        asked.append((number, period))
        return {"active_contract": True, "clinic_code": "B01", "clinic_name": "河东村卫生室"}

    with pytest.raises(ValidationErrors, match="张三: already signed for 2026 at 河东村卫生室"):
        sign(signup, ["张三"], lookup=elsewhere)
    assert asked == [("11010519491231002X", "2026")]
    assert sign(signup, ["张三"], lookup=lambda n, p: {"active_contract": False}).checked_online

    def offline(number: str, period: str) -> dict[str, Any]:
        raise ConnectionError("no signal")

    result = sign(signup, ["李四"], lookup=offline)
    assert not result.checked_online and status(signup, result.contract_ids[0]) == "provisional"
    assert result.unchecked == "no signal"  # what the person is told: why the county was not asked


@pytest.mark.parametrize(
    ("name", "codes", "message"),
    [
        ("李四", "BASIC,ELDERLY", "aged 65 or more at the period's start (33)"),
        ("张三", "ELDERLY", "signed together with BASIC"),
        ("王五", "BASIC,MCH", "or another group it serves"),
        ("张三", "BASIC,NOPE", "no active service package 'NOPE'"),
    ],
)
def test_packages_need_an_eligible_resident(signup: Clinic, name: str, codes: str, message: str) -> None:
    with pytest.raises(ValidationErrors) as refused:
        sign(signup, [name], codes=codes)
    assert message in str(refused.value) and name in str(refused.value)


def test_the_maternal_child_package_serves_women_of_childbearing_age_and_young_children(
    signup: Clinic,
) -> None:
    assert sign(signup, ["李四"], codes="BASIC,MCH").contract_ids
    with pytest.raises(ValidationErrors, match="赵六"):  # 7 years old at the period's start
        sign(signup, ["赵六"], codes="BASIC,MCH")


def test_a_household_with_an_ineligible_member_signs_nobody(signup: Clinic) -> None:
    store = signup.store
    household = store.conn.execute("SELECT household_id FROM resident WHERE name = '张三'").fetchone()[0]
    before = store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
    with pytest.raises(ValidationErrors) as refused:
        C.sign_household(
            store,
            doctor(signup),
            household,
            "一队",
            2026,
            ["BASIC", "ELDERLY"],
            witness="王护士",
            today=TODAY,
        )
    assert [e.message for e in refused.value.errors] == [
        "李四: 老年人健康管理服务包 is for residents aged 65 or more at the period's start (33)"
    ]
    assert C.list_contracts(store.conn, store.clinic_id) == []
    assert store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == before, "nothing half-signed"
    result = C.sign_household(
        store, doctor(signup), household, "一队", 2026, ["BASIC"], witness="王护士", today=TODAY
    )
    assert len(result.contract_ids) == 2
    assert {r["household_id"] for r in map(lambda c: C.get_contract(store.conn, c), result.contract_ids)} == {
        household
    }


def test_consent_is_recorded_with_a_signature_or_a_witness(signup: Clinic) -> None:
    with pytest.raises(ValidationErrors, match="needs the resident's signature"):
        C.sign(
            signup.store,
            doctor(signup),
            [rid(signup, "张三")],
            "一队",
            2026,
            ["BASIC"],
            consent="screen",
            today=TODAY,
        )
    with pytest.raises(ValidationErrors, match="names who witnessed"):
        C.sign(signup.store, doctor(signup), [rid(signup, "张三")], "一队", 2026, ["BASIC"], today=TODAY)
    [cid] = C.sign(
        signup.store,
        doctor(signup),
        [rid(signup, "张三")],
        "一队",
        2026,
        ["BASIC"],
        consent="screen",
        signature="data:image/png;base64,iVBOR",
        today=TODAY,
    ).contract_ids
    assert C.get_contract(signup.store.conn, cid)["signature"].startswith("data:image/png")


# -- lifecycle -----------------------------------------------------------------------------------------
def test_renew_terminate_transfer_and_expire(signup: Clinic) -> None:
    store, who = signup.store, doctor(signup)
    [first] = sign(signup, ["张三"], codes="BASIC,ELDERLY").contract_ids
    C.transfer(store, who, first, "二队")
    assert (
        C.get_contract(store.conn, first)["team_id"] == C.find_team(store.conn, store.clinic_id, "二队")["id"]
    )
    [second] = C.renew(store, who, first, witness="王护士", today=TODAY).contract_ids
    renewed = C.get_contract(store.conn, second)
    assert (renewed["period"], renewed["renewed_from"], json.loads(renewed["packages"])) == (
        "2027",
        first,
        ["BASIC", "ELDERLY"],
    )
    with pytest.raises(ValidationError, match="one of moved_away"):
        C.terminate(store, who, second, "bored", dt.date(2027, 3, 1))
    C.terminate(store, who, second, "moved_away", dt.date(2027, 3, 1))
    assert (status(signup, second), C.get_contract(store.conn, second)["stop_reason"]) == (
        "terminated",
        "moved_away",
    )
    assert C.expire_due(store, who, dt.date(2027, 1, 1)) == 1 and status(signup, first) == "expired"
    assert C.expire_due(store, who, dt.date(2027, 1, 2)) == 0


def test_worklists(signup: Clinic) -> None:
    store = signup.store
    [a] = sign(signup, ["张三"]).contract_ids
    sign(signup, ["李四"])
    C.set_insurance(store, signup.admin, rid(signup, "张三"), 2026)
    conn, clinic = store.conn, store.clinic_id
    assert {r["name"] for r in C.never_signed(conn, clinic)} == {"王五", "赵六"}
    assert [r["name"] for r in C.signed_not_insured(conn, clinic, 2026)] == ["李四"]
    assert C.renewals_due(conn, clinic, dt.date(2026, 11, 15), 30) == []
    assert {r["name"] for r in C.renewals_due(conn, clinic, dt.date(2026, 12, 1), 30)} == {"张三", "李四"}
    C.renew(store, doctor(signup), a, witness="王护士", today=TODAY)
    assert [r["name"] for r in C.renewals_due(conn, clinic, dt.date(2026, 12, 1), 60)] == ["李四"]


def test_insurance_of_a_year_is_one_row_whoever_records_it(signup: Clinic) -> None:
    store, person = signup.store, rid(signup, "张三")
    C.set_insurance(store, signup.admin, person, 2026, paid=False)
    C.set_insurance(store, signup.admin, person, 2026, paid=True, paid_on=dt.date(2026, 2, 1))
    rows = store.conn.execute("SELECT id, paid, paid_on FROM insurance_status").fetchall()
    assert [(r["paid"], r["paid_on"]) for r in rows] == [(1, "2026-02-01")]
    assert rows[0]["id"] == C.reference_id("insurance_status", f"{person}:2026"), (
        "the same id on every device"
    )


# -- the ledger ------------------------------------------------------------------------------------------
def test_ledger_against_a_hand_computation(signup: Clinic) -> None:
    """Rate 90 yuan, weight 1.5 from 65, reserve 10 %. Heads: 张三 (76, insured), 王五 (76, insured), 李四 (33,
    insured), 赵六 (7, contracted, not insured). Weighted heads 1.5 + 1.5 + 1 = 4 → budget 360.00, reserve 36.00,
    paid in advance 324.00 = 27.00 a month; by 15 June six months are paid: 162.00; no spending yet."""
    store = signup.store
    sign(signup, ["张三", "王五", "李四", "赵六"])
    for name in ("张三", "王五", "李四"):
        C.set_insurance(store, signup.admin, rid(signup, name), 2026)
    book = L.build(store.conn, store.clinic_id, 2026, today=TODAY)
    assert (book.heads, book.contracted_not_insured, book.provisional_heads) == (3, 1, 3)
    assert book.weighted_heads == Decimal("4.0")
    assert (book.budget_fen, book.reserve_fen, book.advance_fen) == (36000, 3600, 32400)
    assert [m.budget_fen for m in book.months] == [2700] * 12
    assert (book.budget_to_date_fen, book.spending_to_date_fen, book.surplus_to_date_fen) == (16200, 0, 16200)
    assert (book.forecast_spending_fen, book.forecast_surplus_fen) == (0, 32400)
    assert any("no outpatient visits" in n for n in book.notes)


def test_the_ledger_needs_the_countys_rate(clinic: Clinic) -> None:
    C.install_reference(clinic.store)
    with pytest.raises(ValidationError, match=r"capitation\.rate_fen"):
        L.build(clinic.store.conn, clinic.store.clinic_id, 2026, today=TODAY)


def test_ledger_exports_to_excel(signup: Clinic, tmp_path: Any) -> None:
    from openpyxl import load_workbook

    sign(signup, ["张三"])
    C.set_insurance(signup.store, signup.admin, rid(signup, "张三"), 2026)
    target = tmp_path / "ledger.xlsx"
    L.export_xlsx(L.build(signup.store.conn, signup.store.clinic_id, 2026, today=TODAY), target)
    book = load_workbook(target)
    summary = {row[0]: row[1] for row in book["汇总"].iter_rows(values_only=True)}
    assert summary["签约且参保人数"] == 1 and summary["年度预算（元）"] == 135.0
    months = list(book["按月"].iter_rows(values_only=True))
    assert months[0] == ("月份", "预拨（元）", "支出（元）", "结余（元）") and len(months) == 13


@settings(max_examples=200, deadline=None)
@given(advance=st.integers(0, 10**10))
def test_monthly_advances_add_up_to_the_advance_exactly(advance: int) -> None:
    monthly = L.monthly_advances(advance)
    assert len(monthly) == 12 and sum(monthly) == advance
    assert max(monthly) - min(monthly) < 12, "equal months; the rounding fen go with the last"


@settings(max_examples=100, deadline=None)
@given(year=st.integers(2000, 2099), month=st.integers(1, 12), day=st.integers(1, 28))
def test_a_period_is_one_year_from_the_countys_start_day(year: int, month: int, day: int) -> None:
    import sqlite3

    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE policy (key, value, effective_from, deleted_at)")
    conn.execute(
        "INSERT INTO policy VALUES ('contract.period_start', ?, '2000-01-01', NULL)",
        (f"{month:02d}-{day:02d}",),
    )
    start, end = C.period_bounds(conn, year)  # type: ignore[arg-type]
    assert start == dt.date(year, month, day) and end == dt.date(year + 1, month, day) - dt.timedelta(days=1)
    assert (end - start).days in (364, 365)


# -- the command line -----------------------------------------------------------------------------------
def test_the_commands_sign_list_and_report_with_clear_errors(
    signup: Clinic, capsys: Any, monkeypatch: Any, tmp_path: Any
) -> None:
    from clinic_app.cli import main

    signup.store.close()
    where = ["--db", str(signup.db), "--key-file", str(signup.key)]
    monkeypatch.setenv("CLINIC_PASSWORD", "doctor-pass-1")
    year = str(dt.date.today().year)
    assert (
        main(
            [
                "contract",
                "sign",
                "--resident",
                "11010519491231002X",
                "--team",
                "一队",
                "--package",
                "BASIC,ELDERLY",
                "--period",
                year,
                "--witness",
                "王护士",
                "--user",
                "doctor",
                *where,
            ]
        )
        == 0
    )
    assert "offline: provisional" in capsys.readouterr().out
    assert (
        main(
            [
                "contract",
                "sign",
                "--resident",
                "11010519491231002X",
                "--team",
                "二队",
                "--package",
                "BASIC",
                "--period",
                year,
                "--witness",
                "王护士",
                "--user",
                "doctor",
                *where,
            ]
        )
        == 3
    )
    assert "already signed for" in capsys.readouterr().err
    assert (
        main(
            [
                "contract",
                "sign-household",
                "--household",
                "H1",
                "--team",
                "一队",
                "--package",
                "BASIC",
                "--period",
                year,
                "--witness",
                "王护士",
                "--user",
                "doctor",
                *where,
            ]
        )
        == 3
    )
    assert "张三: already signed" in capsys.readouterr().err, "the household signs all or none"
    assert main(["contract", "list", "--json", *where]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["name"] == "张三" and row["packages"] == ["BASIC", "ELDERLY"] and "*" in row["id_number"]
    assert main(["contract", "terminate", row["id"], "--reason", "bored", "--user", "doctor", *where]) == 3
    assert "reason: one of moved_away" in capsys.readouterr().err
    assert (
        main(
            [
                "insurance",
                "set",
                "--resident",
                "11010519491231002X",
                "--year",
                year,
                "--user",
                "doctor",
                *where,
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["ledger", "--period", year, "--json", "--xlsx", str(tmp_path / "l.xlsx"), *where]) == 0
    book = json.loads(capsys.readouterr().out)
    assert book["heads"] == 1 and book["budget_fen"] == 13500 and (tmp_path / "l.xlsx").exists()
    assert main(["ledger", "--period", "2019", *where]) == 3  # the county's rate starts in 2026
    assert (
        "capitation.rate_fen: the county has not set the per-capita rate for 2019" in capsys.readouterr().err
    )


# -- pages of the desktop's lists -----------------------------------------------------------------------
NAMES = ["丁一", "万二", "严三", "安四", "张山", "赵四", "周森", "朱莎", "曾森", "郑色"]  # 曾 reads zeng


def _many(signup: Clinic) -> None:
    store, admin = signup.store, signup.admin
    from clinic_app.idcard import check_character

    vid = R.find_village(store.conn, store.clinic_id, "石头村")
    for i, name in enumerate(NAMES):
        first17 = f"11010519800501{2 * i + 101:03d}"
        R.add_resident(
            store,
            admin,
            R.ResidentInput(name=name, id_number=first17 + check_character(first17), village_id=vid),
        )
    sign(signup, NAMES + ["张三", "李四", "王五", "赵六"][1:])


def _all_pages(fetch: Any, cursor: Any, limit: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    after = None
    while True:
        page = fetch(after, limit)
        assert len(page) <= limit
        out += page
        if len(page) < limit:
            return out
        after = cursor(page[-1])


def test_the_contract_list_is_in_pinyin_order_not_character_code(signup: Clinic) -> None:
    _many(signup)
    conn, clinic = signup.store.conn, signup.store.clinic_id
    names = [r["name"] for r in C.contract_page(conn, clinic, "2026", limit=50)]
    pinyin = [r["name_pinyin"] for r in C.contract_page(conn, clinic, "2026", limit=50)]
    assert pinyin == sorted(pinyin)
    assert (
        names.index("安四")
        < names.index("丁一")
        < names.index("万二")
        < names.index("严三")
        < names.index("张山")
    )
    assert names.index("曾森") < names.index("张山"), "曾 is read zeng as a surname"
    assert names != sorted(names), "not by character code"
    listed = [r["name"] for r in C.list_contracts(conn, clinic, period="2026")]
    assert listed == names, "the command's list is in pinyin order too (it was by character code: 丁, 万, 严)"


@pytest.mark.parametrize("limit", [1, 2, 3, 7, 200])
def test_pages_never_exceed_the_limit_and_add_up_to_the_whole_list(signup: Clinic, limit: int) -> None:
    _many(signup)
    conn, clinic = signup.store.conn, signup.store.clinic_id
    whole = C.contract_page(conn, clinic, "2026", limit=1000)
    paged = _all_pages(
        lambda a, n: C.contract_page(conn, clinic, "2026", after=a, limit=n), C.contract_cursor, limit
    )
    assert [r["id"] for r in paged] == [r["id"] for r in whole] and len(whole) == 13
    never = _all_pages(
        lambda a, n: C.never_signed_page(conn, clinic, after=a, limit=n), C.resident_cursor, limit
    )
    assert [r["name"] for r in never] == ["张三"]


def test_the_search_box_filters_every_list_by_name_pinyin_initials_and_id_digits(signup: Clinic) -> None:
    _many(signup)
    conn, clinic = signup.store.conn, signup.store.clinic_id

    def names(query: str) -> list[str]:
        return [r["name"] for r in C.contract_page(conn, clinic, "2026", query)]

    assert names("zs") == ["曾森", "张山", "赵四", "郑色", "周森", "朱莎"], (
        "initials, in pinyin order (张三 is not signed)"
    )
    assert names("zhang") == ["张山"]
    assert names("张") == ["张山"]
    assert names("0042") == ["李四"], "the last digits of the ID number"
    assert names("nobody") == []
    assert [r["name"] for r in C.resident_page(conn, clinic, "zhangs")] == ["张三", "张山"]
    assert [r["name"] for r in C.never_signed_page(conn, clinic, "zs")] == ["张三"]
    assert [r["name"] for r in C.uninsured_page(conn, clinic, 2026, "lisi")] == ["李四"]
    assert [r["name"] for r in C.renewal_page(conn, clinic, dt.date(2026, 12, 1), 30, "wang")] == ["王五"]


def test_the_teams_query_lists_lead_and_members(signup: Clinic) -> None:
    teams = C.teams(signup.store.conn, signup.store.clinic_id)
    assert [t["name"] for t in teams] == ["一队", "二队"]
    assert teams[0]["lead"] == "李医生" and set(teams[0]["members"].split("、")) == {"李医生", "nurse"}


def test_listeners_hear_what_a_committed_unit_changed_and_nothing_of_a_rolled_back_one(
    signup: Clinic,
) -> None:
    from clinic_app.store import Changes

    store = signup.store
    heard: list[Changes] = []
    store.add_listener(heard.append)
    [cid] = sign(signup, ["张三"]).contract_ids
    assert len(heard) == 1 and heard[0].action == "contract.sign" and heard[0].rows["contract"] == {cid}
    assert heard[0].touched("contract") and not heard[0].touched("resident")
    with pytest.raises(ValidationErrors):
        sign(signup, ["张三"])  # signed already: refused before anything is written
    with pytest.raises(RuntimeError), store.unit(None, "broken") as uow:
        uow.insert("village", {"name": "x"})
        raise RuntimeError("rolled back")
    assert len(heard) == 1
    sibling = store.sibling()
    try:
        C.terminate(sibling, doctor(signup), cid, "moved_away", TODAY)
    finally:
        sibling.close()
    assert heard[-1].action == "contract.terminate", "a sibling store's writes reach the same listeners"
    store.remove_listener(heard.append)


@pytest.mark.parametrize(
    ("package", "disease", "icd"), [("HTN", "hypertension", "I10"), ("DM", "diabetes", "E11.900")]
)
def test_the_disease_packages_need_a_registration_of_the_disease_under_management(
    signup: Clinic, package: str, disease: str, icd: str
) -> None:
    from clinic_app import chronic_records as H

    def attempt() -> C.SignResult:
        return sign(signup, ["张三"], codes=f"BASIC,{package}")

    with pytest.raises(ValidationErrors) as caught:
        attempt()
    [refusal] = caught.value.errors
    assert (refusal.rule, refusal.details["reason"], refusal.details["disease"]) == (
        "ineligible",
        "disease",
        disease,
    )
    assert f"needs a {disease} registration" in refusal.message
    # another disease's registration does not do
    other = "diabetes" if disease == "hypertension" else "hypertension"
    H.register(
        signup.store,
        doctor(signup),
        rid(signup, "张三"),
        other,
        "E11" if other == "diabetes" else "I10",
        "2025-01-10",
        today=TODAY,
    )
    with pytest.raises(ValidationErrors):
        attempt()
    registration_id = H.register(
        signup.store, doctor(signup), rid(signup, "张三"), disease, icd, "2025-01-10", today=TODAY
    )
    H.end_management(signup.store, doctor(signup), registration_id, "lost", "外出务工", today=TODAY)
    with pytest.raises(ValidationErrors):
        attempt()  # management ended: not eligible
    H.register(signup.store, doctor(signup), rid(signup, "张三"), disease, icd, "2025-01-10", today=TODAY)
    [contract_id] = attempt().contract_ids
    assert json.loads(C.get_contract(signup.store.conn, contract_id)["packages"]) == sorted(
        ["BASIC", package]
    )
