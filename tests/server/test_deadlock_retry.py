"""A transaction PostgreSQL ends as a deadlock's victim is run again, so two clinics pushing at once never see a
500 for it; any other database error is not retried."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.server import db
from sync.server import push as pushing

from .conftest import County
from .test_api import mutation, pull_all, push, resident


class _Deadlocked(Exception):
    sqlstate = "40P01"


def _deadlock_error() -> sa.exc.DBAPIError:
    return sa.exc.OperationalError("UPDATE …", {}, _Deadlocked("deadlock detected"))


def test_two_transactions_that_deadlock_on_postgresql_both_commit(engine: sa.Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite takes the write lock at BEGIN: two transactions cannot deadlock there")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE pair (k int PRIMARY KEY, v int NOT NULL)")
        conn.exec_driver_sql("INSERT INTO pair VALUES (1, 0), (2, 0)")
    both_hold_one = threading.Barrier(2, timeout=10)
    attempts = {1: 0, 2: 0}
    failures: list[BaseException] = []

    def locking(first: int, second: int) -> Any:
        def work(conn: Connection) -> None:
            attempts[first] += 1
            conn.exec_driver_sql(f"UPDATE pair SET v = v + 1 WHERE k = {first}")
            if attempts[first] == 1:
                both_hold_one.wait()  # each holds one row and asks for the other's: a deadlock
            conn.exec_driver_sql(f"UPDATE pair SET v = v + 1 WHERE k = {second}")

        def run() -> None:
            try:
                db.in_transaction(engine, work)
            except BaseException as exc:  # reported below
                failures.append(exc)

        return run

    threads = [threading.Thread(target=locking(1, 2)), threading.Thread(target=locking(2, 1))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert failures == []
    assert sorted(attempts.values()) == [1, 2]  # the victim ran twice, the winner once
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT k, v FROM pair ORDER BY k").all() == [(1, 2), (2, 2)]


def test_an_error_that_is_not_a_deadlock_is_raised_at_once(engine: sa.Engine) -> None:
    calls = 0

    def work(conn: Connection) -> None:
        nonlocal calls
        calls += 1
        conn.exec_driver_sql("SELECT * FROM no_such_table")

    with pytest.raises(sa.exc.DBAPIError):
        db.in_transaction(engine, work)
    assert calls == 1


def test_a_deadlock_that_does_not_end_is_raised_after_the_last_attempt(engine: sa.Engine) -> None:
    calls = 0

    def work(_conn: Connection) -> None:
        nonlocal calls
        calls += 1
        raise _deadlock_error()

    with pytest.raises(sa.exc.OperationalError):
        db.in_transaction(engine, work)
    assert calls == db.TRANSACTION_ATTEMPTS


def test_a_push_whose_transaction_was_a_deadlock_victim_is_answered_and_stored_once(
    county: County, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = county.enroll("A01")
    real_push = pushing.push
    calls = 0

    def victim_first(conn: Connection, *args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        results = real_push(conn, *args, **kwargs)  # written, then rolled back by the "deadlock"
        if calls == 1:
            raise _deadlock_error()
        return results

    monkeypatch.setattr(pushing, "push", victim_first)
    row = resident()
    results = push(county, headers, mutation("resident", row))
    assert calls == 2
    assert [r["status"] for r in results] == ["applied"]
    changes, _ = pull_all(county, headers)
    assert [c["row"]["id"] for c in changes if c["table"] == "resident"] == [row["id"]]


def test_a_deadlock_on_a_statement_sent_on_the_driver_connection_is_retried_too(engine: sa.Engine) -> None:
    """The hot statements of push and pull go on the driver's own connection (db.fetch, db.insert_rows): its
    error reaches ``in_transaction`` as SQLAlchemy's would, so a deadlock's victim is run again there too, and
    any other error is raised as SQLAlchemy raises it."""
    if engine.dialect.name != "postgresql":
        pytest.skip("the driver's connection is used on PostgreSQL only")
    victim = sa.text("DO $$ BEGIN RAISE EXCEPTION 'deadlock detected' USING ERRCODE = '40P01'; END $$")
    attempts: list[int] = []

    def work(conn: Connection) -> str:
        attempts.append(1)
        if len(attempts) == 1:
            db.fetch(conn, victim)
        return db.epoch(conn)

    assert db.in_transaction(engine, work)
    assert len(attempts) == 2
    other = sa.text("DO $$ BEGIN RAISE EXCEPTION 'no' USING ERRCODE = '22023'; END $$")
    with pytest.raises(sa.exc.DBAPIError) as raised:
        db.in_transaction(engine, lambda conn: db.fetch(conn, other))
    assert db.sqlstate(raised.value) == "22023"
