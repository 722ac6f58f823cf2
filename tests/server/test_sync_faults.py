"""Network faults between device and server: sync completes once they stop, nothing lost or duplicated."""

from __future__ import annotations

import random
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from clinic_app import users
from clinic_app.store import Store
from clinic_app.syncstate import set_state
from sync.client import Client, Offline, sync_with_retries
from sync.client_cli import main
from sync.server import admin as server_admin
from sync.server import db

from .conftest import County
from .faultproxy import FaultProxy
from .live import live_server


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sync_through_faults_converges(
    county: County, tmp_path: Path, seed: int, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path, key = tmp_path / "pc.db", tmp_path / "pc.key"
    store, _ = Store.initialise(db_path, "LOCAL", "x", key_file=key)
    admin = users.add_user(store, None, "admin", "clinic_admin", "admin-pass-1")
    store.close()
    rng = random.Random(seed)
    with live_server(county.engine) as url:
        code = county.admin(server_admin.make_enroll_code, "A01")
        assert (
            main(["enroll", "--db", str(db_path), "--key-file", str(key), "--server", url, "--code", code])
            == 0
        )
        upstream = int(url.rsplit(":", 1)[1])
        clinic_id = county.admin(server_admin.clinic_by_code, "A01").id
        proxy = FaultProxy(upstream, faulty_requests=12, seed=seed)
        with proxy.running() as proxy_url:
            for _round in range(4):
                store = Store.open(db_path, key)
                with store.unit(admin.id, "test.work") as uow:
                    for _ in range(rng.randrange(20, 700)):  # more than one push batch at times
                        uow.insert("village", {"name": f"村{uuid.uuid4().hex[:10]}"})
                with store._write_lock:
                    set_state(store.conn, "server_url", proxy_url)
                client = Client(store)
                try:
                    sync_with_retries(client, attempts=20, sleep=lambda _s: None)
                except Offline:
                    pytest.fail(f"20 attempts did not get through {proxy.seen}")
                store.close()
        assert {"500_after", "reset_after", "truncate"} & set(proxy.seen), proxy.seen
    store = Store.open(db_path, key)
    local = {r[0]: r[1] for r in store.conn.execute("SELECT id, row_version FROM village")}
    assert store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
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
    assert local == server
