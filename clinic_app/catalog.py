"""The drug catalog of a clinic not joined to a county (issue 13 point 1): ``clinic catalog load`` and the demo
clinic write the file's rows as the county server would send them; a joined clinic receives the county's by sync."""

from __future__ import annotations

from pathlib import Path

from clinic_app import drugs
from clinic_app.errors import ValidationError
from clinic_app.ids import reference_id, utc_now
from clinic_app.store import Store
from clinic_app.syncstate import get_state


def demo_catalog_file() -> Path:
    """The demo catalog (about 80 common chronic-disease drugs and a few of each excluded class; demo data, not any
    county's catalog) that ships with the program."""
    return Path(__file__).with_name("data") / "demo_drug_catalog.csv"


def install_catalog(store: Store, text: str) -> tuple[int, int]:
    """Write a catalog file's rows locally as the county server would send them (the county's ids, so that the
    first pull replaces them), all or none: (rows, new or changed). Only for a clinic not joined to a county: a
    joined one receives the county's catalog by sync."""
    if get_state(store.conn, "server_url"):
        raise ValidationError(
            "file",
            "joined",
            "this clinic is joined to a county: the county loads the catalog and sync brings it",
        )
    rows = drugs.parse_catalog(text)
    now = utc_now()
    held = {r["code"]: dict(r) for r in store.conn.execute("SELECT * FROM drug")}
    changed = []
    for row in rows:
        old = held.get(row["code"])
        if old is not None and all(old.get(k) == v for k, v in row.items()) and old["deleted_at"] is None:
            continue
        changed.append(
            {
                "id": reference_id("drug", row["code"]),
                "clinic_id": None,
                "created_at": old["created_at"] if old else now,
                "updated_at": now,
                "created_by": None,
                "updated_by": None,
                "deleted_at": None,
                "row_version": 0,
                **row,
            }
        )
    store.write_server_rows({"drug": changed}, "catalog.load")
    return len(rows), len(changed)
