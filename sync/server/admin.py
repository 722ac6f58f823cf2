"""The county's administration: clinics, their users, enrollment codes, devices."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from clinic_app.errors import ValidationError
from clinic_app.ids import uuid7
from clinic_app.users import COUNTY_ROLES, hash_password, validate_password, validate_role, validate_username
from sync.server import access, db
from sync.server.access import token_hash
from sync.server.common import clinic_scope
from sync.server.db import ensure_counter, stamp, utc_now
from sync.server.records import RecordStore, next_version
from sync.server.rules import county_records


def add_clinic(conn: Connection, code: str, name: str, records: RecordStore | None = None) -> str:
    code = code.strip()
    if not code or len(code) > 32 or not code.replace("-", "").isalnum():
        raise ValidationError("code", "format", "a clinic code has 1-32 letters, digits or dashes")
    if not name.strip():
        raise ValidationError("name", "required", "the clinic name is required")
    if conn.execute(sa.select(db.clinic.c.id).where(db.clinic.c.code == code)).first():
        raise ValidationError("code", "duplicate", f"clinic {code} exists already")
    clinic_id = uuid7()
    conn.execute(db.clinic.insert().values(id=clinic_id, code=code, name=name.strip(), created_at=utc_now()))
    ensure_counter(conn, clinic_scope(clinic_id))
    version = next_version(conn, clinic_scope(clinic_id))
    now = utc_now()
    row = {
        "id": clinic_id,
        "clinic_id": clinic_id,
        "code": code,
        "name": name.strip(),
        "created_at": now,
        "updated_at": now,
        "created_by": None,
        "updated_by": None,
        "deleted_at": None,
    }
    (records or county_records()).write(conn, "clinic", clinic_id, clinic_id, version, row, None)
    return clinic_id


def clinic_by_code(conn: Connection, code: str) -> Any:
    row = conn.execute(sa.select(db.clinic).where(db.clinic.c.code == code)).first()
    if row is None:
        raise ValidationError("clinic", "unknown", f"no clinic with code {code}")
    return row


def add_user(
    conn: Connection,
    username: str,
    role: str,
    password: str,
    clinic_code: str | None,
    records: RecordStore | None = None,
) -> str:
    """County roles are server accounts; clinic roles become a synced ``user`` row of the clinic, so the
    person signs in on every device of that clinic with this password."""
    validate_username(username)
    validate_password(password)
    if role in COUNTY_ROLES:
        if clinic_code:
            raise ValidationError(
                "clinic", "not_for_county_roles", f"{role} works for the county, not a clinic"
            )
        if conn.execute(sa.select(db.county_user.c.id).where(db.county_user.c.username == username)).first():
            raise ValidationError(
                "username", "duplicate", f"a county user called {username!r} exists already"
            )
        user_id = uuid7()
        conn.execute(
            db.county_user.insert().values(
                id=user_id,
                username=username,
                role=role,
                password_hash=hash_password(password),
                created_at=utc_now(),
            )
        )
        return user_id
    validate_role(role)
    if not clinic_code:
        raise ValidationError("clinic", "required", f"a {role} belongs to a clinic: give --clinic CODE")
    clinic_row = clinic_by_code(conn, clinic_code)
    if conn.execute(
        sa.select(db.unique_key.c.row_id).where(
            db.unique_key.c.table_name == "user",
            db.unique_key.c.clinic_id == clinic_row.id,
            db.unique_key.c.key == username,
        )
    ).first():
        raise ValidationError(
            "username", "duplicate", f"clinic {clinic_code} has a user {username!r} already"
        )
    user_id = uuid7()
    now = utc_now()
    row = {
        "id": user_id,
        "clinic_id": clinic_row.id,
        "created_at": now,
        "updated_at": now,
        "created_by": None,
        "updated_by": None,
        "deleted_at": None,
        "username": username,
        "display_name": username,
        "role": role,
        "password_hash": hash_password(password),
        "active": 1,
    }
    version = next_version(conn, clinic_scope(clinic_row.id))
    (records or county_records()).write(conn, "user", user_id, clinic_row.id, version, row, None)
    return user_id


def make_enroll_code(conn: Connection, clinic_code: str, hours: int = access.ENROLL_CODE_HOURS) -> str:
    clinic_row = clinic_by_code(conn, clinic_code)
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone
    raw = "".join(secrets.choice(alphabet) for _ in range(16))
    code = "-".join(raw[i : i + 4] for i in range(0, 16, 4))
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)
    conn.execute(
        db.enrollment_code.insert().values(
            id=uuid7(),
            code_hash=token_hash(code),
            clinic_id=clinic_row.id,
            created_at=utc_now(),
            expires_at=stamp(expires),
        )
    )
    return code


def list_devices(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(
        sa.select(
            db.device.c.id,
            db.device.c.name,
            db.clinic.c.code,
            db.device.c.created_at,
            db.device.c.last_seen_at,
            db.device.c.revoked_at,
            db.device.c.app_version,
        )
        .select_from(db.device.outerjoin(db.clinic, db.clinic.c.id == db.device.c.clinic_id))
        .order_by(db.device.c.created_at)
    ).all()
    return [dict(r._mapping) for r in rows]


def revoke_device(conn: Connection, device_id: str) -> None:
    result = conn.execute(
        sa.update(db.device)
        .where(db.device.c.id == device_id, db.device.c.revoked_at.is_(None))
        .values(revoked_at=utc_now())
    )
    if result.rowcount == 0:
        raise ValidationError("device", "unknown", f"no active device {device_id}")
