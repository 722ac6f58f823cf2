"""Number fields as people type them. A Chinese input method types full-width digits (１２３) unless switched
to half-width, and a spreadsheet keeps them: every number field (ID number, phone, year, amount, count), typed
in the desktop, on the command line or in an import, goes through ``ascii_digits`` before its own rule."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from typing import Any

from clinic_app.errors import ValidationError

_WHOLE = re.compile(r"^[+-]?[0-9]+$")


def ascii_digits(field: str, text: str) -> str:
    """``text`` with full-width digits, letters and signs made ASCII (NFKC: ２０２６ → 2026, Ｘ → X).

    A digit of another script that NFKC keeps (Arabic-Indic ٢, Devanagari २ …) is refused, naming the field:
    ``int()`` and the regular expression ``\\d`` would take it, and it would be stored as typed."""
    normal = unicodedata.normalize("NFKC", text)
    for char in normal:
        if char.isdigit() and not char.isascii():
            raise ValidationError(
                field, "digits", f"{char!r} is not one of the digits 0-9: type the number with 0-9"
            )
    return normal


def whole_number(field: str, text: str | int) -> int:
    """A whole number from what was typed (``ascii_digits`` first); refused, naming the field, otherwise."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text
    digits = ascii_digits(field, str(text)).strip()
    if not _WHOLE.match(digits):
        raise ValidationError(field, "integer", f"must be a whole number, not {str(text)!r}")
    return int(digits)


FIRST_YEAR, LAST_YEAR = 2000, 2100


def report_year(text: str | int, field: str = "period") -> int:
    """The year of a report (a calendar year, 2000-2100), as typed (２０２６ too); refused naming the field."""
    year = whole_number(field, text)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(field, "range", f"the period is a year {FIRST_YEAR}-{LAST_YEAR}, like 2026")
    return year


def county_whole(
    key: str, text: str | None, default: int, low: int, high: int, what: str = "a whole number"
) -> int:
    """A county ``policy`` value that is a whole number ``low``-``high`` (``default`` while the county has set none);
    refused naming the key (rule ``policy``) as the devices read it."""
    if text is None:
        return default
    digits = text.strip()
    if not (digits.isascii() and digits.isdigit() and low <= int(digits) <= high):
        raise ValidationError(key, "policy", f"the county's {key} {text!r} is not {what} {low}-{high}")
    return int(digits)


def parse_date(field_name: str, value: Any) -> dt.date:
    """A day typed as 2026-12-31 (full-width digits too); the message names the field and what was typed."""
    if isinstance(value, dt.date):
        return value
    text = ascii_digits(field_name, str(value)).strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            field_name, "date_format", f"{text!r} is not a day: write the date as 2026-12-31"
        ) from None


def plain_number(value: Any) -> str:
    """A decimal as a person writes it: 10 (never 1E+1), 0.5, 2.25; "" for None."""
    if value is None:
        return ""
    return format(Decimal(str(value)).normalize(), "f")
