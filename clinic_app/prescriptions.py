"""The rules of long-term prescriptions (长期处方管理规范（试行）2021; RULES §6, §7; issue 13 points 2 and 3): pure
functions, no database. Each refusal is a ``ValidationError`` whose ``rule`` names the rule broken; warnings are
returned, never raised. The county's numbers are ``policy`` values with the defaults in ``POLICY_DEFAULTS``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from clinic_app.digits import county_whole
from clinic_app.drugs import EXCLUDED_FLAGS
from clinic_app.errors import ValidationError

STATUSES = ("active", "awaiting_signature", "stopped")  # expired is a date, not a status
STATUSES_ON_ISSUE = ("active", "awaiting_signature")  # later ones come from events
EXPIRED = "expired"  # what a person is told of a prescription past its validity that was not stopped


def status_on(status: str, valid_until: str, day: dt.date) -> str:
    """The status as a person is told it on ``day``: a prescription past its last valid day dispenses nothing,
    signed or not, so it is ``expired`` unless it was stopped."""
    return EXPIRED if status != "stopped" and str(valid_until) < day.isoformat() else status


EVENT_KINDS = ("signed", "stopped")
PRESCRIBING_ROLES = ("village_doctor", "clinic_admin")  # the accounts of a village clinic that prescribe
ROUTES = ("oral", "subcutaneous", "inhaled", "topical", "sublingual", "other")
# the catalog's dosage form (or name) → the route a prescription line defaults to; the first match wins
_FORM_ROUTES = (
    (("注射", "injection"), "subcutaneous"),  # the long-term injectables: insulins, GLP-1 pens
    (("吸入", "气雾", "inhal"), "inhaled"),
    (("舌下", "subling"), "sublingual"),
    (("外用", "贴", "软膏", "乳膏", "凝胶", "topical", "patch", "ointment"), "topical"),
)


def default_route(form: str | None, name: str | None = None) -> str:
    """The route of a drug line when the prescriber names none, from the catalog's dosage form (and, when the
    form says nothing, the drug's name): 注射剂 → subcutaneous, 吸入 → inhaled, 舌下 → sublingual, 外用/贴/软膏 →
    topical, else oral. Never 口服 for an insulin (trial F3)."""
    for text in (form, name):
        words = (text or "").strip().lower()
        for marks, route in _FORM_ROUTES:
            if words and any(m in words for m in marks):
                return route
    return "oral"


def route_of(field: str, route: str | None, drug: Mapping[str, Any]) -> str:
    """The route of a line: the one given (one of ``ROUTES``), or the default from the drug's form."""
    if route is None or not str(route).strip():
        return default_route(drug.get("form"), drug.get("name"))
    value = str(route).strip().lower()
    if value not in ROUTES:
        raise ValidationError(f"{field} route", "choice", f"one of {', '.join(ROUTES)}")
    return value


EXCLUDED_CLASS_NAMES = {  # RULES §6, as a refusal names them
    "narcotic": "a narcotic (麻醉药品)",
    "psychotropic_1": "a class-I psychotropic (第一类精神药品)",
    "toxic": "a toxic drug for medical use (医疗用毒性药品)",
    "radioactive": "a radiopharmaceutical (放射性药品)",
    "precursor": "a precursor chemical (易制毒化学品)",
    "antimicrobial": "an antimicrobial other than for tuberculosis (抗菌药物)",
}

# -- county parameters ------------------------------------------------------------------------------------------
POLICY_DEFAULTS: dict[str, int] = {
    "rx.max_days": 84,  # never more than 12 weeks (RULES §6)
    "rx.signature_above_days": 28,  # over 4 weeks: an assessment and the patient's signature
    "rx.validity_extra_days": 7,  # a prescription can be dispensed until issue + days + these
    "rx.refill_early_days": 7,  # an installment may come this many days before the last one runs out
    "rx.village_doctor_first_issue": 1,  # 1: a village doctor may issue a first long-term prescription
    "rx.village_doctor_reissue": 1,  # 1: a village doctor may re-issue
    "rx.refuse_special_storage": 0,  # 1: drugs with special storage are refused (RULES §6), 0: a warning
    # a prescription may be dated this many days before the day it is entered (a paper one from a home round);
    # RULES §6 is silent: a week, like the refill and validity margins; 0: only today
    "rx.issue_back_days": 7,
}
POLICY_LIMITS = {
    key: (0, 1)
    if key.startswith(("rx.village", "rx.refuse"))
    else (0, 366)
    if key == "rx.issue_back_days"
    else (1, 366)
    for key in POLICY_DEFAULTS
}


def policy_number(key: str, text: str | None) -> int:
    """The county's value of a prescription parameter (the default while it has set none)."""
    return county_whole(key, text, POLICY_DEFAULTS[key], *POLICY_LIMITS[key])


@dataclass(frozen=True)
class Limits:
    max_days: int = POLICY_DEFAULTS["rx.max_days"]
    signature_above_days: int = POLICY_DEFAULTS["rx.signature_above_days"]
    validity_extra_days: int = POLICY_DEFAULTS["rx.validity_extra_days"]
    refill_early_days: int = POLICY_DEFAULTS["rx.refill_early_days"]
    village_doctor_first_issue: bool = True
    village_doctor_reissue: bool = True
    refuse_special_storage: bool = False
    issue_back_days: int = POLICY_DEFAULTS["rx.issue_back_days"]

    @classmethod
    def from_policy(cls, values: Mapping[str, str | None]) -> Limits:
        n = {key: policy_number(key, values.get(key)) for key in POLICY_DEFAULTS}
        return cls(
            max_days=n["rx.max_days"],
            signature_above_days=min(n["rx.signature_above_days"], n["rx.max_days"]),
            validity_extra_days=n["rx.validity_extra_days"],
            refill_early_days=n["rx.refill_early_days"],
            village_doctor_first_issue=bool(n["rx.village_doctor_first_issue"]),
            village_doctor_reissue=bool(n["rx.village_doctor_reissue"]),
            refuse_special_storage=bool(n["rx.refuse_special_storage"]),
            issue_back_days=n["rx.issue_back_days"],
        )


# -- amounts ------------------------------------------------------------------------------------------------------
def dose_value(field: str, value: Any) -> Decimal:
    """A dose per time in the catalog's unit (片, 粒, IU): above 0, at most 3 decimal places, at most 1000."""
    try:
        dose = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError(field, "number", f"{value!r} is not a number") from None
    if not dose.is_finite() or dose <= 0 or dose > 1000 or dose != dose.quantize(Decimal("0.001")):
        raise ValidationError(field, "range", "a dose above 0, at most 1000, at most 3 decimal places")
    return dose


def whole_in(field: str, value: Any, low: int, high: int) -> int:
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
        raise ValidationError(field, "range", f"a whole number {low}-{high}")
    return int(text)


def units_needed(dose: Decimal, times_per_day: int, days: int) -> Decimal:
    return dose * times_per_day * days


def packages_for(dose: Decimal, times_per_day: int, days: int, package_size: int) -> int:
    """Whole packages for ``days``: dose × times × days ÷ package size, rounded up (RULES §6)."""
    return math.ceil(units_needed(dose, times_per_day, days) / package_size)


def days_supplied(units: Decimal | int, dose: Decimal, times_per_day: int) -> int:
    """Whole days ``units`` last at this dose (RULES §6: quantity × units per package ÷ daily dose)."""
    return int(Decimal(units) // (dose * times_per_day))


# -- issuing -------------------------------------------------------------------------------------------------------
def excluded_class(drug: Mapping[str, Any], limits: Limits = Limits()) -> str | None:
    """The RULES §6 class that keeps the drug off a long-term prescription, or None (anti-TB antimicrobials are
    allowed; special storage only when the county refuses it)."""
    for flag in EXCLUDED_FLAGS:
        if drug.get(flag) and not (flag == "antimicrobial" and drug.get("anti_tuberculosis")):
            return flag
    if limits.refuse_special_storage and drug.get("special_storage"):
        return "special_storage"
    return None


def check_drug(drug: Mapping[str, Any], limits: Limits = Limits(), field: str = "item") -> None:
    flag = excluded_class(drug, limits)
    if flag is not None:
        what = EXCLUDED_CLASS_NAMES.get(flag, "a drug with special storage requirements")
        raise ValidationError(
            field,
            f"excluded_{flag}",
            f"{drug['name']} is {what}: never on a long-term prescription (RULES §6)",
            {"drug": str(drug["name"]), "class": flag},
        )


def check_days(days: int, limits: Limits = Limits()) -> None:
    if days < 1:
        raise ValidationError("days", "range", "at least 1 day")
    if days > limits.max_days:
        raise ValidationError(
            "days",
            "over_max_days",
            f"{days} days is over {limits.max_days} days (12 weeks), the most a long-term prescription holds",
            {"days": str(days), "max": str(limits.max_days)},
        )


def needs_signature(days: int, limits: Limits = Limits()) -> bool:
    """Over 4 weeks the doctor records an assessment and the patient signs (RULES §6)."""
    return days > limits.signature_above_days


def status_on_issue(days: int, signed: bool, assessment: str | None, limits: Limits = Limits()) -> str:
    """``active``, or ``awaiting_signature`` while a prescription over 4 weeks lacks the patient's signature or
    the doctor's assessment (it dispenses nothing until then)."""
    check_days(days, limits)
    if needs_signature(days, limits) and not (signed and assessment):
        return "awaiting_signature"
    return "active"


def check_issue_day(day: dt.date, today: dt.date, limits: Limits = Limits()) -> None:
    """A prescription is dated at most the county's ``issue_back_days`` before the day it is entered."""
    earliest = today - dt.timedelta(days=limits.issue_back_days)
    if day < earliest:
        raise ValidationError(
            "date",
            "too_far_back",
            f"{day.isoformat()} is more than {limits.issue_back_days} days ago: a prescription is dated from "
            f"{earliest.isoformat()} on",
            {"earliest": earliest.isoformat(), "days": str(limits.issue_back_days)},
        )


def check_stable(disease: str, last_face_to_face: Mapping[str, Any] | None) -> None:
    """The patient is stable: the last face-to-face follow-up of that disease known when the prescription is
    entered was controlled (one recorded after a back-dated issue day counts too: trial F4)."""
    if last_face_to_face is None:
        raise ValidationError(
            "resident",
            "not_stable",
            f"no face-to-face {disease} follow-up yet: the patient's control is unknown",
        )
    if last_face_to_face["classification"] != "controlled":
        raise ValidationError(
            "resident",
            "not_stable",
            f"the last face-to-face {disease} follow-up ({last_face_to_face['visit_date']}) was "
            f"{last_face_to_face['classification']}, not controlled",
            {"visit_date": str(last_face_to_face["visit_date"])},
        )


def check_issuing_rights(role: str, first_issue: bool, limits: Limits = Limits()) -> None:
    """Who may issue (RULES §6; the county decides whether a village doctor may)."""
    if role not in PRESCRIBING_ROLES:
        raise ValidationError("user", "issuing_rights", f"a {role} does not issue prescriptions")
    allowed = limits.village_doctor_first_issue if first_issue else limits.village_doctor_reissue
    if not allowed:
        which = "a first long-term prescription" if first_issue else "a re-issue"
        raise ValidationError(
            "user", "issuing_rights", f"the county does not let a village doctor issue {which}"
        )


@dataclass(frozen=True)
class RxWarning:
    """What the doctor should see but may go on with: ``code`` (allergy, same_class, special_storage), the English
    ``message``, and the ``values`` a sentence in another language needs (drug names, the allergy, the class)."""

    code: str
    message: str
    values: tuple[str, ...] = ()


def warnings_for(drugs: Sequence[Mapping[str, Any]], allergies: Iterable[str] = ()) -> list[RxWarning]:
    """A recorded allergy a drug's name contains, two drugs of one ATC class (the first five characters: C09CA),
    special storage."""
    out: list[RxWarning] = []
    terms = [a.strip() for a in allergies if a.strip()]
    for drug in drugs:
        names = f"{drug['name']} {drug.get('brand_name') or ''}"
        for term in terms:
            if term in names:
                name = str(drug["name"])
                out.append(
                    RxWarning("allergy", f"{name}: the patient's recorded allergy to {term}", (name, term))
                )
    classes: dict[str, str] = {}
    for drug in drugs:
        atc = (drug.get("atc_code") or "")[:5]
        if len(atc) == 5:
            if atc in classes:
                first, name = classes[atc], str(drug["name"])
                out.append(
                    RxWarning(
                        "same_class", f"{first} and {name} are of one class ({atc})", (first, name, atc)
                    )
                )
            classes.setdefault(atc, str(drug["name"]))
    for drug in drugs:
        if drug.get("special_storage"):
            name = str(drug["name"])
            out.append(RxWarning("special_storage", f"{name} needs special storage (e.g. 2-8 °C)", (name,)))
    return out


def valid_until(issued_on: dt.date, days: int, limits: Limits = Limits()) -> dt.date:
    return issued_on + dt.timedelta(days=days + limits.validity_extra_days)


# -- dispensing ----------------------------------------------------------------------------------------------------
def check_can_dispense(status: str, issued_on: dt.date, valid_to: dt.date, day: dt.date) -> None:
    """Nothing from a stopped, unsigned or expired prescription, nor before its day of issue."""
    if status == "stopped":
        raise ValidationError(
            "prescription", "stopped", "the prescription is stopped: it dispenses nothing more"
        )
    if status == "awaiting_signature":
        raise ValidationError(
            "prescription",
            "unsigned",
            "the prescription awaits the patient's signature: it dispenses nothing yet",
        )
    if day < issued_on:
        raise ValidationError(
            "date", "before_issue", f"the prescription was issued on {issued_on.isoformat()}"
        )
    if day > valid_to:
        raise ValidationError(
            "prescription",
            "expired",
            f"the prescription expired on {valid_to.isoformat()}",
            {"valid_until": valid_to.isoformat()},
        )


def check_installment(
    prescribed_days: int,
    dispensed_days: int,
    days: int,
    day: dt.date,
    last: tuple[dt.date, int] | None,
    limits: Limits = Limits(),
) -> None:
    """An installment of ``days`` on ``day``: the sum never over the prescribed days (RULES §6), and not before the
    last installment (its date and days) runs out, less the county's early days (the minimum interval)."""
    if days < 1:
        raise ValidationError("days", "range", "at least 1 day")
    if dispensed_days + days > prescribed_days:
        left = prescribed_days - dispensed_days
        raise ValidationError(
            "days",
            "over_prescription",
            f"{days} days is more than the prescription has left ({left} of {prescribed_days} days)",
            {"left": str(left), "prescribed": str(prescribed_days)},
        )
    if last is not None:
        earliest = earliest_next(last[0], last[1], limits)
        if day < earliest:
            raise ValidationError(
                "date",
                "too_early",
                f"the last installment ({last[0].isoformat()}, {last[1]} days) lasts: the next one from "
                f"{earliest.isoformat()} (minimum interval {minimum_interval(last[1], limits)} days)",
                {"earliest": earliest.isoformat()},
            )


def minimum_interval(last_days: int, limits: Limits = Limits()) -> int:
    return max(last_days - limits.refill_early_days, 0)


def earliest_next(last_on: dt.date, last_days: int, limits: Limits = Limits()) -> dt.date:
    return last_on + dt.timedelta(days=minimum_interval(last_days, limits))


# -- trace codes (RULES §7) ------------------------------------------------------------------------------------------
TRACE_20 = re.compile(r"^[0-9]{20}$")
TRACE_MAX = 100
_PRINTABLE = re.compile(r"^[\x21-\x7e]+$")  # what a scanner types: printable ASCII, no spaces
TRACE_MIN = 8  # shorter is a typing slip or a misread, never a family of RULES §7
_TRACE_CHARS = re.compile(r"^[0-9A-Za-z()]+$")  # digits and letters; GS1's human-readable (AI) brackets


@dataclass(frozen=True)
class TraceCode:
    code: str
    verified: bool  # the 20-digit family, checked
    product_id: str | None  # its first 7 digits
    reason: str | None  # why it is unverified


def read_trace_code(text: str) -> TraceCode:
    """A scanned trace code: the 20-digit family (7-digit product id + 13-digit serial) is verified; another
    family (a manufacturer's code, GS1 DataMatrix) of 8 to 100 digits and letters is accepted unverified, with the
    reason; what cannot be a trace code at all (fewer than 8 characters, other signs) is refused naming the rule."""
    code = text.strip()
    if not code:
        raise ValidationError("trace_code", "required", "scan the box's trace code")
    if TRACE_20.match(code):
        return TraceCode(code, True, code[:7], None)
    if len(code) > TRACE_MAX or not _PRINTABLE.match(code):
        raise ValidationError(
            "trace_code", "format", f"a trace code is at most {TRACE_MAX} printable characters without spaces"
        )
    if len(code) < TRACE_MIN:
        raise ValidationError(
            "trace_code",
            "too_short",
            f"{code}: {len(code)} characters cannot be a trace code (at least {TRACE_MIN}; RULES §7)",
            {"code": code, "length": str(len(code)), "min": str(TRACE_MIN)},
        )
    if not _TRACE_CHARS.match(code):
        raise ValidationError(
            "trace_code",
            "characters",
            f"{code}: a trace code is digits and letters (a GS1 code's (AI) brackets aside; RULES §7)",
            {"code": code},
        )
    reason = (
        f"{len(code)} digits, not the 20 of the common family"
        if code.isdigit()
        else "not the 20-digit family (another family, e.g. GS1 DataMatrix): not checked"
    )
    return TraceCode(code, False, None, reason)


def check_product(trace: TraceCode, known_ids: Collection[str], drug_names: Mapping[str, str]) -> str | None:
    """The drug (by product id) a verified code belongs to among the prescription's; a verified code whose product
    id the catalog knows for no drug of the prescription is refused; None when the catalog knows no product id."""
    if not trace.verified or trace.product_id is None:
        return None
    if trace.product_id in drug_names:
        return drug_names[trace.product_id]
    if trace.product_id in known_ids:
        raise ValidationError(
            "trace_code",
            "wrong_product",
            f"{trace.code}: product {trace.product_id} is not a drug of this prescription",
            {"code": trace.code},
        )
    return None


def check_reuse(code: str, sold_units: int, package_size: int, split_pack: bool, earlier_split: bool) -> None:
    """One box, one sale (RULES §7): a code sold before is refused, except a split-pack sale (拆零) of a box
    sold split before whose units are not used up."""
    if sold_units <= 0:
        return
    if split_pack and earlier_split and sold_units < package_size:
        return
    reason = (
        f"its {package_size} units are used up"
        if split_pack and earlier_split
        else "sold before (one box, one sale)"
    )
    raise ValidationError("trace_code", "duplicate_code", f"{code}: {reason}", {"code": code})


def check_box_count(scanned: int, due: int, split_pack: bool) -> None:
    """Every box of the installment scanned, one code a box (RULES §7; trial F1): the codes scanned are the
    installment's whole packages (summed over its items); a split-pack sale (拆零) may hand out fewer."""
    if scanned == due or (split_pack and scanned < due):
        return
    raise ValidationError(
        "trace_code",
        "box_count",
        f"scan every box: {scanned} scanned, this installment is {due} box{'' if due == 1 else 'es'}",
        {"scanned": str(scanned), "due": str(due)},
    )


def check_not_in_force(disease: str, in_force: Mapping[str, Any] | None) -> None:
    """One prescription for a disease at a time (trial F20): while one is in force (active or awaiting the
    signature, not past its validity, days left to dispense) a new one is refused; change it (更改…) or stop it
    first."""
    if in_force is None:
        return
    raise ValidationError(
        "disease",
        "in_force",
        f"a prescription for {disease} issued {in_force['issued_on']} is in force: change it (更改…) or stop "
        "it first",
        {"disease": disease, "issued_on": str(in_force["issued_on"]), "prescription": str(in_force["id"])},
    )
