"""A name the device keeps unique (a village's name, a household's code, a user name) registered offline on two
devices of a clinic: the county keeps the first and refuses the second with `duplicate`. The device whose row was
refused must still sync: the refusal stays for a person to correct, and the county's changes keep arriving.
Found while making tests/data/schema_v4-6.db (tests/data/make_synced_device.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from clinic_app import residents as R
from clinic_app import setaside, syncstate, users
from clinic_app.store import Store
from sync.client import Client
from sync.server import admin as server_admin

from .conftest import County
from .live import live_server

PW = "admin-pass-1"


def test_a_device_whose_village_name_was_refused_still_receives_the_countys_changes(
    county: County, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("clinic_app.keystore.keyring_usable", lambda: False)
    pc, _ = Store.initialise(tmp_path / "pc.db", "LOCAL", "x", key_file=tmp_path / "pc.key")
    admin = users.add_user(pc, None, "admin", "clinic_admin", PW)
    laptop, _ = Store.initialise(tmp_path / "laptop.db", "LOCAL", "x", key_file=tmp_path / "laptop.key")
    try:
        with live_server(county.engine) as url:
            first, second = (county.admin(server_admin.make_enroll_code, "A01") for _ in range(2))
            Client(pc, url).enroll(first, "PC-1")
            Client(pc).sync()
            Client(laptop, url).enroll(second, "PC-2")
            Client(laptop).sync()
            admin_b = users.authenticate(laptop, "admin", PW)
            R.add_village(laptop, admin_b, "北村")
            Client(laptop).sync()
            R.add_village(pc, admin, "北村")  # offline on both: the county keeps the laptop's
            R.add_village(laptop, admin_b, "南村")
            Client(laptop).sync()

            report = Client(pc).sync()

            assert report.rejected == 1
            refused = pc.conn.execute("SELECT table_name, rejected_code, row_id FROM outbox").fetchall()
            assert [tuple(r)[:2] for r in refused] == [("village", "duplicate")]
            assert "南村" in {v["name"] for v in R.list_villages(pc.conn, pc.clinic_id)}, (
                "the county's changes arrive"
            )
            # the county's 北村 is set aside here (this device holds that name for its own refused row) …
            [aside] = setaside.set_aside_rows(pc.conn)
            assert (aside["table_name"], aside["rule"]) == ("village", "unique") and report.set_aside == 1
            assert Client(pc).sync().pulled == 0, "and the next sync works"
            # … until a person renames the refused village and sends it again: then the county's one arrives
            own = refused[0]["row_id"]
            with pc.unit(admin.id, "village.rename") as uow:
                uow.update("village", own, {"name": "北村二组"})
            syncstate.resend(pc, "village", own)
            again = Client(pc).sync()
        assert (again.rejected, again.set_aside) == (0, 0)
        assert sorted(v["name"] for v in R.list_villages(pc.conn, pc.clinic_id)) == [
            "北村",
            "北村二组",
            "南村",
        ]
        assert setaside.set_aside_count(pc.conn) == 0
    finally:
        pc.close()
        laptop.close()
