"""County server figures for the benchmark command (issue 3), on the PostgreSQL of this machine.

    python tests/benchmarks/server_bench.py [--quick]     # prints the figures on their own

- ``server_300_devices_*``: 300 simulated devices of 30 clinics push and pull at once against `county-server
  serve --workers 2` on loopback: p50/p95 of push requests and pull pages, and the error count.
- ``pull_100_changes_*``: a device pulls the same 100 new changes from a server holding 10,000 rows and from one
  holding 1,000,000 (other clinics' rows and older rows of its own); the ratio shows whether cost follows the
  database size (target ≤ 1.5).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from clinic_app.migrations import SCHEMA_VERSION  # noqa: E402

PG_URL = os.environ.get("CLINIC_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
HEADERS = {"X-Schema-Version": str(SCHEMA_VERSION), "X-App-Version": "0.1.0"}
Add = Callable[..., object]  # Bench.add(name, value, unit, limit=None, note="")


@contextmanager
def scratch_database() -> Iterator[str]:
    import sqlalchemy as sa

    from sync.server.db import make_engine

    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"bench_{secrets.token_hex(4)}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def serve(url: str, workers: int = 2) -> Iterator[str]:
    from tests.server.live import free_port

    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sync.server.cli", "serve", "--database-url", url, "--port", str(port),
         "--workers", str(workers)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    import requests

    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"{base}/health", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            raise RuntimeError("county-server did not start")
        time.sleep(0.2)
    try:
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Http:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams: one per simulated device. The load generator
    shares the machine's 2 cores with the server and PostgreSQL, so it must cost next to nothing per request
    (a thread and `requests` per device cost more CPU than the server's own work)."""

    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.host, self.port = host, port
        self.head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        writer.write(
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\n{self.head}Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        status = int((await reader.readline()).split()[1])
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return status, await reader.readexactly(length)

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()


def _devices_run(quick: bool, window: float | None = None) -> tuple[list[float], list[float], list[str], str]:
    import requests

    from sync.server import admin as server_admin
    from sync.server import db
    from sync.server.db import make_engine

    # 1-4 devices a clinic (DESIGN §1); all of them active at once, each starting within `window` seconds and
    # pausing about `pause` seconds between its sync rounds
    devices, clinics, rounds, spread, pause = (60, 20, 2, 2.0, 1.0) if quick else (300, 100, 3, 10.0, 3.0)
    window = spread if window is None else window
    with scratch_database() as url:
        engine = make_engine(url)
        db.migrate(engine)
        codes = []
        with engine.begin() as conn:
            for c in range(clinics):
                server_admin.add_clinic(conn, f"C{c:03d}", f"卫生室{c}")
            for d in range(devices):
                codes.append(server_admin.make_enroll_code(conn, f"C{d % clinics:03d}", 2))
        engine.dispose()
        with serve(url) as base:
            tokens = []
            for code in codes:
                r = requests.post(f"{base}/api/v1/enroll", json={"code": code, "device_name": "bench",
                                                                 "app_version": "0.1.0"}, headers=HEADERS, timeout=30)  # fmt: skip
                tokens.append({**HEADERS, "Authorization": f"Bearer {r.json()['token']}"})
            port = int(base.rsplit(":", 1)[1])
            push_ms: list[float] = []
            pull_ms: list[float] = []
            errors: list[str] = []

            async def device(index: int, headers: dict[str, str]) -> None:
                http = Http("127.0.0.1", port, headers)
                jitter = random.Random(index)
                bodies = []
                for _ in range(rounds):  # made before the clock runs
                    rows = [
                        {"id": str(uuid.uuid4()), "action": "bench", "summary": "x", "rows": "{}"}
                        for _ in range(20)
                    ]
                    bodies.append(json.dumps({"mutations": [
                        {"mutation_id": str(uuid.uuid4()), "table": "audit_log", "op": "upsert", "row_id": r["id"],
                         "base_version": 0, "fields": r} for r in rows]}).encode())  # fmt: skip
                cursor = ""
                await asyncio.sleep(
                    jitter.uniform(0, window)
                )  # devices sync on jittered timers, as the client does
                try:
                    for round_no, body in enumerate(bodies):
                        if round_no:
                            await asyncio.sleep(jitter.uniform(pause * 0.5, pause * 1.5))
                        t = time.perf_counter()
                        status, _ = await http.request("POST", "/api/v1/push", body)
                        push_ms.append((time.perf_counter() - t) * 1000)
                        if status != 200:
                            errors.append(f"push {status}")
                        while True:
                            t = time.perf_counter()
                            query = f"?limit=500&cursor={cursor}" if cursor else "?limit=500"
                            status, raw = await http.request("GET", "/api/v1/pull" + query)
                            pull_ms.append((time.perf_counter() - t) * 1000)
                            if status != 200:
                                errors.append(f"pull {status}")
                                break
                            page = json.loads(raw)
                            cursor = page["cursor"]
                            if not page["has_more"]:
                                break
                except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    errors.append(f"{type(exc).__name__}: {exc}"[:100])
                finally:
                    http.close()

            async def everyone() -> None:
                await asyncio.gather(*(device(i, h) for i, h in enumerate(tokens)))

            began = time.perf_counter()
            asyncio.run(everyone())
            elapsed = time.perf_counter() - began
    note = (f"{devices} devices of {clinics} clinics at once (start within {window:g} s, {rounds} rounds of push 20 + "
            f"pull, ~{pause:g} s apart); 2 server workers; {elapsed:.1f} s; {len(push_ms)} pushes, {len(pull_ms)} pulls")  # fmt: skip
    return push_ms, pull_ms, errors, note


def many_devices(add: Add, quick: bool) -> None:
    push_ms, pull_ms, errors, note = _devices_run(quick)
    add("server_devices_push_p50_ms", statistics.median(push_ms), "ms", note=note)
    add("server_devices_push_p95_ms", _percentile(push_ms, 0.95), "ms", 1000)
    add("server_devices_pull_p50_ms", statistics.median(pull_ms), "ms")
    add("server_devices_pull_p95_ms", _percentile(pull_ms, 0.95), "ms", 1000)
    add("server_devices_errors", len(errors), "count", 0, note="; ".join(sorted(set(errors))[:3]))


def _fill(url: str, total_rows: int) -> tuple[dict[str, str], str, Any]:
    """A server with ``total_rows`` records (most of them other clinics'), and an enrolled device of clinic
    A01 whose cursor is at the head."""
    import sqlalchemy as sa
    from fastapi.testclient import TestClient

    from sync.server import admin as server_admin
    from sync.server import db
    from sync.server.app import create_app
    from sync.server.db import make_engine

    engine = make_engine(url)
    db.migrate(engine)
    with engine.begin() as conn:
        ids = [server_admin.add_clinic(conn, f"F{c:03d}", f"卫生室{c}") for c in range(50)]
        own = server_admin.add_clinic(conn, "A01", "石头村卫生室")
        code = server_admin.make_enroll_code(conn, "A01")
        per_clinic = total_rows // 51
        for clinic_id in [*ids, own]:
            conn.execute(sa.text(
                "INSERT INTO record(table_name, row_id, scope, clinic_id, version, deleted_at, data, field_versions, "
                "updated_at) SELECT 'audit_log', md5(:c || g::text), 'clinic:' || :c, :c, g + 10, NULL, "
                "'{\"action\":\"filler\"}', '{}', '2026-01-01T00:00:00Z' FROM generate_series(1, :n) AS g"
            ), {"c": clinic_id, "n": per_clinic})  # fmt: skip
            conn.execute(sa.update(db.scope_counter).where(db.scope_counter.c.scope == f"clinic:{clinic_id}")
                         .values(value=per_clinic + 10))  # fmt: skip
        conn.execute(sa.text("ANALYZE record"))
    client = TestClient(create_app(engine=engine))
    token = client.post("/api/v1/enroll", json={"code": code, "device_name": "b", "app_version": "0.1.0"},
                        headers=HEADERS).json()["token"]  # fmt: skip
    headers = {**HEADERS, "Authorization": f"Bearer {token}"}
    cursor = None
    while True:  # catch up to the head
        page = client.get("/api/v1/pull", params={"limit": 1000, **({"cursor": cursor} if cursor else {})},
                          headers=headers).json()  # fmt: skip
        cursor = page["cursor"]
        if not page["has_more"]:
            break
    return headers, cursor, client


def pull_cost(add: Add, quick: bool) -> None:
    sizes = (10_000, 100_000 if quick else 1_000_000)
    timings = []
    for size in sizes:
        with scratch_database() as url:
            headers, cursor, client = _fill(url, size)
            rows = [
                {"id": str(uuid.uuid4()), "action": "new", "summary": "x", "rows": "{}"} for _ in range(100)
            ]
            body = {"mutations": [{"mutation_id": str(uuid.uuid4()), "table": "audit_log", "op": "upsert",
                                   "row_id": r["id"], "base_version": 0, "fields": r} for r in rows]}  # fmt: skip
            assert client.post("/api/v1/push", json=body, headers=headers).status_code == 200
            runs = []
            for _ in range(7):
                t = time.perf_counter()
                page = client.get(
                    "/api/v1/pull", params={"limit": 1000, "cursor": cursor}, headers=headers
                ).json()
                runs.append((time.perf_counter() - t) * 1000)
                assert len(page["changes"]) == 100 and not page["has_more"]
            timings.append(statistics.median(runs))
            client.close()
    add("pull_100_changes_small_ms", timings[0], "ms", note=f"{sizes[0]:,} server rows")
    add("pull_100_changes_large_ms", timings[1], "ms", note=f"{sizes[1]:,} server rows")
    add(
        "pull_cost_ratio_large_vs_small",
        timings[1] / timings[0],
        "x",
        1.5,
        note=f"same 100 new changes, {sizes[1]:,} vs {sizes[0]:,} rows",
    )


def burst(add: Add, quick: bool) -> None:
    """Every device starting in the same second (no client does that: each syncs on a jittered timer) shows
    how long the server takes to drain a queue; reported without a target."""
    push_ms, pull_ms, errors, note = _devices_run(quick, window=1.0)
    add("server_burst_push_p95_ms", _percentile(push_ms, 0.95), "ms", note=note)
    add("server_burst_pull_p95_ms", _percentile(pull_ms, 0.95), "ms")
    add("server_burst_errors", len(errors), "count", 0, note="; ".join(sorted(set(errors))[:3]))


FIGURES = [many_devices, burst, pull_cost]


def main() -> int:
    quick = "--quick" in sys.argv
    out: list[dict[str, Any]] = []

    def add(name: str, value: float, unit: str, limit: float | None = None, note: str = "") -> None:
        out.append({"name": name, "value": round(value, 3), "unit": unit,
                    "target": "-" if limit is None else f"<= {limit:g}",
                    "ok": True if limit is None else value <= limit, "note": note})  # fmt: skip

    for figure in FIGURES:
        figure(add, quick)
    for f in out:
        print(json.dumps(f, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
