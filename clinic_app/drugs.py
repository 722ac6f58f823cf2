"""The county's drug catalog: insurance drug codes and the catalog file a county loads (CSV: code, name, spec,
unit, package_size and the RULES §6 flags as 1/0). The county server loads it; a device receives the rows."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from clinic_app.digits import whole_number
from clinic_app.errors import ValidationError

DRUG_FLAGS = (
    "narcotic",
    "psychotropic_1",
    "toxic",
    "radioactive",
    "precursor",
    "antimicrobial",
    "special_storage",
)
DRUG_CODE = re.compile(r"^[XZ][A-Z0-9]{19,22}$")  # the national insurance drug code (医保药品编码)
CATALOG_COLUMNS = frozenset({"code", "name", "spec", "unit", "package_size"})
MAX_PROBLEMS = 50


def is_drug_code(code: str) -> bool:
    return DRUG_CODE.match(code) is not None


def read_catalog_file(path: Path) -> str:
    """The text of a catalog file saved as UTF-8 (with or without a BOM) or GB18030 (Chinese Excel)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ValidationError("file", "unreadable", f"{path}: {exc.strerror}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return raw.decode("gb18030", errors="strict")
        except UnicodeDecodeError:
            raise ValidationError(
                "file", "encoding", "save the CSV as UTF-8 or GB18030 (Chinese Excel)"
            ) from None


def parse_catalog(text: str) -> list[dict[str, Any]]:
    """The catalog's rows (code, name, spec, unit, package_size, flags as bools). All rows or none: one error
    naming every bad row and column (the first 50)."""
    lines = csv_lines(text, CATALOG_COLUMNS)
    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=2):
        code = (line.get("code") or "").strip().upper()
        if not is_drug_code(code):
            problems.append(
                f"row {number}, column code: an insurance drug code is X or Z and 20-23 letters/digits"
            )
        elif code in seen:
            problems.append(f"row {number}, column code: same code as row {seen[code]}")
        seen.setdefault(code, number)
        if not (line.get("name") or "").strip():
            problems.append(f"row {number}, column name: required")
        try:
            size = whole_number("package_size", line.get("package_size") or "")
            if size <= 0:
                raise ValueError
        except (ValueError, ValidationError):
            problems.append(f"row {number}, column package_size: a whole number above 0")
            size = 0
        flags = {}
        for flag in DRUG_FLAGS:
            value = (line.get(flag) or "0").strip()
            if value not in ("0", "1"):
                problems.append(f"row {number}, column {flag}: 0 or 1")
            flags[flag] = value == "1"
        rows.append(
            {
                "code": code,
                "name": (line.get("name") or "").strip(),
                "spec": (line.get("spec") or "").strip(),
                "unit": (line.get("unit") or "").strip(),
                "package_size": size,
                **flags,
            }
        )
    refuse_rows(problems)
    return rows


def csv_lines(text: str, required: frozenset[str]) -> list[dict[str, str]]:
    """The lines of a county's CSV file by its header, which must name every ``required`` column."""
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        fieldnames = reader.fieldnames or []
        lines = list(reader)
    except csv.Error as exc:
        raise ValidationError("file", "csv", f"not a readable CSV file: {exc}") from None
    missing = required - set(fieldnames)
    if missing:
        raise ValidationError("file", "missing_column", f"the header lacks {', '.join(sorted(missing))}")
    return lines


def refuse_rows(problems: list[str]) -> None:
    """All rows or none: one error naming every bad row and column (the first 50)."""
    if problems:
        raise ValidationError(
            "file",
            "invalid_rows",
            "; ".join(problems[:MAX_PROBLEMS]) + (" …" if len(problems) > MAX_PROBLEMS else ""),
        )
