"""The 录入质量 view on a constructed clinic: every reason of a flagged visit in the admin's words, the models pass
the model tester, the report is read on a worker, and a new follow-up makes the shown report read again."""

from __future__ import annotations

from typing import Any

from clinic_app import entry_quality as Q
from tests.conftest import Clinic
from tests.test_entry_quality import YEAR, constructed
from ui.entry_quality_view import EntryQualityView
from ui.ops import Writer


def shown_view(qtbot: Any, clinic: Clinic, writer: Writer) -> EntryQualityView:
    view = EntryQualityView(clinic.store, clinic.store.reader(), writer, clinic.admin)
    qtbot.addWidget(view)
    view.set_period(YEAR)
    view.resize(1200, 700)
    view.show()
    qtbot.waitUntil(lambda: view.report is not None and view.report.period == YEAR, timeout=10_000)
    return view


def test_each_reason_is_said_in_words_and_the_models_pass_the_tester(
    qtbot: Any, qtmodeltester: Any, clinic: Clinic
) -> None:
    constructed(clinic.store, clinic.admin)
    writer = Writer()
    try:
        view = shown_view(qtbot, clinic, writer)
        qtmodeltester.check(view.doctor_model)
        qtmodeltester.check(view.visit_model)
        model = view.visit_model
        why = {model.data(model.index(r, 6)) for r in range(model.rowCount())}
        assert model.rowCount() == 10
        assert any(w.startswith("该患者连续 3 次随访的读数完全相同") for w in why)
        assert any(w.startswith("10 分钟内录入了 6 位患者的面对面随访") for w in why)
        assert any(w.startswith("于 2026-08-30 补录，而随访当天该医生没有任何其他记录") for w in why)
        doctors = view.doctor_model
        verdicts = {
            doctors.data(doctors.index(r, 0)): doctors.data(doctors.index(r, doctors.columnCount() - 1))
            for r in range(doctors.rowCount())
        }
        assert verdicts == {"赵医生": "⚠ 请核查：100% 的读数尾数为0或5", "李医生": "未见异常"}
        assert view.visits_title.text() == "标记的随访：10 次"
    finally:
        view.shutdown()
        writer.shutdown()


def test_a_new_follow_up_reads_the_shown_report_again(qtbot: Any, clinic: Clinic) -> None:
    ids = constructed(clinic.store, clinic.admin)
    writer = Writer()
    try:
        view = shown_view(qtbot, clinic, writer)
        before = next(d for d in view.report.doctors if d.username == "honest") if view.report else None
        assert before is not None
        patient = clinic.store.conn.execute("SELECT id FROM resident LIMIT 1").fetchone()[0]

        def add() -> None:
            with clinic.store.unit(clinic.admin.id, "test.followup") as uow:
                uow.insert(
                    "followup",
                    {
                        "resident_id": patient,
                        "disease": "hypertension",
                        "visit_date": "2026-12-01",
                        "visit_mode": "clinic",
                        "sbp_1": 131,
                        "dbp_1": 82,
                        "sbp": 131,
                        "dbp": 82,
                        "classification": "controlled",
                        "created_by": ids["honest"],
                        "created_at": "2026-12-01T02:00:00.000Z",
                    },
                )

        writer.write(add)

        def counted() -> bool:
            report = view.report
            honest: Q.DoctorQuality | None = (
                next(d for d in report.doctors if d.username == "honest") if report else None
            )
            return honest is not None and honest.visits == before.visits + 1

        qtbot.waitUntil(counted, timeout=10_000)
    finally:
        view.shutdown()
        writer.shutdown()
