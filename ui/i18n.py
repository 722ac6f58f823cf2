"""Translations: English source strings, Chinese (zh_CN) by default.

Two catalogues are installed for Chinese: ours (resources/i18n/clinic_zh_CN.qm, compiled from the .ts that
translators edit in Qt Linguist; see resources/i18n/update.py) and Qt's own qtbase_zh_CN.qm, which PySide6
ships and which translates Qt's dialogs and buttons (file dialogs, OK/Cancel, context menus)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from ui.qt import (
    QT_TRANSLATE_NOOP,
    QApplication,
    QCoreApplication,
    QLibraryInfo,
    QLocale,
    QSettings,
    QTranslator,
)

LANGUAGES = (("zh_CN", "中文"), ("en", "English"))
DEFAULT_LANGUAGE = "zh_CN"
log = logging.getLogger(__name__)
_installed: list[QTranslator] = []

# pyside6-lupdate files a bare ``tr("…")`` under the unnamed context, so that is the context tr() asks for.
CONTEXT = ""

# Qt 6.11's qtbase_zh_CN.qm lacks these (it has the older texts without an accelerator, "Look in:"); ours has
# them in Qt's own contexts and is searched first.
QT_GAPS = (
    QT_TRANSLATE_NOOP("QFileDialog", "&Look in:"),
    QT_TRANSLATE_NOOP("QFileDialog", "Files of &type:"),
    QT_TRANSLATE_NOOP("QPrintSettingsOutput", "Page &Set:"),
    QT_TRANSLATE_NOOP("QPageSetupWidget", "Page &order:"),
    QT_TRANSLATE_NOOP("QPageSetupWidget", "Pages &per sheet:"),
)


def i18n_dir() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)  # inside a PyInstaller build
    base = Path(bundle) if bundle else Path(__file__).resolve().parent.parent
    return base / "resources" / "i18n"


def qt_translations_dirs() -> list[Path]:
    """Where Qt's own .qm files are: Qt's translations path, and inside a PyInstaller build the PySide6
    folder it collects them into (PySide6/translations on Windows, PySide6/Qt/translations on Linux)."""
    dirs = [Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))]
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        dirs += [Path(bundle) / "PySide6" / "translations", Path(bundle) / "PySide6" / "Qt" / "translations"]
    return dirs


def settings() -> QSettings:
    return QSettings("VillageClinic", "clinic-app")


def saved_language() -> str:
    value = settings().value("language", DEFAULT_LANGUAGE)
    return str(value) if value in dict(LANGUAGES) else DEFAULT_LANGUAGE


def install_language(app: QApplication | QCoreApplication, language: str) -> bool:
    """Switch the whole program to ``language``; widgets get a LanguageChange event and retranslate. Dialogs
    made afterwards, Qt's own included, are in that language, and so are numbers and dates (QLocale)."""
    for old in _installed:
        app.removeTranslator(old)
    _installed.clear()
    if language == "en":
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        return True
    ours = QTranslator(app)
    if not ours.load(str(i18n_dir() / f"clinic_{language}.qm")):
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        return False
    qt = QTranslator(app)
    if any(qt.load(f"qtbase_{language}", str(folder)) for folder in qt_translations_dirs()):
        app.installTranslator(qt)
        _installed.append(qt)
    else:
        log.warning("no qtbase_%s.qm in %s: Qt's own dialogs stay English", language, qt_translations_dirs())
    app.installTranslator(ours)  # installed last, so searched first
    _installed.append(ours)
    QLocale.setDefault(QLocale(language))
    return True


def tr(text: str) -> str:
    """Every user-visible string goes through here; pyside6-lupdate extracts the literal arguments of
    ``tr("…")`` calls into resources/i18n/clinic_zh_CN.ts."""
    return QCoreApplication.translate(CONTEXT, text)


def _t(text: str) -> str:
    """Marks a text for translation where it is defined (pyside6-lupdate extracts it, see
    resources/i18n/update.py); ``tr`` translates it where it is shown."""
    return text
