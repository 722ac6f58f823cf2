"""The rules of long-term prescriptions (clinic_app.prescriptions; RULES §6, §7, §9): the visible vectors, the
boundaries (28/29 days unsigned, 84/85 days, each excluded class, isoniazid), installments, trace codes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic_app import prescriptions as P
from clinic_app.drugs import DRUG_FLAGS
from clinic_app.errors import ValidationError


def drug(name: str = "苯磺酸氨氯地平片", **flags: int) -> dict[str, object]:
    return {"name": name, "atc_code": None, **{f: 0 for f in DRUG_FLAGS}, **flags}


AMLODIPINE = {**drug(), "atc_code": "C08CA01"}
CONTROLLED = {"classification": "controlled", "visit_date": "2026-11-01"}
D = dt.date(2026, 11, 1)


def refused(call: object, *args: object, **kw: object) -> ValidationError:
    with pytest.raises(ValidationError) as err:
        call(*args, **kw)  # type: ignore[operator]
    return err.value


# -- RULES §9 -------------------------------------------------------------------------------------------------
def test_amlodipine_daily_84_days_stable_signed_is_accepted() -> None:
    P.check_drug(AMLODIPINE)
    P.check_stable("hypertension", CONTROLLED)
    assert P.status_on_issue(84, signed=True, assessment="稳定，依从性好") == "active"
    assert P.packages_for(Decimal("1"), 1, 84, 28) == 3


def test_91_days_is_refused_as_over_12_weeks() -> None:
    err = refused(P.status_on_issue, 91, signed=True, assessment="x")
    assert err.rule == "over_max_days" and "84 days" in err.message


def test_42_days_unsigned_is_held_until_the_patient_signs() -> None:
    assert P.status_on_issue(42, signed=False, assessment="x") == "awaiting_signature"
    assert P.status_on_issue(42, signed=True, assessment=None) == "awaiting_signature", "and the assessment"


@pytest.mark.parametrize(
    ("flags", "rule"),
    [
        ({"antimicrobial": 1}, "excluded_antimicrobial"),  # amoxicillin
        ({"narcotic": 1}, "excluded_narcotic"),  # morphine
        ({"psychotropic_1": 1}, "excluded_psychotropic_1"),
        ({"toxic": 1}, "excluded_toxic"),
        ({"radioactive": 1}, "excluded_radioactive"),
        ({"precursor": 1}, "excluded_precursor"),
    ],
)
def test_each_excluded_class_is_refused_naming_it(flags: dict[str, int], rule: str) -> None:
    err = refused(P.check_drug, drug("某药", **flags))
    assert err.rule == rule and err.details["class"] == rule.removeprefix("excluded_")
    assert "某药" in err.message and "never on a long-term prescription" in err.message


def test_isoniazid_for_tuberculosis_is_allowed() -> None:
    P.check_drug(drug("异烟肼片", antimicrobial=1, anti_tuberculosis=1))


def test_special_storage_is_a_warning_unless_the_county_refuses_it() -> None:
    insulin = drug("甘精胰岛素注射液", special_storage=1)
    P.check_drug(insulin)
    assert [w.code for w in P.warnings_for([insulin])] == ["special_storage"]
    err = refused(P.check_drug, insulin, P.Limits(refuse_special_storage=True))
    assert err.rule == "excluded_special_storage"


# -- boundaries -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("days", "signed", "expected"),
    [
        (1, False, "active"),
        (28, False, "active"),
        (29, False, "awaiting_signature"),
        (29, True, "active"),
        (84, True, "active"),
        (84, False, "awaiting_signature"),
    ],
)
def test_days_and_the_signature(days: int, signed: bool, expected: str) -> None:
    assert P.status_on_issue(days, signed=signed, assessment="评估") == expected


@pytest.mark.parametrize("days", [0, 85, 366])
def test_days_out_of_range_are_refused(days: int) -> None:
    assert refused(P.status_on_issue, days, signed=True, assessment="x").field == "days"


def test_the_county_sets_the_numbers() -> None:
    limits = P.Limits.from_policy({"rx.max_days": "56", "rx.signature_above_days": "14"})
    assert refused(P.status_on_issue, 57, True, "x", limits).rule == "over_max_days"
    assert P.status_on_issue(15, False, None, limits) == "awaiting_signature"
    assert P.Limits.from_policy({}) == P.Limits()
    assert refused(P.Limits.from_policy, {"rx.max_days": "lots"}).rule == "policy"


@pytest.mark.parametrize(
    ("last", "rule"),
    [
        (None, "not_stable"),
        ({"classification": "uncontrolled", "visit_date": "2026-10-01"}, "not_stable"),
    ],
)
def test_an_unstable_patient_is_refused(last: dict[str, str] | None, rule: str) -> None:
    assert refused(P.check_stable, "hypertension", last).rule == rule


@pytest.mark.parametrize(
    ("role", "first", "limits", "allowed"),
    [
        ("village_doctor", True, P.Limits(), True),
        ("village_doctor", True, P.Limits(village_doctor_first_issue=False), False),
        ("village_doctor", False, P.Limits(village_doctor_first_issue=False), True),
        ("village_doctor", False, P.Limits(village_doctor_reissue=False), False),
        ("nurse", False, P.Limits(), False),
    ],
)
def test_issuing_rights(role: str, first: bool, limits: P.Limits, allowed: bool) -> None:
    if allowed:
        P.check_issuing_rights(role, first, limits)
    else:
        assert refused(P.check_issuing_rights, role, first, limits).rule == "issuing_rights"


def test_warnings_for_allergy_and_two_of_one_class() -> None:
    metformin = {**drug("盐酸二甲双胍片"), "atc_code": "A10BA02"}
    metformin_xr = {**drug("盐酸二甲双胍缓释片"), "atc_code": "A10BA02"}
    found = P.warnings_for([metformin, metformin_xr, AMLODIPINE], allergies=["氨氯地平"])
    assert [w.code for w in found] == ["allergy", "same_class"]
    assert (
        found[0].code == "allergy" and found[0].values[1] == "氨氯地平"
    )  # what another language says it with


# -- installments -------------------------------------------------------------------------------------------------
def test_installments_sum_to_exactly_the_prescribed_days_and_not_one_more() -> None:
    P.check_installment(84, 56, 28, D, (D - dt.timedelta(days=28), 28))
    err = refused(P.check_installment, 84, 56, 29, D, (D - dt.timedelta(days=28), 28))
    assert err.rule == "over_prescription" and err.details["left"] == "28"


def test_the_minimum_interval() -> None:
    last = (D, 28)
    P.check_installment(84, 28, 28, D + dt.timedelta(days=21), last)  # 28 - 7 early days
    err = refused(P.check_installment, 84, 28, 28, D + dt.timedelta(days=20), last)
    assert err.rule == "too_early" and err.details["earliest"] == "2026-11-22"


@pytest.mark.parametrize(
    ("status", "day", "rule"),
    [
        ("stopped", D, "stopped"),
        ("awaiting_signature", D, "unsigned"),
        ("active", D + dt.timedelta(days=100), "expired"),
        ("active", D - dt.timedelta(days=1), "before_issue"),
    ],
)
def test_nothing_from_a_stopped_unsigned_or_expired_prescription(
    status: str, day: dt.date, rule: str
) -> None:
    until = P.valid_until(D, 84)
    assert until == D + dt.timedelta(days=91)
    assert refused(P.check_can_dispense, status, D, until, day).rule == rule


# -- trace codes ---------------------------------------------------------------------------------------------------
def test_a_20_digit_code_is_verified_and_others_unverified_with_the_reason() -> None:
    code = P.read_trace_code(" 81000010000000000001 ")
    assert code.verified and code.product_id == "8100001" and code.code == "81000010000000000001"
    other = P.read_trace_code("(01)06901234567892(21)ABC123")
    assert not other.verified and other.reason and "not checked" in other.reason
    short = P.read_trace_code("8100001000000000000")
    assert not short.verified and "19 digits" in (short.reason or "")
    assert refused(P.read_trace_code, "x" * 101).rule == "format"
    assert refused(P.read_trace_code, "a b").rule == "format"
    assert refused(P.read_trace_code, "").rule == "required"


def test_the_product_id_is_checked_against_the_catalog_where_known() -> None:
    code = P.read_trace_code("81000010000000000001")
    assert P.check_product(code, {"8100001"}, {"8100001": "XC08"}) == "XC08"
    assert refused(P.check_product, code, {"8100001"}, {"8100002": "XA10"}).rule == "wrong_product"
    assert P.check_product(code, set(), {}) is None, "a product id the catalog does not know: accepted"


def test_a_code_sold_twice_is_blocked_unless_a_split_pack_has_units_left() -> None:
    P.check_reuse("81000010000000000001", 0, 28, split_pack=False, earlier_split=False)
    assert refused(P.check_reuse, "81000010000000000001", 28, 28, False, False).rule == "duplicate_code"
    P.check_reuse("81000010000000000001", 14, 28, split_pack=True, earlier_split=True)
    err = refused(P.check_reuse, "81000010000000000001", 28, 28, True, True)
    assert err.rule == "duplicate_code" and "used up" in err.message
    assert refused(P.check_reuse, "81000010000000000001", 28, 28, True, False).rule == "duplicate_code"


# -- properties ------------------------------------------------------------------------------------------------
doses = st.decimals(min_value=Decimal("0.25"), max_value=Decimal("40"), places=2)


@given(doses, st.integers(1, 4), st.integers(1, 84), st.integers(1, 300))
def test_whole_packages_always_cover_the_days_and_one_less_does_not(
    dose: Decimal, times: int, days: int, size: int
) -> None:
    packages = P.packages_for(dose, times, days, size)
    assert packages * size >= dose * times * days
    assert (packages - 1) * size < dose * times * days
    assert P.days_supplied(packages * size, dose, times) >= days


@given(st.integers(1, 84), st.lists(st.integers(1, 84), max_size=6))
def test_accepted_installments_never_sum_over_the_prescribed_days(prescribed: int, asked: list[int]) -> None:
    dispensed, day, last = 0, D, None
    for days in asked:
        try:
            P.check_installment(prescribed, dispensed, days, day, last)
        except ValidationError:
            continue
        dispensed += days
        last = (day, days)
        day += dt.timedelta(days=days)
    assert dispensed <= prescribed


@given(st.integers(1, 300), st.booleans(), st.booleans())
def test_status_is_held_exactly_over_28_days_without_both(days: int, signed: bool, assessed: bool) -> None:
    if days > 84:
        assert refused(P.status_on_issue, days, signed, "x" if assessed else None).rule == "over_max_days"
        return
    status = P.status_on_issue(days, signed, "x" if assessed else None)
    assert (status == "awaiting_signature") == (days > 28 and not (signed and assessed))


def test_every_excluded_class_rule_is_a_code_of_the_protocol() -> None:
    from sync import protocol

    codes = {c.value for c in protocol.Code}
    assert {f"excluded_{flag}" for flag in (*P.EXCLUDED_CLASS_NAMES, "special_storage")} <= codes


@given(
    st.sampled_from(P.STATUSES),
    st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31)),
    st.integers(-400, 400),
)
def test_a_prescription_past_its_last_valid_day_is_told_expired_unless_it_was_stopped(
    status: str, valid_until: dt.date, offset: int
) -> None:
    day = valid_until + dt.timedelta(days=offset)
    told = P.status_on(status, valid_until.isoformat(), day)
    if status == "stopped":
        assert told == "stopped"
    elif offset > 0:
        assert told == P.EXPIRED
    else:
        assert told == status  # its last valid day is still valid


@pytest.mark.parametrize(
    ("form", "name", "route"),
    [
        ("注射剂", "甘精胰岛素注射液", "subcutaneous"),
        (None, "利拉鲁肽注射液", "subcutaneous"),
        ("吸入气雾剂", "沙丁胺醇", "inhaled"),
        ("贴剂", "硝酸甘油贴", "topical"),
        ("软膏剂", "x", "topical"),
        ("舌下片", "硝酸甘油舌下片", "sublingual"),
        ("片剂", "苯磺酸氨氯地平片", "oral"),
        (None, None, "oral"),
    ],
)
def test_the_route_a_line_defaults_to_comes_from_the_dosage_form(
    form: str | None, name: str | None, route: str
) -> None:
    assert P.default_route(form, name) == route
    assert P.route_of("item 1", None, {"form": form, "name": name}) == route
    assert P.route_of("item 1", "oral", {"form": form, "name": name}) == "oral"


@pytest.mark.parametrize(
    ("scanned", "due", "split", "ok"),
    [
        (1, 1, False, True),
        (5, 1, False, False),
        (1, 5, False, False),
        (1, 5, True, True),
        (6, 5, True, False),
    ],
)
def test_the_boxes_scanned_are_the_installments_boxes(scanned: int, due: int, split: bool, ok: bool) -> None:
    if ok:
        P.check_box_count(scanned, due, split)
    else:
        assert refused(P.check_box_count, scanned, due, split).rule == "box_count"


@given(st.text(alphabet="0123456789ABCxyz", min_size=1, max_size=7))
def test_fewer_than_8_characters_is_never_a_trace_code(code: str) -> None:
    assert refused(P.read_trace_code, code).rule == "too_short"


def test_signs_other_than_digits_and_letters_are_refused_a_gs1_code_stays_unverified() -> None:
    assert refused(P.read_trace_code, "8100001-00000001").rule == "characters"
    gs1 = P.read_trace_code("(01)06901234567892(21)X1")
    assert not gs1.verified and gs1.reason
    assert P.read_trace_code("8100001000000000000").reason == "19 digits, not the 20 of the common family"
