"""Joining the county: enrollment of this device (from the Sync page), and the first-run dialog of a machine
without a database — join an existing clinic (a team laptop: everything comes from the county, its users sign
in with the passwords they have) or start a new clinic database."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

from clinic_app import keystore
from clinic_app.errors import ClinicError, KeyringUnavailable, StoreError, ValidationError
from clinic_app.store import Store
from ui.i18n import tr
from ui.ops import Ops
from ui.qt import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
    Signal,
)


def input_text(error: ValidationError) -> str:
    """A problem with what was typed, by its field and rule."""
    from clinic_app.users import MIN_PASSWORD_LENGTH

    known = {
        ("server", "required"): tr("Enter the county server's address."),
        ("server", "format"): tr("The address starts with https://"),
        ("code", "required"): tr("Enter the enrollment code the county gave you."),
        ("key_file", "required"): tr("Name a key file: this computer has no keyring."),
        ("password", "mismatch"): tr("The two passwords differ."),
        ("password", "too_short"): tr("A password needs at least %1 characters.").replace(
            "%1", str(MIN_PASSWORD_LENGTH)
        ),
        ("username", "format"): tr(
            "A user name has 2-32 characters: letters, digits, dot, dash or underscore."
        ),
        ("clinic", "required"): tr("Enter the clinic's code and name."),
    }
    return known.get((error.field, error.rule)) or tr("Check “%1” (rule %2).").replace(
        "%1", error.field
    ).replace("%2", error.rule)


def failure_text(error: BaseException) -> str:
    """What the enrollment dialogs say when joining failed: chosen by the error's type and code, never by its
    (English) text; an error that is none of these is a bug and goes on up."""
    if isinstance(error, ImportError):  # an installation without one of its parts (so: before sync.client)
        return tr(
            "This installation of Village Clinic is incomplete: the part “%1” is missing. Install it again as the README says."
        ).replace("%1", error.name or "?")
    if isinstance(error, ValidationError):
        return input_text(error)
    from sync.client import NeedsSignIn, Offline, Refused, Throttled, UpdateRequired

    if isinstance(error, Refused):
        return {
            "clinic_has_data": tr(
                "This clinic has records on the county server already. Set this computer up with a new, empty database (first start → join my clinic); it receives everything."
            ),
            "invalid_request": tr(
                "The county server did not accept this computer's name: use letters and digits."
            ),
        }.get(error.code) or tr(
            "The county server refused the enrollment (reason %1). Tell the county."
        ).replace("%1", error.code or "?")
    if isinstance(error, Throttled):
        return tr("Too many wrong enrollment codes came from this network: try again in %1 seconds.").replace(
            "%1", str(error.retry_after or 60)
        )
    if isinstance(error, Offline):
        return tr("The county server cannot be reached. Check the address and the network, then try again.")
    if isinstance(error, NeedsSignIn):
        return tr(
            "The county server refused the code: it is wrong, used already or expired. Ask the county for a new one."
        )
    if isinstance(error, UpdateRequired):
        return tr("The county server needs a newer Village Clinic. Update it first.")
    if isinstance(error, KeyringUnavailable):
        return tr("Name a key file: this computer has no keyring.")
    if isinstance(error, StoreError):
        return tr("The clinic database could not be made or opened here; the details are in the log.")
    raise error


class _Form(QWidget):
    """Server address, enrollment code, device name and, optionally, the county's CA certificate."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.server = QLineEdit()
        self.server.setPlaceholderText("https://county.example.cn")
        self.code = QLineEdit()
        self.code.setPlaceholderText("ABCD-EFGH-JKLM-NPQR")
        self.device_name = QLineEdit(socket.gethostname())
        self.ca_bundle = QLineEdit()
        browse = QPushButton(tr("Choose…"))
        browse.clicked.connect(self._browse)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_bundle, 1)
        ca_row.addWidget(browse)
        self.form = QFormLayout(self)
        self.form.addRow(tr("County server"), self.server)
        self.form.addRow(tr("Enrollment code"), self.code)
        self.form.addRow(tr("Name of this computer"), self.device_name)
        self.form.addRow(tr("County CA certificate (if the county has its own)"), ca_row)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("County CA certificate"), "", "*.pem *.crt *.cer")
        if path:
            self.ca_bundle.setText(path)

    def values(self) -> dict[str, Any]:
        server = self.server.text().strip()
        if not server:
            raise ValidationError("server", "required", "the county server's address is required")
        if not server.startswith(("https://", "http://")):
            raise ValidationError("server", "format", "the server address starts with https://")
        if not self.code.text().strip():
            raise ValidationError("code", "required", "the enrollment code is required")
        return {
            "server": server,
            "code": self.code.text().strip(),
            "device_name": self.device_name.text().strip() or socket.gethostname(),
            "ca_bundle": self.ca_bundle.text().strip() or None,
        }


class EnrollDialog(QDialog):
    """Enroll the open database's device; the first sync then runs in the background (SyncController)."""

    enrolled = Signal(dict)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle(tr("Enroll this device"))
        self.form = _Form()
        self.error = QLabel()
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setWordWrap(True)
        self.error.hide()
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.hide()
        self.ok = QPushButton(tr("Enroll"))
        self.ok.setDefault(True)
        cancel = QPushButton(tr("Cancel"))
        self.ok.clicked.connect(self.submit)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.ok)
        layout = QVBoxLayout(self)
        intro = QLabel(
            tr(
                "The county gives each computer a one-time enrollment code. After enrolling, this computer sends its changes and receives the clinic's whenever it is online."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.busy)
        layout.addLayout(buttons)
        self.task = Ops(self)
        self.resize(560, 260)

    def submit(self) -> None:
        try:
            values = self.form.values()
        except ValidationError as exc:
            self._show(input_text(exc))
            return
        self.ok.setEnabled(False)
        self.busy.show()
        self.error.hide()
        self.task.work(lambda: enroll_open_store(self.store, **values), self._done, self._failed)

    def _done(self, reply: dict[str, Any]) -> None:
        self.busy.hide()
        self.enrolled.emit(reply)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.busy.hide()
        self.ok.setEnabled(True)
        self._show(failure_text(error))

    def _show(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()


def enroll_open_store(
    store: Store, server: str, code: str, device_name: str, ca_bundle: str | None
) -> dict[str, Any]:
    """On a thread of its own, with a connection of its own; the caller adopts the new clinic id."""
    from sync.client import Client

    own = store.sibling()
    try:
        return Client(own, server, ca_bundle).enroll(code, device_name)
    finally:
        own.close()


class FirstRunDialog(QDialog):
    """No database on this computer yet: join the clinic through the county, or start a new clinic."""

    def __init__(self, db_path: Path, key_file: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db_path, self.key_file = db_path, key_file
        self.store: Store | None = None
        self.setWindowTitle(tr("Village Clinic — first start"))
        self.pages = QStackedWidget()
        self.task = Ops(self)

        # page 0: the choice
        choose = QWidget()
        intro = QLabel(tr("There is no clinic database on this computer yet."))
        intro.setWordWrap(True)
        self.join_button = QPushButton(tr("Join my clinic (the county gave me an enrollment code)"))
        self.new_button = QPushButton(tr("Start a new clinic database"))
        for b in (self.join_button, self.new_button):
            b.setMinimumHeight(44)
        self.join_button.clicked.connect(lambda: self.pages.setCurrentIndex(1))
        self.new_button.clicked.connect(lambda: self.pages.setCurrentIndex(2))
        c = QVBoxLayout(choose)
        c.addWidget(intro)
        c.addWidget(self.join_button)
        c.addWidget(self.new_button)
        c.addStretch(1)

        # page 1: join
        join = QWidget()
        self.join_form = _Form()
        self.join_key = self._key_file_field()
        if self.join_key is not None:
            self.join_form.form.addRow(tr("Key file (this computer has no keyring)"), self.join_key)
        self.join_ok = QPushButton(tr("Join and receive the clinic's data"))
        self.join_ok.clicked.connect(self.join)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.hide()
        j = QVBoxLayout(join)
        j.addWidget(self.join_form)
        j.addWidget(self.progress)
        j.addWidget(self.join_ok)

        # page 2: a new clinic
        new = QWidget()
        self.clinic_code, self.clinic_name = QLineEdit(), QLineEdit()
        self.admin_name, self.admin_password, self.admin_again = QLineEdit("admin"), QLineEdit(), QLineEdit()
        for field in (self.admin_password, self.admin_again):
            field.setEchoMode(QLineEdit.EchoMode.Password)
        n = QFormLayout(new)
        n.addRow(tr("Clinic code"), self.clinic_code)
        n.addRow(tr("Clinic name"), self.clinic_name)
        n.addRow(tr("Administrator's user name"), self.admin_name)
        n.addRow(tr("Password"), self.admin_password)
        n.addRow(tr("Password again"), self.admin_again)
        self.new_key = self._key_file_field()
        if self.new_key is not None:
            n.addRow(tr("Key file (this computer has no keyring)"), self.new_key)
        self.new_ok = QPushButton(tr("Create the clinic database"))
        self.new_ok.clicked.connect(self.create_clinic)
        n.addRow(self.new_ok)

        for page in (choose, join, new):
            self.pages.addWidget(page)
        self.error = QLabel()
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setWordWrap(True)
        self.error.hide()
        back = QPushButton(tr("Back"))
        back.clicked.connect(self._back)
        self.pages.currentChanged.connect(lambda i: back.setVisible(i > 0))
        back.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        layout.addWidget(self.error)
        layout.addWidget(back)
        self.resize(600, 340)

    def _back(self) -> None:
        self.pages.setCurrentIndex(0)
        self.error.hide()

    def _key_file_field(self) -> QLineEdit | None:
        if self.key_file or keystore.keyring_usable():
            return None  # the key goes to the named file, or to the OS keyring
        field = QLineEdit()
        field.setPlaceholderText(tr("a file on a USB stick kept apart from this computer"))
        return field

    def _key(self, field: QLineEdit | None) -> str | None:
        if field is None:
            return self.key_file
        if not field.text().strip():
            raise ValidationError(
                "key_file", "required", "a key file is required: this computer has no keyring"
            )
        return field.text().strip()

    def _show(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def join(self) -> None:
        try:
            values = self.join_form.values()
            key = self._key(self.join_key)
        except ValidationError as exc:
            self._show(input_text(exc))
            return
        self.join_ok.setEnabled(False)
        self.progress.show()
        self.error.hide()

        def work() -> Store:
            from sync.client import enroll_new_device  # a missing part of the install shows as a message

            store, _reply, _report = enroll_new_device(
                self.db_path,
                key,
                values["server"],
                values["code"],
                values["device_name"],
                values["ca_bundle"],
            )
            return store

        self.task.work(work, self._opened, self._join_failed)

    def _join_failed(self, error: BaseException) -> None:
        self.progress.hide()
        self.join_ok.setEnabled(True)
        self._show(failure_text(error))

    def create_clinic(self) -> None:
        from clinic_app import users

        try:
            key = self._key(self.new_key)
            if self.admin_password.text() != self.admin_again.text():
                raise ValidationError("password", "mismatch", "the two passwords differ")
            code, name = self.clinic_code.text().strip(), self.clinic_name.text().strip()
            if not code or not name:
                raise ValidationError("clinic", "required", "the clinic's code and name are required")
            users.validate_username(self.admin_name.text().strip())
            users.validate_password(self.admin_password.text())
            store, _where = Store.initialise(self.db_path, code, name, key_file=key)
        except ClinicError as exc:
            self._show(failure_text(exc))
            return
        users.add_user(
            store, None, self.admin_name.text().strip(), "clinic_admin", self.admin_password.text()
        )
        self._opened(store)

    def _opened(self, store: Store) -> None:
        self.store = store
        self.accept()
