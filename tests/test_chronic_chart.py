"""A patient's chart as clinic_app.chronic_chart reads it: every follow-up as corrected, newest first, the current
drugs of the latest, the registrations, the open referrals."""

from __future__ import annotations

from clinic_app import chronic_chart as CH
from clinic_app import chronic_records as H

from .conftest import Clinic
from .test_chronic_records import TODAY, care, doctor, register, rid, visit  # noqa: F401 (the fixture)


def test_the_chart_holds_every_visit_as_corrected_the_latest_drugs_and_the_open_referrals(
    care: Clinic,  # noqa: F811
) -> None:
    register(care, "张三")
    register(care, "张三", disease="diabetes", icd="E11.900")
    visit(care, "张三", "2026-01-10", sbp_1=130, dbp_1=80, drugs=[H.DrugInput("氨氯地平片", "5 mg", 1)])
    wrong = visit(care, "张三", "2026-03-10", sbp_1=150, dbp_1=95)
    data = H.FollowupInput(
        rid(care, "张三"),
        "hypertension",
        "2026-03-10",
        "clinic",
        sbp_1=185,
        dbp_1=100,
        drugs=[H.DrugInput("缬沙坦胶囊", "80 mg", 1)],
    )
    H.supersede_followup(care.store, doctor(care), wrong.id, data, "抄错了收缩压", today=TODAY)
    visit(care, "张三", "2026-04-01", disease="diabetes", fasting_glucose="6.5")
    chart = CH.patient_chart(care.store.conn, rid(care, "张三"), TODAY)
    assert [(v["visit_date"], v["disease"], v["sbp"]) for v in chart.visits] == [
        ("2026-04-01", "diabetes", None),
        ("2026-03-10", "hypertension", 185),
        ("2026-01-10", "hypertension", 130),
    ], "the corrected visit once, as corrected"
    assert chart.drugs == [] and chart.visits[1]["drugs"][0]["name"] == "缬沙坦胶囊"
    assert [g["disease"] for g in chart.registrations] == ["diabetes", "hypertension"]
    assert chart.referrals_open == 1, "the emergency of 185 mmHg"
    assert chart.age == 60 and chart.contract is None
