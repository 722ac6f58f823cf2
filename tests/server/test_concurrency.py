"""A pull never skips a committed change, even while many pushes commit at once."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from clinic_app.ids import uuid7
from sync import protocol as p
from sync.server import access, admin, common
from sync.server import push as push_engine

from .conftest import HEADERS, County
from .live import live_server

DEVICES = 8
BATCHES = 50
BATCH_SIZE = 10


def _enroll(base: str, county: County, clinic: str, name: str) -> dict[str, str]:
    code = county.admin(admin.make_enroll_code, clinic)
    r = requests.post(
        f"{base}/api/v1/enroll",
        json={"code": code, "device_name": name, "app_version": "0.1.0"},
        headers=HEADERS,
        timeout=30,
    )
    r.raise_for_status()
    return {**HEADERS, "Authorization": f"Bearer {r.json()['token']}"}


def test_concurrent_pushes_while_pulling_lose_and_repeat_nothing(county: County) -> None:
    with live_server(county.engine) as base:
        pushers = [_enroll(base, county, "A01", f"A-{i}") for i in range(DEVICES)]
        noise = _enroll(base, county, "B01", "B-1")
        reader = _enroll(base, county, "A01", "A-reader")
        pushed: list[str] = []
        errors: list[str] = []
        lock = threading.Lock()
        done = threading.Event()

        def push_all(headers: dict[str, str]) -> None:
            session = requests.Session()
            for _ in range(BATCHES):
                rows = [
                    {"id": uuid7(), "action": "test", "summary": "x", "rows": "{}"} for _ in range(BATCH_SIZE)
                ]
                body = {
                    "mutations": [
                        {
                            "mutation_id": uuid7(),
                            "table": "audit_log",
                            "op": "upsert",
                            "row_id": r["id"],
                            "base_version": 0,
                            "fields": r,
                        }
                        for r in rows
                    ]
                }
                r = session.post(f"{base}/api/v1/push", json=body, headers=headers, timeout=60)
                if r.status_code != 200 or any(x["status"] != "applied" for x in r.json()["results"]):
                    errors.append(r.text[:200])
                    return
                if headers is not noise:
                    with lock:
                        pushed.extend(x["id"] for x in rows)

        pulled: list[str] = []

        def pull_loop() -> None:
            session = requests.Session()
            cursor = None
            while True:
                finished = done.is_set()  # read before the pull: a pull after the last commit ends the loop
                params: dict[str, Any] = {"limit": 37, **({"cursor": cursor} if cursor else {})}
                r = session.get(f"{base}/api/v1/pull", params=params, headers=reader, timeout=60)
                if r.status_code != 200:
                    errors.append(r.text[:200])
                    return
                body = r.json()
                pulled.extend(c["row_id"] for c in body["changes"] if c["table"] == "audit_log")
                cursor = body["cursor"]
                if finished and not body["has_more"]:
                    return

        threads = [threading.Thread(target=push_all, args=(h,)) for h in [*pushers, noise]]
        puller = threading.Thread(target=pull_loop)
        puller.start()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        done.set()
        puller.join(timeout=120)
    assert not errors, errors[:3]
    assert len(pushed) == DEVICES * BATCHES * BATCH_SIZE
    assert len(pulled) == len(set(pulled)), "a change arrived twice"
    assert set(pulled) == set(pushed), f"{len(set(pushed) - set(pulled))} committed changes were skipped"


def _entry() -> p.Mutation:
    row = {"id": uuid7(), "action": "test", "summary": "x", "rows": "{}"}
    return p.Mutation(
        mutation_id=uuid7(), table="audit_log", op="upsert", row_id=row["id"], base_version=0, fields=row
    )


def _wait_for_a_lock_wait(engine: sa.Engine) -> None:
    """Until another session of this database waits for a row lock (push 2 on the clinic counter)."""
    deadline = time.monotonic() + 30
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = conn.execute(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                )
            ).scalar_one()
            conn.rollback()
            if waiting:
                return
            time.sleep(0.02)
    raise AssertionError("push 2 never waited for the clinic counter")


def _caller(engine: sa.Engine, headers: dict[str, str]) -> common.Caller:
    with engine.begin() as conn:
        return access.caller_for_token(conn, headers["Authorization"].removeprefix("Bearer "))


def test_a_pull_during_an_uncommitted_push_cannot_pass_it(county: County) -> None:
    """The case a global sequence gets wrong: push 1 takes its numbers and has not committed, push 2 would take
    later numbers and commit first, a pull in between would move its cursor past push 1. Here push 2 waits for
    push 1's lock on the clinic counter, so the pull sees neither, and afterwards both, in order."""
    if county.engine.dialect.name == "sqlite":
        pytest.skip(
            "SQLite runs one write transaction at a time (BEGIN IMMEDIATE): a pull waits for the push"
        )
    first, second = (
        _caller(county.engine, county.enroll("A01", "PC-1")),
        _caller(county.engine, county.enroll("A01", "PC-2")),
    )
    reader = county.enroll("A01", "reader")

    def pull(cursor: str | None) -> tuple[list[tuple[str, int]], str]:
        r = county.client.get("/api/v1/pull", params={"cursor": cursor} if cursor else {}, headers=reader)
        assert r.status_code == 200, r.text
        body = r.json()
        return [(c["row_id"], c["version"]) for c in body["changes"] if c["table"] == "audit_log"], body[
            "cursor"
        ]

    _, cursor = pull(None)
    one, two = _entry(), _entry()
    done = threading.Event()
    with county.engine.connect() as conn:
        tx = conn.begin()
        [applied_one] = push_engine.push(conn, first, [one])

        def push_two() -> None:
            with county.engine.begin() as other:
                push_engine.push(other, second, [two])
            done.set()

        thread = threading.Thread(target=push_two)
        thread.start()
        _wait_for_a_lock_wait(county.engine)
        assert not done.is_set(), "push 2 committed while push 1 held the clinic counter"
        seen, after = pull(cursor)
        assert seen == [], "a pull shows nothing uncommitted and keeps its cursor"
        tx.commit()
    thread.join(timeout=30)
    assert done.is_set()
    seen, _ = pull(after)
    assert [row_id for row_id, _ in seen] == [one.row_id, two.row_id]
    assert seen[0][1] == applied_one.version < seen[1][1], "numbers in commit order, none given twice"
