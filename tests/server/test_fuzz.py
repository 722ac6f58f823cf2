"""Every endpoint driven from the OpenAPI spec (schemathesis, bounded): no 5xx, no stack trace, and every
failure in the agreed error shape. Runs on a SQLite county database with an enrolled device, so that the
generated requests reach the push and pull logic rather than stopping at the token check, and the same on
PostgreSQL (which refuses input SQLite lets through: NUL characters, mismatched types)."""

from __future__ import annotations

import base64
import json
import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import schemathesis
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from clinic_app.registry import REGISTRY
from sync import protocol as p
from sync.server import admin as server_admin
from sync.server import db
from sync.server.app import create_app
from sync.server.db import make_engine

if os.environ.get("PYTEST_XDIST_WORKER"):
    # under pytest-xdist schemathesis runs one case of each of its parametrised tests and reports 8 passes for 160:
    # dev.sh runs this file in one process after the others; refuse loudly rather than pass with most of it unrun
    raise RuntimeError(
        "tests/server/test_fuzz.py must run without pytest-xdist (TEST_WORKERS=0, or as dev.sh runs it)"
    )

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
    _token = _client.post(
        "/api/v1/enroll",
        json={"code": _code, "device_name": "fuzz", "app_version": "0.1.0"},
        headers=_HEADERS,
    ).json()["token"]
    _admin = _client.post(
        "/api/v1/login", json={"username": "fuzz-admin", "password": "fuzz-admin-pass"}, headers=_HEADERS
    ).json()["token"]
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
            token = client.post(
                "/api/v1/enroll",
                json={"code": code, "device_name": "fuzz", "app_version": "0.1.0"},
                headers=_HEADERS,
            ).json()["token"]
            admin = client.post(
                "/api/v1/login",
                json={"username": "fuzz-admin", "password": "fuzz-admin-pass"},
                headers=_HEADERS,
            ).json()["token"]
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


# -- crafted values (issue 11): what no device sends, in every query parameter and body value -------------------
CRAFTED_TEXT = [
    "a\x00b",
    "\x00",
    "\ud800",
    "x\udfff",
    "\udcff" * 3,
    "x" * 100_000,
    "１２３４",
    "２０２６",
    "１１０１０５１９４９１２３１００２Ｘ",
    "\u202e",
    " ",
    "",
]
CRAFTED_INT = [2**63, 2**63 - 1, -(2**63), -(2**63) - 1, 2**70, -(2**70)]
CRAFTED = st.sampled_from([*CRAFTED_TEXT, *CRAFTED_INT])


def _crafted(value: Any, data: Any) -> Any:
    """The value with some of its leaves (strings, whole numbers) swapped for crafted ones."""
    if isinstance(value, dict):
        return {k: _crafted(v, data) for k, v in value.items()}
    if isinstance(value, list):
        return [_crafted(v, data) for v in value]
    if isinstance(value, (str, int)) and not isinstance(value, bool) and data.draw(st.booleans()):
        return data.draw(CRAFTED)
    return value


def _crafted_cursor(app: Any, data: Any) -> str:
    """A cursor of this server (its epoch) with crafted numbers: what only a crafted client sends."""
    with app.state.engine.connect() as conn:
        epoch = db.epoch(conn)
    raw = {
        "e": epoch,
        "c": data.draw(st.sampled_from([0, *CRAFTED_INT])),
        "r": data.draw(st.sampled_from([0, *CRAFTED_INT])),
    }
    return base64.urlsafe_b64encode(json.dumps(raw).encode()).decode().rstrip("=")


_TABLES = st.sampled_from(sorted(REGISTRY.pulled_tables))


def _call_crafted(app: Any, case: Any, data: Any, headers: dict[str, str]) -> Any:
    """Sent as a crafted client would: JSON with escaped surrogates, the query percent-encoded from raw bytes
    (a lone surrogate as the bytes UTF-8 would give it; a huge value cut to what a URL carries)."""
    query = {
        k: str(_crafted(v, data)) for k, v in (case.query if isinstance(case.query, dict) else {}).items()
    }
    if "table" in query and data.draw(st.booleans()):  # a real table: the other parameters reach the database
        query["table"] = data.draw(_TABLES)
    if "cursor" in query and data.draw(st.booleans()):
        query["cursor"] = _crafted_cursor(app, data)
    url = case.formatted_path + (
        "?"
        + "&".join(f"{quote(k)}={quote(v[:8000].encode('utf-8', 'surrogatepass'))}" for k, v in query.items())
        if query
        else ""
    )
    kwargs: dict[str, Any] = {}
    if isinstance(case.body, (dict, list)):
        kwargs["content"] = json.dumps(_crafted(case.body, data), ensure_ascii=True).encode()
        headers = {**headers, "Content-Type": "application/json"}
    with TestClient(app, raise_server_exceptions=False) as client:
        sent = case.headers if isinstance(case.headers, dict) else {}
        return client.request(case.method, url, headers={**sent, **headers}, **kwargs)


@schema.parametrize()
@schema.given(data=st.data())
@FUZZ
def test_fuzz_with_crafted_strings_and_numbers(case: Any, data: Any) -> None:
    _check(_call_crafted(APP, case, data, data.draw(st.sampled_from([AUTH, ADMIN]))))


@schema.parametrize()
@schema.given(data=st.data())
@FUZZ
def test_fuzz_on_postgresql_with_crafted_strings_and_numbers(
    case: Any, data: Any, postgresql_app: tuple[Any, Any, Any]
) -> None:
    app, auth, admin = postgresql_app
    _check(_call_crafted(app, case, data, data.draw(st.sampled_from([auth, admin]))))
