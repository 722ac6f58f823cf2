"""Issue 5 end to end: two clinics enrolled on one real county server sign the same resident for the same period
before either has synced; both sync; exactly one contract is active county-wide, the other clinic sees the
conflict, the county reviewer resolves it, and both clinics converge."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from clinic_app import conflicts, users
from clinic_app import contracts as C
from clinic_app import residents as R
from clinic_app.store import Store
from sync.server import admin, reference
from sync.server import county as county_service
from sync.server.cli import main as county_cli

from .conftest import County
from .live import live_server
from .test_device_sync import PW, clinic_cli

NUMBER = "11010519491231002X"


def make_clinic(tmp_path: Path, name: str) -> Path:
    db = tmp_path / f"{name}.db"
    store, _ = Store.initialise(db, "LOCAL", name, key_file=db.with_suffix(".key"))
    admin = users.add_user(store, None, "admin", "clinic_admin", PW)
    users.add_user(store, admin, "doctor", "village_doctor", PW)
    vid = R.add_village(store, admin, "村")
    R.add_resident(store, admin, R.ResidentInput(name="张三", id_number=NUMBER, village_id=vid))
    store.close()
    return db


def cli(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str]:
    return clinic_cli(capsys, *args, "--db", str(db), "--key-file", str(db.with_suffix(".key")))


def contracts_of(db: Path) -> list[dict[str, Any]]:
    store = Store.open(db, db.with_suffix(".key"))
    try:
        return C.list_contracts(store.conn, store.clinic_id)
    finally:
        store.close()


def test_two_clinics_sign_one_resident_offline_and_the_county_decides(
    county: County,
    tmp_path: Path,
    database_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    county.admin(reference.install_default_packages)
    monkeypatch.setenv("CLINIC_PASSWORD", PW)
    a, b = make_clinic(tmp_path, "a"), make_clinic(tmp_path, "b")
    with live_server(county.engine) as url:
        for db, code in ((a, "A01"), (b, "B01")):
            rc, out = cli(
                capsys, db, "enroll", "--server", url, "--code", county.admin(admin.make_enroll_code, code)
            )
            assert rc == 0, out
            assert cli(capsys, db, "team", "add", "一队", "--lead", "doctor", "--user", "admin")[0] == 0
        # both sign before either syncs (the county has no contract to report yet)
        for db in (a, b):
            rc, out = cli(
                capsys,
                db,
                "contract",
                "sign",
                "--resident",
                NUMBER,
                "--team",
                "一队",
                "--package",
                "BASIC",
                "--period",
                "2026",
                "--witness",
                "王护士",
                "--user",
                "doctor",
            )
            assert rc == 0 and "the county confirmed no contract elsewhere" in out, out
        assert [c["status"] for c in contracts_of(a) + contracts_of(b)] == ["provisional", "provisional"]
        assert cli(capsys, a, "sync")[0] == 0
        assert cli(capsys, b, "sync")[0] == 6, "B's contract came second: a conflict for a person"
        assert cli(capsys, a, "sync")[0] == 6, "A sees the conflict on its contract too"
        assert [c["status"] for c in contracts_of(a)] == ["active"]
        assert [c["status"] for c in contracts_of(b)] == ["conflict"]
        for db in (a, b):
            store = Store.open(db, db.with_suffix(".key"))
            [waiting] = conflicts.list_conflicts(store.conn)
            assert waiting.kind == "contract_elsewhere" and waiting.table == "contract"
            store.close()
        # online now, a third sign-up elsewhere is refused at once
        rc, out = cli(
            capsys,
            b,
            "contract",
            "sign",
            "--resident",
            NUMBER,
            "--team",
            "一队",
            "--package",
            "BASIC",
            "--period",
            "2026",
            "--witness",
            "王护士",
            "--user",
            "doctor",
        )
        assert rc == 3 and "already signed for 2026" in out

        [open_conflict] = [
            c for c in county.admin(county_service.list_conflicts) if c["clinic_code"] == "B01"
        ]
        assert (
            county_cli(
                [
                    "conflicts",
                    "resolve",
                    open_conflict["id"],
                    "--keep",
                    "transfer",
                    "--note",
                    "已迁居",
                    "--by",
                    "王审核",
                    "--database-url",
                    database_url,
                ]
            )
            == 0
        )
        for db in (a, b):
            assert cli(capsys, db, "sync")[0] == 0, "nothing waits for a person any more"
        assert [(c["status"]) for c in contracts_of(b)] == ["active"]
        [old] = contracts_of(a)
        assert (old["status"], old["stop_reason"]) == ("terminated", "transferred")
        for db in (a, b):
            store = Store.open(db, db.with_suffix(".key"))
            [closed] = conflicts.list_conflicts(store.conn, include_resolved=True)
            assert closed.resolved_at and closed.resolution and closed.resolution["keep"] == "transfer"
            store.close()
        rc, out = cli(capsys, a, "contract", "list", "--json")
        assert json.loads(out)[0]["id_number"].startswith("110105") and "*" in json.loads(out)[0]["id_number"]
