"""Import and export of the resident register: CSV (UTF-8 or GB18030 as Excel saves it), .xlsx, JSON."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clinic_app import labels as L
from clinic_app.cells import csv_field, from_csv_field, save_workbook, xlsx_cell
from clinic_app.errors import ValidationError, ValidationErrors
from clinic_app.files import require_folder
from clinic_app.residents import (
    ResidentInput,
    check_resident_fields,
    clean,
    ensure_household,
    find_household,
    find_village,
    id_place,
    insert_resident,
    resident_input,
    validate_resident,
)
from clinic_app.store import Store
from clinic_app.users import User

# The columns of an export, in the order a village register has them: (field, Chinese header, English header).
# The English header is the field's name, for integrators (``--headers en``).
COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "姓名"),
    ("sex", "性别"),
    ("birth_date", "出生日期"),
    ("id_number", "身份证号"),
    ("document_type", "证件类型"),
    ("document_number", "证件号码"),
    ("phone", "联系电话"),
    ("village", "村"),
    ("household", "户号"),
    ("relation_to_head", "与户主关系"),
    ("note", "备注"),
)
ZH_HEADER = dict(COLUMNS)
HEADER_LANGUAGES = ("zh", "en")
# The English export keeps the column order it always had.
EN_COLUMNS = (
    "id_number",
    "document_type",
    "document_number",
    "name",
    "sex",
    "birth_date",
    "phone",
    "village",
    "household",
    "relation_to_head",
    "note",
)
EXPORT_COLUMNS = EN_COLUMNS
REQUIRED_NOTE = "the header needs a name column (姓名) and an ID number column (身份证号, or 证件号码)"

# Column name as written in a file -> field: the export's Chinese and English headers, and the other names
# county forms use.
HEADER_ALIASES: dict[str, str] = {
    **{field: field for field in EN_COLUMNS},
    **{zh: field for field, zh in COLUMNS},
    "身份证号码": "id_number",
    "公民身份号码": "id_number",
    "电话": "phone",
    "手机": "phone",
    "手机号": "phone",
    "手机号码": "phone",
    "村庄": "village",
    "所属村": "village",
    "行政村": "village",
    "家庭编号": "household",
    "家庭档案号": "household",
    "与户主的关系": "relation_to_head",
    "证件号": "document_number",
}
# Cell value -> code, for the fields whose values are codes: the codes themselves, the export's Chinese and
# other words found in county files.
VALUE_ALIASES: dict[str, dict[str, str]] = {
    "sex": {
        **{code: code for code in L.SEX},
        **{zh: code for code, zh in L.SEX.items()},
        "m": "M",
        "f": "F",
        "male": "M",
        "female": "F",
        "男性": "M",
        "女性": "F",
    },
    "document_type": {
        **{code: code for code in L.DOCUMENT_TYPE},
        **{zh: code for code, zh in L.DOCUMENT_TYPE.items()},
        "身份证": "id_card",
    },
    "relation_to_head": {
        **{code: code for code in L.RELATION},
        **{zh: code for code, zh in L.RELATION.items()},
        "本人": "head",
        "妻": "spouse",
        "夫": "spouse",
        "妻子": "spouse",
        "丈夫": "spouse",
        "子": "child",
        "女": "child",
        "儿子": "child",
        "女儿": "child",
        "父亲": "parent",
        "母亲": "parent",
        "孙子": "grandchild",
        "孙女": "grandchild",
        "外孙子女": "grandchild",
        "兄弟": "sibling",
        "姐妹": "sibling",
    },
}
# The fields of a resident row an import compares with the register to tell a changed resident.
_COMPARED = (
    "name",
    "document_type",
    "id_number",
    "document_number",
    "sex",
    "birth_date",
    "phone",
    "village_id",
    "household_id",
    "relation_to_head",
    "note",
    "needs_identity_check",
)


def header_text(field: str, language: str) -> str:
    return ZH_HEADER.get(field, field) if language == "zh" else field


def allowed_values(field: str) -> str:
    """How an error names the values a column takes: the Chinese, then the codes."""
    labels = L.BY_FIELD[field]
    return f"{'、'.join(labels.values())} (or {', '.join(labels)})"


@dataclass
class RowError:
    row: int  # as a spreadsheet numbers it: the header is row 1
    column: str  # as the file's header names it
    rule: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.message} [{self.rule}]"


@dataclass
class ImportReport:
    imported: int = 0  # new residents
    updated: int = 0  # residents registered already whose row in the file differs
    unchanged: int = 0  # residents registered already, the row the same as the register
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows_read: int = 0

    @property
    def invalid_rows(self) -> int:
        return len({e.row for e in self.errors})


class ImportRejected(ValidationErrors):
    """The file has invalid rows and nothing was imported."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(
            [ValidationError(e.column, e.rule, f"row {e.row}: {e.message}") for e in report.errors]
        )
        self.report = report


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError("file", "encoding", "the CSV file is neither UTF-8 nor GB18030 text")


def read_table(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) for every non-empty row, header first."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from openpyxl import load_workbook  # imported only when needed

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:
            raise ValidationError(
                "file", "xlsx", f"{path.name} is not a readable .xlsx workbook ({exc})"
            ) from None
        sheet = book.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = ["" if v is None else _cell_text(v) for v in values]
            if any(c.strip() for c in cells):
                yield number, cells
        book.close()
    elif suffix in (".csv", ".txt"):
        yield from _csv_rows(_decode(path.read_bytes()))
    else:
        raise ValidationError("file", "format", f"{path.name}: import reads .csv or .xlsx files")


def _csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """The rows of a CSV file, strictly: a quote never closed (it would take the rest of the file into one
    cell) or text after a closing quote refuses the file, naming the line where the row starts."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "end of data" in str(exc):
                why = (
                    f'line {start}: a quote (") opened in this row is never closed '
                    f"(it runs to line {reader.line_num}, the end of the file)"
                )
            else:
                lines = f"{start}" if reader.line_num == start else f"{start}-{reader.line_num}"
                why = f'line {lines}: {exc} (a quote inside a value is written twice: "")'
            raise ValidationError("file", "csv_quote", why) from None
        if any(c.strip() for c in cells):
            yield reader.line_num, [from_csv_field(c) for c in cells]


def _cell_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel turns long digit strings typed as numbers into floats
    if hasattr(value, "date") and callable(value.date):
        return str(value.date().isoformat())
    return str(value)


_EXCEL_NUMBER = re.compile(r"^\d(\.\d+)?E\+\d+$", re.IGNORECASE)


@dataclass
class _Header:
    fields: list[str | None]  # per column of the file
    names: dict[str, str]  # field -> the column's name as the file writes it
    language: str  # the file's header language: how to name a field that has no column

    def column(self, field_name: str) -> str:
        return self.names.get(field_name) or header_text(field_name, self.language)


def _read_header(cells: list[str], report: ImportReport) -> _Header:
    fields: list[str | None] = []
    names: dict[str, str] = {}
    chinese = 0
    for cell in cells:
        name = cell.strip()
        key = HEADER_ALIASES.get(name) or HEADER_ALIASES.get(name.lower())
        if key is None and name:
            report.warnings.append(f"column {name!r} is not known and was ignored")
        if key is not None and key in names:
            raise ValidationError(
                "file", "duplicate_column", f"column {name!r} is the same as column {names[key]!r}"
            )
        if key is not None:
            names[key] = name
            chinese += name != key
        fields.append(key)
    if "name" not in names or not ({"id_number", "document_number"} & set(names)):
        raise ValidationError("file", "missing_column", REQUIRED_NOTE)
    return _Header(fields, names, "zh" if chinese * 2 >= len(names) else "en")


def _existing(
    conn: Any, clinic_id: str, id_number: str | None, document: tuple[str | None, str | None]
) -> dict[str, Any] | None:
    """The registered resident a row describes: the same ID number, or without one the same document
    (``document`` is (type or None for any, number))."""
    doc_type, doc_number = document
    if id_number:
        found = conn.execute(
            "SELECT * FROM resident WHERE clinic_id = ? AND id_number = ? AND deleted_at IS NULL",
            (clinic_id, id_number),
        ).fetchone()
    elif doc_number:
        found = conn.execute(
            "SELECT * FROM resident WHERE clinic_id = ? AND id_number IS NULL AND document_number = ? "
            "AND (? IS NULL OR document_type = ?) AND deleted_at IS NULL ORDER BY id LIMIT 1",
            (clinic_id, doc_number, doc_type, doc_type),
        ).fetchone()
    else:
        return None
    return dict(found) if found else None


def import_residents(store: Store, actor: User, path: Path, *, skip_invalid: bool = False) -> ImportReport:
    """Validate every row, then write in one unit of work: all rows, or (``skip_invalid``) the valid ones.

    A row whose ID number (or, without one, document) is registered already updates that resident: the
    columns the file has replace the register's values, an empty cell empties the field, the columns the
    file lacks stay as they are; a row equal to the register changes nothing. Any other row adds a resident.
    Without ``skip_invalid`` a single bad row rejects the file and nothing is written."""
    report = ImportReport()
    rows = read_table(path)
    try:
        _, header_cells = next(rows)
    except StopIteration:
        raise ValidationError("file", "empty", f"{path.name} has no header row") from None
    header = _read_header(header_cells, report)
    fields = header.fields

    conn, clinic_id = store.conn, store.clinic_id
    new_rows: list[tuple[dict[str, Any], str | None]] = []  # row, household code to create
    changes: list[
        tuple[str, dict[str, Any], str | None, str | None]
    ] = []  # id, changes, new household, village
    seen: dict[tuple[str, str], int] = {}
    new_households: dict[str, tuple[str | None, int]] = {}
    heads: dict[str, int] = {}  # household id or new code -> the row naming its head
    for number, cells in rows:
        report.rows_read += 1
        if len(cells) > len(fields) and any(c.strip() for c in cells[len(fields) :]):
            report.errors.append(
                RowError(
                    number,
                    "*",
                    "column_count",
                    f"{len(cells)} values but the header has {len(fields)} columns",
                )
            )
            continue
        values = {f: cells[i] for i, f in enumerate(fields) if f and i < len(cells)}
        errors: list[RowError] = []
        bad_values: set[str] = set()
        for f, aliases in VALUE_ALIASES.items():
            text = (values.get(f) or "").strip()
            if not text:
                continue
            code = aliases.get(text) or aliases.get(text.lower())
            if code is None:
                errors.append(
                    RowError(
                        number, header.column(f), "unknown", f"{text!r} is not one of {allowed_values(f)}"
                    )
                )
                bad_values.add(f)
            values[f] = code or ""
        for f in ("id_number", "phone"):
            if _EXCEL_NUMBER.match((values.get(f) or "").strip()):
                errors.append(
                    RowError(
                        number,
                        header.column(f),
                        "excel_number",
                        f"{values[f].strip()} is a number as Excel shows a long one, its last digits "
                        "lost: export as .xlsx, or format the column as text before typing",
                    )
                )
                bad_values.add(f)

        data = ResidentInput(
            name=values.get("name", ""),
            document_type=values.get("document_type") or ("id_card" if values.get("id_number") else "other"),
            id_number=values.get("id_number"),
            document_number=values.get("document_number"),
            sex=values.get("sex"),
            birth_date=values.get("birth_date"),
            phone=values.get("phone"),
            relation_to_head=values.get("relation_to_head"),
            note=values.get("note"),
        )
        fields_row, _ = check_resident_fields(data)
        typed = values.get("document_type") or None
        old = _existing(
            conn, clinic_id, fields_row.get("id_number"), (typed, fields_row.get("document_number"))
        )
        if old is not None:  # the columns the file lacks keep the register's values
            kept = resident_input(old)
            if not typed and not fields_row.get("id_number"):
                data.document_type = kept.document_type
            for f in ("sex", "birth_date", "phone", "relation_to_head", "note"):
                if f not in values:
                    setattr(data, f, getattr(kept, f))
            data.village_id, data.household_id = kept.village_id, kept.household_id

        village_id = data.village_id
        village_name = clean(values.get("village"))
        if "village" in values:
            village_id = None
            if village_name:
                village_id = find_village(conn, clinic_id, village_name)
                if village_id is None:
                    errors.append(
                        RowError(
                            number,
                            header.column("village"),
                            "unknown",
                            f"no village called {village_name} in this clinic",
                        )
                    )
        household_id, new_code = data.household_id, None
        code = clean(values.get("household"))
        if "household" in values:
            household_id = None
            if code:
                found = find_household(conn, clinic_id, code)
                if found:
                    household_id = found["id"]
                elif village_id is None and not village_name:
                    errors.append(
                        RowError(
                            number,
                            header.column("household"),
                            "needs_village",
                            f"household {code} is new: give its village",
                        )
                    )
                else:
                    first = new_households.setdefault(code, (village_id, number))
                    if first[0] != village_id:
                        errors.append(
                            RowError(
                                number,
                                header.column("household"),
                                "other_village",
                                f"household {code} is in another village in row {first[1]}",
                            )
                        )
                    new_code = code
        data.village_id, data.household_id = village_id, household_id

        row: dict[str, Any] | None = None
        try:
            row = validate_resident(conn, clinic_id, data, existing_id=old["id"] if old else None)
        except ValidationErrors as exc:
            errors += [
                RowError(number, header.column(e.field), e.rule, e.message)
                for e in exc.errors
                if e.field not in bad_values and not (e.field == "village" and village_id is None)
            ]
        ident = fields_row.get("id_number") or fields_row.get("document_number")
        if ident:  # one row a resident, whether or not the first row is valid
            key = ("id" if fields_row.get("id_number") else data.document_type, ident)
            first_row = seen.setdefault(key, number)
            if first_row != number:
                column = "id_number" if fields_row.get("id_number") else "document_number"
                errors.append(
                    RowError(
                        number,
                        header.column(column),
                        "duplicate_in_file",
                        f"the same resident as row {first_row}",
                    )
                )
        if row is not None and row["relation_to_head"] == "head" and (household := household_id or new_code):
            first_head = heads.setdefault(household, number)
            if first_head != number:  # a household has one head (residents.validate_resident)
                errors.append(
                    RowError(
                        number,
                        header.column("relation_to_head"),
                        "second_head",
                        f"row {first_head} names the head of this household already",
                    )
                )
        place = id_place(fields_row.get("id_number"))
        if not errors and place is not None and place.warning():
            report.warnings.append(f"row {number}, column {header.column('id_number')}: {place.warning()}")
        if errors:
            report.errors += errors
        elif row is not None and old is None:
            new_rows.append((row, new_code))
        elif row is not None and old is not None:
            changed = {f: row[f] for f in _COMPARED if f in row and row[f] != old.get(f)}
            if new_code:
                changed.pop("household_id", None)  # made in the unit of work
            if changed or new_code:
                changes.append((old["id"], changed, new_code, row["village_id"]))
            else:
                report.unchanged += 1
    if report.errors and not skip_invalid:
        raise ImportRejected(report)
    if new_rows or changes:
        with store.unit(actor.id, "resident.import") as uow:
            for row, new_code in new_rows:
                if new_code:
                    row["household_id"] = ensure_household(uow, new_code, row["village_id"])
                insert_resident(uow, row)
            for resident_id, changed, new_code, village_id in changes:
                if new_code:
                    changed["household_id"] = ensure_household(uow, new_code, village_id)
                updated = uow.update("resident", resident_id, changed)
                if updated.get("household_id") and updated.get("relation_to_head") == "head":
                    uow.update("household", updated["household_id"], {"head_resident_id": resident_id})
            uow.summary = f"{len(new_rows)} residents imported and {len(changes)} updated from {path.name}"
    report.imported = len(new_rows)
    report.updated = len(changes)
    return report


def export_rows(store: Store) -> list[dict[str, Any]]:
    rows = store.conn.execute(
        """SELECT r.id_number, r.document_type, r.document_number, r.name, r.sex, r.birth_date, r.phone,
                  v.name AS village, h.code AS household, r.relation_to_head, r.note
           FROM resident r LEFT JOIN village v ON v.id = r.village_id LEFT JOIN household h ON h.id = r.household_id
           WHERE r.clinic_id = ? AND r.deleted_at IS NULL ORDER BY r.name_pinyin, r.id""",
        (store.clinic_id,),
    ).fetchall()
    return [dict(r) for r in rows]


def export_table(rows: list[dict[str, Any]], headers: str) -> tuple[list[str], list[list[Any]]]:
    """The header and the cells of a spreadsheet export: Chinese headers and values (``zh``, the default),
    or the field names and codes (``en``, for integrators)."""
    if headers not in HEADER_LANGUAGES:
        raise ValidationError("headers", "unknown", "the headers are zh (Chinese, the default) or en")
    if headers == "en":
        return list(EN_COLUMNS), [[r[c] for c in EN_COLUMNS] for r in rows]
    fields = [f for f, _ in COLUMNS]
    return [zh for _, zh in COLUMNS], [
        [L.label(f, r[f]) if f in L.BY_FIELD else r[f] for f in fields] for r in rows
    ]


def export_residents(
    store: Store, actor: User, fmt: str, target: Path | None, *, headers: str = "zh"
) -> tuple[int, str | None]:
    """Write the register as csv/xlsx/json to ``target`` (or return the text when ``target`` is None).

    CSV and xlsx carry ``headers`` (Chinese by default, ``en`` for integrators); JSON always has the field
    names and codes."""
    if fmt not in ("csv", "xlsx", "json"):
        raise ValidationError("format", "unknown", "the export format is csv, xlsx or json")
    if fmt == "xlsx" and target is None:
        raise ValidationError("output", "required", "an .xlsx export needs -o FILE")
    if target is not None:
        require_folder(target, "output")
    rows = export_rows(store)
    header, cells = export_table(rows, headers)
    text: str | None = None
    if fmt == "json":
        text = json.dumps(rows, ensure_ascii=False, indent=1) + "\n"
    elif fmt == "csv":
        text = csv_text(header, cells)
    if target is not None:
        tmp = target.with_name(target.name + ".part")
        if fmt == "xlsx":
            write_xlsx(tmp, "居民" if headers == "zh" else "residents", header, cells)
        else:
            assert text is not None
            # utf-8-sig so that Excel on a Chinese Windows opens the CSV with the right characters
            tmp.write_text(text, encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="")
        tmp.chmod(0o600)  # it holds ID numbers in plain text: readable by its owner only
        tmp.replace(target)
        text = None
    with store.unit(actor.id, "resident.export") as uow:
        uow.summary = f"{len(rows)} residents exported as {fmt}" + (f" to {target.name}" if target else "")
    return len(rows), text


def csv_text(header: list[str], cells: list[list[Any]]) -> str:
    """A CSV export: every field through ``cells.csv_field``, so no text runs as a formula."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([csv_field(v) for v in header])
    writer.writerows([csv_field(v) for v in row] for row in cells)
    return buf.getvalue()


def write_xlsx(target: Path, title: str, header: list[str], cells: list[list[Any]]) -> None:
    """An .xlsx export: every cell through ``cells.xlsx_cell``, so no text is a formula."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    for i, name in enumerate(header, start=1):  # wide enough for an ID number, a date, a Chinese header
        wide = name in ("id_number", "document_number", "身份证号", "证件号码")
        sheet.column_dimensions[get_column_letter(i)].width = 21 if wide else max(12, 2 * len(name) + 2)
    sheet.freeze_panes = "A2"
    sheet.append([xlsx_cell(sheet, v) for v in header])
    for row in cells:
        sheet.append([xlsx_cell(sheet, v) for v in row])
    save_workbook(book, target)
