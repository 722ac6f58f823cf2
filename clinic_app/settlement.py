"""The insurance settlement of an outpatient visit (issue 14, RULES §2): what the fund pays and what the patient
pays, from the county's ``policy`` in force on the visit's date and the patient's use of the year so far.

- Chronic outpatient (门诊慢特病, medical type ``14``), per disease: ``settlement.chronic.ratio_pct.<disease>`` of
  what is within the scheme, the fund paying at most ``settlement.chronic.annual_cap_fen.<disease>`` a year.
- Ordinary outpatient (普通门诊, type ``11``): a deductible once per person and year
  (``settlement.ordinary.deductible_fen``), then ``settlement.ordinary.ratio_pct`` of what is within the scheme
  after it, the fund paying at most ``settlement.ordinary.annual_cap_fen`` a year.
- Within the scheme: the lines of insurance category A (甲类) and B (乙类); category C (丙类) is the patient's.
- The fund's share is rounded to the fen, half up; the patient pays the rest of the total. When the cap is
  reached in the middle of a visit the fund pays what is left of it and the patient the remainder.

The county sets every number; until it has, no settlement can be computed (an error naming the missing key:
an amount paid on a guess would be wrong for real people). The year a cap counts in is the calendar year of the
visit. Nothing here reads or writes the database but ``terms``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from clinic_app.drugs import INSURANCE_CATEGORIES
from clinic_app.errors import ValidationError
from clinic_app.money import fen_half_up

ORDINARY, CHRONIC = "11", "14"
MED_TYPES = (ORDINARY, CHRONIC)
DISEASES = ("hypertension", "diabetes")
CATEGORIES = INSURANCE_CATEGORIES  # 甲类, 乙类, 丙类: the catalog's and the price list's
IN_SCHEME = frozenset({"A", "B"})
MAX_AMOUNT_FEN = 10**11  # a billion yuan: no line, cap or total is near it; larger is an entry error


@dataclass(frozen=True)
class Line:
    """A service or a drug of the visit: unit price in fen, quantity in whole units."""

    code: str
    unit_price_fen: int
    quantity: int
    category: str  # A, B or C

    @property
    def amount_fen(self) -> int:
        return self.unit_price_fen * self.quantity


@dataclass(frozen=True)
class Terms:
    """The county's numbers for one medical type (and disease) on one day."""

    med_type: str
    ratio_pct: Decimal
    annual_cap_fen: int
    deductible_fen: int = 0  # ordinary outpatient only


@dataclass(frozen=True)
class YearUse:
    """What the patient used of this year before the visit, for the same pool (type 14: the same disease)."""

    fund_fen: int = 0  # paid by the fund so far
    deductible_fen: int = 0  # of the deductible met so far (ordinary outpatient)


@dataclass(frozen=True)
class Settlement:
    total_fen: int
    in_scheme_fen: int
    deductible_fen: int  # of the deductible this visit meets
    fund_fen: int
    patient_fen: int
    cap_left_fen: int  # what is left of the year's cap after this visit
    capped: bool  # the cap cut the fund's share

    @property
    def cap_used_before(self) -> bool:
        return cap_used_before(self.capped, self.fund_fen)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def cap_used_before(capped: bool, fund_fen: int) -> bool:
    """Whether the year's cap was used up before the visit began (the fund pays 0 of it), not reached in it: the
    cap cut the fund's share, and nothing of the share was left."""
    return capped and fund_fen == 0


def check_lines(lines: Iterable[Line]) -> list[Line]:
    """The lines as given, each checked: a refusal names the line's code and the rule."""
    checked = list(lines)
    if not checked:
        raise ValidationError("lines", "required", "a visit needs at least one service or drug")
    for line in checked:
        if line.category not in CATEGORIES:
            raise ValidationError(
                "category", "allowed", f"{line.code}: insurance category {line.category!r} is not A, B or C"
            )
        if not 0 <= line.unit_price_fen <= MAX_AMOUNT_FEN:
            raise ValidationError("price", "range", f"{line.code}: the price must be 0 or more fen")
        if not 1 <= line.quantity <= 100_000:
            raise ValidationError("quantity", "range", f"{line.code}: the quantity must be 1-100000")
    return checked


def settle(lines: Iterable[Line], terms: Terms, used: YearUse) -> Settlement:
    checked = check_lines(lines)
    total = sum(line.amount_fen for line in checked)
    in_scheme = sum(line.amount_fen for line in checked if line.category in IN_SCHEME)
    deductible_left = max(0, terms.deductible_fen - used.deductible_fen)
    deductible = min(in_scheme, deductible_left)
    owed = fen_half_up(Decimal(in_scheme - deductible) * terms.ratio_pct / 100)
    cap_left = max(0, terms.annual_cap_fen - used.fund_fen)
    fund = min(owed, cap_left)
    return Settlement(
        total_fen=total,
        in_scheme_fen=in_scheme,
        deductible_fen=deductible,
        fund_fen=fund,
        patient_fen=total - fund,
        cap_left_fen=cap_left - fund,
        capped=fund < owed,
    )


# -- the county's numbers ------------------------------------------------------------------------------------
def policy_keys(med_type: str, disease: str | None = None) -> dict[str, str]:
    """The ``policy`` keys of a medical type: ratio, cap, and (ordinary) deductible."""
    if med_type == CHRONIC:
        if disease not in DISEASES:
            raise ValidationError(
                "disease", "required", "a chronic outpatient visit (type 14) names hypertension or diabetes"
            )
        return {
            "ratio_pct": f"settlement.chronic.ratio_pct.{disease}",
            "annual_cap_fen": f"settlement.chronic.annual_cap_fen.{disease}",
        }
    if med_type == ORDINARY:
        return {
            "ratio_pct": "settlement.ordinary.ratio_pct",
            "annual_cap_fen": "settlement.ordinary.annual_cap_fen",
            "deductible_fen": "settlement.ordinary.deductible_fen",
        }
    raise ValidationError(
        "type", "allowed", f"the medical type is 11 (ordinary) or 14 (chronic), not {med_type!r}"
    )


def all_policy_keys() -> frozenset[str]:
    keys = set(policy_keys(ORDINARY).values())
    for disease in DISEASES:
        keys |= set(policy_keys(CHRONIC, disease).values())
    return frozenset(keys)


def policy_number(key: str, text: str) -> Decimal | int:
    """A settlement ``policy`` value read as its key says: a ratio in percent (0-100, up to two decimals), an
    amount in whole fen (0 or more). The county server checks a value with this before it stores it."""
    if key not in all_policy_keys():
        raise ValidationError("key", "unknown", f"{key} is not a settlement parameter")
    value = text.strip()
    if ".ratio_pct" in key:
        try:
            ratio = Decimal(value)
        except InvalidOperation:
            ratio = Decimal(-1)
        if not (ratio.is_finite() and 0 <= ratio <= 100 and ratio == ratio.quantize(Decimal("0.01"))):
            raise ValidationError(
                key, "policy", f"{key} is a percentage 0-100 (two decimals at most), not {text!r}"
            )
        return ratio
    if not (value.isascii() and value.isdigit() and int(value) <= MAX_AMOUNT_FEN):
        raise ValidationError(key, "policy", f"{key} is a whole number of fen, 0 or more, not {text!r}")
    return int(value)


def terms(conn: Any, med_type: str, disease: str | None, on: dt.date) -> Terms:
    """The county's numbers in force on ``on``; one error naming every key of the type the county has not set
    (``details["missing"]``; the field is the first), so that the county sets them in one go."""
    from clinic_app.contracts import policy_value

    numbers: dict[str, Any] = {}
    missing: list[str] = []
    for name, key in policy_keys(med_type, disease).items():
        text = policy_value(conn, key, on)
        if text is None:
            missing.append(key)
        else:
            numbers[name] = policy_number(key, text)
    if missing:
        raise ValidationError(
            missing[0],
            "policy",
            f"the county has not set {', '.join(missing)} for {on.isoformat()}: the visit cannot be settled "
            "(the county sets them with `county-server policy set`)",
            {"missing": ", ".join(missing)},
        )
    return Terms(med_type=med_type, **numbers)
