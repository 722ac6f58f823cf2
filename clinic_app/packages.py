"""Service packages (签约服务包): the file a county loads — a JSON list of packages with code, name, kind
(basic/personalised), the fee and its split in fen (insurance fund + public-health fund + resident share = fee),
eligibility and services — and the rows it makes, the same on the server and on a device without a county."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from clinic_app.errors import ValidationError

PACKAGE_CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,19}$")
PACKAGE_RULES = frozenset({"min_age", "max_age", "sex", "any_of", "requires", "disease"})
FEE_FIELDS = ("fee_fen", "insurance_fund_fen", "public_health_fund_fen", "resident_share_fen")
KINDS = ("basic", "personalised")
MAX_PROBLEMS = 50


def read_packages_file(path: Path) -> Any:
    """The file's JSON (UTF-8, with or without a BOM)."""
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise ValidationError("file", "unreadable", f"{path}: {exc.strerror}") from None
    except ValueError as exc:
        raise ValidationError("file", "json", f"{path.name} is not JSON: {exc}") from None


def parse_packages(items: Any) -> list[dict[str, Any]]:
    """The package rows of a file's JSON (eligibility and services as JSON text, active). All or none: one error
    naming every bad package and field (the first 50)."""
    if not isinstance(items, list) or not items:
        raise ValidationError("file", "format", "a JSON list of packages is expected")
    problems: list[str] = []
    seen: set[str] = set()
    rows = []
    for n, item in enumerate(items, start=1):
        where = f"package {n}"
        if not isinstance(item, dict):
            problems.append(f"{where}: an object is expected")
            continue
        code = str(item.get("code", ""))
        if not PACKAGE_CODE.match(code):
            problems.append(f"{where}, code: 2-20 capital letters, digits or _")
        elif code in seen:
            problems.append(f"{where}, code: {code} appears twice")
        seen.add(code)
        if not str(item.get("name", "")).strip():
            problems.append(f"{where}, name: required")
        if item.get("kind", "personalised") not in KINDS:
            problems.append(f"{where}, kind: basic or personalised")
        fees = {f: item.get(f, 0) for f in FEE_FIELDS}
        if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in fees.values()):
            problems.append(f"{where}, fees: whole numbers of fen, 0 or more")
        elif (
            fees["fee_fen"]
            != fees["insurance_fund_fen"] + fees["public_health_fund_fen"] + fees["resident_share_fen"]
        ):
            problems.append(
                f"{where}, fee_fen: the fee is the insurance fund + public-health fund + resident share"
            )
        rule = item.get("eligibility", {})
        if not isinstance(rule, dict) or set(rule) - PACKAGE_RULES:
            problems.append(f"{where}, eligibility: only {', '.join(sorted(PACKAGE_RULES))}")
        services = item.get("services", [])
        if not isinstance(services, list) or not all(isinstance(x, str) for x in services):
            problems.append(f"{where}, services: a list of texts")
        rows.append(
            {
                "code": code,
                "name": str(item.get("name", "")).strip(),
                "kind": item.get("kind", "personalised"),
                **fees,
                "eligibility": json.dumps(rule, ensure_ascii=False, sort_keys=True),
                "services": json.dumps(services, ensure_ascii=False),
                "active": 1,
            }
        )
    for row in rows:
        for needed in json.loads(row["eligibility"]).get("requires", []):
            if needed not in seen:
                problems.append(
                    f"package {row['code']}, eligibility: requires {needed}, which the file lacks"
                )
    if problems:
        raise ValidationError("file", "invalid_packages", "; ".join(problems[:MAX_PROBLEMS]))
    return rows
