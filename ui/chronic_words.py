"""The words of the chronic-care codes and fields on screen (the translations of clinic_app.chronic's codes;
clinic_app.labels holds the same words for the exports and the CLI)."""

from __future__ import annotations

from clinic_app.chronic_records import reason_codes
from ui.i18n import _t, tr


def disease_text(code: str | None) -> str:
    return {"hypertension": tr("Hypertension"), "diabetes": tr("Type 2 diabetes")}.get(code or "", code or "")


def classification_text(code: str | None) -> str:
    return {
        "controlled": tr("Controlled"),
        "uncontrolled": tr("Uncontrolled"),
        "adverse_reaction": tr("Adverse reaction"),
        "complication": tr("Complication"),
    }.get(code or "", code or "")


def referral_text(code: str | None) -> str:
    return {"routine": tr("Routine referral"), "emergency": tr("Emergency referral")}.get(
        code or "", code or ""
    )


def mode_text(code: str | None) -> str:
    return {"clinic": tr("At the clinic"), "home": tr("Home visit"), "phone": tr("By phone")}.get(
        code or "", code or ""
    )


def contact_text(code: str | None) -> str:
    return {
        "agreed": tr("Reached: a date agreed"),
        "call_later": tr("Call again later"),
        "moved": tr("Moved away"),
        "died": tr("Died"),
        "refused": tr("Refused follow-up"),
    }.get(code or "", code or "")


def salt_text(code: str) -> str:
    return {"light": tr("Light"), "moderate": tr("Moderate"), "heavy": tr("Heavy")}[code]


def rating_text(code: str) -> str:
    return {"good": tr("Good"), "fair": tr("Fair"), "poor": tr("Poor")}[code]


def adherence_text(code: str) -> str:
    return {"regular": tr("Regular"), "intermittent": tr("Intermittent"), "none": tr("Not taking")}[code]


def glucose_method_text(code: str) -> str:
    return {"capillary": tr("Capillary"), "venous": tr("Venous plasma")}[code]


def hypoglycaemia_text(code: str) -> str:
    return {"none": tr("None"), "occasional": tr("Occasional"), "frequent": tr("Frequent")}[code]


def foot_pulse_text(code: str) -> str:
    return {
        "normal": tr("Palpable, normal"),
        "weakened_left": tr("Weakened, left"),
        "weakened_right": tr("Weakened, right"),
        "weakened_both": tr("Weakened, both"),
        "absent_left": tr("Absent, left"),
        "absent_right": tr("Absent, right"),
        "absent_both": tr("Absent, both"),
    }[code]


# the words of the symptom codes, translated one at a time where shown (the form shows 10-16 of them: translating
# the whole table for each cost a few ms of the form's opening)
SYMPTOM_WORDS = {
    "none": _t("No symptom"),
    "headache_dizziness": _t("Headache, dizziness"),
    "nausea_vomiting": _t("Nausea, vomiting"),
    "blurred_vision_tinnitus": _t("Blurred vision, tinnitus"),
    "dyspnoea": _t("Dyspnoea"),
    "palpitation_chest_tightness": _t("Palpitation, chest tightness"),
    "nosebleed": _t("Nosebleed that will not stop"),
    "numb_limbs": _t("Numb limbs"),
    "lower_limb_oedema": _t("Oedema of the lower limbs"),
    "other": _t("Other"),
    "polydipsia": _t("Polydipsia"),
    "polyphagia": _t("Polyphagia"),
    "polyuria": _t("Polyuria"),
    "blurred_vision": _t("Blurred vision"),
    "infection": _t("Infection"),
    "weight_loss": _t("Weight loss"),
    "altered_consciousness": _t("Altered consciousness"),
    "severe_headache_dizziness": _t("Severe headache or dizziness"),
    "eye_pain": _t("Eye pain"),
    "orthopnoea": _t("Orthopnoea"),
    "pregnancy_raised_bp": _t("Raised BP in pregnancy or breastfeeding"),
    "acetone_breath": _t("Acetone breath"),
    "kussmaul_breathing": _t("Deep, fast (Kussmaul) breathing"),
    "persistent_tachycardia": _t("Heart rate over 100 that persists"),
    "fever_over_39": _t("Temperature over 39 °C"),
    "sudden_vision_loss": _t("Sudden loss of vision"),
    "pregnancy_high_glucose": _t("High glucose in pregnancy or breastfeeding"),
}


def symptom_text(code: str) -> str:
    return tr(SYMPTOM_WORDS[code]) if code in SYMPTOM_WORDS else code


def reason_text(code: str) -> str:
    """Why the rules refer (clinic_app.chronic.classify's reason codes)."""
    if code.startswith("emergency_sign:"):
        return tr("emergency sign: %1").replace("%1", symptom_text(code.split(":", 1)[1]))
    return {
        "emergency_bp": tr("blood pressure at the emergency level (≥ 180/110 mmHg)"),
        "emergency_glucose_high": tr("fasting glucose ≥ 16.7 mmol/L"),
        "emergency_glucose_low": tr("fasting glucose ≤ 3.9 mmol/L"),
        "complication": tr("a new or worse complication"),
        "second_uncontrolled": tr("uncontrolled at two visits in a row"),
        "adverse_reaction_persists": tr("an adverse drug reaction that could not be controlled"),
        "by_hand": tr("the doctor's referral"),
    }.get(code, code)


def referral_reason_text(stored: str | None) -> str:
    """A referral's reason as stored: the rules' reason codes in words, or a person's own words as typed."""
    codes = reason_codes(stored)
    return stored or "" if codes is None else "；".join(reason_text(c) for c in codes)


def field_label(field: str) -> str:
    """The name of a form field as the paper form writes it (a refusal names it)."""
    base = field.removesuffix("_1").removesuffix("_2")
    labels = {
        "sbp": tr("Systolic pressure"),
        "dbp": tr("Diastolic pressure"),
        "fasting_glucose": tr("Fasting glucose"),
        "heart_rate": tr("Heart rate"),
        "weight": tr("Weight"),
        "target_weight": tr("Target weight"),
        "height": tr("Height"),
        "target_bmi": tr("Target BMI"),
        "hba1c": tr("HbA1c"),
        "hba1c_date": tr("HbA1c date"),
        "cigarettes_per_day": tr("Cigarettes a day"),
        "target_cigarettes_per_day": tr("Target cigarettes a day"),
        "alcohol_per_day": tr("Alcohol a day"),
        "target_alcohol_per_day": tr("Target alcohol a day"),
        "exercise_times_per_week": tr("Exercise times a week"),
        "exercise_minutes": tr("Exercise minutes"),
        "target_exercise_times_per_week": tr("Target exercise times a week"),
        "target_exercise_minutes": tr("Target exercise minutes"),
        "staple_food_g": tr("Staple food"),
        "target_staple_food_g": tr("Target staple food"),
        "visit_date": tr("Visit date"),
        "visit_mode": tr("Visit mode"),
        "next_visit_date": tr("Next visit date"),
        "symptoms": tr("Symptoms"),
        "symptom_other": tr("Other symptom"),
        "override_reason": tr("Reason"),
        "correction_reason": tr("Correction reason"),
        "classification": tr("Classification"),
        "icd_code": tr("ICD-10 code"),
        "confirmed_on": tr("Date confirmed"),
        "institution": tr("Institution"),
        "recall_on": tr("Date"),
        "outcome": tr("Outcome"),
        "reason": tr("Reason"),
        "date": tr("Date"),
        "disease": tr("Disease"),
        "resident": tr("Resident"),
    }
    if base.startswith("drugs["):
        return tr("Drug")
    return labels.get(base, field)
