"""The device's sync process killed at random points of push and pull: afterwards every change made on the
device is on the server exactly once, and the device holds every server change exactly once."""

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


def _server_work(county: County, other: common.Caller, n: int) -> None:
    from sync.protocol import Mutation

    rows = [{"id": str(uuid.uuid4()), "name": f"服务器村{uuid.uuid4().hex[:8]}"} for _ in range(n)]
    with county.engine.begin() as conn:
        push_engine.push(conn, other, [Mutation(mutation_id=str(uuid.uuid4()), table="village", op="upsert",
                                            row_id=r["id"], base_version=0, fields=r) for r in rows])  # fmt: skip


@pytest.mark.parametrize(
    "database_url", ["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)], indirect=True
)
def test_killed_sync_loses_and_repeats_nothing(
    county: County, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the token must be where the child processes find it: in the encrypted database, whatever keyring this
    # test process has been given by other tests
    monkeypatch.setattr("clinic_app.keystore.keyring_usable", lambda: False)
    device_db, key = tmp_path / "pc.db", tmp_path / "pc.key"
    store, _ = Store.initialise(device_db, "LOCAL", "x", key_file=key)
    admin = users.add_user(store, None, "admin", "clinic_admin", "admin-pass-1")
    store.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    finished: list[str] = []
    with live_server(county.engine) as url:
        code = county.admin(server_admin.make_enroll_code, "A01")
        assert (
            main(["enroll", "--db", str(device_db), "--key-file", str(key), "--server", url, "--code", code])
            == 0
        )
        clinic_id = county.admin(server_admin.clinic_by_code, "A01").id
        other = common.Caller(device_id="other", clinic_id=clinic_id, role="device")
        rng = random.Random(4242)
        kills = 0
        for _trial in range(TRIALS):
            store = Store.open(device_db, key)
            _device_work(store, admin.id, rng, rng.randrange(50, 400))
            store.close()
            _server_work(county, other, rng.randrange(50, 400))
            proc = subprocess.Popen([sys.executable, "-m", "sync.client_cli", "sync", "--verbose", "--db",
                                     str(device_db), "--key-file", str(key)], env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE, text=True)  # fmt: skip
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
    store.close()
    with county.engine.connect() as conn:
        server = {r.row_id: int(r.version) for r in conn.execute(
            sa.select(db.record.c.row_id, db.record.c.version).where(db.record.c.table_name == "village",
                                                                     db.record.c.clinic_id == clinic_id))}  # fmt: skip
        server_audit = {r[0] for r in conn.execute(sa.select(db.record.c.row_id).where(
            db.record.c.table_name == "audit_log", db.record.c.clinic_id == clinic_id))}  # fmt: skip
        mutations = conn.execute(sa.select(sa.func.count()).select_from(db.mutation)).scalar_one()
    assert local == server, "same rows, same versions on both sides"
    assert local_audit == server_audit
    assert mutations >= len(local), json.dumps({"mutations": mutations})
