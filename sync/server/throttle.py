"""Throttling (DESIGN §6). The cross-clinic lookup by rate, per device and per clinic; failed county sign-ins
and enrollment codes by backoff, per address and name and per address, so that guessing slows down while
nobody can lock the owner of an account out: a sign-in from an address that has not failed goes ahead.

The limits are county parameters (``policy``, in force today); ``LIMITS`` holds the value of each while the
county has set none. What is counted lives in the database (``lookup_audit``, ``auth_failure``), so every
worker process of the server counts the same attempts."""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from sync import protocol as p
from sync.server import db
from sync.server.common import Caller, ServiceError
from sync.server.db import since, utc_now

log = logging.getLogger("county-server")

# A doctor signs about 200 residents on a campaign day, a few a minute, a household (up to ~20 people) at
# once, and two or three devices of a clinic may sign the same day; 300 lookups in a few seconds is enumeration.
LIMITS: dict[str, int] = {
    "lookup.device_per_minute": 30,
    "lookup.device_per_day": 1000,
    "lookup.clinic_per_minute": 60,
    "lookup.clinic_per_day": 3000,
    "signin.free_failures": 3,  # wrong passwords for one name from one address before the first delay
    "signin.address_free_failures": 20,  # for any name from one address (a county office behind one NAT)
    "enroll.free_failures": 5,  # wrong enrollment codes from one address
    "throttle.first_delay_seconds": 2,  # doubled with every further failure ...
    "throttle.max_delay_seconds": 300,  # ... up to this
    "throttle.memory_seconds": 86_400,  # failures older than this are forgotten; a success forgets its own
}
LOOKUP_WINDOWS = (("minute", 60), ("day", 86_400))


def limits(conn: Connection, keys: list[str]) -> dict[str, int]:
    """The limits in force today: the county's value of each key, or the default while it has set none (or
    set something that is not a whole number ≥ 1, which is logged)."""
    today = dt.date.today().isoformat()
    rows = conn.execute(
        sa.select(db.policy.c.key, db.policy.c.value)
        .where(db.policy.c.key.in_(keys), db.policy.c.effective_from <= today)
        .order_by(db.policy.c.effective_from)
    ).all()
    found = {key: LIMITS[key] for key in keys}
    for key, value in rows:  # oldest first: the latest in force wins
        number = value.strip()
        if number.isascii() and number.isdigit() and int(number) >= 1:
            found[key] = int(number)
        else:
            log.warning("policy %s = %r is not a whole number ≥ 1: %d holds", key, value, LIMITS[key])
    return found


# -- the lookup ------------------------------------------------------------------------------------------
def check_lookup_rate(conn: Connection, caller: Caller) -> None:
    """Refuse a lookup (429 ``lookup_throttled``, with Retry-After) when the device or its clinic has had as
    many answered lookups in the last minute or day as the county allows. Answered lookups are the rows of
    ``lookup_audit``. The clinic's row (its device's row for a county token) is locked first, so that
    concurrent lookups of one clinic are counted one after the other, on every worker."""
    audit = db.lookup_audit
    if caller.clinic_id is not None:
        conn.execute(
            sa.select(db.clinic.c.id)
            .where(db.clinic.c.id == caller.clinic_id)
            .with_for_update(key_share=True)
        )
    else:
        conn.execute(
            sa.select(db.device.c.id)
            .where(db.device.c.id == caller.device_id)
            .with_for_update(key_share=True)
        )
    keys = [f"lookup.{who}_per_{span}" for who in ("device", "clinic") for span, _s in LOOKUP_WINDOWS]
    allowed = limits(conn, keys)
    subjects = [
        ("device", audit.c.device_id, caller.device_id),
        ("clinic", audit.c.clinic_id, caller.clinic_id),
    ]
    for who, column, value in subjects:
        if value is None:
            continue
        for span, seconds in LOOKUP_WINDOWS:
            limit = allowed[f"lookup.{who}_per_{span}"]
            oldest_counted = conn.execute(
                sa.select(audit.c.at)
                .where(column == value, audit.c.at > since(seconds))
                .order_by(audit.c.at.desc())
                .offset(limit - 1)
                .limit(1)
            ).scalar()
            if oldest_counted is not None:
                wait = max(1, math.ceil(seconds - _age(oldest_counted)))
                log.warning("lookup refused: %s %s reached %d a %s", who, value, limit, span)
                raise ServiceError(
                    429,
                    p.Code.LOOKUP_THROTTLED,
                    f"this {who} has asked the county {limit} times in a {span}, as many as the "
                    f"county allows: try again in {wait} seconds",
                    retry_after=wait,
                )


# -- failed sign-ins and enrollment codes ---------------------------------------------------------------------
@dataclass(frozen=True)
class Attempts:
    """The failures counted under ``key``; ``free`` names the limit of failures before the first delay."""

    key: str
    free: str


def signin(address: str, username: str) -> list[Attempts]:
    return [
        Attempts(f"signin:{address}:{username}", "signin.free_failures"),
        Attempts(f"signin:{address}", "signin.address_free_failures"),
    ]


def user_signin(address: str, clinic_id: str | None, username: str) -> list[Attempts]:
    """A clinic user's online sign-in (for account changes): per address and clinic user, and per address."""
    return [
        Attempts(f"user-signin:{address}:{clinic_id}:{username}", "signin.free_failures"),
        Attempts(f"signin:{address}", "signin.address_free_failures"),
    ]


def enrollment(address: str) -> list[Attempts]:
    return [Attempts(f"enroll:{address}", "enroll.free_failures")]


def check_attempt(conn: Connection, attempts: list[Attempts]) -> None:
    """Refuse (429 ``throttled``, Retry-After) an attempt made sooner after the last failure than the backoff
    allows: no delay for the first ``free`` failures, then the first delay, doubled with each failure."""
    allowed = limits(
        conn,
        [a.free for a in attempts]
        + ["throttle.first_delay_seconds", "throttle.max_delay_seconds", "throttle.memory_seconds"],
    )
    wait = 0.0
    for a in attempts:
        failures, last = conn.execute(
            sa.select(sa.func.count(), sa.func.max(db.auth_failure.c.at)).where(
                db.auth_failure.c.key == a.key,
                db.auth_failure.c.at > since(allowed["throttle.memory_seconds"]),
            )
        ).one()
        beyond = failures - allowed[a.free]
        if beyond >= 0:
            delay = min(
                allowed["throttle.max_delay_seconds"],
                allowed["throttle.first_delay_seconds"] * 2 ** min(beyond, 30),
            )
            wait = max(wait, delay - _age(last))
    if wait > 0:
        seconds = math.ceil(wait)
        raise ServiceError(
            429,
            p.Code.THROTTLED,
            f"too many failed attempts from this address: try again in {seconds} seconds",
            retry_after=seconds,
        )


def record_failure(engine: Engine, attempts: list[Attempts]) -> None:
    """In its own transaction, so that the failure counts even though the request fails; the same keys'
    failures that are forgotten already are deleted."""
    with engine.begin() as conn:
        forgotten = since(limits(conn, ["throttle.memory_seconds"])["throttle.memory_seconds"])
        conn.execute(
            sa.delete(db.auth_failure).where(
                db.auth_failure.c.key.in_([a.key for a in attempts]), db.auth_failure.c.at <= forgotten
            )
        )
        conn.execute(db.auth_failure.insert(), [{"key": a.key, "at": utc_now()} for a in attempts])


def forget_failures(conn: Connection, attempts: list[Attempts]) -> None:
    conn.execute(sa.delete(db.auth_failure).where(db.auth_failure.c.key.in_([a.key for a in attempts])))


def _age(stamp: str) -> float:
    """Seconds since a time the server wrote."""
    return (dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(stamp)).total_seconds()
