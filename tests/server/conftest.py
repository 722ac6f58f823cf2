"""Server tests run on SQLite and on the real PostgreSQL of this machine (a fresh database per test)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from sync import protocol as p
from sync.server import admin, db
from sync.server.app import create_app
from sync.server.db import make_engine

PG_URL = os.environ.get("CLINIC_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
HEADERS = {p.HEADER_SCHEMA: str(p.SCHEMA_VERSIONS[1]), p.HEADER_APP: "0.1.0"}


def _pg_admin() -> sa.Engine | None:
    try:
        engine = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        return engine
    except Exception:
        return None


_PG = _pg_admin()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'county.db'}"
        return
    if _PG is None:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {PG_URL} is not reachable, and CI must run the server tests on it")
        pytest.skip(f"no PostgreSQL at {PG_URL} (set CLINIC_TEST_PG_URL): server tests ran on SQLite only")
    name = f"t_{secrets.token_hex(6)}"
    with _PG.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    base = PG_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with _PG.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    eng = make_engine(database_url)
    db.migrate(eng)
    yield eng
    eng.dispose()


@dataclass
class County:
    engine: sa.Engine
    client: TestClient

    def admin(self, fn: Any, *args: Any) -> Any:
        with self.engine.begin() as conn:
            return fn(conn, *args)

    def enroll(self, clinic_code: str, name: str = "PC-1") -> dict[str, str]:
        code = self.admin(admin.make_enroll_code, clinic_code)
        r = self.client.post(
            "/api/v1/enroll",
            json={"code": code, "device_name": name, "app_version": "0.1.0"},
            headers=HEADERS,
        )
        assert r.status_code == 201, r.text
        body = r.json()
        return {**HEADERS, "Authorization": f"Bearer {body['token']}", "X-Device-Id": body["device_id"]}


@pytest.fixture
def county(engine: sa.Engine) -> Iterator[County]:
    with TestClient(create_app(engine=engine), raise_server_exceptions=False) as client:
        c = County(engine, client)
        c.admin(admin.add_clinic, "A01", "石头村卫生室")
        c.admin(admin.add_clinic, "B01", "河东村卫生室")
        yield c
