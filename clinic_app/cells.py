"""What an export writes into a spreadsheet cell. Text from the register (a name, a note, a village, a
household code) may come from any device by sync; a spreadsheet program runs a cell that starts with ``=``,
``+``, ``-`` or ``@`` as a formula (a HYPERLINK can send the row's ID number away), and Excel also reads a CSV
field that starts with a tab or a carriage return so. Every export (resident CSV and .xlsx, the ledger
workbook) writes its cells through this module."""

from __future__ import annotations

from pathlib import Path
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_field(value: Any) -> Any:
    """A CSV field: text that a spreadsheet would run as a formula gets a leading ``'`` (the OWASP rule), which
    Excel and WPS show as text; numbers (int, float) are written as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def xlsx_cell(sheet: Any, value: Any) -> Any:
    """An openpyxl cell for a write-only ``sheet``: text is always a text cell (type ``s``, never a formula), and
    shown as typed; numbers and dates stay numbers and dates."""
    if not isinstance(value, str):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet)
    cell.value = value
    cell.data_type = "s"  # openpyxl would make any text starting with "=" a formula
    if value.startswith(FORMULA_STARTS):
        cell.quotePrefix = True  # Excel keeps it text when the cell is edited and confirmed
    return cell


def from_csv_field(text: str) -> str:
    """A field as ``csv_field`` wrote it, read back (an export imported again keeps its notes as they were)."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def save_workbook(book: Any, target: Path | str) -> None:
    """The one way a workbook is written: made in memory first (a write-only sheet not saved leaves its row writer
    open, whose clean-up then prints tracebacks after the message), its folder must exist (``files.require_folder``:
    a clear refusal, exit 3), then written under a temporary name and renamed: no half file."""
    import io

    from clinic_app.files import require_folder, write_private

    path = Path(target)
    buffer = io.BytesIO()
    book.save(
        buffer
    )  # first: a write-only sheet left unsaved fails later, when the collector ends its writer
    require_folder(path)
    write_private(path, buffer.getvalue())
