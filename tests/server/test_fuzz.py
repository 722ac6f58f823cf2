"""Every endpoint driven from the OpenAPI spec (schemathesis, bounded): no 5xx, no stack trace, and every
failure in the agreed error shape. Runs on a SQLite county database with an enrolled device, so that the
generated requests reach the push and pull logic rather than stopping at the token check."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from sync import protocol as p
from sync.server import service
from sync.server.app import create_app
from sync.server.db import make_engine

_dir = Path(tempfile.mkdtemp(prefix="county-fuzz-"))
_engine = make_engine(f"sqlite:///{_dir / 'county.db'}")
service.migrate(_engine)
with _engine.begin() as _conn:
    service.add_clinic(_conn, "A01", "石头村卫生室")
    _code = service.make_enroll_code(_conn, "A01", 24)
APP = create_app(engine=_engine)
_HEADERS = {p.HEADER_SCHEMA: str(p.SCHEMA_VERSIONS[1]), p.HEADER_APP: "0.1.0"}
with TestClient(APP) as _client:
    _token = _client.post("/api/v1/enroll", json={"code": _code, "device_name": "fuzz", "app_version": "0.1.0"},
                          headers=_HEADERS).json()["token"]  # fmt: skip
AUTH = {**_HEADERS, "Authorization": f"Bearer {_token}"}

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
def test_fuzz_with_whatever_headers_the_spec_allows(case: Any) -> None:
    _check(case.call())
