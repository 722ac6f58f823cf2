from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import clinic_app

ROOT = Path(__file__).resolve().parent.parent
BLOCKER = """
import importlib.abc, sys
BLOCKED = {"PySide6", "shiboken6", "requests", "fastapi", "uvicorn", "urllib3"}
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"clinic_app must not import {name}")
sys.meta_path.insert(0, Block())
import importlib
for name in MODULES:
    importlib.import_module(name)
print("ok", len(MODULES))
"""


def test_clinic_app_imports_with_qt_and_requests_blocked() -> None:
    modules = ["clinic_app"] + [m.name for m in pkgutil.walk_packages(clinic_app.__path__, "clinic_app.")]
    code = f"MODULES = {modules!r}\n" + BLOCKER
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"ok {len(modules)}")
    assert "clinic_app.cli" in modules and "clinic_app.store" in modules
