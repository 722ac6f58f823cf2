"""`clinic catalog load`, `clinic rx issue|sign|dispense|stop`, `clinic worklist refills` (issue 13 point 6) on a
real database: --json objects, refusals exiting 3 naming the rule, nothing written on a refusal."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from clinic_app.catalog import demo_catalog_file

from .test_chronic_cli import SIXTY, chronic, day, followup, register  # noqa: F401  (chronic is a fixture)
from .test_cli import Cli

AMLODIPINE = "XC08CA01A0010101010001"
AMOXICILLIN = "XJ01CA04A0770101010077"
MORPHINE = "XN02AA01A0800101010080"
ISONIAZID = "XJ04AC01A0740101010074"
CODE = "81000010000000000001"


@pytest.fixture
def rx(chronic: Cli) -> Cli:  # noqa: F811
    assert chronic("catalog", "load", str(demo_catalog_file()), "--user", "admin")[0] == 0
    assert register(chronic)[0] == 0
    code, _, err = followup(chronic, day(20), "--sbp", "132", "--dbp", "84")
    assert code == 0, err
    return chronic


def rx_command(cli: Cli, *args: str, date: str | None = None) -> tuple[int, str, str]:
    """`clinic rx …` by admin with --json, on ``date`` (default five days ago: a prescription may be dated at
    most a week back)."""
    return cli("rx", *args, "--date", date or day(5), "--user", "admin", "--json")


def issue(
    cli: Cli, days: int, *extra: str, item: str = f"{AMLODIPINE},1,1", date: str | None = None
) -> tuple[int, dict[str, object], str]:
    disease = ("--resident", SIXTY, "--disease", "hypertension")
    code, out, err = rx_command(
        cli, "issue", *disease, "--item", item, "--days", str(days), *extra, date=date
    )
    return code, (json.loads(out) if code == 0 else {}), err


def dispense(
    cli: Cli, rx_id: str, days: int, *codes: str, date: str | None = None, extra: tuple[str, ...] = ()
) -> tuple[int, str, str]:
    args = [a for c in codes or (CODE,) for a in ("--trace-code", c)]
    return rx_command(cli, "dispense", rx_id, "--days", str(days), *args, *extra, date=date)


def test_issue_84_days_signed_prints_its_id_and_status(rx: Cli) -> None:
    code, result, err = issue(rx, 84, "--signed", "--assessment", "稳定")
    assert code == 0, err
    assert result["status"] == "active" and isinstance(result["id"], str)
    assert result["items"][0]["packages"] == 3  # type: ignore[index]


def test_42_days_is_held_then_signed(rx: Cli) -> None:
    code, result, _ = issue(rx, 42, "--assessment", "稳定")
    assert code == 0 and result["status"] == "awaiting_signature"
    rx_id = str(result["id"])
    code, _, err = dispense(rx, rx_id, 28)
    assert code == 3 and "signature" in err
    code, out, err = rx("rx", "sign", rx_id, "--user", "admin", "--json")
    assert code == 0, err
    assert json.loads(out)["status"] == "active"
    assert dispense(rx, rx_id, 28)[0] == 0


@pytest.mark.parametrize(
    ("days", "item", "words"),
    [
        (91, f"{AMLODIPINE},1,1", "over 84 days"),
        (28, f"{AMOXICILLIN},2,3", "antimicrobial"),
        (28, f"{MORPHINE},1,2", "narcotic"),
        (28, "XC08,1", "CODE,DOSE_PER_TIME,TIMES_PER_DAY"),
    ],
)
def test_refusals_exit_3_naming_the_rule(rx: Cli, days: int, item: str, words: str) -> None:
    code, _, err = issue(rx, days, "--signed", "--assessment", "x", item=item)
    assert code == 3 and words in err, err


def test_isoniazid_is_allowed(rx: Cli) -> None:
    assert issue(rx, 28, item=f"{ISONIAZID},3,1")[1]["status"] == "active"


def test_a_future_date_is_refused(rx: Cli) -> None:
    code, _, err = issue(rx, 28, date=(dt.date.today() + dt.timedelta(days=1)).isoformat())
    assert code == 3 and "future" in err


def test_an_issue_dated_over_a_week_back_exits_3_naming_the_rule(rx: Cli) -> None:
    """Trial F4: the date of issue is at most the county's rx.issue_back_days (7) back."""
    code, _, err = issue(rx, 28, date=day(8))
    assert code == 3 and "too_far_back" in err and day(7) in err, err
    assert issue(rx, 28, date=day(7))[0] == 0


def test_dispense_over_too_early_and_a_code_sold_twice(rx: Cli) -> None:
    rx_id = str(issue(rx, 56, "--signed", "--assessment", "稳定")[1]["id"])
    code, out, err = dispense(rx, rx_id, 28, CODE)
    assert code == 0, err
    assert json.loads(out)["left_days"] == 28
    code, _, err = dispense(rx, rx_id, 28, "81000010000000000002", date=day(4))
    assert code == 3 and "too_early" in err and "next one from" in err
    code, _, err = dispense(rx, rx_id, 29, "81000010000000000002", date=day(0))
    assert code == 3 and "more than the prescription has left" in err
    assert rx_command(rx, "stop", rx_id, "--reason", "换药")[0] == 0  # one in force at a time
    other = str(issue(rx, 28)[1]["id"])  # the code is blocked on any prescription of the clinic
    code, _, err = dispense(rx, other, 28, CODE, date=day(0))
    assert code == 3 and "sold before" in err and CODE in err and "duplicate_code" in err


def test_split_pack_and_an_unverified_code(rx: Cli) -> None:
    rx_id = str(issue(rx, 84, "--signed", "--assessment", "稳定")[1]["id"])
    assert dispense(rx, rx_id, 7, CODE, extra=("--split-pack",))[0] == 0
    code, _, err = dispense(rx, rx_id, 14, CODE, date=day(0), extra=("--split-pack",))
    assert code == 0, err
    code, _, err = rx(
        "rx",
        "dispense",
        rx_id,
        "--days",
        "14",
        "--trace-code",
        "(01)06901234567892(21)X1",
        "--date",
        day(0),
        "--user",
        "admin",
    )
    assert code == 3 and "next one from" in err, "the 14 days just given last"


def test_stop_then_nothing_more(rx: Cli) -> None:
    rx_id = str(issue(rx, 28)[1]["id"])
    code, out, err = rx("rx", "stop", rx_id, "--reason", "换药", "--user", "admin")
    assert code == 0 and "stopped" in out, err
    code, _, err = dispense(rx, rx_id, 28)
    assert code == 3 and "stopped" in err


def test_worklist_refills(rx: Cli) -> None:
    rx_id = str(issue(rx, 84, "--signed", "--assessment", "稳定")[1]["id"])
    assert dispense(rx, rx_id, 10, CODE)[0] == 0  # five days ago: runs out in five
    code, out, err = rx("worklist", "refills", "--days", "7", "--json")
    assert code == 0, err
    [row] = json.loads(out)
    assert row["prescription_id"] == rx_id and row["reasons"] == ["runs_out"] and row["left_days"] == 74
    code, out, _ = rx("worklist", "refills", "--days", "2")
    assert code == 0 and "0 prescription(s)" in out
    code, out, _ = rx("worklist", "refills")
    assert "张三" in out and "1 prescription(s)" in out
    assert "将用完" in out and "runs_out" not in out  # why it is listed, in the words a doctor reads


def test_catalog_load_refused_for_a_nurse(rx: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLINIC_NEW_PASSWORD", "nurse-pass-1")
    assert rx("user", "add", "nurse1", "--role", "nurse", "--user", "admin")[0] == 0
    code, _, err = rx(
        "catalog", "load", str(demo_catalog_file()), "--user", "nurse1", password="nurse-pass-1"
    )
    assert code == 4 and "clinic admin" in err


def test_change_stops_the_old_prescription_and_issues_the_new_one(rx: Cli) -> None:
    old = str(issue(rx, 28)[1]["id"])
    code, out, err = rx_command(
        rx, "change", old, "--reason", "血压偏高，加量", "--item", f"{AMLODIPINE},2,1", "--days", "28"
    )
    assert code == 0, err
    new = json.loads(out)
    assert new["status"] == "active" and new["replaces"] == old and new["id"] != old
    assert new["items"][0]["dose"] == "2" and new["items"][0]["packages"] == 2  # type: ignore[index]
    code, _, err = dispense(rx, old, 28)
    assert code == 3 and "stopped" in err, "the old prescription dispenses nothing more"
    assert dispense(rx, str(new["id"]), 28, CODE, "81000010000000000002")[0] == 0  # 2 a day: 2 boxes
    code, out, _ = rx(
        "rx",
        "change",
        str(new["id"]),
        "--reason",
        "换药",
        "--item",
        f"{AMLODIPINE},1,1",
        "--days",
        "28",
        "--date",
        day(0),
        "--user",
        "admin",
    )
    assert code == 0 and "changed:" in out and "张三" in out and "28 days, active" in out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--reason", " ", "--item", f"{AMLODIPINE},1,1", "--days", "28"), "reason"),
        (("--reason", "换药", "--item", f"{AMLODIPINE},1,1", "--days", "91"), "over 84 days"),
        (("--reason", "换药", "--item", f"{MORPHINE},1,2", "--days", "28"), "narcotic"),
    ],
)
def test_a_refused_change_exits_3_naming_the_rule_and_writes_nothing(
    rx: Cli, args: tuple[str, ...], words: str
) -> None:
    old = str(issue(rx, 28)[1]["id"])
    code, _, err = rx_command(rx, "change", old, *args)
    assert code == 3 and words in err, err
    assert dispense(rx, old, 28)[0] == 0, "the old prescription is not stopped by a refused change"


def test_a_stopped_or_unknown_prescription_cannot_change(rx: Cli) -> None:
    old = str(issue(rx, 28)[1]["id"])
    assert rx("rx", "stop", old, "--reason", "换药", "--user", "admin")[0] == 0
    code, _, err = rx_command(
        rx, "change", old, "--reason", "x", "--item", f"{AMLODIPINE},1,1", "--days", "28"
    )
    assert code == 3 and "stopped" in err, err
    code, _, err = rx_command(
        rx, "change", "no-such-id", "--reason", "x", "--item", f"{AMLODIPINE},1,1", "--days", "28"
    )
    assert code == 3 and "no-such-id" in err, err


def test_a_second_prescription_for_the_disease_in_force_exits_3_naming_in_force(rx: Cli) -> None:
    """Trial F20: issuing while one for the disease is in force is refused; stopping it first lets it through."""
    first = issue(rx, 28)
    assert first[0] == 0, first[2]
    code, _, err = issue(rx, 28)
    assert code == 3 and "in_force" in err and "hypertension" in err and "is in force" in err
    assert rx_command(rx, "stop", str(first[1]["id"]), "--reason", "换药")[0] == 0
    assert issue(rx, 28)[0] == 0


def test_signed_over_28_days_without_an_assessment_exits_3_naming_assessment(rx: Cli) -> None:
    """Trial F21: --signed is never silently dropped: over 28 days it needs --assessment."""
    code, _, err = issue(rx, 42, "--signed")
    assert code == 3 and "assessment" in err and "assessment_required" in err
    code, result, err = issue(rx, 42, "--signed", "--assessment", "稳定")
    assert code == 0 and result["status"] == "active", err


def test_the_boxes_scanned_must_be_the_installments_boxes(rx: Cli) -> None:
    """Trial F1: 28 days of 1 × 1 tablet is 1 box of 28: two codes are refused naming the numbers."""
    rx_id = str(issue(rx, 28)[1]["id"])
    code, _, err = dispense(rx, rx_id, 28, CODE, "81000010000000000002")
    assert code == 3 and "box_count" in err and "2 scanned, this installment is 1 box" in err
    code, _, err = dispense(rx, rx_id, 28, "12345")
    assert code == 3 and "too_short" in err


def test_a_route_not_given_comes_from_the_drugs_form(rx: Cli) -> None:
    code, result, err = issue(rx, 28)
    assert code == 0 and result["items"][0]["route"] == "oral", err  # type: ignore[index]
