"""The device's sync process killed at random points of push and pull: afterwards every change made on the
device is on the server exactly once, and the device holds every server change exactly once. "Exactly once" is
counted, not compared as sets: the outbox entries made on the device (their mutation ids, noted as each action
commits) against the mutations the server accepted from this device (its `mutation` table, with the result
it answered), and each row's version against the version of the one change that made it."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from clinic_app import users
from clinic_app.store import Store
from sync.client import Client
from sync.client_cli import main
from sync.server import admin as server_admin
from sync.server import common, db
from sync.server import push as push_engine

from .conftest import County
from .live import live_server

ROOT = Path(__file__).resolve().parents[2]
TRIALS = 50


def _device_work(store: Store, actor_id: str, rng: random.Random, n: int) -> None:
    """n audit-style events and village rows in one action: enough to be mid-push when killed."""
    with store.unit(actor_id, "test.work") as uow:
        for _ in range(n):
            uow.insert("village", {"name": f"村{uuid.uuid4().hex[:10]}", "code": str(rng.randrange(10**6))})


def _server_work(county: County, other: common.Caller, n: int, admin_id: str) -> list[str]:
    """n villages pushed by another device of the clinic, by its admin once the county has the account (before,
    by nobody: the clinic has no account yet); the mutation ids it used."""
    from sync.protocol import Mutation

    rows = [{"id": str(uuid.uuid4()), "name": f"服务器村{uuid.uuid4().hex}"} for _ in range(n)]
    with county.engine.begin() as conn:
        known = conn.execute(
            sa.select(db.record.c.row_id).where(
                db.record.c.table_name == "user", db.record.c.row_id == admin_id
            )
        ).first()
    mutations = [
        Mutation(
            mutation_id=str(uuid.uuid4()),
            table="village",
            op="upsert",
            row_id=r["id"],
            base_version=0,
            fields=r,
            user_id=admin_id if known else None,
        )
        for r in rows
    ]
    with county.engine.begin() as conn:
        push_engine.push(conn, other, mutations)
    return [m.mutation_id for m in mutations]


def _entries_after(store: Store, seq: int) -> list[tuple[str, str, str]]:
    """The outbox entries made after entry ``seq`` (the outbox never reuses a number): (mutation id, table, row)."""
    return [
        (r[0], r[1], r[2])
        for r in store.conn.execute(
            "SELECT mutation_id, table_name, row_id FROM outbox WHERE seq > ? ORDER BY seq", (seq,)
        )
    ]


def _last_entry(store: Store) -> int:
    return int(store.conn.execute("SELECT coalesce(max(seq), 0) FROM outbox").fetchone()[0])


@pytest.mark.parametrize(
    "database_url", ["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)], indirect=True
)
@pytest.mark.timeout(600)  # ~70 s alone; three times that beside another test worker on two cores
def test_killed_sync_loses_and_repeats_nothing(
    county: County, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the token must be where the child processes find it: in the encrypted database, whatever keyring this
    # test process has been given by other tests
    monkeypatch.setattr("clinic_app.keystore.keyring_usable", lambda: False)
    device_db, key = tmp_path / "pc.db", tmp_path / "pc.key"
    store, _ = Store.initialise(device_db, "LOCAL", "x", key_file=key)
    admin = users.add_user(store, None, "admin", "clinic_admin", "admin-pass-1")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    finished: list[str] = []
    made: list[
        tuple[str, str, str]
    ] = []  # (mutation id, table, row id) of every outbox entry made on the device
    by_other: list[str] = []
    with live_server(county.engine) as url:
        code = county.admin(server_admin.make_enroll_code, "A01")
        Client(store, url).enroll(code, "PC-1")  # no sync yet: what the outbox holds now was made here
        made += _entries_after(store, 0)
        store.close()
        clinic_id = county.admin(server_admin.clinic_by_code, "A01").id
        other = common.Caller(device_id="other", clinic_id=clinic_id, role="device")
        rng = random.Random(4242)
        kills = 0
        for _trial in range(TRIALS):
            store = Store.open(device_db, key)
            last = _last_entry(store)
            _device_work(store, admin.id, rng, rng.randrange(50, 400))
            made += _entries_after(store, last)  # noted as the action commits, before any sync touches them
            store.close()
            by_other += _server_work(county, other, rng.randrange(50, 400), admin.id)
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "sync.client_cli",
                    "sync",
                    "--verbose",
                    "--db",
                    str(device_db),
                    "--key-file",
                    str(key),
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            assert proc.stderr is not None
            # kill after a random number of sync steps (push batches and pull pages), a random moment later:
            # inside a request, while its answer is written, or between steps
            steps = rng.randrange(1, 4)
            for _ in range(steps):
                if not proc.stderr.readline():
                    break
            time.sleep(rng.uniform(0, 0.15))
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                kills += 1
            else:
                finished.append(f"{steps} steps, exit {proc.returncode}: {proc.stderr.read()[-200:]!r}")
            proc.wait()
        capsys.readouterr()
        assert main(["sync", "--db", str(device_db), "--key-file", str(key)]) == 0  # after the faults stop
    assert kills >= TRIALS // 2, f"only {kills} of {TRIALS} runs were killed mid-sync: {finished[:5]}"

    store = Store.open(device_db, key)
    local = {r[0]: r[1] for r in store.conn.execute("SELECT id, row_version FROM village")}
    local_audit = {r[0] for r in store.conn.execute("SELECT id FROM audit_log")}
    assert store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
    assert store.conn.execute("SELECT count(*) FROM conflict").fetchone()[0] == 0
    store.close()
    with county.engine.connect() as conn:
        server = {
            r.row_id: int(r.version)
            for r in conn.execute(
                sa.select(db.record.c.row_id, db.record.c.version).where(
                    db.record.c.table_name == "village", db.record.c.clinic_id == clinic_id
                )
            )
        }
        server_audit = {
            r[0]
            for r in conn.execute(
                sa.select(db.record.c.row_id).where(
                    db.record.c.table_name == "audit_log", db.record.c.clinic_id == clinic_id
                )
            )
        }
        accepted = {
            r.mutation_id: json.loads(r.result)
            for r in conn.execute(
                sa.select(db.mutation.c.mutation_id, db.mutation.c.result).where(
                    db.mutation.c.clinic_id == clinic_id
                )
            )
        }
        versions = {
            (r.table_name, r.row_id): int(r.version)
            for r in conn.execute(
                sa.select(db.record.c.table_name, db.record.c.row_id, db.record.c.version).where(
                    db.record.c.clinic_id == clinic_id
                )
            )
        }
        server_conflicts = conn.execute(sa.select(sa.func.count()).select_from(db.conflict)).scalar_one()
    assert local == server, "same rows, same versions on both sides"
    assert local_audit == server_audit
    assert len(local) == len(server) == len({m[2] for m in made if m[1] == "village"}) + len(by_other)

    from_device = sorted(m for m in accepted if m not in set(by_other))
    assert len(by_other) + len(from_device) == len(accepted)
    assert from_device == sorted(m[0] for m in made), (
        "each outbox entry made is accepted once, and nothing else"
    )
    assert len({m[0] for m in made}) == len(made) > TRIALS * 50
    assert {accepted[m]["status"] for m in from_device} == {"applied"}
    assert server_conflicts == 0, "a change applied twice would be decided against itself"
    # one change per row here: the version its one acceptance was given is the row's version now
    assert {(t, r): accepted[m]["version"] for m, t, r in made} == {
        (t, r): versions[t, r] for _, t, r in made
    }
