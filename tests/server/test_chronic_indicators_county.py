"""The county's chronic-care indicators (sync.server.chronic_index) on SQLite and PostgreSQL: two clinics built by
hand (tests/indicator_clinic.py) sync through a real server, the index kept on push gives each clinic the figures
its own device computes, the county the sum; a rebuilt index gives the same; `county-server report indicators`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from clinic_app import chronic_indicators as I
from clinic_app import chronic_records as H
from clinic_app import users
from clinic_app.store import Store
from sync import client as C
from sync.server import admin, chronic_index, db
from sync.server.cli import main

from .. import indicator_clinic as B
from .conftest import County
from .live import live_server

PW = "admin-pass-1"


@pytest.fixture
def synced(county: County, tmp_path: Path) -> Iterator[dict[str, Store]]:
    """Clinics A01 and B01, each the hand-built clinic (in B01 甲's last visit corrected), synced."""
    stores: dict[str, Store] = {}
    try:
        with live_server(county.engine) as url:
            for code in ("A01", "B01"):
                store, _ = Store.initialise(
                    tmp_path / f"{code}.db", "LOCAL", "x", key_file=tmp_path / f"{code}.key"
                )
                stores[code] = store
                C.Client(store, url).enroll(county.admin(admin.make_enroll_code, code), f"{code}-PC")
                C.Client(store, url).sync()
                actor = users.add_user(store, None, "admin", "clinic_admin", PW)
                B.build(store, actor)
                if code == "B01":  # 甲's last visit corrected to uncontrolled
                    correct_last_visit(store)
                C.Client(store, url).sync()
                C.Client(store, url).sync()
        yield stores
    finally:
        for store in stores.values():
            store.close()


def correct_last_visit(store: Store) -> None:
    """甲's visit of 2025-11-10 corrected to 150/95 (uncontrolled)."""
    doctor = users.authenticate(store, "li", "doctor-pass-1")
    resident = ids_of(store)["甲"]
    [(last,)] = store.conn.execute(
        "SELECT id FROM followup WHERE resident_id = ? AND visit_date = '2025-11-10' AND id NOT IN "
        "(SELECT supersedes FROM followup WHERE supersedes IS NOT NULL)",
        (resident,),
    ).fetchall()
    H.supersede_followup(
        store,
        doctor,
        last,
        H.FollowupInput(resident, "hypertension", "2025-11-10", "clinic", sbp_1=150, dbp_1=95),
        "typed wrong",
        today=B.TODAY,
    )


def ids_of(store: Store) -> dict[str, str]:
    return {r["name"]: r["id"] for r in store.conn.execute("SELECT id, name FROM resident")}


def report(county: County, year: int = B.PERIOD) -> dict[str, object]:
    with county.engine.connect() as conn:
        return chronic_index.county_report(conn, year)


def test_each_clinic_has_the_figures_its_device_computes_and_the_county_their_sum(
    county: County, synced: dict[str, Store]
) -> None:
    found = report(county)
    clinics = {c["code"]: c for c in found["clinics"]}  # type: ignore[attr-defined]
    for code, store in synced.items():
        own = I.clinic_report(store.conn, store.clinic_id, B.PERIOD)["clinic"]
        assert {d: clinics[code][d] for d in ("hypertension", "diabetes")} == own
    assert clinics["A01"]["hypertension"] == B.EXPECTED_CLINIC["hypertension"]
    assert clinics["A01"]["diabetes"] == B.EXPECTED_CLINIC["diabetes"]
    assert clinics["B01"]["hypertension"] == B.figures(6, 2, 5, 2, 13, 18)  # 甲 no longer controlled
    assert found["county"] == {
        "hypertension": B.figures(12, 4, 10, 5, 26, 36),
        "diabetes": B.figures(2, 0, 2, 0, 4, 8),
    }
    assert found["indexed"] is True


def test_the_index_holds_a_row_per_registration_and_per_patient_year(
    county: County, synced: dict[str, Store]
) -> None:
    with county.engine.connect() as conn:
        patients = conn.execute(sa.select(sa.func.count()).select_from(db.chronic_patient_index)).scalar_one()
        followups = conn.execute(
            sa.select(sa.func.count()).select_from(db.chronic_followup_index)
        ).scalar_one()
        years = conn.execute(
            sa.select(db.chronic_year_index).where(db.chronic_year_index.c.year == B.PERIOD)
        ).all()
    held = sum(
        s.conn.execute("SELECT count(*) FROM disease_registration").fetchone()[0] for s in synced.values()
    )
    assert patients == held == 2 * 9
    assert followups == sum(
        s.conn.execute("SELECT count(*) FROM followup").fetchone()[0] for s in synced.values()
    )
    # 2025 per clinic: 甲 乙 丙 丁 戊 (hypertension) and 甲's diabetes; 辛 has no visit
    assert len(years) == 2 * 6
    corrected = [y for y in years if y.face_to_face == 4 and y.latest and y.latest.startswith("2025-12-05")]
    assert len(corrected) == 2, "丙: the superseded visit is not counted, its correction is the latest"
    recorrected = [
        y for y in years if y.latest and y.latest.startswith("2025-11-10") and "uncontrolled" in y.latest
    ]
    assert len(recorrected) == 1, "甲 in B01: the correction is the latest visit, the visit corrected not"


def test_a_correction_pushed_later_counts_instead_of_the_visit_it_corrects(
    county: County, synced: dict[str, Store]
) -> None:
    store = synced["A01"]
    correct_last_visit(store)
    with live_server(county.engine) as url:
        C.Client(store, url).sync()
    clinics = {c["code"]: c for c in report(county)["clinics"]}  # type: ignore[attr-defined]
    assert clinics["A01"]["hypertension"] == B.figures(6, 2, 5, 2, 13, 18)
    assert (
        clinics["A01"]["hypertension"]
        == I.clinic_report(store.conn, store.clinic_id, B.PERIOD)["clinic"]["hypertension"]
    )


def test_a_rebuilt_index_gives_the_same_figures(county: County, synced: dict[str, Store]) -> None:
    before = report(county)
    with county.engine.begin() as conn:
        for table in (db.chronic_year_index, db.chronic_followup_index, db.chronic_patient_index):
            conn.execute(sa.delete(table))
    emptied = report(county)
    assert emptied["indexed"] is False
    with county.engine.begin() as conn:
        counts = chronic_index.rebuild(conn)
    assert counts["registrations"] == 18
    assert report(county) == before


def test_the_command_prints_the_report_and_refuses_a_bad_year(
    county: County, synced: dict[str, Store], capsys: pytest.CaptureFixture[str]
) -> None:
    url = county.engine.url.render_as_string(hide_password=False)
    assert main(["report", "indicators", "--period", "2025", "--json", "--database-url", url]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["county"]["hypertension"]["under_management"] == 12
    assert [c["code"] for c in found["clinics"]] == ["A01", "B01"]
    assert main(["report", "indicators", "--period", "2025", "--database-url", url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Chronic-care indicators 2025")
    assert "county\t高血压\t12\t4\t33.3%\t10\t5\t50.0%\t26\t36" in lines
    assert main(["report", "indicators", "--period", "20255", "--database-url", url]) == 3
    err = capsys.readouterr().err
    assert "period" in err and "Traceback" not in err
    assert main(["report", "rebuild-index", "--database-url", url]) == 0
    assert "18 registrations" in capsys.readouterr().out
