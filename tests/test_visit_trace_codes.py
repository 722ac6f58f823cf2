"""Trial F1: a visit's drug lines sold at the desk take the boxes' trace codes (RULES §7), checked as at dispensing:
a code's characters and length, the product of a verified code, one box one sale against every dispensing and
every live visit (a cancelled visit gives its box back), never more codes than boxes; a line a box with its code,
in the visit and its insurance export (``drug_trac_codg``); nothing written on a refusal."""

from __future__ import annotations

import json

import pytest

from clinic_app import visits as V
from clinic_app.errors import ValidationError

from .conftest import Clinic
from .test_cli import Cli
from .test_rx_records import AMLODIPINE, CODE, METFORMIN, TODAY, dispense, doctor, issue, rid
from .test_rx_records import rx as rx  # the fixtures
from .test_unbilled_dispensing import DAY
from .test_unbilled_dispensing import billing as billing
from .test_visit_cli import add, count
from .test_visit_cli import vcli as vcli
from .test_visits import AMLODIPINE as PLAIN_AMLODIPINE  # the CLI clinic's catalog row (no product id)

OTHER = "81000010000000000002"  # another box of amlodipine (product 8100001)


def sell(c: Clinic, *boxes: tuple[str, str], qty: int = 2, drug: str = AMLODIPINE) -> V.VisitResult:
    data = V.VisitInput(rid(c), DAY, "11", ["I10"], items=[(drug, qty)], boxes=boxes)
    return V.add_visit(c.store, doctor(c), data, today=TODAY)


def visits(c: Clinic) -> int:
    return int(c.store.conn.execute("SELECT count(*) FROM visit").fetchone()[0])


def refused(c: Clinic, *boxes: tuple[str, str], **kw: object) -> ValidationError:
    before = visits(c)
    with pytest.raises(ValidationError) as err:
        sell(c, *boxes, **kw)  # type: ignore[arg-type]
    assert visits(c) == before, "nothing written"
    assert err.value.field == "trace_code"
    return err.value


def test_a_box_scanned_is_a_line_of_its_own_with_its_code_and_the_rest_without(billing: Clinic) -> None:
    result = sell(billing, (AMLODIPINE, CODE))
    drugs = [(line["quantity"], line["trace_code"]) for line in result.lines]
    assert drugs == [(1, CODE), (1, None)]
    assert result.total_fen == 2 * result.lines[0]["unit_price_fen"]
    [row] = V.export_rows(billing.store.conn, billing.store.clinic_id, DAY)
    assert [d["drug_trac_codg"] for d in row["feedetail"]] == [CODE, None]


def test_one_box_one_sale_across_visits_and_dispensing(billing: Clinic) -> None:
    first = sell(billing, (AMLODIPINE, CODE), qty=1)
    assert refused(billing, (AMLODIPINE, CODE), qty=1).rule == "duplicate_code"
    rx_id = issue(billing, 84)["id"]
    with pytest.raises(ValidationError) as err:  # the box sold at the desk cannot be dispensed again
        dispense(billing, rx_id, 28, CODE)
    assert err.value.rule == "duplicate_code"
    V.cancel_visit(billing.store, doctor(billing), first.id, "收错了", today=TODAY)
    assert sell(billing, (AMLODIPINE, CODE), qty=1).lines[0]["trace_code"] == CODE, "a reversal gives it back"


def test_a_box_dispensed_is_not_sold_again_at_the_desk(billing: Clinic) -> None:
    dispense(billing, issue(billing, 84)["id"], 28, OTHER)
    assert refused(billing, (AMLODIPINE, OTHER), qty=1).rule == "duplicate_code"


@pytest.mark.parametrize(
    ("boxes", "rule"),
    [
        (((AMLODIPINE, "12345"),), "too_short"),
        (((AMLODIPINE, "8100001-000000000001"),), "characters"),
        (((AMLODIPINE, CODE), (AMLODIPINE, CODE)), "duplicate_code"),
        (((AMLODIPINE, CODE), (AMLODIPINE, OTHER), (AMLODIPINE, "81000010000000000003")), "box_count"),
        (((METFORMIN, "81000020000000000001"),), "box_count"),  # no line of metformin on the visit
        (((AMLODIPINE, "81000020000000000001"),), "wrong_product"),  # metformin's box on amlodipine's line
    ],
)
def test_a_bad_trace_code_is_refused_naming_the_rule(
    billing: Clinic, boxes: tuple[tuple[str, str], ...], rule: str
) -> None:
    assert refused(billing, *boxes).rule == rule


def test_an_other_family_code_is_taken_unverified(billing: Clinic) -> None:
    result = sell(billing, (AMLODIPINE, "(01)06901234567892(21)X1"), qty=1)
    assert result.lines[0]["trace_code"] == "(01)06901234567892(21)X1"


def test_clinic_visit_add_takes_the_trace_codes_and_refuses_a_bad_one_writing_nothing(vcli: Cli) -> None:
    base = ("--type", "11", "--diagnosis", "J06.9", "--item", f"{PLAIN_AMLODIPINE},2")
    code, out, err = add(vcli, *base, "--trace-code", CODE, "--json")
    assert code == 0, err
    assert [line["trace_code"] for line in json.loads(out)["lines"]] == [CODE, None]
    code, _out, err = add(vcli, *base, "--trace-code", f"{PLAIN_AMLODIPINE},{CODE}")
    assert code != 0 and "duplicate_code" in err and "trace_code" in err
    code, _out, err = add(vcli, *base, "--trace-code", "123")
    assert code != 0 and "too_short" in err
    assert count(vcli, "visit") == 1, "nothing written on a refusal"


def test_the_box_lookups_and_the_days_unbilled_installments_read_an_index(billing: Clinic) -> None:
    """A clinic's years of visit lines and installments: a scan's one-box-one-sale check and the day end's unbilled
    list must not read the whole table (schema 14's indexes)."""
    from clinic_app import boxes

    conn = billing.store.conn
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        boxes.box_sold(conn, OTHER)
        V.unbilled_dispensings(conn, DAY)
    finally:
        conn.set_trace_callback(None)
    reads = [s for s in statements if "visit_line l" in s or "FROM dispensing d" in s]
    assert len(reads) == 2, statements
    for sql in reads:
        plan = " | ".join(
            row[-1] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, [None] * sql.count("?"))
        )
        for table in ("visit_line", "dispensing"):
            alias = {"visit_line": "l", "dispensing": "d"}[table]
            assert f"SCAN {alias}" not in plan and f"SCAN {table}" not in plan, (sql, plan)
