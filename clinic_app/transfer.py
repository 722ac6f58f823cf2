"""Import and export of the resident register: CSV (UTF-8 or GB18030 as Excel saves it), .xlsx, JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clinic_app.errors import ValidationError, ValidationErrors
from clinic_app.residents import (
    ResidentInput,
    clean,
    ensure_household,
    find_household,
    find_village,
    insert_resident,
    validate_resident,
)
from clinic_app.store import Store
from clinic_app.users import User

# Column name as written in a file (English or the Chinese used on county forms) -> field.
HEADER_ALIASES: dict[str, str] = {
    "id_number": "id_number",
    "身份证号": "id_number",
    "身份证号码": "id_number",
    "公民身份号码": "id_number",
    "name": "name",
    "姓名": "name",
    "phone": "phone",
    "电话": "phone",
    "手机": "phone",
    "联系电话": "phone",
    "手机号": "phone",
    "village": "village",
    "村": "village",
    "村庄": "village",
    "所属村": "village",
    "行政村": "village",
    "household": "household",
    "户号": "household",
    "家庭编号": "household",
    "家庭档案号": "household",
    "relation_to_head": "relation_to_head",
    "与户主关系": "relation_to_head",
    "document_type": "document_type",
    "证件类型": "document_type",
    "document_number": "document_number",
    "证件号码": "document_number",
    "sex": "sex",
    "性别": "sex",
    "birth_date": "birth_date",
    "出生日期": "birth_date",
    "note": "note",
    "备注": "note",
}
VALUE_ALIASES: dict[str, dict[str, str]] = {
    "sex": {"男": "M", "女": "F", "m": "M", "f": "F", "male": "M", "female": "F"},
    "document_type": {"身份证": "id_card", "居民身份证": "id_card", "护照": "passport", "其他": "other"},
    "relation_to_head": {
        "户主": "head",
        "本人": "head",
        "配偶": "spouse",
        "子女": "child",
        "子": "child",
        "女": "child",
        "父母": "parent",
        "父亲": "parent",
        "母亲": "parent",
        "孙子女": "grandchild",
        "兄弟姐妹": "sibling",
        "其他": "other",
    },
}
EXPORT_COLUMNS = (
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


@dataclass
class RowError:
    row: int  # as a spreadsheet numbers it: the header is row 1
    column: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.message} [{self.rule}]"


@dataclass
class ImportReport:
    imported: int = 0
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
        text = _decode(path.read_bytes())
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            for cells in reader:
                if any(c.strip() for c in cells):
                    yield reader.line_num, cells
        except csv.Error as exc:
            raise ValidationError("file", "csv", f"line {reader.line_num}: {exc}") from None
    else:
        raise ValidationError("file", "format", f"{path.name}: import reads .csv or .xlsx files")


def _cell_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel turns long digit strings typed as numbers into floats
    if hasattr(value, "date") and callable(value.date):
        return str(value.date().isoformat())
    return str(value)


def import_residents(store: Store, actor: User, path: Path, *, skip_invalid: bool = False) -> ImportReport:
    """Validate every row, then import in one unit of work: all rows, or (``skip_invalid``) the valid ones.

    Without ``skip_invalid`` a single bad row rejects the file and nothing is written."""
    report = ImportReport()
    rows = read_table(path)
    try:
        _, header = next(rows)
    except StopIteration:
        raise ValidationError("file", "empty", f"{path.name} has no header row") from None
    fields: list[str | None] = []
    for name in header:
        key = HEADER_ALIASES.get(name.strip()) or HEADER_ALIASES.get(name.strip().lower())
        if key is None and name.strip():
            report.warnings.append(f"column {name.strip()!r} is not known and was ignored")
        if key is not None and key in fields:
            raise ValidationError("file", "duplicate_column", f"column {name.strip()!r} appears twice")
        fields.append(key)
    if "name" not in fields or not ({"id_number", "document_number"} & set(fields)):
        raise ValidationError(
            "file",
            "missing_column",
            "the header needs a name column and an id_number (or document_number) column",
        )

    conn, clinic_id = store.conn, store.clinic_id
    valid: list[tuple[dict[str, Any], str | None]] = []  # row, household code to create
    seen_ids: dict[str, int] = {}
    new_households: dict[str, tuple[str | None, int]] = {}
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
        for f, aliases in VALUE_ALIASES.items():
            if values.get(f):
                values[f] = aliases.get(values[f].strip(), aliases.get(values[f].strip().lower(), values[f]))
        if not values.get("document_type"):
            values["document_type"] = "id_card" if values.get("id_number") else "other"
        errors: list[RowError] = []
        village_id = None
        village_name = clean(values.get("village"))
        if village_name:
            village_id = find_village(conn, clinic_id, village_name)
            if village_id is None:
                errors.append(
                    RowError(number, "village", "unknown", f"no village called {village_name} in this clinic")
                )
        household_id, new_code = None, None
        code = clean(values.get("household"))
        if code:
            found = find_household(conn, clinic_id, code)
            if found:
                household_id = found["id"]
            elif village_id is None and not village_name:
                errors.append(
                    RowError(
                        number, "household", "needs_village", f"household {code} is new: give its village"
                    )
                )
            else:
                first = new_households.setdefault(code, (village_id, number))
                if first[0] != village_id:
                    errors.append(
                        RowError(
                            number,
                            "household",
                            "other_village",
                            f"household {code} is in another village in row {first[1]}",
                        )
                    )
                new_code = code
        data = ResidentInput(
            name=values.get("name", ""),
            document_type=values["document_type"],
            id_number=values.get("id_number"),
            document_number=values.get("document_number"),
            sex=values.get("sex"),
            birth_date=values.get("birth_date"),
            phone=values.get("phone"),
            village_id=village_id,
            household_id=household_id,
            relation_to_head=values.get("relation_to_head"),
            note=values.get("note"),
        )
        row: dict[str, Any] | None = None
        try:
            row = validate_resident(conn, clinic_id, data)
        except ValidationErrors as exc:
            errors += [
                RowError(number, e.field, e.rule, e.message)
                for e in exc.errors
                if not (e.field == "village" and village_id is None)
            ]
        if row and row.get("id_number"):
            first_row = seen_ids.setdefault(row["id_number"], number)
            if first_row != number:
                errors.append(
                    RowError(number, "id_number", "duplicate_in_file", f"same ID number as row {first_row}")
                )
        if errors:
            report.errors += errors
        elif row is not None:
            valid.append((row, new_code))
    if report.errors and not skip_invalid:
        raise ImportRejected(report)
    if valid:
        with store.unit(actor.id, "resident.import") as uow:
            for row, new_code in valid:
                if new_code:
                    row["household_id"] = ensure_household(uow, new_code, row["village_id"])
                insert_resident(uow, row)
            uow.summary = f"{len(valid)} residents imported from {path.name}"
    report.imported = len(valid)
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


def export_residents(store: Store, actor: User, fmt: str, target: Path | None) -> tuple[int, str | None]:
    """Write the register as csv/xlsx/json to ``target`` (or return the text when ``target`` is None)."""
    if fmt not in ("csv", "xlsx", "json"):
        raise ValidationError("format", "unknown", "the export format is csv, xlsx or json")
    if fmt == "xlsx" and target is None:
        raise ValidationError("output", "required", "an .xlsx export needs -o FILE")
    rows = export_rows(store)
    text: str | None = None
    if fmt == "json":
        text = json.dumps(rows, ensure_ascii=False, indent=1) + "\n"
    elif fmt == "csv":
        buf = io.StringIO(newline="")
        writer = csv.DictWriter(buf, fieldnames=EXPORT_COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
        text = buf.getvalue()
    if target is not None:
        tmp = target.with_name(target.name + ".part")
        if fmt == "xlsx":
            from openpyxl import Workbook

            book = Workbook(write_only=True)
            sheet = book.create_sheet("residents")
            sheet.append(list(EXPORT_COLUMNS))
            for r in rows:
                sheet.append([r[c] for c in EXPORT_COLUMNS])
            book.save(tmp)
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
