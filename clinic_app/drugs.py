"""The county's drug catalog (issue 13 point 1): insurance drug codes and the catalog file a county loads, and the
catalog's search keys on a device.

The CSV's columns: ``code`` (RULES §8), ``name`` (the generic name, 通用名), ``brand_name`` (商品名), ``form``
(dosage form), ``spec`` (strength), ``unit`` (the unit a dose is counted in: 片, 粒, 支, IU), ``package_size`` (units
in one package), ``package_unit`` (盒, 瓶), ``price_fen`` (a package's price), ``insurance_category`` (甲/乙/丙 or
A/B/C), ``atc_code`` (for duplicate-therapy warnings),
``trace_product_id`` (the 7 digits the 20-digit trace codes of its boxes start with, RULES §7) and the RULES §6 flags as 1/0. Only code, name, spec, unit and
package_size are required (a file of the first catalog format still loads). The county server loads it; a device
receives the rows, or loads the file itself while it has no county (``clinic catalog load``)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from clinic_app.db import Connection
from clinic_app.digits import whole_number
from clinic_app.errors import ValidationError
from clinic_app.search import normalize_name, prefix_upper_bound, text_keys

DRUG_FLAGS = (
    "narcotic",
    "psychotropic_1",
    "toxic",
    "radioactive",
    "precursor",
    "antimicrobial",
    "anti_tuberculosis",  # an antimicrobial for tuberculosis: allowed on a long-term prescription (RULES §6)
    "special_storage",
)
# The classes a long-term prescription never holds (RULES §6); antimicrobials except anti-tuberculosis ones.
EXCLUDED_FLAGS = ("narcotic", "psychotropic_1", "toxic", "radioactive", "precursor", "antimicrobial")
INSURANCE_CATEGORIES = ("A", "B", "C")  # 甲类, 乙类, 丙类
_CATEGORY_WORDS = {"甲": "A", "乙": "B", "丙": "C", "A": "A", "B": "B", "C": "C"}
ATC_CODE = re.compile(r"^[A-Z]([0-9]{2}([A-Z]([A-Z]([0-9]{2})?)?)?)?$")  # C, C08, C08C, C08CA, C08CA01
OPTIONAL_TEXT = {"brand_name": 100, "form": 40, "package_unit": 10}
DRUG_CODE = re.compile(r"^[XZ][A-Z0-9]{19,22}$")  # the national insurance drug code (医保药品编码)
CATALOG_COLUMNS = frozenset({"code", "name", "spec", "unit", "package_size"})
MAX_PROBLEMS = 50


DEFAULT_PACKAGE_UNIT = "盒"  # a catalog row without its package_unit: a box


def package_unit(drug: Mapping[str, Any]) -> str:
    """What one package of ``drug`` (a catalog row, or a line carrying its ``package_unit``) is called: 盒, 瓶,
    支 for an insulin pen."""
    return str(drug.get("package_unit") or DEFAULT_PACKAGE_UNIT)


def packages_text(count: object, drug: Mapping[str, Any]) -> str:
    """A count of ``drug``'s packages as everyone shows and prints it: ``3 支``."""
    return f"{count} {package_unit(drug)}"


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
            flags[flag] = int(value == "1")
        extra: dict[str, Any] = {}
        for column, limit in OPTIONAL_TEXT.items():
            text = (line.get(column) or "").strip()
            if len(text) > limit:
                problems.append(f"row {number}, column {column}: at most {limit} characters")
            extra[column] = text or None
        price = (line.get("price_fen") or "").strip()
        extra["price_fen"] = None
        if price:
            try:
                extra["price_fen"] = whole_number("price_fen", price)
                if extra["price_fen"] < 0:
                    raise ValueError
            except (ValueError, ValidationError):
                problems.append(f"row {number}, column price_fen: a whole number of fen, 0 or more")
        category = (line.get("insurance_category") or "").strip().upper().removesuffix("类")
        extra["insurance_category"] = _CATEGORY_WORDS.get(category) if category else None
        if category and extra["insurance_category"] is None:
            problems.append(f"row {number}, column insurance_category: 甲, 乙 or 丙 (A, B or C)")
        product = (line.get("trace_product_id") or "").strip()
        extra["trace_product_id"] = product or None
        if product and not (product.isascii() and product.isdigit() and len(product) == 7):
            problems.append(
                f"row {number}, column trace_product_id: the 7 digits a 20-digit trace code starts with"
            )
        atc = (line.get("atc_code") or "").strip().upper()
        extra["atc_code"] = atc or None
        if atc and not ATC_CODE.match(atc):
            problems.append(f"row {number}, column atc_code: an ATC code like C08CA01")
        rows.append(
            {
                "code": code,
                "name": (line.get("name") or "").strip(),
                "spec": (line.get("spec") or "").strip(),
                "unit": (line.get("unit") or "").strip(),
                "package_size": size,
                **extra,
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


# -- search (a device's catalog): keys in ``drug_search_key``, one prefix range on its primary key -----------------
# ``n:`` a suffix of the generic or brand name, ``p:`` their pinyin from each syllable on and initials, ``c:`` the code.
SEARCH_COLUMNS = "d.id, d.code, d.name, d.brand_name, d.form, d.spec, d.unit, d.package_size, d.package_unit"
_SEARCH_SQL = f"""
    SELECT k.key AS k_key, {SEARCH_COLUMNS}
    FROM drug_search_key k CROSS JOIN drug d ON d.id = k.drug_id
    WHERE k.key >= ? AND k.key < ? AND d.deleted_at IS NULL
    ORDER BY k.key, k.drug_id LIMIT ?"""


def drug_keys(row: Mapping[str, Any]) -> set[str]:
    keys = {"c:" + str(row["code"]).upper()}
    for column in ("name", "brand_name"):
        if row.get(column):
            keys |= text_keys(row[column])
    return keys


def index_drugs(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Replace the search keys of whole drug rows just written (a deleted one keeps none)."""
    unindex_drugs(conn, [r["id"] for r in rows])
    conn.executemany(
        "INSERT OR IGNORE INTO drug_search_key(key, drug_id) VALUES (?, ?)",
        [(k, r["id"]) for r in rows if not r.get("deleted_at") for k in drug_keys(r)],
    )


def unindex_drugs(conn: Connection, ids: Sequence[str]) -> None:
    conn.executemany("DELETE FROM drug_search_key WHERE drug_id = ?", [(i,) for i in ids])


def drug_query_prefix(query: str) -> str | None:
    """The key prefix a typed query looks for: a code (letters and digits, a digit among them), pinyin (letters
    only), else a part of a name."""
    q = normalize_name(query)
    if not q:
        return None
    if q.isascii() and q.isalnum():
        return ("c:" + q.upper()) if any(c.isdigit() for c in q) else "p:" + q.lower().replace("ü", "v")
    return "n:" + q.lower()


def search_drugs(conn: Connection, query: str, limit: int = 20) -> list[dict[str, Any]]:
    """Catalog drugs matching a query by name, pinyin, initials or code, in key order, each drug once."""
    prefix = drug_query_prefix(query)
    if prefix is None:
        return []
    found: dict[str, dict[str, Any]] = {}
    for r in conn.execute(_SEARCH_SQL, (prefix, prefix_upper_bound(prefix), limit * 4)):
        d = dict(r)
        d.pop("k_key")
        found.setdefault(d["id"], d)
        if len(found) == limit:
            break
    return list(found.values())


def drug_by_code(conn: Connection, code: str) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT * FROM drug WHERE code = ? AND deleted_at IS NULL", (code.strip().upper(),)
    ).fetchone()
    return None if row is None else dict(row)
