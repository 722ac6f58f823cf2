"""Property: whatever mix of good and broken rows devices push, the server answers every mutation (HTTP 200,
no 5xx) and a device can store everything the server then serves — the device schema's types, NOT NULL
columns, CHECK constraints, unique indexes and foreign keys all hold. The pulled pages are stored by the
device's own code (a new encrypted database, adopted as at enrollment, each page through
clinic_app.syncstate.apply_pull_page), so the test and the device cannot drift apart. Runs on SQLite and
PostgreSQL."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic_app.ids import uuid7
from clinic_app.store import Store
from clinic_app.syncstate import adopt_clinic, apply_pull_page, get_state
from sync.server import contract

from .conftest import County
from .test_api import GOOD_ID, mutation, push
from .test_push_contract import OTHER_ID

HASH = "scrypt$16384$8$1$c2FsdA==$ZGlnZXN0"


def template(table: str, ids: dict[str, list[str]]) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": uuid7(),
        "created_at": "2026-11-23T08:00:00.000Z",
        "updated_at": "2026-11-23T08:00:00.000Z",
    }
    if table == "village":
        row |= {"name": "东村", "code": None}
    elif table == "household":
        row |= {"village_id": (ids["village"] or [None])[0], "code": "H-1", "address": None}
    elif table == "resident":
        row |= {
            "name": "张三",
            "document_type": "id_card",
            "id_number": GOOD_ID,
            "sex": "F",
            "birth_date": "1949-12-31",
        }
    elif table == "user":
        row |= {
            "username": "doctor",
            "display_name": "王医生",
            "role": "village_doctor",
            "password_hash": HASH,
        }
    else:
        row |= {"action": "x", "summary": "x", "rows": "{}"}
    return row


PLAUSIBLE = [
    "东村",
    "西村",
    "H-1",
    "H-2",
    GOOD_ID,
    OTHER_ID,
    "1992-02-29",
    "1949-12-31",
    "M",
    "F",
    "id_card",
    "passport",
    "P1234567",
    "village_doctor",
    "nurse",
    "surgeon",
    "13812345678",
    "head",
    "",
    "x" * 300,
]


@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_whatever_devices_push_every_device_can_store_what_the_server_serves(
    county: County, data: Any
) -> None:
    devices = getattr(county, "_devices", None)
    if devices is None:
        devices = [county.enroll("A01", "PC-1"), county.enroll("A01", "PC-2")]
        county._devices = devices  # type: ignore[attr-defined]
    ids: dict[str, list[str]] = {"village": [], "household": [], "resident": [], "user": [], "audit_log": []}
    values = st.one_of(
        st.none(),
        st.sampled_from(PLAUSIBLE),
        st.text(max_size=4),
        st.integers(-2, 2),
        st.booleans(),
        st.lists(st.integers(), max_size=1),
        st.dictionaries(st.text(max_size=2), st.none(), max_size=1),
    )
    for _ in range(data.draw(st.integers(1, 4))):
        batch = []
        for _ in range(data.draw(st.integers(1, 5))):
            table = data.draw(st.sampled_from(sorted(ids)))
            known = ids[table]
            if known and data.draw(st.booleans()):  # an edit or delete of a row pushed before
                row = {"id": data.draw(st.sampled_from(known))}
                op = data.draw(st.sampled_from(["upsert", "delete"]))
            else:
                row, op = template(table, ids), "upsert"
            names = [*sorted(set(contract.columns(table)) - {"id", "clinic_id"}), "colour"]
            overrides = data.draw(
                st.dictionaries(
                    st.sampled_from(names),
                    values | st.sampled_from(ids["village"] + ids["household"] or ["none"]),
                    max_size=3,
                )
            )
            row |= overrides
            batch.append(mutation(table, row, data.draw(st.integers(0, 30)), op))
            known.append(row["id"])
        device = data.draw(st.sampled_from(devices))
        results = push(county, device, *batch)
        assert len(results) == len(batch)
        assert all(r["status"] in ("applied", "duplicate", "conflict", "rejected") for r in results)
        assert all(r.get("code") and r.get("message") for r in results if r["status"] == "rejected")
    with tempfile.TemporaryDirectory() as directory:
        store_on_a_new_device(county, devices[0], Path(directory))


def pages(county: County, headers: dict[str, str], limit: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        r = county.client.get(
            "/api/v1/pull", params={"limit": limit, **({"cursor": cursor} if cursor else {})}, headers=headers
        )
        assert r.status_code == 200, r.text
        found.append(r.json())
        cursor = found[-1]["cursor"]
        if not found[-1]["has_more"]:
            return found


def store_on_a_new_device(county: County, headers: dict[str, str], directory: Path) -> None:
    """Everything the server serves, stored page by page as the device's sync stores it; then every served row is
    on the device at the served version, and `clinic check`'s integrity and foreign key checks find nothing."""
    served = pages(county, headers, limit=40)
    changes = [c for page in served for c in page["changes"]]
    [clinic] = [c for c in changes if c["table"] == "clinic"]
    store, _ = Store.initialise(directory / "pc.db", "LOCAL", "本地名", key_file=directory / "pc.key")
    try:
        adopt_clinic(store, clinic["row_id"], "http://county.invalid", headers["X-Device-Id"], "A01")
        for page in served:
            apply_pull_page(store, page["changes"], page["cursor"])
        assert get_state(store.conn, "cursor") == served[-1]["cursor"]
        stored: dict[tuple[str, str], int | None] = {}
        for c in changes:
            table, row_id = c["table"], c["row_id"]
            row = store.conn.execute(f'SELECT row_version FROM "{table}" WHERE id = ?', (row_id,)).fetchone()
            stored[table, row_id] = row[0] if row else None
        latest = {(c["table"], c["row_id"]): c["version"] for c in changes}
        assert stored == latest, "every row served is stored, at its version"
        assert store.integrity() == []
    finally:
        store.close()
