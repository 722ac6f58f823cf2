"""Push bodies may come gzipped (DESIGN §5); decompression is bounded and bad data is a clear 4xx."""

from __future__ import annotations

import gzip
import json

import pytest

from sync.server.app import create_app
from sync.server.gzip_request import GzipRequestMiddleware

from .conftest import County
from .test_api import assert_error, mutation, resident


def test_a_gzipped_push_is_applied_like_a_plain_one(county: County) -> None:
    device = county.enroll("A01")
    rows = [
        resident(id_number=None, document_type="other", document_number=f"NO-{i:04d}", needs_identity_check=1)
        for i in range(200)
    ]
    body = json.dumps({"mutations": [mutation("resident", r) for r in rows]}, ensure_ascii=False).encode()
    packed = gzip.compress(body)
    assert len(packed) < len(body) / 3
    r = county.client.post(
        "/api/v1/push",
        content=packed,
        headers={**device, "Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert r.status_code == 200, r.text
    assert [x["status"] for x in r.json()["results"]] == ["applied"] * 200


@pytest.mark.parametrize(
    ("body", "encoding", "status", "code"),
    [
        (b"not gzip at all", "gzip", 400, "bad_gzip"),
        (gzip.compress(b'{"mutations": []}', mtime=0)[:-6], "gzip", 400, "bad_gzip"),  # cut off
        (b"{}", "br", 415, "unsupported_encoding"),
    ],
)
def test_bad_compressed_bodies_get_an_error_body(
    county: County, body: bytes, encoding: str, status: int, code: str
) -> None:
    device = county.enroll("A01")
    r = county.client.post(
        "/api/v1/push",
        content=body,
        headers={**device, "Content-Encoding": encoding, "Content-Type": "application/json"},
    )
    assert_error(r, status, code)


def test_a_small_body_cannot_inflate_past_the_limit(county: County) -> None:
    app = create_app(engine=county.engine)
    limited = next(m for m in app.user_middleware if m.cls is GzipRequestMiddleware)
    limited.kwargs["max_body"] = 1_000_000
    from fastapi.testclient import TestClient

    bomb = gzip.compress(b"[" + b" " * 50_000_000 + b"]")  # 50 MB of spaces, ~50 KB on the wire
    assert len(bomb) < 100_000
    with TestClient(app) as client:
        device = county.enroll("A01")
        r = client.post(
            "/api/v1/push",
            content=bomb,
            headers={**device, "Content-Encoding": "gzip", "Content-Type": "application/json"},
        )
    assert_error(r, 413, "too_large")


def test_a_large_answer_is_gzipped_at_the_servers_level_and_reads_as_the_same_json(county: County) -> None:
    """Answers go gzipped at RESPONSE_GZIP_LEVEL (6: level 9 costs the server twice the CPU of a pull page for
    5 % fewer bytes); the device reads the same body either way."""
    from starlette.middleware.gzip import GZipMiddleware

    from sync.server.app import RESPONSE_GZIP_LEVEL

    app = create_app(engine=county.engine)
    packing = next(m for m in app.user_middleware if m.cls is GZipMiddleware)
    assert RESPONSE_GZIP_LEVEL == 6 and packing.kwargs["compresslevel"] == RESPONSE_GZIP_LEVEL
    device = county.enroll("A01")
    rows = [
        resident(id_number=None, document_type="other", document_number=f"NO-{i:04d}", needs_identity_check=1)
        for i in range(200)
    ]
    pushed = county.client.post(
        "/api/v1/push", json={"mutations": [mutation("resident", r) for r in rows]}, headers=device
    )
    assert pushed.status_code == 200, pushed.text
    with county.client.stream(
        "GET", "/api/v1/pull", params={"limit": 1000}, headers={**device, "Accept-Encoding": "gzip"}
    ) as packed:
        assert packed.headers["content-encoding"] == "gzip"
        wire = b"".join(packed.iter_raw())
    plain = county.client.get(
        "/api/v1/pull", params={"limit": 1000}, headers={**device, "Accept-Encoding": "identity"}
    )
    assert "content-encoding" not in plain.headers
    assert len(wire) < len(plain.content) / 3
    assert json.loads(gzip.decompress(wire)) == plain.json()
    assert len(plain.json()["changes"]) >= 200
    # the gzip header's XFL byte says which: 2 for level 9 (slowest), 4 for level 1, 0 for the levels between
    assert wire[8] == 0
