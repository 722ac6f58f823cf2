"""Translations: English source strings, Chinese (zh_CN) by default from resources/i18n/*.qm."""

from __future__ import annotations

import sys
from pathlib import Path

from ui.qt import QApplication, QCoreApplication, QSettings, QTranslator

LANGUAGES = (("zh_CN", "中文"), ("en", "English"))
DEFAULT_LANGUAGE = "zh_CN"
_installed: list[QTranslator] = []


def i18n_dir() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)  # inside a PyInstaller build
    base = Path(bundle) if bundle else Path(__file__).resolve().parent.parent
    return base / "resources" / "i18n"


def settings() -> QSettings:
    return QSettings("VillageClinic", "clinic-app")


def saved_language() -> str:
    value = settings().value("language", DEFAULT_LANGUAGE)
    return str(value) if value in dict(LANGUAGES) else DEFAULT_LANGUAGE


def install_language(app: QApplication | QCoreApplication, language: str) -> bool:
    """Switch the whole program to ``language``; widgets get a LanguageChange event and retranslate."""
    for old in _installed:
        app.removeTranslator(old)
    _installed.clear()
    if language == "en":
        return True
    translator = QTranslator(app)
    if not translator.load(str(i18n_dir() / f"clinic_{language}.qm")):
        return False
    app.installTranslator(translator)
    _installed.append(translator)
    return True


CONTEXT = "VillageClinic"


def tr(text: str) -> str:
    """Every user-visible string goes through here (one context); resources/i18n/update.py extracts
    the literal arguments of ``tr(...)`` calls into the .ts file."""
    return QCoreApplication.translate(CONTEXT, text)
