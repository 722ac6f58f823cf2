"""Sign-in, and the unlock dialog after an idle lock."""

from __future__ import annotations

from typing import Any

from clinic_app.errors import AuthError
from clinic_app.store import Store
from clinic_app.users import User, authenticate
from ui.i18n import LANGUAGES, install_language, saved_language, settings, tr
from ui.ops import Ops
from ui.qt import (
    QApplication,
    QComboBox,
    QDialog,
    QEvent,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


def keep_space_when_hidden(label: QLabel, lines: int) -> None:
    """An error line that appears and goes without moving what is under it (the buttons under the mouse)."""
    policy = label.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    label.setSizePolicy(policy)
    label.setMinimumHeight(label.fontMetrics().lineSpacing() * lines + 2)


def auth_message(error: AuthError) -> str:
    if error.rule == "locked":
        return (
            tr(
                "This account is locked for %1 minutes after repeated wrong passwords. Try again in %2 "
                "minute(s) or ask the clinic admin."
            )
            .replace("%1", error.details.get("lock_minutes", "?"))
            .replace("%2", error.details.get("minutes_left", "?"))
        )
    if error.rule == "password_unusable":
        return tr(
            "This account's password must be set again: its stored form is damaged. Ask the clinic admin."
        )
    return tr("Wrong user name or password.")


class SignInDialog(QDialog):
    def __init__(
        self, store: Store, clinic_name: str, demo_hint: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.user: User | None = None
        self.clinic_name = clinic_name
        self.demo_hint = demo_hint
        self.title = QLabel()
        font = self.title.font()
        font.setPointSize(font.pointSize() + 5)
        font.setBold(True)
        self.title.setFont(font)
        self.clinic = QLabel(clinic_name)
        self.username = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.language = QComboBox()
        for code, name in LANGUAGES:
            self.language.addItem(name, code)
        self.language.setCurrentIndex(self.language.findData(saved_language()))
        self.error = QLabel()
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setWordWrap(True)
        keep_space_when_hidden(self.error, 2)  # the locked-account message takes two lines
        self.error.hide()
        self.hint = QLabel()
        self.hint.setStyleSheet("color: #555;")
        self.hint.setWordWrap(True)
        self.sign_in = QPushButton()
        self.sign_in.setDefault(True)
        self.form = QFormLayout()
        self.user_label, self.password_label, self.language_label = QLabel(), QLabel(), QLabel()
        self.form.addRow(self.user_label, self.username)
        self.form.addRow(self.password_label, self.password)
        self.form.addRow(self.language_label, self.language)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.clinic)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.sign_in)
        layout.addLayout(buttons)
        layout.addWidget(self.hint)
        self.setMinimumWidth(400)
        self.checker = Ops(self)  # scrypt takes 0.1-0.3 s on purpose: not on the GUI thread
        self.finished.connect(
            lambda _result: self.checker.shutdown()
        )  # no checking thread outlives the dialog
        self.sign_in.clicked.connect(self.try_sign_in)
        self.password.returnPressed.connect(self.try_sign_in)
        self.language.currentIndexChanged.connect(self._language_changed)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(tr("Village Clinic — sign in"))
        self.title.setText(tr("Village Clinic"))
        self.user_label.setText(tr("User name"))
        self.password_label.setText(tr("Password"))
        self.language_label.setText(tr("Language"))
        self.sign_in.setText(tr("Sign in"))
        if self.demo_hint:
            self.hint.setText(tr("Demo clinic. Users: %1").replace("%1", self.demo_hint))
        self.hint.setVisible(bool(self.demo_hint))

    def changeEvent(self, event: Any) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _language_changed(self) -> None:
        code = self.language.currentData()
        settings().setValue("language", code)
        app = QApplication.instance()
        if app is not None:
            install_language(app, code)

    def try_sign_in(self) -> None:
        if not self.sign_in.isEnabled():
            return  # a check is running
        store, username, password = self.store, self.username.text().strip(), self.password.text()
        self.sign_in.setEnabled(False)
        self.checker.work(lambda: authenticate(store, username, password), self._signed_in, self._refused)

    def _signed_in(self, user: User) -> None:
        self.sign_in.setEnabled(True)
        self.user = user
        self.accept()

    def _refused(self, error: BaseException) -> None:
        self.sign_in.setEnabled(True)
        if not isinstance(error, AuthError):
            raise error
        self.error.setText(auth_message(error))
        self.error.show()
        self.password.clear()
        self.password.setFocus()


class UnlockDialog(QDialog):
    """Shown over a locked window: the same user's password, or sign out."""

    WIDTH = 420

    def __init__(self, store: Store, user: User, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store, self.user = store, user
        self.signed_out = False
        self.setWindowTitle(tr("Locked"))
        self.message = QLabel(
            tr(
                "The window locked itself after a time without use. %1, enter your password to go on."
            ).replace("%1", user.display_name)
        )
        self.message.setWordWrap(True)
        # the message's width is fixed and its height what that width needs, so an error line cannot squash it
        self.message.setFixedWidth(self.WIDTH)
        self.message.setMinimumHeight(self.message.heightForWidth(self.WIDTH))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel()
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setWordWrap(True)
        self.error.setFixedWidth(self.WIDTH)
        keep_space_when_hidden(self.error, 2)
        self.error.hide()
        self.unlock = QPushButton(tr("Unlock"))
        self.unlock.setDefault(True)
        self.sign_out = QPushButton(tr("Sign out"))
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)
        layout.addWidget(self.message)
        layout.addWidget(self.password)
        layout.addWidget(self.error)
        row = QHBoxLayout()
        row.addWidget(self.sign_out)
        row.addStretch(1)
        row.addWidget(self.unlock)
        layout.addLayout(row)
        self.checker = Ops(self)
        self.finished.connect(lambda _result: self.checker.shutdown())
        self.unlock.clicked.connect(self.try_unlock)
        self.password.returnPressed.connect(self.try_unlock)
        self.sign_out.clicked.connect(self._sign_out)

    def try_unlock(self) -> None:
        if not self.unlock.isEnabled():
            return  # a check is running
        store, username, password = self.store, self.user.username, self.password.text()
        self.unlock.setEnabled(False)
        self.checker.work(
            lambda: authenticate(store, username, password), lambda _user: self._unlocked(), self._refused
        )

    def _unlocked(self) -> None:
        self.unlock.setEnabled(True)
        self.accept()

    def _refused(self, error: BaseException) -> None:
        self.unlock.setEnabled(True)
        if not isinstance(error, AuthError):
            raise error
        self.error.setText(auth_message(error))
        self.error.show()
        self.password.clear()

    def _sign_out(self) -> None:
        self.signed_out = True
        self.reject()
