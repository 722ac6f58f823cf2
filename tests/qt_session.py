"""Fixtures every Qt test shares (tests/ui and tests/journeys import them into their conftest): the program's
settings in a temporary folder, the program in Chinese (its default language), and a Documents folder of the
test's own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session", autouse=True)
def _settings_in_tmp(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The program's own settings (language, window) go to a temporary folder, not the user's."""
    from ui.qt import QSettings

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path_factory.mktemp("qsettings"))
    )


@pytest.fixture(autouse=True)
def _chinese(qapp: Any) -> Iterator[None]:
    """What a village doctor sees: the program in Chinese (a test that switches language is set back)."""
    from ui.i18n import install_language

    install_language(qapp, "zh_CN")
    yield
    install_language(qapp, "zh_CN")


@pytest.fixture
def documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The person's Documents folder, in a home of the test's own: where saved PDFs and exports go."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("XDG_DOCUMENTS_DIR", raising=False)
    from ui.files import documents_folder

    folder = documents_folder()
    assert folder == home / "Documents"
    return folder
