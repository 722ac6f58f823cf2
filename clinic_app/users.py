"""Local user accounts: roles, scrypt password hashes, lock-out after repeated wrong passwords."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from clinic_app.db import Connection
from clinic_app.errors import AuthError, ValidationError
from clinic_app.ids import utc_now
from clinic_app.settings import get_setting

if (
    TYPE_CHECKING
):  # the store's registry names this module's rules (ROLES): no import of the store at run time
    from clinic_app.store import Store

ROLES = ("village_doctor", "nurse", "team_member", "clinic_admin")
COUNTY_ROLES = ("county_reviewer", "county_admin")  # accounts of the county server, bound to no clinic
# scrypt with N=2**15, r=8 needs 32 MiB per hash: memory-hard, about 0.1 s on an old clinic PC.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
# A stored hash arrives by sync from any device of the clinic: its parameters are judged before any work is done,
# so a crafted one cannot hold a sign-in for minutes. At most 4x the work of this program's own hash (N*r*p) and
# 128 MiB (128*N*r bytes), within what hashlib is allowed below.
SCRYPT_MIN_N, SCRYPT_MAX_N, SCRYPT_MAX_R, SCRYPT_MAX_P = 2**10, 2**16, 16, 4
SCRYPT_MAX_WORK = 4 * SCRYPT_N * SCRYPT_R * SCRYPT_P
SCRYPT_MAXMEM = 256 * 1024 * 1024
DIGEST_BYTES = 32
MIN_PASSWORD_LENGTH = 8
_USERNAME = re.compile(r"^[A-Za-z0-9_.\-]{2,32}$")


@dataclass(frozen=True)
class User:
    id: str
    username: str
    display_name: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "clinic_admin"


def hash_password(password: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode(), salt=salt, n=n, r=r, p=p, maxmem=SCRYPT_MAXMEM, dklen=DIGEST_BYTES
    )
    enc = base64.b64encode
    return f"scrypt${n}${r}${p}${enc(salt).decode()}${enc(digest).decode()}"


@dataclass(frozen=True)
class ScryptHash:
    n: int
    r: int
    p: int
    salt: bytes
    digest: bytes


def parse_password_hash(stored: object) -> ScryptHash:
    """A stored password hash, judged before any work: ``scrypt$N$r$p$salt$digest`` with N a power of two and
    N, r, p within the bounds above. The one check of a hash, wherever one arrives (a synced user row, a push);
    raises ValidationError (field ``password_hash``, rule ``format`` or ``out_of_range``)."""
    parts = stored.split("$") if isinstance(stored, str) else []
    if len(parts) != 6 or parts[0] != "scrypt" or not all(x.isdigit() and len(x) <= 10 for x in parts[1:4]):
        raise ValidationError("password_hash", "format", "not a scrypt$N$r$p$salt$digest hash")
    n, r, p = (int(x) for x in parts[1:4])
    if not (
        SCRYPT_MIN_N <= n <= SCRYPT_MAX_N
        and n & (n - 1) == 0
        and 1 <= r <= SCRYPT_MAX_R
        and 1 <= p <= SCRYPT_MAX_P
        and n * r * p <= SCRYPT_MAX_WORK
    ):
        raise ValidationError(
            "password_hash",
            "out_of_range",
            f"scrypt parameters N={n}, r={r}, p={p} are outside the bounds this program "
            f"accepts (N a power of two {SCRYPT_MIN_N}..{SCRYPT_MAX_N}, r 1..{SCRYPT_MAX_R}, p 1..{SCRYPT_MAX_P}, "
            f"N*r*p at most {SCRYPT_MAX_WORK})",
        )
    try:
        salt = base64.b64decode(parts[4], validate=True)
        digest = base64.b64decode(parts[5], validate=True)
    except (ValueError, binascii.Error):
        raise ValidationError("password_hash", "format", "the salt or digest is not base64") from None
    if not 8 <= len(salt) <= 64 or len(digest) != DIGEST_BYTES:
        raise ValidationError(
            "password_hash", "format", f"a salt of 8-64 bytes and a {DIGEST_BYTES}-byte digest"
        )
    return ScryptHash(n, r, p, salt, digest)


def check_hash_format(stored: object) -> ValidationError | None:
    """The problem of a hash pushed by a device (see ``parse_password_hash``), or None."""
    try:
        parse_password_hash(stored)
    except ValidationError as problem:
        return problem
    return None


def validate_password_hash(stored: object) -> str:
    """``stored`` when it is a hash this program can check (see ``parse_password_hash``)."""
    parse_password_hash(stored)
    return str(stored)


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches the hash; ValidationError when the hash itself is unusable (malformed, or
    parameters out of bounds): no scrypt work is done for it."""
    h = parse_password_hash(stored)
    got = hashlib.scrypt(
        password.encode(), salt=h.salt, n=h.n, r=h.r, p=h.p, maxmem=SCRYPT_MAXMEM, dklen=DIGEST_BYTES
    )
    return hmac.compare_digest(got, h.digest)


def validate_username(username: str) -> str:
    if not _USERNAME.match(username):
        raise ValidationError(
            "username", "format", "2-32 characters: letters, digits, dot, dash or underscore"
        )
    return username


def validate_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            "password", "too_short", f"a password needs at least {MIN_PASSWORD_LENGTH} characters"
        )
    return password


def validate_role(role: str) -> str:
    if role not in ROLES:
        raise ValidationError(
            "role", "unknown_role", f"{role!r} is not a role; choose one of {', '.join(ROLES)}"
        )
    return role


def add_user(
    store: Store, actor: User | None, username: str, role: str, password: str, display_name: str | None = None
) -> User:
    """Create an account. Only a clinic admin may (``actor`` None only while the clinic is initialised)."""
    if actor is not None and not actor.is_admin:
        raise AuthError("permission", f"only a clinic admin may add users; {actor.username} is {actor.role}")
    validate_username(username)
    validate_role(role)
    validate_password(password)
    exists = store.conn.execute(
        'SELECT 1 FROM "user" WHERE clinic_id = ? AND username = ?', (store.clinic_id, username)
    ).fetchone()
    if exists:
        raise ValidationError("username", "duplicate", f"a user called {username!r} exists already")
    password_hash = hash_password(password)
    with store.unit(actor.id if actor else None, "user.add") as uow:
        uid = uow.insert(
            "user",
            {
                "username": username,
                "display_name": display_name or username,
                "role": role,
                "password_hash": password_hash,
                "active": 1,
            },
        )
        if actor is None:
            uow.conn.execute('UPDATE "user" SET created_by = ?, updated_by = ? WHERE id = ?', (uid, uid, uid))
        uow.summary = f"user {username} ({role}) added"
    return User(uid, username, display_name or username, role)


def _row_user(row: object) -> User:
    r = dict(row)  # type: ignore[call-overload]
    return User(r["id"], r["username"], r["display_name"], r["role"])


def find_user(conn: Connection, clinic_id: str, username: str) -> User | None:
    row = conn.execute(
        'SELECT * FROM "user" WHERE clinic_id = ? AND username = ? AND deleted_at IS NULL AND active = 1',
        (clinic_id, username),
    ).fetchone()
    return _row_user(row) if row else None


def list_users(conn: Connection, clinic_id: str) -> list[User]:
    rows = conn.execute(
        'SELECT * FROM "user" WHERE clinic_id = ? AND deleted_at IS NULL ORDER BY username', (clinic_id,)
    ).fetchall()
    return [_row_user(r) for r in rows]


@functools.cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_hex(16))


def verify_nobody(password: str) -> bool:
    """The same scrypt work as checking a real account's password (always False): for a user name that does not
    exist, so that names cannot be probed by timing."""
    return verify_password(password, _dummy_hash()) and False


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def authenticate(store: Store, username: str, password: str) -> User:
    """Check a password. Wrong passwords are counted; at the limit the account locks for a while.

    Lock-out bookkeeping is local to this device (``login_state``) and not part of any user action."""
    conn = store.conn
    row = conn.execute(
        'SELECT * FROM "user" WHERE clinic_id = ? AND username = ? AND deleted_at IS NULL',
        (store.clinic_id, username),
    ).fetchone()
    if row is None or not row["active"]:
        # Spend the same time as a real check so that user names cannot be probed by timing.
        verify_password(password, _dummy_hash())
        raise AuthError("bad_credentials", "wrong user name or password")
    state = conn.execute(
        "SELECT failed_count, locked_until FROM login_state WHERE user_id = ?", (row["id"],)
    ).fetchone()
    if state and state["locked_until"]:
        until = dt.datetime.fromisoformat(state["locked_until"].replace("Z", "+00:00"))
        if until > _now():
            minutes = max(1, -(-int((until - _now()).total_seconds()) // 60))  # rounded up: never too early
            lock = max(1, -(-int(get_setting(conn, "lockout_seconds")) // 60))
            raise AuthError(
                "locked",
                f"account {username} is locked for {lock} min after repeated wrong passwords; try again in "
                f"{minutes} min",
                {"lock_minutes": str(lock), "minutes_left": str(minutes)},
            )
    try:
        ok = verify_password(password, row["password_hash"])
    except (
        ValidationError
    ) as exc:  # a hash synced from elsewhere that no device can check: not a wrong password
        raise AuthError(
            "password_unusable",
            f"the password of {username} must be set again by a clinic admin (its stored hash is unusable: "
            f"{exc.message})",
        ) from None
    with store.transaction():
        if ok:
            conn.execute("DELETE FROM login_state WHERE user_id = ?", (row["id"],))
        else:
            expired = bool(state and state["locked_until"])
            failed = 1 if expired or not state else state["failed_count"] + 1
            locked_until = None
            if failed >= get_setting(conn, "lockout_attempts"):
                seconds = get_setting(conn, "lockout_seconds")
                locked_until = (_now() + dt.timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")
            conn.execute(
                "INSERT INTO login_state(user_id, failed_count, locked_until) VALUES (?, ?, ?) "
                "ON CONFLICT(user_id) DO UPDATE SET failed_count = excluded.failed_count, "
                "locked_until = excluded.locked_until",
                (row["id"], failed, locked_until),
            )
    if not ok:
        raise AuthError("bad_credentials", "wrong user name or password")
    return _row_user(row)


__all__ = ["ROLES", "User", "add_user", "authenticate", "find_user", "hash_password", "list_users", "utc_now"]
