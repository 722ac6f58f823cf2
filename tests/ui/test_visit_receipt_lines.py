"""The receipt's (门诊结算单) quantity column: a drug in its catalog package unit, a service as a count."""

from __future__ import annotations

from ui.visit_print import quantity_text


def test_a_drug_lines_quantity_is_in_its_package_unit_and_a_service_is_a_count() -> None:
    assert quantity_text({"kind": "drug", "quantity": 2, "package_unit": "支"}) == "2 支"
    assert quantity_text({"kind": "drug", "quantity": 1, "package_unit": None}) == "1 盒"
    assert quantity_text({"kind": "service", "quantity": 3, "package_unit": None}) == "3"
