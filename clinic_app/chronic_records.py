"""Chronic-disease care records (issue 12): registering a resident's hypertension or type 2 diabetes, ending its
management, the follow-ups (classified on save, a referral opened when the rules say so, the next date proposed),
their corrections, referrals and their follow-up, and the worklists. Each change is one unit of work (rows,
outbox, audit); the rules are clinic_app.chronic's.

Follow-ups are events: never edited; a correction is a new row naming the one it ``supersedes``, and every read
here takes only the rows no other row supersedes. Nothing a follow-up does edits the registration, so two devices
recording follow-ups of one patient never conflict.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from clinic_app import chronic as K
from clinic_app.db import Connection
from clinic_app.digits import parse_date
from clinic_app.errors import NotFound, ValidationError
from clinic_app.labels import label

if TYPE_CHECKING:
    from clinic_app.store import Store, UnitOfWork
    from clinic_app.users import User

MAX_NOTE = 500  # characters of a free-text field (reason, outcome, other symptom …)


# -- inputs ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DrugInput:
    name: str
    dose: str | None = None  # per time, as written ("5 mg")
    times_per_day: Any = None
    drug_code: str | None = None


@dataclass(frozen=True)
class FollowupInput:
    """One follow-up as the form holds it (RULES §10), values as typed; ``measure`` fields are checked against
    clinic_app.chronic.PLAUSIBLE."""

    resident_id: str
    disease: str
    visit_date: Any  # date or ISO text
    visit_mode: str
    symptoms: Sequence[str] = ()
    symptom_other: str | None = None
    sbp_1: Any = None
    dbp_1: Any = None
    sbp_2: Any = None
    dbp_2: Any = None
    weight: Any = None
    target_weight: Any = None
    height: Any = None
    target_bmi: Any = None
    heart_rate: Any = None
    other_signs: str | None = None
    cigarettes_per_day: Any = None
    target_cigarettes_per_day: Any = None
    alcohol_per_day: Any = None
    target_alcohol_per_day: Any = None
    exercise_times_per_week: Any = None
    exercise_minutes: Any = None
    target_exercise_times_per_week: Any = None
    target_exercise_minutes: Any = None
    salt_intake: str | None = None
    target_salt_intake: str | None = None
    staple_food_g: Any = None
    target_staple_food_g: Any = None
    psychological: str | None = None
    compliance: str | None = None
    auxiliary_exam: str | None = None
    adherence: str | None = None
    adverse_reaction: bool = False
    adverse_reaction_text: str | None = None
    new_complication: bool = False
    complication_text: str | None = None
    fasting_glucose: Any = None
    glucose_method: str | None = None
    hba1c: Any = None
    hba1c_date: Any = None
    other_tests: str | None = None
    foot_pulse: str | None = None
    hypoglycaemia: str | None = None
    insulin_type: str | None = None
    insulin_dose: str | None = None
    drugs: Sequence[DrugInput] = ()
    classification_override: str | None = None  # the doctor's classification instead of the rules'
    override_reason: str | None = None
    next_visit_date: Any = None  # None: the proposed date
    doctor_signature: str | None = None
    # a referral by hand (or where the rules refer: to which institution and department)
    refer: str | None = None  # routine / emergency, by hand
    referral_reason: str | None = None
    referral_institution: str | None = None
    referral_department: str | None = None


@dataclass(frozen=True)
class FollowupResult:
    id: str
    classification: str
    classification_rule: str | None  # what the rules said (None: no reading, classified by hand)
    referral: str | None
    referral_id: str | None
    reasons: tuple[str, ...]
    next_visit_date: dt.date
    proposed_next_visit_date: dt.date

    def as_dict(self) -> dict[str, Any]:
        return {
            "followup_id": self.id,
            "classification": self.classification,
            "classification_rule": self.classification_rule,
            "referral": self.referral,
            "referral_id": self.referral_id,
            "reasons": list(self.reasons),
            "next_visit_date": self.next_visit_date.isoformat(),
            "proposed_next_visit_date": self.proposed_next_visit_date.isoformat(),
        }


# -- small checks --------------------------------------------------------------------------------------------
def _text(field_name: str, value: str | None, limit: int = MAX_NOTE) -> str | None:
    text = (value or "").strip()
    if len(text) > limit:
        raise ValidationError(field_name, "too_long", f"at most {limit} characters")
    return text or None


def _not_future(field_name: str, day: dt.date, today: dt.date) -> None:
    if day > today:
        raise ValidationError(field_name, "future", f"{day.isoformat()} lies in the future")


def _stored(value: Decimal | int | None) -> Any:
    """A measured value as the row holds it: whole numbers as integers, decimals as their text."""
    return str(value) if isinstance(value, Decimal) else value


# -- registrations ---------------------------------------------------------------------------------------------
def registration(conn: Connection, resident_id: str, disease: str) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT * FROM disease_registration WHERE resident_id = ? AND disease = ? AND deleted_at IS NULL",
        (resident_id, disease),
    ).fetchone()
    return None if row is None else dict(row)


def registrations(conn: Connection, resident_id: str) -> list[dict[str, Any]]:
    return [
        dict(r)
        for r in conn.execute(
            "SELECT * FROM disease_registration WHERE resident_id = ? AND deleted_at IS NULL ORDER BY disease",
            (resident_id,),
        )
    ]


def register(
    store: Store,
    actor: User,
    resident_id: str,
    disease: str,
    icd: str,
    confirmed: Any,
    *,
    institution: str | None = None,
    qualification_status: str = "none",
    qualification_date: Any = None,
    certificate_number: str | None = None,
    note: str | None = None,
    today: dt.date | None = None,
) -> str:
    """Register the resident's disease (RULES §3/§4 eligibility: refused with the rule named). A registration
    whose management ended is taken up again; one under management is not registered twice. Two devices that
    register one patient offline make two rows of one key (resident, disease): the county merges the later into
    the first, as it merges a resident registered twice (sync.server.dependants)."""
    from clinic_app.residents import get_resident

    today = today or dt.date.today()
    conn = store.conn
    resident = get_resident(conn, resident_id)
    day = parse_date("confirmed_on", confirmed)
    _not_future("confirmed_on", day, today)
    code = K.eligibility(disease, icd, resident["birth_date"], day)
    values = {
        "icd_code": code.code,
        "confirmed_on": day.isoformat(),
        "institution": _text("institution", institution, 100),
        **_qualification(qualification_status, qualification_date, certificate_number, today),
        "management": "continue",
        "management_ended_on": None,
        "management_end_reason": None,
        "note": _text("note", note),
    }
    held = registration(conn, resident_id, disease)
    if held is not None and held["management"] == "continue":
        raise ValidationError(
            "disease",
            "duplicate",
            f"{resident['name']} is registered for {disease} already ({held['icd_code']}, confirmed "
            f"{held['confirmed_on']})",
            {"resident": resident["name"], "disease": disease},
        )
    with store.unit(actor.id, "chronic.register") as uow:
        if held is not None:
            uow.update("disease_registration", held["id"], values)
            registration_id = str(held["id"])
        else:
            registration_id = uow.insert(
                "disease_registration", {"resident_id": resident_id, "disease": disease, **values}
            )
        uow.summary = f"{resident['name']}: {disease} registered ({code.code})"
    return registration_id


def _qualification(status: str, date: Any, certificate: str | None, today: dt.date) -> dict[str, Any]:
    """The chronic-outpatient qualification (门诊慢特病认定): status, date, certificate number."""
    K.choice("qualification_status", status, K.QUALIFICATION)
    day = parse_date("qualification_date", date) if date else None
    if day is not None:
        _not_future("qualification_date", day, today)
    number = _text("certificate_number", certificate, 64)
    if status == "approved" and day is None:
        raise ValidationError("qualification_date", "required", "an approved qualification has its date")
    if status == "none" and (day is not None or number is not None):
        raise ValidationError(
            "qualification_status", "required", "a date or certificate needs the qualification's status"
        )
    return {
        "qualification_status": status,
        "qualification_date": day.isoformat() if day else None,
        "certificate_number": number,
    }


def set_qualification(
    store: Store,
    actor: User,
    registration_id: str,
    status: str,
    date: Any = None,
    certificate_number: str | None = None,
    today: dt.date | None = None,
) -> bool:
    """False when the registration already holds exactly this qualification (nothing is written)."""
    held = get_registration(store.conn, registration_id)
    if certificate_number is None and status == "approved":
        certificate_number = held.get(
            "certificate_number"
        )  # a new date keeps the certificate not named again
    values = _qualification(status, date, certificate_number, today or dt.date.today())
    day = values["qualification_date"]
    if day is not None and held.get("confirmed_on") and day < str(held["confirmed_on"]):
        raise ValidationError(
            "qualification_date",
            "before_diagnosis",
            f"{day} comes before the diagnosis was confirmed ({held['confirmed_on']}): the qualification follows it",
        )
    if all(held.get(column) == value for column, value in values.items()):
        return False
    with store.unit(actor.id, "chronic.qualification") as uow:
        uow.update("disease_registration", held["id"], values)
    return True


def _live_row(conn: Connection, table: str, row_id: str, what: str) -> dict[str, Any]:
    """The row of ``table`` with this id, not deleted; NotFound naming it as ``what`` otherwise."""
    row = conn.execute(f'SELECT * FROM "{table}" WHERE id = ? AND deleted_at IS NULL', (row_id,)).fetchone()
    if row is None:
        raise NotFound(f"{what} {row_id} does not exist")
    return dict(row)


def get_registration(conn: Connection, registration_id: str) -> dict[str, Any]:
    return _live_row(conn, "disease_registration", registration_id, "disease registration")


def end_management(
    store: Store,
    actor: User,
    registration_id: str,
    outcome: str,
    reason: str,
    on: Any = None,
    today: dt.date | None = None,
) -> None:
    """The outcome of the case (RULES §10): lost to follow-up or terminated, with its reason and date."""
    today = today or dt.date.today()
    held = get_registration(store.conn, registration_id)
    if outcome not in ("lost", "terminated"):
        raise ValidationError("management", "choice", "management ends as lost or terminated")
    if held["management"] != "continue":
        raise ValidationError("management", "ended", f"the management ended already ({held['management']})")
    text = _text("reason", reason)
    if text is None:
        raise ValidationError("reason", "required", "say why the management ends")
    day = parse_date("date", on) if on else today
    _not_future("date", day, today)
    if day.isoformat() < held["confirmed_on"]:
        raise ValidationError("date", "range", f"the disease was confirmed on {held['confirmed_on']}")
    with store.unit(actor.id, "chronic.end") as uow:
        uow.update(
            "disease_registration",
            held["id"],
            {"management": outcome, "management_ended_on": day.isoformat(), "management_end_reason": text},
        )


# -- follow-ups ---------------------------------------------------------------------------------------------------
# Not superseded: no row corrects it, and when it is a correction, no later correction of the same follow-up
# (two devices that correct one visit offline: the later correction, by (created_at, id), stands on every device).
LIVE = (
    "(NOT EXISTS (SELECT 1 FROM followup s WHERE s.supersedes = {f}.id) AND ({f}.supersedes IS NULL OR NOT EXISTS "
    "(SELECT 1 FROM followup s WHERE s.supersedes = {f}.supersedes AND (s.created_at, s.id) > ({f}.created_at, {f}.id))))"
)
# the row that corrects {f}: the latest correction of it, or (for a correction) a later correction of the same row
CORRECTED_BY = """SELECT x.id FROM followup x
    WHERE x.supersedes = {f}.id
       OR ({f}.supersedes IS NOT NULL AND x.supersedes = {f}.supersedes
           AND (x.created_at, x.id) > ({f}.created_at, {f}.id))
    ORDER BY x.created_at DESC, x.id DESC LIMIT 1"""


def get_followup(conn: Connection, followup_id: str) -> dict[str, Any]:
    return _live_row(conn, "followup", followup_id, "follow-up")


def superseded_by(conn: Connection, followup_id: str) -> str | None:
    row = conn.execute(
        f"SELECT ({CORRECTED_BY.format(f='f')}) FROM followup f WHERE f.id = ?", (followup_id,)
    ).fetchone()
    return None if row is None or row[0] is None else str(row[0])


def previous_face_to_face(
    conn: Connection, resident_id: str, disease: str, before: dt.date, leaving_out: str | None = None
) -> dict[str, Any] | None:
    """The latest face-to-face follow-up (clinic or home, as corrected) dated before ``before``."""
    row = conn.execute(
        f"""SELECT f.* FROM followup f INDEXED BY followup_resident
            WHERE f.resident_id = ? AND f.disease = ? AND f.visit_date < ? AND f.deleted_at IS NULL
              AND f.visit_mode IN ('clinic', 'home') AND f.id IS NOT ? AND {LIVE.format(f="f")}
            ORDER BY f.visit_date DESC, f.created_at DESC, f.id DESC LIMIT 1""",
        (resident_id, disease, before.isoformat(), leaving_out),
    ).fetchone()
    return None if row is None else dict(row)


def history(conn: Connection, resident_id: str, disease: str | None = None) -> list[dict[str, Any]]:
    """The follow-ups of a patient as corrected (newest first), each with its drugs."""
    sql = f"SELECT f.* FROM followup f WHERE f.resident_id = ? AND f.deleted_at IS NULL AND {LIVE.format(f='f')}"
    args: list[Any] = [resident_id]
    if disease is not None:
        sql += " AND f.disease = ?"
        args.append(disease)
    return _with_drugs(
        conn,
        [
            dict(r)
            for r in conn.execute(sql + " ORDER BY f.visit_date DESC, f.created_at DESC, f.id DESC", args)
        ],
    )


def visit_history(conn: Connection, resident_id: str) -> list[dict[str, Any]]:
    """Every follow-up of a patient, corrected ones too (newest first, a correction before the row it corrects),
    each with its drugs. A corrected row carries ``corrected_by`` (the correction's id), ``corrected_at``,
    ``corrected_user`` (who corrected it) and ``corrected_because`` (the correction's reason); a live one None."""
    sql = f"""SELECT f.*, s.id AS corrected_by, s.created_at AS corrected_at, s.correction_reason AS corrected_because,
                    u.display_name AS corrected_user
             FROM followup f
             LEFT JOIN followup s ON s.id = ({CORRECTED_BY.format(f="f")})
             LEFT JOIN user u ON u.id = s.created_by
             WHERE f.resident_id = ? AND f.deleted_at IS NULL
             ORDER BY f.visit_date DESC, f.created_at DESC, f.id DESC"""
    return _with_drugs(conn, [dict(r) for r in conn.execute(sql, (resident_id,))])


def _with_drugs(conn: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        row["drugs"] = [
            dict(d)
            for d in conn.execute(
                "SELECT name, dose, times_per_day, drug_code FROM followup_drug WHERE followup_id = ? "
                "ORDER BY created_at, id",
                (row["id"],),
            )
        ]
    return rows


def input_of(conn: Connection, followup_id: str) -> FollowupInput:
    """A follow-up as the form holds it, to correct it (the readings as typed, the doctor's classification with
    its reason; the next date left to be proposed again): the start of a correction."""
    row = get_followup(conn, followup_id)
    names = {f.name for f in fields(FollowupInput)} - {
        "drugs",
        "symptoms",
        "adverse_reaction",
        "new_complication",
        "refer",
        "referral_reason",
        "next_visit_date",  # proposed afresh from the corrected classification
    }
    values = {name: row[name] for name in names if name in row}
    if row["override_reason"] is None:
        values["classification_override"] = None
    else:
        values["classification_override"] = row["classification"]
    drugs = conn.execute(
        "SELECT name, dose, times_per_day, drug_code FROM followup_drug WHERE followup_id = ? ORDER BY created_at, id",
        (followup_id,),
    )
    return FollowupInput(
        **values,
        adverse_reaction=bool(row["adverse_reaction"]),
        new_complication=bool(row["new_complication"]),
        symptoms=json.loads(row["symptoms"] or "[]"),
        drugs=[DrugInput(d["name"], d["dose"], d["times_per_day"], d["drug_code"]) for d in drugs],
    )


@dataclass
class _Planned:
    row: dict[str, Any]
    drugs: list[dict[str, Any]]
    result: K.Classification
    rule: str | None
    proposed: dt.date
    next_date: dt.date
    referral: dict[str, Any] | None = field(default=None)


def _measures(data: FollowupInput) -> dict[str, Any]:
    names = [f.name for f in fields(FollowupInput) if f.name in K.PLAUSIBLE and f.name not in ("sbp", "dbp")]
    return {name: K.measure(name, getattr(data, name)) for name in names}


def _plan(conn: Connection, data: FollowupInput, today: dt.date, leaving_out: str | None = None) -> _Planned:
    """Check the form and work out the row, its classification, referral and next date (nothing written)."""
    from clinic_app.residents import get_resident

    if data.disease not in K.DISEASES:
        raise ValidationError("disease", "choice", f"one of {', '.join(K.DISEASES)}")
    resident = get_resident(conn, data.resident_id)
    held = registration(conn, data.resident_id, data.disease)
    if held is None or held["management"] != "continue":
        raise ValidationError(
            "disease",
            "not_registered",
            f"{resident['name']} is not under management for {data.disease}: register the disease first",
            {"resident": resident["name"], "disease": data.disease},
        )
    day = parse_date("visit_date", data.visit_date)
    _not_future("visit_date", day, today)
    if day.isoformat() < held["confirmed_on"]:
        raise ValidationError(
            "visit_date", "range", f"the disease was confirmed on {held['confirmed_on']}, after this visit"
        )
    if not data.visit_mode:
        raise ValidationError("visit_mode", "required", f"one of {', '.join(K.VISIT_MODES)}")
    K.choice("visit_mode", data.visit_mode, K.VISIT_MODES)
    symptoms = K.symptom_list(data.disease, data.symptoms, data.symptom_other)
    first = K.reading(data.sbp_1, data.dbp_1, "_1")
    second = K.reading(data.sbp_2, data.dbp_2, "_2")
    if first is None and second is not None:
        first, second = second, None
    bp = K.average(first, second)
    measured = _measures(data)
    glucose = measured["fasting_glucose"]
    choices = {
        name: K.choice(name, getattr(data, name), allowed)
        for name, allowed in (
            ("salt_intake", K.SALT),
            ("target_salt_intake", K.SALT),
            ("psychological", K.RATING),
            ("compliance", K.RATING),
            ("adherence", K.ADHERENCE),
            ("glucose_method", K.GLUCOSE_METHODS),
            ("foot_pulse", K.FOOT_PULSE),
            ("hypoglycaemia", K.HYPOGLYCAEMIA),
        )
    }
    hba1c_date = parse_date("hba1c_date", data.hba1c_date) if data.hba1c_date else None
    if hba1c_date is not None:
        _not_future("hba1c_date", hba1c_date, today)
    adverse_text = _text("adverse_reaction_text", data.adverse_reaction_text)
    previous = previous_face_to_face(conn, data.resident_id, data.disease, day, leaving_out)
    facts = K.VisitFacts(
        data.disease,
        K.age_on(resident["birth_date"], day),
        bp=bp,
        fasting_glucose=glucose if isinstance(glucose, Decimal) else None,
        adverse_reaction=bool(data.adverse_reaction),
        new_complication=bool(data.new_complication),
        symptoms=tuple(symptoms),
        previous=None if previous is None else previous["classification"],
    )
    override = (data.classification_override or "").strip() or None
    try:
        rule: K.Classification | None = K.classify(facts)
    except ValidationError:
        if override is None:
            raise
        rule = None
    reason = _text("override_reason", data.override_reason)
    if override is not None and rule is not None and override == rule.classification:
        override, reason = None, None  # the doctor chose what the rules say
    if override is not None and reason is None:
        raise ValidationError(
            "override_reason",
            "required",
            "a classification other than the rules' needs the reason, which is recorded",
        )
    result = K.classify(facts, override) if override is not None else rule
    assert result is not None
    referral = result.referral
    reasons = list(result.reasons)
    by_hand = K.choice("refer", data.refer, K.URGENCIES)
    if by_hand is not None and (referral is None or (by_hand == "emergency" and referral == "routine")):
        referral = by_hand
        reasons.append("by_hand")
    interval = K.interval_for(result.classification, referral)
    days = K.intervals(conn, day)
    proposed = K.next_visit_date(day, interval, days)
    next_date = parse_date("next_visit_date", data.next_visit_date) if data.next_visit_date else proposed
    if next_date <= day:
        raise ValidationError("next_visit_date", "range", "the next visit comes after this one")
    drugs = [_drug(i, d) for i, d in enumerate(data.drugs, start=1)]
    row = {
        "resident_id": data.resident_id,
        "disease": data.disease,
        "visit_date": day.isoformat(),
        "visit_mode": data.visit_mode,
        "symptoms": K.as_json_list(symptoms),
        "symptom_other": _text("symptom_other", data.symptom_other) if "other" in symptoms else None,
        "sbp_1": first.sbp if first else None,
        "dbp_1": first.dbp if first else None,
        "sbp_2": second.sbp if second else None,
        "dbp_2": second.dbp if second else None,
        "sbp": bp.sbp if bp else None,
        "dbp": bp.dbp if bp else None,
        **{name: _stored(value) for name, value in measured.items()},
        "bmi": _stored(K.bmi(_decimal(measured["weight"]), _decimal(measured["height"]))),
        "other_signs": _text("other_signs", data.other_signs),
        **choices,
        "auxiliary_exam": _text("auxiliary_exam", data.auxiliary_exam),
        "adverse_reaction": int(bool(data.adverse_reaction)),
        "adverse_reaction_text": adverse_text,
        "new_complication": int(bool(data.new_complication)),
        "complication_text": _text("complication_text", data.complication_text),
        "hba1c_date": hba1c_date.isoformat() if hba1c_date else None,
        "other_tests": _text("other_tests", data.other_tests),
        "insulin_type": _text("insulin_type", data.insulin_type, 100),
        "insulin_dose": _text("insulin_dose", data.insulin_dose, 100),
        "classification": result.classification,
        "classification_rule": None if rule is None else rule.classification,
        "override_reason": reason if override is not None else None,
        "referral": referral,
        "referral_reasons": K.as_json_list(reasons),
        "next_visit_date": next_date.isoformat(),
        "doctor_signature": _text("doctor_signature", data.doctor_signature, 40),
    }
    planned = _Planned(row, drugs, result, None if rule is None else rule.classification, proposed, next_date)
    if referral is not None:
        planned.referral = {
            "resident_id": data.resident_id,
            "disease": data.disease,
            "referred_on": day.isoformat(),
            "urgency": referral,
            "reason": _text("referral_reason", data.referral_reason) or _reason_codes_text(reasons),
            "institution": _text("referral_institution", data.referral_institution, 100),
            "department": _text("referral_department", data.referral_department, 100),
            "due_on": K.referral_due(day, days).isoformat(),
            "status": "open",
        }
    planned.result = K.Classification(result.classification, referral, tuple(reasons), interval)
    return planned


def _decimal(value: Decimal | int | None) -> Decimal | None:
    return None if value is None else Decimal(value)


REASON_WORDS = {  # the English words of the rules' reason codes (clinic_app.chronic.classify), for the CLI
    "emergency_bp": "blood pressure at the emergency level (≥ 180/110 mmHg)",
    "emergency_glucose_high": "fasting glucose ≥ 16.7 mmol/L",
    "emergency_glucose_low": "fasting glucose ≤ 3.9 mmol/L",
    "complication": "a new or worse complication",
    "second_uncontrolled": "uncontrolled at two consecutive visits",
    "adverse_reaction_persists": "an adverse drug reaction that could not be controlled",
    "by_hand": "the doctor's referral",
}
SIGN = "emergency_sign:"


def _reason_codes_text(reasons: Sequence[str]) -> str:
    """What a referral the rules opened stores as its reason: the reason codes, "; " between (each screen shows
    them in its language: reason_codes, ui.chronic_words.referral_reason_text)."""
    return "; ".join(reasons) or "by_hand"


def reason_codes(stored: str | None) -> list[str] | None:
    """The rules' reason codes a referral's stored reason holds, or None when it is a person's own words. Rows
    written before the codes were stored hold the English words of REASON_WORDS: those read back as codes."""
    known = {words: code for code, words in REASON_WORDS.items()}
    codes = []
    for part in (p.strip() for p in (stored or "").split(";")):
        if part.startswith("emergency sign: "):
            part = SIGN + part.removeprefix("emergency sign: ")
        code = known.get(part, part)
        if code not in REASON_WORDS and not (code.startswith(SIGN) and len(code) > len(SIGN)):
            return None
        codes.append(code)
    return codes


def reason_words(stored: str | None) -> str:
    """A referral's reason in English (the CLI's words): the codes' words, or the text as typed."""
    codes = reason_codes(stored)
    if codes is None:
        return stored or ""
    return "; ".join(
        f"emergency sign: {c.removeprefix(SIGN)}" if c.startswith(SIGN) else REASON_WORDS[c] for c in codes
    )


def _drug(n: int, drug: DrugInput) -> dict[str, Any]:
    name = _text(f"drugs[{n}].name", drug.name, 100)
    if name is None:
        raise ValidationError(f"drugs[{n}].name", "required", "a drug has its name")
    times = drug.times_per_day
    if times is not None and times != "":
        from clinic_app.digits import whole_number

        times = whole_number(f"drugs[{n}].times_per_day", times)
        if not 1 <= times <= 12:
            raise ValidationError(f"drugs[{n}].times_per_day", "range", "1-12 times a day")
    else:
        times = None
    return {
        "name": name,
        "dose": _text(f"drugs[{n}].dose", drug.dose, 40),
        "times_per_day": times,
        "drug_code": _text(f"drugs[{n}].drug_code", drug.drug_code, 40),
    }


def _write(uow: UnitOfWork, planned: _Planned, extra: Mapping[str, Any]) -> tuple[str, str | None]:
    followup_id = uow.insert("followup", {**planned.row, **extra})
    for drug in planned.drugs:
        uow.insert("followup_drug", {"followup_id": followup_id, **drug})
    referral_id = None
    if planned.referral is not None:
        referral_id = uow.insert("referral", {**planned.referral, "followup_id": followup_id})
    return followup_id, referral_id


def _result(followup_id: str, referral_id: str | None, planned: _Planned) -> FollowupResult:
    return FollowupResult(
        followup_id,
        planned.result.classification,
        planned.rule,
        planned.result.referral,
        referral_id,
        planned.result.reasons,
        planned.next_date,
        planned.proposed,
    )


def add_followup(
    store: Store, actor: User, data: FollowupInput, today: dt.date | None = None
) -> FollowupResult:
    """Record a follow-up: checked, classified (the override recorded with its reason), a referral opened when
    the rules (or the doctor) refer, the next date proposed from the county's intervals — one unit of work."""
    planned = _plan(store.conn, data, today or dt.date.today())
    with store.unit(actor.id, "followup.add") as uow:
        followup_id, referral_id = _write(uow, planned, {})
        uow.summary = _summary("follow-up", planned)
    return _result(followup_id, referral_id, planned)


def _summary(what: str, planned: _Planned) -> str:
    """The audit entry's words: the classification, an override with its reason, the referral."""
    row = planned.row
    text = f"{what} {row['visit_date']} ({row['disease']}): {planned.result.classification}"
    if row["override_reason"] is not None:
        text += f" (overridden; the rules said {planned.rule or 'nothing without a reading'}: {row['override_reason']})"
    if planned.result.referral:
        text += f", {planned.result.referral} referral"
    return text


def supersede_followup(
    store: Store,
    actor: User,
    followup_id: str,
    data: FollowupInput,
    reason: str,
    today: dt.date | None = None,
) -> FollowupResult:
    """Correct a follow-up: a new row that supersedes it (the old one stays, shown as corrected). The correction
    is classified afresh; a referral the old one opened and nobody followed up yet follows the correction (moved
    to it, or cancelled when the correction refers nobody)."""
    conn = store.conn
    old = get_followup(conn, followup_id)
    if (newer := superseded_by(conn, followup_id)) is not None:
        raise ValidationError(
            "followup", "superseded", f"this follow-up was corrected already (by {newer}): correct that one"
        )
    if (data.resident_id, data.disease) != (old["resident_id"], old["disease"]):
        raise ValidationError(
            "followup", "same_patient", "a correction is of the same patient's follow-up for the same disease"
        )
    why = _text("correction_reason", reason)
    if why is None:
        raise ValidationError("correction_reason", "required", "say what the correction corrects")
    planned = _plan(conn, data, today or dt.date.today(), leaving_out=followup_id)
    opened = conn.execute(
        "SELECT * FROM referral WHERE followup_id = ? AND status = 'open' AND deleted_at IS NULL",
        (followup_id,),
    ).fetchone()
    with store.unit(actor.id, "followup.correct") as uow:
        new_id = uow.insert("followup", {**planned.row, "supersedes": followup_id, "correction_reason": why})
        for drug in planned.drugs:
            uow.insert("followup_drug", {"followup_id": new_id, **drug})
        referral_id = None
        if opened is not None and planned.referral is not None:
            uow.update("referral", opened["id"], {**planned.referral, "followup_id": new_id})
            referral_id = str(opened["id"])
        elif opened is not None:
            uow.update(
                "referral",
                opened["id"],
                {"status": "cancelled", "outcome": f"the follow-up was corrected: {why}"},
            )
        elif planned.referral is not None:
            referral_id = uow.insert("referral", {**planned.referral, "followup_id": new_id})
        uow.summary = _summary(f"correction of {old['id']}:", planned)
    return _result(new_id, referral_id, planned)


# -- referrals --------------------------------------------------------------------------------------------
def get_referral(conn: Connection, referral_id: str) -> dict[str, Any]:
    return _live_row(conn, "referral", referral_id, "referral")


def open_referral(
    store: Store,
    actor: User,
    resident_id: str,
    disease: str,
    urgency: str,
    reason: str,
    *,
    institution: str | None = None,
    department: str | None = None,
    on: Any = None,
    today: dt.date | None = None,
) -> str:
    """A referral by hand (reason, institution, department, urgency), followed up within the county's days."""
    from clinic_app.residents import get_resident

    today = today or dt.date.today()
    conn = store.conn
    resident = get_resident(conn, resident_id)
    if registration(conn, resident_id, disease) is None:
        raise ValidationError(
            "disease", "not_registered", f"{resident['name']} has no {disease} registration"
        )
    if urgency not in K.URGENCIES:
        raise ValidationError("urgency", "choice", f"one of {', '.join(K.URGENCIES)}")
    text = _text("reason", reason)
    if text is None:
        raise ValidationError("reason", "required", "say why the patient is referred")
    day = parse_date("date", on) if on else today
    _not_future("date", day, today)
    with store.unit(actor.id, "referral.open") as uow:
        return uow.insert(
            "referral",
            {
                "resident_id": resident_id,
                "disease": disease,
                "referred_on": day.isoformat(),
                "urgency": urgency,
                "reason": text,
                "institution": _text("institution", institution, 100),
                "department": _text("department", department, 100),
                "due_on": K.referral_due(day, K.intervals(conn, day)).isoformat(),
                "status": "open",
            },
        )


def record_referral_followup(
    store: Store,
    actor: User,
    referral_id: str,
    arrived: bool,
    outcome: str | None = None,
    on: Any = None,
    today: dt.date | None = None,
) -> None:
    """The referral's follow-up: did the patient arrive, and the outcome; the referral leaves the worklist."""
    today = today or dt.date.today()
    held = get_referral(store.conn, referral_id)
    if held["status"] != "open":
        raise ValidationError(
            "referral", "status", f"the referral is {label('referral_status', held['status'])} already"
        )
    day = parse_date("date", on) if on else today
    _not_future("date", day, today)
    if day.isoformat() < held["referred_on"]:
        raise ValidationError("date", "range", f"the patient was referred on {held['referred_on']}")
    text = _text("outcome", outcome)
    if arrived and text is None:
        raise ValidationError("outcome", "required", "say what came of the referral")
    with store.unit(actor.id, "referral.followup") as uow:
        uow.update(
            "referral",
            referral_id,
            {
                "status": "followed_up",
                "arrived": int(arrived),
                "outcome": text,
                "followed_up_on": day.isoformat(),
            },
        )


# -- worklists ----------------------------------------------------------------------------------------------
# The patients under management, each with the follow-up that is current (the latest, as corrected), read from
# disease_registration_managed and, per patient, followup_resident; the due date is the current follow-up's next
# date (a patient never followed up is due from the day registered), or the date agreed in a call made since
# (clinic_app.chronic_contacts). Keyset pages: ``after`` is the previous
# page's last ``cursor``.
PATIENTS_SQL = f"""
    SELECT g.id AS registration_id, g.resident_id, g.disease, g.icd_code, r.name, r.name_pinyin, r.id_number,
           r.phone, r.village_id, r.household_id, f.id AS followup_id, f.visit_date, f.visit_mode,
           f.classification, f.sbp, f.dbp, f.fasting_glucose, g.contact_outcome, g.contacted_on,
           COALESCE(CASE WHEN g.contacted_on > COALESCE(f.visit_date, '') THEN g.recall_on END,
                    f.next_visit_date, substr(g.created_at, 1, 10)) AS due_on
    FROM disease_registration g INDEXED BY disease_registration_managed
    JOIN resident r ON r.id = g.resident_id
    LEFT JOIN followup f ON f.id = (
        SELECT x.id FROM followup x INDEXED BY followup_resident
        WHERE x.resident_id = g.resident_id AND x.disease = g.disease AND x.deleted_at IS NULL
          AND {LIVE.format(f="x")}
        ORDER BY x.visit_date DESC, x.created_at DESC, x.id DESC LIMIT 1)
    WHERE g.clinic_id = ? AND g.management = 'continue' AND g.deleted_at IS NULL AND r.deleted_at IS NULL"""
Cursor = tuple[str, str]


def cursor(row: Mapping[str, Any]) -> Cursor:
    return (str(row["due_on"]), str(row["registration_id"]))


def _due_page(
    conn: Connection,
    clinic_id: str,
    where: str,
    args: list[Any],
    after: Cursor | None,
    limit: int,
    today: dt.date,
) -> list[dict[str, Any]]:
    sql = f"SELECT * FROM ({PATIENTS_SQL}) WHERE {where}"
    params: list[Any] = [clinic_id, *args]
    if after is not None:
        sql += " AND (due_on, registration_id) > (?, ?)"
        params += list(after)
    sql += " ORDER BY due_on, registration_id LIMIT ?"
    rows = [dict(r) for r in conn.execute(sql, [*params, limit])]
    for row in rows:
        row["days_overdue"] = max((today - dt.date.fromisoformat(row["due_on"])).days, 0)
    return rows


def overdue_page(
    conn: Connection, clinic_id: str, today: dt.date, *, after: Cursor | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    """Patients whose next visit date has passed, the longest overdue first, with the days overdue."""
    return _due_page(conn, clinic_id, "due_on < ?", [today.isoformat()], after, limit, today)


def due_page(
    conn: Connection,
    clinic_id: str,
    today: dt.date,
    days: int = 7,
    *,
    after: Cursor | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Patients due from today to ``days`` - 1 days on (this week, by default)."""
    until = today + dt.timedelta(days=days - 1)
    return _due_page(
        conn, clinic_id, "due_on BETWEEN ? AND ?", [today.isoformat(), until.isoformat()], after, limit, today
    )


def referral_page(
    conn: Connection, clinic_id: str, today: dt.date, *, after: Cursor | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    """Referrals not followed up yet (listed until they are), the earliest due first, with the days overdue
    (past the county's days for a referral follow-up)."""
    sql = """SELECT f.id AS referral_id, f.resident_id, f.disease, f.referred_on, f.urgency, f.reason, f.institution,
                    f.department, f.due_on, r.name, r.name_pinyin, r.id_number, r.phone
             FROM referral f INDEXED BY referral_open JOIN resident r ON r.id = f.resident_id
             WHERE f.clinic_id = ? AND f.status = 'open' AND f.deleted_at IS NULL"""
    params: list[Any] = [clinic_id]
    if after is not None:
        sql += " AND (f.due_on, f.id) > (?, ?)"
        params += list(after)
    rows = [dict(r) for r in conn.execute(sql + " ORDER BY f.due_on, f.id LIMIT ?", [*params, limit])]
    for row in rows:
        row["days_overdue"] = max((today - dt.date.fromisoformat(row["due_on"])).days, 0)
    return rows


def referral_cursor(row: Mapping[str, Any]) -> Cursor:
    return (str(row["due_on"]), str(row["referral_id"]))


def short_page(
    conn: Connection, clinic_id: str, today: dt.date, *, after: Cursor | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    """Patients short of the standard's 4 face-to-face follow-ups this calendar year (phone ones do not count),
    in pinyin order, with how many are left and the weeks left in the year."""
    year = today.year
    sql = f"""SELECT * FROM (
        SELECT g.id AS registration_id, g.resident_id, g.disease, r.name, r.name_pinyin, r.id_number, r.phone,
               (SELECT count(*) FROM followup x INDEXED BY followup_resident
                WHERE x.resident_id = g.resident_id AND x.disease = g.disease AND x.visit_date BETWEEN ? AND ?
                  AND x.visit_mode IN ('clinic', 'home') AND x.deleted_at IS NULL AND {LIVE.format(f="x")}) AS done
        FROM disease_registration g INDEXED BY disease_registration_managed JOIN resident r ON r.id = g.resident_id
        WHERE g.clinic_id = ? AND g.management = 'continue' AND g.deleted_at IS NULL AND r.deleted_at IS NULL)
        WHERE done < ?"""
    params: list[Any] = [f"{year}-01-01", f"{year}-12-31", clinic_id, K.FACE_TO_FACE_PER_YEAR]
    if after is not None:
        sql += " AND (name_pinyin, registration_id) > (?, ?)"
        params += list(after)
    rows = [
        dict(r)
        for r in conn.execute(sql + " ORDER BY name_pinyin, registration_id LIMIT ?", [*params, limit])
    ]
    weeks_left = (dt.date(year, 12, 31) - today).days // 7
    for row in rows:
        row["left"] = K.FACE_TO_FACE_PER_YEAR - int(row["done"])
        row["weeks_left"] = weeks_left
    return rows


def short_cursor(row: Mapping[str, Any]) -> Cursor:
    return (str(row["name_pinyin"]), str(row["registration_id"]))


def followup_json(row: Mapping[str, Any]) -> dict[str, Any]:
    """A follow-up row as JSON shows it (its lists as lists)."""
    out = dict(row)
    for name in ("symptoms", "referral_reasons"):
        if isinstance(out.get(name), str):
            out[name] = json.loads(out[name])
    return out
