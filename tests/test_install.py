"""The install the README makes: every package locked, the plain install enough for every command it has.

The lock is constraints.txt (dev.sh, the README and build.spec install with `pip install -c constraints.txt`).
The plain-install checks run the program with every module that only an extra brings (pytest, fastapi,
httpx, …) made unimportable, so a runtime import that only the test extras satisfy fails here."""

from __future__ import annotations

import ast
import importlib.metadata as md
import json
import os
import subprocess
import sys
import tomllib
from functools import cache
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .conftest import Clinic

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "constraints.txt"
PROJECT = "village-clinic"
PROJECT_PACKAGES = ("clinic_app", "sync", "ui")


def _pyproject() -> dict:  # type: ignore[type-arg]
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _lock() -> dict[str, list[Requirement]]:
    """Each locked name → its lines (one per marker fork, e.g. numpy for Python < 3.12 and ≥ 3.12)."""
    pins: dict[str, list[Requirement]] = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            req = Requirement(line)
            pins.setdefault(canonicalize_name(req.name), []).append(req)
    return pins


def _pin_here(reqs: list[Requirement]) -> str | None:
    """The version locked for this interpreter and platform (None if no line's marker applies)."""
    for req in reqs:
        if req.marker is None or req.marker.evaluate():
            (spec,) = req.specifier
            return spec.version
    return None


def test_every_line_of_the_lock_is_an_exact_pin() -> None:
    for name, reqs in _lock().items():
        for req in reqs:
            specs = list(req.specifier)
            assert len(specs) == 1 and specs[0].operator == "==", f"{name}: {req} is not pinned with =="
            assert not req.extras, f"{name}: a constraints file cannot carry extras ({req})"


def test_every_installed_distribution_is_the_locked_version() -> None:
    pins = _lock()
    wrong = []
    for dist in md.distributions():
        name = canonicalize_name(dist.metadata["Name"])
        if name == PROJECT:
            continue
        locked = _pin_here(pins.get(name, []))
        if locked != dist.version:
            wrong.append(f"{name} {dist.version} installed, lock says {locked or 'nothing'}")
    assert not wrong, "this environment is not the locked one (rebuild it with ./dev.sh):\n" + "\n".join(
        wrong
    )


def test_every_dependency_in_pyproject_is_locked_within_its_range() -> None:
    project = _pyproject()["project"]
    wanted = [Requirement(r) for r in project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        wanted += [r for r in map(Requirement, extra) if canonicalize_name(r.name) != PROJECT]
    pins = _lock()
    for req in wanted:
        locked = _pin_here(pins.get(canonicalize_name(req.name), []))
        assert locked is not None, f"{req.name} is a dependency but not in {LOCK.name}"
        assert req.specifier.contains(locked, prereleases=True), f"{req} but the lock has {locked}"


def test_the_build_backend_is_the_locked_setuptools() -> None:
    (backend,) = map(Requirement, _pyproject()["build-system"]["requires"])
    assert canonicalize_name(backend.name) == "setuptools"
    assert str(backend.specifier) == f"=={_pin_here(_lock()['setuptools'])}"


def test_qt_is_locked_to_the_release_that_keeps_none_alive() -> None:
    pins = _lock()
    assert _pin_here(pins["pyside6-essentials"]) == "6.11.3"
    assert _pin_here(pins["shiboken6"]) == "6.11.3"


_CANARY = """
import gc, sys
sys.path.insert(0, {root!r})
from PySide6.QtGui import QStandardItem  # the binding itself: the canary watches PySide6, not our code
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication([])
item, widget = QStandardItem(), QWidget()
item.setData(256, 0)
widget.setToolTip("")
gc.collect()
gc.disable()
before = sys.getrefcount(None)
for i in range(10_000):
    item.setData(256, i)  # Qt.UserRole
    widget.setToolTip("tip")
after = sys.getrefcount(None)
print(after - before)
"""


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12 on")
def test_canary_ten_thousand_void_qt_calls_leave_nones_reference_count_alone() -> None:
    """PySide6 6.12.0 on Python 3.11 drops one reference to None per call that returns nothing (1,000
    setData: -1,000), until `Fatal Python error: none_dealloc`; 6.11.3 drops none. In a child process, so
    that a broken binding fails this test instead of killing the run."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", _CANARY.format(root=str(ROOT))],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, f"the Qt bindings crashed the interpreter:\n{result.stderr[-2000:]}"
    moved = int(result.stdout.split()[-1])
    assert moved == 0, f"None's reference count moved by {moved} over 20,000 void Qt calls"


# -- the plain install ------------------------------------------------------------------------------------


@cache
def _installed_by(extra: str = "") -> frozenset[str]:
    """The distributions `pip install .` (or `.[extra]`) brings: the dependencies and theirs, markers
    evaluated."""
    seen: set[str] = {PROJECT, "pip", "setuptools"}  # dev.sh puts the locked pip and setuptools in every venv
    project = _pyproject()["project"]
    todo = [
        Requirement(r)
        for r in project["dependencies"] + (project["optional-dependencies"][extra] if extra else [])
    ]
    env = default_environment() | {"extra": ""}
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        if name in seen or (req.marker is not None and not req.marker.evaluate(env)):
            continue
        seen.add(name)
        todo += [Requirement(r) for r in md.distribution(name).requires or []]
    return frozenset(seen)


@cache
def absent_from(extra: str = "") -> frozenset[str]:
    """Top-level import names that only distributions outside that install provide here."""
    inside = _installed_by(extra)
    return frozenset(
        top
        for top, dists in md.packages_distributions().items()
        if not {canonicalize_name(d) for d in dists} & inside and top not in PROJECT_PACKAGES
    )


def _absent_from_plain_install() -> frozenset[str]:
    return absent_from("")


def _plain_modules() -> list[Path]:
    """Every module `clinic`, `clinic-app` and `sync.client` may load: the project's packages but the
    county server's."""
    files = [f for pkg in PROJECT_PACKAGES for f in sorted((ROOT / pkg).rglob("*.py"))]
    return [f for f in files if not f.is_relative_to(ROOT / "sync" / "server")]


def test_the_plain_install_leaves_out_what_only_the_extras_bring() -> None:
    """The check below is only as good as this: the test runner and the server stack count as absent."""
    absent = _absent_from_plain_install()
    assert {"pytest", "fastapi", "httpx", "sqlalchemy", "hypothesis"} <= absent
    assert not {"PySide6", "pydantic", "requests", "pyqtgraph", "numpy"} & absent


def test_no_module_of_the_program_imports_what_the_plain_install_lacks() -> None:
    """Also the imports inside functions, which run only when a person clicks (同步 → 登记本机…)."""
    absent = _absent_from_plain_install()
    found = []
    for path in _plain_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            found += [
                f"{path.relative_to(ROOT)}:{node.lineno}: {n}" for n in names if n.split(".")[0] in absent
            ]
            if any(n == "sync.server" or n.startswith("sync.server.") for n in names):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: the county server ({names[0]})")
    assert not found, "imports the plain install cannot satisfy:\n" + "\n".join(found)


# A prelude run before the program in a subprocess: what only the extras bring cannot be imported.
_PLAIN = """
import importlib.abc, sys
ABSENT = frozenset({absent!r})
class NotInThePlainInstall(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ABSENT:
            raise ModuleNotFoundError(f"No module named {{name!r}} (not in the plain install)", name=name)
        return None
sys.meta_path.insert(0, NotInThePlainInstall())
sys.path.insert(0, {root!r})
"""


def _run_plain(
    code: str, tmp_path: Path, *, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    prelude = _PLAIN.format(absent=sorted(_absent_from_plain_install()), root=str(ROOT))
    full_env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path), **(env or {})}
    full_env.pop("PYTHONPATH", None)
    return subprocess.run(
        [sys.executable, "-c", prelude + code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=full_env,
        timeout=120,
    )


def test_every_module_imports_with_only_the_plain_install(tmp_path: Path) -> None:
    names = []
    for path in _plain_modules():
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    code = (
        "import importlib, json\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(n for n in sys.modules if n.split('.')[0] in ABSENT)))\n"
    )
    result = _run_plain(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == []
    assert "sync.client" in names and "ui.app" in names and "sync.client_cli" in names
    assert not any(n.startswith("sync.server") for n in names)


def _clinic(argv: list[str]) -> str:
    return f"from sync.client_cli import main\nsys.exit(main({argv!r}))\n"


def test_clinic_sync_on_a_never_enrolled_clinic_says_enroll_with_exit_4(
    clinic: Clinic, tmp_path: Path
) -> None:
    clinic.store.close()
    result = _run_plain(_clinic(["sync", "--db", str(clinic.db), "--key-file", str(clinic.key)]), tmp_path)
    assert "Traceback" not in result.stderr
    assert result.returncode == 4, result.stderr  # README: 4 enroll again
    assert "clinic enroll" in result.stderr + result.stdout


def test_signing_on_a_never_enrolled_clinic_works_offline_with_the_plain_install(
    clinic: Clinic, tmp_path: Path
) -> None:
    from clinic_app.contracts import install_reference

    install_reference(clinic.store)  # the service packages a county sends on the first pull
    clinic.store.close()
    db = ["--db", str(clinic.db), "--key-file", str(clinic.key)]
    env = {"CLINIC_PASSWORD": "admin-pass-1", "CLINIC_NEW_PASSWORD": "doctor-pass-1"}
    steps = [
        ["user", "add", "doctor", "--role", "village_doctor", "--user", "admin"],
        ["village", "add", "石头村", "--user", "admin"],
        [
            "resident",
            "add",
            "--id-number",
            "11010519491231002X",
            "--name",
            "张三",
            "--village",
            "石头村",
            "--household",
            "H0001",
            "--relation",
            "head",
            "--user",
            "admin",
        ],
        ["team", "add", "一队", "--lead", "doctor", "--user", "admin"],
    ]
    for argv in steps:
        done = _run_plain(_clinic([*argv, *db]), tmp_path, env=env)
        assert done.returncode == 0, (argv, done.stderr)
    doctor = {**env, "CLINIC_PASSWORD": "doctor-pass-1"}
    sign = [
        "contract",
        "sign",
        "--resident",
        "11010519491231002X",
        "--team",
        "一队",
        "--package",
        "BASIC",
        "--period",
        "2026",
        "--witness",
        "王护士",
        "--user",
        "doctor",
        *db,
    ]
    result = _run_plain(_clinic(sign), tmp_path, env=doctor)
    assert "Traceback" not in result.stderr
    assert result.returncode == 0, result.stderr
    assert "offline: provisional" in result.stdout
    again = [
        "contract",
        "sign-household",
        "--household",
        "H0001",
        "--team",
        "一队",
        "--package",
        "BASIC",
        "--period",
        "2026",
        "--witness",
        "王护士",
        "--user",
        "doctor",
        *db,
    ]
    result = _run_plain(_clinic(again), tmp_path, env=doctor)
    assert "Traceback" not in result.stderr
    assert result.returncode == 3, result.stderr  # already signed for 2026: invalid input, named
    assert "clinic:" in result.stderr


@pytest.mark.parametrize("made", [".venv/", ".venv-server/", ".venv-test/", ".venv-journeys/"])
def test_the_environments_the_readme_and_dev_sh_make_are_ignored_by_git(made: str) -> None:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    ignored = subprocess.run(["git", "-C", str(ROOT), "check-ignore", "-q", made], check=False)
    assert ignored.returncode == 0, f"{made} would show in git status"
