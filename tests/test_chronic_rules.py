"""The chronic-care rules (clinic_app.chronic): RULES §9's visible vectors, the boundaries of RULES §3/§4, ICD-10
codes of RULES §8, eligibility, and the plausibility of entry (table-driven, and by property)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic_app import chronic as K
from clinic_app.errors import ValidationError

DAY = dt.date(2026, 6, 15)
DEFAULTS = dict(K.POLICY_DEFAULTS)


def htn(
    sbp: int | None,
    dbp: int | None,
    age: int = 60,
    previous: str | None = None,
    **kw: object,
) -> K.Classification:
    bp = K.reading(sbp, dbp) if sbp is not None else None
    return K.classify(K.VisitFacts("hypertension", age, bp=bp, previous=previous, **kw))  # type: ignore[arg-type]


def dm(glucose: str, previous: str | None = None, **kw: object) -> K.Classification:
    value = K.measure("fasting_glucose", glucose)
    assert isinstance(value, Decimal)
    return K.classify(K.VisitFacts("diabetes", 60, fasting_glucose=value, previous=previous, **kw))  # type: ignore[arg-type]


def days_to_next(result: K.Classification) -> int:
    return (K.next_visit_date(DAY, result.interval, DEFAULTS) - DAY).days


# -- RULES §9, every visible vector of chronic care -----------------------------------------------------------
def test_rules_9_hypertension_60_years_139_89_no_reaction_is_controlled_next_within_90_days() -> None:
    result = htn(139, 89, age=60)
    assert (result.classification, result.referral) == ("controlled", None)
    assert days_to_next(result) == 90


def test_rules_9_hypertension_60_years_140_85_first_time_is_uncontrolled_revisit_within_14_days() -> None:
    result = htn(140, 85, age=60, previous="controlled")
    assert (result.classification, result.referral) == ("uncontrolled", None)
    assert days_to_next(result) == 14
    assert htn(140, 85, age=60, previous=None).referral is None, "a first visit ever is a first time too"


def test_rules_9_hypertension_70_years_148_88_is_controlled_by_the_150_90_threshold() -> None:
    assert htn(148, 88, age=70).classification == "controlled"


@pytest.mark.parametrize("age", [60, 70])
def test_rules_9_previous_visit_uncontrolled_now_152_96_is_referred_follow_up_within_14_days(
    age: int,
) -> None:
    result = htn(152, 96, age=age, previous="uncontrolled")
    assert (result.classification, result.referral) == ("uncontrolled", "routine")
    assert result.reasons == ("second_uncontrolled",)
    assert days_to_next(result) == 14


@pytest.mark.parametrize(("sbp", "dbp"), [(180, 100), (170, 110)])
@pytest.mark.parametrize("disease", K.DISEASES)
def test_rules_9_180_100_or_170_110_is_an_emergency_referral(disease: str, sbp: int, dbp: int) -> None:
    facts = K.VisitFacts(
        disease, 60, bp=K.reading(sbp, dbp), fasting_glucose=Decimal("6.0") if disease == "diabetes" else None
    )
    result = K.classify(facts)
    assert result.referral == "emergency" and "emergency_bp" in result.reasons
    assert result.interval == "followup.referral_followup_days"


def test_rules_9_entry_80_90_is_refused_sbp_must_exceed_dbp() -> None:
    with pytest.raises(ValidationError) as caught:
        K.reading(80, 90)
    assert (caught.value.field, caught.value.rule) == ("sbp", "sbp_above_dbp")
    assert "SBP must exceed DBP" in caught.value.message


@pytest.mark.parametrize(
    ("glucose", "classification", "referral"),
    [
        ("6.9", "controlled", None),
        ("7.0", "uncontrolled", None),
        ("16.7", "uncontrolled", "emergency"),
        ("3.9", "controlled", "emergency"),
    ],
)
def test_rules_9_diabetes_fasting_glucose_6_9_7_0_16_7_3_9(
    glucose: str, classification: str, referral: str | None
) -> None:
    result = dm(glucose)
    assert (result.classification, result.referral) == (classification, referral)


# -- boundaries --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("age", "sbp", "dbp", "expected"),
    [
        (60, 139, 89, "controlled"),
        (60, 140, 89, "uncontrolled"),
        (60, 139, 90, "uncontrolled"),
        (64, 145, 85, "uncontrolled"),  # 64: still the 140/90 target
        (65, 145, 85, "controlled"),  # 65: the 150/90 target
        (65, 149, 89, "controlled"),
        (65, 150, 89, "uncontrolled"),
        (65, 149, 90, "uncontrolled"),  # DBP 90 is above target at any age
        (64, 149, 89, "uncontrolled"),
        (35, 139, 89, "controlled"),
    ],
)
def test_hypertension_targets_at_the_age_and_pressure_boundaries(
    age: int, sbp: int, dbp: int, expected: str
) -> None:
    assert htn(sbp, dbp, age=age).classification == expected


@pytest.mark.parametrize(
    ("sbp", "dbp", "emergency"),
    [(179, 109, False), (180, 109, True), (179, 110, True), (180, 110, True), (200, 100, True)],
)
def test_the_emergency_pressure_boundary_180_110(sbp: int, dbp: int, emergency: bool) -> None:
    assert (htn(sbp, dbp).referral == "emergency") is emergency


@pytest.mark.parametrize(
    ("glucose", "classification", "referral"),
    [
        ("1.0", "controlled", "emergency"),
        ("3.9", "controlled", "emergency"),
        ("4.0", "controlled", None),
        ("6.9", "controlled", None),
        ("7.0", "uncontrolled", None),
        ("16.6", "uncontrolled", None),
        ("16.7", "uncontrolled", "emergency"),
        ("33.3", "uncontrolled", "emergency"),
    ],
)
def test_diabetes_glucose_boundaries(glucose: str, classification: str, referral: str | None) -> None:
    result = dm(glucose)
    assert (result.classification, result.referral) == (classification, referral)


@pytest.mark.parametrize(
    ("previous", "referral"),
    [
        (None, None),
        ("controlled", None),
        ("adverse_reaction", None),
        ("complication", None),
        ("uncontrolled", "routine"),
    ],
)
def test_only_the_second_consecutive_uncontrolled_visit_is_referred(
    previous: str | None, referral: str | None
) -> None:
    assert htn(150, 95, previous=previous).referral == referral
    assert dm("8.2", previous=previous).referral == referral


def test_a_controlled_visit_after_an_uncontrolled_one_is_not_referred() -> None:
    result = htn(130, 80, previous="uncontrolled")
    assert (result.classification, result.referral, days_to_next(result)) == ("controlled", None, 90)


@pytest.mark.parametrize("disease", K.DISEASES)
def test_an_adverse_reaction_revisits_in_14_days_and_is_referred_when_it_persists(disease: str) -> None:
    facts = K.VisitFacts(
        disease,
        60,
        bp=K.reading(130, 80),
        fasting_glucose=Decimal("6.0"),
        adverse_reaction=True,
    )
    first = K.classify(facts)
    assert (first.classification, first.referral, days_to_next(first)) == ("adverse_reaction", None, 14)
    again = K.classify(K.VisitFacts(**{**facts.__dict__, "previous": "adverse_reaction"}))
    assert (again.classification, again.referral) == ("adverse_reaction", "routine")
    assert again.reasons == ("adverse_reaction_persists",)


@pytest.mark.parametrize("disease", K.DISEASES)
def test_a_new_or_worse_complication_is_referred_whatever_the_reading(disease: str) -> None:
    facts = K.VisitFacts(
        disease, 60, bp=K.reading(120, 75), fasting_glucose=Decimal("5.5"), new_complication=True
    )
    result = K.classify(facts)
    assert (result.classification, result.referral, result.reasons) == (
        "complication",
        "routine",
        ("complication",),
    )
    assert days_to_next(result) == 14
    without_reading = K.classify(K.VisitFacts(disease, 60, new_complication=True))
    assert without_reading.classification == "complication"


@pytest.mark.parametrize(("disease", "sign"), [(d, s) for d in K.DISEASES for s in K.EMERGENCY_SIGNS[d]])
def test_each_emergency_sign_refers_as_an_emergency(disease: str, sign: str) -> None:
    facts = K.VisitFacts(disease, 60, bp=K.reading(125, 80), fasting_glucose=Decimal("6.0"), symptoms=(sign,))
    result = K.classify(facts)
    assert result.referral == "emergency" and result.reasons == (f"emergency_sign:{sign}",)
    assert result.classification == "controlled", "the reading still classifies the visit"


@pytest.mark.parametrize(
    ("disease", "symptom"),
    [(d, s) for d in K.DISEASES for s in K.FORM_SYMPTOMS[d] if s not in K.EMERGENCY_SIGNS[d] and s != "none"],
)
def test_a_symptom_that_is_no_emergency_sign_refers_nobody(disease: str, symptom: str) -> None:
    facts = K.VisitFacts(
        disease, 60, bp=K.reading(125, 80), fasting_glucose=Decimal("6.0"), symptoms=(symptom,)
    )
    assert K.classify(facts).referral is None


def test_without_a_reading_a_visit_is_classified_by_hand() -> None:
    with pytest.raises(ValidationError) as caught:
        K.classify(K.VisitFacts("hypertension", 60))
    assert (caught.value.field, caught.value.rule) == ("reading", "required")
    with pytest.raises(ValidationError, match="fasting glucose"):
        K.classify(K.VisitFacts("diabetes", 60, bp=K.reading(120, 80)))


def test_intervals_come_from_the_county_with_the_defaults_while_it_has_set_none() -> None:
    assert K.POLICY_DEFAULTS == {
        "followup.routine_interval_days": 90,
        "followup.revisit_interval_days": 14,
        "followup.referral_followup_days": 14,
    }
    county = {**DEFAULTS, "followup.routine_interval_days": 60}
    assert K.next_visit_date(DAY, htn(120, 80).interval, county) == DAY + dt.timedelta(days=60)
    assert K.interval_value("followup.revisit_interval_days", None) == 14
    assert K.interval_value("followup.revisit_interval_days", " 10 ") == 10
    for bad in ("0", "-3", "two weeks", "400", "１４"):
        with pytest.raises(ValidationError) as caught:
            K.interval_value("followup.revisit_interval_days", bad)
        assert (caught.value.field, caught.value.rule) == ("followup.revisit_interval_days", "policy")


# -- ICD-10 codes and eligibility ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "code", "category"),
    [
        ("I10", "I10", "I10"),
        ("i10", "I10", "I10"),
        ("I10.x00", "I10.x00", "I10"),
        ("I10.X00", "I10.x00", "I10"),
        (" I11.9 ", "I11.9", "I11"),
        ("I13.000", "I13.000", "I13"),
        ("E11.900", "E11.900", "E11"),
        ("E11", "E11", "E11"),
        ("Ｅ１１.９００", "E11.900", "E11"),
    ],
)
def test_icd_codes_in_both_forms(text: str, code: str, category: str) -> None:
    parsed = K.parse_icd(text)
    assert (parsed.code, parsed.category) == (code, category)


@pytest.mark.parametrize("text", ["", "I1", "110", "I10.", "I10.x0000", "II10", "I10-x00", "高血压"])
def test_malformed_icd_codes_are_refused(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        K.parse_icd(text)
    assert (caught.value.field, caught.value.rule) == ("icd_code", "icd_format")


BORN = dt.date(1970, 3, 10)


@pytest.mark.parametrize(
    ("disease", "icd"),
    [
        ("hypertension", "I10"),
        ("hypertension", "I10.x00"),
        ("hypertension", "I11.9"),
        ("hypertension", "I12"),
        ("hypertension", "I13.2"),
        ("diabetes", "E11"),
        ("diabetes", "E11.900"),
    ],
)
def test_primary_hypertension_and_type_2_diabetes_are_eligible(disease: str, icd: str) -> None:
    assert K.eligibility(disease, icd, BORN, DAY).category == icd[:3]


@pytest.mark.parametrize(
    ("disease", "icd", "rule", "says"),
    [
        ("hypertension", "I15", "secondary_hypertension", "refer"),
        ("hypertension", "I15.000", "secondary_hypertension", "refer"),
        ("hypertension", "I14", "icd_invalid", "does not exist"),
        ("hypertension", "I20", "not_hypertension", "refer"),
        ("hypertension", "E11", "not_hypertension", "I10-I13"),
        ("diabetes", "E10", "type_1_diabetes", "refer"),
        ("diabetes", "E10.900", "type_1_diabetes", "type 1"),
        ("diabetes", "E14", "not_type_2_diabetes", "E11"),
        ("diabetes", "I10", "not_diabetes", "E11"),
    ],
)
def test_codes_outside_the_programme_are_refused_naming_the_rule(
    disease: str, icd: str, rule: str, says: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        K.eligibility(disease, icd, BORN, DAY)
    assert (caught.value.field, caught.value.rule) == ("icd_code", rule)
    assert says in caught.value.message


@pytest.mark.parametrize(
    ("confirmed", "eligible"),
    [(dt.date(2005, 3, 9), False), (dt.date(2005, 3, 10), True), (dt.date(2026, 1, 1), True)],
)
def test_eligible_from_the_35th_birthday_on_the_day_confirmed(confirmed: dt.date, eligible: bool) -> None:
    if eligible:
        K.eligibility("hypertension", "I10", BORN, confirmed)
        return
    with pytest.raises(ValidationError) as caught:
        K.eligibility("hypertension", "I10", BORN, confirmed)
    assert (caught.value.field, caught.value.rule, caught.value.details["age"]) == (
        "resident",
        "min_age",
        "34",
    )


def test_an_unknown_disease_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        K.eligibility("asthma", "J45", BORN, DAY)
    assert (caught.value.field, caught.value.rule) == ("disease", "choice")


# -- plausibility of entry -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "value", "rule", "says"),
    [
        ("sbp", 69, "range", "70-300 mmHg"),
        ("sbp", 301, "range", "70-300 mmHg"),
        ("dbp", 39, "range", "40-180 mmHg"),
        ("dbp", 181, "range", "40-180 mmHg"),
        ("fasting_glucose", "0.9", "range", "1.0-33.3 mmol/L"),
        ("fasting_glucose", "33.4", "range", "1.0-33.3 mmol/L"),
        ("fasting_glucose", "6.95", "precision", "decimal place"),
        ("fasting_glucose", "abc", "number", "1.0-33.3"),
        ("fasting_glucose", "NaN", "number", "1.0-33.3"),
        ("sbp", "120.5", "precision", "whole number"),
        ("heart_rate", 29, "range", "30-220 /min"),
        ("weight", "19.9", "range", "20-300 kg"),
        ("height", "251", "range", "100-250 cm"),
        ("hba1c", "25", "range", "3.0-20.0 %"),
    ],
)
def test_implausible_values_are_refused_naming_the_field_and_the_range(
    field: str, value: object, rule: str, says: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        K.measure(field, value)
    assert (caught.value.field, caught.value.rule) == (field, rule)
    assert says in caught.value.message


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("sbp", 70, 70),
        ("sbp", "300", 300),
        ("dbp", "４０", 40),
        ("fasting_glucose", "1.0", Decimal("1.0")),
        ("fasting_glucose", "33.3", Decimal("33.3")),
        ("fasting_glucose", "7", Decimal("7.0")),
        ("weight", "62.5", Decimal("62.5")),
        ("sbp", "", None),
        ("sbp", None, None),
    ],
)
def test_plausible_values_at_the_limits_are_kept(field: str, value: object, expected: object) -> None:
    assert K.measure(field, value) == expected


def test_a_reading_needs_both_values() -> None:
    with pytest.raises(ValidationError) as caught:
        K.reading(130, None, "_2")
    assert (caught.value.field, caught.value.rule) == ("dbp_2", "required")
    assert K.reading(None, None) is None


def test_two_readings_are_averaged_half_up_and_one_reading_stands_alone() -> None:
    first, second = K.BloodPressure(139, 89), K.BloodPressure(140, 90)
    assert K.average(first, second) == K.BloodPressure(140, 90)
    assert K.average(K.BloodPressure(150, 96), K.BloodPressure(144, 90)) == K.BloodPressure(147, 93)
    assert K.average(first, None) == first and K.average(None, second) == second
    assert K.average(None, None) is None


def test_bmi_from_weight_and_height() -> None:
    assert K.bmi(Decimal("70.0"), Decimal("175.0")) == Decimal("22.9")
    assert K.bmi(Decimal("62.5"), Decimal("160")) == Decimal("24.4")
    assert K.bmi(None, Decimal("160")) is None


def test_symptoms_are_the_diseases_vocabulary_in_the_forms_order() -> None:
    assert K.symptom_list("hypertension", ["numb_limbs", "headache-dizziness"]) == [
        "headache_dizziness",
        "numb_limbs",
    ]
    for bad, rule in ((["polyuria"], "choice"), (["none", "nosebleed"], "none_alone")):
        with pytest.raises(ValidationError) as caught:
            K.symptom_list("hypertension", bad)
        assert (caught.value.field, caught.value.rule) == ("symptoms", rule)
    with pytest.raises(ValidationError) as caught:
        K.symptom_list("diabetes", ["other"])
    assert caught.value.field == "symptom_other"
    assert K.symptom_list("diabetes", ["other", "polyuria"], "口干") == ["polyuria", "other"]


# -- properties ----------------------------------------------------------------------------------------------
@given(st.sampled_from(sorted(K.INTEGER_FIELDS)), st.integers(min_value=-1000, max_value=3000))
def test_a_whole_number_is_kept_exactly_when_within_its_range(field: str, value: int) -> None:
    limit = K.PLAUSIBLE[field]
    if limit.low <= value <= limit.high:
        assert K.measure(field, value) == value
        assert K.measure(field, str(value)) == value
    else:
        with pytest.raises(ValidationError) as caught:
            K.measure(field, value)
        assert caught.value.field == field and caught.value.rule == "range"
        assert limit.text() in caught.value.message


@given(
    st.sampled_from(sorted(K.DECIMAL_FIELDS)),
    st.decimals(min_value=-100, max_value=400, places=1, allow_nan=False, allow_infinity=False),
)
def test_a_one_decimal_value_is_kept_exactly_when_within_its_range(field: str, value: Decimal) -> None:
    limit = K.PLAUSIBLE[field]
    if limit.low <= value <= limit.high:
        assert K.measure(field, str(value)) == value
    else:
        with pytest.raises(ValidationError) as caught:
            K.measure(field, str(value))
        assert caught.value.field == field and caught.value.rule == "range"


@given(st.integers(min_value=70, max_value=300), st.integers(min_value=40, max_value=180))
def test_a_reading_in_range_is_accepted_exactly_when_sbp_exceeds_dbp(sbp: int, dbp: int) -> None:
    if sbp > dbp:
        assert K.reading(sbp, dbp) == K.BloodPressure(sbp, dbp)
    else:
        with pytest.raises(ValidationError) as caught:
            K.reading(sbp, dbp)
        assert caught.value.rule == "sbp_above_dbp"


@given(
    st.integers(min_value=70, max_value=300),
    st.integers(min_value=70, max_value=300),
    st.integers(min_value=40, max_value=69),
    st.integers(min_value=40, max_value=69),
)
def test_the_average_lies_between_the_two_readings(s1: int, s2: int, d1: int, d2: int) -> None:
    mean = K.average(K.BloodPressure(s1, d1), K.BloodPressure(s2, d2))
    assert mean is not None
    assert min(s1, s2) <= mean.sbp <= max(s1, s2) and min(d1, d2) <= mean.dbp <= max(d1, d2)
    assert abs(2 * mean.sbp - (s1 + s2)) <= 1


@given(
    st.integers(min_value=35, max_value=110),
    st.integers(min_value=71, max_value=300),
    st.integers(min_value=40, max_value=70),
    st.sampled_from([None, *K.CLASSIFICATIONS]),
)
def test_every_reading_classifies_into_one_class_with_a_consistent_referral(
    age: int, sbp: int, dbp: int, previous: str | None
) -> None:
    result = htn(sbp, dbp, age=age, previous=previous)
    assert result.classification in ("controlled", "uncontrolled")
    assert (result.referral == "emergency") == (sbp >= 180)
    if result.referral is None:
        assert days_to_next(result) == (90 if result.classification == "controlled" else 14)
    else:
        assert days_to_next(result) == 14


def test_an_override_is_followed_by_its_referral_and_interval() -> None:
    facts = K.VisitFacts("hypertension", 60, bp=K.reading(142, 85), previous="uncontrolled")
    assert K.classify(facts).referral == "routine"
    overridden = K.classify(facts, override="controlled")
    assert (overridden.classification, overridden.referral, days_to_next(overridden)) == (
        "controlled",
        None,
        90,
    )
    no_reading = K.classify(K.VisitFacts("hypertension", 60), override="uncontrolled")
    assert (no_reading.classification, days_to_next(no_reading)) == ("uncontrolled", 14)
    with pytest.raises(ValidationError) as caught:
        K.classify(facts, override="fine")
    assert (caught.value.field, caught.value.rule) == ("classification", "choice")


def test_a_stored_follow_up_row_is_judged_as_the_form_judges_it() -> None:
    good = {
        "disease": "diabetes",
        "sbp_1": 130,
        "dbp_1": 80,
        "sbp": 130,
        "dbp": 80,
        "fasting_glucose": "6.9",
        "weight": "62.5",
        "symptoms": '["polyuria", "other"]',
        "symptom_other": "口干",
    }
    assert K.followup_row_problems(good) == []
    cases = [
        ({"sbp_2": 120, "dbp_2": 125}, "sbp_2", "sbp_above_dbp"),
        ({"sbp_2": 120}, "dbp_2", "required"),
        ({"dbp": 20, "sbp": 130}, "dbp", "range"),
        ({"fasting_glucose": "0.5"}, "fasting_glucose", "range"),
        ({"heart_rate": 500}, "heart_rate", "range"),
        ({"symptoms": "headache"}, "symptoms", "format"),
        ({"symptoms": '["nosebleed"]'}, "symptoms", "choice"),
    ]
    for change, field, rule in cases:
        [problem] = K.followup_row_problems({**good, **change})
        assert (problem.field, problem.rule) == (field, rule), change
