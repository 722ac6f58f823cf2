"""The county's price list of medical services (医疗服务价格项目, issue 14 point 1): code, name, price in fen,
insurance category (A 甲类, B 乙类, C 丙类) and unit — county reference data like the drug catalog. A county
loads it on its server (`county-server prices load`); a clinic that has not joined a county loads it itself
(`clinic prices load`), the demo clinic from clinic_app/data. The file is CSV with the columns code, name,
price_fen, insurance_category, unit, checked all rows or none (every bad row and column named)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clinic_app.digits import whole_number
from clinic_app.drugs import csv_lines, read_catalog_file, refuse_rows
from clinic_app.errors import ValidationError
from clinic_app.ids import reference_id, utc_now
from clinic_app.settlement import CATEGORIES, MAX_AMOUNT_FEN

if TYPE_CHECKING:
    from clinic_app.store import Store

PRICE_COLUMNS = ("code", "name", "price_fen", "insurance_category", "unit")
REQUIRED_COLUMNS = frozenset(PRICE_COLUMNS) - {"unit"}
SERVICE_CODE = re.compile(r"^[0-9A-Z][0-9A-Z.\-]{0,39}$")  # the county's item code: letters, digits, . and -
MAX_NAME = 200


def demo_prices_file() -> Path:
    """The demo clinic's price list (made-up prices, marked demo in the file name, every code and every name);
    package data beside the default service packages, so that an installed program has it."""
    return Path(__file__).with_name("data") / "demo_service_prices.csv"


def read_prices_file(path: Path) -> str:
    return read_catalog_file(path)  # the same encodings as the drug catalog: UTF-8 (BOM or not) or GB18030


def parse_prices(text: str) -> list[dict[str, Any]]:
    """The price list's rows; all or none: one error naming every bad row and column (the first 50)."""
    lines = csv_lines(text, REQUIRED_COLUMNS)
    if not lines:
        raise ValidationError("file", "empty", "the price list has no rows")
    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=2):
        code = (line.get("code") or "").strip().upper()
        if not SERVICE_CODE.match(code):
            problems.append(f"row {number}, column code: 1-40 letters, digits, '.' or '-'")
        elif code in seen:
            problems.append(f"row {number}, column code: same code as row {seen[code]}")
        seen.setdefault(code, number)
        name = (line.get("name") or "").strip()
        if not name or len(name) > MAX_NAME:
            problems.append(f"row {number}, column name: required, at most {MAX_NAME} characters")
        try:
            price = whole_number("price_fen", line.get("price_fen") or "")
            if not 0 <= price <= MAX_AMOUNT_FEN:
                raise ValueError
        except (ValueError, ValidationError):
            problems.append(f"row {number}, column price_fen: whole fen, 0 or more (12.50 yuan is 1250)")
            price = 0
        category = (line.get("insurance_category") or "").strip().upper()
        if category not in CATEGORIES:
            problems.append(f"row {number}, column insurance_category: A, B or C")
        unit = (line.get("unit") or "").strip() or None
        rows.append(
            {"code": code, "name": name, "price_fen": price, "insurance_category": category, "unit": unit}
        )
    refuse_rows(problems)
    return rows


def load_prices_locally(store: Store, path: Path) -> int:
    """The price list of a clinic that has not joined a county, written as the county's reference rows (the
    county's ids, so that its first pull replaces them); a joined clinic receives its county's list."""
    from clinic_app.syncstate import get_state

    if get_state(store.conn, "server_url"):
        raise ValidationError(
            "file",
            "joined",
            "this clinic has joined its county: the county loads the price list (county-server prices load)",
        )
    rows = parse_prices(read_prices_file(path))
    now = utc_now()
    common = {"clinic_id": None, "created_at": now, "updated_at": now, "deleted_at": None, "row_version": 0}
    store.write_server_rows(
        {"service_price": [{**common, "id": reference_id("service_price", r["code"]), **r} for r in rows]},
        "prices.load",
    )
    return len(rows)


def service_price(conn: Any, code: str) -> dict[str, Any]:
    """The price list's row of a service; a refusal naming the code when the county's list has none."""
    row = conn.execute(
        "SELECT * FROM service_price WHERE code = ? AND deleted_at IS NULL", (code.strip().upper(),)
    ).fetchone()
    if row is None:
        raise ValidationError("service", "unknown", f"{code}: no such service in the price list")
    return dict(row)
