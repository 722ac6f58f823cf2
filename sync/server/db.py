"""County server storage: SQLAlchemy Core tables, one code path for SQLite and PostgreSQL.

Synced rows from clinics live in ``record`` (one row per table + row id, its latest state as JSON, the version
of the last accepted change, and per-field versions for field-level merge). ``version`` is a number from the
row's *scope counter* (one per clinic, one for county reference data): a push locks its scope's counter row
until it commits, so within a scope versions are handed out in commit order and a pull that reads
``version > cursor`` can never pass a change that commits later with a smaller number.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import random
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from psycopg.rows import namedtuple_row
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from clinic_app import registry as R
from sync.server.common import COUNTY_SCOPE

metadata = sa.MetaData()

server_meta = sa.Table(
    "server_meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
clinic = sa.Table(
    "clinic",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("code", sa.String(32), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
)
county_user = sa.Table(
    "county_user",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
)
device = sa.Table(
    "device",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("clinic_id", sa.String(40), sa.ForeignKey("clinic.id"), nullable=True),
    sa.Column("county_user_id", sa.String(40), sa.ForeignKey("county_user.id"), nullable=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("app_version", sa.String(32)),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("last_seen_at", sa.String(40)),
    sa.Column("revoked_at", sa.String(40)),
)
enrollment_code = sa.Table(
    "enrollment_code",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("clinic_id", sa.String(40), sa.ForeignKey("clinic.id"), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("expires_at", sa.String(40), nullable=False),
    sa.Column("used_at", sa.String(40)),
    sa.Column("device_id", sa.String(40)),
)
scope_counter = sa.Table(
    "scope_counter",
    metadata,
    sa.Column("scope", sa.String(64), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)
record = sa.Table(
    "record",
    metadata,
    sa.Column("table_name", sa.String(64), primary_key=True),
    sa.Column("row_id", sa.String(64), primary_key=True),
    sa.Column("scope", sa.String(64), nullable=False),
    sa.Column("clinic_id", sa.String(40), nullable=True),
    sa.Column("version", sa.BigInteger, nullable=False),
    sa.Column("deleted_at", sa.String(R.MAX_STAMP)),  # the row's own, as its device sent it
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("field_versions", sa.Text, nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
    sa.Index("record_scope_version", "scope", "version"),
)
# Per scope and table: how many records and the sum of their versions, kept by the database's triggers on
# ``record`` (migration 0011): what the after-sync comparison reads (pull.checksums).
record_checksum = sa.Table(
    "record_checksum",
    metadata,
    sa.Column("scope", sa.String(64), primary_key=True),
    sa.Column("table_name", sa.String(64), primary_key=True),
    sa.Column("count", sa.BigInteger, nullable=False),
    sa.Column("version_sum", sa.Numeric, nullable=False),
)
# One resident per ID number in a clinic: the numbers held, for the merge (resident_merge.py).
resident_key = sa.Table(
    "resident_key",
    metadata,
    sa.Column("clinic_id", sa.String(40), primary_key=True),
    sa.Column("id_number", sa.String(18), primary_key=True),
    sa.Column("row_id", sa.String(64), nullable=False),
    sa.Index("resident_key_id_number", "id_number"),
)
# The other unique columns of a clinic (village name, household code, user name): see contract.UNIQUE; and the
# unique keys naming a merged row (insurance by resident and year), under the key's name (dependants.py).
unique_key = sa.Table(
    "unique_key",
    metadata,
    sa.Column("table_name", sa.String(64), primary_key=True),
    sa.Column("clinic_id", sa.String(40), primary_key=True),
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("row_id", sa.String(64), nullable=False),
)
row_alias = sa.Table(
    "row_alias",
    metadata,
    sa.Column("table_name", sa.String(64), primary_key=True),
    sa.Column("alias_id", sa.String(64), primary_key=True),
    sa.Column("row_id", sa.String(64), nullable=False),
)
# Open contracts (provisional or active) by person and period: the county-wide one-team rule (one_team.py).
# Unique: of two clinics signing one person at once, the database lets one in and the other waits, then loses.
contract_index = sa.Table(
    "contract_index",
    metadata,
    sa.Column("row_id", sa.String(64), primary_key=True),
    sa.Column("clinic_id", sa.String(40), nullable=False),
    sa.Column("person_key", sa.String(120), nullable=False),
    sa.Column("period", sa.String(8), nullable=False),
    sa.Index("contract_index_person", "person_key", "period", unique=True),
)
# Chronic care by patient, kept on push (chronic_index.py) for the county's indicators (clinic_app.chronic_indicators):
# each live registration with its village and the day it was made; each follow-up with the columns the indicators
# read, under the clinic's own column names (the same SQL runs over both); per patient, disease and year, what the
# year's follow-ups come to (chronic_indicators.YEAR_SQL: face-to-face visits, the latest one).
chronic_patient_index = sa.Table(
    "chronic_patient_index",
    metadata,
    sa.Column("row_id", sa.String(64), primary_key=True),
    sa.Column("clinic_id", sa.String(40), nullable=False),
    sa.Column("resident_id", sa.String(64), nullable=False),
    sa.Column("disease", sa.String(16), nullable=False),
    sa.Column("village_id", sa.String(64)),
    sa.Column("registered_by", sa.String(64)),
    sa.Column("registered_on", sa.String(10), nullable=False),
    sa.Column("management", sa.String(16), nullable=False),
    sa.Column("ended_on", sa.String(10)),
    sa.Index("chronic_patient_index_clinic", "clinic_id"),
)
chronic_followup_index = sa.Table(
    "chronic_followup_index",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("clinic_id", sa.String(40), nullable=False),
    sa.Column("resident_id", sa.String(64), nullable=False),
    sa.Column("disease", sa.String(16), nullable=False),
    sa.Column("visit_date", sa.String(10), nullable=False),
    sa.Column("visit_mode", sa.String(8), nullable=False),
    sa.Column("classification", sa.String(20), nullable=False),
    sa.Column("created_at", sa.String(R.MAX_STAMP), nullable=False),
    sa.Column("created_by", sa.String(64)),
    sa.Column("supersedes", sa.String(64)),
    sa.Column("deleted_at", sa.String(R.MAX_STAMP)),
    sa.Index("chronic_followup_index_patient", "clinic_id", "resident_id", "disease", "visit_date"),
    sa.Index("chronic_followup_index_supersedes", "supersedes"),
)
chronic_year_index = sa.Table(
    "chronic_year_index",
    metadata,
    sa.Column("clinic_id", sa.String(40), primary_key=True),
    sa.Column("resident_id", sa.String(64), primary_key=True),
    sa.Column("disease", sa.String(16), primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("face_to_face", sa.Integer, nullable=False),
    sa.Column("latest", sa.Text),
    sa.Index("chronic_year_index_year", "year"),
)
# One box, one sale (RULES §7): the first clinic whose dispensing named a trace code holds it; a sale of the code at
# another clinic is flagged (sync.server.trace_codes), one row a flagged sale: the county's list.
trace_code_index = sa.Table(
    "trace_code_index",
    metadata,
    sa.Column("code", sa.String(100), primary_key=True),
    sa.Column("clinic_id", sa.String(40), nullable=False),
    sa.Column("row_id", sa.String(64), nullable=False),
)
trace_code_flag = sa.Table(
    "trace_code_flag",
    metadata,
    sa.Column("row_id", sa.String(64), primary_key=True),
    sa.Column("code", sa.String(100), nullable=False),
    sa.Column("clinic_id", sa.String(40), nullable=False),
    sa.Column("first_clinic_id", sa.String(40), nullable=False),
    sa.Column("first_row_id", sa.String(64), nullable=False),
    sa.Column("flagged_at", sa.String(40), nullable=False),
    sa.Index("trace_code_flag_code", "code"),
)
# Every visit's fund share by person, pool and year, in the order the county took them (``seq``), for the
# county-wide annual cap (visit_cap.py).
visit_index = sa.Table(
    "visit_index",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("row_id", sa.String(64), nullable=False, unique=True),
    sa.Column("clinic_id", sa.String(40), nullable=False),
    sa.Column("person_key", sa.String(120), nullable=False),
    sa.Column("pool", sa.String(32), nullable=False),
    sa.Column("year", sa.String(4), nullable=False),
    sa.Column("fund_fen", sa.BigInteger, nullable=False),
    sa.Column("cancelled", sa.Integer, nullable=False, server_default="0"),
    sa.Column("county_fund_fen", sa.BigInteger, nullable=True),  # the county's share (0010); null: not yet
    sa.Column("decision", sa.String(16), nullable=True),  # a reviewer's decision of an overrun
    sa.Column("claim_id", sa.String(64), nullable=True),  # the capitation_claim row made for it
    sa.Column("claim_clinic_id", sa.String(40), nullable=True),
    sa.Index("visit_index_person", "person_key", "pool", "year"),
)
# A mutation id is its clinic's own: another clinic sending the same id neither blocks it nor reads its result.
mutation = sa.Table(
    "mutation",
    metadata,
    sa.Column("mutation_id", sa.String(64), primary_key=True),
    sa.Column("clinic_id", sa.String(40), primary_key=True),
    sa.Column("result", sa.Text, nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
)
conflict = sa.Table(
    "conflict",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("clinic_id", sa.String(40), nullable=True),
    sa.Column("table_name", sa.String(64), nullable=False),
    sa.Column("row_id", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("resolved_at", sa.String(40)),
    sa.Column("resolution", sa.Text),
)
auth_failure = sa.Table(
    "auth_failure",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(128), nullable=False),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Index("auth_failure_key_at", "key", "at"),
)
lookup_audit = sa.Table(
    "lookup_audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("device_id", sa.String(40), nullable=False),
    sa.Column("clinic_id", sa.String(40)),
    sa.Column("id_number", sa.String(18), nullable=False),
    sa.Column("period", sa.String(8), nullable=False),
    sa.Column("result", sa.Text, nullable=False),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Index("lookup_audit_device_at", "device_id", "at"),  # the lookup's throttle (throttle.py)
    sa.Index("lookup_audit_clinic_at", "clinic_id", "at"),
)
policy = sa.Table(
    "policy",
    metadata,
    sa.Column("key", sa.String(100), primary_key=True),
    sa.Column("effective_from", sa.String(10), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
)


def utc_now() -> str:
    """Now, as ``stamp`` writes it. A push asks a few times a row: the text of the last milliseconds is kept."""
    return _stamp_at(time.time_ns() // 1_000_000)


@functools.lru_cache(maxsize=4)
def _stamp_at(millis: int) -> str:
    seconds, rest = divmod(millis, 1000)
    return stamp(dt.datetime.fromtimestamp(seconds, dt.UTC).replace(microsecond=rest * 1000))


def stamp(moment: dt.datetime) -> str:
    """A time as the server writes times (milliseconds, Z): stored times compare correctly as text."""
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def since(seconds: int) -> str:
    return stamp(dt.datetime.now(dt.UTC) - dt.timedelta(seconds=seconds))


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
        if conn.execute(sa.select(server_meta.c.value).where(server_meta.c.key == "epoch")).first() is None:
            conn.execute(server_meta.insert().values(key="epoch", value=secrets.token_hex(8)))
            conn.execute(server_meta.insert().values(key="created_at", value=utc_now()))
        ensure_counter(conn, COUNTY_SCOPE)


_EPOCH = sa.select(server_meta.c.value).where(server_meta.c.key == "epoch")  # every pull reads it: built once


def epoch(conn: Connection) -> str:
    """This database's identity: a restored or reset server has another, and cursors of the old one are refused."""
    (row,) = fetch(conn, _EPOCH)
    return str(row[0])


def ensure_counter(conn: Connection, scope: str) -> None:
    if conn.execute(sa.select(scope_counter.c.value).where(scope_counter.c.scope == scope)).first() is None:
        conn.execute(scope_counter.insert().values(scope=scope, value=0))


def among(column: Any, name: str) -> Any:
    """``column = ANY(:name)``, ``name`` bound to a list of text (PostgreSQL only): one statement text whatever the
    list's length, prepared once, where an expanding IN is rendered and parsed anew for each length."""
    from sqlalchemy.dialects.postgresql import ARRAY

    return column == sa.any_(sa.bindparam(name, type_=ARRAY(sa.String)))


def fetch(conn: Connection, statement: Any, params: dict[str, Any] | None = None) -> list[Any]:
    """The rows of ``statement`` (built once, at import) with ``params``: each reads by column name and by index.
    On PostgreSQL it runs on the driver's connection (``driver_cursor``) as the SQL SQLAlchemy compiled for it
    once, prepared on the server: the statements every push and pull runs cost ~0.15 ms of Python less each."""
    if conn.dialect.name != "postgresql":
        result = conn.execute(statement, params or {})
        return list(result.all()) if result.returns_rows else []
    sql, defaults = _driver_sql(conn, statement)
    cursor = conn.connection.driver_connection.cursor(row_factory=namedtuple_row)  # type: ignore[union-attr]
    with _as_sqlalchemy_would(conn, sql):
        cursor.execute(sql, {**defaults, **params} if params else defaults, prepare=True)
        return cursor.fetchall() if cursor.description is not None else []


@contextmanager
def _as_sqlalchemy_would(conn: Connection, sql: str) -> Iterator[None]:
    """A driver's error on ``conn`` raised as SQLAlchemy raises it (``sa.exc.DBAPIError``, parameters hidden), and
    a connection the database closed invalidated, so that ``in_transaction`` retries a deadlock's victim and a
    closed connection the same whichever way the statement went."""
    import psycopg

    try:
        yield
    except psycopg.Error as exc:
        closed = conn.dialect.is_disconnect(exc, conn.connection.dbapi_connection, None)  # type: ignore[arg-type]
        if closed:
            conn.invalidate(exc)
        raise sa.exc.DBAPIError.instance(
            sql,
            None,
            exc,
            psycopg.Error,
            hide_parameters=True,
            connection_invalidated=closed,
            dialect=conn.dialect,
        ) from exc


def _driver_sql(conn: Connection, statement: Any) -> tuple[str, dict[str, Any]]:
    if (known := _DRIVER_SQL.get(statement)) is None:
        compiled = statement.compile(dialect=conn.dialect)
        if compiled.positiontup or "POSTCOMPILE" in compiled.string:  # an expanding IN: SQLite's statements
            raise ValueError("a statement for the driver takes named parameters, no expanding IN")
        known = _DRIVER_SQL[statement] = (compiled.string, dict(compiled.params))
    return known


_DRIVER_SQL: dict[
    Any, tuple[str, dict[str, Any]]
] = {}  # by statement: its SQL for the driver and its literals


def insert_rows(conn: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """``rows`` (the same keys each) into ``table``. On PostgreSQL one statement whatever their number: the rows go
    as one JSON text that ``json_to_recordset`` reads back into columns, on the driver's own connection (psycopg
    sends an executemany as one INSERT a row, and SQLAlchemy adds its own cost to each statement: a push's rows
    cost ~1.5 ms of CPU that way, against ~0.3 ms here). The values are text, numbers or null."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(table.insert(), rows)
        return
    statement = _json_insert(table, tuple(rows[0]))
    with _as_sqlalchemy_would(conn, statement):
        driver_cursor(conn).execute(statement, (_ROWS_TEXT(rows),), prepare=True)


def driver_cursor(conn: Connection) -> Any:
    """A cursor of the driver's connection under ``conn`` (psycopg on PostgreSQL): in ``conn``'s transaction,
    without SQLAlchemy's work per statement (for the few statements every push and pull runs)."""
    return conn.connection.driver_connection.cursor()  # type: ignore[union-attr]


_ROWS_TEXT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


@functools.cache
def _json_insert(table: sa.Table, columns: tuple[str, ...], unless_taken: bool = False) -> str:
    from sqlalchemy.dialects import postgresql

    dialect = postgresql.dialect()
    quoted = dialect.identifier_preparer.quote
    names = ", ".join(quoted(c) for c in columns)
    kinds = ", ".join(f"{quoted(c)} {table.c[c].type.compile(dialect=dialect)}" for c in columns)
    # WITH ORDINALITY and ORDER BY: the rows go in in their order (of two with one key, the first goes in)
    statement = (
        f"INSERT INTO {dialect.identifier_preparer.format_table(table)} ({names}) "
        f"SELECT {names} FROM ROWS FROM (json_to_recordset(%s::json) AS ({kinds})) WITH ORDINALITY "
        f"AS given({names}, given_order) ORDER BY given_order"
    )
    if unless_taken:
        first = quoted(next(iter(table.primary_key.columns)).name)
        statement += f" ON CONFLICT DO NOTHING RETURNING {first}"
    return statement


def insert_unless_taken(conn: Connection, table: sa.Table, values: dict[str, Any]) -> bool:
    """Insert the row unless a unique key of ``table`` holds its value already (ON CONFLICT DO NOTHING): True
    when it went in. On PostgreSQL a key another transaction is inserting makes this one wait for its outcome."""
    return conn.execute(_unless_taken(conn, table), values).first() is not None


def insert_those_not_taken(conn: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> set[Any]:
    """``insert_unless_taken`` of several rows in one statement, in their order (a row whose key an earlier one of
    ``rows`` holds is not inserted either): the first primary-key column's value of each row that went in."""
    if not rows:
        return set()
    if conn.dialect.name == "postgresql":  # one statement, as insert_rows
        cursor = driver_cursor(conn)
        statement = _json_insert(table, tuple(rows[0]), unless_taken=True)
        with _as_sqlalchemy_would(conn, statement):
            cursor.execute(statement, (_ROWS_TEXT(rows),), prepare=True)
            return {r[0] for r in cursor.fetchall()}
    return {r[0] for r in conn.execute(_unless_taken(conn, table), rows)}


def _unless_taken(conn: Connection, table: sa.Table) -> Any:
    key = (conn.dialect.name, table.name)
    if (statement := _UNLESS_TAKEN.get(key)) is None:  # built once: its compiled form is then found again
        if conn.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            statement = pg_insert(table).on_conflict_do_nothing()
        else:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            statement = sqlite_insert(table).on_conflict_do_nothing()
        statement = _UNLESS_TAKEN[key] = statement.returning(*table.primary_key.columns)
    return statement


_UNLESS_TAKEN: dict[tuple[str, str], Any] = {}


def normalize_url(url: str) -> str:
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def owner_only(url: str) -> Path | None:
    """A SQLite database file is made owner-only (0600) before SQLite opens it: it holds ID numbers, and SQLite
    gives its -wal and -shm files the database file's permissions. An existing file is tightened. The path,
    or None for a database that is not a file."""
    name = sa.engine.make_url(url).database
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    path = Path(name)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))  # 0600 whatever the umask says
    except OSError:
        return None  # no such folder, no right to it: SQLite's own error names it
    for each in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if each.exists() and each.stat().st_mode & 0o077:
            each.chmod(0o600)
    return path


T = TypeVar("T")
# PostgreSQL ends one of two transactions that wait on each other (40P01, deadlock detected: two clinics' pushes
# taking the same county-wide keys in opposite orders) or cannot be serialised (40001); run again, the loser
# then sees what the winner committed. Anything else is not retried.
RETRIED_STATES = frozenset({"40P01", "40001"})
TRANSACTION_ATTEMPTS = 4


def sqlstate(exc: BaseException) -> str | None:
    orig = getattr(exc, "orig", None)
    return getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)


def in_transaction(engine: Engine, work: Callable[[Connection], T]) -> T:
    """``work`` in one transaction, committed; run again from the start (a fresh transaction, after a short random
    wait) when the database ended it as a deadlock's victim, and at once on a fresh connection when the pooled
    one was closed by the database (a restart) before the commit: the pool does not test a connection before it
    lends it (``make_engine``), which would cost a round trip a request. ``work`` must do nothing but database
    work."""
    for attempt in range(1, TRANSACTION_ATTEMPTS + 1):
        committing = False
        try:
            with engine.begin() as conn:
                result = work(conn)
                committing = True
            return result
        except sa.exc.DBAPIError as exc:
            closed = (
                exc.connection_invalidated and not committing
            )  # nothing was committed: the pool is renewed
            if attempt == TRANSACTION_ATTEMPTS or not (closed or sqlstate(exc) in RETRIED_STATES):
                raise
            if not closed:
                time.sleep(random.uniform(0.005, 0.03) * attempt)
    raise AssertionError("unreachable")


# Requests a worker process serves at once (its thread pool: every endpoint that reads the database runs there).
REQUEST_THREADS = 32


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalize_url(url)
    kwargs.setdefault("hide_parameters", True)  # a failed statement's values (ID numbers) never reach a log
    if url.startswith("sqlite"):
        owner_only(url)
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = FULL")
            cur.execute("PRAGMA foreign_keys = ON")
            cur.execute("PRAGMA busy_timeout = 30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            # SQLite has one writer; a transaction that read first and writes later fails at once when another
            # writer committed in between. Taking the write lock at BEGIN makes every transaction wait its turn
            # instead (PostgreSQL, the production database, runs them concurrently).
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    # as many connections as a worker runs requests at once (REQUEST_THREADS): a pool smaller than that opens and
    # closes "overflow" connections under load, and each new PostgreSQL backend costs milliseconds of CPU. No
    # "pre-ping" (a SELECT before every request, ~0.3 ms of a pull page's ~2 ms): the endpoints run in
    # ``in_transaction``, which runs the work again on a fresh connection when the database had closed the one lent
    return sa.create_engine(url, pool_size=REQUEST_THREADS, max_overflow=REQUEST_THREADS // 4, **kwargs)
