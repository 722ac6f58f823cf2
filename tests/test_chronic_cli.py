"""`clinic chronic register`, `clinic followup add`, `clinic referral follow-up`, `clinic worklist …` (issue 12 point
11) on a real database: exit codes, messages naming the field and the rule, nothing written on a refusal."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from clinic_app.idcard import check_character
from clinic_app.store import Store

from .test_cli import Cli

TODAY = dt.date.today()


def id_number(born: str, sequence: str = "002") -> str:
    first = "110105" + born.replace("-", "") + sequence
    return first + check_character(first)


SIXTY = id_number(f"{TODAY.year - 60}-01-15")  # 60 this year (born in January, before any test date)
YOUNG = id_number("2000-05-05")  # under 35 for years to come


def day(days_ago: int) -> str:
    return (TODAY - dt.timedelta(days=days_ago)).isoformat()


def after(text: str, days: int) -> str:
    return (dt.date.fromisoformat(text) + dt.timedelta(days=days)).isoformat()


@pytest.fixture
def chronic(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    c = Cli(tmp_path, capsys, monkeypatch)
    assert c("init", "--clinic-code", "C001", "--clinic-name", "石头村卫生室", "--admin", "admin")[0] == 0
    for number, name in ((SIXTY, "张三"), (YOUNG, "李四")):
        code, _, err = c("resident", "add", "--user", "admin", "--id-number", number, "--name", name)
        assert code == 0, err
    return c


def register(
    cli: Cli, number: str = SIXTY, disease: str = "hypertension", icd: str = "I10.x00"
) -> tuple[int, str, str]:
    return cli(
        "chronic",
        "register",
        "--resident",
        number,
        "--disease",
        disease,
        "--icd",
        icd,
        "--confirmed",
        day(800),
        "--institution",
        "县人民医院",
        "--user",
        "admin",
    )


def followup(cli: Cli, date: str, *args: str, disease: str = "hypertension") -> tuple[int, str, str]:
    return cli(
        "followup",
        "add",
        "--resident",
        SIXTY,
        "--disease",
        disease,
        "--date",
        date,
        "--mode",
        "clinic",
        *args,
        "--user",
        "admin",
    )


def followup_json(cli: Cli, date: str, *args: str, disease: str = "hypertension") -> dict[str, Any]:
    code, out, err = followup(cli, date, *args, "--json", disease=disease)
    assert code == 0, err
    answer: dict[str, Any] = json.loads(out)
    return answer


def counts(cli: Cli) -> dict[str, int]:
    store = Store.open(cli.db, cli.key)
    try:
        return store.table_counts(["disease_registration", "followup", "referral", "outbox", "audit_log"])
    finally:
        store.close()


def test_register_prints_the_registration(chronic: Cli) -> None:
    code, out, err = register(chronic)
    assert code == 0, err
    assert "张三" in out and "I10.x00" in out and "registered" in out


@pytest.mark.parametrize(
    ("number", "disease", "icd", "field", "rule", "says"),
    [
        (SIXTY, "hypertension", "I15", "--icd", "secondary_hypertension", "refer"),
        (SIXTY, "hypertension", "I15.000", "--icd", "secondary_hypertension", "refer"),
        (SIXTY, "hypertension", "I14", "--icd", "icd_invalid", "does not exist"),
        (SIXTY, "diabetes", "E10", "--icd", "type_1_diabetes", "type 1"),
        (SIXTY, "hypertension", "I1O", "--icd", "icd_format", "not an ICD-10 code"),
        (YOUNG, "hypertension", "I10", "--resident", "min_age", "35 or more"),
    ],
)
def test_register_exits_3_naming_the_rule_and_writes_nothing(
    chronic: Cli, number: str, disease: str, icd: str, field: str, rule: str, says: str
) -> None:
    before = counts(chronic)
    code, _, err = register(chronic, number, disease, icd)
    assert code == 3
    assert f"{field}:" in err and f"[{rule}]" in err and says in err
    assert counts(chronic) == before


def test_register_an_unknown_resident_or_twice_exits_3(chronic: Cli) -> None:
    assert register(chronic, id_number("1970-01-01", "005"))[0] == 3
    assert register(chronic)[0] == 0
    code, _, err = register(chronic)
    assert code == 3 and "[duplicate]" in err


def test_followup_add_json_gives_classification_referral_and_next_date(chronic: Cli) -> None:
    assert register(chronic)[0] == 0
    first = followup_json(chronic, day(60), "--sbp", "139", "--dbp", "89")
    assert (first["classification"], first["referral"], first["next_visit_date"]) == (
        "controlled",
        None,
        after(day(60), 90),
    )
    second = followup_json(chronic, day(40), "--sbp", "140", "--dbp", "85")
    assert (second["classification"], second["referral"], second["next_visit_date"]) == (
        "uncontrolled",
        None,
        after(day(40), 14),
    )
    third = followup_json(chronic, day(26), "--sbp", "152", "--dbp", "96")
    assert (third["classification"], third["referral"], third["next_visit_date"]) == (
        "uncontrolled",
        "routine",
        after(day(26), 14),
    )
    emergency = followup_json(chronic, day(12), "--sbp", "170", "--dbp", "110")
    assert (emergency["classification"], emergency["referral"]) == ("uncontrolled", "emergency")


@pytest.mark.parametrize(
    ("fpg", "classification", "referral"),
    [
        ("6.9", "controlled", None),
        ("7.0", "uncontrolled", None),
        ("16.7", "uncontrolled", "emergency"),
        ("3.9", "controlled", "emergency"),
    ],
)
def test_followup_add_for_diabetes_classifies_by_the_fasting_glucose(
    chronic: Cli, fpg: str, classification: str, referral: str | None
) -> None:
    assert register(chronic, disease="diabetes", icd="E11.900")[0] == 0
    answer = followup_json(chronic, day(5), "--fpg", fpg, disease="diabetes")
    assert (answer["classification"], answer["referral"]) == (classification, referral)


def test_followup_add_prints_the_classification_the_referral_and_the_next_date(chronic: Cli) -> None:
    assert register(chronic)[0] == 0
    code, out, err = followup(
        chronic,
        day(3),
        "--sbp",
        "150",
        "--dbp",
        "80",
        "--symptom",
        "severe_headache_dizziness",
        "nausea_vomiting",
    )
    assert code == 0, err
    assert "uncontrolled 控制不满意" in out
    assert "referral: emergency 紧急转诊" in out and "emergency_sign:severe_headache_dizziness" in out
    assert f"next visit: {after(day(3), 14)}" in out


@pytest.mark.parametrize(
    ("args", "field", "rule", "says"),
    [
        (["--sbp", "80", "--dbp", "90"], "--sbp", "sbp_above_dbp", "SBP must exceed DBP"),
        (["--sbp", "350", "--dbp", "90"], "--sbp", "range", "70-300 mmHg"),
        (["--sbp", "150", "--dbp", "30"], "--dbp", "range", "40-180 mmHg"),
        (["--sbp", "abc", "--dbp", "80"], "--sbp", "number", "70-300"),
        (["--sbp", "150"], "--dbp", "required", "both SBP and DBP"),
        (["--sbp", "130", "--dbp", "80", "--heart-rate", "400"], "--heart-rate", "range", "30-220"),
        (["--sbp", "130", "--dbp", "80", "--symptom", "hiccups"], "--symptom", "choice", "hiccups"),
        (
            ["--sbp", "130", "--dbp", "80", "--override", "uncontrolled"],
            "--reason",
            "required",
            "reason",
        ),
        ([], "--sbp/--dbp or --fpg (reading)", "required", "SBP and DBP"),
    ],
)
def test_followup_add_exits_3_naming_the_field_and_writes_nothing(
    chronic: Cli, args: list[str], field: str, rule: str, says: str
) -> None:
    assert register(chronic)[0] == 0
    before = counts(chronic)
    code, _, err = followup(chronic, day(3), *args)
    assert code == 3
    assert f"{field}:" in err and f"[{rule}]" in err and says in err
    assert "Traceback" not in err
    assert counts(chronic) == before


def test_followup_add_refuses_glucose_outside_1_to_33_3(chronic: Cli) -> None:
    assert register(chronic, disease="diabetes", icd="E11")[0] == 0
    code, _, err = followup(chronic, day(3), "--fpg", "40", disease="diabetes")
    assert code == 3 and "--fpg (fasting_glucose):" in err and "1.0-33.3 mmol/L" in err


def test_followup_add_of_an_unregistered_disease_exits_3(chronic: Cli) -> None:
    code, _, err = followup(chronic, day(3), "--sbp", "130", "--dbp", "80")
    assert code == 3 and "disease:" in err and "[not_registered]" in err


def test_followup_add_without_a_user_exits_2_usage(chronic: Cli) -> None:
    assert register(chronic)[0] == 0
    code = chronic(
        "followup",
        "add",
        "--resident",
        SIXTY,
        "--disease",
        "hypertension",
        "--date",
        day(1),
        "--mode",
        "home",
        "--sbp",
        "130",
        "--dbp",
        "80",
    )[0]
    assert code == 2


def test_the_worklists_list_and_a_followed_up_referral_leaves_its_list(chronic: Cli) -> None:
    assert register(chronic)[0] == 0
    followup_json(chronic, day(120), "--sbp", "130", "--dbp", "80")  # next: 30 days ago
    code, out, _ = chronic("worklist", "overdue", "--json")
    [row] = json.loads(out)
    assert code == 0 and (row["name"], row["days_overdue"], row["due_on"]) == ("张三", 30, day(30))
    assert row["id_number"].count("*") > 0, "masked unless --reveal"
    assert json.loads(chronic("worklist", "due", "--json")[1]) == []
    code, out, _ = chronic("worklist", "overdue")
    assert code == 0 and "30 days overdue" in out and "张三" in out and "1 patient(s)" in out
    # worked: an emergency follow-up today; due again within the week, referred
    referral = followup_json(chronic, day(0), "--sbp", "185", "--dbp", "100")
    assert json.loads(chronic("worklist", "overdue", "--json")[1]) == []
    assert json.loads(chronic("worklist", "due", "--json")[1]) == []
    assert [r["name"] for r in json.loads(chronic("worklist", "due", "--days", "15", "--json")[1])] == [
        "张三"
    ]
    [open_referral] = json.loads(chronic("worklist", "referrals", "--json")[1])
    assert (open_referral["referral_id"], open_referral["urgency"]) == (referral["referral_id"], "emergency")
    code, _, err = chronic(
        "referral", "follow-up", referral["referral_id"], "--arrived", "yes", "--user", "admin"
    )
    assert code == 3 and "outcome:" in err
    code, _, err = chronic(
        "referral",
        "follow-up",
        referral["referral_id"],
        "--arrived",
        "yes",
        "--outcome",
        "已住院治疗",
        "--user",
        "admin",
    )
    assert code == 0, err
    assert json.loads(chronic("worklist", "referrals", "--json")[1]) == []
    code, out, _ = chronic("worklist", "short", "--json")
    rows = json.loads(out)
    visits_this_year = sum(1 for d in (day(120), day(0)) if d.startswith(str(TODAY.year)))
    assert [(r["name"], r["done"], r["left"]) for r in rows] == [
        ("张三", visits_this_year, 4 - visits_this_year)
    ]


def test_chronic_end_takes_the_patient_off_the_worklists(chronic: Cli) -> None:
    assert register(chronic)[0] == 0
    followup_json(chronic, day(120), "--sbp", "130", "--dbp", "80")
    code, _, err = chronic(
        "chronic",
        "end",
        "--resident",
        SIXTY,
        "--disease",
        "hypertension",
        "--outcome",
        "terminated",
        "--reason",
        "迁往外省",
        "--user",
        "admin",
    )
    assert code == 0, err
    assert json.loads(chronic("worklist", "overdue", "--json")[1]) == []
    code, _, err = followup(chronic, day(1), "--sbp", "130", "--dbp", "80")
    assert code == 3 and "[not_registered]" in err


def test_followup_correct_supersedes_keeps_the_rest_and_lists_the_old_one_as_corrected(chronic: Cli) -> None:
    assert register(chronic)[0] == 0
    first = followup_json(chronic, day(40), "--sbp", "150", "--dbp", "95", "--drug", "氨氯地平片:5mg:1")
    assert first["classification"] == "uncontrolled"
    code, out, err = chronic(
        "followup",
        "correct",
        first["followup_id"],
        "--reason",
        "收缩压录错，应为135",
        "--sbp",
        "135",
        "--dbp",
        "85",
        "--user",
        "admin",
        "--json",
    )
    assert code == 0, err
    corrected = json.loads(out)
    assert (corrected["classification"], corrected["supersedes"]) == ("controlled", first["followup_id"])
    assert corrected["next_visit_date"] == after(day(40), 90), "classified afresh: the routine interval"
    code, out, _ = chronic("followup", "list", "--resident", SIXTY, "--json")
    rows = json.loads(out)
    assert [(r["id"], r["sbp"], r["corrected_by"]) for r in rows] == [
        (corrected["followup_id"], 135, None),
        (first["followup_id"], 150, corrected["followup_id"]),
    ]
    assert rows[0]["drugs"] == rows[1]["drugs"] != [], "what was not typed is kept"
    assert rows[1]["corrected_because"] == "收缩压录错，应为135" and rows[1]["corrected_user"]
    code, out, _ = chronic("followup", "list", "--resident", SIXTY)
    old_line = next(line for line in out.splitlines() if first["followup_id"] in line.split("\t")[6:7])
    assert code == 0 and "CORRECTED by" in old_line and "收缩压录错，应为135" in old_line
    assert "2 follow-up(s), 1 of them corrected" in out
    assert "\t门诊\t" in old_line and "控制满意" in out  # mode and class in the words a doctor reads


def test_followup_correct_twice_or_without_a_reason_exits_3_naming_the_option(chronic: Cli) -> None:
    assert register(chronic)[0] == 0
    first = followup_json(chronic, day(40), "--sbp", "150", "--dbp", "95")
    before = counts(chronic)
    code, _, err = chronic("followup", "correct", first["followup_id"], "--reason", " ", "--user", "admin")
    assert code == 3 and err.startswith("clinic: --reason:") and "[required]" in err
    code, _, err = chronic(
        "followup", "correct", first["followup_id"], "--reason", "x", "--sbp", "80", "--user", "admin"
    )
    assert code == 3 and err.startswith("clinic: --sbp:") and "[sbp_above_dbp]" in err and "sbp_1" not in err
    assert counts(chronic) == before, "nothing written"
    ok = ("followup", "correct", first["followup_id"], "--reason", "录错", "--sbp", "135", "--user", "admin")
    assert chronic(*ok)[0] == 0
    code, _, err = chronic(*ok)
    assert code == 3 and err.startswith("clinic: FOLLOWUP_ID:") and "[superseded]" in err


def test_the_referrals_list_says_by_when_and_why_in_words(chronic: Cli) -> None:
    assert register(chronic)[0] == 0
    followup_json(chronic, day(0), "--sbp", "185", "--dbp", "100")
    code, out, _ = chronic("worklist", "referrals")
    assert code == 0 and "within the days" not in out
    assert f"follow up by {after(day(0), 14)}" in out
    assert "blood pressure at the emergency level" in out and "emergency_bp" not in out
    [row] = json.loads(chronic("worklist", "referrals", "--json")[1])
    assert (row["reason"], row["reason_text"]) == (
        "emergency_bp",
        "blood pressure at the emergency level (≥ 180/110 mmHg)",
    )


def test_every_chronic_command_names_the_option_typed_not_the_stored_field(chronic: Cli) -> None:
    code, _, err = register(chronic, icd="I14")
    assert code == 3 and err.startswith("clinic: --icd:")
    assert register(chronic)[0] == 0
    code, _, err = followup(chronic, day(3), "--sbp", "130", "--dbp", "80", "--sbp2", "150")
    assert code == 3 and err.startswith("clinic: --dbp2:") and "dbp_2" not in err
    code, _, err = followup(chronic, day(3), "--sbp", "130", "--dbp", "80", "--drug", "a:b:c:d")
    assert code == 3 and err.startswith("clinic: --drug:")
    code, _, err = followup(chronic, day(3), "--sbp", "130", "--dbp", "80", "--next", day(5))
    assert code == 3 and err.startswith("clinic: --next:") and "next_visit_date" not in err
    end = ("chronic", "end", "--resident", SIXTY, "--disease", "hypertension", "--outcome", "lost")
    code, _, err = chronic(*end, "--reason", "搬走", "--date", after(day(0), 3), "--user", "admin")
    assert code == 3 and err.startswith("clinic: --date:")
    code, _, err = chronic("worklist", "due", "--days", "0")
    assert code == 3 and err.startswith("clinic: --days:")
