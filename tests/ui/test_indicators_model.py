"""The 指标 tab's table model (ui.indicators_view.FiguresModel): Qt's model tester passes it, empty and filled; a row
per group and disease, the clinic's rows first and bold, rates as percentages and "—" without patients."""

from __future__ import annotations

from typing import Any

from ui.indicators_view import FiguresModel
from ui.qt import Qt


def figures(managed: int, standard: int) -> dict[str, Any]:
    return {
        "under_management": managed,
        "standard_managed": standard,
        "standard_rate": round(standard / managed, 4) if managed else None,
        "control_counted": managed,
        "controlled": standard,
        "control_rate": round(standard / managed, 4) if managed else None,
        "followups_done": 4 * standard,
        "followups_due": 4 * managed,
    }


REPORT = {
    "clinic": {"hypertension": figures(3, 2), "diabetes": figures(0, 0)},
    "villages": [{"id": "v", "name": "石头村", "hypertension": figures(3, 2), "diabetes": figures(0, 0)}],
    "doctors": [{"id": "d", "name": "李医生", "hypertension": figures(3, 2), "diabetes": figures(0, 0)}],
}


def test_the_model_passes_the_model_tester_and_shows_a_row_per_group_and_disease(qtmodeltester: Any) -> None:
    model = FiguresModel()
    qtmodeltester.check(model)
    model.show_report(REPORT)
    qtmodeltester.check(model)
    assert model.rowCount() == 6
    first = [model.index(0, c).data() for c in range(model.columnCount())]
    assert first[2:] == ["3", "2", "66.7%", "3", "2", "66.7%", "8", "12"]
    assert model.index(1, 4).data() == "—"
    assert model.index(0, 0).data(Qt.ItemDataRole.FontRole).bold()
    assert model.index(2, 0).data(Qt.ItemDataRole.FontRole) is None
    model.show_report(None)
    assert model.rowCount() == 0
