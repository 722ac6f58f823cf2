"""Resident ID number (居民身份证号码) validation, GB 11643-1999 (RULES.md §1)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from clinic_app.errors import ValidationError

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
MAX_AGE_YEARS = 130
FIELD = "id_number"


@dataclass(frozen=True)
class IdNumber:
    number: str  # 18 characters, upper-case X
    birth_date: dt.date
    sex: str  # "M" or "F"
    converted_from_legacy: bool = False


def check_character(first17: str) -> str:
    """The GB 11643 check character for 17 digits."""
    if len(first17) != 17 or not first17.isdigit() or not first17.isascii():
        raise ValueError("need exactly 17 ASCII digits")
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def _birth_date(text: str, today: dt.date) -> dt.date:
    try:
        born = dt.date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise ValidationError(
            FIELD, "birth_date_invalid", f"the birth date {text[0:4]}-{text[4:6]}-{text[6:8]} does not exist"
        ) from None
    if born > today:
        raise ValidationError(
            FIELD, "birth_date_future", f"the birth date {born.isoformat()} lies in the future"
        )
    if age_on(born, today) > MAX_AGE_YEARS:
        raise ValidationError(
            FIELD,
            "birth_date_too_old",
            f"the birth date {born.isoformat()} gives an age over {MAX_AGE_YEARS}",
        )
    return born


def age_on(born: dt.date | str, day: dt.date) -> int:
    """Completed years on ``day`` of someone born on ``born`` (a date, or an ISO date as stored)."""
    if isinstance(born, str):
        born = dt.date.fromisoformat(born)
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def parse_id_number(raw: str, today: dt.date | None = None) -> IdNumber:
    """Validate an 18-digit number (or convert a 15-digit legacy one); raise ValidationError naming the rule."""
    today = today or dt.date.today()
    text = raw.strip().upper()
    if not text:
        raise ValidationError(FIELD, "required", "the ID number is empty")
    legacy = len(text) == 15
    if legacy:
        if not (text.isascii() and text.isdigit()):
            raise ValidationError(FIELD, "format", "a 15-digit legacy ID number has digits only")
        first17 = text[:6] + "19" + text[6:]
        text = first17 + check_character(first17)
    if len(text) != 18:
        raise ValidationError(
            FIELD,
            "length",
            f"an ID number has 18 characters (or 15 for the old form), this one has {len(text)}",
        )
    first17, last = text[:17], text[17]
    if not (first17.isascii() and first17.isdigit()) or last not in "0123456789X":
        raise ValidationError(FIELD, "format", "an ID number is 17 digits followed by a digit or X")
    expected = check_character(first17)
    if last != expected:
        raise ValidationError(
            FIELD,
            "check_character",
            f"the check character is {last}, but GB 11643 gives {expected}: a digit is mistyped",
        )
    born = _birth_date(first17[6:14], today)
    sex = "M" if int(first17[16]) % 2 == 1 else "F"
    return IdNumber(number=text, birth_date=born, sex=sex, converted_from_legacy=legacy)
