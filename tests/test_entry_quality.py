"""Entry quality (issue 12 point 8): each check on constructed rows at its thresholds, the report on a constructed
clinic (a fabricating doctor flagged, an honest one not) and `clinic report entry-quality` (JSON, table, exit
codes, admin only, audited)."""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clinic_app import entry_quality as Q
from clinic_app import residents as R
from clinic_app import users
from clinic_app.errors import ValidationError
from clinic_app.idcard import check_character
from clinic_app.store import Store

from .conftest import Clinic
from .test_cli import PW, Cli

YEAR = 2026
LIMITS = Q.Thresholds()


# -- rows as the checks see them ------------------------------------------------------------------------------
def visit(
    n: int,
    *,
    patient: str = "p1",
    disease: str = "hypertension",
    day: str = "2026-03-02",
    recorded: str | None = None,
    doctor: str = "fab",
    mode: str = "clinic",
    sbp: int | None = 140,
    dbp: int | None = 90,
    glucose: str | None = None,
    supersedes: str | None = None,
) -> dict[str, Any]:
    return {
        "id": f"v{n:04d}",
        "resident_id": patient,
        "disease": disease,
        "visit_date": day,
        "visit_mode": mode,
        "sbp_1": sbp,
        "dbp_1": dbp,
        "sbp_2": None,
        "dbp_2": None,
        "sbp": sbp,
        "dbp": dbp,
        "fasting_glucose": glucose,
        "created_at": recorded or f"{day}T01:00:00.000Z",
        "created_by": doctor,
        "supersedes": supersedes,
        "name": patient,
    }


def at(day: str, minutes: float) -> str:
    moment = dt.datetime.fromisoformat(f"{day}T01:00:00+00:00") + dt.timedelta(minutes=minutes)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


# -- 1. the binomial test -----------------------------------------------------------------------------------------
def exact_tail(k: int, n: int) -> Fraction:
    p = Fraction(1, 5)
    return sum((math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(max(k, 0), n + 1)), Fraction(0))


@given(n=st.integers(1, 60), data=st.data())
def test_binomial_tail_equals_the_exact_sum_of_the_binomial_terms(n: int, data: st.DataObject) -> None:
    k = data.draw(st.integers(0, n))
    assert Q.binomial_tail(k, n, 0.2) == pytest.approx(float(exact_tail(k, n)), rel=1e-9, abs=1e-300)


def test_binomial_tail_of_nothing_is_one_and_beyond_n_is_zero() -> None:
    assert Q.binomial_tail(0, 10, 0.2) == 1.0
    assert Q.binomial_tail(11, 10, 0.2) == 0.0
    assert Q.binomial_tail(10, 10, 0.2) == pytest.approx(0.2**10)


# -- 1. terminal digits -------------------------------------------------------------------------------------------
@settings(max_examples=50)
@given(st.lists(st.integers(14, 60).map(lambda x: 5 * x), min_size=30, max_size=400))
def test_a_doctor_whose_readings_all_end_in_0_or_5_is_flagged(readings: list[int]) -> None:
    result = Q.digit_check(readings)
    assert result.flagged and result.share == 1.0 and result.p_value < Q.ALPHA


@settings(max_examples=30)
@given(seed=st.integers(0, 10**6), n=st.integers(200, 4000))
def test_an_honest_doctor_with_uniform_last_digits_is_not_flagged(seed: int, n: int) -> None:
    rng = random.Random(seed)
    result = Q.digit_check(rng.randint(60, 200) for _ in range(n))
    assert not result.flagged
    assert 0.1 < result.share < 0.3


def test_a_large_honest_doctor_with_23_percent_is_significant_but_not_flagged() -> None:
    readings = [120] * 2300 + [121] * 7700  # 10,000 readings, 23 % ending in 0
    result = Q.digit_check(readings)
    assert result.p_value < Q.ALPHA  # a mild rounding habit is detectable with so many readings …
    assert not result.flagged  # … and under the 40 % effect size, so not flagged


def test_digit_minimum_readings_29_is_never_flagged_30_is() -> None:
    assert not Q.digit_check([140] * 29).flagged
    assert Q.digit_check([140] * 30).flagged


def test_digit_share_39_5_percent_is_not_flagged_40_percent_is() -> None:
    assert not Q.digit_check([140] * 79 + [141] * 121).flagged  # 39.5 % of 200, p far below 0.001
    assert Q.binomial_tail(79, 200, 0.2) < Q.ALPHA
    assert Q.digit_check([140] * 80 + [141] * 120).flagged


def test_digit_p_value_at_the_threshold_decides() -> None:
    # 40 readings, share >= 40 %: k = 16 gives p ≈ 0.0029 (not flagged), k = 19 gives p < 0.001 (flagged)
    assert Q.binomial_tail(16, 40, 0.2) > Q.ALPHA
    assert not Q.digit_check([140] * 16 + [141] * 24).flagged
    assert Q.binomial_tail(19, 40, 0.2) < Q.ALPHA
    assert Q.digit_check([140] * 19 + [141] * 21).flagged


# -- 2. identical readings ----------------------------------------------------------------------------------------
def test_three_visits_in_a_row_with_the_same_reading_are_flagged_two_are_not() -> None:
    three = [visit(i, day=f"2026-0{i + 1}-10") for i in range(3)]
    assert Q.identical_runs(three) == {"v0000": 3, "v0001": 3, "v0002": 3}
    assert Q.identical_runs(three[:2]) == {}


def test_a_different_reading_between_breaks_the_run() -> None:
    rows = [
        visit(0, day="2026-01-10"),
        visit(1, day="2026-02-10"),
        visit(2, day="2026-03-10", sbp=142),
        visit(3, day="2026-04-10"),
    ]
    assert Q.identical_runs(rows) == {}


def test_identical_runs_are_per_patient_and_disease_and_count_the_glucose() -> None:
    rows = [
        visit(0, day="2026-01-10"),
        visit(1, day="2026-02-10", patient="p2"),
        visit(2, day="2026-03-10", disease="diabetes", glucose="6.1"),
        visit(3, day="2026-04-10", disease="diabetes", glucose="6.1"),
        visit(4, day="2026-05-10", disease="diabetes", glucose="6.2"),
    ]
    assert Q.identical_runs(rows) == {}


def test_the_run_length_is_the_countys_policy() -> None:
    two = [visit(i, day=f"2026-0{i + 1}-10") for i in range(2)]
    assert set(Q.identical_runs(two, Q.Thresholds(identical_run=2))) == {"v0000", "v0001"}


# -- 3. bursts ----------------------------------------------------------------------------------------------------
def burst_rows(count: int, minutes: float, patients: int | None = None, **kw: Any) -> list[dict[str, Any]]:
    step = minutes / (count - 1)
    return [
        visit(i, patient=f"p{i % (patients or count)}", recorded=at("2026-03-02", i * step), **kw)
        for i in range(count)
    ]


def test_six_patients_recorded_within_ten_minutes_are_a_burst() -> None:
    assert set(Q.bursts(burst_rows(6, 10))) == {f"v{i:04d}" for i in range(6)}


def test_five_patients_or_six_over_more_than_ten_minutes_are_not() -> None:
    assert Q.bursts(burst_rows(5, 2)) == {}
    assert Q.bursts(burst_rows(6, 10.05)) == {}


def test_six_visits_of_five_patients_are_not_a_burst() -> None:
    assert Q.bursts(burst_rows(6, 5, patients=5)) == {}


def test_paper_forms_typed_in_later_phone_visits_and_corrections_are_not_bursts() -> None:
    later = [
        visit(i, patient=f"p{i}", day="2026-03-01", recorded=at("2026-03-02", i)) for i in range(8)
    ]  # dated the day before they were typed
    assert Q.bursts(later) == {}
    assert Q.bursts(burst_rows(8, 5, mode="phone")) == {}
    assert Q.bursts(burst_rows(8, 5, supersedes="old")) == {}


def test_a_burst_is_one_doctors() -> None:
    rows = [visit(i, patient=f"p{i}", doctor=f"d{i % 2}", recorded=at("2026-03-02", i)) for i in range(10)]
    assert Q.bursts(rows) == {}  # five each within ten minutes


def test_the_day_of_a_burst_is_the_clinics_local_day() -> None:
    # recorded 2026-03-01 17:00 UTC = 2026-03-02 01:00 in Beijing, dated 2026-03-02
    rows = [
        visit(i, patient=f"p{i}", recorded=f"2026-03-01T17:0{i}:00.000Z", day="2026-03-02") for i in range(6)
    ]
    assert Q.bursts(rows, utc_offset_minutes=0) == {}
    assert len(Q.bursts(rows, utc_offset_minutes=480)) == 6


@settings(max_examples=80)
@given(st.lists(st.tuples(st.integers(0, 120), st.integers(0, 7)), min_size=1, max_size=30))
def test_a_visit_is_in_a_burst_exactly_when_some_ten_minutes_around_it_hold_six_patients(
    entries: list[tuple[int, int]],
) -> None:
    rows = [
        visit(i, patient=f"p{patient}", recorded=at("2026-03-02", minute))
        for i, (minute, patient) in enumerate(entries)
    ]
    flagged = set(Q.bursts(rows))
    for row, (minute, _) in zip(rows, entries, strict=True):
        windows = [
            {p for m, p in entries if start <= m <= start + LIMITS.burst_minutes}
            for start, _ in entries
            if start <= minute <= start + LIMITS.burst_minutes
        ]
        assert (row["id"] in flagged) == any(len(w) >= LIMITS.burst_visits for w in windows)


@settings(max_examples=80)
@given(st.lists(st.sampled_from([(140, 90), (135, 85)]), min_size=1, max_size=12))
def test_a_visit_is_flagged_identical_exactly_when_its_run_of_equal_readings_is_three_or_more(
    readings: list[tuple[int, int]],
) -> None:
    rows = [
        visit(i, day=f"2026-{1 + i:02d}-01" if i < 12 else "2026-12-31", sbp=s, dbp=d)
        for i, (s, d) in enumerate(readings)
    ]
    flagged = Q.identical_runs(rows)
    for i, reading in enumerate(readings):
        start = i
        while start > 0 and readings[start - 1] == reading:
            start -= 1
        end = i
        while end + 1 < len(readings) and readings[end + 1] == reading:
            end += 1
        run = end - start + 1
        assert flagged.get(rows[i]["id"]) == (run if run >= LIMITS.identical_run else None)


# -- 4. lonely days -----------------------------------------------------------------------------------------------
def test_a_visit_typed_in_later_for_a_day_without_any_trace_is_lonely() -> None:
    row = visit(0, day="2026-03-02", recorded="2026-03-09T02:00:00.000Z")
    assert Q.lonely_days([row], set()) == {"v0000": "2026-03-09"}


def test_a_visit_recorded_on_its_day_is_never_lonely() -> None:
    assert Q.lonely_days([visit(0, day="2026-03-02")], set()) == {}


def test_another_visit_or_any_row_of_the_doctor_that_day_is_a_trace() -> None:
    late = visit(0, day="2026-03-02", recorded="2026-03-09T02:00:00.000Z")
    other = visit(1, patient="p2", day="2026-03-02", recorded="2026-03-09T02:05:00.000Z")
    assert Q.lonely_days([late, other], set()) == {}
    assert Q.lonely_days([late], {("fab", "2026-03-02")}) == {}
    assert Q.lonely_days([late], {("someone else", "2026-03-02")}) == {"v0000": "2026-03-09"}
    corrected = visit(2, day="2026-03-02", recorded="2026-03-09T02:00:00.000Z", supersedes="v0000")
    assert Q.lonely_days([corrected], set()) == {}


# -- policy and period --------------------------------------------------------------------------------------------
def test_policy_values_out_of_range_are_refused_naming_the_key() -> None:
    assert Q.policy_number("entry_quality.burst_minutes", None) == 10
    assert Q.policy_number("entry_quality.burst_minutes", "15") == 15
    with pytest.raises(ValidationError) as refused:
        Q.policy_number("entry_quality.digit_min_share_pct", "20")  # at chance: every doctor would be flagged
    assert refused.value.field == "entry_quality.digit_min_share_pct"


@pytest.mark.parametrize("text", ["1999", "2101", "abc", "", "26.5"])
def test_a_period_that_is_not_a_year_2000_2100_is_refused(text: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Q.parse_period(text)
    assert refused.value.field == "period"


def test_full_width_digits_are_a_year() -> None:
    assert Q.parse_period("２０２６") == 2026


# -- the report on a constructed clinic ------------------------------------------------------------------------
def id_number(i: int) -> str:
    first = f"11010519{50 + i % 20}0{1 + i % 9}1{i % 10}{i // 10 % 10}{i // 100 % 10}{2 * (i % 5)}"[:17]
    return first + check_character(first)


def constructed(store: Store, admin: users.User) -> dict[str, str]:
    """An honest doctor (uniform last digits, 240 visits spread over the year) and a fabricating one (every
    reading ends in 0 or 5, one patient's three identical readings, a burst of six, one lonely day)."""
    users.add_user(store, admin, "honest", "village_doctor", "doctor-pass-1", display_name="李医生")
    users.add_user(store, admin, "fab", "village_doctor", "doctor-pass-1", display_name="赵医生")
    ids = {u.username: u.id for u in users.list_users(store.conn, store.clinic_id)}
    vid = R.add_village(store, admin, "石头村")
    patients = []
    for i in range(40):
        patients.append(
            R.add_resident(
                store,
                admin,
                R.ResidentInput(name=f"病人{chr(0x4E00 + i)}", id_number=id_number(i), village_id=vid),
                today=dt.date(2026, 1, 1),
            )
        )
    rng = random.Random(7)
    with store.unit(admin.id, "test.followups") as uow:

        def add(doctor: str, patient: str, day: dt.date, minutes: int, sbp: int, dbp: int, **kw: Any) -> str:
            stamp = at(day.isoformat(), minutes)
            return uow.insert(
                "followup",
                {
                    "resident_id": patient,
                    "disease": "hypertension",
                    "visit_date": day.isoformat(),
                    "visit_mode": "clinic",
                    "sbp_1": sbp,
                    "dbp_1": dbp,
                    "sbp": sbp,
                    "dbp": dbp,
                    "classification": "controlled",
                    "created_by": ids[doctor],
                    "created_at": kw.pop("recorded", stamp),
                    **kw,
                },
            )

        for i in range(240):  # honest: 6 visits a patient over the year, 40 minutes apart on a day
            day = dt.date(2026, 1, 5) + dt.timedelta(days=i // 4 + 60 * (i % 4 // 2))
            add("honest", patients[i % 20], day, 40 * (i % 4), rng.randint(110, 170), rng.randint(60, 99))
        wrong = add("honest", patients[0], dt.date(2026, 11, 2), 0, 150, 90)
        add("honest", patients[0], dt.date(2026, 11, 2), 5, 151, 92, supersedes=wrong)  # the correction
        for i in range(30):  # fabricating: the rest of his patients, every reading rounded to 5
            day = dt.date(2026, 2, 2) + dt.timedelta(days=3 * i)
            add("fab", patients[20 + i % 20], day, 0, 5 * rng.randint(24, 32), 5 * rng.randint(14, 18))
        for month in (4, 5, 6):  # one patient's same reading three times
            add("fab", patients[39], dt.date(2026, month, 20), 0, 145, 95)
        for i in range(6):  # six patients in six minutes
            add("fab", patients[20 + i], dt.date(2026, 7, 7), i, 140, 90)
        lonely = add(
            "fab", patients[25], dt.date(2026, 8, 15), 0, 135, 85, recorded="2026-08-30T03:00:00.000Z"
        )
        add("fab", patients[26], dt.date(2025, 12, 30), 0, 130, 80)  # another year: not in the report
    return {"honest": ids["honest"], "fab": ids["fab"], "lonely": lonely, "wrong": wrong}


@pytest.fixture
def quality(clinic: Clinic) -> dict[str, str]:
    return constructed(clinic.store, clinic.admin)


def test_the_fabricating_doctor_is_flagged_on_every_check_and_the_honest_one_on_none(
    clinic: Clinic, quality: dict[str, str]
) -> None:
    report = Q.build(clinic.store.conn, clinic.store.clinic_id, YEAR, utc_offset_minutes=480)
    doctors = {d.username: d for d in report.doctors}
    fab, honest = doctors["fab"], doctors["honest"]
    assert fab.flagged and fab.digits_flagged and fab.share == 1.0 and fab.readings == 2 * 40
    assert (fab.identical, fab.burst, fab.lonely) == (3, 6, 1)
    assert not honest.flagged and not honest.digits_flagged
    assert (honest.identical, honest.burst, honest.lonely) == (0, 0, 0)
    assert honest.visits == 241 and honest.readings == 2 * 241  # the corrected row counts once, as corrected
    assert report.doctors[0].username == "fab"  # flagged first
    reasons = {v.followup_id: v.reasons for v in report.visits}
    assert reasons[quality["lonely"]] == ("lonely",)
    assert quality["wrong"] not in reasons
    assert {v.doctor for v in report.visits} == {"赵医生"}
    assert sorted(r for v in report.visits for r in v.reasons) == ["burst"] * 6 + ["identical"] * 3 + [
        "lonely"
    ]


def test_the_countys_policy_moves_the_thresholds(clinic: Clinic, quality: dict[str, str]) -> None:
    with clinic.store.unit(clinic.admin.id, "test.policy") as uow:
        for key, value in (("entry_quality.burst_visits", "7"), ("entry_quality.identical_run", "4")):
            uow.insert("policy", {"key": key, "value": value, "effective_from": "2026-01-01"})
    report = Q.build(clinic.store.conn, clinic.store.clinic_id, YEAR, utc_offset_minutes=480)
    fab = next(d for d in report.doctors if d.username == "fab")
    assert (fab.identical, fab.burst, fab.lonely) == (0, 0, 1)
    assert report.thresholds.burst_visits == 7


def test_a_year_without_follow_ups_is_an_empty_report(clinic: Clinic) -> None:
    report = Q.build(clinic.store.conn, clinic.store.clinic_id, 2020)
    assert report.doctors == [] and report.visits == []


# -- the command --------------------------------------------------------------------------------------------------
@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    c = Cli(tmp_path, capsys, monkeypatch)
    assert c("init", "--clinic-code", "C001", "--clinic-name", "石头村卫生室", "--admin", "admin")[0] == 0
    store = Store.open(c.db, c.key)
    try:
        admin = users.authenticate(store, "admin", PW)
        constructed(store, admin)
    finally:
        store.close()
    return c


def report(cli: Cli, *args: str, password: str | None = None) -> tuple[int, str, str]:
    return cli("report", "entry-quality", *args, password=password)


def test_cli_json_is_one_object_with_the_doctors_and_the_flagged_visits(cli: Cli) -> None:
    code, out, err = report(cli, "--period", "2026", "--json", "--user", "admin")
    assert code == 0, err
    body = json.loads(out)
    assert body["period"] == 2026
    assert body["thresholds"]["alpha"] == Q.ALPHA and body["thresholds"]["digit_min_readings"] == 30
    by_name = {d["username"]: d for d in body["doctors"]}
    assert by_name["fab"]["flagged"] is True and by_name["fab"]["share"] == 1.0
    assert by_name["honest"]["flagged"] is False and by_name["honest"]["readings"] == 482
    assert {r for v in body["flagged_visits"] for r in v["reasons"]} == {"identical", "burst", "lonely"}


def test_cli_table_names_the_flagged_doctor_and_why(cli: Cli) -> None:
    code, out, err = report(cli, "--period", "2026", "--user", "admin")
    assert code == 0, err
    lines = out.splitlines()
    fab = next(line for line in lines if line.startswith("赵医生 (fab)"))
    honest = next(line for line in lines if line.startswith("李医生 (honest)"))
    assert fab.endswith("FLAGGED") and "100%" in fab
    assert honest.endswith("-")
    assert any("same reading 3 visits in a row" in line for line in lines)
    assert any("6 patients' face-to-face visits recorded within 10 minutes" in line for line in lines)
    assert lines[-1] == "1 doctor(s) flagged, 10 visit(s) flagged"


def test_cli_is_audited(cli: Cli) -> None:
    assert report(cli, "--period", "2026", "--user", "admin")[0] == 0
    store = Store.open(cli.db, cli.key)
    try:
        row = store.conn.execute(
            "SELECT summary FROM audit_log WHERE action = 'report.entry_quality'"
        ).fetchone()
    finally:
        store.close()
    assert row[0] == "entry-quality report 2026: 1 doctor(s), 10 visit(s) flagged"


@pytest.mark.parametrize("year", ["1999", "abc", "２０２6x"])
def test_cli_bad_year_exits_3_naming_the_period(cli: Cli, year: str) -> None:
    code, out, err = report(cli, "--period", year, "--user", "admin")
    assert code == 3 and out == ""
    assert "period" in err


def test_cli_a_doctor_is_refused_and_without_user_it_says_why(cli: Cli) -> None:
    code, _, err = report(cli, "--period", "2026", "--user", "fab", password="doctor-pass-1")
    assert code == 4 and "only a clinic admin" in err
    code, _, err = report(cli, "--period", "2026")
    assert code == 2 and "--user" in err  # a missing option: usage
