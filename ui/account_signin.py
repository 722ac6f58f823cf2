"""The online sign-in that sends account changes (DESIGN §5 "Accounts"): new users, roles and passwords reach the
county and the clinic's other computers only when a clinic administrator (for a password change: that user)
signs in with the county server. The password is checked by the county; the short-lived token it gives is kept
in memory for one sync only."""

from __future__ import annotations

from collections.abc import Callable

from ui.i18n import tr
from ui.notice import hide_problem, reserve_problem_line, show_problem
from ui.ops import Ops
from ui.qt import QDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

SignIn = Callable[[str, str], str]  # user name, password -> a user token (off the GUI thread)


def sign_in_failure(error: BaseException) -> str:
    """Why the online sign-in failed, by the error's type and code; anything else is a bug and goes on up."""
    from sync.client import NeedsSignIn, Offline, Refused, UpdateRequired

    if isinstance(error, Refused):
        if error.code == "bad_credentials":
            return tr("Wrong user name or password (the county checks the password it holds).")
        return tr("The county server refused the sign-in (reason %1).").replace("%1", error.code or "?")
    if isinstance(error, Offline):
        return tr(
            "The county server cannot be reached, or asks to wait after repeated wrong passwords. Try again later."
        )
    if isinstance(error, NeedsSignIn):
        return tr("The county server refused this device's token: enroll it again.")
    if isinstance(error, UpdateRequired):
        return tr("The county server needs a newer Village Clinic. Update it first.")
    raise error


class AccountSignInDialog(QDialog):
    """User name and password; on success ``token`` holds the user token and the dialog is accepted."""

    def __init__(self, sign_in: SignIn, username: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sign_in = sign_in
        self.token: str | None = None
        self.explain = QLabel()
        self.explain.setWordWrap(True)
        self.username = QLineEdit(username)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #c0392b;")
        reserve_problem_line(self.problem)
        self.problem.hide()
        self.ok = QPushButton()
        self.ok.setDefault(True)
        self.cancel = QPushButton()
        self.user_label, self.password_label = QLabel(), QLabel()
        form = QFormLayout()
        form.addRow(self.user_label, self.username)
        form.addRow(self.password_label, self.password)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.ok)
        buttons.addWidget(self.cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explain)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addLayout(buttons)
        self.setMinimumWidth(480)
        self.ops = Ops(self)  # the county answers over the network: never on the GUI thread
        self.finished.connect(lambda _result: self.ops.shutdown(wait=False))
        self.ok.clicked.connect(lambda _checked=False: self.submit())
        self.password.returnPressed.connect(self.submit)
        self.cancel.clicked.connect(lambda _checked=False: self.reject())
        self.setWindowTitle(tr("Sign in with the county server"))
        self.explain.setText(
            tr(
                "Account changes (new users, roles, passwords) are sent only after a clinic administrator signs in with the county server; a password change may also be sent by that user. The county checks the password; nothing is stored on this computer."
            )
        )
        self.user_label.setText(tr("User name"))
        self.password_label.setText(tr("Password"))
        self.ok.setText(tr("Sign in and send"))
        self.cancel.setText(tr("Cancel"))
        if username:
            self.password.setFocus()

    def submit(self) -> None:
        if not self.ok.isEnabled():
            return  # a sign-in is under way
        username, password = self.username.text().strip(), self.password.text()
        if not username or not password:
            show_problem(self.problem, tr("Enter the user name and the password."))
            return
        self.ok.setEnabled(False)
        hide_problem(self.problem)
        self.ops.work(lambda: self.sign_in(username, password), self._done, self._failed)

    def _done(self, token: str) -> None:
        self.ok.setEnabled(True)
        self.token = token
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.ok.setEnabled(True)
        self.password.clear()
        self.password.setFocus()
        show_problem(self.problem, sign_in_failure(error))
