"""The project's benchmark command: prints a table (figure, value, unit, target, pass) and writes it as JSON.

    python tests/benchmarks/run.py --json bench.json                  # 100,000 residents (about 3 minutes)
    python tests/benchmarks/run.py --json bench.json --quick          # 10,000 residents, fewer repetitions
    python tests/benchmarks/run.py --json bench.json --workdir DIR    # keep the database in DIR afterwards
    python tests/benchmarks/run.py --json c.json --only chronic_worklists,chronic_chart,chronic_page_refresh
                                                                      # some figure functions only

One demo database is built per run (`clinic demo`, timed as the first figure) and every other figure uses it.
Targets come from DESIGN §10. Timings on a shared machine are noisy: each figure is a median of several runs
(the note gives the spread), and floors (a bare Qt window, one password hash) are measured in the same run.
The command reports: it exits 0 even when a target is missed, 2 on a usage error. A figure that could not be
measured is still listed, with value -1, pass "NO" and a note saying why.

Later issues add figures: write a small function that calls ``bench.add(...)`` and decorate it with
``@step("figure_name", ...)`` listing the names it reports.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PROBES = Path(__file__).resolve().with_name("qt_probes.py")
VISIBLE_ROWS = 30  # as in qt_probes.py
NOT_MEASURED = -1.0
SEARCH_TARGET_MS = 10.0  # median, DESIGN §10
SEARCH_P95_TARGET_MS = 2.0
PAGE_TARGET_MS = 150.0
COLD_START_TARGET_S = 0.6
GUI_STALL_TARGET_MS = 100.0
DRUG_SEARCH_TARGET_MS = 5.0  # median at 20,000 catalog rows, issue 13
DRUG_CATALOG_ROWS = 20_000
REFILL_TARGET_MS = 20.0  # first page at 5,000 patients with 3 years of prescriptions, issue 13
REFILL_PATIENTS = (5_000, 1_000)  # full, quick


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    target: str  # "<= 10", or "-" for a figure that is only reported
    ok: bool
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "target": self.target,
            "ok": self.ok,
        }
        if self.note:
            out["note"] = self.note
        return out


@dataclass
class Bench:
    workdir: Path
    residents: int
    quick: bool
    figures: list[Figure] = field(default_factory=list)

    @property
    def db(self) -> Path:
        return self.workdir / "bench.db"

    @property
    def key(self) -> Path:
        return self.workdir / "bench.key"

    @property
    def home(self) -> Path:
        """XDG folders of the programs started here: their settings and logs stay out of the user's."""
        return self.workdir / "home"

    def require_db(self) -> None:
        if not (self.db.is_file() and self.key.is_file()):
            raise RuntimeError(f"no benchmark database in {self.workdir}: its build failed")

    def repeats(self, full: int, quick: int) -> int:
        return quick if self.quick else full

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            QT_QPA_PLATFORM="offscreen",
            PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p),
            XDG_CONFIG_HOME=str(self.home / "config"),
            XDG_DATA_HOME=str(self.home / "data"),
            XDG_CACHE_HOME=str(self.home / "cache"),
        )
        for name in ("CLINIC_PASSWORD", "CLINIC_NEW_PASSWORD", "CLINIC_KEY_FILE", "CLINIC_DB"):
            env.pop(name, None)
        env.update(extra)
        return env

    def add(self, name: str, value: float, unit: str, limit: float | None = None, note: str = "") -> Figure:
        if not math.isfinite(value):
            raise ValueError(f"{name}: measured {value!r}")
        figure = Figure(
            name=name,
            value=round(float(value), 3),
            unit=unit,
            target="-" if limit is None else f"<= {limit:g}",
            ok=limit is None or value <= limit,
            note=note,
        )
        self.figures.append(figure)
        return figure


# -- the list of figures -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    run: Callable[[Bench], None]
    names: tuple[str, ...]  # the figures it reports; "{k}" is the number of residents in thousands
    units: tuple[str, ...]


STEPS: list[Step] = []


def step(*names_and_units: tuple[str, str]) -> Callable[[Callable[[Bench], None]], Callable[[Bench], None]]:
    """Register a figure function and the figures (name, unit) it reports, in the order it reports them."""

    def register(fn: Callable[[Bench], None]) -> Callable[[Bench], None]:
        STEPS.append(Step(fn, tuple(n for n, _ in names_and_units), tuple(u for _, u in names_and_units)))
        return fn

    return register


# -- helpers -----------------------------------------------------------------------------------------
def progress(text: str) -> None:
    print(f"[bench] {text}", file=sys.stderr, flush=True)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * share) - 1)]


def spread(values: list[float], unit: str, digits: int = 2) -> str:
    """``median of 3 runs (0.61-0.72 s)``"""
    if len(values) == 1:
        return f"1 run ({values[0]:.{digits}f} {unit})"
    return f"median of {len(values)} runs ({min(values):.{digits}f}-{max(values):.{digits}f} {unit})"


QT_NOISE = ("This plugin does not support propagateSizeHints()",)


def tail(text: str, lines: int = 3) -> str:
    """The last lines of a program's stderr, without the offscreen platform's chatter."""
    kept = [line.strip() for line in text.splitlines() if line.strip() and line.strip() not in QT_NOISE]
    kept = kept[-lines:]
    return " | ".join(kept)[-400:] or "no output"


def run_probe(bench: Bench, *args: str, timeout: float = 180) -> list[str]:
    """Run ``qt_probes.py ARGS`` and return its last stdout line split into words."""
    result = subprocess.run(
        [sys.executable, str(PROBES), *args],
        capture_output=True,
        text=True,
        env=bench.env(),
        timeout=timeout,
        cwd=bench.workdir,
    )
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        raise RuntimeError(f"qt_probes.py {args[0]} exited {result.returncode}: {tail(result.stderr)}")
    return lines[-1].split()


def time_until_ready(
    command: list[str], env: dict[str, str], cwd: Path, *, what: str, timeout: float = 60
) -> tuple[float, str]:
    """Seconds from starting ``command`` to its first stdout line beginning with ``ready``, and that line."""
    seen: dict[str, Any] = {}
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True, env=env, cwd=cwd)
        assert proc.stdout is not None
        stdout = proc.stdout

        def watch() -> None:
            for line in stdout:
                if "at" not in seen and line.startswith("ready"):
                    seen["at"], seen["line"] = time.perf_counter(), line.strip()
            # read on to the end so that the program never blocks on a full pipe

        reader = threading.Thread(target=watch, daemon=True)
        reader.start()
        reader.join(timeout)
        timed_out = reader.is_alive()
        if timed_out:
            proc.kill()
        code = proc.wait(timeout=30)
        reader.join(5)
        stdout.close()
        if "at" not in seen:
            errors.seek(0)
            why = (
                f"killed after {timeout:g} s (waiting on a dialog nobody can see?)"
                if timed_out
                else f"exited {code}"
            )
            raise RuntimeError(
                f"{what} never printed 'ready': {why}; stderr: {tail(errors.read().decode(errors='replace'))}"
            )
    return seen["at"] - started, str(seen["line"])


# -- figures -----------------------------------------------------------------------------------------
@step(("demo_{k}k_seconds", "s"), ("database_size_mb", "MB"))
def build_database(bench: Bench) -> None:
    progress(f"building the {bench.residents:,}-resident demo database in {bench.workdir}")
    command = [
        sys.executable,
        "-m",
        "clinic_app.cli",
        "demo",
        "--residents",
        str(bench.residents),
        "--seed",
        "1",
        "--db",
        str(bench.db),
        "--key-file",
        str(bench.key),
    ]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=bench.env(), cwd=bench.workdir)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"`clinic demo` exited {result.returncode}: {tail(result.stderr)}")
    bench.add(
        f"demo_{bench.residents // 1000}k_seconds",
        elapsed,
        "s",
        note=f"`clinic demo --residents {bench.residents} --seed 1` as a subprocess, new encrypted database: "
        f"{bench.residents / elapsed:,.0f} residents/s",
    )

    from clinic_app.store import Store

    store = Store.open(bench.db, bench.key)
    try:
        counts = {
            table: store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("resident", "household", "resident_search_key", "outbox", "audit_log")
        }
    finally:
        store.close()
    files = [p for p in (bench.db, Path(f"{bench.db}-wal"), Path(f"{bench.db}-shm")) if p.exists()]
    size = sum(p.stat().st_size for p in files)
    bench.add(
        "database_size_mb",
        size / 1e6,
        "MB",
        note=f"{'+'.join(p.name for p in files)} on disk after the build; rows: "
        + ", ".join(f"{t} {n:,}" for t, n in counts.items())
        + f"; {size / max(counts['resident'], 1) / 1024:.1f} KiB per resident",
    )


def _name_part(name: str, i: int) -> str:
    """The given name (all but the first character), or one character of it."""
    given = name[1:] or name
    return given if i % 2 else given[(i // 2) % len(given)]


SEARCH_FORMS: dict[str, Callable[[Any, int], str | None]] = {
    # (resident row, running number) -> the query a user would type to find that resident, or None
    "name": lambda r, i: r["name"],
    "name_part": lambda r, i: _name_part(r["name"], i),
    "pinyin_full": lambda r, i: r["name_pinyin"],
    "pinyin_initials": lambda r, i: r["name_initials"],
    "id_suffix": lambda r, i: r["id_number"] and (r["id_number"][-4:] if i % 2 else r["id_number"][-6:]),
    "phone": lambda r, i: r["phone"] and (r["phone"][-4:] if i % 2 else r["phone"]),
}
SEARCH_DESCRIPTIONS = {
    "name": "full Chinese name",
    "name_part": "given name, or one character of it",
    "pinyin_full": "full pinyin",
    "pinyin_initials": "pinyin initials",
    "id_suffix": "last 4 or last 6 characters of the ID number",
    "phone": "last 4 digits or the whole phone number",
}


def pick_queries(rows: list[Any], form: str, count: int) -> list[str]:
    """``count`` different queries of one form, each taken from a real resident."""
    make = SEARCH_FORMS[form]
    queries: list[str] = []
    seen: set[str] = set()
    for i, row in enumerate(rows):
        query = make(row, i)
        if query and query not in seen:
            seen.add(query)
            queries.append(query)
            if len(queries) == count:
                break
    return queries


def warm_file(path: Path) -> None:
    """Read the database file once so that the OS page cache holds it, as on a PC that has been in use."""
    with path.open("rb") as f:
        while f.read(1 << 20):
            pass


@step(
    *[(name, "ms") for form in SEARCH_FORMS for name in (f"search_{form}_ms", f"search_{form}_p95_ms")],
    ("residents_list_first_page_ms", "ms"),
)
def search(bench: Bench) -> None:
    from clinic_app.residents import search_residents
    from clinic_app.store import Store

    bench.require_db()
    timed, warm = bench.repeats(50, 20), bench.repeats(10, 5)
    progress(f"search: {timed} queries per form, first page of 50")
    store = Store.open(bench.db, bench.key)
    try:
        conn, clinic_id = store.conn, store.clinic_id
        rows = conn.execute(
            """SELECT id, name, name_pinyin, name_initials, id_number, phone FROM resident
               WHERE clinic_id = ? AND deleted_at IS NULL ORDER BY id""",
            (clinic_id,),
        ).fetchall()
        random.Random(1).shuffle(rows)  # the queries are chosen before anything is timed
        queries = {form: pick_queries(rows, form, warm + timed) for form in SEARCH_FORMS}
        warm_file(bench.db)
        for form, chosen in queries.items():
            if len(chosen) < warm + timed:
                raise RuntimeError(f"only {len(chosen)} different {form} queries in the database")
            for query in chosen[:warm]:  # warm-up queries are not among the timed ones
                search_residents(conn, clinic_id, query, limit=50)
            times: list[float] = []
            cpu: list[
                float
            ] = []  # this thread's CPU time: what is left of a query when others take the cores
            empty: list[str] = []
            for query in chosen[warm:]:
                started, started_cpu = time.perf_counter(), time.thread_time()
                page = search_residents(conn, clinic_id, query, limit=50)
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.thread_time() - started_cpu) * 1000)
                if not page.rows:
                    empty.append(query)
            median = statistics.median(times)
            figure = bench.add(
                f"search_{form}_ms",
                median,
                "ms",
                SEARCH_TARGET_MS,
                note=f"{SEARCH_DESCRIPTIONS[form]}: median of {len(times)} different queries, first page of 50; "
                f"p95 {percentile(times, 0.95):.2f} ms, max {max(times):.2f} ms; e.g. {chosen[warm]!r}"
                + (f"; FOUND NOTHING for {len(empty)}: {empty[:3]!r}" if empty else ""),
            )
            figure.ok = figure.ok and not empty  # a query taken from a resident must find someone
            bench.add(
                f"search_{form}_p95_ms",
                percentile(times, 0.95),
                "ms",
                SEARCH_P95_TARGET_MS,
                note=f"{SEARCH_DESCRIPTIONS[form]}: p95 of the same {len(times)} queries (wall clock); "
                f"CPU time of the thread p95 {percentile(cpu, 0.95):.2f} ms, median {statistics.median(cpu):.2f} ms",
            )

        search_residents(conn, clinic_id, "", limit=200)
        times = []
        for _ in range(timed):
            started = time.perf_counter()
            page = search_residents(conn, clinic_id, "", limit=200)
            times.append((time.perf_counter() - started) * 1000)
        bench.add(
            "residents_list_first_page_ms",
            statistics.median(times),
            "ms",
            PAGE_TARGET_MS,
            note=f"search_residents(conn, clinic, '', limit=200), no Qt: the data part of the page figure; "
            f"median of {len(times)}, p95 {percentile(times, 0.95):.2f} ms; {len(page.rows)} rows",
        )
    finally:
        store.close()


def drug_catalog_store(bench: Bench) -> Any:
    """A clinic of its own holding a catalog of ``DRUG_CATALOG_ROWS`` drugs (the catalog tests' generator)."""
    from clinic_app import catalog
    from clinic_app.store import Store
    from tests.test_drug_catalog import big_catalog

    folder = bench.workdir / "drugs"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    store, _ = Store.initialise(folder / "drugs.db", "D001", "药品目录", key_file=folder / "drugs.key")
    catalog.install_catalog(store, big_catalog(DRUG_CATALOG_ROWS))
    return store


def drug_queries(rng: random.Random, count: int) -> list[str]:
    """Queries a doctor types: a part of a name, initials from a syllable on, the start of a code."""
    numbers = [rng.randrange(DRUG_CATALOG_ROWS) for _ in range(count)]
    forms = (
        lambda i: f"药品{i}号",
        lambda i: "aldp",
        lambda i: f"XC08CA01A{i:05d}",
    )
    return [forms[n % len(forms)](i) for n, i in enumerate(numbers)]


@step(("drug_search_ms", "ms"))
def drug_search(bench: Bench) -> None:
    from clinic_app import drugs

    timed = bench.repeats(60, 30)
    progress(f"drug search: {timed} queries over {DRUG_CATALOG_ROWS:,} catalog rows")
    store = drug_catalog_store(bench)
    try:
        queries = drug_queries(random.Random(2), timed + 10)
        for query in queries[:10]:
            drugs.search_drugs(store.conn, query)
        times: list[float] = []
        empty = 0
        for query in queries[10:]:
            started = time.perf_counter()
            found = drugs.search_drugs(store.conn, query)
            times.append((time.perf_counter() - started) * 1000)
            empty += not found
        figure = bench.add(
            "drug_search_ms",
            statistics.median(times),
            "ms",
            DRUG_SEARCH_TARGET_MS,
            note=f"search_drugs (name part, initials, code start; first 20): median of {len(times)}, "
            f"p95 {percentile(times, 0.95):.2f} ms, max {max(times):.2f} ms"
            + (f"; FOUND NOTHING for {empty}" if empty else ""),
        )
        figure.ok = figure.ok and not empty
    finally:
        store.close()


def refill_store(bench: Bench, patients: int) -> Any:
    """A clinic of its own whose patients each had a 28-day prescription every 28 days for 3 years, each dispensed
    at once (rows written in bulk, then each prescription's supply as the hooks keep it)."""
    import datetime as dt
    import uuid

    from clinic_app import rx_supply
    from clinic_app.store import Store

    folder = bench.workdir / "refills"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    store, _ = Store.initialise(folder / "refills.db", "R001", "长处方", key_file=folder / "refills.key")
    conn, clinic, today, rng = store.conn, store.clinic_id, dt.date.today(), random.Random(3)
    people, prescriptions, installments = [], [], []
    for i in range(patients):
        person = str(uuid.uuid4())
        people.append((person, clinic, f"患者{i}"))
        day = today - dt.timedelta(days=3 * 365 + rng.randrange(28))
        while day <= today:
            rx = str(uuid.uuid4())
            prescriptions.append(
                (rx, clinic, day.isoformat(), person, (day + dt.timedelta(days=35)).isoformat())
            )
            installments.append((str(uuid.uuid4()), clinic, rx, day.isoformat()))
            day += dt.timedelta(days=28)
    stamp = "'2026-01-01T00:00:00.000Z'"
    with store.transaction():
        conn.executemany(
            f"INSERT INTO resident(id, clinic_id, created_at, updated_at, name, sex, birth_date) "
            f"VALUES (?, ?, {stamp}, {stamp}, ?, 'M', '1950-01-01')",
            people,
        )
        conn.executemany(
            "INSERT INTO prescription(id, clinic_id, created_at, updated_at, issued_on, resident_id, disease, days, "
            f"status_on_issue, valid_until) VALUES (?, ?, {stamp}, {stamp}, ?, ?, 'hypertension', 28, 'active', ?)",
            prescriptions,
        )
        conn.executemany(
            "INSERT INTO dispensing(id, clinic_id, created_at, updated_at, prescription_id, dispensed_on, days) "
            f"VALUES (?, ?, {stamp}, {stamp}, ?, ?, 28)",
            installments,
        )
        rx_supply.refresh(conn, [r[0] for r in prescriptions])
    conn.execute("ANALYZE")
    return store, len(prescriptions)


@step(("refill_worklist_first_page_ms", "ms"))
def refill_worklist(bench: Bench) -> None:
    import datetime as dt

    from clinic_app import rx_records

    patients = REFILL_PATIENTS[1] if bench.quick else REFILL_PATIENTS[0]
    progress(f"refill worklist: {patients:,} patients with 3 years of prescriptions")
    store, count = refill_store(bench, patients)
    try:
        today = dt.date.today()
        rx_records.refills_page(store.conn, store.clinic_id, today, 7)
        times: list[float] = []
        for _ in range(bench.repeats(30, 10)):
            started = time.perf_counter()
            page = rx_records.refills_page(store.conn, store.clinic_id, today, 7)
            times.append((time.perf_counter() - started) * 1000)
        figure = bench.add(
            "refill_worklist_first_page_ms",
            statistics.median(times),
            "ms",
            REFILL_TARGET_MS,
            note=f"refills_page(7 days), first {rx_records.PAGE}: median of {len(times)}, p95 "
            f"{percentile(times, 0.95):.2f} ms; {patients:,} patients, {count:,} prescriptions, {len(page)} rows",
        )
        figure.ok = figure.ok and bool(page)
    finally:
        store.close()


def probe_runs(bench: Bench, kind: str, runs: int) -> tuple[list[float], int]:
    """Milliseconds of ``runs`` runs of one Qt probe, each in a new process, and the rows it had."""
    bench.require_db()
    times: list[float] = []
    rows = 0
    for _ in range(runs):
        value, shown = run_probe(bench, kind, str(bench.db), str(bench.key))
        rows = int(shown)
        if rows <= 0:
            raise RuntimeError(f"the residents {kind} had no rows")
        times.append(float(value))
    return times, rows


@step(("residents_page_first_rows_ms", "ms"))
def residents_page(bench: Bench) -> None:
    runs = bench.repeats(5, 2)
    progress(f"residents page: {runs} runs, each in a new process")
    times, rows = probe_runs(bench, "page", runs)
    bench.add(
        "residents_page_first_rows_ms",
        statistics.median(times),
        "ms",
        PAGE_TARGET_MS,
        note=f"ResidentsPage (lazy ResidentTableModel + view) built, shown and painted with its first "
        f"{rows} rows, offscreen; {spread(times, 'ms', 1)}",
    )


@step(("residents_model_first_rows_ms", "ms"))
def residents_model(bench: Bench) -> None:
    runs = bench.repeats(5, 2)
    progress(f"residents table model alone: {runs} runs, each in a new process")
    times, rows = probe_runs(bench, "model", runs)
    bench.add(
        "residents_model_first_rows_ms",
        statistics.median(times),
        "ms",
        PAGE_TARGET_MS,
        note=f"ResidentTableModel(conn, clinic_id) alone: rowCount() {rows}, the first {VISIBLE_ROWS} rows' "
        f"cells formatted; {spread(times, 'ms', 1)}",
    )


@step(("cold_start_seconds", "s"))
def cold_start(bench: Bench) -> None:
    from clinic_app.demo import DEMO_USERS

    bench.require_db()
    runs = bench.repeats(3, 1)
    progress(f"cold start: {runs} run(s) of the program")
    env = bench.env(CLINIC_PASSWORD=DEMO_USERS["admin"])
    command = [
        sys.executable,
        "-m",
        "ui.app",
        "--db",
        str(bench.db),
        "--key-file",
        str(bench.key),
        "--user",
        "admin",
        "--exit-when-ready",
    ]
    # the installed program carries its bytecode; a checkout run with PYTHONDONTWRITEBYTECODE would compile
    # every module of ours at each start (about 0.13 s here), which is not what a doctor waits for
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "clinic_app", "ui", "sync"],
        cwd=ROOT,
        env=bench.env(),
        capture_output=True,
        check=True,
    )
    walls: list[float] = []
    reported: list[float] = []
    problems: list[str] = []
    for _ in range(runs):
        wall, line = time_until_ready(command, env, bench.workdir, what="python -m ui.app")
        walls.append(wall)
        words = line.split()  # "ready 0.812 rows=200"
        try:
            reported.append(float(words[1]))
        except (IndexError, ValueError):
            problems.append(f"unexpected ready line {line!r}")
        shown = next((w.split("=", 1)[1] for w in words if w.startswith("rows=")), None)
        if shown is not None and shown.isdigit() and int(shown) == 0:
            problems.append("the main window showed no residents")
    figure = bench.add(
        "cold_start_seconds",
        statistics.median(walls),
        "s",
        COLD_START_TARGET_S,
        note="`python -m ui.app --user admin --exit-when-ready` from Popen to its 'ready' line: signed in "
        f"(one scrypt), main window shown with first rows; {spread(walls, 's')}; the program itself "
        f"reports {', '.join(f'{r:.3f}' for r in reported) or '-'} s (from its first import); "
        "OS file cache warm" + ("; " + "; ".join(problems) if problems else ""),
    )
    figure.ok = figure.ok and not problems


@step(("bare_pyside6_window_seconds", "s"))
def bare_window(bench: Bench) -> None:
    runs = bench.repeats(3, 1)
    progress(f"bare PySide6 window: {runs} run(s)")
    command = [sys.executable, str(PROBES), "bare"]
    times = [
        time_until_ready(command, bench.env(), bench.workdir, what="a bare window")[0] for _ in range(runs)
    ]
    bench.add(
        "bare_pyside6_window_seconds",
        statistics.median(times),
        "s",
        note=f"floor for cold_start_seconds: import PySide6, show a QMainWindow, print; {spread(times, 's')}",
    )


@step(("password_hash_ms", "ms"))
def password_hash(bench: Bench) -> None:
    from clinic_app.users import SCRYPT_N, SCRYPT_P, SCRYPT_R, hash_password

    progress("password hash")
    times = []
    for _ in range(bench.repeats(5, 3)):
        started = time.perf_counter()
        hash_password("benchmark-password")
        times.append((time.perf_counter() - started) * 1000)
    bench.add(
        "password_hash_ms",
        statistics.median(times),
        "ms",
        note=f"clinic_app.users.hash_password: scrypt N=2^{SCRYPT_N.bit_length() - 1} r={SCRYPT_R} p={SCRYPT_P}, "
        f"{128 * SCRYPT_N * SCRYPT_R // 2**20} MiB; {spread(times, 'ms', 0)}; paid at every sign-in",
    )


# -- chronic care at a clinic of 5,000 residents (DESIGN §10) -----------------------------------------------
CHRONIC_RESIDENTS = 5000
ENTRY_QUALITY_TARGET_MS = 1000.0  # read off the GUI thread (the 录入质量 tab's worker)
BACKDATED_SHARE = (
    5  # one follow-up in this many made "typed in three days later", so the lonely-day check reads
)


@step(("entry_quality_ms", "ms"))
def entry_quality(bench: Bench) -> None:
    import datetime as dt

    from clinic_app import entry_quality as Q
    from clinic_app.store import Store

    db, key = chronic_clinic(bench)
    store = Store.open(db, key)
    try:
        with store.unit(None, "bench.backdate") as uow:  # the demo records every visit on its day
            uow.conn.execute(
                "UPDATE followup SET created_at = strftime('%Y-%m-%dT%H:%M:%fZ', created_at, '+3 days') "
                "WHERE rowid % ? = 0",
                (BACKDATED_SHARE,),
            )
        conn = store.reader()
        year = dt.date.today().year - 1  # the last whole year of visits
        counts = {
            y: conn.execute(
                "SELECT count(*) FROM followup WHERE visit_date BETWEEN ? AND ?", (f"{y}-01-01", f"{y}-12-31")
            ).fetchone()[0]
            for y in (year - 1, year, year + 1)
        }
        total = conn.execute("SELECT count(*) FROM followup").fetchone()[0]
        times = []
        report = None
        for _ in range(bench.repeats(5, 3)):
            started = time.perf_counter()
            report = Q.build(conn, store.clinic_id, year)
            times.append((time.perf_counter() - started) * 1000)
        conn.close()
    finally:
        store.close()
    assert report is not None
    bench.add(
        "entry_quality_ms",
        statistics.median(times),
        "ms",
        ENTRY_QUALITY_TARGET_MS,
        note=f"clinic_app.entry_quality.build for {year} on a {CHRONIC_RESIDENTS:,}-resident demo clinic "
        f"({total:,} follow-ups; by year "
        + ", ".join(f"{y}: {n:,}" for y, n in counts.items())
        + f"; one in {BACKDATED_SHARE} recorded 3 days late), its own connection as the tab's worker reads; "
        f"{len(report.doctors)} doctors, {len(report.visits)} visits flagged; {spread(times, 'ms', 1)}",
    )


@step(("visit_settle_ms", "ms"), ("visit_save_ms", "ms"), ("day_end_ms", "ms"))
def visits(bench: Bench) -> None:
    from tests.benchmarks import visit_bench

    bench.require_db()
    progress("visits: a year of visits of 5,000 patients, then settling, saving, the day's end")
    visit_bench.settle_and_day_end(bench.add, bench.db, bench.key, bench.quick)


# -- county server (PostgreSQL of this machine; see server_bench.py) ------------------------------------
@step(
    ("server_devices_push_p50_ms", "ms"),
    ("server_devices_push_p95_ms", "ms"),
    ("server_devices_pull_p50_ms", "ms"),
    ("server_devices_pull_p95_ms", "ms"),
    ("server_devices_errors", "count"),
    ("server_cpu_per_request_ms", "ms"),
)
def server_devices(bench: Bench) -> None:
    from tests.benchmarks import server_bench

    progress("county server: devices syncing at once")
    server_bench.many_devices(bench.add, bench.quick)


@step(
    ("server_burst_push_p95_ms", "ms"),
    ("server_burst_pull_p95_ms", "ms"),
    ("server_burst_errors", "count"),
)
def server_burst(bench: Bench) -> None:
    from tests.benchmarks import server_bench

    progress("county server: every device in the same second")
    server_bench.burst(bench.add, bench.quick)


@step(
    ("pull_100_changes_small_ms", "ms"),
    ("pull_100_changes_large_ms", "ms"),
    ("pull_cost_ratio_large_vs_small", "x"),
)
def server_pull_cost(bench: Bench) -> None:
    from tests.benchmarks import server_bench

    progress("county server: pull cost against database size")
    server_bench.pull_cost(bench.add, bench.quick)


@step(
    ("initial_sync_seconds", "s"),
    ("raw_bulk_insert_seconds", "s"),
    ("initial_sync_vs_raw_insert", "x"),
    ("incremental_sync_100_seconds", "s"),
)
def device_sync(bench: Bench) -> None:
    from tests.benchmarks import sync_bench

    progress("device sync: initial and incremental")
    sync_bench.device_sync(bench.add, bench.quick)


@step(("chronic_clinic_indicators_ms", "ms"))
def chronic_clinic_indicators(bench: Bench) -> None:
    from tests.benchmarks import indicator_bench

    progress("chronic-care indicators of a 5,000-resident clinic")
    indicator_bench.clinic_indicators(bench.add, bench.workdir, bench.quick)


@step(("county_indicators_seconds", "s"))
def county_indicators(bench: Bench) -> None:
    from tests.benchmarks import indicator_bench

    progress("county server: chronic-care indicators over 300 clinics, 30 with --quick (PostgreSQL)")
    indicator_bench.county_indicators(bench.add, bench.workdir, bench.quick)


@step(("county_trace_codes_seconds", "s"))
def county_trace_codes(bench: Bench) -> None:
    from tests.benchmarks import trace_bench

    progress("county server: the trace-code report over 300 clinics, 30 with --quick (PostgreSQL)")
    trace_bench.county_trace_codes(bench.add, bench.quick)


@step(("journey_worst_gui_stall_ms", "ms"), ("journey_steps", "count"))
def journeys(bench: Bench) -> None:
    """The journeys (tests/journeys) on the 2,000-resident demo clinic: the longest time the GUI thread went
    without processing events in any step a person takes. Quick mode runs only the page-opening journey."""
    stalls = bench.workdir / "journey-stalls.json"
    stalls.unlink(missing_ok=True)
    which = ["tests/journeys/test_window.py"] if bench.quick else ["tests/journeys"]
    progress(f"journeys: {' '.join(which)}")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *which],
        cwd=ROOT,
        env=bench.env(JOURNEY_STALLS=str(stalls), JOURNEY_SHOTS=str(bench.workdir / "shots")),
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if not stalls.exists():
        raise RuntimeError(f"the journeys recorded nothing (exit {done.returncode}): {tail(done.stdout)}")
    report = json.loads(stalls.read_text(encoding="utf-8"))
    worst = report["worst"]
    failed = (
        "" if done.returncode == 0 else f"; the journeys FAILED (exit {done.returncode}): {tail(done.stdout)}"
    )
    figure = bench.add(
        "journey_worst_gui_stall_ms",
        worst["worst_gap_ms"],
        "ms",
        GUI_STALL_TARGET_MS,
        note=f"worst step: {worst['test']} / {worst['step']}; 2,000-resident demo clinic{failed}",
    )
    figure.ok = figure.ok and done.returncode == 0
    slow = sorted(report["steps"], key=lambda s: -s["worst_gap_ms"])[:5]
    bench.add(
        "journey_steps",
        len(report["steps"]),
        "count",
        note="slowest: " + "; ".join(f"{s['step']} {s['worst_gap_ms']:.0f} ms" for s in slow),
    )


# -- chronic care (issue 12): a clinic of 5,000 residents, its patients with 1-3 years of follow-ups ------------
CHRONIC_RESIDENTS = 5000  # the benchmark clinic, whatever the size of the main database
WORKLIST_TARGET_MS = 20.0
CHART_TARGET_MS = 50.0
REFRESH_TARGET_MS = 100.0
CHRONIC_BUILT: set[Path] = set()
PAGE_FUNCTIONS = {
    "overdue": "overdue_page",
    "due": "due_page",
    "referrals": "referral_page",
    "short": "short_page",
}


def chronic_clinic(bench: Bench) -> tuple[Path, Path]:
    """The 5,000-resident demo clinic (clinic_app.demo: hypertension and diabetes patients with one to three
    years of follow-ups), built once per run beside the main database."""
    db, key = bench.workdir / "chronic-5k.db", bench.workdir / "chronic-5k.key"
    if db not in CHRONIC_BUILT:  # every run builds it anew (its dates are today's)
        from clinic_app.demo import create_demo_database

        progress(f"building the {CHRONIC_RESIDENTS:,}-resident chronic-care clinic")
        for old in [*bench.workdir.glob("chronic-5k.db*"), key]:
            old.unlink(missing_ok=True)
        create_demo_database(db, key, residents=CHRONIC_RESIDENTS, seed=1)
        CHRONIC_BUILT.add(db)
    return db, key


@contextmanager
def chronic_reader(bench: Bench) -> Iterator[tuple[Any, Any]]:
    """(store, a read connection) of the 5,000-resident clinic, both closed after."""
    from clinic_app.store import Store

    store = Store.open(*chronic_clinic(bench))
    conn = store.reader()
    try:
        yield store, conn
    finally:
        conn.close()
        store.close()


def timed_ms(fn: Callable[[], Any], runs: int) -> tuple[list[float], Any]:
    """Wall-clock milliseconds of ``runs`` calls, and the last result."""
    times: list[float] = []
    result: Any = None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return times, result


@step(
    ("chronic_worklist_overdue_first_page_ms", "ms"),
    ("chronic_worklist_due_first_page_ms", "ms"),
    ("chronic_worklist_referrals_first_page_ms", "ms"),
    ("chronic_worklist_short_first_page_ms", "ms"),
)
def chronic_worklists(bench: Bench) -> None:
    import datetime as dt

    from clinic_app import chronic_records as R

    runs = bench.repeats(30, 10)
    progress(f"chronic worklists: first page of 200, {runs} runs each")
    with chronic_reader(bench) as (store, conn):
        clinic, today = store.clinic_id, dt.date.today()
        patients = conn.execute("SELECT count(*) FROM disease_registration").fetchone()[0]
        visits = conn.execute("SELECT count(*) FROM followup").fetchone()[0]
        lists: dict[str, tuple[Callable[[], list[Any]], float | None]] = {
            "overdue": (lambda: R.overdue_page(conn, clinic, today, limit=200), WORKLIST_TARGET_MS),
            "due": (lambda: R.due_page(conn, clinic, today, 7, limit=200), WORKLIST_TARGET_MS),
            "referrals": (lambda: R.referral_page(conn, clinic, today, limit=200), None),
            "short": (lambda: R.short_page(conn, clinic, today, limit=200), None),
        }
        for which, (read, target) in lists.items():
            cold, _ = timed_ms(read, 1)  # the first read on a new connection: pages not yet decrypted
            times, rows = timed_ms(read, runs)
            bench.add(
                f"chronic_worklist_{which}_first_page_ms",
                statistics.median(times),
                "ms",
                target,
                note=f"chronic_records.{PAGE_FUNCTIONS[which]}(limit=200) on a read connection, {len(rows)} rows; "
                f"{spread(times, 'ms')}; first read on a new connection {cold[0]:.2f} ms; "
                f"{CHRONIC_RESIDENTS:,} residents, {patients:,} registrations, {visits:,} follow-ups",
            )


@step(("chronic_chart_ms", "ms"))
def chronic_chart(bench: Bench) -> None:
    import datetime as dt

    from clinic_app.chronic_chart import patient_chart

    count = bench.repeats(30, 10)
    progress(f"chronic chart: the {count} patients with the most follow-ups")
    with chronic_reader(bench) as (_store, conn):
        today = dt.date.today()
        people = conn.execute(
            "SELECT resident_id, count(*) AS n FROM followup GROUP BY resident_id ORDER BY n DESC, resident_id "
            "LIMIT ?",
            (count,),
        ).fetchall()
        patient_chart(conn, people[-1]["resident_id"], today)  # warm-up, not among the timed
        times = []
        for person in people:
            started = time.perf_counter()
            chart = patient_chart(conn, person["resident_id"], today)
            times.append((time.perf_counter() - started) * 1000)
            assert len(chart.visits) == person["n"]
        bench.add(
            "chronic_chart_ms",
            statistics.median(times),
            "ms",
            CHART_TARGET_MS,
            note=f"clinic_app.chronic_chart.patient_chart (resident, registrations, every visit with its drugs, "
            f"contract): median over the {len(times)} patients with the most follow-ups "
            f"({people[-1]['n']}-{people[0]['n']} each), max {max(times):.2f} ms",
        )


@step(("chronic_page_refresh_after_followup_ms", "ms"))
def chronic_page_refresh(bench: Bench) -> None:
    db, key = chronic_clinic(bench)
    runs = bench.repeats(5, 2)
    progress(f"chronic page refresh after a follow-up: {runs} runs, each in a new process")
    worst: list[float] = []
    walls: list[float] = []
    for _ in range(runs):
        words = run_probe(bench, "chronic", str(db), str(key))
        worst.append(float(words[0]))
        walls.append(float(words[1]))
    bench.add(
        "chronic_page_refresh_after_followup_ms",
        statistics.median(worst),
        "ms",
        REFRESH_TARGET_MS,
        note="慢病随访 page (ChronicPage) shown on the overdue list; a follow-up of its first patient saved on the "
        "writer: the longest time the GUI thread went without processing events from the save's start until "
        f"the list shows the patient gone; {spread(worst, 'ms', 1)}; wall time until then "
        f"{spread(walls, 'ms', 1)}; offscreen, {CHRONIC_RESIDENTS:,} residents",
    )


# -- running and reporting ---------------------------------------------------------------------------
def run_steps(bench: Bench, steps: Iterable[Step]) -> None:
    for s in steps:
        before = len(bench.figures)
        try:
            s.run(bench)
        except Exception as exc:  # a broken figure is reported; the others still run
            why = f"{type(exc).__name__}: {exc}"
            progress(f"{s.run.__name__} failed: {why}")
            reported = {f.name for f in bench.figures[before:]}
            for name, unit in zip(s.names, s.units, strict=True):
                name = name.format(k=bench.residents // 1000)
                if name not in reported:
                    bench.figures.append(Figure(name, NOT_MEASURED, unit, "-", False, f"NOT MEASURED: {why}"))


def format_value(value: float) -> str:
    return f"{value:.3f}"


def print_table(figures: list[Figure]) -> None:
    head = ("figure", "value", "unit", "target", "pass")
    rows = [(f.name, format_value(f.value), f.unit, f.target, "yes" if f.ok else "NO") for f in figures]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    align = ("<", ">", "<", "<", "<")
    for r in [head, tuple("-" * w for w in widths), *rows]:
        print("  ".join(f"{cell:{a}{w}}" for cell, a, w in zip(r, align, widths, strict=True)).rstrip())
    print()
    print("notes:")
    for f in figures:
        if f.note:
            print(f"  {f.name}: {f.note}")
    sys.stdout.flush()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="run.py", description="Village Clinic benchmarks: a table on stdout, the same figures as JSON."
    )
    parser.add_argument("--json", required=True, metavar="PATH", help="write the figures here as JSON")
    parser.add_argument(
        "--quick", action="store_true", help="10,000 residents instead of 100,000, fewer repetitions"
    )
    parser.add_argument(
        "--workdir", metavar="DIR", help="build the database here and keep it (default: a temp dir, removed)"
    )
    parser.add_argument(
        "--only",
        metavar="STEP[,STEP]",
        help="run only these figure functions (e.g. chronic_worklists,chronic_chart); names: "
        + ", ".join(st.run.__name__ for st in STEPS),
    )
    args = parser.parse_args(argv)
    target = Path(args.json)
    if target.is_dir() or not target.parent.is_dir():
        parser.error(f"--json {args.json}: not a file in an existing folder")
    if args.workdir and Path(args.workdir).exists() and not Path(args.workdir).is_dir():
        parser.error(f"--workdir {args.workdir}: not a folder")
    known = {st.run.__name__ for st in STEPS}
    unknown = sorted(set(only(args)) - known)
    if unknown:
        parser.error(
            f"--only {args.only}: no figure function {', '.join(unknown)} (known: {', '.join(sorted(known))})"
        )
    return args


def only(args: argparse.Namespace) -> list[str]:
    return [name.strip() for name in (args.only or "").split(",") if name.strip()]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    own_workdir = not args.workdir
    workdir = Path(tempfile.mkdtemp(prefix="clinic-bench-") if own_workdir else args.workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    bench = Bench(workdir, 10_000 if args.quick else 100_000, args.quick)
    for old in [
        *workdir.glob("bench.db*"),
        *workdir.glob("chronic-5k.*"),
        bench.key,
    ]:  # every run builds anew
        old.unlink(missing_ok=True)
    shutil.rmtree(bench.home, ignore_errors=True)
    started = time.perf_counter()
    try:
        chosen = only(args)
        run_steps(bench, [st for st in STEPS if not chosen or st.run.__name__ in chosen])
    finally:
        if own_workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    progress(
        f"done in {time.perf_counter() - started:.0f} s"
        + ("" if own_workdir else f"; database kept in {workdir}")
    )
    print_table(bench.figures)
    Path(args.json).write_text(
        json.dumps([f.as_json() for f in bench.figures], ensure_ascii=False, indent=1, allow_nan=False)
        + "\n",
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
