"""What `clinic sync` and `clinic check` say, and exit with, when a person is needed (issue 11, break 15 and
rule b): a change of this device the county refused (7), rows from the county this device could not store and
set aside (8, and `clinic check` lists them), each documented in the command's help."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from clinic_app import residents as R
from clinic_app import users
from clinic_app.store import Store
from sync.client import Client
from sync.client_cli import main
from sync.server import admin as server_admin
from sync.server import db

from .conftest import County
from .live import live_server

PW = "admin-pass-1"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def _tamper(county: County, row_id: str, **fields: object) -> None:
    """What a server that took such a row before it checked rows against the registry serves: the stored row
    itself changed (its version kept, so the device pulls it as it is)."""
    with county.engine.begin() as conn:
        data = conn.execute(sa.select(db.record.c.data).where(db.record.c.row_id == row_id)).scalar_one()
        conn.execute(
            db.record.update()
            .where(db.record.c.row_id == row_id)
            .values(data=json.dumps({**json.loads(data), **fields}))
        )


def test_sync_exits_8_for_rows_set_aside_and_7_for_a_refused_change_and_check_lists_what_was_set_aside(
    county: County, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("clinic_app.keystore.keyring_usable", lambda: False)
    pc_db, pc_key = tmp_path / "pc.db", tmp_path / "pc.key"
    pc, _ = Store.initialise(pc_db, "LOCAL", "x", key_file=pc_key)
    admin = users.add_user(pc, None, "admin", "clinic_admin", PW)
    laptop, _ = Store.initialise(tmp_path / "laptop.db", "LOCAL", "x", key_file=tmp_path / "laptop.key")
    where = ["--db", str(pc_db), "--key-file", str(pc_key)]
    try:
        with live_server(county.engine) as url:
            first, second = (county.admin(server_admin.make_enroll_code, "A01") for _ in range(2))
            Client(pc, url).enroll(first, "PC-1")
            Client(pc).sync()
            Client(laptop, url).enroll(second, "PC-2")
            Client(laptop).sync()
            admin_b = users.authenticate(laptop, "admin", PW)
            east = R.add_village(laptop, admin_b, "东村")
            R.add_village(laptop, admin_b, "南村")
            Client(laptop).sync()
            _tamper(county, east, code=2**70)
            pc.close()

            rc, out, err = _run(capsys, "sync", *where)
            assert rc == 8, out + err
            assert "1 rows from the county could not be stored here and were set aside" in out
            rc, out, err = _run(capsys, "check", *where)
            assert rc == 8, out + err
            assert "1 rows from the county could not be stored here" in out and "integrity ok" in out
            assert f"village {east} version" in out and ": type: village.code:" in out
            assert _run(capsys, "sync", *where)[0] == 8, "the next sync works, and says so again"
            pc = Store.open(pc_db, pc_key)
            [last, *_] = pc.conn.execute("SELECT integrity FROM sync_run ORDER BY id DESC").fetchall()
            assert last[0].startswith("ok"), "the row set aside is not a difference to re-read the table for"
            pc.close()

            R.add_village(laptop, admin_b, "北村")
            Client(laptop).sync()
            pc = Store.open(pc_db, pc_key)
            R.add_village(
                pc, users.authenticate(pc, "admin", PW), "北村"
            )  # offline on both: the laptop's is kept
            pc.close()
            rc, out, err = _run(capsys, "sync", *where)
            assert rc == 7, out + err
            assert "1 changes were refused by the county" in out and "2 rows from the county" in out
            pc = Store.open(pc_db, pc_key)
            assert sorted(v["name"] for v in R.list_villages(pc.conn, pc.clinic_id)) == ["北村", "南村"]
    finally:
        pc.close()
        laptop.close()
    assert admin.username == "admin"


def test_the_help_of_check_documents_the_code_for_rows_set_aside(capsys: pytest.CaptureFixture[str]) -> None:
    import re

    with pytest.raises(SystemExit):
        main(["check", "--help"])
    helptext = capsys.readouterr().out
    documented = {int(n) for n in re.findall(r"^\s+(\d+)\s{2}", helptext, flags=re.M)}
    assert {0, 1, 8} <= documented, helptext
    assert re.search(r"^\s+8\s+sound, but rows from the county could not be stored", helptext, flags=re.M)
