"""The import direction of DESIGN §2, read from every import statement of every module (tests/import_graph.py:
inside functions too), and checked again at run time by importing with the forbidden packages blocked."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass

import pytest

from tests.import_graph import ROOT, Import, all_imports, imports_of, modules, within

QT = ("PySide6", "shiboken6", "PyQt5", "PyQt6", "PySide2", "pyqtgraph")
HTTP = ("requests", "urllib3", "httpx")
SERVER = ("fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "psycopg", "psycopg2")


@dataclass(frozen=True)
class Rule:
    modules: str  # a package or module: the rule holds for it and everything under it
    forbidden: tuple[str, ...]  # packages or modules it may not import, by name or anything under them
    reason: str
    allowed_in: tuple[str, ...] = ()  # the one module of `modules` that may

    def applies_to(self, module: str) -> bool:
        return within(module, self.modules) and module not in self.allowed_in


RULES = (
    # DESIGN §2: "Domain and storage. No Qt, no requests, no FastAPI. Pure Python + SQLite." Its users (the
    # desktop, the county server) import it, never the reverse; the wire types (pydantic) are sync.protocol's.
    Rule(
        "clinic_app",
        (*QT, *HTTP, *SERVER, "pydantic", "sync", "ui"),
        "clinic_app is the domain: pure Python + SQLite",
    ),
    Rule("sync", ("ui", *QT), "sync is below the desktop (ui → sync.client → clinic_app)"),
    Rule(
        "sync.server",
        ("sync.client", "sync.client_cli"),
        "the county server does not use the device's client",
    ),
    # The plain install (the desktop, the Windows build) has none of the server extra.
    Rule("ui", ("sync.server", *SERVER), "the desktop installs without the county server's packages"),
    Rule(
        "sync.client", ("sync.server", *SERVER), "the desktop installs without the county server's packages"
    ),
    Rule(
        "sync.client_cli",
        ("sync.server", *SERVER),
        "the desktop installs without the county server's packages",
    ),
    Rule(
        "sync.protocol", ("sync.server", *SERVER), "the desktop installs without the county server's packages"
    ),
    Rule("ui", ("PySide6", "shiboken6"), "ui reaches PySide6 only through ui/qt.py", allowed_in=("ui.qt",)),
    Rule("ui", ("pyqtgraph",), "ui reaches pyqtgraph only through ui/charts.py", allowed_in=("ui.charts",)),
    Rule("ui", ("PyQt5", "PyQt6", "PySide2"), "the desktop is PySide6"),
)


def violations(imports: Iterable[Import], rules: Iterable[Rule] = RULES) -> list[str]:
    rules = list(rules)
    return [
        f"{imp}: {rule.reason}"
        for imp in imports
        for rule in rules
        if rule.applies_to(imp.module) and any(within(imp.target, name) for name in rule.forbidden)
    ]


def test_no_module_imports_across_the_boundaries() -> None:
    found = list(all_imports())
    assert {i.module for i in found} >= {"clinic_app.cli", "clinic_app.store", "sync.server.push", "ui.qt"}
    assert violations(found) == []


def test_the_walk_sees_imports_inside_functions_of_the_real_code() -> None:
    found = {(i.module, i.target, i.in_function) for i in all_imports()}
    assert ("ui.app", "ui.mainwindow.MainWindow", True) in found
    assert ("ui.ledger_chart", "ui.charts", True) in found  # importlib.import_module on a worker thread
    assert ("sync.client_cli", "sync.client.Client", True) in found


@pytest.mark.parametrize(
    ("module", "source", "line"),
    [
        ("clinic_app.store", "import json\n\ndef push():\n    import requests\n", 4),
        (
            "clinic_app.store",
            "class A:\n    def f(self):\n        from requests.adapters import HTTPAdapter\n",
            3,
        ),
        ("clinic_app.residents", "from PySide6 import QtCore\n", 1),
        ("clinic_app.residents", "import importlib\n\ndef f():\n    importlib.import_module('fastapi')\n", 4),
        (
            "clinic_app.residents",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from sync import protocol\n",
            3,
        ),
        ("clinic_app.contracts", "f = lambda: __import__('sqlalchemy')\n", 1),
        ("clinic_app.contracts", "def f():\n    from ui.qt import QWidget\n", 2),
        ("clinic_app.contracts", "import pydantic\n", 1),
        ("sync.server.app", "def f():\n    from ui import messages\n", 2),
        ("sync.server.app", "from sync.client import Client\n", 1),
        ("sync.client", "from sync.server.db import make_engine\n", 1),
        ("sync.protocol", "def openapi():\n    import fastapi\n", 2),
        ("ui.residents_page", "def f():\n    from PySide6.QtWidgets import QLabel\n", 2),
        ("ui.ledger_chart", "import pyqtgraph as pg\n", 1),
        ("ui.contracts_page", "def f():\n    from sync.server import service\n", 2),
    ],
)
def test_a_forbidden_import_anywhere_in_a_module_is_found(module: str, source: str, line: int) -> None:
    [problem] = violations(imports_of(source, module))
    assert problem.startswith(f"{module}:{line} imports ")


def test_allowed_imports_are_not_reported() -> None:
    allowed = {
        "ui.qt": "from PySide6.QtCore import Qt\n",
        "ui.charts": "def f():\n    import pyqtgraph as pg\n",
        "ui.residents_page": "from ui.qt import QLabel\nfrom sync.client import Client\nfrom clinic_app import residents\n",
        "sync.server.app": "import fastapi\nfrom sync import protocol\nfrom clinic_app.store import utc_now\n",
        "clinic_app.store": "import sqlcipher3\nfrom . import db\n\ndef f():\n    from clinic_app.search import resident_keys\n",
    }
    assert [v for m, s in allowed.items() for v in violations(imports_of(s, m))] == []


BLOCKER = """
import importlib, importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if any(name == b or name.startswith(b + ".") for b in BLOCKED):
            raise ImportError(f"{name} is blocked")
sys.meta_path.insert(0, Block())
for name in MODULES:
    importlib.import_module(name)
print("ok", len(MODULES))
"""


def _import_blocked(names: list[str], blocked: Iterable[str]) -> None:
    code = f"MODULES = {names!r}\nBLOCKED = {sorted(blocked)!r}\n" + BLOCKER
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"ok {len(names)}")


def test_clinic_app_imports_with_qt_and_requests_blocked() -> None:
    names = list(modules(["clinic_app"]))
    assert "clinic_app.cli" in names and "clinic_app.store" in names
    _import_blocked(names, {*QT, *HTTP, *SERVER, "pydantic", "sync", "ui"})


def test_the_desktop_imports_with_the_county_servers_packages_blocked() -> None:
    names = [m for m in modules(["ui", "sync"]) if not within(m, "sync.server")]
    assert "ui.mainwindow" in names and "sync.client" in names
    _import_blocked(names, {*SERVER, "sync.server"})
