"""Issue 11, breaks 7, 8, 13 and the lookup of 15: the lookup takes the ID number in its body and is throttled per
device and per clinic (a sign-up day passes, enumeration is refused; the county sets the limits); full-width
digits read as digits; failed sign-ins and enrollment codes slow down per address (and name) with backoff but
never lock the owner out; the server's log holds no ID number and its SQLite files are owner-only."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from fastapi.testclient import TestClient

from clinic_app.errors import ValidationError
from sync import protocol as p
from sync.server import admin, db, reference, throttle
from sync.server.db import stamp

from .conftest import HEADERS, County
from .live import free_port, wait_until_healthy
from .test_api import assert_error, mutation, push
from .test_contracts_server import NUMBER, contract_row, setup_clinic

LOOKUP = "/api/v1/residents/lookup"
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def ask(county: County, device: dict[str, str], number: str = NUMBER, period: str = "2026") -> Any:
    return county.client.post(LOOKUP, json={"id_number": number, "period": period}, headers=device)


def audited(county: County) -> int:
    with county.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(db.lookup_audit)).scalar_one())


def age_rows(county: County, table: sa.Table, seconds: float) -> None:
    """Make every row of ``table`` ``seconds`` older: time passing without a test that waits."""
    with county.engine.begin() as conn:
        for row_id, at in conn.execute(sa.select(table.c.id, table.c.at)).all():
            older = dt.datetime.fromisoformat(at) - dt.timedelta(seconds=seconds)
            conn.execute(sa.update(table).where(table.c.id == row_id).values(at=stamp(older)))


def set_policy(county: County, key: str, value: int) -> None:
    county.admin(reference.set_policy, key, str(value), dt.date.today().isoformat())


# -- the lookup: in the body, never in the URL ---------------------------------------------------------------
def test_the_lookup_takes_the_id_number_in_the_body_and_the_url_form_is_gone(county: County) -> None:
    device, person, team = setup_clinic(county, "A01")
    push(county, device, mutation("contract", contract_row(person, team)))
    other = county.enroll("B01")
    found = ask(county, other)
    assert found.status_code == 200, found.text
    assert found.json() == {"active_contract": True, "clinic_code": "A01", "clinic_name": "石头村卫生室"}
    old = county.client.get(LOOKUP, params={"id_number": NUMBER, "period": "2026"}, headers=other)
    assert_error(old, 410, p.Code.GONE)
    assert "POST" in old.json()["error"]["message"]
    assert audited(county) == 1, "the refused GET answered nothing and is not a lookup"


def test_full_width_digits_in_the_period_and_the_id_number_read_as_digits(county: County) -> None:
    device, person, team = setup_clinic(county, "A01")
    push(county, device, mutation("contract", contract_row(person, team)))
    other = county.enroll("B01")
    assert ask(county, other, period="２０２６").json()["active_contract"] is True
    assert (
        ask(county, other, number=NUMBER.translate(FULL_WIDTH), period="２０２６").json()["clinic_code"]
        == "A01"
    )
    with county.engine.connect() as conn:
        assert set(conn.execute(sa.select(db.lookup_audit.c.id_number, db.lookup_audit.c.period)).all()) == {
            (NUMBER, "2026")
        }, "audited as the number and year they are"
    assert_error(ask(county, other, period="二〇二六"), 422, "format")


# -- the lookup: throttled per device and per clinic ---------------------------------------------------------
def test_a_campaign_day_passes_a_household_burst_included(county: County) -> None:
    """A doctor has signed 180 residents since the morning, a few a minute; now a household of 20 at once."""
    device = county.enroll("A01")
    device_id, now = device["X-Device-Id"], dt.datetime.now(dt.UTC)
    with county.engine.begin() as conn:
        clinic_id = conn.execute(
            sa.select(db.device.c.clinic_id).where(db.device.c.id == device_id)
        ).scalar_one()
        conn.execute(
            db.lookup_audit.insert(),
            [
                {
                    "device_id": device_id,
                    "clinic_id": clinic_id,
                    "id_number": NUMBER,
                    "period": "2026",
                    "result": "{}",
                    "at": stamp(now - dt.timedelta(minutes=2 * (180 - i))),
                }
                for i in range(180)
            ],
        )
    for _ in range(20):
        assert ask(county, device).status_code == 200
    assert audited(county) == 200


def test_enumeration_from_one_device_is_refused_with_429_and_a_clear_code(county: County) -> None:
    device = county.enroll("A01")
    started = time.monotonic()
    answers = [ask(county, device) for _ in range(300)]
    assert time.monotonic() - started < 60, "the whole attempt runs within the minute"
    statuses = [a.status_code for a in answers]
    allowed = throttle.LIMITS["lookup.device_per_minute"]
    assert statuses == [200] * allowed + [429] * (300 - allowed)
    refused = answers[-1]
    assert_error(refused, 429, p.Code.LOOKUP_THROTTLED)
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "device" in refused.json()["error"]["message"]
    assert audited(county) == allowed, "refusals answer nothing"
    age_rows(county, db.lookup_audit, 61)
    assert ask(county, device).status_code == 200, "a minute later the device asks again"


def test_the_county_sets_the_limits_and_the_clinic_limit_counts_every_device(county: County) -> None:
    set_policy(county, "lookup.device_per_minute", 3)
    set_policy(county, "lookup.clinic_per_minute", 5)
    first, second, elsewhere = county.enroll("A01"), county.enroll("A01", "PC-2"), county.enroll("B01")
    assert [ask(county, first).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert "device" in ask(county, first).json()["error"]["message"]
    assert [ask(county, second).status_code for _ in range(3)] == [200, 200, 429]
    clinic_refusal = ask(county, second)
    assert_error(clinic_refusal, 429, p.Code.LOOKUP_THROTTLED)
    assert "clinic" in clinic_refusal.json()["error"]["message"]
    assert ask(county, elsewhere).status_code == 200, "another clinic's devices are not slowed"
    set_policy(county, "lookup.clinic_per_day", 6)
    age_rows(county, db.lookup_audit, 3600)
    assert [ask(county, second).status_code for _ in range(2)] == [200, 429], "a day's limit too"


def test_a_limit_the_county_wrote_wrong_falls_back_to_the_default(county: County) -> None:
    with pytest.raises(ValidationError) as refused:
        county.admin(reference.set_policy, "lookup.device_per_minute", "many", dt.date.today().isoformat())
    assert (refused.value.field, refused.value.rule) == ("value", "integer")
    with county.engine.begin() as conn:  # as a server before this check may have stored it
        conn.execute(
            db.policy.insert().values(
                key="lookup.device_per_minute",
                value="many",
                effective_from=dt.date.today().isoformat(),
                created_at=db.utc_now(),
            )
        )
    device = county.enroll("A01")
    assert all(
        ask(county, device).status_code == 200 for _ in range(throttle.LIMITS["lookup.device_per_minute"])
    )
    assert ask(county, device).status_code == 429


# -- failed sign-ins: backoff per address and name, per address; no lockout ----------------------------------
def at(county: County, address: str) -> TestClient:
    """The county server as a caller at ``address`` sees it (the same app and database)."""
    return TestClient(county.client.app, client=(address, 40000), raise_server_exceptions=False)


def sign_in(client: TestClient, password: str, username: str = "boss") -> Any:
    return client.post("/api/v1/login", json={"username": username, "password": password}, headers=HEADERS)


def test_wrong_passwords_slow_the_guesser_and_never_lock_the_owner_out(county: County) -> None:
    county.admin(admin.add_user, "boss", "county_admin", "right-pass-1", None)
    attacker, owner = at(county, "203.0.113.66"), at(county, "198.51.100.7")
    answers = [sign_in(attacker, f"guess-{i}") for i in range(10)]
    free = throttle.LIMITS["signin.free_failures"]
    assert [a.status_code for a in answers] == [401] * free + [429] * (10 - free), (
        "slowed after a few guesses"
    )
    assert_error(answers[-1], 429, p.Code.THROTTLED)
    assert int(answers[-1].headers["Retry-After"]) >= 1
    assert sign_in(owner, "right-pass-1").status_code == 200, "the owner's address has not failed: signs in"
    assert sign_in(attacker, "right-pass-1").status_code == 429, (
        "even the right password waits its turn there"
    )
    age_rows(county, db.auth_failure, throttle.LIMITS["throttle.first_delay_seconds"] + 1)
    assert sign_in(attacker, "right-pass-1").status_code == 200, "after the delay the right password signs in"
    assert sign_in(attacker, "guess-again").status_code == 401, (
        "and the name's failures from there are forgotten"
    )


def test_the_delay_doubles_with_each_failure_up_to_the_cap(county: County) -> None:
    county.admin(admin.add_user, "boss", "county_admin", "right-pass-1", None)
    attacker = at(county, "203.0.113.66")
    free, first = throttle.LIMITS["signin.free_failures"], throttle.LIMITS["throttle.first_delay_seconds"]
    cap = throttle.LIMITS["throttle.max_delay_seconds"]
    waits = []
    for _ in range(free + 10):
        answer = sign_in(attacker, "guess")
        while answer.status_code == 429:  # wait out the delay (by ageing the failures), then guess again
            waits.append(int(answer.headers["Retry-After"]))
            age_rows(county, db.auth_failure, waits[-1])
            answer = sign_in(attacker, "guess")
        assert answer.status_code == 401
    assert waits == [min(cap, first * 2**i) for i in range(len(waits))] and waits[-1] == cap


def test_many_names_from_one_address_are_slowed_too_and_other_addresses_are_not(county: County) -> None:
    attacker, office = at(county, "203.0.113.66"), at(county, "198.51.100.7")
    with county.engine.begin() as conn:  # guesses at twenty names, one each
        conn.execute(
            db.auth_failure.insert(),
            [
                {"key": f"signin:203.0.113.66:user{i}", "at": db.utc_now()}
                for i in range(throttle.LIMITS["signin.address_free_failures"])
            ]
            + [{"key": "signin:203.0.113.66", "at": db.utc_now()}]
            * throttle.LIMITS["signin.address_free_failures"],
        )
    assert_error(sign_in(attacker, "x", "another-name"), 429, p.Code.THROTTLED)
    assert_error(sign_in(office, "x", "another-name"), 401, p.Code.BAD_CREDENTIALS)


# -- enrollment codes: slowed per address, never blocked for everyone ----------------------------------------
def test_wrong_enrollment_codes_slow_that_address_and_a_right_code_elsewhere_enrolls(county: County) -> None:
    guesser, clinic = at(county, "203.0.113.66"), at(county, "198.51.100.7")

    def enroll(client: TestClient, code: str) -> Any:
        return client.post(
            "/api/v1/enroll",
            json={"code": code, "device_name": "PC", "app_version": "0.1.0"},
            headers=HEADERS,
        )

    answers = [enroll(guesser, f"WRONG-{i:04d}") for i in range(10)]
    free = throttle.LIMITS["enroll.free_failures"]
    assert [a.status_code for a in answers] == [401] * free + [429] * (10 - free)
    assert_error(answers[-1], 429, p.Code.THROTTLED)
    assert enroll(guesser, county.admin(admin.make_enroll_code, "A01")).status_code == 429
    assert enroll(clinic, county.admin(admin.make_enroll_code, "A01")).status_code == 201
    age_rows(county, db.auth_failure, throttle.LIMITS["throttle.first_delay_seconds"] + 1)
    assert enroll(guesser, county.admin(admin.make_enroll_code, "A01")).status_code == 201, (
        "not blocked for good"
    )


# -- the server's log and files ------------------------------------------------------------------------------
def test_the_server_log_holds_no_id_number_and_its_files_are_owner_only(tmp_path: Path) -> None:
    program = Path(sys.executable).with_name("county-server")
    url = f"sqlite:///{tmp_path / 'county.db'}"
    env = {**os.environ, "COUNTY_DATABASE_URL": url}

    def cli(*args: str) -> str:
        done = subprocess.run(
            [str(program), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            preexec_fn=lambda: os.umask(0o022),
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    cli("init")
    cli("clinic", "add", "A01", "石头村卫生室")
    code = cli("enroll-code", "--clinic", "A01").strip()
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [str(program), "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=lambda: os.umask(0o022),
        )
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_until_healthy(base, server, 30), log.read_text()
        enrolled = requests.post(
            f"{base}/api/v1/enroll",
            headers=HEADERS,
            timeout=10,
            json={"code": code, "device_name": "PC-1", "app_version": "0.1.0"},
        ).json()
        device = {**HEADERS, "Authorization": f"Bearer {enrolled['token']}"}
        posted = requests.post(
            f"{base}{LOOKUP}", json={"id_number": NUMBER, "period": "2026"}, headers=device, timeout=10
        )
        assert posted.status_code == 200, posted.text
        old = requests.get(
            f"{base}{LOOKUP}", params={"id_number": NUMBER, "period": "2026"}, headers=device, timeout=10
        )
        assert old.status_code == 410
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=20)
    written = log.read_text()
    assert f"POST {LOOKUP} HTTP/1.1" in written and f"GET {LOOKUP} HTTP/1.1" in written, written
    assert NUMBER not in written and "id_number" not in written, written
    files = sorted(tmp_path.glob("county.db*"))
    assert [f.name for f in files][:1] == ["county.db"]
    assert {f.name: oct(f.stat().st_mode & 0o777) for f in files} == {f.name: "0o600" for f in files}


def test_an_existing_world_readable_database_is_made_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "county.db"
    path.touch(mode=0o644)
    path.chmod(0o644)
    db.make_engine(f"sqlite:///{path}").dispose()
    assert path.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("url", ["sqlite:///:memory:", "sqlite://"])
def test_a_database_in_memory_makes_no_file(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    engine = db.make_engine(url)
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
    engine.dispose()
    assert list(tmp_path.iterdir()) == []


def test_enumeration_in_parallel_gets_no_more_than_the_limit(county: County) -> None:
    """300 lookups at once from 3 devices of one clinic, 10 connections each, on a real server: the clinic's
    lookups are counted one after the other (its row is locked), so exactly the limit is answered."""
    from concurrent.futures import ThreadPoolExecutor

    from .live import live_server

    set_policy(county, "lookup.clinic_per_minute", 40)
    with live_server(county.engine) as base:
        devices = []
        for name in ("PC-1", "PC-2", "PC-3"):
            code = county.admin(admin.make_enroll_code, "A01")
            enrolled = requests.post(
                f"{base}/api/v1/enroll",
                headers=HEADERS,
                timeout=30,
                json={"code": code, "device_name": name, "app_version": "0.1.0"},
            ).json()
            devices.append({**HEADERS, "Authorization": f"Bearer {enrolled['token']}"})

        def one(i: int) -> int:
            return requests.post(
                f"{base}{LOOKUP}",
                json={"id_number": NUMBER, "period": "2026"},
                headers=devices[i % 3],
                timeout=60,
            ).status_code

        with ThreadPoolExecutor(max_workers=30) as pool:
            statuses = list(pool.map(one, range(300)))
    assert statuses.count(200) == 40 and statuses.count(429) == 260
    assert audited(county) == 40


def test_an_unexpected_database_error_is_logged_without_its_values(
    engine: sa.Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """SQLAlchemy hides the statement's parameters, and the server logs where it failed, not the message, which
    PostgreSQL fills with the key's values (an ID number)."""
    from sync.server.app import log_unexpected

    with pytest.raises(sa.exc.DBAPIError) as failed, engine.begin() as conn:
        conn.execute(db.resident_key.insert(), [{"clinic_id": "c", "id_number": NUMBER, "row_id": "r"}] * 2)
    assert "[SQL parameters hidden" in str(failed.value)
    with caplog.at_level("ERROR", logger="county-server"):
        log_unexpected(failed.value)
    assert "IntegrityError" in caplog.text and "test_throttle.py" in caplog.text
    assert NUMBER not in caplog.text
