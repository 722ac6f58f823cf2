"""The device database of schemas 4 to 7 as the program of that time made it: a clinic enrolled with a real
county server (SQLite, on a loopback port) and synced with a second device of the clinic, through the code's
own functions — villages, households, residents, users, a conflict decided and one still open, a change the
county refused and one still waiting, sync runs (schema 5 on), teams, insurance, service packages, policy and
contracts (schema 6 on); on 7 the county's 北村 set aside (the device holds its own). Run by make_schema_v<N>.py with the code of the commit it names checked out (see there);
the key is then changed to schema_v1.key (a test key), so every frozen database opens with it."""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PASSWORD = "admin-pass-1"


def build(version: int, out: Path) -> None:
    sys.path.insert(0, str(HERE.parents[1]))  # the checked-out commit's code, not an installed one
    from clinic_app import conflicts, users
    from clinic_app import residents as R
    from clinic_app.db import connect
    from clinic_app.migrations import SCHEMA_VERSION
    from clinic_app.store import Store
    from sync import client as C

    service = _server_functions()
    from sync.server.db import make_engine
    from tests.server.live import live_server

    assert version == SCHEMA_VERSION, f"this commit's code is schema {SCHEMA_VERSION}, not {version}"
    recorded: Callable[..., Any] | None = getattr(C, "recorded", None)  # the sync history: schema 5 on

    def sync(store: Store, url: str | None = None, trigger: str = "cli") -> None:
        client = C.Client(store, url) if url else C.Client(store)
        if recorded is not None:
            recorded(store, trigger, lambda r: client.sync(report=r))
        else:
            client.sync()

    work = Path(tempfile.mkdtemp(prefix=f"schema_v{version}-"))
    engine = make_engine(f"sqlite:///{work / 'county.db'}")
    service.migrate(engine)
    with engine.begin() as conn:
        service.add_clinic(conn, "A01", "石头村卫生室")
        if version >= 6:
            service.install_default_packages(conn)
            for key, value in {
                "capitation.rate_fen": "9000",
                "capitation.age_weights": "[[0, 64, 1], [65, null, 1.5]]",
                "capitation.quality_reserve_pct": "10",
            }.items():
                service.set_policy(conn, key, value, "2026-01-01")
    db = work / "pc.db"
    pc, _ = Store.initialise(db, "LOCAL", "石头村卫生室", key_file=work / "pc.key")
    admin = users.add_user(pc, None, "admin", "clinic_admin", PASSWORD, display_name="管理员")
    doctor = users.add_user(pc, admin, "doctor", "village_doctor", "doctor-pass-1", display_name="李医生")
    from clinic_app.errors import AuthError
    from clinic_app.settings import set_setting

    set_setting(pc.conn, "idle_lock_seconds", 900)
    set_setting(pc.conn, "lockout_attempts", 6)
    with contextlib.suppress(AuthError):  # kept in login_state: one wrong password of six
        users.authenticate(pc, "doctor", "wrong-pass-1")
    east = R.add_village(pc, admin, "石头村", "370101001")
    west = R.add_village(pc, admin, "河东村")
    people = [
        ("张三", "11010519491231002X", east, "head", "H0001", "13812345678"),
        ("李四", "445224199202290042", east, "spouse", "H0001", None),
        ("王五", "110105194912310011", west, "head", "H0002", "13900001111"),
        ("赵六", "110105201901010016", west, "child", "H0002", None),
    ]
    ids: dict[str, str] = {}
    for name, number, village, relation, household, phone in people:
        ids[name] = R.add_resident(
            pc,
            admin,
            R.ResidentInput(
                name=name, id_number=number, village_id=village, relation_to_head=relation, phone=phone
            ),
            household_code=household,
        )
    ids["John"] = R.add_resident(
        pc,
        admin,
        R.ResidentInput(
            name="John Smith",
            document_type="passport",
            document_number="P1234567",
            sex="M",
            birth_date="1980-05-01",
            village_id=east,
            note="外籍",
        ),
    )
    with live_server(engine) as url:
        with engine.begin() as conn:
            codes = [service.make_enroll_code(conn, "A01") for _ in range(2)]
        client = C.Client(pc, url)
        client.enroll(codes[0], "PC-1")
        sync(pc, url, "enroll")
        laptop, _ = Store.initialise(work / "laptop.db", "LOCAL", "x", key_file=work / "laptop.key")
        C.Client(laptop, url).enroll(codes[1], "PC-2")
        sync(laptop, url, "enroll")
        admin_b = users.authenticate(laptop, "admin", PASSWORD)
        if version >= 6:
            _contracts(pc, admin, doctor, ids)
            sync(pc)
            sync(laptop)
        # the same fields edited on both devices: two conflicts, one decided here, one left for a person
        for store, actor, phone in ((laptop, admin_b, "13700000001"), (pc, admin, "13700000002")):
            for name in ("张三", "王五"):
                row = R.get_resident(store.conn, ids[name])
                R.update_resident(store, actor, ids[name], R.resident_input({**row, "phone": phone}))
        R.add_village(laptop, admin_b, "北村")
        sync(laptop)
        R.add_village(pc, admin, "北村")  # registered on both devices offline: the county refuses the second
        try:  # the device cannot store the county's 北村 beside its own: a bug (test_refused_duplicate_name.py)
            sync(pc, trigger="timer")
        except Exception as exc:
            print("sync after the refused village:", type(exc).__name__, exc)
        if version < 7:  # renamed on the laptop: the device stores the county's row after all
            [north] = [v for v in R.list_villages(laptop.conn, laptop.clinic_id) if v["name"] == "北村"]
            with laptop.unit(admin_b.id, "village.edit") as uow:
                uow.update("village", north["id"], {"name": "北村二组"})
            sync(laptop)
        # (from schema 7 the county's 北村 stays set aside on this device: its own 北村 holds the name)
        sync(pc)
        [decided, _open] = sorted(conflicts.list_conflicts(pc.conn), key=lambda c: c.row_id != ids["王五"])
        conflicts.resolve(pc, admin, decided.id, {f.name: "mine" for f in decided.fields})
        sync(pc)
        sync(laptop)
        row = R.get_resident(pc.conn, ids["赵六"])  # a change still waiting when the county is unreachable
        R.update_resident(pc, admin, ids["赵六"], R.resident_input({**row, "note": "随访时不在家"}))
    if recorded is not None:
        try:
            sync(pc, trigger="timer")
        except Exception as exc:  # offline: kept in the history as such
            print("the last sync, offline as meant:", type(exc).__name__)
    pc.close()
    laptop.close()
    test_key = bytes.fromhex((HERE / "schema_v1.key").read_text().strip())
    conn = connect(db, bytes.fromhex((work / "pc.key").read_text().strip()))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute(f"PRAGMA rekey = \"x'{test_key.hex()}'\"")
    conn.close()
    shutil.copyfile(db, out)
    shutil.rmtree(work)


def _server_functions() -> Any:
    """The county server's functions this script calls: one module ``service`` before issue 10, then the
    modules it was split into (admin, reference, db)."""
    try:
        from sync.server import service  # type: ignore[attr-defined]
    except ImportError:
        from types import SimpleNamespace

        from sync.server import admin, db, reference

        return SimpleNamespace(
            migrate=db.migrate,
            add_clinic=admin.add_clinic,
            make_enroll_code=admin.make_enroll_code,
            install_default_packages=reference.install_default_packages,
            set_policy=reference.set_policy,
        )
    return service


def _contracts(store: Any, admin: Any, doctor: Any, ids: dict[str, str]) -> None:
    from clinic_app import contracts, users

    nurse = users.add_user(store, admin, "nurse", "nurse", "nurse-pass-1", display_name="王护士")
    contracts.add_team(store, admin, "一队", doctor.username, [nurse.username])
    contracts.add_team(store, admin, "二队", admin.username)
    today = dt.date(2026, 1, 5)
    for name in ("张三", "李四", "王五"):
        contracts.set_insurance(store, admin, ids[name], 2026, paid_on=dt.date(2025, 12, 20))
    contracts.set_insurance(store, admin, ids["赵六"], 2026, paid=False)
    contracts.sign(
        store, doctor, [ids["张三"], ids["李四"]], "一队", 2026, ["BASIC"], witness="王护士", today=today
    )
    [signed] = contracts.sign(
        store,
        doctor,
        [ids["王五"]],
        "二队",
        2026,
        ["BASIC"],
        consent="screen",
        signature="data:image/png;base64,iVBORw0KGgo=",
        today=today,
    ).contract_ids
    contracts.terminate(store, admin, signed, "moved_away", on=dt.date(2026, 3, 1))
