"""The registry's bounds, enforced by the server's column contract: whatever the county accepts, every device of
the clinic can store. A value beyond them is rejected with a code and the column named — never applied (a device
would then fail to store it on every pull) and never a server error."""

from __future__ import annotations

import json
from typing import Any

import pytest

from clinic_app.ids import uuid7
from clinic_app.registry import INT64_MAX, INT64_MIN
from sync.server import contract

from .conftest import County
from .test_api import mutation, pull_all, resident
from .test_push_contract import store_on_a_device, village

OUT_OF_BOUNDS: dict[str, tuple[str, dict[str, Any], str, str]] = {
    # case: (table, row, expected code, field named in the message)
    "integer above 64 bits": (
        "resident",
        resident(needs_identity_check=INT64_MAX + 1),
        "out_of_range",
        "needs_identity_check",
    ),
    "integer below 64 bits": (
        "resident",
        resident(needs_identity_check=INT64_MIN - 1),
        "out_of_range",
        "needs_identity_check",
    ),
    "a lone surrogate in text": ("village", village(name="东\ud800村"), "invalid_text", "name"),
    "a lone low surrogate": ("resident", resident(note="\udc00"), "invalid_text", "note"),
    "text longer than its column": ("village", village(name="村" * 201), "too_long", "name"),
    "text longer than any column": (
        "audit_log",
        {"id": uuid7(), "action": "x", "summary": "x" * 65_537, "rows": "{}"},
        "too_long",
        "summary",
    ),
}


def push(county: County, headers: dict[str, str], *mutations: dict[str, Any]) -> list[dict[str, Any]]:
    """A push as JSON text with \\u escapes: how a lone surrogate travels (it has no UTF-8 form)."""
    body = json.dumps({"mutations": list(mutations)}, ensure_ascii=True)
    r = county.client.post(
        "/api/v1/push", content=body, headers={**headers, "Content-Type": "application/json"}
    )
    assert r.status_code == 200, r.text
    return list(r.json()["results"])


@pytest.mark.parametrize("case", sorted(OUT_OF_BOUNDS))
def test_values_beyond_the_registrys_bounds_are_rejected_naming_the_column(county: County, case: str) -> None:
    table, row, code, field = OUT_OF_BOUNDS[case]
    device = county.enroll("A01")
    [result] = push(county, device, mutation(table, row))
    assert (result["status"], result["code"]) == ("rejected", code), result
    assert result["message"].startswith(f"{field}:"), result["message"]
    changes, _ = pull_all(county, device)
    assert row["id"] not in {c["row_id"] for c in changes}, "nothing of it was stored"


def test_the_bounds_themselves_are_accepted_and_a_device_stores_them(county: County) -> None:
    device = county.enroll("A01")
    rows = [
        ("village", village(name="村" * 200)),
        ("audit_log", {"id": uuid7(), "action": "x", "summary": "y" * 65_536, "rows": "{}"}),
        ("resident", resident(note="𠀀 outside the BMP, a proper pair")),
    ]
    results = push(county, device, *(mutation(t, r) for t, r in rows))
    assert [r["status"] for r in results] == ["applied"] * 3, results
    changes, _ = pull_all(county, device)
    store_on_a_device(changes)


def test_a_lone_surrogate_in_a_column_name_is_rejected_not_a_server_error(county: County) -> None:
    device = county.enroll("A01")
    row = village()
    row["\ud800"] = "x"
    [result] = push(county, device, mutation("village", row))
    assert (result["status"], result["code"]) == ("rejected", "unknown_column"), result


def test_the_contract_reads_the_integer_bounds_from_the_registry() -> None:
    assert contract.check_fields("insurance_status", {"year": INT64_MAX}) == []
    [problem] = contract.check_fields("insurance_status", {"year": INT64_MAX + 1})
    assert (problem.field, problem.rule) == ("year", "out_of_range")
