"""Who may call the county server: enrollment of a clinic's device with a one-time code, county accounts'
login, and the bearer tokens both get (failed attempts are throttled by throttle.py)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from clinic_app.ids import uuid7
from clinic_app.users import verify_nobody, verify_password
from sync import protocol as p
from sync.protocol import parse_version
from sync.server import db
from sync.server.common import Caller, ServiceError, clinic_scope
from sync.server.db import since, utc_now

ENROLL_CODE_HOURS = p.ENROLL_CODE_HOURS


def token_hash(secret: str) -> str:
    """Tokens and enrollment codes are stored as their SHA-256 only."""
    return hashlib.sha256(secret.encode()).hexdigest()


# -- enrollment and tokens ---------------------------------------------------------------------------
def printable(field: str, text: str) -> str:
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise ServiceError(422, "invalid_request", f"{field}: control characters are not allowed")
    return text


def enroll(
    conn: Connection, code: str, device_name: str, app_version: str, has_local_data: bool = False
) -> p.EnrollResponse:
    printable("device_name", device_name)
    try:
        parse_version(app_version)
    except ValueError:
        raise ServiceError(422, "invalid_request", "app_version: a version like 1.2.3") from None
    row = conn.execute(
        sa.select(db.enrollment_code).where(
            db.enrollment_code.c.code_hash == token_hash(code.strip().upper())
        )
    ).first()
    if row is None:
        raise ServiceError(401, "bad_code", "this enrollment code is not known")
    if row.used_at is not None:
        raise ServiceError(
            401, "code_used", "this enrollment code was used already; ask the county for a new one"
        )
    if row.expires_at <= utc_now():
        raise ServiceError(
            401, "code_expired", "this enrollment code has expired; ask the county for a new one"
        )
    if (
        has_local_data
        and conn.execute(
            sa.select(db.record.c.row_id)
            .where(db.record.c.scope == clinic_scope(row.clinic_id), db.record.c.table_name != "clinic")
            .limit(1)
        ).first()
    ):
        # Two registers of one clinic would clash (two "admin" accounts, the same people twice): a further
        # device starts empty and receives everything. The code stays usable for that.
        raise ServiceError(
            409,
            "clinic_has_data",
            "this clinic has records on the county server already: set "
            "this computer up with a new, empty database and enroll that; it receives everything",
        )
    token = secrets.token_urlsafe(32)
    device_id = uuid7()
    now = utc_now()
    conn.execute(
        db.device.insert().values(
            id=device_id,
            clinic_id=row.clinic_id,
            name=device_name.strip(),
            token_hash=token_hash(token),
            app_version=app_version,
            created_at=now,
        )
    )
    used = conn.execute(
        sa.update(db.enrollment_code)
        .where(db.enrollment_code.c.id == row.id, db.enrollment_code.c.used_at.is_(None))
        .values(used_at=now, device_id=device_id)
    )
    if used.rowcount != 1:  # another enrollment with the same code won the race
        raise ServiceError(
            401, "code_used", "this enrollment code was used already; ask the county for a new one"
        )
    clinic_row = conn.execute(sa.select(db.clinic).where(db.clinic.c.id == row.clinic_id)).one()
    return p.EnrollResponse(
        device_id=device_id,
        clinic_id=clinic_row.id,
        clinic_code=clinic_row.code,
        clinic_name=clinic_row.name,
        token=token,
    )


def county_login(conn: Connection, username: str, password: str, device_name: str) -> p.LoginResponse:
    row = conn.execute(sa.select(db.county_user).where(db.county_user.c.username == username)).first()
    if row is None:  # the same scrypt work as a real check: user names cannot be probed by timing
        verify_nobody(password)
        raise ServiceError(401, "bad_credentials", "wrong user name or password")
    if not verify_password(password, row.password_hash):
        raise ServiceError(401, "bad_credentials", "wrong user name or password")
    token = secrets.token_urlsafe(32)
    device_id = uuid7()
    conn.execute(
        db.device.insert().values(
            id=device_id,
            county_user_id=row.id,
            name=device_name,
            token_hash=token_hash(token),
            created_at=utc_now(),
        )
    )
    return p.LoginResponse(device_id=device_id, role=row.role, token=token)


# every request reads it: built once (SQLAlchemy then skips building the statement and its cache key)
_BY_TOKEN = (
    sa.select(db.device, db.county_user.c.role, db.county_user.c.username)
    .select_from(db.device.outerjoin(db.county_user, db.county_user.c.id == db.device.c.county_user_id))
    .where(db.device.c.token_hash == sa.bindparam("token_hash"))
)


def caller_for_token(conn: Connection, token: str) -> Caller:
    row = next(iter(db.fetch(conn, _BY_TOKEN, {"token_hash": token_hash(token)})), None)
    # the lookup is by hash; compare again in constant time so that timing says nothing about near misses
    if row is None or not hmac.compare_digest(row.token_hash, token_hash(token)):
        raise ServiceError(
            401, "bad_token", "this device is not enrolled (or its token is wrong): enroll it again"
        )
    if row.revoked_at is not None:
        raise ServiceError(401, "revoked", "this device was revoked by the county: enroll it again")
    if row.last_seen_at is None or row.last_seen_at < since(60):  # a write a minute, not one a request
        conn.execute(sa.update(db.device).where(db.device.c.id == row.id).values(last_seen_at=utc_now()))
    return Caller(device_id=row.id, clinic_id=row.clinic_id, role=row.role or "device", username=row.username)
