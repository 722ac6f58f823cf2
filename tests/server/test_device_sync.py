"""Devices and a real county server on a loopback port (SQLite and PostgreSQL): enrollment, a second device
set up by enrollment alone, edits flowing both ways, conflicts, rejections, offline."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from clinic_app import contracts, users
from clinic_app import residents as R
from clinic_app.store import Store
from sync.client_cli import main
from sync.server import admin as server_admin

from .conftest import County
from .live import free_port, live_server

PW = "admin-pass-1"


def clinic_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.fixture
def first_device(tmp_path: Path) -> Path:
    store, _ = Store.initialise(tmp_path / "pc.db", "LOCAL", "本地名", key_file=tmp_path / "pc.key")
    admin = users.add_user(store, None, "admin", "clinic_admin", PW)
    vid = R.add_village(store, admin, "石头村")
    R.add_resident(
        store,
        admin,
        R.ResidentInput(name="张三", id_number="11010519491231002X", village_id=vid, relation_to_head="head"),
        household_code="H0001",
    )
    R.add_resident(
        store,
        admin,
        R.ResidentInput(
            name="李四", id_number="445224199202290042", village_id=vid, relation_to_head="spouse"
        ),
        household_code="H0001",
    )
    store.close()
    return tmp_path / "pc.db"


def _open(db: Path) -> Store:
    return Store.open(db, db.with_suffix(".key"))


def _resident(store: Store, name: str) -> dict[str, Any]:
    return dict(store.conn.execute("SELECT * FROM resident WHERE name = ?", (name,)).fetchone())


def test_two_devices_of_a_clinic_share_users_and_residents(
    county: County, first_device: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pc, laptop = first_device, tmp_path / "laptop.db"
    with live_server(county.engine) as url:
        code1, code2 = (
            county.admin(server_admin.make_enroll_code, "A01"),
            county.admin(server_admin.make_enroll_code, "A01"),
        )
        rc, out = clinic_cli(
            capsys,
            "enroll",
            "--db",
            str(pc),
            "--key-file",
            str(pc.with_suffix(".key")),
            "--server",
            url,
            "--code",
            code1,
        )
        assert rc == 0, out
        store = _open(pc)
        assert store.clinic_id == county.admin(server_admin.clinic_by_code, "A01").id, (
            "the county's clinic id adopted"
        )
        assert store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0, "everything sent"
        assert store.conn.execute("SELECT name FROM clinic").fetchall()[0][0] == "石头村卫生室"
        store.close()

        # the laptop: enrollment alone, no admin of its own, no files copied
        rc, out = clinic_cli(
            capsys,
            "enroll",
            "--db",
            str(laptop),
            "--key-file",
            str(laptop.with_suffix(".key")),
            "--server",
            url,
            "--code",
            code2,
        )
        assert rc == 0, out
        lap = _open(laptop)
        assert users.authenticate(lap, "admin", PW).role == "clinic_admin", "signs in with the same password"
        assert [r["name"] for r in R.search_residents(lap.conn, lap.clinic_id, "zs").rows] == ["张三"]
        members = R.household_members(lap.conn, _resident(lap, "张三")["household_id"])
        assert {m["name"] for m in members} == {"张三", "李四"}

        # an edit on the laptop reaches the PC
        admin = users.authenticate(lap, "admin", PW)
        zs = _resident(lap, "张三")
        data = R.resident_input(zs)
        data.phone = "13812345678"
        R.update_resident(lap, admin, zs["id"], data)
        lap.close()
        assert (
            clinic_cli(capsys, "sync", "--db", str(laptop), "--key-file", str(laptop.with_suffix(".key")))[0]
            == 0
        )
        assert clinic_cli(capsys, "sync", "--db", str(pc), "--key-file", str(pc.with_suffix(".key")))[0] == 0
        store = _open(pc)
        assert _resident(store, "张三")["phone"] == "13812345678"
        assert [r["name"] for r in R.search_residents(store.conn, store.clinic_id, "5678").rows] == ["张三"]
        store.close()
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert b"Bearer" not in path.read_bytes()


def test_same_field_edited_on_both_devices_is_a_conflict_for_a_person(
    county: County, first_device: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pc, laptop = first_device, tmp_path / "laptop.db"
    with live_server(county.engine) as url:
        for db in (pc, laptop):
            code = county.admin(server_admin.make_enroll_code, "A01")
            assert (
                clinic_cli(
                    capsys,
                    "enroll",
                    "--db",
                    str(db),
                    "--key-file",
                    str(db.with_suffix(".key")),
                    "--server",
                    url,
                    "--code",
                    code,
                )[0]
                == 0
            )
        for db, phone in ((pc, "13800000001"), (laptop, "13900000002")):
            s = _open(db)
            admin = users.authenticate(s, "admin", PW)
            zs = _resident(s, "张三")
            data = R.resident_input(zs)
            data.phone = phone
            R.update_resident(s, admin, zs["id"], data)
            s.close()
        assert clinic_cli(capsys, "sync", "--db", str(pc), "--key-file", str(pc.with_suffix(".key")))[0] == 0
        rc, out = clinic_cli(
            capsys, "sync", "--db", str(laptop), "--key-file", str(laptop.with_suffix(".key"))
        )
        assert rc == 6 and "conflicts needing a person 1" in out
        lap = _open(laptop)
        conflict = lap.conn.execute("SELECT * FROM conflict").fetchone()
        assert json.loads(conflict["server_row"])["phone"] == "13800000001"
        assert json.loads(conflict["local_row"])["phone"] == "13900000002"
        assert lap.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
        lap.close()


def test_rejected_change_stays_with_the_reason(
    county: County, first_device: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pc = first_device
    with live_server(county.engine) as url:
        code = county.admin(server_admin.make_enroll_code, "A01")
        assert (
            clinic_cli(
                capsys,
                "enroll",
                "--db",
                str(pc),
                "--key-file",
                str(pc.with_suffix(".key")),
                "--server",
                url,
                "--code",
                code,
            )[0]
            == 0
        )
        s = _open(pc)
        rid = _resident(s, "李四")["id"]
        s.conn.execute(
            "INSERT INTO outbox(mutation_id, table_name, row_id, op, payload, base_version, user_id, "
            "device_time) VALUES ('m-bad', 'resident', ?, 'upsert', '{\"id_number\": \"110105194912310021\"}',"
            " (SELECT row_version FROM resident WHERE id = ?), (SELECT id FROM \"user\"), '2026-11-23T00:00:00Z')",
            (rid, rid),
        )
        s.close()
        rc, out = clinic_cli(capsys, "sync", "--db", str(pc), "--key-file", str(pc.with_suffix(".key")))
        assert rc == 7 and "rejected 1" in out, "a refused change needs a person: exit 7 (issue 11, break 15)"
        assert "1 changes were refused by the county" in out
        s = _open(pc)
        entry = s.conn.execute("SELECT rejected_code, rejected_message FROM outbox").fetchone()
        assert entry["rejected_code"] == "check_character" and "id_number" in entry["rejected_message"]
        s.close()


def test_offline_sync_exits_5_and_loses_nothing(
    first_device: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from clinic_app.syncstate import set_state

    s = _open(first_device)
    set_state(s.conn, "server_url", f"http://127.0.0.1:{free_port()}")
    set_state(s.conn, "device_token", "token-of-a-server-that-is-down")
    before = s.conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
    s.close()
    rc, out = clinic_cli(
        capsys, "sync", "--db", str(first_device), "--key-file", str(first_device.with_suffix(".key"))
    )
    assert rc == 5 and "cannot be reached" in out
    s = _open(first_device)
    assert s.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == before
    s.close()


def test_failed_enrollment_leaves_no_database(
    county: County, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with live_server(county.engine) as url:
        rc, out = clinic_cli(
            capsys,
            "enroll",
            "--db",
            str(tmp_path / "new.db"),
            "--key-file",
            str(tmp_path / "new.key"),
            "--server",
            url,
            "--code",
            "WRONG-CODE",
        )
    assert rc == 4 and "not known" in out
    assert not (tmp_path / "new.db").exists() and not (tmp_path / "new.key").exists()


def _checksum(db: Path) -> tuple[str, int]:
    import hashlib

    s = _open(db)
    rows = s.conn.execute(
        "SELECT id, name, phone, note, id_number, household_id, deleted_at, row_version FROM resident ORDER BY id"
    ).fetchall()
    s.close()
    return hashlib.sha256(json.dumps([tuple(r) for r in rows], ensure_ascii=False).encode()).hexdigest(), len(
        rows
    )


@pytest.mark.parametrize("order", ["pc_first", "laptop_first"])
def test_two_devices_converge_in_either_order(
    county: County, first_device: Path, tmp_path: Path, order: str, capsys: pytest.CaptureFixture[str]
) -> None:
    pc, laptop = first_device, tmp_path / "laptop.db"
    with live_server(county.engine) as url:
        for db in (pc, laptop):
            code = county.admin(server_admin.make_enroll_code, "A01")
            assert (
                clinic_cli(
                    capsys,
                    "enroll",
                    "--db",
                    str(db),
                    "--key-file",
                    str(db.with_suffix(".key")),
                    "--server",
                    url,
                    "--code",
                    code,
                )[0]
                == 0
            )
        # offline: the same field of 张三 on both, different fields of 李四, a new resident on each
        edits = {
            pc: {"张三": {"phone": "13800000001"}, "李四": {"phone": "13700000003"}},
            laptop: {"张三": {"phone": "13900000002"}, "李四": {"note": "行动不便"}},
        }
        newcomers = {pc: ("王五", "110105194912310011"), laptop: ("赵六", "110105198001010016")}
        for db in (pc, laptop):
            s = _open(db)
            admin = users.authenticate(s, "admin", PW)
            for name, change in edits[db].items():
                row = _resident(s, name)
                data = R.resident_input(row)
                for k, v in change.items():
                    setattr(data, k, v)
                R.update_resident(s, admin, row["id"], data)
            R.add_resident(s, admin, R.ResidentInput(name=newcomers[db][0], id_number=newcomers[db][1]))
            s.close()
        first, second = (pc, laptop) if order == "pc_first" else (laptop, pc)
        codes = [
            clinic_cli(capsys, "sync", "--db", str(d), "--key-file", str(d.with_suffix(".key")))[0]
            for d in (first, second, first, second)
        ]
        assert codes[0] == 0 and codes[1] == 6, (
            "the overlapping edit is surfaced on the device that synced last"
        )
    assert _checksum(pc) == _checksum(laptop)
    s = _open(second)
    assert s.conn.execute("SELECT count(*) FROM conflict WHERE resolved_at IS NULL").fetchone()[0] == 1
    winner = edits[first]["张三"]["phone"]
    assert _resident(s, "张三")["phone"] == winner, (
        "the row shows the server's value; the other waits in the conflict"
    )
    lisi = _resident(s, "李四")
    assert lisi["phone"] == "13700000003" and lisi["note"] == "行动不便", "edits of different fields merge"
    assert {_resident(s, n)["name"] for n in ("王五", "赵六")} == {"王五", "赵六"}
    s.close()


def _enrolled_pair(
    county: County, first_device: Path, tmp_path: Path, url: str, capsys: pytest.CaptureFixture[str]
) -> tuple[Path, Path]:
    pc, laptop = first_device, tmp_path / "laptop.db"
    for db in (pc, laptop):
        code = county.admin(server_admin.make_enroll_code, "A01")
        assert (
            clinic_cli(
                capsys,
                "enroll",
                "--db",
                str(db),
                "--key-file",
                str(db.with_suffix(".key")),
                "--server",
                url,
                "--code",
                code,
            )[0]
            == 0
        )
    return pc, laptop


def _edit(db: Path, **fields: str) -> None:
    s = _open(db)
    admin = users.authenticate(s, "admin", PW)
    zs = _resident(s, "张三")
    data = R.resident_input(zs)
    for name, value in fields.items():
        setattr(data, name, value)
    R.update_resident(s, admin, zs["id"], data)
    s.close()


def _sync(db: Path, capsys: pytest.CaptureFixture[str]) -> int:
    return clinic_cli(capsys, "sync", "--db", str(db), "--key-file", str(db.with_suffix(".key")))[0]


def test_a_conflict_decided_field_by_field_on_one_device_closes_it_on_every_device(
    county: County, first_device: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from clinic_app import conflicts
    from sync.server import county as county_service

    with live_server(county.engine) as url:
        pc, laptop = _enrolled_pair(county, first_device, tmp_path, url, capsys)
        _edit(pc, phone="13800000001", note="PC 的备注")
        _edit(laptop, phone="13900000002", note="笔记本的备注")
        assert _sync(pc, capsys) == 0
        assert _sync(laptop, capsys) == 6
        assert _sync(pc, capsys) == 6, "the other device of the clinic lists the same conflict"
        s = _open(pc)
        [on_pc] = conflicts.list_conflicts(s.conn)
        s.close()
        lap = _open(laptop)
        [mine] = conflicts.list_conflicts(lap.conn)
        assert mine.id == on_pc.id and mine.kind == "edited_elsewhere"
        assert {f.name: (f.mine, f.server) for f in mine.fields} == {
            "phone": ("13900000002", "13800000001"),
            "note": ("笔记本的备注", "PC 的备注"),
        }
        admin = users.authenticate(lap, "admin", PW)
        with pytest.raises(conflicts.ValidationError, match="not one of the fields"):
            conflicts.resolve(lap, admin, mine.id, {"name": "mine"})
        done = conflicts.resolve(lap, admin, mine.id, {"phone": "mine", "note": "server"})
        assert done.resolution == {"keep": "merged", "by": "admin", "fields": ["phone"]}
        with pytest.raises(conflicts.ValidationError, match="resolved already"):
            conflicts.resolve(lap, admin, mine.id, {})
        lap.close()
        for db in (laptop, pc):
            assert _sync(db, capsys) == 0, "nothing waits for a person any more"
        for db in (laptop, pc):
            s = _open(db)
            zs = _resident(s, "张三")
            assert (zs["phone"], zs["note"]) == ("13900000002", "PC 的备注")
            assert conflicts.list_conflicts(s.conn) == [] and len(conflicts.list_conflicts(s.conn, True)) == 1
            s.close()
        server_view = county.admin(county_service.list_conflicts, True)
        assert [c["resolved_at"] is not None for c in server_view] == [True]


def test_a_conflict_the_county_decides_reaches_both_devices(
    county: County, first_device: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from clinic_app import conflicts
    from sync.server import county as county_service

    with live_server(county.engine) as url:
        pc, laptop = _enrolled_pair(county, first_device, tmp_path, url, capsys)
        _edit(pc, phone="13800000001")
        _edit(laptop, phone="13900000002")
        assert _sync(pc, capsys) == 0 and _sync(laptop, capsys) == 6
        [waiting] = county.admin(county_service.list_conflicts)
        county.admin(county_service.resolve_conflict, waiting["id"], "device", "王审核", "村医电话核实")
        for db in (pc, laptop):
            assert _sync(db, capsys) == 0
            s = _open(db)
            assert _resident(s, "张三")["phone"] == "13900000002"
            [closed] = conflicts.list_conflicts(s.conn, include_resolved=True)
            assert closed.resolution == {"keep": "device", "by": "county:王审核", "note": "村医电话核实"}
            s.close()


def test_every_run_is_kept_in_the_history_with_its_outcome(
    county: County, first_device: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from clinic_app.syncstate import set_state
    from clinic_app.syncstate import sync_history as history

    with live_server(county.engine) as url:
        pc, _laptop = _enrolled_pair(county, first_device, tmp_path, url, capsys)
        _edit(pc, phone="13800000001")
        assert _sync(pc, capsys) == 0
    s = _open(pc)
    set_state(s.conn, "server_url", f"http://127.0.0.1:{free_port()}")  # the server is gone
    s.close()
    assert _sync(pc, capsys) == 5
    s = _open(pc)
    runs = history(s.conn)
    s.close()
    assert [(r["trigger"], r["outcome"]) for r in runs] == [
        ("cli", "offline"),
        ("cli", "ok"),
        ("enroll", "ok"),
    ]
    offline, ok, enroll = runs
    assert "cannot be reached" in offline["message"] and offline["integrity"] is None
    assert ok["pushed"] == 2 and ok["integrity"].startswith("ok")  # the resident and its audit entry
    assert enroll["pushed"] > 0 and enroll["pulled"] > 0


def test_a_table_that_disagrees_with_the_server_is_re_read_alone(
    county: County, first_device: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from clinic_app.syncstate import sync_history as history

    with live_server(county.engine) as url:
        _pc, laptop = _enrolled_pair(county, first_device, tmp_path, url, capsys)
        lap = _open(laptop)  # damage the laptop's copy behind the program's back: a row lost, one left stale
        zs, ls = _resident(lap, "张三"), _resident(lap, "李四")
        lap.conn.execute("DELETE FROM resident_search_key WHERE resident_id = ?", (ls["id"],))
        lap.conn.execute("DELETE FROM resident WHERE id = ?", (ls["id"],))
        lap.conn.execute("UPDATE resident SET note = '改坏了', row_version = 1 WHERE id = ?", (zs["id"],))
        village_rows = lap.conn.execute("SELECT count(*) FROM village").fetchone()[0]
        lap.close()
        assert _sync(laptop, capsys) == 0
        lap = _open(laptop)
        assert _resident(lap, "张三")["note"] is None and _resident(lap, "李四")["id"] == ls["id"]
        assert [r["name"] for r in R.search_residents(lap.conn, lap.clinic_id, "ls").rows] == ["李四"]
        [run] = history(lap.conn, 1)
        assert run["integrity"].startswith(
            "resident: 1 rows here, 2 on the server; re-read, 2 rows stored, now equal"
        )
        assert "village" not in run["integrity"], "only the table that disagreed is re-read"
        assert lap.conn.execute("SELECT count(*) FROM village").fetchone()[0] == village_rows
        lap.close()
        assert _sync(laptop, capsys) == 0
        lap = _open(laptop)
        assert history(lap.conn, 1)[0]["integrity"].startswith("ok")
        lap.close()


def test_the_same_person_registered_on_two_devices_becomes_one_row_on_both(
    county: County, first_device: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with live_server(county.engine) as url:
        pc, laptop = _enrolled_pair(county, first_device, tmp_path, url, capsys)
        for db in (pc, laptop):  # both register 王五 offline, each as the head of a new household
            s = _open(db)
            admin = users.authenticate(s, "admin", PW)
            vid = s.conn.execute("SELECT id FROM village").fetchone()[0]
            R.add_resident(
                s,
                admin,
                R.ResidentInput(
                    name="王五", id_number="110105194912310046", village_id=vid, relation_to_head="head"
                ),
                household_code="H0009" if db == pc else "H0010",
            )
            s.close()
        assert _sync(pc, capsys) == 0 and _sync(laptop, capsys) == 0 and _sync(pc, capsys) == 0
        kept = {}
        for db in (pc, laptop):
            s = _open(db)
            rows = s.conn.execute("SELECT id FROM resident WHERE id_number = '110105194912310046'").fetchall()
            assert len(rows) == 1, "one row for one person"
            kept[db] = rows[0][0]
            heads = {
                r[0]
                for r in s.conn.execute(
                    "SELECT head_resident_id FROM household WHERE code IN ('H0009', 'H0010')"
                )
            }
            assert heads == {rows[0][0]}, "the laptop's household points at the row that was kept"
            assert [r["name"] for r in R.search_residents(s.conn, s.clinic_id, "0046").rows] == ["王五"]
            assert s.integrity() == []
            s.close()
        assert kept[pc] == kept[laptop]


def _account_change(db: Path, username: str, actor: str, **fields: Any) -> None:
    """A change to an account made on the device itself (as a tampered or future program would push it): the row
    and its outbox entry, in one transaction."""
    s = _open(db)
    row = dict(s.conn.execute('SELECT * FROM "user" WHERE username = ?', (username,)).fetchone())
    actor_id = s.conn.execute('SELECT id FROM "user" WHERE username = ?', (actor,)).fetchone()[0]
    with s.transaction():
        s.conn.execute(
            f'UPDATE "user" SET {", ".join(f"{k} = ?" for k in fields)} WHERE id = ?',
            (*fields.values(), row["id"]),
        )
        s.conn.execute(
            "INSERT INTO outbox(mutation_id, table_name, row_id, op, payload, base_version, user_id, "
            "device_time) VALUES (?, 'user', ?, 'upsert', ?, ?, ?, '2026-12-01T00:00:00Z')",
            (
                f"m-{username}-{'-'.join(map(str, fields.values()))}",
                row["id"],
                json.dumps({**fields, "updated_by": actor_id}),
                row["row_version"],
                actor_id,
            ),
        )
    s.close()


def _role(db: Path, username: str) -> str:
    s = _open(db)
    try:
        return str(s.conn.execute('SELECT role FROM "user" WHERE username = ?', (username,)).fetchone()[0])
    finally:
        s.close()


def test_a_nurse_cannot_make_herself_admin_and_an_admins_online_change_reaches_the_other_device(
    county: County,
    first_device: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pc, laptop = first_device, tmp_path / "laptop.db"
    key = ("--key-file",)
    with live_server(county.engine) as url:
        code = county.admin(server_admin.make_enroll_code, "A01")
        assert (
            clinic_cli(
                capsys,
                "enroll",
                "--db",
                str(pc),
                *key,
                str(pc.with_suffix(".key")),
                "--server",
                url,
                "--code",
                code,
            )[0]
            == 0
        ), "the first device brings the clinic's admin (the bootstrap)"
        s = _open(pc)
        users.add_user(s, users.authenticate(s, "admin", PW), "nurse", "nurse", "nurse-pass-1")
        s.close()
        rc, out = clinic_cli(capsys, "sync", "--db", str(pc), *key, str(pc.with_suffix(".key")))
        assert rc == 9 and "1 account changes wait" in out and "--as ADMIN" in out, out
        monkeypatch.setenv("CLINIC_PASSWORD", "wrong-password")
        rc, out = clinic_cli(
            capsys, "sync", "--db", str(pc), *key, str(pc.with_suffix(".key")), "--as", "admin"
        )
        assert rc == 3 and "wrong user name or password" in out
        monkeypatch.setenv("CLINIC_PASSWORD", PW)
        rc, out = clinic_cli(
            capsys, "sync", "--db", str(pc), *key, str(pc.with_suffix(".key")), "--as", "admin"
        )
        assert rc == 0, out

        code = county.admin(server_admin.make_enroll_code, "A01")
        assert (
            clinic_cli(
                capsys,
                "enroll",
                "--db",
                str(laptop),
                *key,
                str(laptop.with_suffix(".key")),
                "--server",
                url,
                "--code",
                code,
            )[0]
            == 0
        )
        assert _role(laptop, "nurse") == "nurse", "the nurse the admin added came with the clinic"

        # on the laptop the nurse makes herself an admin: with the device token alone it waits, with her own
        # online sign-in it is refused; the PC never sees it
        _account_change(laptop, "nurse", "nurse", role="clinic_admin")
        rc, out = clinic_cli(capsys, "sync", "--db", str(laptop), *key, str(laptop.with_suffix(".key")))
        assert rc == 9, out
        monkeypatch.setenv("CLINIC_PASSWORD", "nurse-pass-1")
        rc, out = clinic_cli(
            capsys, "sync", "--db", str(laptop), *key, str(laptop.with_suffix(".key")), "--as", "nurse"
        )
        assert "rejected 1" in out, out
        lap = _open(laptop)
        [(refused,)] = lap.conn.execute(
            "SELECT rejected_code FROM outbox WHERE table_name = 'user'"
        ).fetchall()
        lap.conn.execute(
            "DELETE FROM outbox"
        )  # the refused change is withdrawn; the laptop's row fixed below
        lap.close()
        assert refused == "not_entitled"
        assert clinic_cli(capsys, "sync", "--db", str(pc), *key, str(pc.with_suffix(".key")))[0] == 0
        assert _role(pc, "nurse") == "nurse", "the other device never made her an admin"

        # the admin, signed in online on the laptop, makes her a village doctor: it reaches the PC
        _account_change(laptop, "nurse", "admin", role="village_doctor")
        monkeypatch.setenv("CLINIC_PASSWORD", PW)
        rc, out = clinic_cli(
            capsys, "sync", "--db", str(laptop), *key, str(laptop.with_suffix(".key")), "--as", "admin"
        )
        assert rc == 0 and "rejected 0" in out, out
        assert clinic_cli(capsys, "sync", "--db", str(pc), *key, str(pc.with_suffix(".key")))[0] == 0
        assert _role(pc, "nurse") == "village_doctor"
        s = _open(pc)
        assert users.authenticate(s, "nurse", "nurse-pass-1").role == "village_doctor"
        s.close()


def test_one_person_registered_and_insured_on_two_devices_merges_the_insurance_and_sync_goes_on(
    county: County, first_device: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 11 break 2: the server merged the residents but kept both insurance rows for the year, and every
    later sync of both devices failed on the devices' UNIQUE (resident_id, year). Merging a row merges the
    rows that carry a unique key naming it."""
    with live_server(county.engine) as url:
        pc, laptop = _enrolled_pair(county, first_device, tmp_path, url, capsys)
        for db, paid_on in ((pc, "2026-01-05"), (laptop, "2026-01-09")):  # both offline
            s = _open(db)
            admin = users.authenticate(s, "admin", PW)
            vid = s.conn.execute("SELECT id FROM village").fetchone()[0]
            rid = R.add_resident(
                s,
                admin,
                R.ResidentInput(
                    name="王五", id_number="110105194912310046", village_id=vid, relation_to_head="head"
                ),
                household_code="H0009" if db == pc else "H0010",
            )
            contracts.set_insurance(s, admin, rid, 2026, paid_on=dt.date.fromisoformat(paid_on))
            s.close()
        for db in (pc, laptop, pc, laptop):
            assert _sync(db, capsys) == 0, capsys.readouterr()
        rows = {}
        for db in (pc, laptop):
            s = _open(db)
            rows[db] = [
                tuple(r)
                for r in s.conn.execute(
                    "SELECT i.id, i.resident_id, i.year, i.paid_on FROM insurance_status i JOIN resident r "
                    "ON r.id = i.resident_id WHERE r.id_number = '110105194912310046' AND i.deleted_at IS NULL"
                )
            ]
            assert s.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0, "everything was sent"
            assert s.integrity() == []
            s.close()
        assert len(rows[pc]) == 1 and rows[pc] == rows[laptop], rows
        # the merged row carries the later device's change: an edit of the row kept
        assert rows[pc][0][3] == "2026-01-09"
        s = _open(laptop)  # and a later change on either device still syncs
        admin = users.authenticate(s, "admin", PW)
        contracts.set_insurance(s, admin, rows[pc][0][1], 2026, paid=False)
        s.close()
        assert _sync(laptop, capsys) == 0 and _sync(pc, capsys) == 0
        s = _open(pc)
        assert (
            s.conn.execute("SELECT paid FROM insurance_status WHERE id = ?", (rows[pc][0][0],)).fetchone()[0]
            == 0
        )
        s.close()
