"""Chronic-care records on the device (clinic_app.chronic_records): registration, follow-ups classified on save,
referrals, corrections, the worklists — each change one unit of work with its outbox and audit entries."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from clinic_app import chronic_records as H
from clinic_app import contracts as C
from clinic_app import residents as R
from clinic_app import users
from clinic_app.errors import ValidationError
from clinic_app.idcard import check_character

from .conftest import Clinic

TODAY = dt.date(2026, 6, 15)


def id_number(born: str, sequence: str = "002") -> str:
    first = "110105" + born.replace("-", "") + sequence
    return first + check_character(first)


@pytest.fixture
def care(clinic: Clinic) -> Clinic:
    store, admin = clinic.store, clinic.admin
    users.add_user(store, admin, "doctor", "village_doctor", "doctor-pass-1", display_name="李医生")
    users.authenticate(store, "doctor", "doctor-pass-1")
    vid = R.add_village(store, admin, "石头村")
    for name, born in (
        ("张三", "1966-03-10"),
        ("王五", "1961-07-01"),
        ("李四", "1992-02-29"),
        ("赵六", "1950-01-05"),
    ):
        R.add_resident(
            store, admin, R.ResidentInput(name=name, id_number=id_number(born), village_id=vid), today=TODAY
        )
    return clinic


def doctor(c: Clinic) -> users.User:
    found = users.find_user(c.store.conn, c.store.clinic_id, "doctor")  # signed in once, in the fixture
    assert found is not None
    return found


def rid(c: Clinic, name: str) -> str:
    return str(c.store.conn.execute("SELECT id FROM resident WHERE name = ?", (name,)).fetchone()[0])


def register(
    c: Clinic, name: str, disease: str = "hypertension", icd: str = "I10", confirmed: str = "2025-01-10"
) -> str:
    return H.register(
        c.store, doctor(c), rid(c, name), disease, icd, confirmed, institution="县医院", today=TODAY
    )


def visit(c: Clinic, name: str, day: str, disease: str = "hypertension", **kw: Any) -> H.FollowupResult:
    data = H.FollowupInput(rid(c, name), disease, day, kw.pop("mode", "clinic"), **kw)
    return H.add_followup(c.store, doctor(c), data, today=TODAY)


def counts(c: Clinic) -> dict[str, int]:
    return c.store.table_counts(
        ["disease_registration", "followup", "followup_drug", "referral", "outbox", "audit_log"]
    )


# -- registration -------------------------------------------------------------------------------------------
def test_registering_writes_one_row_its_outbox_entry_and_an_audit_entry(care: Clinic) -> None:
    before = counts(care)
    registration_id = register(care, "张三", icd="i10.X00")
    row = H.get_registration(care.store.conn, registration_id)
    assert (row["disease"], row["icd_code"], row["confirmed_on"], row["management"]) == (
        "hypertension",
        "I10.x00",
        "2025-01-10",
        "continue",
    )
    after = counts(care)
    assert after["disease_registration"] == before["disease_registration"] + 1
    assert after["outbox"] == before["outbox"] + 2 and after["audit_log"] == before["audit_log"] + 1
    entry = care.store.conn.execute(
        "SELECT payload FROM outbox WHERE table_name = 'disease_registration'"
    ).fetchone()
    assert json.loads(entry[0])["icd_code"] == "I10.x00"


@pytest.mark.parametrize(
    ("name", "disease", "icd", "confirmed", "field", "rule"),
    [
        ("张三", "hypertension", "I15", "2025-01-10", "icd_code", "secondary_hypertension"),
        ("张三", "hypertension", "I14", "2025-01-10", "icd_code", "icd_invalid"),
        ("张三", "diabetes", "E10", "2025-01-10", "icd_code", "type_1_diabetes"),
        ("张三", "hypertension", "X", "2025-01-10", "icd_code", "icd_format"),
        ("李四", "hypertension", "I10", "2026-01-10", "resident", "min_age"),
        ("张三", "hypertension", "I10", "2026-06-16", "confirmed_on", "future"),
        ("张三", "hypertension", "I10", "10/01/2025", "confirmed_on", "date_format"),
    ],
)
def test_a_registration_outside_the_rules_is_refused_and_writes_nothing(
    care: Clinic, name: str, disease: str, icd: str, confirmed: str, field: str, rule: str
) -> None:
    before = counts(care)
    with pytest.raises(ValidationError) as caught:
        register(care, name, disease, icd, confirmed)
    assert (caught.value.field, caught.value.rule) == (field, rule)
    assert counts(care) == before


def test_one_registration_per_disease_and_an_ended_one_is_taken_up_again(care: Clinic) -> None:
    first = register(care, "张三")
    with pytest.raises(ValidationError) as caught:
        register(care, "张三", icd="I11.9")
    assert (caught.value.field, caught.value.rule) == ("disease", "duplicate")
    diabetes = register(care, "张三", "diabetes", "E11.900")
    assert diabetes != first
    with pytest.raises(ValidationError) as caught:
        H.end_management(care.store, doctor(care), first, "lost", "", today=TODAY)
    assert (caught.value.field, caught.value.rule) == ("reason", "required")
    H.end_management(
        care.store, doctor(care), first, "lost", "外出务工，联系不上", on="2026-05-01", today=TODAY
    )
    ended = H.get_registration(care.store.conn, first)
    assert (ended["management"], ended["management_ended_on"]) == ("lost", "2026-05-01")
    with pytest.raises(ValidationError) as caught:
        visit(care, "张三", "2026-06-01", sbp_1=130, dbp_1=80)
    assert (caught.value.field, caught.value.rule) == ("disease", "not_registered")
    again = register(care, "张三", icd="I11.9", confirmed="2026-06-01")
    assert again == first and H.get_registration(care.store.conn, first)["management"] == "continue"


def test_the_chronic_outpatient_qualification_is_recorded(care: Clinic) -> None:
    registration_id = register(care, "张三")
    with pytest.raises(ValidationError) as caught:
        H.set_qualification(care.store, doctor(care), registration_id, "approved", today=TODAY)
    assert (caught.value.field, caught.value.rule) == ("qualification_date", "required")
    H.set_qualification(
        care.store, doctor(care), registration_id, "approved", "2025-03-01", "MTB-0001", today=TODAY
    )
    row = H.get_registration(care.store.conn, registration_id)
    assert (row["qualification_status"], row["qualification_date"], row["certificate_number"]) == (
        "approved",
        "2025-03-01",
        "MTB-0001",
    )


# -- follow-ups --------------------------------------------------------------------------------------------------
def test_rules_9_vectors_end_to_end_with_the_referral_opened_and_the_next_dates(care: Clinic) -> None:
    register(care, "张三")  # 60 in 2026
    controlled = visit(care, "张三", "2026-01-10", sbp_1=139, dbp_1=89)
    assert (controlled.classification, controlled.referral, controlled.next_visit_date) == (
        "controlled",
        None,
        dt.date(2026, 4, 10),
    )
    first = visit(care, "张三", "2026-04-10", sbp_1=140, dbp_1=85)
    assert (first.classification, first.referral, first.next_visit_date) == (
        "uncontrolled",
        None,
        dt.date(2026, 4, 24),
    )
    second = visit(care, "张三", "2026-04-24", sbp_1=152, dbp_1=96)
    assert (second.classification, second.referral, second.next_visit_date) == (
        "uncontrolled",
        "routine",
        dt.date(2026, 5, 8),
    )
    referral = H.get_referral(care.store.conn, str(second.referral_id))
    assert (referral["urgency"], referral["due_on"], referral["status"], referral["followup_id"]) == (
        "routine",
        "2026-05-08",
        "open",
        second.id,
    )
    assert referral["reason"] == "second_uncontrolled", "the rules' reason stored as its code"
    assert "two consecutive" in H.reason_words(referral["reason"])
    emergency = visit(care, "张三", "2026-05-08", sbp_1=180, dbp_1=100)
    assert (emergency.classification, emergency.referral) == ("uncontrolled", "emergency")


def test_the_age_on_the_visit_date_sets_the_target(care: Clinic) -> None:
    register(care, "王五")  # born 1961-07-01: 64 until 2026-06-30
    assert visit(care, "王五", "2026-06-01", sbp_1=145, dbp_1=85).classification == "uncontrolled"
    register(care, "赵六")
    assert visit(care, "赵六", "2026-06-01", sbp_1=145, dbp_1=85).classification == "controlled"


def test_a_phone_follow_up_is_no_face_to_face_visit_between_two_uncontrolled_ones(care: Clinic) -> None:
    register(care, "张三")
    visit(care, "张三", "2026-03-01", sbp_1=150, dbp_1=95)
    phone = visit(care, "张三", "2026-03-10", mode="phone", sbp_1=130, dbp_1=80)
    assert (phone.classification, phone.referral) == ("controlled", None)
    third = visit(care, "张三", "2026-03-15", sbp_1=150, dbp_1=95)
    assert third.referral == "routine", "the previous face-to-face visit (03-01) was uncontrolled"


def test_diabetes_follow_ups_classify_by_fasting_glucose(care: Clinic) -> None:
    register(care, "张三", "diabetes", "E11.900")
    low = visit(care, "张三", "2026-02-01", "diabetes", fasting_glucose="3.9", glucose_method="capillary")
    assert (low.classification, low.referral) == ("controlled", "emergency")
    high = visit(care, "张三", "2026-02-10", "diabetes", fasting_glucose="7.0")
    assert (high.classification, high.referral, high.next_visit_date) == (
        "uncontrolled",
        None,
        dt.date(2026, 2, 24),
    )
    row = H.get_followup(care.store.conn, high.id)
    assert row["fasting_glucose"] == "7.0" and row["glucose_method"] is None


def test_two_readings_are_averaged_bmi_computed_and_drugs_kept(care: Clinic) -> None:
    register(care, "张三")
    result = visit(
        care,
        "张三",
        "2026-02-01",
        sbp_1=150,
        dbp_1=96,
        sbp_2=144,
        dbp_2=90,
        weight="70.0",
        height="175",
        heart_rate=72,
        symptoms=["headache_dizziness"],
        adherence="regular",
        drugs=[H.DrugInput("苯磺酸氨氯地平片", "5 mg", 1), H.DrugInput("缬沙坦胶囊", "80 mg", "１")],
    )
    row = H.get_followup(care.store.conn, result.id)
    assert (row["sbp_1"], row["dbp_1"], row["sbp_2"], row["dbp_2"], row["sbp"], row["dbp"]) == (
        150,
        96,
        144,
        90,
        147,
        93,
    )
    assert (row["weight"], row["height"], row["bmi"]) == ("70.0", "175.0", "22.9")
    assert json.loads(row["symptoms"]) == ["headache_dizziness"]
    [shown] = H.history(care.store.conn, rid(care, "张三"))
    assert [(d["name"], d["dose"], d["times_per_day"]) for d in shown["drugs"]] == [
        ("苯磺酸氨氯地平片", "5 mg", 1),
        ("缬沙坦胶囊", "80 mg", 1),
    ]


@pytest.mark.parametrize(
    ("values", "field", "rule"),
    [
        ({"sbp_1": 80, "dbp_1": 90}, "sbp_1", "sbp_above_dbp"),
        ({"sbp_1": 310, "dbp_1": 90}, "sbp", "range"),
        ({"sbp_1": 130, "dbp_1": 80, "heart_rate": 10}, "heart_rate", "range"),
        ({"sbp_1": 130, "dbp_1": 80, "weight": "500"}, "weight", "range"),
        ({"sbp_1": 130}, "dbp_1", "required"),
        ({}, "reading", "required"),
        ({"sbp_1": 130, "dbp_1": 80, "symptoms": ["polyuria"]}, "symptoms", "choice"),
        ({"sbp_1": 130, "dbp_1": 80, "adherence": "sometimes"}, "adherence", "choice"),
        (
            {"sbp_1": 130, "dbp_1": 80, "classification_override": "uncontrolled"},
            "override_reason",
            "required",
        ),
        ({"sbp_1": 130, "dbp_1": 80, "next_visit_date": "2026-01-01"}, "next_visit_date", "range"),
        ({"sbp_1": 130, "dbp_1": 80, "drugs": [H.DrugInput("")]}, "drugs[1].name", "required"),
    ],
)
def test_an_implausible_or_incomplete_follow_up_is_refused_and_writes_nothing(
    care: Clinic, values: dict[str, Any], field: str, rule: str
) -> None:
    register(care, "张三")
    before = counts(care)
    with pytest.raises(ValidationError) as caught:
        visit(care, "张三", "2026-02-01", **values)
    assert (caught.value.field, caught.value.rule) == (field, rule)
    assert counts(care) == before


def test_a_visit_in_the_future_or_before_the_diagnosis_is_refused(care: Clinic) -> None:
    register(care, "张三", confirmed="2025-01-10")
    for day, rule in (("2026-06-16", "future"), ("2025-01-09", "range")):
        with pytest.raises(ValidationError) as caught:
            visit(care, "张三", day, sbp_1=130, dbp_1=80)
        assert (caught.value.field, caught.value.rule) == ("visit_date", rule)


def test_an_override_is_recorded_with_its_reason_beside_the_rules_classification(care: Clinic) -> None:
    register(care, "张三")
    visit(care, "张三", "2026-03-01", sbp_1=150, dbp_1=95)
    result = visit(
        care,
        "张三",
        "2026-03-15",
        sbp_1=142,
        dbp_1=85,
        classification_override="controlled",
        override_reason="白大衣高血压，家庭自测血压正常",
    )
    row = H.get_followup(care.store.conn, result.id)
    assert (row["classification"], row["classification_rule"], row["override_reason"]) == (
        "controlled",
        "uncontrolled",
        "白大衣高血压，家庭自测血压正常",
    )
    assert (result.referral, result.next_visit_date) == (None, dt.date(2026, 6, 13))
    [audit] = care.store.conn.execute(
        "SELECT summary FROM audit_log WHERE action = 'followup.add' ORDER BY id DESC LIMIT 1"
    )
    assert "overridden; the rules said uncontrolled: 白大衣高血压" in audit["summary"]
    no_reading = visit(
        care,
        "张三",
        "2026-04-01",
        mode="phone",
        classification_override="uncontrolled",
        override_reason="电话随访，患者自述头晕",
    )
    assert (no_reading.classification, no_reading.classification_rule) == ("uncontrolled", None)


def test_the_county_sets_the_intervals(care: Clinic) -> None:
    C.install_reference(
        care.store,
        policy={
            "followup.routine_interval_days": ("60", "2026-01-01"),
            "followup.referral_followup_days": ("7", "2026-01-01"),
        },
    )
    register(care, "张三")
    assert visit(care, "张三", "2026-02-01", sbp_1=130, dbp_1=80).next_visit_date == dt.date(2026, 4, 2)
    assert visit(care, "张三", "2026-04-02", sbp_1=145, dbp_1=80).next_visit_date == dt.date(2026, 4, 16), (
        "default 14"
    )
    referred = visit(care, "张三", "2026-04-16", sbp_1=185, dbp_1=100)
    assert referred.next_visit_date == dt.date(2026, 4, 23)
    assert H.get_referral(care.store.conn, str(referred.referral_id))["due_on"] == "2026-04-23"


def test_one_follow_up_is_one_unit_of_work_with_every_row_in_the_outbox(care: Clinic) -> None:
    register(care, "张三")
    visit(care, "张三", "2026-03-01", sbp_1=150, dbp_1=95)
    before = counts(care)
    result = visit(
        care, "张三", "2026-03-15", sbp_1=150, dbp_1=95, drugs=[H.DrugInput("氨氯地平", "5 mg", 1)]
    )
    after = counts(care)
    assert {k: after[k] - before[k] for k in after} == {
        "disease_registration": 0,
        "followup": 1,
        "followup_drug": 1,
        "referral": 1,
        "outbox": 4,
        "audit_log": 1,
    }
    [audit] = care.store.conn.execute(
        "SELECT action, summary FROM audit_log ORDER BY created_at DESC, id DESC LIMIT 1"
    )
    assert audit["action"] == "followup.add" and "routine referral" in audit["summary"]
    assert result.referral_id is not None


# -- corrections ---------------------------------------------------------------------------------------------
def test_a_correction_supersedes_and_its_referral_follows_it(care: Clinic) -> None:
    register(care, "张三")
    visit(care, "张三", "2026-03-01", sbp_1=150, dbp_1=95)
    wrong = visit(care, "张三", "2026-03-15", sbp_1=152, dbp_1=96)
    assert wrong.referral == "routine"
    data = H.FollowupInput(rid(care, "张三"), "hypertension", "2026-03-15", "clinic", sbp_1=132, dbp_1=86)
    with pytest.raises(ValidationError) as caught:
        H.supersede_followup(care.store, doctor(care), wrong.id, data, "", today=TODAY)
    assert caught.value.field == "correction_reason"
    fixed = H.supersede_followup(care.store, doctor(care), wrong.id, data, "血压录错一位", today=TODAY)
    assert (fixed.classification, fixed.referral) == ("controlled", None)
    conn = care.store.conn
    assert H.superseded_by(conn, wrong.id) == fixed.id
    assert H.get_followup(conn, wrong.id)["sbp"] == 152, "the old row stays as it was"
    assert H.history(conn, rid(care, "张三"))[0]["id"] == fixed.id
    assert wrong.id not in {h["id"] for h in H.history(conn, rid(care, "张三"))}
    referral = H.get_referral(conn, str(wrong.referral_id))
    assert referral["status"] == "cancelled" and "血压录错一位" in referral["outcome"]
    with pytest.raises(ValidationError) as caught:
        H.supersede_followup(care.store, doctor(care), wrong.id, data, "again", today=TODAY)
    assert (caught.value.field, caught.value.rule) == ("followup", "superseded")
    # a correction that still refers moves the open referral to itself
    second = visit(care, "张三", "2026-04-01", sbp_1=200, dbp_1=100)
    again = H.FollowupInput(rid(care, "张三"), "hypertension", "2026-04-01", "clinic", sbp_1=182, dbp_1=100)
    moved = H.supersede_followup(care.store, doctor(care), second.id, again, "复测", today=TODAY)
    assert moved.referral_id == second.referral_id
    assert H.get_referral(conn, str(second.referral_id))["followup_id"] == moved.id


def test_the_classification_reads_the_corrected_previous_visit(care: Clinic) -> None:
    register(care, "张三")
    first = visit(care, "张三", "2026-03-01", sbp_1=150, dbp_1=95)
    data = H.FollowupInput(rid(care, "张三"), "hypertension", "2026-03-01", "clinic", sbp_1=130, dbp_1=85)
    H.supersede_followup(care.store, doctor(care), first.id, data, "录错", today=TODAY)
    assert visit(care, "张三", "2026-03-15", sbp_1=150, dbp_1=95).referral is None


# -- referrals -----------------------------------------------------------------------------------------------
def test_a_referral_is_followed_up_once(care: Clinic) -> None:
    register(care, "张三")
    referral_id = H.open_referral(
        care.store,
        doctor(care),
        rid(care, "张三"),
        "hypertension",
        "routine",
        "疑似继发性高血压",
        institution="县人民医院",
        department="心内科",
        on="2026-06-01",
        today=TODAY,
    )
    with pytest.raises(ValidationError) as caught:
        H.record_referral_followup(
            care.store, doctor(care), referral_id, True, "", on="2026-06-10", today=TODAY
        )
    assert (caught.value.field, caught.value.rule) == ("outcome", "required")
    H.record_referral_followup(
        care.store, doctor(care), referral_id, True, "已就诊，调整用药", on="2026-06-10", today=TODAY
    )
    row = H.get_referral(care.store.conn, referral_id)
    assert (row["status"], row["arrived"], row["followed_up_on"], row["due_on"]) == (
        "followed_up",
        1,
        "2026-06-10",
        "2026-06-15",
    )
    with pytest.raises(ValidationError) as caught:
        H.record_referral_followup(care.store, doctor(care), referral_id, False, on="2026-06-11", today=TODAY)
    assert (caught.value.field, caught.value.rule) == ("referral", "status")


# -- worklists -----------------------------------------------------------------------------------------------
def test_the_worklists_page_and_shrink_as_they_are_worked(care: Clinic) -> None:
    conn, clinic_id = care.store.conn, care.store.clinic_id
    for name in ("张三", "王五", "赵六"):
        register(care, name)
    visit(care, "张三", "2026-02-01", sbp_1=130, dbp_1=80)  # next 2026-05-02: overdue 44 days on 06-15
    visit(care, "王五", "2026-06-05", sbp_1=150, dbp_1=95)  # next 06-19: due this week
    visit(care, "赵六", "2026-01-10", sbp_1=130, dbp_1=80)  # next 04-10: overdue 66 days
    overdue = H.overdue_page(conn, clinic_id, TODAY)
    assert [(r["name"], r["days_overdue"]) for r in overdue] == [("赵六", 66), ("张三", 44)]
    [first] = H.overdue_page(conn, clinic_id, TODAY, limit=1)
    [second] = H.overdue_page(conn, clinic_id, TODAY, after=H.cursor(first), limit=1)
    assert (first["name"], second["name"]) == ("赵六", "张三")
    assert H.overdue_page(conn, clinic_id, TODAY, after=H.cursor(second)) == []
    assert [r["name"] for r in H.due_page(conn, clinic_id, TODAY)] == ["王五"]
    assert H.due_page(conn, clinic_id, TODAY, days=4) == [], "06-19 is the 5th day from 06-15"
    visit(care, "赵六", "2026-06-14", sbp_1=130, dbp_1=80)  # worked: off the overdue list
    assert [r["name"] for r in H.overdue_page(conn, clinic_id, TODAY)] == ["张三"]
    # short of 4 face-to-face follow-ups this year (a phone one does not count)
    visit(care, "王五", "2026-06-10", mode="phone", sbp_1=130, dbp_1=80)
    short = {r["name"]: (r["done"], r["left"], r["weeks_left"]) for r in H.short_page(conn, clinic_id, TODAY)}
    assert short == {"张三": (1, 3, 28), "王五": (1, 3, 28), "赵六": (2, 2, 28)}


def test_the_referral_worklist_lists_open_referrals_with_the_days_overdue(care: Clinic) -> None:
    conn, clinic_id = care.store.conn, care.store.clinic_id
    register(care, "张三")
    register(care, "赵六")
    visit(care, "张三", "2026-05-01", sbp_1=185, dbp_1=100)  # due 05-15: 31 days overdue
    visit(care, "赵六", "2026-06-10", sbp_1=190, dbp_1=100)  # due 06-24
    rows = H.referral_page(conn, clinic_id, TODAY)
    assert [(r["name"], r["urgency"], r["days_overdue"]) for r in rows] == [
        ("张三", "emergency", 31),
        ("赵六", "emergency", 0),
    ]
    H.record_referral_followup(
        care.store, doctor(care), rows[0]["referral_id"], False, "未去就诊，已再次劝说", today=TODAY
    )
    assert [r["name"] for r in H.referral_page(conn, clinic_id, TODAY)] == ["赵六"]


def test_a_referrals_reason_reads_back_as_codes_old_english_rows_too_and_a_persons_words_as_typed() -> None:
    assert H.reason_codes("emergency_bp; emergency_sign:eye_pain") == [
        "emergency_bp",
        "emergency_sign:eye_pain",
    ]
    old = "blood pressure at the emergency level (≥ 180/110 mmHg); emergency sign: eye_pain"
    assert H.reason_codes(old) == ["emergency_bp", "emergency_sign:eye_pain"]
    assert H.reason_codes("患者自觉头晕加重；要求转诊") is None
    assert H.reason_codes("emergency_bp; 头晕") is None, "a person's words are never half read as codes"
    assert H.reason_words("second_uncontrolled") == "uncontrolled at two consecutive visits"
    assert H.reason_words("患者要求转诊") == "患者要求转诊"
