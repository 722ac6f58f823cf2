"""Chronic-disease care rules (RULES §3, §4, §8, §10): hypertension and type 2 diabetes under the national basic
public-health standard (国家基本公共卫生服务规范 第三版).

Pure functions over values; the only I/O is the county's parameters read through the connection a caller passes
(``intervals``). The records live in clinic_app.chronic_records, the commands in clinic_app.chronic_cli.

What is a county parameter and what is fixed:
- the intervals to the next visit are the county's (``policy``; ``POLICY_DEFAULTS`` hold while it has set none,
  as sync.server.throttle.LIMITS do for the throttle);
- the standard's own thresholds (age 35 to enrol, 140/90 and 150/90 from 65, fasting glucose 7.0, emergency at
  180/110, 16.7 and 3.9 mmol/L) and the plausibility limits of entry (``PLAUSIBLE``) are constants here: RULES
  states the first as checked against the standard's text and SBP/DBP/glucose entry limits as fixed; the
  weight, height, heart-rate and lifestyle limits RULES leaves open are physiological bounds chosen here, in that
  one table.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from clinic_app.digits import ascii_digits, county_whole
from clinic_app.errors import ValidationError

# -- allowed values (the registry names these) ----------------------------------------------------------------
DISEASES = ("hypertension", "diabetes")
VISIT_MODES = ("clinic", "home", "phone")
FACE_TO_FACE = ("clinic", "home")  # a phone follow-up is recorded but does not count (RULES §3)
CLASSIFICATIONS = ("controlled", "uncontrolled", "adverse_reaction", "complication")  # the form's 1-4
URGENCIES = ("routine", "emergency")
MANAGEMENT = ("continue", "lost", "terminated")  # the outcome of the case (RULES §10)
QUALIFICATION = ("none", "applied", "approved", "refused")  # 门诊慢特病认定
REFERRAL_STATUSES = ("open", "followed_up", "cancelled")
SALT = ("light", "moderate", "heavy")
RATING = ("good", "fair", "poor")  # psychological adjustment, compliance with advice
ADHERENCE = ("regular", "intermittent", "none")
GLUCOSE_METHODS = ("capillary", "venous")
FOOT_PULSE = (
    "normal",
    "weakened_left",
    "weakened_right",
    "weakened_both",
    "absent_left",
    "absent_right",
    "absent_both",
)
HYPOGLYCAEMIA = ("none", "occasional", "frequent")

# Symptoms: the paper form's checklist of each disease and the emergency signs of RULES §3/§4, one vocabulary a
# disease (a form symptom that RULES names as an emergency sign is one: nausea/vomiting, palpitation/chest
# tightness for hypertension).
FORM_SYMPTOMS: dict[str, tuple[str, ...]] = {
    "hypertension": (  # RULES §10
        "none",
        "headache_dizziness",
        "nausea_vomiting",
        "blurred_vision_tinnitus",
        "dyspnoea",
        "palpitation_chest_tightness",
        "nosebleed",
        "numb_limbs",
        "lower_limb_oedema",
        "other",
    ),
    "diabetes": (  # the standard's diabetes form (2型糖尿病患者随访服务记录表)
        "none",
        "polydipsia",
        "polyphagia",
        "polyuria",
        "blurred_vision",
        "infection",
        "numb_limbs",
        "lower_limb_oedema",
        "weight_loss",
        "other",
    ),
}
EMERGENCY_SIGNS: dict[str, tuple[str, ...]] = {
    "hypertension": (  # RULES §3
        "altered_consciousness",
        "severe_headache_dizziness",
        "nausea_vomiting",
        "blurred_vision",
        "eye_pain",
        "palpitation_chest_tightness",
        "orthopnoea",
        "pregnancy_raised_bp",
    ),
    "diabetes": (  # RULES §4
        "altered_consciousness",
        "acetone_breath",
        "kussmaul_breathing",
        "persistent_tachycardia",
        "fever_over_39",
        "sudden_vision_loss",
        "pregnancy_high_glucose",
    ),
}
SYMPTOMS: dict[str, tuple[str, ...]] = {
    d: FORM_SYMPTOMS[d] + tuple(s for s in EMERGENCY_SIGNS[d] if s not in FORM_SYMPTOMS[d]) for d in DISEASES
}

# -- the standard's thresholds (checked, RULES §3/§4) -----------------------------------------------------------
MIN_AGE = 35  # enrolled from 35
ELDERLY_AGE = 65  # from 65 the hypertension target is < 150/90
BP_TARGET = (140, 90)  # controlled below
BP_TARGET_ELDERLY = (150, 90)
BP_EMERGENCY = (180, 110)  # SBP ≥ 180 and/or DBP ≥ 110
GLUCOSE_TARGET = Decimal("7.0")  # fasting, controlled below
GLUCOSE_EMERGENCY_HIGH = Decimal("16.7")  # ≥
GLUCOSE_EMERGENCY_LOW = Decimal("3.9")  # ≤
FACE_TO_FACE_PER_YEAR = 4

# -- county parameters ----------------------------------------------------------------------------------------
POLICY_DEFAULTS: dict[str, int] = {
    "followup.routine_interval_days": 90,  # controlled: next routine visit within 3 months
    "followup.revisit_interval_days": 14,  # uncontrolled or adverse reaction: revisit within 2 weeks
    "followup.referral_followup_days": 14,  # a referral is followed up within 2 weeks
}
MAX_INTERVAL_DAYS = 366


@dataclass(frozen=True)
class Limit:
    low: Decimal
    high: Decimal
    unit: str
    places: int  # decimal places a value may have (0: a whole number)

    def text(self) -> str:
        return f"{self.low}-{self.high} {self.unit}".strip()  # as the table writes them (1.0, 20)


def _limit(low: str, high: str, unit: str, places: int = 0) -> Limit:
    return Limit(Decimal(low), Decimal(high), unit, places)


PLAUSIBLE: dict[str, Limit] = {
    # RULES §3 (fixed)
    "sbp": _limit("70", "300", "mmHg"),
    "dbp": _limit("40", "180", "mmHg"),
    # issue 12 (RULES §3's "glucose 1.0–33.3 mmol/L" of the entry checks)
    "fasting_glucose": _limit("1.0", "33.3", "mmol/L", 1),
    # physiological bounds chosen here (RULES names the checks, not the numbers)
    "heart_rate": _limit("30", "220", "/min"),
    "weight": _limit("20", "300", "kg", 1),
    "target_weight": _limit("20", "300", "kg", 1),
    "height": _limit("100", "250", "cm", 1),
    "target_bmi": _limit("10", "60", "kg/m²", 1),
    "hba1c": _limit("3.0", "20.0", "%", 1),
    "cigarettes_per_day": _limit("0", "100", "/day"),
    "target_cigarettes_per_day": _limit("0", "100", "/day"),
    "alcohol_per_day": _limit("0", "50", "liang/day", 1),
    "target_alcohol_per_day": _limit("0", "50", "liang/day", 1),
    "exercise_times_per_week": _limit("0", "21", "/week"),
    "exercise_minutes": _limit("0", "600", "min"),
    "target_exercise_times_per_week": _limit("0", "21", "/week"),
    "target_exercise_minutes": _limit("0", "600", "min"),
    "staple_food_g": _limit("0", "2000", "g/day"),
    "target_staple_food_g": _limit("0", "2000", "g/day"),
}
INTEGER_FIELDS = frozenset(k for k, v in PLAUSIBLE.items() if v.places == 0)
DECIMAL_FIELDS = frozenset(k for k, v in PLAUSIBLE.items() if v.places > 0)


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)


# -- ICD-10 codes (RULES §8) ------------------------------------------------------------------------------------
# WHO ICD-10 (I10, I11.9) and China's clinical edition, which extends a code (I10.x00, E11.900).
_ICD = re.compile(r"^([A-Z])([0-9]{2})(?:\.([0-9X]{1,4}))?$")


@dataclass(frozen=True)
class IcdCode:
    code: str  # as stored: the category's letter upper case, the national edition's placeholder x lower case
    category: str  # I10, E11


def parse_icd(text: str) -> IcdCode:
    raw = ascii_digits("icd_code", text or "").strip().upper()
    m = _ICD.match(raw)
    if m is None:
        raise ValidationError(
            "icd_code",
            "icd_format",
            f"{text!r} is not an ICD-10 code: a letter, two digits and an optional extension "
            "(I10, I11.9, I10.x00, E11.900)",
        )
    letter, number, extension = m.groups()
    category = f"{letter}{number}"
    code = category if extension is None else f"{category}.{extension.replace('X', 'x')}"
    return IcdCode(code, category)


HYPERTENSION_CODES = ("I10", "I11", "I12", "I13")  # primary hypertension (and its heart/kidney disease)
DIABETES_CODES = ("E11",)  # type 2


def eligibility(disease: str, icd: str, birth_date: dt.date | str, confirmed: dt.date) -> IcdCode:
    """The parsed code when a resident may be registered for ``disease``; otherwise a ValidationError naming the
    rule (RULES §3/§4): ``icd_format``, ``disease`` (not one of the programme's), ``secondary_hypertension``
    (I15: refer), ``icd_invalid`` (I14: there is none), ``not_hypertension``, ``type_1_diabetes`` (E10),
    ``not_type_2_diabetes`` (E12-E14), ``not_diabetes``, ``min_age`` (under 35 on the day confirmed)."""
    if disease not in DISEASES:
        raise ValidationError("disease", "choice", f"one of {', '.join(DISEASES)}")
    code = parse_icd(icd)
    c = code.category
    if disease == "hypertension" and c not in HYPERTENSION_CODES:
        if c == "I15":
            raise ValidationError(
                "icd_code",
                "secondary_hypertension",
                f"{code.code} is secondary hypertension, not enrolled: refer the patient to a higher-level "
                "hospital",
                {"code": code.code},
            )
        if c == "I14":
            raise ValidationError(
                "icd_code",
                "icd_invalid",
                f"{code.code} does not exist (hypertension is I10-I13, I15): check the code or refer",
                {"code": code.code},
            )
        raise ValidationError(
            "icd_code",
            "not_hypertension",
            f"{code.code} is not primary hypertension (I10-I13): check the code or refer",
            {"code": code.code},
        )
    if disease == "diabetes" and c not in DIABETES_CODES:
        if c == "E10":
            raise ValidationError(
                "icd_code",
                "type_1_diabetes",
                f"{code.code} is type 1 diabetes, not in this programme (type 2, E11, only): refer",
                {"code": code.code},
            )
        if c in ("E12", "E13", "E14"):
            raise ValidationError(
                "icd_code",
                "not_type_2_diabetes",
                f"{code.code} is not type 2 diabetes (E11): check the code or refer",
                {"code": code.code},
            )
        raise ValidationError(
            "icd_code",
            "not_diabetes",
            f"{code.code} is not type 2 diabetes (E11): check the code or refer",
            {"code": code.code},
        )
    age = age_on(birth_date, confirmed)
    if age < MIN_AGE:
        raise ValidationError(
            "resident",
            "min_age",
            f"the programme is for residents aged {MIN_AGE} or more on the day confirmed ({age} on "
            f"{confirmed.isoformat()})",
            {"age": str(age), "limit": str(MIN_AGE)},
        )
    return code


def age_on(born: dt.date | str, day: dt.date) -> int:
    from clinic_app.idcard import age_on as _age_on

    return _age_on(born, day)


# -- readings ----------------------------------------------------------------------------------------------
def measure(field: str, value: Any) -> Decimal | int | None:
    """A typed value of a measured field within its plausible range (``PLAUSIBLE``): an int for whole-number
    fields, a Decimal for the others; None for an empty value. A refusal names the field and the range."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    limit = PLAUSIBLE[field]
    if isinstance(value, bool):
        raise ValidationError(field, "number", f"{field} is a number ({limit.text()})")
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    else:
        text = ascii_digits(field, str(value)).strip()
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValidationError(
                field, "number", f"{value!r} is not a number; {field} is {limit.text()}"
            ) from None
    if not number.is_finite():
        raise ValidationError(field, "number", f"{field} is a number ({limit.text()})")
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > limit.places:
        places = "a whole number" if limit.places == 0 else f"at most {limit.places} decimal place"
        raise ValidationError(field, "precision", f"{field} is {places} ({_plain(number)} given)")
    if not limit.low <= number <= limit.high:
        raise ValidationError(
            field,
            "range",
            f"{_plain(number)} is outside the plausible range {limit.text()}",
            {
                "low": f"{limit.low:.{limit.places}f}",
                "high": f"{limit.high:.{limit.places}f}",
                "unit": limit.unit,
            },
        )
    if limit.places == 0:
        return int(number)
    return number.quantize(Decimal(1).scaleb(-limit.places))


@dataclass(frozen=True)
class BloodPressure:
    sbp: int
    dbp: int


def reading(sbp: Any, dbp: Any, suffix: str = "") -> BloodPressure | None:
    """One BP reading (both values or neither): each in range, SBP above DBP (RULES §3)."""
    s = measure("sbp", sbp) if sbp is not None else None
    d = measure("dbp", dbp) if dbp is not None else None
    if s is None and d is None:
        return None
    if s is None or d is None:
        missing = "sbp" if s is None else "dbp"
        raise ValidationError(
            f"{missing}{suffix}", "required", "a blood pressure reading has both SBP and DBP"
        )
    assert isinstance(s, int) and isinstance(d, int)
    if s <= d:
        raise ValidationError(
            f"sbp{suffix}",
            "sbp_above_dbp",
            f"SBP must exceed DBP ({s}/{d} mmHg)",
            {"sbp": str(s), "dbp": str(d)},
        )
    return BloodPressure(s, d)


def average(first: BloodPressure | None, second: BloodPressure | None) -> BloodPressure | None:
    """The visit's BP: the mean of the two readings when both are given (rounded half up to whole mmHg), else
    the one given."""
    if first is None or second is None:
        return first or second
    return BloodPressure(_half_up(first.sbp + second.sbp), _half_up(first.dbp + second.dbp))


def _half_up(total: int) -> int:
    return int((Decimal(total) / 2).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def bmi(weight_kg: Decimal | None, height_cm: Decimal | None) -> Decimal | None:
    """Body-mass index, kg/m², one decimal (half up); None without both."""
    if weight_kg is None or height_cm is None:
        return None
    metres = Decimal(height_cm) / 100
    return (Decimal(weight_kg) / (metres * metres)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def symptom_list(disease: str, codes: Iterable[str], other: str | None = None) -> list[str]:
    """The symptoms ticked, in the form's order: each of the disease's vocabulary (``SYMPTOMS``), ``none``
    alone, ``other`` with its text."""
    chosen = []
    for raw in codes:
        code = raw.strip().lower().replace("-", "_")
        if code not in SYMPTOMS[disease]:
            raise ValidationError(
                "symptoms",
                "choice",
                f"{raw!r} is not a {disease} symptom: one of {', '.join(SYMPTOMS[disease])}",
                {"symptom": raw},
            )
        chosen.append(code)
    picked = set(chosen)
    if "none" in picked and len(picked) > 1:
        raise ValidationError("symptoms", "none_alone", "'none' cannot be ticked with a symptom")
    if "other" in picked and not (other or "").strip():
        raise ValidationError("symptom_other", "required", "say which other symptom")
    return [s for s in SYMPTOMS[disease] if s in picked]


def choice(field: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
    if value is None or value == "":
        return None
    if value not in allowed:
        raise ValidationError(field, "choice", f"{value!r}: one of {', '.join(allowed)}")
    return value


# -- classification (RULES §3/§4) ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class VisitFacts:
    """What a visit's classification reads."""

    disease: str
    age: int  # on the visit date
    bp: BloodPressure | None = None
    fasting_glucose: Decimal | None = None
    adverse_reaction: bool = False
    new_complication: bool = False  # a new complication, or an existing one worse
    symptoms: tuple[str, ...] = ()
    previous: str | None = None  # the classification of the previous face-to-face visit (None: none before)


@dataclass(frozen=True)
class Classification:
    classification: str  # CLASSIFICATIONS
    referral: str | None  # None, routine, emergency
    reasons: tuple[str, ...]  # why, as codes (see ``classify``)
    interval: str  # the POLICY_DEFAULTS key of the interval to the next visit


def reading_controlled(facts: VisitFacts) -> bool | None:
    """Whether the visit's reading meets the target (None: no reading). Hypertension: BP < 140/90, from 65
    < 150/90; diabetes: fasting glucose < 7.0 mmol/L."""
    if facts.disease == "hypertension":
        if facts.bp is None:
            return None
        sbp_max, dbp_max = BP_TARGET_ELDERLY if facts.age >= ELDERLY_AGE else BP_TARGET
        return facts.bp.sbp < sbp_max and facts.bp.dbp < dbp_max
    if facts.fasting_glucose is None:
        return None
    return facts.fasting_glucose < GLUCOSE_TARGET


def emergency_reasons(facts: VisitFacts) -> list[str]:
    reasons = []
    if facts.bp is not None and (facts.bp.sbp >= BP_EMERGENCY[0] or facts.bp.dbp >= BP_EMERGENCY[1]):
        reasons.append("emergency_bp")
    if facts.disease == "diabetes" and facts.fasting_glucose is not None:
        if facts.fasting_glucose >= GLUCOSE_EMERGENCY_HIGH:
            reasons.append("emergency_glucose_high")
        elif facts.fasting_glucose <= GLUCOSE_EMERGENCY_LOW:
            reasons.append("emergency_glucose_low")
    reasons += [f"emergency_sign:{s}" for s in facts.symptoms if s in EMERGENCY_SIGNS[facts.disease]]
    return reasons


def classify(facts: VisitFacts, override: str | None = None) -> Classification:
    """The visit's classification, referral and interval.

    Classification (one, the form's 1-4, the first that holds): ``complication`` (new or worse), ``adverse_reaction``,
    ``uncontrolled`` (the reading above target), ``controlled``. Without a reading a visit is classified only by a
    complication or an adverse reaction (else ValidationError ``reading`` required: the doctor classifies by
    hand, with a reason).

    Referral: ``emergency`` for an emergency reading or sign (whatever the classification); else ``routine`` for
    a complication, a second consecutive uncontrolled visit (the previous face-to-face one was classified
    uncontrolled) or an adverse reaction that could not be controlled (the previous face-to-face one was classified
    adverse reaction too). Interval: the referral follow-up when referred, the revisit for an uncontrolled visit or
    an adverse reaction, the routine interval when controlled.

    ``override``: the doctor's classification (recorded with a reason by the caller); the referral and the
    interval then follow it as they would follow the rules' own."""
    controlled = reading_controlled(facts)
    if override is not None:
        if override not in CLASSIFICATIONS:
            raise ValidationError(
                "classification", "choice", f"{override!r}: one of {', '.join(CLASSIFICATIONS)}"
            )
        kind = override
    elif facts.new_complication:
        kind = "complication"
    elif facts.adverse_reaction:
        kind = "adverse_reaction"
    elif controlled is None:
        what = "SBP and DBP" if facts.disease == "hypertension" else "the fasting glucose"
        raise ValidationError(
            "reading",
            "required",
            f"the classification is made from the reading: give {what}, or classify by hand with a reason",
        )
    else:
        kind = "controlled" if controlled else "uncontrolled"
    reasons = emergency_reasons(facts)
    referral: str | None = "emergency" if reasons else None
    if kind == "complication":
        reasons.append("complication")
    elif kind == "uncontrolled" and facts.previous == "uncontrolled":
        reasons.append("second_uncontrolled")
    elif kind == "adverse_reaction" and facts.previous == "adverse_reaction":
        reasons.append("adverse_reaction_persists")
    if referral is None and reasons:
        referral = "routine"
    return Classification(kind, referral, tuple(reasons), interval_for(kind, referral))


def interval_for(classification: str, referral: str | None) -> str:
    """The interval key of a visit classified (or overridden) so."""
    if referral is not None:
        return "followup.referral_followup_days"
    if classification == "controlled":
        return "followup.routine_interval_days"
    return "followup.revisit_interval_days"


# -- county intervals ------------------------------------------------------------------------------------------
def interval_value(key: str, text: str | None) -> int:
    """The county's value of an interval key (``POLICY_DEFAULTS`` while it has set none): whole days, 1-366."""
    return county_whole(key, text, POLICY_DEFAULTS[key], 1, MAX_INTERVAL_DAYS, "a whole number of days")


def intervals(conn: Any, on: dt.date) -> dict[str, int]:
    """The intervals in force on a day (the county's ``policy`` rows, else the defaults)."""
    from clinic_app.contracts import policy_value

    return {key: interval_value(key, policy_value(conn, key, on)) for key in POLICY_DEFAULTS}


def next_visit_date(visit_date: dt.date, interval: str, days: Mapping[str, int]) -> dt.date:
    return visit_date + dt.timedelta(days=days[interval])


def referral_due(referred_on: dt.date, days: Mapping[str, int]) -> dt.date:
    return referred_on + dt.timedelta(days=days["followup.referral_followup_days"])


def as_json_list(values: Iterable[str]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


# -- a stored follow-up row (the county checks a pushed one with these) -----------------------------------------
READING_COLUMNS = (("sbp_1", "dbp_1"), ("sbp_2", "dbp_2"), ("sbp", "dbp"))


def followup_row_problems(row: Mapping[str, Any]) -> list[ValidationError]:
    """What is wrong with a follow-up row as a device stores it (sent by another device, or another program):
    each measured value outside ``PLAUSIBLE``, a reading whose SBP does not exceed its DBP, symptoms that are not a
    JSON list of the disease's. Empty: the row holds what the form would have let through."""
    problems: list[ValidationError] = []
    for sbp, dbp in READING_COLUMNS:
        for name, limit in ((sbp, "sbp"), (dbp, "dbp")):
            if row.get(name) is not None:
                try:
                    _measure_as(limit, name, row[name])
                except ValidationError as exc:
                    problems.append(exc)
        s, d = row.get(sbp), row.get(dbp)
        if isinstance(s, int) and isinstance(d, int) and s <= d:
            problems.append(ValidationError(sbp, "sbp_above_dbp", f"SBP must exceed DBP ({s}/{d} mmHg)"))
        elif (s is None) != (d is None):
            problems.append(
                ValidationError(dbp if d is None else sbp, "required", "a reading has SBP and DBP")
            )
    for name in PLAUSIBLE:
        if name not in ("sbp", "dbp") and row.get(name) is not None:
            try:
                measure(name, row[name])
            except ValidationError as exc:
                problems.append(exc)
    disease = row.get("disease")
    if disease in DISEASES:
        try:
            symptoms = json.loads(row.get("symptoms") or "[]")
            if not isinstance(symptoms, list) or not all(isinstance(s, str) for s in symptoms):
                raise ValueError
            symptom_list(disease, symptoms, row.get("symptom_other"))
        except ValueError:
            problems.append(ValidationError("symptoms", "format", "symptoms are a JSON list of codes"))
        except ValidationError as exc:
            problems.append(exc)
    return problems


def _measure_as(limit: str, field: str, value: Any) -> None:
    """``measure`` of one limit for a column of another name (``sbp_2`` holds an SBP)."""
    try:
        measure(limit, value)
    except ValidationError as exc:
        raise ValidationError(field, exc.rule, exc.message, exc.details) from None
