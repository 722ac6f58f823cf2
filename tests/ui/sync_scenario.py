"""A county server on loopback with two enrolled devices of one clinic, one conflict waiting on the laptop and
one change the server refused: what the Sync page tests and screenshots start from."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from clinic_app import residents as R
from clinic_app import users
from clinic_app.store import Store
from sync.client import Client, enroll_new_device, recorded
from sync.server import admin as server_admin
from sync.server import db
from sync.server.db import make_engine

PASSWORD = "admin-pass-1"


@dataclass
class Scenario:
    url: str
    engine: object
    pc: Path
    laptop: Path

    def open(self, db: Path) -> Store:
        return Store.open(db, db.with_suffix(".key"))

    def enroll_code(self) -> str:
        with self.engine.begin() as conn:  # type: ignore[attr-defined]
            return str(server_admin.make_enroll_code(conn, "A01"))


def _edit(store: Store, name: str, **fields: str) -> None:
    admin = users.authenticate(store, "admin", PASSWORD)
    row = dict(store.conn.execute("SELECT * FROM resident WHERE name = ?", (name,)).fetchone())
    data = R.resident_input(row)
    for k, v in fields.items():
        setattr(data, k, v)
    R.update_resident(store, admin, row["id"], data)


def _sync(store: Store, trigger: str = "cli") -> None:
    client = Client(store)
    recorded(store, trigger, lambda r: client.sync(report=r))


@contextmanager
def scenario(tmp: Path, conflict: bool = True) -> Iterator[Scenario]:
    from tests.server.live import live_server

    engine = make_engine(f"sqlite:///{tmp / 'county.db'}")
    db.migrate(engine)
    with engine.begin() as conn:
        server_admin.add_clinic(conn, "A01", "石头村卫生室")
    with live_server(engine) as url:
        s = Scenario(url, engine, tmp / "pc.db", tmp / "laptop.db")
        pc, _where = Store.initialise(s.pc, "LOCAL", "本地", key_file=s.pc.with_suffix(".key"))
        admin = users.add_user(pc, None, "admin", "clinic_admin", PASSWORD, display_name="王院长")
        vid = R.add_village(pc, admin, "石头村")
        R.add_resident(
            pc,
            admin,
            R.ResidentInput(
                name="张三",
                id_number="11010519491231002X",
                village_id=vid,
                relation_to_head="head",
                phone="13812345678",
            ),
            household_code="H0001",
        )
        R.add_resident(
            pc,
            admin,
            R.ResidentInput(
                name="李四", id_number="445224199202290042", village_id=vid, relation_to_head="spouse"
            ),
            household_code="H0001",
        )
        Client(pc, url).enroll(s.enroll_code(), "诊室电脑")
        _sync(pc, "enroll")
        laptop, _reply, _report = enroll_new_device(
            s.laptop, str(s.laptop.with_suffix(".key")), url, s.enroll_code(), "随访笔记本"
        )
        if conflict:
            _edit(pc, "张三", phone="13800000001", note="电话已改")
            _edit(laptop, "张三", phone="13900000002", note="随访时登记")
            _sync(pc)
            _sync(laptop)
        pc.close()
        laptop.close()
        yield s
    engine.dispose()


def refuse_a_change(store: Store) -> None:
    """A change the server refuses: a phone number the device's own check let through (an older version's
    rules), written behind the program's back."""
    row = store.conn.execute("SELECT id, row_version FROM resident WHERE name = '李四'").fetchone()
    store.conn.execute("UPDATE resident SET note = '旧版本写入' WHERE id = ?", (row["id"],))
    store.conn.execute(
        "INSERT INTO outbox(mutation_id, table_name, row_id, op, payload, base_version, user_id, device_time) "
        "VALUES ('01a1f000-0000-7000-8000-0000000000e1', 'resident', ?, 'upsert', ?, ?, (SELECT id FROM \"user\" LIMIT 1), '2026-11-24T08:00:00.000Z')",
        (row["id"], '{"id_number": "445224199202290043", "note": "旧版本写入"}', row["row_version"]),
    )
