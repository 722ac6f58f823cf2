"""What the county server does, independent of HTTP: enrollment, tokens, push, pull, admin tasks.

Every function takes an open SQLAlchemy connection inside a transaction (the caller's ``engine.begin()``)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from clinic_app.errors import ValidationError
from clinic_app.ids import reference_id, uuid7
from clinic_app.residents import check_resident_fields, resident_input
from clinic_app.users import hash_password, validate_password, validate_role, validate_username
from sync.protocol import (
    APPEND_ONLY_TABLES,
    CLINIC_TABLES,
    CONFLICT_RESOLUTION_FIELDS,
    REFERENCE_TABLES,
    SERVER_MADE_TABLES,
    Mutation,
    MutationResult,
    parse_version,
)
from sync.server import contract, db
from sync.server.db import utc_now

ENROLL_CODE_HOURS = 72
THROTTLE_WINDOW_SECONDS = 300
THROTTLE_MAX_FAILURES = 10
COUNTY_SCOPE = "county"
# Columns the server owns or that describe the change rather than the data: never a conflict.
META_FIELDS = frozenset({"updated_at", "updated_by", "row_version"})


class ServiceError(Exception):
    """An expected failure with an HTTP status, a machine code and a message for people."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Caller:
    device_id: str
    clinic_id: str | None  # None for a county token
    role: str  # "device" or a county role
    username: str | None = None  # a county account's name

    @property
    def scope(self) -> str:
        return f"clinic:{self.clinic_id}"


# -- set-up -----------------------------------------------------------------------------------------
def migrate(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade the county database (Alembic, run in-process; the scripts ship in sync/server/alembic)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).with_name("alembic")))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
    with engine.begin() as conn:
        if (
            conn.execute(sa.select(db.server_meta.c.value).where(db.server_meta.c.key == "epoch")).first()
            is None
        ):
            conn.execute(db.server_meta.insert().values(key="epoch", value=secrets.token_hex(8)))
            conn.execute(db.server_meta.insert().values(key="created_at", value=utc_now()))
        _ensure_counter(conn, COUNTY_SCOPE)


def epoch(conn: Connection) -> str:
    return str(
        conn.execute(sa.select(db.server_meta.c.value).where(db.server_meta.c.key == "epoch")).scalar_one()
    )


def _ensure_counter(conn: Connection, scope: str) -> None:
    if (
        conn.execute(sa.select(db.scope_counter.c.value).where(db.scope_counter.c.scope == scope)).first()
        is None
    ):
        conn.execute(db.scope_counter.insert().values(scope=scope, value=0))


def next_version(conn: Connection, scope: str) -> int:
    """The next number of a scope. The UPDATE locks the counter row until the transaction ends, so
    transactions of one scope get their numbers in the order they commit."""
    result = conn.execute(
        sa.update(db.scope_counter)
        .where(db.scope_counter.c.scope == scope)
        .values(value=db.scope_counter.c.value + 1)
        .returning(db.scope_counter.c.value)
    ).first()
    if result is None:
        raise ServiceError(500, "no_scope", f"scope {scope} has no counter")
    return int(result[0])


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# -- admin ------------------------------------------------------------------------------------------
def add_clinic(conn: Connection, code: str, name: str) -> str:
    code = code.strip()
    if not code or len(code) > 32 or not code.replace("-", "").isalnum():
        raise ValidationError("code", "format", "a clinic code has 1-32 letters, digits or dashes")
    if not name.strip():
        raise ValidationError("name", "required", "the clinic name is required")
    if conn.execute(sa.select(db.clinic.c.id).where(db.clinic.c.code == code)).first():
        raise ValidationError("code", "duplicate", f"clinic {code} exists already")
    clinic_id = uuid7()
    conn.execute(db.clinic.insert().values(id=clinic_id, code=code, name=name.strip(), created_at=utc_now()))
    _ensure_counter(conn, f"clinic:{clinic_id}")
    version = next_version(conn, f"clinic:{clinic_id}")
    now = utc_now()
    row = {"id": clinic_id, "clinic_id": clinic_id, "code": code, "name": name.strip(), "created_at": now,
           "updated_at": now, "created_by": None, "updated_by": None, "deleted_at": None}  # fmt: skip
    _write_record(conn, "clinic", clinic_id, clinic_id, version, row, None)
    return clinic_id


def clinic_by_code(conn: Connection, code: str) -> Any:
    row = conn.execute(sa.select(db.clinic).where(db.clinic.c.code == code)).first()
    if row is None:
        raise ValidationError("clinic", "unknown", f"no clinic with code {code}")
    return row


def add_user(conn: Connection, username: str, role: str, password: str, clinic_code: str | None) -> str:
    """County roles are server accounts; clinic roles become a synced ``user`` row of the clinic, so the
    person signs in on every device of that clinic with this password."""
    validate_username(username)
    validate_password(password)
    if role in db.ROLES_COUNTY:
        if clinic_code:
            raise ValidationError(
                "clinic", "not_for_county_roles", f"{role} works for the county, not a clinic"
            )
        if conn.execute(sa.select(db.county_user.c.id).where(db.county_user.c.username == username)).first():
            raise ValidationError(
                "username", "duplicate", f"a county user called {username!r} exists already"
            )
        user_id = uuid7()
        conn.execute(db.county_user.insert().values(id=user_id, username=username, role=role,
                                                    password_hash=hash_password(password), created_at=utc_now()))  # fmt: skip
        return user_id
    validate_role(role)
    if not clinic_code:
        raise ValidationError("clinic", "required", f"a {role} belongs to a clinic: give --clinic CODE")
    clinic_row = clinic_by_code(conn, clinic_code)
    if conn.execute(sa.select(db.unique_key.c.row_id).where(
            db.unique_key.c.table_name == "user", db.unique_key.c.clinic_id == clinic_row.id,
            db.unique_key.c.key == username)).first():  # fmt: skip
        raise ValidationError(
            "username", "duplicate", f"clinic {clinic_code} has a user {username!r} already"
        )
    user_id = uuid7()
    now = utc_now()
    row = {"id": user_id, "clinic_id": clinic_row.id, "created_at": now, "updated_at": now, "created_by": None,
           "updated_by": None, "deleted_at": None, "username": username, "display_name": username, "role": role,
           "password_hash": hash_password(password), "active": 1}  # fmt: skip
    version = next_version(conn, f"clinic:{clinic_row.id}")
    _write_record(conn, "user", user_id, clinic_row.id, version, row, None)
    return user_id


def make_enroll_code(conn: Connection, clinic_code: str, hours: int = ENROLL_CODE_HOURS) -> str:
    clinic_row = clinic_by_code(conn, clinic_code)
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone
    raw = "".join(secrets.choice(alphabet) for _ in range(16))
    code = "-".join(raw[i : i + 4] for i in range(0, 16, 4))
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)
    conn.execute(db.enrollment_code.insert().values(
        id=uuid7(), code_hash=_hash(code), clinic_id=clinic_row.id, created_at=utc_now(),
        expires_at=_stamp(expires)))  # fmt: skip
    return code


def list_devices(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(
        sa.select(db.device.c.id, db.device.c.name, db.clinic.c.code, db.device.c.created_at,
                  db.device.c.last_seen_at, db.device.c.revoked_at, db.device.c.app_version)
        .select_from(db.device.outerjoin(db.clinic, db.clinic.c.id == db.device.c.clinic_id))
        .order_by(db.device.c.created_at)
    ).all()  # fmt: skip
    return [dict(r._mapping) for r in rows]


def revoke_device(conn: Connection, device_id: str) -> None:
    result = conn.execute(
        sa.update(db.device).where(db.device.c.id == device_id, db.device.c.revoked_at.is_(None))
        .values(revoked_at=utc_now())
    )  # fmt: skip
    if result.rowcount == 0:
        raise ValidationError("device", "unknown", f"no active device {device_id}")


# -- throttling ----------------------------------------------------------------------------------------
def _stamp(moment: dt.datetime) -> str:
    """As db.utc_now writes times (milliseconds, Z): stored times compare correctly as text."""
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _since(seconds: int) -> str:
    return _stamp(dt.datetime.now(dt.UTC) - dt.timedelta(seconds=seconds))


def check_throttle(conn: Connection, key: str) -> None:
    failures = conn.execute(
        sa.select(sa.func.count()).select_from(db.auth_failure)
        .where(db.auth_failure.c.key == key, db.auth_failure.c.at > _since(THROTTLE_WINDOW_SECONDS))
    ).scalar_one()  # fmt: skip
    if failures >= THROTTLE_MAX_FAILURES:
        raise ServiceError(429, "throttled", "too many failed attempts; wait a few minutes and try again")


def record_failure(engine: Engine, key: str) -> None:
    """In its own transaction, so that the failure counts even though the request fails."""
    with engine.begin() as conn:
        conn.execute(db.auth_failure.insert().values(key=key, at=utc_now()))


# -- enrollment and tokens ---------------------------------------------------------------------------
def _printable(field: str, text: str) -> str:
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise ServiceError(422, "invalid_request", f"{field}: control characters are not allowed")
    return text


def enroll(
    conn: Connection, code: str, device_name: str, app_version: str, has_local_data: bool = False
) -> dict[str, str]:
    _printable("device_name", device_name)
    try:
        parse_version(app_version)
    except ValueError:
        raise ServiceError(422, "invalid_request", "app_version: a version like 1.2.3") from None
    row = conn.execute(
        sa.select(db.enrollment_code).where(db.enrollment_code.c.code_hash == _hash(code.strip().upper()))
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
    if has_local_data and conn.execute(sa.select(db.record.c.row_id).where(
            db.record.c.scope == f"clinic:{row.clinic_id}", db.record.c.table_name != "clinic").limit(1)).first():  # fmt: skip
        # Two registers of one clinic would clash (two "admin" accounts, the same people twice): a further
        # device starts empty and receives everything. The code stays usable for that.
        raise ServiceError(409, "clinic_has_data", "this clinic has records on the county server already: set "
                           "this computer up with a new, empty database and enroll that; it receives everything")  # fmt: skip
    token = secrets.token_urlsafe(32)
    device_id = uuid7()
    now = utc_now()
    conn.execute(db.device.insert().values(id=device_id, clinic_id=row.clinic_id, name=device_name.strip(),
                                           token_hash=_hash(token), app_version=app_version, created_at=now))  # fmt: skip
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
    return {
        "device_id": device_id,
        "clinic_id": clinic_row.id,
        "clinic_code": clinic_row.code,
        "clinic_name": clinic_row.name,
        "token": token,
    }


def county_login(conn: Connection, username: str, password: str, device_name: str) -> dict[str, str]:
    from clinic_app.users import _dummy_hash, verify_password

    row = conn.execute(sa.select(db.county_user).where(db.county_user.c.username == username)).first()
    if row is None:  # the same scrypt work as a real check: user names cannot be probed by timing
        verify_password(password, _dummy_hash())
        raise ServiceError(401, "bad_credentials", "wrong user name or password")
    if not verify_password(password, row.password_hash):
        raise ServiceError(401, "bad_credentials", "wrong user name or password")
    token = secrets.token_urlsafe(32)
    device_id = uuid7()
    conn.execute(db.device.insert().values(id=device_id, county_user_id=row.id, name=device_name,
                                           token_hash=_hash(token), created_at=utc_now()))  # fmt: skip
    return {"device_id": device_id, "role": row.role, "token": token}


def caller_for_token(conn: Connection, token: str) -> Caller:
    row = conn.execute(
        sa.select(db.device, db.county_user.c.role, db.county_user.c.username)
        .select_from(db.device.outerjoin(db.county_user, db.county_user.c.id == db.device.c.county_user_id))
        .where(db.device.c.token_hash == _hash(token))
    ).first()  # fmt: skip
    # the lookup is by hash; compare again in constant time so that timing says nothing about near misses
    if row is None or not hmac.compare_digest(row.token_hash, _hash(token)):
        raise ServiceError(
            401, "bad_token", "this device is not enrolled (or its token is wrong): enroll it again"
        )
    if row.revoked_at is not None:
        raise ServiceError(401, "revoked", "this device was revoked by the county: enroll it again")
    if row.last_seen_at is None or row.last_seen_at < _since(60):  # a write a minute, not one a request
        conn.execute(sa.update(db.device).where(db.device.c.id == row.id).values(last_seen_at=utc_now()))
    return Caller(device_id=row.id, clinic_id=row.clinic_id, role=row.role or "device", username=row.username)


# -- push ------------------------------------------------------------------------------------------------
def _load(conn: Connection, table: str, row_id: str) -> Any:
    return conn.execute(
        sa.select(db.record).where(db.record.c.table_name == table, db.record.c.row_id == row_id)
    ).first()


def _write_record(
    conn: Connection, table: str, row_id: str, clinic_id: str | None, version: int, data: dict[str, Any],
    current: Any, changed: set[str] | None = None, batch: _Batch | None = None,
) -> None:  # fmt: skip
    scope = f"clinic:{clinic_id}" if clinic_id else COUNTY_SCOPE
    versions: dict[str, int] = json.loads(current.field_versions) if current is not None else {}
    for name in changed if changed is not None else data:
        versions[name] = version
    values = {"scope": scope, "clinic_id": clinic_id, "version": version, "deleted_at": data.get("deleted_at"),
              "data": json.dumps(data, ensure_ascii=False, sort_keys=True),
              "field_versions": json.dumps(versions, sort_keys=True), "updated_at": utc_now()}  # fmt: skip
    if current is None and batch is not None and table != "resident":
        batch.pending[(table, row_id)] = {
            "table_name": table,
            "row_id": row_id,
            **values,
        }  # one INSERT at the end
    elif current is None:
        conn.execute(db.record.insert().values(table_name=table, row_id=row_id, **values))
    else:
        conn.execute(
            sa.update(db.record)
            .where(db.record.c.table_name == table, db.record.c.row_id == row_id)
            .values(**values)
        )
    if table == "resident":
        _index_resident(conn, clinic_id, row_id, data, current)
    elif table in contract.UNIQUE:
        _index_unique(conn, table, clinic_id, row_id, data, current)


def _index_resident(
    conn: Connection, clinic_id: str | None, row_id: str, data: dict[str, Any], current: Any
) -> None:
    old = json.loads(current.data).get("id_number") if current is not None else None
    new = data.get("id_number") if not data.get("deleted_at") else None
    if old and old != new:
        conn.execute(sa.delete(db.resident_key).where(db.resident_key.c.clinic_id == clinic_id,
                                                      db.resident_key.c.id_number == old,
                                                      db.resident_key.c.row_id == row_id))  # fmt: skip
    if new and new != old:
        conn.execute(db.resident_key.insert().values(clinic_id=clinic_id, id_number=new, row_id=row_id))


def _index_unique(
    conn: Connection, table: str, clinic_id: str | None, row_id: str, data: dict[str, Any], current: Any
) -> None:
    old = contract.unique_value(table, json.loads(current.data)) if current is not None else None
    new = contract.unique_value(table, data)
    if old is not None and old != new:
        conn.execute(sa.delete(db.unique_key).where(
            db.unique_key.c.table_name == table, db.unique_key.c.clinic_id == clinic_id,
            db.unique_key.c.key == old, db.unique_key.c.row_id == row_id))  # fmt: skip
    if new is not None and new != old:
        conn.execute(
            db.unique_key.insert().values(table_name=table, clinic_id=clinic_id, key=new, row_id=row_id)
        )


def _unique_taken(
    conn: Connection, table: str, clinic_id: str, row_id: str, data: dict[str, Any]
) -> list[ValidationError]:
    """The device's unique indexes (village name, household code, user name; resident ID number): a value another
    row of the clinic holds is refused, or every device of the clinic would fail to store this row."""
    if table == "resident":
        return _id_number_taken(conn, clinic_id, row_id, data)
    value = contract.unique_value(table, data)
    if value is None:
        return []
    holder = conn.execute(sa.select(db.unique_key.c.row_id).where(
        db.unique_key.c.table_name == table, db.unique_key.c.clinic_id == clinic_id,
        db.unique_key.c.key == value)).first()  # fmt: skip
    if holder is None or holder[0] == row_id:
        return []
    name = contract.UNIQUE[table][0]
    return [
        ValidationError(
            name, "duplicate", f"{value!r} is taken already in this clinic, by {table} {holder[0]}"
        )
    ]


def _server_row(rec: Any) -> dict[str, Any]:
    data = json.loads(rec.data)
    data["row_version"] = int(rec.version)
    return dict(data)


def _validate(table: str, data: dict[str, Any]) -> list[ValidationError]:
    """The row as it will be stored: the device schema's columns (contract) and the same field rules as the
    device (clinic_app)."""
    problems = contract.check_required(table, data)
    if table == "resident":
        clean_row, errors = check_resident_fields(resident_input(data))
        if not errors and data.get("id_number") != clean_row.get("id_number"):
            errors.append(
                ValidationError("id_number", "not_normalized", "send the ID number as the device stores it")
            )
        return errors + [p for p in problems if p.field not in {e.field for e in errors}]
    if table == "user":
        if data.get("role") and data["role"] not in db.ROLES_CLINIC:
            problems.append(ValidationError("role", "unknown_role", f"{data['role']!r} is not a clinic role"))
        if data.get("password_hash") and not str(data["password_hash"]).startswith("scrypt$"):
            problems.append(ValidationError("password_hash", "format", "only scrypt hashes are accepted"))
    return problems


def _refused(m: Mutation, errors: list[ValidationError]) -> MutationResult:
    return _rejected(m, errors[0].rule, "; ".join(str(e) for e in errors))


def _check_references(
    conn: Connection, batch: _Batch, clinic_id: str, table: str, data: dict[str, Any], names: set[str] | None
) -> list[ValidationError]:
    """Every id a row names (village_id, household_id) is a row of the same clinic, already on the server or
    earlier in this push: the device's foreign keys would refuse the row otherwise."""
    problems = []
    for name, target in contract.references(table).items():
        value = data.get(name)
        if value is None or (names is not None and name not in names):
            continue
        if (target, value) not in batch.known:
            found = conn.execute(sa.select(db.record.c.row_id).where(
                db.record.c.table_name == target, db.record.c.row_id == value,
                db.record.c.clinic_id == clinic_id)).first()  # fmt: skip
            if found is None:
                problems.append(ValidationError(name, "unknown_reference",
                                                f"no {target} {value} in this clinic: push it first"))  # fmt: skip
                continue
            batch.known.add((target, value))
    return problems


def _id_number_taken(
    conn: Connection, clinic_id: str, row_id: str, data: dict[str, Any]
) -> list[ValidationError]:
    """One resident per ID number in a clinic: an edit may not give a resident another resident's number."""
    number = data.get("id_number")
    if not number or data.get("deleted_at"):
        return []
    holder = conn.execute(sa.select(db.resident_key.c.row_id).where(
        db.resident_key.c.clinic_id == clinic_id, db.resident_key.c.id_number == number)).first()  # fmt: skip
    if holder is None or holder[0] == row_id:
        return []
    return [ValidationError("id_number", "duplicate",
                            f"this ID number is registered already, to resident {holder[0]}")]  # fmt: skip


def _rejected(m: Mutation, code: str, message: str) -> MutationResult:
    return MutationResult(mutation_id=m.mutation_id, status="rejected", code=code, message=message)


@dataclass
class _Batch:
    """One push: the clinic's counter is locked and read once, versions are taken from it in memory and the
    counter is written back before commit; a few queries for the whole batch instead of several a row."""

    counter: int
    start: int
    aliases: dict[tuple[str, str], str]
    records: dict[tuple[str, str], Any]  # read ahead for the batch; an entry is used once, then read afresh
    pending: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # new rows not yet inserted
    known: set[tuple[str, str]] = field(default_factory=set)  # rows of the clinic that references may name

    def current(self, conn: Connection, table: str, row_id: str) -> Any:
        key = (table, row_id)
        if key in self.pending:
            self.flush(conn)
        return self.records.pop(key) if key in self.records else _load(conn, table, row_id)

    def flush(self, conn: Connection) -> None:
        if self.pending:
            conn.execute(db.record.insert(), list(self.pending.values()))
            self.pending.clear()

    def take(self) -> int:
        self.counter += 1
        return self.counter


def _readable(m: Mutation) -> bool:
    """Ids fit to go into a query (PostgreSQL refuses a NUL character in text, for one)."""
    return contract.check_id("mutation_id", m.mutation_id) is None


def _addressable(m: Mutation) -> bool:
    return m.table in CLINIC_TABLES and contract.check_id("row_id", m.row_id) is None


def lock_scope(conn: Connection, scope: str) -> int:
    """Lock a scope's counter until commit and read it: versions handed out under the lock are in commit order."""
    return int(conn.execute(
        sa.update(db.scope_counter).where(db.scope_counter.c.scope == scope)
        .values(value=db.scope_counter.c.value).returning(db.scope_counter.c.value)
    ).scalar_one())  # fmt: skip


def push(conn: Connection, caller: Caller, mutations: list[Mutation]) -> list[MutationResult]:
    if caller.clinic_id is None:
        raise ServiceError(403, "not_a_clinic_device", "only a clinic's device pushes changes")
    # Lock the clinic's counter before reading anything: edits are then decided on the rows as the last
    # committed push left them (no lost update), and versions are handed out in commit order.
    current = lock_scope(conn, caller.scope)
    ids = [m.mutation_id for m in mutations if _readable(m)]
    stored = {
        r.mutation_id: r
        for r in conn.execute(sa.select(db.mutation).where(db.mutation.c.mutation_id.in_(ids)))
    }
    addressed = [m for m in mutations if _readable(m) and _addressable(m)]
    named_ids = {v for m in addressed for column in contract.aliased_columns(m.table)
                 if isinstance(v := m.fields.get(column), str)}  # fmt: skip
    aliases = {
        (r.table_name, r.alias_id): r.row_id
        for r in conn.execute(
            sa.select(db.row_alias).where(
                db.row_alias.c.alias_id.in_([m.row_id for m in addressed] + sorted(named_ids))
            )
        )
    }
    wanted = {(m.table, aliases.get((m.table, m.row_id), m.row_id)) for m in addressed}
    records: dict[tuple[str, str], Any] = {
        (r.table_name, r.row_id): r
        for r in conn.execute(sa.select(db.record).where(sa.tuple_(db.record.c.table_name, db.record.c.row_id).in_(wanted)))
    } if wanted else {}  # fmt: skip
    records.update({key: None for key in wanted if key not in records})
    batch = _Batch(counter=int(current), start=int(current), aliases=aliases, records=records)
    named = {
        (target, value)
        for m in addressed
        for name, target in contract.references(m.table).items()
        if contract.check_id(name, value := m.fields.get(name)) is None
    }
    if named:  # the rows this push refers to, read ahead in one query
        batch.known.update((r.table_name, r.row_id) for r in conn.execute(
            sa.select(db.record.c.table_name, db.record.c.row_id).where(
                db.record.c.clinic_id == caller.clinic_id,
                sa.tuple_(db.record.c.table_name, db.record.c.row_id).in_(named))))  # fmt: skip
    results: list[MutationResult] = []
    fresh: dict[str, MutationResult] = {}
    for m in mutations:
        if not _readable(m):  # not stored: an id that cannot be stored cannot be replayed either
            results.append(_refused(m, [contract.check_id("mutation_id", m.mutation_id)]))  # type: ignore[list-item]
            continue
        earlier = stored.get(m.mutation_id)
        if earlier is not None and earlier.clinic_id != caller.clinic_id:
            results.append(_rejected(m, "mutation_id_reused", "this mutation id belongs to another clinic"))
            continue
        if earlier is not None or m.mutation_id in fresh:
            replay = fresh.get(m.mutation_id) or MutationResult.model_validate_json(earlier.result)  # type: ignore[union-attr]
            results.append(replay.model_copy(update={"status": "duplicate"}))
            continue
        result = _apply(conn, caller, m, batch)
        if m.table == "contract" and result.status == "applied":  # the county-wide one-team rule
            from sync.server import contracts

            if (judged := contracts.judge(conn, batch, caller.clinic_id, m.row_id, m.user_id)) is not None:
                result = result.model_copy(update=judged)
        fresh[m.mutation_id] = result
        results.append(result)
    batch.flush(conn)
    if fresh:
        now = utc_now()
        conn.execute(db.mutation.insert(), [
            {"mutation_id": k, "clinic_id": caller.clinic_id, "result": r.model_dump_json(), "created_at": now}
            for k, r in fresh.items()])  # fmt: skip
    if batch.counter != batch.start:
        conn.execute(sa.update(db.scope_counter).where(db.scope_counter.c.scope == caller.scope)
                     .values(value=batch.counter))  # fmt: skip
    return results


def _apply(conn: Connection, caller: Caller, m: Mutation, batch: _Batch) -> MutationResult:
    clinic_id = caller.clinic_id
    assert clinic_id is not None
    if m.table in REFERENCE_TABLES:
        return _rejected(m, "read_only", f"{m.table} is county reference data; devices cannot change it")
    if m.table not in CLINIC_TABLES:
        return _rejected(m, "unknown_table", f"no synced table called {m.table!r}")
    if (bad_id := contract.check_id("row_id", m.row_id)) is not None:
        return _refused(m, [bad_id])
    if m.user_id is not None and (bad_id := contract.check_id("user_id", m.user_id)) is not None:
        return _refused(m, [bad_id])
    dropped = contract.SERVER_COLUMNS | contract.DERIVED.get(m.table, frozenset())
    fields = {k: v for k, v in m.fields.items() if k not in dropped}
    for column, target in contract.aliased_columns(m.table).items():  # a merged row is named by the one kept
        named = fields.get(column)
        if isinstance(named, str) and (kept := batch.aliases.get((target, named))) is not None:
            fields[column] = kept
    for stamp in (
        "created_at",
        "updated_at",
    ):  # audit only: a null one is the server's time (new rows) or kept
        if stamp in fields and fields[stamp] is None:
            del fields[stamp]
    if fields.get("clinic_id", clinic_id) != clinic_id:
        return _rejected(m, "wrong_clinic", "a device writes only its own clinic's rows")
    if fields.get("id", m.row_id) != m.row_id:
        return _rejected(m, "id_mismatch", "fields.id differs from row_id")
    if problems := contract.check_fields(m.table, fields):
        return _refused(m, problems)
    row_id = batch.aliases.get((m.table, m.row_id), m.row_id)
    current = batch.current(conn, m.table, row_id)
    if current is not None and current.clinic_id != clinic_id:
        return _rejected(m, "wrong_clinic", "a device writes only its own clinic's rows")

    if m.table in SERVER_MADE_TABLES:
        return _resolve_from_device(conn, batch, clinic_id, m, fields, current)

    if m.op == "delete":  # a delete beats an edit: applied whatever the base version
        if current is None:
            return _rejected(m, "not_found", f"{m.table} {m.row_id} was never synced")
        if m.table in APPEND_ONLY_TABLES:
            return _rejected(m, "append_only", f"{m.table} rows are never deleted; add a correcting row")
        version = batch.take()
        data = json.loads(current.data)
        data["deleted_at"] = fields.get("deleted_at") or utc_now()
        _write_record(conn, m.table, row_id, clinic_id, version, data, current, {"deleted_at"})
        return MutationResult(
            mutation_id=m.mutation_id, status="applied", version=version, row_id=_moved(row_id, m)
        )

    if m.table in APPEND_ONLY_TABLES:
        if current is not None:  # the same event sent again under a new mutation id: nothing changes
            return MutationResult(mutation_id=m.mutation_id, status="applied", version=int(current.version))
        return _create(conn, batch, m, clinic_id, fields)

    if current is None and m.table == "resident" and fields.get("id_number"):
        holder = conn.execute(sa.select(db.resident_key.c.row_id).where(
            db.resident_key.c.clinic_id == clinic_id, db.resident_key.c.id_number == fields["id_number"])).first()  # fmt: skip
        if holder is not None:  # two devices registered the same person: merge into the first
            conn.execute(
                db.row_alias.insert().values(table_name="resident", alias_id=m.row_id, row_id=holder[0])
            )
            batch.aliases[("resident", m.row_id)] = holder[0]  # later writes in this push are redirected too
            current = _load(conn, "resident", holder[0])
            row_id = holder[0]
            fields = {k: v for k, v in fields.items() if k not in ("id", "created_at", "created_by")}
            m = m.model_copy(update={"base_version": int(current.version)})

    if current is None:
        return _create(conn, batch, m, clinic_id, fields)

    server_data = json.loads(current.data)
    if current.deleted_at:
        return _conflict(conn, batch, clinic_id, m, row_id, current, "deleted",
                         "the row was deleted on the server; a delete wins over an edit")  # fmt: skip
    changed = {k for k, v in fields.items() if server_data.get(k) != v}
    if m.base_version < int(current.version):
        versions: dict[str, int] = json.loads(current.field_versions)
        overlap = sorted(k for k in changed - META_FIELDS if versions.get(k, 0) > m.base_version)
        if overlap:
            return _conflict(conn, batch, clinic_id, m, row_id, current, "edited_elsewhere",
                             f"changed on the server since your copy: {', '.join(overlap)}")  # fmt: skip
    if not changed - META_FIELDS:  # a moved row comes with the row it was merged into: the device swaps them
        return MutationResult(mutation_id=m.mutation_id, status="applied", version=int(current.version),
                              row_id=_moved(row_id, m), server_row=_server_row(current) if _moved(row_id, m) else None)  # fmt: skip
    data = {**server_data, **{k: fields[k] for k in changed}}
    errors = _validate(m.table, data) + _check_references(conn, batch, clinic_id, m.table, data, changed)
    if not errors and changed & {"id_number", "deleted_at", contract.UNIQUE.get(m.table, ("",))[0]}:
        errors = _unique_taken(conn, m.table, clinic_id, row_id, data)
    if errors:
        return _refused(m, errors)
    version = batch.take()
    _write_record(conn, m.table, row_id, clinic_id, version, data, current, changed)
    merged = m.base_version < int(current.version) or _moved(row_id, m) is not None
    return MutationResult(mutation_id=m.mutation_id, status="applied", version=version, row_id=_moved(row_id, m),
                          server_row=_server_row(_load(conn, m.table, row_id)) if merged else None)  # fmt: skip


def _conflict(
    conn: Connection, batch: _Batch, clinic_id: str, m: Mutation, row_id: str, current: Any, kind: str, message: str
) -> MutationResult:  # fmt: skip
    """An edit a person must decide: answered to the device, and kept as a conflict row of the clinic that every
    device pulls and the county lists (``conflicts list``), until someone resolves it."""
    server_row = _server_row(current)
    conflict_id = uuid7()
    now = utc_now()
    local_row = json.dumps(m.fields, ensure_ascii=False, sort_keys=True)
    data = {"id": conflict_id, "clinic_id": clinic_id, "created_at": now, "updated_at": now, "created_by": m.user_id,
            "updated_by": m.user_id, "deleted_at": None, "table_name": m.table, "row_id": row_id, "kind": kind,
            "message": message, "local_row": local_row,
            "server_row": json.dumps(server_row, ensure_ascii=False, sort_keys=True),
            "resolved_at": None, "resolution": None}  # fmt: skip
    _write_record(conn, "conflict", conflict_id, clinic_id, batch.take(), data, None, batch=batch)
    conn.execute(db.conflict.insert().values(
        id=conflict_id, clinic_id=clinic_id, table_name=m.table, row_id=row_id, kind=kind, created_at=now,
        detail=json.dumps({"message": message, "mutation_id": m.mutation_id, "fields": m.fields,
                           "base_version": m.base_version}, ensure_ascii=False, sort_keys=True)))  # fmt: skip
    return MutationResult(mutation_id=m.mutation_id, status="conflict", code=kind, row_id=_moved(row_id, m),
                          message=message, server_row=server_row, conflict_id=conflict_id)  # fmt: skip


def _resolve_from_device(
    conn: Connection, batch: _Batch, clinic_id: str, m: Mutation, fields: dict[str, Any], current: Any
) -> MutationResult:  # fmt: skip
    """A device writes only the resolution of a conflict the server made; the first decision stands."""
    if current is None:
        return _rejected(
            m, "server_only", f"{m.table} rows are made by the server; a device only resolves them"
        )
    if m.op == "delete":
        return _rejected(m, "server_only", f"{m.table} rows are never deleted; resolve them instead")
    server_data = json.loads(current.data)
    changed = {k for k, v in fields.items() if server_data.get(k) != v}
    if fixed := sorted(changed - CONFLICT_RESOLUTION_FIELDS):
        return _rejected(
            m, "read_only_field", f"a device may only resolve a conflict; it sent {', '.join(fixed)}"
        )
    if server_data.get("kind") == "contract_elsewhere" and changed - META_FIELDS:
        return _rejected(
            m, "county_decides", "a contract signed at two clinics is decided by a county reviewer"
        )
    if server_data.get("resolved_at"):
        return MutationResult(mutation_id=m.mutation_id, status="conflict", code="resolved_elsewhere",
                              message=f"already resolved: {server_data.get('resolution') or ''}".strip(),
                              server_row=_server_row(current))  # fmt: skip
    if not changed - META_FIELDS:
        return MutationResult(mutation_id=m.mutation_id, status="applied", version=int(current.version))
    if not fields.get("resolved_at"):
        return _refused(
            m, [ValidationError("resolved_at", "required", "a resolution says when it was decided")]
        )
    data = {**server_data, **{k: fields[k] for k in changed}}
    version = batch.take()
    _write_record(conn, m.table, m.row_id, clinic_id, version, data, current, changed)
    conn.execute(sa.update(db.conflict).where(db.conflict.c.id == m.row_id)
                 .values(resolved_at=data["resolved_at"], resolution=data.get("resolution") or "resolved on a device"))  # fmt: skip
    return MutationResult(mutation_id=m.mutation_id, status="applied", version=version)


def _create(
    conn: Connection, batch: _Batch, m: Mutation, clinic_id: str, fields: dict[str, Any]
) -> MutationResult:
    data = _new_row(fields, m, clinic_id)
    errors = _validate(m.table, data) + _check_references(conn, batch, clinic_id, m.table, data, None)
    if not errors and m.table in contract.UNIQUE:
        errors = _unique_taken(conn, m.table, clinic_id, m.row_id, data)
    if errors:
        return _refused(m, errors)
    version = batch.take()
    _write_record(conn, m.table, m.row_id, clinic_id, version, data, None, batch=batch)
    batch.known.add((m.table, m.row_id))
    return MutationResult(mutation_id=m.mutation_id, status="applied", version=version)


def _new_row(fields: dict[str, Any], m: Mutation, clinic_id: str) -> dict[str, Any]:
    """A new row as stored: the common columns of DESIGN §3 are always there (a client that left one out gets
    the server's time and its own user)."""
    now = utc_now()
    data = {"created_at": now, "updated_at": now, "created_by": m.user_id, "updated_by": m.user_id,
            "deleted_at": None, **fields, "id": m.row_id, "clinic_id": clinic_id}  # fmt: skip
    return data


def _moved(row_id: str, m: Mutation) -> str | None:
    return row_id if row_id != m.row_id else None


# -- pull ------------------------------------------------------------------------------------------------
def encode_cursor(epoch_value: str, clinic_seq: int, county_seq: int) -> str:
    raw = json.dumps({"e": epoch_value, "c": clinic_seq, "r": county_seq}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, epoch_value: str) -> tuple[int, int]:
    if not cursor:
        return 0, 0
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        e, c, r = raw["e"], int(raw["c"]), int(raw["r"])
    except Exception:
        raise ServiceError(400, "bad_cursor", "the cursor is not one this server gave out") from None
    if e != epoch_value:
        raise ServiceError(
            409, "epoch_changed", "the server was reset or restored: start again from an empty cursor"
        )
    if c < 0 or r < 0:
        raise ServiceError(400, "bad_cursor", "the cursor is not one this server gave out")
    return c, r


def _scope_changes(conn: Connection, scope: str, after: int, limit: int) -> list[Any]:
    return list(conn.execute(
        sa.select(db.record).where(db.record.c.scope == scope, db.record.c.version > after)
        .order_by(db.record.c.version).limit(limit + 1)
    ).all())  # fmt: skip


def pull(conn: Connection, caller: Caller, cursor: str | None, limit: int) -> dict[str, Any]:
    if caller.clinic_id is None:
        raise ServiceError(403, "not_a_clinic_device", "pull serves a clinic's devices")
    epoch_value = epoch(conn)
    clinic_seq, county_seq = decode_cursor(cursor, epoch_value)
    county = _scope_changes(conn, COUNTY_SCOPE, county_seq, limit)
    county_more = len(county) > limit
    county = county[:limit]
    room = limit - len(county)
    clinic = _scope_changes(conn, caller.scope, clinic_seq, room) if room else []
    clinic_more = len(clinic) > room or (room == 0)
    clinic = clinic[:room]
    if county:
        county_seq = int(county[-1].version)
    if clinic:
        clinic_seq = int(clinic[-1].version)
    if room == 0:  # the page is full of county data; whether the clinic has more is asked next time
        clinic_more = bool(_scope_changes(conn, caller.scope, clinic_seq, 0))
    return {"changes": [*county, *clinic], "cursor": encode_cursor(epoch_value, clinic_seq, county_seq),
            "has_more": county_more or clinic_more}  # fmt: skip


def changes_json(records: list[Any]) -> str:
    """The ``changes`` array of a pull or snapshot page as JSON text, from the rows as stored: each row's JSON
    goes out as it was written (with its version put in), not parsed and serialised again per request — a new
    device's first sync reads every row of its clinic once."""
    out = []
    for r in records:
        version = int(r.version)
        data = r.data
        row = f'{{"row_version":{version}}}' if data == "{}" else f'{{"row_version":{version},{data[1:]}'
        out.append(f'{{"table":{json.dumps(r.table_name)},"row_id":{json.dumps(r.row_id)},'
                   f'"op":"{"delete" if r.deleted_at else "upsert"}","version":{version},"row":{row}}}')  # fmt: skip
    return "[" + ",".join(out) + "]"


def checksums(conn: Connection, caller: Caller) -> dict[str, dict[str, int]]:
    """Per table of the clinic: how many rows and the sum of their versions. A device holding every row at its
    latest version has the same two numbers; a missing, extra or stale row changes one of them."""
    if caller.clinic_id is None:
        raise ServiceError(403, "not_a_clinic_device", "checksums serve a clinic's devices")
    # a table lives in one scope: the clinic's, or the county's for reference data (packages, policy)
    rows = conn.execute(
        sa.select(db.record.c.table_name, sa.func.count(), sa.func.coalesce(sa.func.sum(db.record.c.version), 0))
        .where(db.record.c.scope.in_([caller.scope, COUNTY_SCOPE])).group_by(db.record.c.table_name)
    ).all()  # fmt: skip
    return {name: {"count": int(n), "version_sum": int(total)} for name, n, total in rows}


def snapshot(conn: Connection, caller: Caller, table: str, after: str | None, limit: int) -> dict[str, Any]:
    """One table of the clinic as the server holds it now, in row id order (keyset pages): what a device
    re-reads when its checksum of that table disagrees."""
    if caller.clinic_id is None:
        raise ServiceError(403, "not_a_clinic_device", "snapshots serve a clinic's devices")
    if table not in CLINIC_TABLES | REFERENCE_TABLES and table != "clinic":
        raise ValidationError("table", "unknown_table", f"no synced table of a clinic called {table!r}")
    scope = COUNTY_SCOPE if table in REFERENCE_TABLES else caller.scope
    query = sa.select(db.record).where(db.record.c.scope == scope, db.record.c.table_name == table)
    if after:
        query = query.where(db.record.c.row_id > after)
    rows = conn.execute(query.order_by(db.record.c.row_id).limit(limit + 1)).all()
    page = rows[:limit]
    return {"changes": page, "after": page[-1].row_id if page else after, "has_more": len(rows) > limit}


# -- county reference data ------------------------------------------------------------------------------
DRUG_FLAGS = (
    "narcotic",
    "psychotropic_1",
    "toxic",
    "radioactive",
    "precursor",
    "antimicrobial",
    "special_storage",
)
DRUG_CODE = re.compile(r"^[XZ][A-Z0-9]{19,22}$")
POLICY_KEY = re.compile(r"^[a-z][a-z0-9_.]{1,99}$")


def _write_reference(conn: Connection, table: str, natural_key: str, data: dict[str, Any]) -> bool:
    row_id = reference_id(table, natural_key)
    current = _load(conn, table, row_id)
    now = utc_now()
    row = {"id": row_id, "clinic_id": None, "created_at": now, "updated_at": now, "created_by": None,
           "updated_by": None, "deleted_at": None, **data}  # fmt: skip
    if current is not None:
        old = json.loads(current.data)
        row["created_at"] = old.get("created_at", now)
        if {k: v for k, v in old.items() if k != "updated_at"} == {
            k: v for k, v in row.items() if k != "updated_at"
        }:
            return False
    changed = {k for k in row if current is None or json.loads(current.data).get(k) != row[k]}
    _write_record(conn, table, row_id, None, next_version(conn, COUNTY_SCOPE), row, current, changed)
    return True


@dataclass
class LoadReport:
    rows: int = 0
    changed: int = 0


def load_catalog(conn: Connection, path: Path) -> LoadReport:
    """Drug catalog CSV: code, name, spec, unit, package_size and the RULES §6 flags (1/0). All rows or none;
    errors name the row and column."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ValidationError("file", "unreadable", f"{path}: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030", errors="strict")
        except UnicodeDecodeError:
            raise ValidationError(
                "file", "encoding", "save the CSV as UTF-8 or GB18030 (Chinese Excel)"
            ) from None
    return load_catalog_text(conn, text)


def load_catalog_text(conn: Connection, text: str) -> LoadReport:
    import csv
    import io

    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        fieldnames = reader.fieldnames or []
        lines = list(reader)
    except csv.Error as exc:
        raise ValidationError("file", "csv", f"not a readable CSV file: {exc}") from None
    needed = {"code", "name", "spec", "unit", "package_size"}
    missing = needed - set(fieldnames)
    if missing:
        raise ValidationError("file", "missing_column", f"the header lacks {', '.join(sorted(missing))}")
    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=2):
        code = (line.get("code") or "").strip().upper()
        if not DRUG_CODE.match(code):
            problems.append(
                f"row {number}, column code: an insurance drug code is X or Z and 20-23 letters/digits"
            )
        elif code in seen:
            problems.append(f"row {number}, column code: same code as row {seen[code]}")
        seen.setdefault(code, number)
        if not (line.get("name") or "").strip():
            problems.append(f"row {number}, column name: required")
        try:
            size = int(line.get("package_size") or "")
            if size <= 0:
                raise ValueError
        except ValueError:
            problems.append(f"row {number}, column package_size: a whole number above 0")
            size = 0
        flags = {}
        for flag in DRUG_FLAGS:
            value = (line.get(flag) or "0").strip()
            if value not in ("0", "1"):
                problems.append(f"row {number}, column {flag}: 0 or 1")
            flags[flag] = value == "1"
        rows.append({"code": code, "name": (line.get("name") or "").strip(), "spec": (line.get("spec") or "").strip(),
                     "unit": (line.get("unit") or "").strip(), "package_size": size, **flags})  # fmt: skip
    if problems:
        raise ValidationError(
            "file", "invalid_rows", "; ".join(problems[:50]) + (" …" if len(problems) > 50 else "")
        )
    report = LoadReport(rows=len(rows))
    for row in rows:
        report.changed += _write_reference(conn, "drug", row["code"], row)
    return report


PACKAGE_CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,19}$")
PACKAGE_RULES = frozenset({"min_age", "max_age", "sex", "any_of", "requires", "disease"})
FEE_FIELDS = ("fee_fen", "insurance_fund_fen", "public_health_fund_fen", "resident_share_fen")


def load_packages(conn: Connection, path: Path) -> LoadReport:
    """Service packages (JSON list): code, name, kind (basic/personalised), the fee and its split in fen
    (insurance fund + public-health fund + resident share = fee), eligibility, services. All or none; a package
    left out of the file is withdrawn (inactive), so that a county can replace the default set."""
    try:
        items = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise ValidationError("file", "unreadable", f"{path}: {exc.strerror}") from None
    except ValueError as exc:
        raise ValidationError("file", "json", f"{path.name} is not JSON: {exc}") from None
    if not isinstance(items, list) or not items:
        raise ValidationError("file", "format", "a JSON list of packages is expected")
    problems: list[str] = []
    seen: set[str] = set()
    rows = []
    for n, item in enumerate(items, start=1):
        where = f"package {n}"
        if not isinstance(item, dict):
            problems.append(f"{where}: an object is expected")
            continue
        code = str(item.get("code", ""))
        if not PACKAGE_CODE.match(code):
            problems.append(f"{where}, code: 2-20 capital letters, digits or _")
        elif code in seen:
            problems.append(f"{where}, code: {code} appears twice")
        seen.add(code)
        if not str(item.get("name", "")).strip():
            problems.append(f"{where}, name: required")
        if item.get("kind", "personalised") not in ("basic", "personalised"):
            problems.append(f"{where}, kind: basic or personalised")
        fees = {f: item.get(f, 0) for f in FEE_FIELDS}
        if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in fees.values()):
            problems.append(f"{where}, fees: whole numbers of fen, 0 or more")
        elif (
            fees["fee_fen"]
            != fees["insurance_fund_fen"] + fees["public_health_fund_fen"] + fees["resident_share_fen"]
        ):
            problems.append(
                f"{where}, fee_fen: the fee is the insurance fund + public-health fund + resident share"
            )
        rule = item.get("eligibility", {})
        if not isinstance(rule, dict) or set(rule) - PACKAGE_RULES:
            problems.append(f"{where}, eligibility: only {', '.join(sorted(PACKAGE_RULES))}")
        services = item.get("services", [])
        if not isinstance(services, list) or not all(isinstance(x, str) for x in services):
            problems.append(f"{where}, services: a list of texts")
        rows.append({"code": code, "name": str(item.get("name", "")).strip(), "kind": item.get("kind", "personalised"),
                     **fees, "eligibility": json.dumps(rule, ensure_ascii=False, sort_keys=True),
                     "services": json.dumps(services, ensure_ascii=False), "active": 1})  # fmt: skip
    for row in rows:
        for needed in json.loads(row["eligibility"]).get("requires", []):
            if needed not in seen:
                problems.append(
                    f"package {row['code']}, eligibility: requires {needed}, which the file lacks"
                )
    if problems:
        raise ValidationError("file", "invalid_packages", "; ".join(problems[:50]))
    report = LoadReport(rows=len(rows))
    for row in rows:
        report.changed += _write_reference(conn, "service_package", row["code"], row)
    for (data,) in conn.execute(
        sa.select(db.record.c.data).where(db.record.c.table_name == "service_package")
    ):
        old = json.loads(data)
        if old["code"] not in seen and old.get("active"):
            report.changed += _write_reference(conn, "service_package", old["code"], {**old, "active": 0})
    return report


def install_default_packages(conn: Connection) -> bool:
    """A new county starts with the default set (a county that loaded its own keeps it)."""
    if conn.execute(
        sa.select(db.record.c.row_id).where(db.record.c.table_name == "service_package").limit(1)
    ).first():
        return False
    from clinic_app.contracts import default_packages_file

    load_packages(conn, default_packages_file())
    return True


def set_policy(conn: Connection, key: str, value: str, effective_from: str) -> None:
    if not POLICY_KEY.match(key):
        raise ValidationError(
            "key", "format", "a policy key is lower-case letters, digits, dots or underscores"
        )
    try:
        day = dt.date.fromisoformat(effective_from)
    except ValueError:
        raise ValidationError(
            "from", "date_format", f"{effective_from!r} is not a date like 2026-01-01"
        ) from None
    if not value.strip():
        raise ValidationError("value", "required", "the value is required")
    existing = conn.execute(sa.select(db.policy.c.key).where(
        db.policy.c.key == key, db.policy.c.effective_from == day.isoformat())).first()  # fmt: skip
    if existing:
        conn.execute(sa.update(db.policy).where(db.policy.c.key == key, db.policy.c.effective_from == day.isoformat())
                     .values(value=value))  # fmt: skip
    else:
        conn.execute(db.policy.insert().values(key=key, effective_from=day.isoformat(), value=value,
                                               created_at=utc_now()))  # fmt: skip
    _write_reference(conn, "policy", f"{key}@{day.isoformat()}",
                     {"key": key, "value": value, "effective_from": day.isoformat()})  # fmt: skip


# -- cross-clinic lookup -----------------------------------------------------------------------------------
def lookup_resident(conn: Connection, caller: Caller, id_number: str, period: str) -> dict[str, Any]:
    """Whether this person holds an active contract for the period anywhere in the county, and where: only
    what signing needs. Every call is written to ``lookup_audit``."""
    from clinic_app.idcard import parse_id_number

    number = parse_id_number(id_number).number
    if not (len(period) == 4 and period.isdigit()):
        raise ValidationError("period", "format", "the contract period is a year like 2026")
    held = conn.execute(
        sa.select(db.contract_index.c.row_id, db.clinic.c.code, db.clinic.c.name)
        .select_from(db.contract_index.join(db.clinic, db.clinic.c.id == db.contract_index.c.clinic_id))
        .where(db.contract_index.c.person_key == f"id:{number}", db.contract_index.c.period == period)
    ).first()  # fmt: skip
    found: dict[str, Any] = {"active_contract": False}
    if held is not None:
        found = {"active_contract": True, "clinic_code": held.code, "clinic_name": held.name}
    conn.execute(db.lookup_audit.insert().values(device_id=caller.device_id, clinic_id=caller.clinic_id,
                                                 id_number=number, period=period,
                                                 result=json.dumps(found, ensure_ascii=False), at=utc_now()))  # fmt: skip
    return found
