"""The build users receive: `pyinstaller build.spec` makes the one folder, and the programs in it run.

Built on Linux here (the same spec builds the Windows folder); takes minutes, so it is marked slow:
`./dev.sh test tests/test_build.py -m slow`."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from clinic_app import __version__
from clinic_app.demo import DEMO_USERS, create_demo_database
from clinic_app.store import Store

from .test_install import absent_from

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform != "linux", reason="built and run on Linux")]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    pytest.importorskip("PyInstaller", reason="the build extra: pip install -c constraints.txt -e '.[build]'")
    where = tmp_path_factory.mktemp("build")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(where / "dist"),
            "--workpath",
            str(where / "work"),
            str(ROOT / "build.spec"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1500,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    yield where / "dist" / "VillageClinic"


def _bundled_modules(folder: Path) -> dict[str, set[str]]:
    """Each program's Python modules, as the build recorded them."""
    work = folder.parent.parent / "work" / "build"
    found = {}
    for toc in sorted(work.glob("PYZ-*.toc")):
        entries = ast.literal_eval(toc.read_text(encoding="utf-8"))[-1]
        found[toc.name] = {entry[0] for entry in entries}
    return found


def _run(folder: Path, tmp_path: Path, *argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CLINIC_", "PYTHON"))}
    clean |= {
        "QT_QPA_PLATFORM": "offscreen",
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        **env,
    }
    return subprocess.run(
        [str(folder / argv[0]), *argv[1:]],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean,
        timeout=600,
    )


@pytest.mark.timeout(1800)
def test_the_folder_holds_both_programs_their_data_and_no_test_or_server_code(folder: Path) -> None:
    files = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
    assert {"clinic", "clinic-app"} <= files
    assert any(f.endswith("clinic_app/data/service_packages.json") for f in files)
    assert any(f.endswith("resources/i18n/clinic_zh_CN.qm") for f in files)
    assert any(f.endswith("stdnum/cn/loc.dat") for f in files), "the GB/T 2260 table of the ID number's place"
    assert any(f.endswith("PySide6/Qt/translations/qtbase_zh_CN.qm") for f in files), "Qt's own Chinese"
    unwanted = ("libQt6Qml", "libQt6Quick", "libQt6WebEngine", "libQt63D", "libQt6Pdf", "libQt6Designer")
    assert not [f for f in files if Path(f).name.startswith(unwanted)]
    for package in ("pytest", "fastapi", "sqlalchemy", "uvicorn", "tests"):
        assert not [f for f in files if f"/{package}/" in f"/{f}"], package


@pytest.mark.timeout(1800)
def test_the_programs_bundle_only_what_the_plain_install_and_pyinstaller_bring(folder: Path) -> None:
    """Built here from the test environment, the folder must still be what `.[build]` alone would give."""
    absent = absent_from("build")
    modules = _bundled_modules(folder)
    assert len(modules) == 2
    assert {"ui.app", "sync.client_cli"} <= set().union(*modules.values())
    for toc, names in modules.items():
        tops = {name.split(".")[0] for name in names}
        assert {"clinic_app", "sync.client"} <= names
        assert not tops & absent, f"{toc}: {sorted(tops & absent)} come only with the test extras"
        assert "tests" not in tops and not [n for n in names if n.startswith("sync.server")]


@pytest.mark.timeout(1800)
def test_clinic_is_the_entry_point_with_version_enroll_and_sync(folder: Path, tmp_path: Path) -> None:
    version = _run(folder, tmp_path, "clinic", "--version")
    assert version.returncode == 0, version.stderr
    assert __version__ in version.stdout
    enroll = _run(folder, tmp_path, "clinic", "enroll", "--help")
    assert enroll.returncode == 0, enroll.stderr
    assert "--server" in enroll.stdout and "--code" in enroll.stdout


@pytest.mark.timeout(1800)
def test_clinic_sync_on_a_never_enrolled_database_says_enroll_with_exit_4(
    folder: Path, tmp_path: Path
) -> None:
    db, key = tmp_path / "clinic.db", tmp_path / "clinic.key"
    store, _ = Store.initialise(db, "C001", "石头村卫生室", key_file=key)
    store.close()
    result = _run(folder, tmp_path, "clinic", "sync", "--db", str(db), "--key-file", str(key))
    assert "Traceback" not in result.stderr
    assert result.returncode == 4, result.stderr  # README: 4 enroll again
    assert "clinic enroll" in result.stderr


@pytest.mark.timeout(1800)
def test_clinic_app_opens_the_demo_clinic(folder: Path, tmp_path: Path) -> None:
    result = _run(
        folder,
        tmp_path,
        "clinic-app",
        "--demo",
        "--exit-when-ready",
        "--user",
        "admin",
        CLINIC_PASSWORD=DEMO_USERS["admin"],
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert result.stdout.startswith("ready "), result.stdout + result.stderr[-2000:]
    assert "Traceback" not in result.stderr


@pytest.mark.timeout(1800)
def test_clinic_names_the_place_of_an_id_number_from_the_bundled_table(folder: Path, tmp_path: Path) -> None:
    db, key = tmp_path / "clinic.db", tmp_path / "demo.key"
    create_demo_database(db, key, residents=5)
    result = _run(
        folder,
        tmp_path,
        "clinic",
        "resident",
        "add",
        "--name",
        "欧阳春",
        "--id-number",
        "440524199001010018",
        "--db",
        str(db),
        "--key-file",
        str(key),
        "--user",
        "admin",
        CLINIC_PASSWORD=DEMO_USERS["admin"],
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert "ID number issued in 广东省 潮阳县" in result.stdout
