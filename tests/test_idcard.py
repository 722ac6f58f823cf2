from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic_app.errors import ValidationError
from clinic_app.idcard import CHECK_CHARS, age_on, check_character, parse_id_number

TODAY = dt.date(2026, 11, 23)


@pytest.mark.parametrize("raw", ["11010519491231002X", "11010519491231002x", " 11010519491231002x "])
def test_rules_vector_valid_female_born_1949(raw: str) -> None:
    parsed = parse_id_number(raw, TODAY)
    assert parsed.number == "11010519491231002X"
    assert parsed.sex == "F"
    assert parsed.birth_date == dt.date(1949, 12, 31)


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        ("110105194912310021", "check_character"),
        ("445224199002290048", "birth_date_invalid"),
        ("440883203001011235", "birth_date_future"),
        ("11010519491231002", "length"),
        ("1101051949123100AX", "format"),
        ("", "required"),
        ("11010518800101001" + check_character("11010518800101001"), "birth_date_too_old"),
    ],
)
def test_rules_vectors_invalid_name_the_rule(raw: str, rule: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse_id_number(raw, TODAY)
    assert err.value.field == "id_number"
    assert err.value.rule == rule


def test_leap_day_1992_is_valid() -> None:
    parsed = parse_id_number("445224199202290042", TODAY)
    assert parsed.birth_date == dt.date(1992, 2, 29)
    assert parsed.sex == "F"


def test_legacy_15_digit_number_converts() -> None:
    parsed = parse_id_number("110105491231002", TODAY)
    assert parsed.number == "11010519491231002X"
    assert parsed.converted_from_legacy


digits17 = st.text(alphabet="0123456789", min_size=17, max_size=17)
valid_birth = st.dates(min_value=dt.date(1897, 1, 1), max_value=TODAY)


@st.composite
def valid_first17(draw: st.DrawFn) -> str:
    area = draw(st.text(alphabet="0123456789", min_size=6, max_size=6))
    born = draw(valid_birth)
    seq = draw(st.integers(0, 999))
    return f"{area}{born:%Y%m%d}{seq:03d}"


@given(valid_first17())
def test_any_17_digits_with_computed_check_character_are_valid(first17: str) -> None:
    parsed = parse_id_number(first17 + check_character(first17), TODAY)
    assert parsed.number == first17 + check_character(first17)
    assert parsed.birth_date.strftime("%Y%m%d") == first17[6:14]
    assert parsed.sex == ("M" if int(first17[16]) % 2 else "F")
    assert 0 <= age_on(parsed.birth_date, TODAY) <= 130


@given(digits17, st.sampled_from(CHECK_CHARS))
def test_any_other_check_character_is_refused(first17: str, last: str) -> None:
    if last == check_character(first17):
        return
    with pytest.raises(ValidationError) as err:
        parse_id_number(first17 + last, TODAY)
    assert err.value.rule == "check_character"


@given(digits17)
def test_right_check_character_never_fails_the_checksum(first17: str) -> None:
    try:
        parse_id_number(first17 + check_character(first17), TODAY)
    except ValidationError as exc:
        assert exc.rule.startswith("birth_date"), exc


@given(valid_first17())
def test_legacy_form_converts_to_the_18_digit_form(first17: str) -> None:
    if first17[6:8] != "19":
        return
    legacy = first17[:6] + first17[8:]
    assert parse_id_number(legacy, TODAY).number == first17 + check_character(first17)


@given(valid_first17())
def test_lower_case_x_is_stored_upper_case(first17: str) -> None:
    number = first17 + check_character(first17)
    assert parse_id_number(number.lower(), TODAY).number == number
