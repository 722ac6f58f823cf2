from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic_app import residents as R
from clinic_app.errors import ValidationErrors
from clinic_app.idcard import check_character
from tests.conftest import Clinic

TODAY = dt.date(2026, 11, 23)


def _rules(clinic: Clinic, data: R.ResidentInput) -> set[tuple[str, str]]:
    with pytest.raises(ValidationErrors) as err:
        R.validate_resident(clinic.store.conn, clinic.store.clinic_id, data, today=TODAY)
    return {(e.field, e.rule) for e in err.value.errors}


def test_sex_and_birth_date_are_derived_from_the_id_number(clinic: Clinic) -> None:
    row = R.validate_resident(
        clinic.store.conn,
        clinic.store.clinic_id,
        R.ResidentInput(name="张三", id_number="11010519491231002x"),
        today=TODAY,
    )
    assert (row["id_number"], row["sex"], row["birth_date"]) == ("11010519491231002X", "F", "1949-12-31")


def test_typed_sex_or_birth_date_that_disagrees_is_an_error(clinic: Clinic) -> None:
    rules = _rules(
        clinic, R.ResidentInput(name="张三", id_number="11010519491231002X", sex="M", birth_date="1950-01-01")
    )
    assert rules == {("sex", "disagrees_with_id"), ("birth_date", "disagrees_with_id")}


def test_all_problems_of_a_form_are_reported_at_once(clinic: Clinic) -> None:
    rules = _rules(clinic, R.ResidentInput(name="", id_number="110105194912310021", phone="12345"))
    assert rules == {("name", "required"), ("id_number", "check_character"), ("phone", "format")}


def test_other_documents_are_allowed_and_flagged(clinic: Clinic) -> None:
    data = R.ResidentInput(
        name="John Smith",
        document_type="passport",
        document_number="e1234567",
        sex="M",
        birth_date="1980-05-01",
    )
    rid = R.add_resident(clinic.store, clinic.admin, data, today=TODAY)
    row = R.get_resident(clinic.store.conn, rid)
    assert (
        row["needs_identity_check"] == 1 and row["id_number"] is None and row["document_number"] == "E1234567"
    )
    assert R.search_residents(clinic.store.conn, clinic.store.clinic_id, "4567").rows[0]["id"] == rid


def test_other_documents_need_sex_and_birth_date(clinic: Clinic) -> None:
    rules = _rules(
        clinic,
        R.ResidentInput(
            name="新生儿", document_type="other", document_number="BIRTH-001", birth_date="2027-01-01"
        ),
    )
    assert rules == {("sex", "required"), ("birth_date", "future")}


def test_one_resident_per_id_number(clinic: Clinic) -> None:
    R.add_resident(clinic.store, clinic.admin, R.ResidentInput(name="张三", id_number="11010519491231002X"))
    assert _rules(clinic, R.ResidentInput(name="张三丰", id_number="11010519491231002x")) == {
        ("id_number", "duplicate")
    }


def test_household_must_be_in_the_named_village(clinic: Clinic) -> None:
    store, admin = clinic.store, clinic.admin
    v1, v2 = R.add_village(store, admin, "石头村"), R.add_village(store, admin, "河东村")
    with store.unit(admin.id, "household.add") as uow:
        hid = R.ensure_household(uow, "H1", v1)
    rules = _rules(
        clinic, R.ResidentInput(name="张三", id_number="11010519491231002X", village_id=v2, household_id=hid)
    )
    assert rules == {("household", "other_village")}
    row = R.validate_resident(
        store.conn,
        store.clinic_id,
        R.ResidentInput(name="张三", id_number="11010519491231002X", household_id=hid),
    )
    assert row["village_id"] == v1  # the household's village is taken


def test_household_members_head_first(clinic: Clinic) -> None:
    store, admin = clinic.store, clinic.admin
    vid = R.add_village(store, admin, "石头村")
    with store.unit(admin.id, "household.add") as uow:
        hid = R.ensure_household(uow, "H1", vid)
    R.add_resident(
        store,
        admin,
        R.ResidentInput(
            name="张小", id_number="445224199202290042", household_id=hid, relation_to_head="child"
        ),
    )
    head = R.add_resident(
        store,
        admin,
        R.ResidentInput(
            name="张三", id_number="11010519491231002X", household_id=hid, relation_to_head="head"
        ),
    )
    assert [m["name"] for m in R.household_members(store.conn, hid)] == ["张三", "张小"]
    assert (
        store.conn.execute("SELECT head_resident_id FROM household WHERE id = ?", (hid,)).fetchone()[0]
        == head
    )


@pytest.mark.parametrize("phone", ["13812345678", "+86 138 1234 5678", "0971-6123456", "(0971)6123456"])
def test_phone_forms_accepted(clinic: Clinic, phone: str) -> None:
    R.validate_resident(
        clinic.store.conn,
        clinic.store.clinic_id,
        R.ResidentInput(name="张三", id_number="11010519491231002X", phone=phone),
    )


@pytest.mark.parametrize("phone", ["12812345678", "1381234567", "abc", "138123456789"])
def test_phone_forms_refused(clinic: Clinic, phone: str) -> None:
    assert _rules(clinic, R.ResidentInput(name="张三", id_number="11010519491231002X", phone=phone)) == {
        ("phone", "format")
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    born=st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY),
    seq=st.integers(0, 999),
    name=st.text(alphabet="张王李赵三四伟芳娜", min_size=2, max_size=3),
)
def test_any_valid_id_registers_with_derived_fields(
    clinic: Clinic, born: dt.date, seq: int, name: str
) -> None:
    first17 = f"632123{born:%Y%m%d}{seq:03d}"
    row = R.validate_resident(
        clinic.store.conn,
        clinic.store.clinic_id,
        R.ResidentInput(name=name, id_number=first17 + check_character(first17)),
        today=TODAY,
    )
    assert row["birth_date"] == born.isoformat()
    assert row["sex"] == ("M" if seq % 2 else "F")


def test_a_household_has_one_head_a_second_is_refused_naming_the_current_one(clinic: Clinic) -> None:
    store, admin = clinic.store, clinic.admin
    vid = R.add_village(store, admin, "石头村")
    with store.unit(admin.id, "household.add") as uow:
        hid = R.ensure_household(uow, "H1", vid)
    head = R.add_resident(
        store,
        admin,
        R.ResidentInput(
            name="张三", id_number="11010519491231002X", household_id=hid, relation_to_head="head"
        ),
    )
    second = R.ResidentInput(
        name="张小", id_number="445224199202290042", household_id=hid, relation_to_head="head"
    )
    with pytest.raises(ValidationErrors) as err:
        R.add_resident(store, admin, second, today=TODAY)
    (e,) = err.value.errors
    assert (e.field, e.rule, e.details) == (
        "relation_to_head",
        "second_head",
        {"head": "张三", "household": "H1"},
    )
    assert "张三" in e.message and "first" in e.message
    assert [m["name"] for m in R.household_members(store.conn, hid)] == ["张三"], "nothing written"
    again = R.resident_input(R.get_resident(store.conn, head))
    R.update_resident(store, admin, head, again, today=TODAY)  # the head saved again stays the head
    again.relation_to_head = "spouse"
    R.update_resident(store, admin, head, again, today=TODAY)  # the current head changed first
    new_head = R.add_resident(store, admin, second, today=TODAY)
    assert (
        store.conn.execute("SELECT head_resident_id FROM household WHERE id = ?", (hid,)).fetchone()[0]
        == new_head
    )
    with store.unit(admin.id, "resident.delete") as uow:  # a deleted head is no head
        uow.update("resident", new_head, {"deleted_at": "2026-11-23T00:00:00Z"})
    again.relation_to_head = "head"
    R.update_resident(store, admin, head, again, today=TODAY)
