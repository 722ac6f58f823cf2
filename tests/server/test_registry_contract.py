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


class _Text(str):
    """Text of another type than str (no JSON parser makes one; the compiled check must not take it on trust)."""


def _probes(column: contract.Column) -> list[object]:
    edge = [column.max_length, column.max_length + 1]
    values: list[object] = [
        None,
        "",
        "a",
        "a\x00b",
        "\ud800",
        "bad id!",
        "0190a1b2-c3d4",
        _Text("a"),
        0,
        1,
        -1,
    ]
    values += [True, False, INT64_MAX, INT64_MAX + 1, INT64_MIN, INT64_MIN - 1, 1.5, [], {}, ["a"]]
    values += ["x" * n for n in edge] + [
        column.minimum,
        column.maximum,
        column.minimum - 1,
        column.maximum + 1,
    ]
    values += list(column.allowed or ()) + [f"{v}x" for v in column.allowed or ()]
    return values


def test_the_compiled_column_checks_pass_only_what_the_field_by_field_checks_pass() -> None:
    """``check_fields`` asks each column's compiled check first and judges field by field only a row one of them
    doubts: for every column of every table and values at and beyond each bound, both judge alike (a compiled
    check that let one more value through would store a row a device refuses)."""
    tables = {**{t: contract.columns(t) for t in contract.TABLES}, **contract.REFERENCE}
    checked = 0
    for table, cols in tables.items():
        for name, column in cols.items():
            for value in _probes(column):
                compiled = [(e.field, e.rule, e.message) for e in contract.check_fields(table, {name: value})]
                one_by_one = [(e.field, e.rule, e.message) for e in contract._problems(table, {name: value})]
                assert compiled == one_by_one, (table, name, value)
                checked += 1
    assert contract.check_fields("resident", {"no_such_column": 1})[0].rule == "unknown_column"
    assert checked > 1000
