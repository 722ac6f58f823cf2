"""The outcome of a call to a patient on a worklist (clinic_app.chronic_contacts): each outcome takes the patient
off the overdue list — to the date agreed, or out of management with the reason — and a refusal names the field."""

from __future__ import annotations

import datetime as dt

import pytest

from clinic_app import chronic_contacts as CC
from clinic_app import chronic_records as H
from clinic_app.errors import ValidationError

from .conftest import Clinic
from .test_chronic_records import TODAY, care, doctor, register, visit  # noqa: F401 (the fixture)


def overdue(c: Clinic) -> list[str]:
    return [r["name"] for r in H.overdue_page(c.store.conn, c.store.clinic_id, TODAY)]


def due(c: Clinic, today: dt.date, days: int = 7) -> list[str]:
    return [r["name"] for r in H.due_page(c.store.conn, c.store.clinic_id, today, days)]


@pytest.fixture
def late(care: Clinic) -> dict[str, str]:  # noqa: F811
    """张三 and 王五 overdue (controlled in January: due in April), 赵六 too."""
    ids = {}
    for name in ("张三", "王五", "赵六"):
        ids[name] = register(care, name)
        visit(care, name, "2026-01-10", sbp_1=130, dbp_1=80)
    assert set(overdue(care)) == {"张三", "王五", "赵六"}
    return ids


def test_a_date_agreed_takes_the_patient_off_the_overdue_list_until_that_date(
    care: Clinic,  # noqa: F811
    late: dict[str, str],
) -> None:
    agreed = TODAY + dt.timedelta(days=3)
    CC.record_contact(care.store, doctor(care), late["张三"], "agreed", recall_on=agreed, today=TODAY)
    assert "张三" not in overdue(care) and "张三" in due(care, TODAY)
    row = H.get_registration(care.store.conn, late["张三"])
    assert (row["contact_outcome"], row["contacted_on"], row["recall_on"]) == (
        "agreed",
        TODAY.isoformat(),
        agreed.isoformat(),
    )
    page = H.due_page(care.store.conn, care.store.clinic_id, TODAY)
    assert [(r["name"], r["due_on"], r["contact_outcome"]) for r in page] == [
        ("张三", agreed.isoformat(), "agreed")
    ]
    CC.record_contact(
        care.store, doctor(care), late["王五"], "call_later", recall_on="2026-06-22", today=TODAY
    )
    assert overdue(care) == ["赵六"]
    assert "王五" in due(care, dt.date(2026, 6, 22), 1)


def test_a_follow_up_after_the_call_sets_the_due_date_again(care: Clinic, late: dict[str, str]) -> None:  # noqa: F811
    CC.record_contact(care.store, doctor(care), late["张三"], "agreed", recall_on="2026-06-20", today=TODAY)
    done = visit(care, "张三", "2026-06-15", sbp_1=128, dbp_1=78)
    page = H.due_page(care.store.conn, care.store.clinic_id, TODAY, days=366)
    assert [r["due_on"] for r in page if r["name"] == "张三"] == [done.next_visit_date.isoformat()]


@pytest.mark.parametrize(
    ("outcome", "management", "reason"),
    [
        ("moved", "terminated", "moved away: 去西宁打工"),
        ("died", "terminated", "died: 去西宁打工"),
        ("refused", "lost", "refused: 去西宁打工"),
    ],
)
def test_moved_died_or_refused_ends_the_management_with_the_reason(
    care: Clinic,  # noqa: F811
    late: dict[str, str],
    outcome: str,
    management: str,
    reason: str,
) -> None:
    CC.record_contact(care.store, doctor(care), late["赵六"], outcome, note="去西宁打工", today=TODAY)
    row = H.get_registration(care.store.conn, late["赵六"])
    assert (row["management"], row["management_end_reason"], row["management_ended_on"]) == (
        management,
        reason,
        TODAY.isoformat(),
    )
    assert "赵六" not in overdue(care)
    assert "赵六" not in [r["name"] for r in H.short_page(care.store.conn, care.store.clinic_id, TODAY)]
    with pytest.raises(ValidationError) as ended:
        CC.record_contact(care.store, doctor(care), late["赵六"], "agreed", recall_on=TODAY, today=TODAY)
    assert ended.value.field == "management"


def test_a_date_is_required_and_within_a_year_and_the_outcome_is_one_of_five(
    care: Clinic,  # noqa: F811
    late: dict[str, str],
) -> None:
    before = care.store.table_counts(["outbox"])
    for kwargs, field, rule in (
        ({"outcome": "agreed"}, "recall_on", "required"),
        ({"outcome": "call_later", "recall_on": "2026-06-14"}, "recall_on", "range"),
        ({"outcome": "agreed", "recall_on": "2027-06-17"}, "recall_on", "range"),
        ({"outcome": "agreed", "recall_on": "16/06/2026"}, "recall_on", "date_format"),
        ({"outcome": "busy"}, "contact_outcome", "choice"),
    ):
        with pytest.raises(ValidationError) as refused:
            CC.record_contact(care.store, doctor(care), late["张三"], today=TODAY, **kwargs)  # type: ignore[arg-type]
        assert (refused.value.field, refused.value.rule) == (field, rule)
    assert care.store.table_counts(["outbox"]) == before, "nothing written"
    assert set(overdue(care)) == {"张三", "王五", "赵六"}
