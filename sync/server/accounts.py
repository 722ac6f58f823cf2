"""Who may change a clinic's accounts, and who made each change (DESIGN §5 "Accounts and authorship").

A device token says which device of which clinic pushes; it says nothing about the person. So:

- **Account changes** (a ``user`` row: new, edited, deleted) take effect only with a **user token**: a clinic's
  user signs in online (``POST /api/v1/users/signin``, with the device token, the password checked against the
  county's copy of the hash) and the device sends the short-lived token it gets as ``X-User-Token`` with its
  pushes. A new account, a role, an activation, a name or a deletion needs the token of an active
  ``clinic_admin`` of the clinic; a password change needs that of the user whose password it is (or an admin's).
  Without a valid token such a change is answered ``rejected`` with code ``account_sign_in`` and is **not**
  stored as a final answer: the device keeps it in its outbox and sends it again after a sign-in. With a token of
  someone not entitled it is refused (``not_entitled``).
- **Bootstrap**: a push to a clinic that holds no account at all on the county (not even a deleted one) may
  create its accounts without a user token — the county made the clinic and handed out the one-time enrollment
  code; the first device to push brings the clinic's first administrator. From the first account on, the rule
  above holds. (A county that creates the first admin itself, ``county-server user add --clinic``, leaves no
  bootstrap at all.)
- **Authorship**: every mutation names its acting user (``user_id``), which must be a user of the token's
  clinic on the server or created earlier in the same push (``unknown_user`` otherwise). A mutation without a
  user is accepted in the bootstrap push, and for an append-only event (a device's audit entry of what it did
  before anyone signed in: making its database), recorded as by nobody — never as by someone else. The server records it: ``updated_by`` is the mutation's user and
  ``created_by`` of a new row too (whatever the row claims); a ``device_id`` column holds the token's device.
  The clinic was always the token's (``wrong_clinic``).

``screen`` runs once per push, before the push applies anything; nothing here knows another table by name.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from clinic_app.users import check_hash_format, verify_nobody, verify_password
from sync import protocol as p
from sync.protocol import APPEND_ONLY_TABLES, CLINIC_TABLES, Code, Mutation, MutationResult, Op, Status
from sync.server import contract, db
from sync.server.common import Caller, ServiceError
from sync.server.db import stamp

ACCOUNT_TABLE = "user"  # the registry's table of a clinic's accounts
ADMIN_ROLE = "clinic_admin"
OWN_FIELDS = frozenset({"password_hash"})  # what a user may change of their own account
# columns that describe the change, not the account: they need nobody's sign-in
_BOOKKEEPING = frozenset(
    {"id", "clinic_id", "created_at", "updated_at", "created_by", "updated_by", "row_version"}
)
_KEY = "user_token_key"


# -- user tokens ----------------------------------------------------------------------------------------
def _token_key(conn: Connection) -> bytes:
    """The server's secret for user tokens: made once, kept in ``server_meta`` (shared by every worker)."""
    query = sa.select(db.server_meta.c.value).where(db.server_meta.c.key == _KEY)
    found = conn.execute(query).scalar()
    if found is None:
        try:
            with conn.begin_nested():
                conn.execute(db.server_meta.insert().values(key=_KEY, value=secrets.token_hex(32)))
        except IntegrityError:  # another worker made it at the same moment
            pass
        found = conn.execute(query).scalar_one()
    return bytes.fromhex(str(found))


def _sign(key: bytes, payload: str) -> str:
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def make_token(conn: Connection, user_id: str, device_id: str, clinic_id: str, expires: int) -> str:
    payload = f"{user_id}.{device_id}.{clinic_id}.{expires}"  # ids never hold a dot (contract.ID)
    return f"{payload}.{_sign(_token_key(conn), payload)}"


def token_user(conn: Connection, caller: Caller, token: str | None) -> tuple[str | None, str]:
    """The user a token names when it is good for this device and clinic now; else None and why not."""
    if not token:
        return None, "no online sign-in was sent"
    parts = token.split(".")
    if len(parts) != 5:
        return None, "the online sign-in is not readable: sign in again"
    user_id, device_id, clinic_id, expires, signature = parts
    if not hmac.compare_digest(signature, _sign(_token_key(conn), ".".join(parts[:4]))):
        return None, "the online sign-in is not readable: sign in again"
    if device_id != caller.device_id or clinic_id != caller.clinic_id:
        return None, "the online sign-in was made on another device: sign in again here"
    if not expires.isdigit() or int(expires) < time.time():
        return None, "the online sign-in has expired: sign in again"
    return user_id, ""


def sign_in(conn: Connection, caller: Caller, username: str, password: str) -> p.UserSignInResponse:
    """A clinic user's online sign-in, from a device of that clinic: the password checked against the county's
    copy of the account."""
    if caller.clinic_id is None:
        raise ServiceError(403, "not_a_clinic_device", "only a clinic's device signs its users in")
    held = conn.execute(
        sa.select(db.record)
        .select_from(
            db.unique_key.join(
                db.record,
                sa.and_(
                    db.record.c.table_name == db.unique_key.c.table_name,
                    db.record.c.row_id == db.unique_key.c.row_id,
                ),
            )
        )
        .where(
            db.unique_key.c.table_name == ACCOUNT_TABLE,
            db.unique_key.c.clinic_id == caller.clinic_id,
            db.unique_key.c.key == username,
        )
    ).first()
    data = json.loads(held.data) if held is not None else {}
    usable = held is not None and not held.deleted_at and data.get("active") == 1
    if not usable or check_hash_format(data.get("password_hash")) is not None:
        verify_nobody(password)  # the same work as a real check: names cannot be probed by timing
        raise ServiceError(401, "bad_credentials", "wrong user name or password")
    if held is None or not verify_password(password, data["password_hash"]):
        raise ServiceError(401, "bad_credentials", "wrong user name or password")
    expires = int(time.time()) + p.USER_TOKEN_SECONDS
    token = make_token(conn, held.row_id, caller.device_id, caller.clinic_id, expires)
    return p.UserSignInResponse(
        user_id=held.row_id, role=str(data.get("role")), token=token, expires_at=stamp(_moment(expires))
    )


def _moment(seconds: int) -> Any:
    import datetime as dt

    return dt.datetime.fromtimestamp(seconds, dt.UTC)


# -- the screen of a push ----------------------------------------------------------------------------------
@dataclass
class Screened:
    """A push after the screen: its mutations with their authorship set from the token, and the answers the
    screen gave already. ``waiting`` answers (``account_sign_in``) are not stored: the device sends them again."""

    mutations: list[Mutation]
    answers: dict[str, MutationResult] = field(default_factory=dict)

    def waiting(self, mutation_id: str) -> bool:
        answer = self.answers.get(mutation_id)
        return answer is not None and answer.code == Code.ACCOUNT_SIGN_IN


def _answer(m: Mutation, code: Code, message: str) -> MutationResult:
    return MutationResult(mutation_id=m.mutation_id, status=Status.REJECTED, code=code, message=message)


def _screened(m: Mutation) -> bool:
    return (
        m.table in CLINIC_TABLES
        and contract.check_id("mutation_id", m.mutation_id) is None
        and contract.check_id("row_id", m.row_id) is None
        and (m.user_id is None or contract.check_id("user_id", m.user_id) is None)
    )


# Whether the county holds any account of the clinic (``key_clinic``), a deleted one too (every user name is
# indexed): an expression, so that the push asks it in the statement that locks the clinic's counter.
HOLDS_ACCOUNTS = (
    sa.exists()
    .where(
        db.unique_key.c.table_name == ACCOUNT_TABLE, db.unique_key.c.clinic_id == sa.bindparam("key_clinic")
    )
    .label("holds_accounts")
)
_HOLDS_ACCOUNTS = sa.select(HOLDS_ACCOUNTS)


def _has_accounts(conn: Connection, clinic_id: str) -> bool:
    """Whether the county holds any account of the clinic, a deleted one too (every user name is indexed)."""
    return bool(conn.execute(_HOLDS_ACCOUNTS, {"key_clinic": clinic_id}).scalar())


def _user_references(table: str) -> list[str]:
    return [name for name, target in contract.references(table).items() if target == ACCOUNT_TABLE]


def screen(
    conn: Connection,
    caller: Caller,
    mutations: list[Mutation],
    user_token: str | None,
    holds_accounts: bool | None = None,
) -> Screened:
    """Judge the account changes of a push and name the acting user of each mutation (see the module's text).
    One query for the accounts the push names; the token and the bootstrap are looked at only when needed.
    ``holds_accounts``: whether the clinic holds an account, when the caller read it already under the clinic's
    lock (``HOLDS_ACCOUNTS``); None: asked here when it matters."""
    clinic_id = caller.clinic_id
    assert clinic_id is not None
    checked = [m for m in mutations if _screened(m)]
    if not checked:
        return Screened(list(mutations))
    named = {m.user_id for m in checked if m.user_id} | {
        m.row_id for m in checked if m.table == ACCOUNT_TABLE
    }
    accounts: dict[str, Any] = (
        {
            r.row_id: r
            for r in conn.execute(
                sa.select(db.record).where(
                    db.record.c.table_name == ACCOUNT_TABLE, db.record.c.row_id.in_(sorted(named))
                )
            )
        }
        if named
        else {}
    )
    ours = {k: r for k, r in accounts.items() if r.clinic_id == clinic_id}
    bootstrap_cache: list[bool] = [] if holds_accounts is None else [not holds_accounts]

    def bootstrap() -> bool:  # asked at most once a push, and only when it matters
        if not bootstrap_cache:
            bootstrap_cache.append(not _has_accounts(conn, clinic_id))
        return bootstrap_cache[0]

    signed: list[tuple[str | None, str]] = []

    def signed_in() -> tuple[str | None, str]:
        if not signed:
            user_id, why = token_user(conn, caller, user_token)
            if user_id is not None:  # the token's account as the county holds it now
                row = conn.execute(
                    sa.select(db.record).where(
                        db.record.c.table_name == ACCOUNT_TABLE, db.record.c.row_id == user_id
                    )
                ).first()
                data = json.loads(row.data) if row is not None else {}
                if row is None or row.clinic_id != clinic_id or row.deleted_at or data.get("active") != 1:
                    user_id, why = None, "the account that signed in online is no longer active"
                else:
                    why = str(data.get("role"))
            signed.append((user_id, why))
        return signed[0]

    out = Screened([])
    waiting_accounts: set[str] = set()  # new accounts of this push that wait for a sign-in
    made: set[str] = set()  # accounts this push creates
    for m in checked:
        if m.table != ACCOUNT_TABLE:
            continue
        current = accounts.get(m.row_id)
        if current is not None and current.clinic_id != clinic_id:
            continue  # the push refuses it (wrong_clinic)
        need = _needed(m, current)
        if need is None or bootstrap():
            if current is None:
                made.add(m.row_id)
            continue
        user_id, role_or_why = signed_in()
        if user_id is None:
            who = (
                "the user's own or a clinic administrator's" if need == "own" else "a clinic administrator's"
            )
            out.answers[m.mutation_id] = _answer(
                m,
                Code.ACCOUNT_SIGN_IN,
                f"{ACCOUNT_TABLE}: this account change needs {who} online sign-in; {role_or_why}",
            )
            if current is None:
                waiting_accounts.add(m.row_id)
        elif role_or_why != ADMIN_ROLE and not (need == "own" and user_id == m.row_id):
            out.answers[m.mutation_id] = _answer(
                m,
                Code.NOT_ENTITLED,
                f"{ACCOUNT_TABLE}: only a clinic administrator "
                "may make this account change"
                + (", or the user their own password" if need == "own" else ""),
            )
        elif current is None:
            made.add(m.row_id)
    for m in mutations:
        if not _screened(m) or m.mutation_id in out.answers:
            out.mutations.append(m)
            continue
        names = {m.user_id, *(m.fields.get(c) for c in _user_references(m.table))}
        if waits := sorted(str(n) for n in names if n in waiting_accounts and n != m.row_id):
            out.answers[m.mutation_id] = _answer(
                m,
                Code.ACCOUNT_SIGN_IN,
                f"user_id: names the account {waits[0]}, "
                "which waits for a clinic administrator's online sign-in",
            )
        elif m.user_id is None and m.table not in APPEND_ONLY_TABLES and not bootstrap():
            out.answers[m.mutation_id] = _answer(
                m, Code.UNKNOWN_USER, "user_id: every change names the user who made it"
            )
        elif m.user_id is not None and m.user_id not in ours and m.user_id not in made:
            out.answers[m.mutation_id] = _answer(
                m, Code.UNKNOWN_USER, f"user_id: {m.user_id} is no user of this clinic"
            )
        out.mutations.append(_authored(m, caller))
    return out


def _needed(m: Mutation, current: Any) -> str | None:
    """Whose sign-in an account mutation needs: ``admin``, ``own`` (the user's own, or an admin's), or None (it
    changes nothing of the account)."""
    if current is None or m.op is Op.DELETE:
        return "admin"
    data = json.loads(current.data)
    changed = {k for k, v in m.fields.items() if k not in _BOOKKEEPING and data.get(k) != v}
    if not changed:
        return None
    return "own" if changed <= OWN_FIELDS else "admin"


def _authored(m: Mutation, caller: Caller) -> Mutation:
    """The mutation with its authorship from the push: the acting user, the token's device."""
    fields = {k: v for k, v in m.fields.items() if k != "created_by"}  # a new row's is the acting user
    fields["updated_by"] = m.user_id
    if m.op is Op.UPSERT and "device_id" in contract.columns(m.table):
        fields["device_id"] = caller.device_id
    return m.model_copy(update={"fields": fields})
