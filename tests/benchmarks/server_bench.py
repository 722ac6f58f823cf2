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
import datetime as dt
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
from dataclasses import dataclass
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
def migrated_scratch() -> Iterator[tuple[str, Any]]:
    """A scratch database with the county server's tables: its URL and an engine on it (disposed after)."""
    from sync.server.db import make_engine, migrate

    with scratch_database() as url:
        engine = make_engine(url)
        try:
            migrate(engine)
            yield url, engine
        finally:
            engine.dispose()


@contextmanager
def serve(url: str, workers: int = 2) -> Iterator[tuple[str, int]]:
    """The server on a loopback port: its address and the process id of uvicorn's parent (its workers are the
    parent's children)."""
    from tests.server.live import free_port, wait_until_healthy

    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sync.server.cli",
            "serve",
            "--database-url",
            url,
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    if not wait_until_healthy(base, proc, 60):
        proc.kill()
        raise RuntimeError("county-server did not start")
    used = -1.0
    while (
        now := _cpu_seconds(proc.pid)
    ) - used > 0.05 and time.monotonic() < deadline:  # every worker started
        used = now
        time.sleep(0.5)
    try:
        yield base, proc.pid
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
        if self.streams is None or self.streams[0].at_eof():  # uvicorn closes a connection idle for 5 s
            self.close()
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        writer.write(
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\n{self.head}Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        if not (line := await reader.readline()):
            raise ConnectionError("the server closed the connection without an answer")
        status = int(line.split()[1])
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return status, await reader.readexactly(length)

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()


NOW = "2026-11-23T08:00:00.000Z"


def _row(**fields: Any) -> dict[str, Any]:
    """A row as a device's outbox sends it: every column of the table (derived ones, row_version and clinic_id
    left out), the common columns included."""
    return {
        "id": str(uuid.uuid4()),
        "created_at": NOW,
        "updated_at": NOW,
        "created_by": None,
        "updated_by": None,
        "deleted_at": None,
        **fields,
    }


def _person(serial: int) -> dict[str, Any]:
    """A resident with a valid ID number of its own (``serial`` picks it: the same serial, the same person)."""
    from clinic_app.idcard import check_character

    born = dt.date(1950, 1, 1) + dt.timedelta(days=serial // 400)
    sex = "M" if serial % 2 else "F"
    first17 = f"632123{born:%Y%m%d}{serial % 400 * 2 + (1 if sex == 'M' else 0):03d}"[:17]
    return _row(
        id_number=first17 + check_character(first17),
        document_type="id_card",
        document_number=None,
        name="张秀英" if sex == "F" else "李建国",
        sex=sex,
        birth_date=born.isoformat(),
        phone="13800000000",
        village_id=None,
        household_id=None,
        relation_to_head=None,
        needs_identity_check=0,
        note=None,
    )


def _contract(resident_id: str, team_id: str) -> dict[str, Any]:
    return _row(
        resident_id=resident_id,
        team_id=team_id,
        period="2026",
        period_start="2026-01-01",
        period_end="2026-12-31",
        packages='["BASIC"]',
        status="provisional",
        signed_at=NOW,
        signed_by=None,
        consent="paper",
        signature=None,
        witness="王护士",
        resident_group=None,
        fee_fen=12000,
        resident_share_fen=2000,
        fund_share_fen=10000,
        household_id=None,
        renewed_from=None,
        terminated_at=None,
        stop_reason=None,
    )


def _audit(action: str, table: str, ids: list[str]) -> dict[str, Any]:
    return _row(
        device_id=None,
        action=action,
        summary=f"{len(ids)} {table} row(s)",
        rows=json.dumps({"counts": {table: len(ids)}, "refs": {table: ids}}, sort_keys=True),
    )


def _mutations(rows: list[tuple[str, dict[str, Any]]]) -> bytes:
    return json.dumps(
        {
            "mutations": [
                {
                    "mutation_id": str(uuid.uuid4()),
                    "table": table,
                    "op": "upsert",
                    "row_id": row["id"],
                    "base_version": 0,
                    "fields": row,
                    "user_id": None,
                    "device_time": NOW,
                }
                for table, row in rows
            ]
        },
        ensure_ascii=False,
    ).encode()


def _pushes(device: int, clinic: int, rounds: int) -> list[bytes]:
    """A device's pushes of 20 rows, as the clinic program makes them: the first one sets the device's village,
    household and team up; each registers residents (the first of them the same person as every other device of
    the clinic registers in that round: the server merges them), signs contracts for four of them (the one-team
    rule makes them active) and writes the audit entries of both."""
    bodies = []
    village = _row(name=f"村{device}", code=None)
    household = _row(village_id=village["id"], code=f"H-{device}", address=None)
    team = _row(name=f"{device}队", lead_user_id=None, note=None)
    for round_no in range(rounds):
        rows: list[tuple[str, dict[str, Any]]] = []
        if round_no == 0:
            rows += [("village", village), ("household", household), ("team", team)]
        shared = _person(10_000_000 + clinic * 100 + round_no)  # registered at every device of the clinic
        people = [shared] + [
            _person((device * rounds + round_no) * 10 + k) for k in range(9 - len(rows) // 3 * 2)
        ]
        for person in people[1:]:
            person.update(village_id=village["id"], household_id=household["id"])
        signed = [_contract(person["id"], team["id"]) for person in people[1:5]]
        rows += [("resident", r) for r in people] + [("contract", c) for c in signed]
        rows += [
            ("audit_log", _audit("resident.add", "resident", [r["id"]])) for r in people[: 20 - len(rows) - 1]
        ]
        rows.append(("audit_log", _audit("contract.sign", "contract", [c["id"] for c in signed])))
        assert len(rows) == 20, len(rows)
        bodies.append(_mutations(rows))
    return bodies


def _cpu_seconds(parent: int) -> float:
    """User + system CPU of the processes whose parent is ``parent`` (uvicorn's workers), from /proc."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:  # fields[0] is the state; ppid, ..., utime (14th), stime (15th)
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _postgres_cpu_seconds() -> float:
    """User + system CPU of every PostgreSQL process of this machine (its backends serve the benchmark), with
    that of the backends that ended (the postmaster's reaped children)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if "(postgres)" in text[:64]:
            fields = text.rsplit(")", 1)[1].split()
            ticks += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    push_ms: list[float]
    pull_ms: list[float]
    errors: list[str]
    cpu_ms: float  # the server workers' CPU per request served
    note: str


def _devices_run(devices: int, clinics: int, window: float, rounds: int, pause: float) -> Run:
    """``devices`` of ``clinics`` (device d belongs to clinic d mod clinics), all of them active at once, each
    starting within ``window`` seconds and pausing about ``pause`` seconds between its sync rounds (a push of 20
    rows and the pull pages after it)."""
    from sync.server import access, db
    from sync.server import admin as server_admin
    from sync.server.db import make_engine

    with scratch_database() as url:
        engine = make_engine(url)
        db.migrate(engine)
        tokens = []
        with engine.begin() as conn:
            for c in range(clinics):
                server_admin.add_clinic(conn, f"C{c:03d}", f"卫生室{c}")
            for d in range(devices):
                code = server_admin.make_enroll_code(conn, f"C{d % clinics:03d}", 2)
                token = access.enroll(conn, code, "bench", "0.1.0").token
                tokens.append({**HEADERS, "Authorization": f"Bearer {token}"})
        engine.dispose()
        bodies = [_pushes(d, d % clinics, rounds) for d in range(devices)]  # made before the clock runs
        with serve(url) as (base, server_pid):
            port = int(base.rsplit(":", 1)[1])
            push_ms: list[float] = []
            pull_ms: list[float] = []
            errors: list[str] = []

            async def device(index: int, headers: dict[str, str]) -> None:
                http = Http("127.0.0.1", port, headers)
                jitter = random.Random(index)
                cursor = ""
                await asyncio.sleep(
                    jitter.uniform(0, window)
                )  # devices sync on jittered timers, as the client does
                try:
                    for round_no, body in enumerate(bodies[index]):
                        if round_no:
                            await asyncio.sleep(jitter.uniform(pause * 0.5, pause * 1.5))
                        t = time.perf_counter()
                        status, raw = await http.request("POST", "/api/v1/push", body)
                        push_ms.append((time.perf_counter() - t) * 1000)
                        if status != 200:
                            errors.append(f"push {status}")
                        elif bad := [r for r in json.loads(raw)["results"] if r["status"] != "applied"]:
                            errors.append(f"push {bad[0]['status']} {bad[0].get('code')}")
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

            cpu, pg_cpu = _cpu_seconds(server_pid), _postgres_cpu_seconds()
            began = time.perf_counter()
            asyncio.run(everyone())
            elapsed = time.perf_counter() - began
            cpu, pg_cpu = _cpu_seconds(server_pid) - cpu, _postgres_cpu_seconds() - pg_cpu
    requests = len(push_ms) + len(pull_ms)
    note = (
        f"{devices} devices of {clinics} clinics at once (start within {window:g} s, {rounds} rounds of push 20 "
        f"rows (residents, contracts, audit) + pull, ~{pause:g} s apart); 2 server workers; {elapsed:.1f} s; "
        f"{len(push_ms)} pushes, {len(pull_ms)} pulls; server workers {cpu:.1f} s CPU, PostgreSQL (all of this "
        f"machine's) {pg_cpu:.1f} s ({pg_cpu * 1000 / max(requests, 1):.2f} ms a request)"
    )
    return Run(push_ms, pull_ms, errors, cpu * 1000 / max(requests, 1), note)


def many_devices(add: Add, quick: bool) -> None:
    """A county (DESIGN §1: ~300 clinics of 1-4 devices): 1,200 devices of 300 clinics, each starting within
    10 s."""
    run = _devices_run(60, 20, 2.0, 2, 1.0) if quick else _devices_run(1200, 300, 10.0, 3, 3.0)
    add("server_devices_push_p50_ms", statistics.median(run.push_ms), "ms", note=run.note)
    add("server_devices_push_p95_ms", _percentile(run.push_ms, 0.95), "ms", 1000)
    add("server_devices_pull_p50_ms", statistics.median(run.pull_ms), "ms")
    add("server_devices_pull_p95_ms", _percentile(run.pull_ms, 0.95), "ms", 1000)
    add("server_devices_errors", len(run.errors), "count", 0, note="; ".join(sorted(set(run.errors))[:3]))
    add(
        "server_cpu_per_request_ms",
        run.cpu_ms,
        "ms",
        2,
        note="utime+stime of the server's worker processes (/proc) over the requests served: a push of 20 rows "
        "or a pull page",
    )


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
            conn.execute(
                sa.text(
                    "INSERT INTO record(table_name, row_id, scope, clinic_id, version, deleted_at, data, field_versions, "
                    "updated_at) SELECT 'audit_log', md5(:c || g::text), 'clinic:' || :c, :c, g + 10, NULL, "
                    "'{\"action\":\"filler\"}', '{}', '2026-01-01T00:00:00Z' FROM generate_series(1, :n) AS g"
                ),
                {"c": clinic_id, "n": per_clinic},
            )
            conn.execute(
                sa.update(db.scope_counter)
                .where(db.scope_counter.c.scope == f"clinic:{clinic_id}")
                .values(value=per_clinic + 10)
            )
        conn.execute(sa.text("ANALYZE record"))
    client = TestClient(create_app(engine=engine))
    token = client.post(
        "/api/v1/enroll", json={"code": code, "device_name": "b", "app_version": "0.1.0"}, headers=HEADERS
    ).json()["token"]
    headers = {**HEADERS, "Authorization": f"Bearer {token}"}
    cursor = None
    while True:  # catch up to the head
        page = client.get(
            "/api/v1/pull", params={"limit": 1000, **({"cursor": cursor} if cursor else {})}, headers=headers
        ).json()
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
            body = {
                "mutations": [
                    {
                        "mutation_id": str(uuid.uuid4()),
                        "table": "audit_log",
                        "op": "upsert",
                        "row_id": r["id"],
                        "base_version": 0,
                        "fields": r,
                    }
                    for r in rows
                ]
            }
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
    """300 devices starting in the same second (no client does that: each syncs on a jittered timer) show how
    long the server takes to drain a queue."""
    run = _devices_run(60, 20, 1.0, 2, 1.0) if quick else _devices_run(300, 100, 1.0, 3, 3.0)
    add("server_burst_push_p95_ms", _percentile(run.push_ms, 0.95), "ms", 1500, note=run.note)
    add("server_burst_pull_p95_ms", _percentile(run.pull_ms, 0.95), "ms", 1500)
    add("server_burst_errors", len(run.errors), "count", 0, note="; ".join(sorted(set(run.errors))[:3]))


FIGURES = [many_devices, burst, pull_cost]


def main() -> int:
    quick = "--quick" in sys.argv
    out: list[dict[str, Any]] = []

    def add(name: str, value: float, unit: str, limit: float | None = None, note: str = "") -> None:
        out.append(
            {
                "name": name,
                "value": round(value, 3),
                "unit": unit,
                "target": "-" if limit is None else f"<= {limit:g}",
                "ok": True if limit is None else value <= limit,
                "note": note,
            }
        )

    for figure in FIGURES:
        figure(add, quick)
    for f in out:
        print(json.dumps(f, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
