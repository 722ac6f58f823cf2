"""Every endpoint driven from the OpenAPI spec (schemathesis, bounded): no 5xx, no stack trace, and every
failure in the agreed error shape. Runs on a SQLite county database with an enrolled device, so that the
generated requests reach the push and pull logic rather than stopping at the token check, and the same on
PostgreSQL (which refuses input SQLite lets through: NUL characters, mismatched types)."""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from sync import protocol as p
from sync.server import admin as server_admin
from sync.server import db
from sync.server.app import create_app
from sync.server.db import make_engine

from .conftest import _PG, PG_URL

_dir = Path(tempfile.mkdtemp(prefix="county-fuzz-"))
_engine = make_engine(f"sqlite:///{_dir / 'county.db'}")
db.migrate(_engine)
with _engine.begin() as _conn:
    server_admin.add_clinic(_conn, "A01", "石头村卫生室")
    _code = server_admin.make_enroll_code(_conn, "A01", 24)
    server_admin.add_user(_conn, "fuzz-admin", "county_admin", "fuzz-admin-pass", None)
APP = create_app(engine=_engine)
_HEADERS = {p.HEADER_SCHEMA: str(p.SCHEMA_VERSIONS[1]), p.HEADER_APP: "0.1.0"}
with TestClient(APP) as _client:
    _token = _client.post("/api/v1/enroll", json={"code": _code, "device_name": "fuzz", "app_version": "0.1.0"},
                          headers=_HEADERS).json()["token"]  # fmt: skip
    _admin = _client.post("/api/v1/login", json={"username": "fuzz-admin", "password": "fuzz-admin-pass"},
                          headers=_HEADERS).json()["token"]  # fmt: skip
AUTH = {**_HEADERS, "Authorization": f"Bearer {_token}"}
ADMIN = {**_HEADERS, "Authorization": f"Bearer {_admin}"}

schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
FUZZ = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


def _check(response: Any) -> None:
    assert response.status_code < 500, response.text
    assert "Traceback" not in response.text and 'File "' not in response.text
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body


@schema.parametrize()
@FUZZ
def test_fuzz_as_an_enrolled_device(case: Any) -> None:
    case.headers = {**(case.headers or {}), **AUTH}
    _check(case.call())


@schema.parametrize()
@FUZZ
def test_fuzz_as_a_county_admin(case: Any) -> None:
    """The county and admin endpoints reached past the role check (a device's token stops at 403)."""
    case.headers = {**(case.headers or {}), **ADMIN}
    _check(case.call())


@schema.parametrize()
@FUZZ
def test_fuzz_with_whatever_headers_the_spec_allows(case: Any) -> None:
    _check(case.call())


@pytest.fixture(scope="module")
def postgresql_app() -> Iterator[tuple[Any, dict[str, str]]]:
    if _PG is None:
        pytest.skip(f"no PostgreSQL at {PG_URL} (set CLINIC_TEST_PG_URL): fuzzed on SQLite only")
    name = f"t_{secrets.token_hex(6)}"
    with _PG.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(f"{PG_URL.rsplit('/', 1)[0]}/{name}")
    try:
        db.migrate(engine)
        with engine.begin() as conn:
            server_admin.add_clinic(conn, "A01", "石头村卫生室")
            code = server_admin.make_enroll_code(conn, "A01", 24)
            server_admin.add_user(conn, "fuzz-admin", "county_admin", "fuzz-admin-pass", None)
        app = create_app(engine=engine)
        with TestClient(app) as client:
            token = client.post("/api/v1/enroll", json={"code": code, "device_name": "fuzz", "app_version": "0.1.0"},
                                headers=_HEADERS).json()["token"]  # fmt: skip
            admin = client.post("/api/v1/login", json={"username": "fuzz-admin", "password": "fuzz-admin-pass"},
                                headers=_HEADERS).json()["token"]  # fmt: skip
        yield (
            app,
            {**_HEADERS, "Authorization": f"Bearer {token}"},
            {**_HEADERS, "Authorization": f"Bearer {admin}"},
        )
    finally:
        engine.dispose()
        with _PG.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@schema.parametrize()
@FUZZ
def test_fuzz_on_postgresql_as_an_enrolled_device(case: Any, postgresql_app: tuple[Any, Any, Any]) -> None:
    app, auth, _admin = postgresql_app
    case.headers = {**(case.headers or {}), **auth}
    _check(case.call(app=app))


@schema.parametrize()
@FUZZ
def test_fuzz_on_postgresql_as_a_county_admin(case: Any, postgresql_app: tuple[Any, Any, Any]) -> None:
    app, _auth, admin = postgresql_app
    case.headers = {**(case.headers or {}), **admin}
    _check(case.call(app=app))


@schema.parametrize()
@FUZZ
def test_fuzz_on_postgresql_with_whatever_headers_the_spec_allows(
    case: Any, postgresql_app: tuple[Any, Any, Any]
) -> None:
    _check(case.call(app=postgresql_app[0]))
