"""Journeys: a person's path through the real main window on the 2,000-resident demo clinic, driven only by
clicks and keys on the real widgets, asserting what the person sees.

They run in the environment `./dev.sh demo` builds (the base install plus pytest, pytest-qt and
pytest-timeout), so a journey imports nothing of the county server; the `county_server` fixture starts one as a
subprocess from `$CLINIC_COUNTY_SERVER` (or the `county-server` beside this Python).

While a journey runs, a 1 ms timer on the GUI thread measures the longest time the thread went without
processing events, per step (`journey.step(...)`). The figures are written to `$JOURNEY_STALLS` (default
`bench-out/journey-stalls.json`) at the end of the session; the benchmark reports the worst (target 100 ms).
They are never asserted here: machines are shared and noisy.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.qt_session import _chinese, _settings_in_tmp, documents  # noqa: F401 (fixtures)

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from clinic_app.demo import DEMO_CLINIC, DEMO_USERS, create_demo_database
from clinic_app.store import Store
from clinic_app.users import User, authenticate

ROOT = Path(__file__).resolve().parents[2]
DEMO_RESIDENTS = 2000
WINDOW_SIZE = (1366, 768)
STALL_FILE = Path(os.environ.get("JOURNEY_STALLS") or ROOT / "bench-out" / "journey-stalls.json")
SHOT_DIR = Path(os.environ.get("JOURNEY_SHOTS") or ROOT / "screenshots")
T = TypeVar("T")


# -- the demo clinic, made once per session --------------------------------------------------------------
@pytest.fixture(scope="session")
def demo_clinic_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("demo-clinic")
    db, key = folder / "clinic.db", folder / "demo.key"
    create_demo_database(db, key, residents=DEMO_RESIDENTS)
    return db, key


@pytest.fixture
def demo_copy(demo_clinic_files: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    """A private copy of the demo clinic for one journey (the database is closed, its WAL checkpointed)."""
    db, key = demo_clinic_files
    copy_db, copy_key = tmp_path / "clinic.db", tmp_path / "demo.key"
    shutil.copy2(db, copy_db)
    shutil.copy2(key, copy_key)
    return copy_db, copy_key


# -- the stall probe ---------------------------------------------------------------------------------------
@dataclass
class StallReport:
    steps: list[dict[str, Any]] = field(default_factory=list)

    def add(self, test: str, step: str, worst_ms: float, seconds: float) -> None:
        self.steps.append(
            {"test": test, "step": step, "worst_gap_ms": round(worst_ms, 1), "seconds": round(seconds, 3)}
        )

    def write(self) -> None:
        if not self.steps:
            return
        STALL_FILE.parent.mkdir(parents=True, exist_ok=True)
        worst = max(self.steps, key=lambda s: s["worst_gap_ms"])
        STALL_FILE.write_text(
            json.dumps({"worst": worst, "steps": self.steps}, ensure_ascii=False, indent=1), encoding="utf-8"
        )


@pytest.fixture(scope="session")
def stall_report() -> Iterator[StallReport]:
    report = StallReport()
    yield report
    report.write()


class GapProbe:
    """A 1 ms timer on the GUI thread: the longest interval between two of its ticks is the longest time the
    thread did not process events."""

    def __init__(self) -> None:
        from ui.qt import QTimer

        self.timer = QTimer()
        self.timer.setInterval(1)
        self.timer.timeout.connect(self._tick)
        self.last = time.perf_counter()
        self.worst = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last)
        self.last = now

    def start(self) -> None:
        self.last = time.perf_counter()
        self.worst = 0.0
        self.timer.start()

    def stop(self) -> float:
        """The worst gap in ms, counting the time since the last tick too."""
        self._tick()
        self.timer.stop()
        return self.worst * 1000


# -- the journey -------------------------------------------------------------------------------------------
class Journey:
    def __init__(
        self,
        qtbot: Any,
        store: Store,
        user: User,
        window: Any,
        writer: Any,
        test_name: str,
        report: StallReport,
    ) -> None:
        self.qtbot, self.store, self.user, self.window, self.writer = qtbot, store, user, window, writer
        self.today = dt.date.today()
        self.test_name = test_name
        self.report = report
        self.probe = GapProbe()

    # -- measuring ----------------------------------------------------------------------------------------
    @contextmanager
    def step(self, what: str) -> Iterator[None]:
        """One thing the person does; the longest GUI-thread stall during it is recorded."""
        started = time.perf_counter()
        self.probe.start()
        try:
            yield
            self.qtbot.wait(1)  # let the last tick land after the action
        finally:
            worst = self.probe.stop()
            self.report.add(self.test_name, what, worst, time.perf_counter() - started)

    # -- acting like a person -----------------------------------------------------------------------------
    def click(self, widget: Any, button: Any = None) -> None:
        from ui.qt import Qt

        assert widget.isVisible(), f"{widget!r} is not visible: a person cannot click it"
        assert widget.isEnabled(), f"{widget!r} is disabled: a person cannot click it"
        self.qtbot.mouseClick(widget, button or Qt.MouseButton.LeftButton)

    def type(self, widget: Any, text: str) -> None:
        """Type ``text`` into ``widget``: keys for what a keyboard types, an input method's committed string for
        Chinese (QTest's keyClicks knows only ASCII; given Chinese it aborts the whole process)."""
        from PySide6.QtGui import QInputMethodEvent

        from ui.qt import QApplication

        assert widget.isVisible(), f"{widget!r} is not visible: a person cannot type into it"
        widget.setFocus()
        for run in re.findall(r"[\x20-\x7e]+|[^\x20-\x7e]+", text):
            if run.isascii():
                self.qtbot.keyClicks(widget, run)
            else:
                event = QInputMethodEvent("", [])
                event.setCommitString(run)
                QApplication.sendEvent(widget, event)
        self.qtbot.wait(1)

    def click_row(self, view: Any, row: int, column: int = 0) -> None:
        """Click a row of a table view, scrolled into sight first as a person would."""
        from ui.qt import Qt

        index = view.model().index(row, column)
        view.scrollTo(index)
        self.qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center())

    def click_tab(self, tabs: Any, index: int) -> None:
        from ui.qt import Qt

        bar = tabs.tabBar()
        self.qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
        self.qtbot.waitUntil(lambda: tabs.currentIndex() == index, timeout=5000)

    def key(self, widget: Any, key: Any, modifier: Any = None) -> None:
        from ui.qt import Qt

        self.qtbot.keyClick(widget, key, modifier or Qt.KeyboardModifier.NoModifier)

    def nav_to(self, page: str) -> Any:
        """Click the navigation entry of ``page`` (residents, contracts, followups, prescriptions, reports,
        sync); returns the page now shown."""
        from ui.qt import Qt

        nav = self.window.nav
        for row in range(nav.count()):
            item = nav.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == page:
                rect = nav.visualItemRect(item)
                self.qtbot.mouseClick(nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
                self.qtbot.waitUntil(lambda row=row: nav.currentRow() == row, timeout=5000)
                return self.window.pages.currentWidget()
        raise AssertionError(f"no navigation entry {page!r}")

    def dialog(self, kind: type[T], timeout: int = 10_000) -> T:
        """Wait for a visible top-level window of class ``kind`` (a dialog the person now sees)."""
        from ui.qt import QApplication

        found: list[T] = []

        def visible() -> bool:
            found[:] = [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
            return bool(found)

        self.qtbot.waitUntil(visible, timeout=timeout)
        return found[-1]

    def message_box(self, timeout: int = 10_000) -> Any:
        from ui.qt import QMessageBox

        return self.dialog(QMessageBox, timeout)

    def wait_until(self, condition: Callable[[], Any], timeout: int = 10_000) -> None:
        self.qtbot.waitUntil(lambda: bool(condition()), timeout=timeout)

    def idle(self) -> None:
        """Wait until the window's writer has finished what was asked of it."""
        self.qtbot.waitUntil(lambda: self.writer.busy == 0, timeout=30_000)

    def shot(self, name: str, widget: Any = None) -> Path:
        SHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SHOT_DIR / f"{name}.png"
        (widget or self.window).grab().save(str(path))
        return path


def _open_journey(
    qtbot: Any, db: Path, key: Path, username: str, request: pytest.FixtureRequest, report: StallReport
) -> Iterator[Journey]:
    from ui.app import open_main_window

    store = Store.open(db, key)
    user = authenticate(store, username, DEMO_USERS[username])
    window, writer = open_main_window(store, user)
    qtbot.addWidget(window)
    window.resize(*WINDOW_SIZE)
    qtbot.waitExposed(window)
    journey = Journey(qtbot, store, user, window, writer, request.node.name, report)
    try:
        yield journey
    finally:
        window.close()
        writer.shutdown()
        store.close()


@pytest.fixture
def journey(
    qtbot: Any, demo_copy: tuple[Path, Path], request: pytest.FixtureRequest, stall_report: StallReport
) -> Iterator[Journey]:
    """The main window signed in as the demo's village doctor."""
    yield from _open_journey(qtbot, *demo_copy, "doctor", request, stall_report)


@pytest.fixture
def admin_journey(
    qtbot: Any, demo_copy: tuple[Path, Path], request: pytest.FixtureRequest, stall_report: StallReport
) -> Iterator[Journey]:
    """The main window signed in as the demo's clinic administrator."""
    yield from _open_journey(qtbot, *demo_copy, "admin", request, stall_report)


# -- a real county server, as a separate program ------------------------------------------------------------
def county_server_program() -> str:
    named = os.environ.get("CLINIC_COUNTY_SERVER")
    if named:
        return named
    beside = Path(sys.executable).with_name("county-server")
    if beside.exists():
        return str(beside)
    found = shutil.which("county-server")
    if found:
        return found
    raise RuntimeError(
        "no county-server program: set CLINIC_COUNTY_SERVER to the county-server of an environment with the "
        "server installed (./dev.sh test does)"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class CountyServer:
    program: str
    url: str
    env: dict[str, str]
    folder: Path

    def cli(self, *args: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run a county-server admin command against this server's database; fails the test on an error."""
        env = dict(self.env)
        if password is not None:
            env["COUNTY_NEW_PASSWORD"] = password
        done = subprocess.run(
            [self.program, *args], env=env, cwd=self.folder, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, f"county-server {' '.join(args)} failed: {done.stderr}"
        return done

    def enroll_code(self, clinic_code: str = DEMO_CLINIC[0]) -> str:
        return self.cli("enroll-code", "--clinic", clinic_code).stdout.strip()


@pytest.fixture
def county_server(tmp_path: Path) -> Iterator[CountyServer]:
    """A county server on a loopback port with a fresh SQLite database, knowing the demo clinic."""
    program = county_server_program()
    folder = tmp_path / "county"
    folder.mkdir()
    env = {**os.environ, "COUNTY_DATABASE_URL": f"sqlite:///{folder / 'county.db'}"}
    port = _free_port()
    server = CountyServer(program, f"http://127.0.0.1:{port}", env, folder)
    server.cli("init")
    server.cli("clinic", "add", *DEMO_CLINIC)
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(
        [program, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{server.url}/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the county server did not start: {(folder / 'server.log').read_text()}")
            time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
