"""Chronic-care indicators (RULES §5, clinic_app.chronic_indicators) against a hand-built clinic whose figures are
worked out by hand (tests/indicator_clinic.py), the rules of one patient as properties, and `clinic report
indicators` (JSON, the table, Excel, a bad year)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic_app import chronic_indicators as I
from clinic_app.cli import main

from . import indicator_clinic as B
from .conftest import Clinic


@pytest.fixture
def built(clinic: Clinic) -> Clinic:
    B.build(clinic.store, clinic.admin)
    return clinic


def by_name(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["name"]: {d: r[d] for d in ("hypertension", "diabetes")} for r in rows}


def test_the_clinic_figures_are_the_ones_worked_out_by_hand(built: Clinic) -> None:
    report = I.clinic_report(built.store.conn, built.store.clinic_id, B.PERIOD)
    assert report["clinic"] == B.EXPECTED_CLINIC
    assert report["clinic"]["hypertension"]["standard_rate"] == 0.3333
    assert report["clinic"]["hypertension"]["control_rate"] == 0.6
    assert (report["start"], report["end"], report["control_registered_by"]) == (
        "2025-01-01",
        "2025-12-31",
        "2025-09-30",
    )


def test_the_village_and_doctor_figures_add_up_to_the_clinic(built: Clinic) -> None:
    report = I.clinic_report(built.store.conn, built.store.clinic_id, B.PERIOD)
    assert by_name(report["villages"]) == B.EXPECTED_VILLAGES
    assert by_name(report["doctors"]) == B.EXPECTED_DOCTORS


def test_a_superseded_follow_up_never_counts_and_its_correction_counts_once(built: Clinic) -> None:
    conn = built.store.conn
    start, end = I.period_bounds(B.PERIOD)
    patients = {p.registered_on: p for p in I.clinic_patients(conn, built.store.clinic_id, start, end)}
    third = patients["2024-03-01"]  # 丙: five rows in 2025, one superseded
    assert (
        conn.execute(
            "SELECT count(*) FROM followup WHERE resident_id = (SELECT id FROM resident WHERE name = '丙')"
        ).fetchone()[0]
        == 5
    )
    assert third.face_to_face == 4
    assert third.latest is not None and (third.latest.visit_date, third.latest.classification) == (
        "2025-12-05",
        "controlled",
    )


def test_two_face_to_face_follow_ups_on_one_day_are_one_visit_toward_standard_management(
    built: Clinic,
) -> None:
    conn = built.store.conn
    start, end = I.period_bounds(B.PERIOD)
    # 甲 and 乙, registered the same day: 甲 four visits on four days, 乙 on three
    both = sorted(
        p.face_to_face
        for p in I.clinic_patients(conn, built.store.clinic_id, start, end)
        if (p.registered_on, p.disease) == ("2024-06-01", "hypertension")
    )
    rows = conn.execute(
        "SELECT count(*) FROM followup WHERE visit_mode = 'clinic' AND visit_date LIKE '2025-%'"
        " AND resident_id = (SELECT id FROM resident WHERE name = '乙')"
    ).fetchone()[0]
    assert (rows, both) == (4, [3, 4])  # 乙: June's visit recorded twice
    htn = I.clinic_report(conn, built.store.clinic_id, B.PERIOD)["clinic"]["hypertension"]
    assert (htn["standard_managed"], htn["followups_done"]) == (2, 13)


def test_another_year_reads_only_its_own_visits(built: Clinic) -> None:
    report = I.clinic_report(built.store.conn, built.store.clinic_id, 2024)
    htn = report["clinic"]["hypertension"]
    # 2024: 甲 乙 (from June), 丙 (March), 戊 己 (from Jan; 己 lost in Dec), 辛 (May); 甲's one visit, controlled
    assert (htn["under_management"], htn["followups_done"], htn["controlled"]) == (6, 1, 1)
    assert report["clinic"]["diabetes"]["under_management"] == 0


@pytest.mark.parametrize("year", ["1999", "2101", "20x5", "", "-2025"])
def test_a_bad_year_is_refused_naming_the_period(year: str) -> None:
    from clinic_app.errors import ValidationError

    with pytest.raises(ValidationError) as caught:
        I.period_bounds(year)
    assert caught.value.field == "period"


def test_a_year_typed_in_full_width_digits_is_the_year() -> None:
    assert (
        I.period_bounds("２０２５")[0].year == 2025
    )  # a Chinese input method types these (clinic_app.digits)


@pytest.mark.parametrize(
    ("end", "cutoff"),
    [
        ("2025-12-31", "2025-09-30"),
        ("2025-05-31", "2025-02-28"),
        ("2024-05-31", "2024-02-29"),
        ("2025-02-15", "2024-11-15"),
    ],
)
def test_the_control_rate_counts_patients_registered_three_months_before_the_end(
    end: str, cutoff: str
) -> None:
    assert I.control_cutoff(dt.date.fromisoformat(end)) == dt.date.fromisoformat(cutoff)


days = st.dates(dt.date(2023, 1, 1), dt.date(2027, 12, 31))


@given(
    registered=days,
    ended=st.none() | days,
    face_to_face=st.integers(0, 12),
    controlled=st.booleans(),
)
def test_one_patient_counts_within_the_bounds_of_the_rules(
    registered: dt.date, ended: dt.date | None, face_to_face: int, controlled: bool
) -> None:
    start, end = I.period_bounds(2025)
    latest = (
        I.Latest("2025-06-01", "controlled" if controlled else "uncontrolled", "d") if face_to_face else None
    )
    p = I.Patient(
        "c",
        "v",
        "d",
        "hypertension",
        registered.isoformat(),
        "continue" if ended is None else "lost",
        None if ended is None else ended.isoformat(),
        face_to_face,
        latest,
    )
    [by_none] = I.tally([p], start, end, lambda _: None)
    figures = by_none.get((None, "hypertension"), I.Figures())
    managed = registered <= end and (ended is None or ended >= max(start, registered))
    assert figures.under_management == int(managed)
    if not managed:
        assert figures == I.Figures()
        return
    assert figures.standard_managed == int(face_to_face >= 4)
    assert figures.control_counted == int(registered <= dt.date(2025, 9, 30))
    assert figures.controlled <= figures.control_counted
    assert figures.controlled == int(figures.control_counted == 1 and face_to_face > 0 and controlled)
    assert 1 <= figures.followups_due <= 4
    assert figures.followups_due == 4 or registered > start or (ended is not None and ended < end)


# -- the command ----------------------------------------------------------------------------------------------------
def run(c: Clinic, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["report", "indicators", "--db", str(c.db), "--key-file", str(c.key), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_command_prints_one_json_object_with_the_figures(
    built: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    built.store.close()
    code, out, err = run(built, capsys, "--period", "2025", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["period"] == 2025
    assert report["clinic"] == B.EXPECTED_CLINIC
    assert by_name(report["doctors"]) == B.EXPECTED_DOCTORS


def test_the_command_prints_a_table_with_the_rates(built: Clinic, capsys: pytest.CaptureFixture[str]) -> None:
    built.store.close()
    code, out, _ = run(built, capsys, "--period", "2025")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Chronic-care indicators 2025 (2025-01-01 .. 2025-12-31), the clinic"
    clinic_htn = next(line for line in lines if line.startswith("clinic\t") and "\t6\t" in line)
    assert clinic_htn.split("\t")[2:] == ["6", "2", "33.3%", "5", "3", "60.0%", "13", "18"]
    assert any(line.startswith("village: 河边村\t") for line in lines)
    assert any(line.startswith("doctor: 王医生\t") for line in lines)


def test_the_command_writes_the_workbook(
    built: Clinic, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    built.store.close()
    target = tmp_path / "指标.xlsx"
    code, out, err = run(built, capsys, "--period", "2025", "--xlsx", str(target))
    assert code == 0, err
    assert out.splitlines()[-1] == f"written to {target}"
    book = load_workbook(target)
    assert book.sheetnames == ["全卫生室 2025", "按村 2025", "按医生 2025"]
    rows = list(book["全卫生室 2025"].iter_rows(values_only=True))
    assert rows[1][:4] == ("名称", "病种", "管理人数", "规范管理人数")
    assert rows[2] == ("合计", "高血压", 6, 2, 33.33, 5, 3, 60.0, 13, 18)
    doctors = {r[:2]: r for r in book["按医生 2025"].iter_rows(min_row=3, values_only=True)}
    assert doctors[("王医生", "高血压")][2:] == (2, 0, 0.0, 2, 0, 0.0, 3, 8)


@pytest.mark.parametrize("year", ["1999", "next", "2025.5"])
def test_a_bad_year_exits_3_naming_the_period_and_writes_nothing(
    built: Clinic, capsys: pytest.CaptureFixture[str], tmp_path: Path, year: str
) -> None:
    built.store.close()
    target = tmp_path / "x.xlsx"
    code, out, err = run(built, capsys, "--period", year, "--xlsx", str(target))
    assert code == 3
    assert "period" in err and "Traceback" not in err
    assert out == "" and not target.exists()


def test_a_workbook_into_a_folder_that_does_not_exist_exits_3_naming_it_and_prints_no_traceback(
    built: Clinic, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc
    import sys

    built.store.close()
    target = tmp_path / "no-such-stick" / "指标.xlsx"
    ignored: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", ignored.append)  # "Exception ignored in …" goes here
    code, _out, err = run(built, capsys, "--period", "2025", "--xlsx", str(target))
    gc.collect()  # the write-only sheet's clean-up printed a traceback when it ran here
    assert code == 3 and "no-such-stick" in err and "Traceback" not in err
    assert ignored == []
    assert not target.parent.exists()
