"""Chinese everywhere: Qt's own dialogs and buttons, the error box, and the Linguist workflow of
resources/i18n/update.py (lupdate extracts, the .ts is the source of truth, --check guards it)."""

from __future__ import annotations

import importlib.util
import logging
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from tests.ui.conftest import UiClinic
from ui import i18n
from ui.qt import (
    QApplication,
    QDateEdit,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QLibraryInfo,
    QLineEdit,
    QLocale,
    QMessageBox,
    QPushButton,
    Qt,
    QTimer,
)

ROOT = Path(__file__).resolve().parents[2]
UPDATE = ROOT / "resources" / "i18n" / "update.py"


@pytest.fixture(scope="module")
def update() -> ModuleType:
    spec = importlib.util.spec_from_file_location("i18n_update", UPDATE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def english(qapp: QApplication) -> Iterator[None]:
    i18n.install_language(qapp, "en")
    yield  # the autouse fixture of conftest puts Chinese back


def save_dialog() -> QFileDialog:
    dialog = QFileDialog(None, i18n.tr("Save as PDF…"))
    # what Linux shows; Windows shows its own dialog, in the system's language
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    return dialog


def labels(dialog: QFileDialog) -> list[str]:
    return [label.text() for label in dialog.findChildren(QLabel)]


def button_texts(box: QMessageBox | QDialogButtonBox) -> list[str]:
    return [button.text() for button in box.buttons()]


# -- Qt's own strings -------------------------------------------------------------------------------
def test_qt_file_dialog_speaks_chinese_look_in_file_name_type_save_cancel(qtbot) -> None:
    dialog = save_dialog()
    qtbot.addWidget(dialog)
    dialog.show()
    assert {"查找范围(&L)：", "文件名称(&N)：", "文件类型(&T)："} <= set(labels(dialog))
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None and button_texts(buttons) == ["保存(&S)", "取消"]


def test_qt_file_dialog_is_english_in_english(qtbot, english: None) -> None:
    dialog = save_dialog()
    qtbot.addWidget(dialog)
    assert {"&Look in:", "File &name:", "Files of &type:"} <= set(labels(dialog))
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None and button_texts(buttons) == ["&Save", "Cancel"]


def test_message_box_standard_buttons_are_chinese(qtbot) -> None:
    box = QMessageBox(QMessageBox.Icon.Question, "", "", QMessageBox.StandardButton.Ok)
    qtbot.addWidget(box)
    assert button_texts(box) == ["确定"]
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    assert sorted(button_texts(box)) == sorted(["是(&Y)", "否(&N)"])


def test_message_box_standard_buttons_are_english_in_english(qtbot, english: None) -> None:
    box = QMessageBox(QMessageBox.Icon.Question, "", "", QMessageBox.StandardButton.Ok)
    qtbot.addWidget(box)
    assert button_texts(box) == ["OK"]


def test_line_edit_context_menu_is_chinese(qtbot) -> None:
    edit = QLineEdit()
    qtbot.addWidget(edit)
    menu = edit.createStandardContextMenu()
    assert menu is not None
    texts = [action.text() for action in menu.actions()]
    assert any(t.startswith("复制") for t in texts) and any(t.startswith("粘贴") for t in texts), texts


def test_numbers_and_dates_follow_the_language(qtbot, qapp) -> None:
    assert QLocale().name() == "zh_CN"
    assert QDateEdit().locale().name() == "zh_CN"
    i18n.install_language(qapp, "en")
    assert QLocale().language() == QLocale.Language.English and QDateEdit().locale().name() == "en_US"


def test_choosing_english_at_sign_in_turns_qt_buttons_english_and_back(qtbot, ui_clinic: UiClinic) -> None:
    from ui.signin import SignInDialog

    dialog = SignInDialog(ui_clinic.store, "石头村卫生室")
    qtbot.addWidget(dialog)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(buttons)
    assert button_texts(buttons) == ["确定", "取消"]
    assert dialog.language.currentData() == "zh_CN"
    qtbot.keyClick(dialog.language, Qt.Key.Key_Down)  # 中文 -> English
    qtbot.waitUntil(lambda: dialog.sign_in.text() == "Sign in")
    qtbot.waitUntil(lambda: button_texts(buttons) == ["OK", "Cancel"])  # an open window retranslates too
    box = QMessageBox(QMessageBox.Icon.Information, "", "", QMessageBox.StandardButton.Ok)
    qtbot.addWidget(box)
    assert button_texts(box) == ["OK"]
    qtbot.keyClick(dialog.language, Qt.Key.Key_Up)
    qtbot.waitUntil(lambda: button_texts(buttons) == ["确定", "取消"])
    assert dialog.sign_in.text() == "登录"


def test_qt_translations_are_found_inside_a_pyinstaller_folder(qtbot, qapp, tmp_path, monkeypatch) -> None:
    real = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    (tmp_path / "PySide6" / "translations").mkdir(parents=True)
    shutil.copy(real / "qtbase_zh_CN.qm", tmp_path / "PySide6" / "translations")
    shutil.copytree(ROOT / "resources" / "i18n", tmp_path / "resources" / "i18n")

    class NoQtPath:  # a frozen program whose Qt knows no translations path
        LibraryPath = QLibraryInfo.LibraryPath

        @staticmethod
        def path(_: object) -> str:
            return str(tmp_path / "nowhere")

    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    monkeypatch.setattr(i18n, "QLibraryInfo", NoQtPath)
    i18n.install_language(qapp, "en")
    assert i18n.install_language(qapp, "zh_CN")
    box = QMessageBox(QMessageBox.Icon.Information, "", "", QMessageBox.StandardButton.Ok)
    qtbot.addWidget(box)
    assert button_texts(box) == ["确定"] and i18n.tr("Residents") == "居民"


# -- the error box ----------------------------------------------------------------------------------
def read_the_next_box(qtbot) -> dict[str, object]:
    """The box is modal: read it from inside its own event loop, then click its button."""
    seen: dict[str, object] = {}

    def read_and_close() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, read_and_close)
            return
        seen.update(title=box.windowTitle(), text=box.text(), buttons=button_texts(box))
        qtbot.mouseClick(box.buttons()[0], Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, read_and_close)
    return seen


@pytest.mark.qt_no_exception_capture
def test_an_unexpected_error_shows_the_error_box_in_chinese(qtbot, tmp_path, monkeypatch) -> None:
    from ui import app as app_module

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # put back afterwards
    monkeypatch.setattr(logging.root, "handlers", list(logging.root.handlers))
    log_path = tmp_path / "logs" / "clinic-app.log"
    app_module.install_excepthook(log_path, interactive=True)
    button = QPushButton("go")
    qtbot.addWidget(button)

    def broken() -> None:
        raise RuntimeError("the printer driver said no")

    button.clicked.connect(broken)
    seen = read_the_next_box(qtbot)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "title" in seen)
    assert seen["title"] == "村医助手"
    assert seen["text"] == (
        f"程序出现意外错误：the printer driver said no\n\n详细信息已记录在 {log_path}。已保存的数据不会丢失。"
    )
    assert seen["buttons"] == ["确定"]


def test_a_wrong_key_at_start_is_explained_in_chinese(qtbot, tmp_path, monkeypatch) -> None:
    from clinic_app.demo import create_demo_database
    from ui import app as app_module

    create_demo_database(tmp_path / "d.db", tmp_path / "d.key", residents=5, seed=4)
    (tmp_path / "other.key").write_text("cd" * 32 + "\n")
    monkeypatch.setattr(app_module, "install_excepthook", lambda path, interactive=True: None)
    seen = read_the_next_box(qtbot)
    code = app_module.main(["--db", str(tmp_path / "d.db"), "--key-file", str(tmp_path / "other.key")])
    assert code == 4 and seen["title"] == "村医助手"
    text = str(seen["text"])
    assert text.startswith("无法打开诊所数据库：密钥缺失，或不是这个数据库的密钥。\n\n")
    assert "cannot be opened with this key" in text  # the detail, for whoever helps on the phone


# -- the Linguist workflow --------------------------------------------------------------------------
def test_the_repository_translations_pass_the_check() -> None:
    result = subprocess.run(
        [sys.executable, str(UPDATE), "--check"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0 and result.stdout == "", result.stdout


def test_tr_finds_the_translations_lupdate_extracted() -> None:
    assert i18n.tr("Residents") == "居民"
    assert i18n.tr("Last sync: %1") == "上次同步：%1"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A tiny program with two strings and its translation files, made the way update.py makes them."""
    (tmp_path / "ui").mkdir()
    (tmp_path / "ui" / "page.py").write_text(
        'from ui.i18n import tr\n\n\ndef title() -> str:\n    return tr("Residents")\n\n\n'
        'def count(n: int) -> str:\n    return tr("%1 found").replace("%1", str(n))\n',
        encoding="utf-8",
    )
    (tmp_path / "zh.tsv").write_text("Residents\t居民\n%1 found\t找到 %1 人\n", encoding="utf-8")
    return tmp_path


def files(project: Path) -> list[Path]:
    return sorted((project / "ui").glob("*.py"))


def run_update(update: ModuleType, project: Path, *imports: Path, replace: bool = False) -> list[str]:
    ts, qm = project / "clinic_zh_CN.ts", project / "clinic_zh_CN.qm"
    unfinished: list[str] = update.update(ts, qm, files(project), list(imports), replace)
    return unfinished


def run_check(update: ModuleType, project: Path) -> list[str]:
    problems: list[str] = update.check(
        project / "clinic_zh_CN.ts", project / "clinic_zh_CN.qm", files(project)
    )
    return problems


def write_code(project: Path, old: str, new: str) -> None:
    page = project / "ui" / "page.py"
    page.write_text(page.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_a_fresh_project_is_translated_and_passes_the_check(update, project: Path) -> None:
    assert run_update(update, project, project / "zh.tsv") == []
    assert run_check(update, project) == []
    ts = (project / "clinic_zh_CN.ts").read_text(encoding="utf-8")
    assert "<source>Residents</source>\n        <translation>居民</translation>" in ts
    assert 'language="zh_CN" sourcelanguage="en"' in ts


def test_check_fails_on_a_string_in_the_code_missing_from_the_ts(update, project: Path) -> None:
    run_update(update, project, project / "zh.tsv")
    write_code(project, 'tr("Residents")', 'tr("Residents") + tr("Contracts")')
    assert run_check(update, project) == ["missing from clinic_zh_CN.ts (run update.py): 'Contracts'"]


def test_a_new_string_arrives_unfinished_and_the_check_names_it(update, project: Path) -> None:
    run_update(update, project, project / "zh.tsv")
    write_code(project, 'tr("Residents")', 'tr("Residents") + tr("Contracts")')
    assert run_update(update, project) == ["Contracts"]
    assert run_check(update, project) == ["unfinished: 'Contracts'"]
    (project / "more.tsv").write_text("Contracts\t签约\n", encoding="utf-8")
    assert run_update(update, project, project / "more.tsv") == []
    assert run_check(update, project) == []


def test_check_fails_on_an_entry_no_longer_in_the_code_and_update_drops_it(update, project: Path) -> None:
    run_update(update, project, project / "zh.tsv")
    write_code(project, 'tr("Residents")', '"Residents"')
    assert run_check(update, project) == ["stale, no longer in the code (run update.py): 'Residents'"]
    run_update(update, project)
    assert "Residents" not in (project / "clinic_zh_CN.ts").read_text(encoding="utf-8")
    assert run_check(update, project) == []


def test_check_fails_on_a_translation_that_loses_a_placeholder(update, project: Path) -> None:
    (project / "zh.tsv").write_text("Residents\t居民\n%1 found\t找到了\n", encoding="utf-8")
    run_update(update, project, project / "zh.tsv")
    assert run_check(update, project) == ["placeholders differ: '%1 found' -> '找到了'"]


def test_check_fails_on_a_qm_not_compiled_from_the_ts(update, project: Path) -> None:
    run_update(update, project, project / "zh.tsv")
    ts = project / "clinic_zh_CN.ts"
    edited = ts.read_text(encoding="utf-8").replace("居民", "居民们")
    ts.write_text(edited, encoding="utf-8")  # as Linguist saves it, without running update.py
    assert run_check(update, project) == [
        "clinic_zh_CN.qm is not compiled from clinic_zh_CN.ts: run python resources/i18n/update.py"
    ]


def test_check_fails_on_tr_of_an_f_string(update, project: Path) -> None:
    run_update(update, project, project / "zh.tsv")
    write_code(project, 'tr("%1 found").replace("%1", str(n))', 'tr(f"{n} found")')
    assert "tr() of an f-string cannot be translated: page.py:9" in run_check(update, project)


def test_import_reads_an_old_style_zh_cn_dict_and_keeps_finished_translations(update, project: Path) -> None:
    run_update(update, project, project / "zh.tsv")
    write_code(project, 'tr("Residents")', 'tr("Residents") + tr("Contracts")')
    old_script = project / "old_update.py"
    old_script.write_text(
        'ZH_CN: dict[str, str] = {\n    "Residents": "住户",\n    "Contracts": "签约",\n    "Gone": "没了",\n}\n'
        "raise SystemExit('an import reads the dict and never runs the file')\n",
        encoding="utf-8",
    )
    assert run_update(update, project, old_script) == []
    messages = {m.source: m for m in update.read_ts(project / "clinic_zh_CN.ts")}
    assert messages["Contracts"].translation == "签约" and messages["Contracts"].kind == ""
    assert messages["Residents"].translation == "居民"  # the .ts is the source of truth
    assert "Gone" not in messages
    run_update(update, project, old_script, replace=True)
    assert update.read_ts(project / "clinic_zh_CN.ts")[0].translation == "住户"


def test_a_source_text_changed_a_little_keeps_its_old_translation_for_review(update, project: Path) -> None:
    run_update(update, project, project / "zh.tsv")
    write_code(project, 'tr("%1 found")', 'tr("%1 found.")')
    assert run_update(update, project) == ["%1 found."]
    messages = {m.source: m for m in update.read_ts(project / "clinic_zh_CN.ts")}
    assert messages["%1 found."].translation == "找到 %1 人" and messages["%1 found."].kind == "unfinished"


def test_import_takes_the_finished_entries_of_another_ts(update, project: Path) -> None:
    run_update(update, project, project / "zh.tsv")
    other = project / "other" / "clinic_zh_CN.ts"
    other.parent.mkdir()
    write_code(project, 'tr("Residents")', 'tr("Residents") + tr("Contracts")')
    (project / "more.tsv").write_text("Contracts\t签约\n", encoding="utf-8")
    run_update(update, project, project / "more.tsv")
    shutil.copy(project / "clinic_zh_CN.ts", other)  # a branch's .ts that has "Contracts" translated
    write_code(project, 'tr("Residents") + tr("Contracts")', 'tr("Residents")')
    run_update(update, project)  # gone from the code, dropped from the .ts; then it comes back, unfinished
    write_code(project, 'tr("Residents")', 'tr("Residents") + tr("Contracts")')
    assert run_update(update, project) == ["Contracts"]
    assert run_update(update, project, other) == []
    assert run_check(update, project) == []
