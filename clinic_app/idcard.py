"""Resident ID number (居民身份证号码) validation, GB 11643-1999 (RULES.md §1)."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from clinic_app.digits import ascii_digits
from clinic_app.errors import ValidationError
from clinic_app.heap import collector_skips_the_heap_as_it_is

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
MAX_AGE_YEARS = 130
FIELD = "id_number"
# The province-level codes that exist (RULES §1, GB/T 2260); 81/82/83 are the residence permits of Hong Kong,
# Macao and Taiwan residents. Any other first two digits are refused.
PROVINCE_CODES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
    ]
)
# How the place of a residence permit is named (python-stdnum's table writes the first two in traditional
# characters and has no 83).
_PERMIT_REGIONS = {"81": "香港特别行政区", "82": "澳门特别行政区", "83": "台湾地区"}


@dataclass(frozen=True)
class Place:
    """Where an ID number was issued, as its first six digits name it (GB/T 2260, the historical table of
    python-stdnum: a code keeps its meaning for the people who hold it after the county is merged or renamed).
    """

    code: str  # the six digits
    province: str
    county: str | None  # None: the six-digit code is in no edition of GB/T 2260 known here

    @property
    def known(self) -> bool:
        return self.county is not None

    def __str__(self) -> str:
        return (
            f"{self.province} {self.county}"
            if self.county and self.county != self.province
            else self.province
        )

    def warning(self) -> str | None:
        """The English sentence of the warning an unknown county code gets (never a refusal), or None."""
        if self.known:
            return None
        return (
            f"the county code {self.code} is in no edition of GB/T 2260 known to this program "
            f"(the province is {self.province}): confirm the place with the resident"
        )


@dataclass(frozen=True)
class IdNumber:
    number: str  # 18 characters, upper-case X
    birth_date: dt.date
    sex: str  # "M" or "F"
    converted_from_legacy: bool = False
    place: Place | None = None  # set by parse_id_number


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


def _county_name(names: str, born: int) -> str:
    """The county's name in python-stdnum's form ``[1983-1993]潮阳县,[1993-]潮阳市``: the one in use in the
    year of birth, else the first one given after it (a number issued when the resident was registered
    later; python-stdnum refuses such a number, RULES §1 does not), else the last one."""
    spans: list[tuple[int, int, str]] = []
    for entry in names.split(","):
        if not entry.startswith("["):
            return entry
        span, name = entry[1:].split("]", 1)
        first, _, last = span.partition("-")
        spans.append((int(first or 0), int(last or 9999), name))
    for start, end, county in spans:
        if start <= born <= end:
            return county
    later = [s for s in spans if s[0] > born]
    return min(later)[2] if later else spans[-1][2]


_PLACES_LOADING = threading.Lock()


def _places() -> Any:
    """The GB/T 2260 table, read once per process: numbers checked at once on several threads (a county
    server's first requests) wait for the one reading instead of each parsing it (~75 ms of CPU apiece)."""
    with _PLACES_LOADING:
        from stdnum import numdb  # its table loads on first use

        return numdb.get("cn/loc")


def load_places() -> None:
    """Load the GB/T 2260 table now (~40–75 ms), so the first ID number typed does not pay for it. It makes
    many objects: the full collections they trigger leave the heap as it was out (clinic_app.heap)."""
    with collector_skips_the_heap_as_it_is():
        _places()


@lru_cache(maxsize=4096)  # a county's numbers share a few hundred codes; the table walk is ~0.1 ms
def place_of(code: str, born: int) -> Place:
    """The place the first six digits of an ID number name, for someone born in ``born``; ``code`` starts with
    one of PROVINCE_CODES."""
    table = _places()
    info: dict[str, str] = {}
    for _part, props in table.info(code):
        info.update(props)
    province = _PERMIT_REGIONS.get(code[:2]) or info.get("province") or code[:2]
    names = info.get("county")
    if code[:2] in _PERMIT_REGIONS and code[2:] == "0000":  # a residence permit: the region is the place
        return Place(code, province, province)
    if names is None:
        return Place(code, province, None)
    county = _county_name(names, born)
    if county == "市辖区":  # the districts of a city: name the city
        for _part, props in table.info(code[:4] + "00"):
            if "county" in props and len(_part) == 4:
                county = _county_name(props["county"], born) + " " + county
    return Place(code, province, county)


def age_on(born: dt.date | str, day: dt.date) -> int:
    """Completed years on ``day`` of someone born on ``born`` (a date, or an ISO date as stored)."""
    if isinstance(born, str):
        born = dt.date.fromisoformat(born)
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def parse_id_number(raw: str, today: dt.date | None = None) -> IdNumber:
    """Validate an 18-digit number (or convert a 15-digit legacy one); raise ValidationError naming the rule."""
    today = today or dt.date.today()
    text = ascii_digits(FIELD, raw).strip().upper()
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
    if first17[:2] not in PROVINCE_CODES:
        raise ValidationError(
            FIELD,
            "province",
            f"the first two digits {first17[:2]} name no province (GB/T 2260): a digit is mistyped",
        )
    born = _birth_date(first17[6:14], today)
    sex = "M" if int(first17[16]) % 2 == 1 else "F"
    return IdNumber(
        number=text,
        birth_date=born,
        sex=sex,
        converted_from_legacy=legacy,
        place=place_of(first17[:6], born.year),
    )
