"""Outpatient visits and their settlement (issue 14 points 1-3), against hand computations: the ordinary
deductible once a year, the ratio of what is within the scheme, the chronic cap reached in the middle of a visit,
a reversal that counts nowhere, a policy change between two visits, the year's use per pool, type 14 only with an
approved qualification, the day's end and its export read back with the platform's field names."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic_app import chronic_records as H
from clinic_app import contracts as C
from clinic_app import residents as R
from clinic_app import users
from clinic_app import visits as V
from clinic_app.day_end import day_report
from clinic_app.errors import ValidationError
from clinic_app.idcard import check_character
from clinic_app.prices import load_prices_locally
from clinic_app.store import Store

from .conftest import Clinic

TODAY = dt.date.today()
Y = TODAY.year - 1  # a year wholly past: every visit date of these tests lies in it
PRICES = """code,name,price_fen,insurance_category,unit
S1,诊查费,1000,A,次
S2,快速血糖测定,800,B,次
S3,中医推拿,3000,C,次
"""
AMLODIPINE = "XC08CAA01A001010100001"  # 1550 fen a box, category A (the test's catalog row)
POLICY = {
    "settlement.ordinary.deductible_fen": ("5000", "2020-01-01"),
    "settlement.ordinary.ratio_pct": ("55", "2020-01-01"),
    "settlement.ordinary.annual_cap_fen": ("40000", "2020-01-01"),
    "settlement.chronic.ratio_pct.hypertension": ("70", "2020-01-01"),
    "settlement.chronic.annual_cap_fen.hypertension": ("10000", "2020-01-01"),
    "settlement.chronic.ratio_pct.diabetes": ("80", "2020-01-01"),
    "settlement.chronic.annual_cap_fen.diabetes": ("20000", "2020-01-01"),
}


def id_number(born: str) -> str:
    first = "110105" + born.replace("-", "") + "002"
    return first + check_character(first)


def the_catalog(store: Store) -> None:
    """Two catalog drugs loaded as a clinic without a county loads its catalog: one priced, one without a price."""
    from clinic_app.catalog import install_catalog

    install_catalog(
        store,
        "code,name,spec,unit,package_size,price_fen,insurance_category\n"
        f"{AMLODIPINE},苯磺酸氨氯地平片,5mg,片,7,1550,A\n"
        "XA00000000000000000002,未定价药,1g,片,10,,\n",
    )


def prepare(clinic: Clinic, tmp: Path, policy: dict[str, tuple[str, str]] = POLICY) -> None:
    store, admin = clinic.store, clinic.admin
    C.install_reference(store, policy=policy)
    (tmp / "prices.csv").write_text(PRICES, encoding="utf-8")
    load_prices_locally(store, tmp / "prices.csv")
    the_catalog(store)
    vid = R.add_village(store, admin, "石头村")
    for name, born in (("张三", "1960-03-10"), ("王五", "1955-07-01")):
        R.add_resident(store, admin, R.ResidentInput(name=name, id_number=id_number(born), village_id=vid))


@pytest.fixture
def vc(clinic: Clinic, tmp_path: Path) -> Clinic:
    prepare(clinic, tmp_path)
    return clinic


def rid(c: Clinic, name: str) -> str:
    return str(c.store.conn.execute("SELECT id FROM resident WHERE name = ?", (name,)).fetchone()[0])


def qualify(c: Clinic, name: str, disease: str = "hypertension", on: str = f"{Y}-01-05") -> None:
    icd = "I10" if disease == "hypertension" else "E11.900"
    reg = H.register(c.store, c.admin, rid(c, name), disease, icd, f"{Y - 2}-06-01")
    H.set_qualification(c.store, c.admin, reg, "approved", on, "MT-0001")


def visit(
    c: Clinic,
    day: str,
    services: list[tuple[str, int]] = (),  # type: ignore[assignment]
    items: list[tuple[str, int]] = (),  # type: ignore[assignment]
    med_type: str = "11",
    disease: str | None = None,
    name: str = "张三",
    diagnoses: tuple[str, ...] = ("J06.9",),
) -> V.VisitResult:
    data = V.VisitInput(rid(c, name), day, med_type, diagnoses, disease, services, items)
    return V.add_visit(c.store, c.admin, data)


def shares(r: V.VisitResult) -> tuple[int, int, int, int, int, int]:
    return (r.total_fen, r.in_scheme_fen, r.deductible_fen, r.fund_fen, r.patient_fen, r.cap_left_fen)


def test_the_ordinary_deductible_is_met_once_a_year_then_the_ratio_pays(vc: Clinic) -> None:
    # 1000 within the scheme (S1, A) + 3000 outside it (S3, C): all 1000 goes to the 5000 deductible
    first = visit(vc, f"{Y}-02-01", [("S1", 1), ("S3", 1)])
    assert shares(first) == (4000, 1000, 1000, 0, 4000, 40000)
    # 2 × 1000 + 2 boxes × 1550 = 5100 within; 4000 of the deductible left; 55 % of 1100 = 605
    second = visit(vc, f"{Y}-03-01", [("S1", 2)], [(AMLODIPINE, 2)])
    assert shares(second) == (5100, 5100, 4000, 605, 4495, 40000 - 605)
    # the deductible is met: 800 (S2, B) at 55 % = 440
    third = visit(vc, f"{Y}-04-01", [("S2", 1)])
    assert shares(third) == (800, 800, 0, 440, 360, 40000 - 605 - 440)
    assert first.provisional and second.provisional and third.provisional
    stored = vc.store.conn.execute(
        "SELECT used_fund_fen, used_deductible_fen, ratio_pct FROM visit WHERE id = ?", (third.id,)
    ).fetchone()
    assert tuple(stored) == (605, 5000, "55")


def test_the_year_s_use_is_of_the_calendar_year_of_the_visit(vc: Clinic) -> None:
    december = visit(vc, f"{Y - 1}-12-31", [("S1", 6)])  # 6000: the 5000 deductible of Y-1, then 55 % of 1000
    assert (december.deductible_fen, december.fund_fen) == (5000, 550)
    january = visit(vc, f"{Y}-01-01", [("S1", 1)])  # a new year: its deductible again, the cap whole
    assert shares(january) == (1000, 1000, 1000, 0, 1000, 40000)


def test_a_reversal_counts_nowhere_and_the_visit_is_never_edited(vc: Clinic) -> None:
    visit(vc, f"{Y}-02-01", [("S1", 1)])  # deductible 1000 met
    second = visit(vc, f"{Y}-03-01", [("S1", 2)], [(AMLODIPINE, 2)])  # deductible 4000, fund 605
    before = dict(vc.store.conn.execute("SELECT * FROM visit WHERE id = ?", (second.id,)).fetchone())
    V.cancel_visit(vc.store, vc.admin, second.id, "录入错误", today=dt.date(Y, 3, 2))
    after = dict(vc.store.conn.execute("SELECT * FROM visit WHERE id = ?", (second.id,)).fetchone())
    assert before == after, "the visit row stays as it was saved"
    assert V.year_use(vc.store.conn, rid(vc, "张三"), "11", None, Y).deductible_fen == 1000
    # the same lines again meet the same 4000 of the deductible and the fund pays 605 again
    again = visit(vc, f"{Y}-03-05", [("S1", 2)], [(AMLODIPINE, 2)])
    assert shares(again) == (5100, 5100, 4000, 605, 4495, 40000 - 605)
    with pytest.raises(ValidationError) as err:
        V.cancel_visit(vc.store, vc.admin, second.id, "again")
    assert (err.value.field, err.value.rule) == ("visit", "cancelled")
    with pytest.raises(ValidationError) as err:
        V.cancel_visit(vc.store, vc.admin, again.id, "  ")
    assert (err.value.field, err.value.rule) == ("reason", "required")


def test_the_chronic_cap_reached_in_the_middle_of_a_visit_pays_what_is_left(vc: Clinic) -> None:
    qualify(vc, "张三")
    hypertension = ("I10.x00",)
    # 4 boxes × 1550 = 6200 at 70 % = 4340; 10000 - 4340 = 5660 left
    a = visit(vc, f"{Y}-02-01", [], [(AMLODIPINE, 4)], "14", "hypertension", diagnoses=hypertension)
    assert shares(a) == (6200, 6200, 0, 4340, 1860, 5660) and not a.capped
    # 6 boxes + S1 = 10300 at 70 % = 7210, but only 5660 is left: the patient pays 10300 - 5660 = 4640
    b = visit(vc, f"{Y}-03-01", [("S1", 1)], [(AMLODIPINE, 6)], "14", "hypertension", diagnoses=hypertension)
    assert shares(b) == (10300, 10300, 0, 5660, 4640, 0) and b.capped
    # the ordinary pool of the same patient is another pool: its deductible and cap untouched
    o = visit(vc, f"{Y}-03-02", [("S1", 1)])
    assert shares(o) == (1000, 1000, 1000, 0, 1000, 40000)
    # another patient has a cap of his own
    qualify(vc, "王五")
    c = visit(vc, f"{Y}-12-31", [], [(AMLODIPINE, 1)], "14", "hypertension", "王五", hypertension)
    assert c.cap_left_fen == 10000 - 1085  # 1550 × 70 % = 1085


def test_a_policy_change_between_two_visits_settles_each_by_the_terms_of_its_day(
    clinic: Clinic, tmp_path: Path
) -> None:
    policy = {**POLICY, "settlement.ordinary.deductible_fen": ("0", "2020-01-01")}
    prepare(clinic, tmp_path, policy)
    C.install_reference(clinic.store, policy={"settlement.ordinary.ratio_pct": ("60", f"{Y}-07-01")})
    before = visit(clinic, f"{Y}-06-30", [("S2", 1)])  # 800 × 55 % = 440
    after = visit(clinic, f"{Y}-07-01", [("S2", 1)])  # 800 × 60 % = 480
    assert (before.fund_fen, after.fund_fen) == (440, 480)
    assert after.cap_left_fen == 40000 - 440 - 480


def test_type_14_needs_an_approved_qualification_for_that_disease_on_the_visit_day(vc: Clinic) -> None:
    def refused(name: str, day: str, disease: str = "hypertension", dx: str = "I10") -> ValidationError:
        with pytest.raises(ValidationError) as err:
            visit(vc, day, [("S1", 1)], med_type="14", disease=disease, name=name, diagnoses=(dx,))
        return err.value

    err = refused("张三", f"{Y}-03-01")
    assert (err.field, err.rule) == ("type", "qualification") and "not registered" in err.message
    reg = H.register(vc.store, vc.admin, rid(vc, "张三"), "hypertension", "I10", f"{Y - 2}-06-01")
    H.set_qualification(vc.store, vc.admin, reg, "applied", f"{Y}-01-01")
    assert "applied" in refused("张三", f"{Y}-03-01").message
    H.set_qualification(vc.store, vc.admin, reg, "approved", f"{Y}-04-01")
    assert f"approved on {Y}-04-01, after {Y}-03-01" in refused("张三", f"{Y}-03-01").message
    assert refused("张三", f"{Y}-05-01", "diabetes", "E11").rule == "qualification"  # another disease
    assert refused("张三", f"{Y}-05-01", dx="J06.9").rule == "chronic_diagnosis"
    ok = visit(vc, f"{Y}-05-01", [("S1", 1)], med_type="14", disease="hypertension", diagnoses=("I10",))
    assert ok.fund_fen == 700
    assert vc.store.conn.execute("SELECT count(*) FROM visit").fetchone()[0] == 1, "nothing of a refusal kept"


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"services": [("NOPE", 1)]}, "service", "unknown"),
        ({"items": [("XZ00000000000000000009", 1)]}, "item", "unknown"),
        ({"items": [("XA00000000000000000002", 1)]}, "item", "price"),
        ({"services": []}, "lines", "required"),
        ({"services": [("S1", 0)]}, "service", "quantity"),
        ({"diagnoses": ("I1O",)}, "diagnosis", "icd_format"),
        ({"diagnoses": ()}, "diagnosis", "required"),
        ({"visit_date": (TODAY + dt.timedelta(days=1)).isoformat()}, "date", "future"),
        ({"visit_date": "2026-02-30"}, "date", "date_format"),
        ({"med_type": "12"}, "type", "allowed"),
        ({"disease": "hypertension"}, "disease", "not_chronic"),
        ({"med_type": "14"}, "disease", "required"),
    ],
)
def test_a_bad_visit_is_refused_naming_the_field_and_the_rule(
    vc: Clinic, change: dict[str, object], field: str, rule: str
) -> None:
    base = {
        "resident_id": rid(vc, "张三"),
        "visit_date": f"{Y}-02-01",
        "med_type": "11",
        "diagnoses": ("J06.9",),
        "services": [("S1", 1)],
    }
    with pytest.raises(ValidationError) as err:
        V.add_visit(vc.store, vc.admin, V.VisitInput(**{**base, **change}))  # type: ignore[arg-type]
    assert (err.value.field, err.value.rule) == (field, rule)
    assert vc.store.conn.execute("SELECT count(*) FROM visit").fetchone()[0] == 0


def test_a_county_that_has_not_set_its_numbers_settles_nothing(clinic: Clinic, tmp_path: Path) -> None:
    prepare(clinic, tmp_path, policy={})
    with pytest.raises(ValidationError) as err:
        visit(clinic, f"{Y}-02-01", [("S1", 1)])
    assert err.value.rule == "policy" and err.value.field.startswith("settlement.ordinary.")


def test_a_county_missing_several_numbers_is_told_every_one_at_once(clinic: Clinic, tmp_path: Path) -> None:
    prepare(clinic, tmp_path, policy={"settlement.ordinary.ratio_pct": ("55", "2020-01-01")})  # as the README
    with pytest.raises(ValidationError) as err:
        visit(clinic, f"{Y}-02-01", [("S1", 1)])
    missing = ["settlement.ordinary.annual_cap_fen", "settlement.ordinary.deductible_fen"]
    assert (err.value.field, err.value.rule) == (missing[0], "policy")
    assert err.value.details == {"missing": ", ".join(missing)}
    assert all(key in err.value.message for key in missing)
    assert clinic.store.conn.execute("SELECT count(*) FROM visit").fetchone()[0] == 0


def test_both_forms_of_an_icd_code_are_one_diagnosis() -> None:
    assert V.diagnoses(["i10", "I10", "E11.900", "e11.900"]) == ["I10", "E11.900"]


def test_the_day_end_totals_by_medical_type_without_the_cancelled_and_its_export(
    vc: Clinic, tmp_path: Path
) -> None:
    qualify(vc, "张三")
    day = f"{Y}-05-10"
    a = visit(vc, day, [("S1", 1), ("S3", 1)])  # 4000: fund 0, cash 4000 (deductible)
    b = visit(
        vc, day, [], [(AMLODIPINE, 2)], "14", "hypertension", diagnoses=("J06.9", "I10.x00")
    )  # 3100: 2170
    c = visit(vc, day, [("S2", 1)], name="王五")  # 800 to the deductible: cash 800
    visit(vc, f"{Y}-05-11", [("S1", 1)], name="王五")  # another day
    V.cancel_visit(vc.store, vc.admin, c.id, "重复录入", today=dt.date(Y, 5, 10))
    report = day_report(vc.store.conn, vc.store.clinic_id, dt.date.fromisoformat(day))
    assert report["by_med_type"]["11"] == {"visits": 1, "total_fen": 4000, "fund_fen": 0, "cash_fen": 4000}
    assert report["by_med_type"]["14"] == {"visits": 1, "total_fen": 3100, "fund_fen": 2170, "cash_fen": 930}
    assert report["totals"] == {"visits": 2, "total_fen": 7100, "fund_fen": 2170, "cash_fen": 4930}
    assert [(x["id"], x["reason"], x["total_fen"]) for x in report["cancelled"]] == [(c.id, "重复录入", 800)]

    path = V.export_day(vc.store.conn, vc.store.clinic_id, dt.date.fromisoformat(day), tmp_path)
    assert path.name == f"visits-{day}.json" and not list(tmp_path.glob("*.part"))
    document = json.loads(path.read_text(encoding="utf-8"))
    by_id = {v["mdtrt_id"]: v for v in document["visits"]}
    assert set(by_id) == {a.id, b.id}, "a cancelled visit is not exported"
    chronic = by_id[b.id]
    assert chronic["med_type"] == "14" and chronic["dise_codg"] == "I10.x00"
    assert chronic["medfee_sumamt"] == "31.00" and chronic["fund_pay_sumamt"] == "21.70"
    [line] = chronic["feedetail"]
    assert line["med_list_codg"] == AMLODIPINE and line["cnt"] == 2 and line["pric"] == "15.50"
    assert line["chrgitm_lv"] == "01" and line["trdn_flag"] == "0" and "drug_trac_codg" in line
    assert by_id[a.id]["dise_codg"] == "J06.9" and by_id[a.id]["med_type"] == "11"
    with pytest.raises(ValidationError) as err:
        V.export_day(vc.store.conn, vc.store.clinic_id, dt.date.fromisoformat(day), tmp_path / "no" / "stick")
    assert err.value.rule == "folder_missing"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(1, 9), st.booleans()), min_size=1, max_size=8))
def test_whatever_is_cancelled_the_live_chronic_visits_never_pass_the_cap(
    tmp_path_factory: pytest.TempPathFactory, plan: list[tuple[int, bool]]
) -> None:
    tmp = tmp_path_factory.mktemp("cap")
    store, _ = Store.initialise(tmp / "c.db", "C001", "石头村卫生室", key_file=tmp / "c.key")
    try:
        admin = users.add_user(store, None, "admin", "clinic_admin", "admin-pass-1")
        c = Clinic(store, admin, tmp / "c.db", tmp / "c.key")
        prepare(c, tmp)
        qualify(c, "张三")
        for n, (boxes, cancel) in enumerate(plan):
            r = visit(
                c, f"{Y}-03-{n + 1:02d}", [], [(AMLODIPINE, boxes)], "14", "hypertension", diagnoses=("I10",)
            )
            assert r.fund_fen + r.patient_fen == r.total_fen == 1550 * boxes
            if cancel:
                V.cancel_visit(store, admin, r.id, "测试")
        live = store.conn.execute(
            f"SELECT coalesce(sum(fund_fen), 0) FROM visit v WHERE {V.LIVE.format(v='v')}"
        ).fetchone()[0]
        assert live <= 10000
        assert V.year_use(store.conn, rid(c, "张三"), "14", "hypertension", Y).fund_fen == live
    finally:
        store.close()
