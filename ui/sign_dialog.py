"""Signing a resident, or a whole household, with a team: packages, period, consent (a signature on screen or a
witnessed paper form) and this year's insurance. All or nothing: one ineligible member refuses the household and
the message names them. When the device is enrolled the county is asked first (on a thread of its own); offline,
the contract is signed provisional and the county decides on sync."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from clinic_app import contracts as C
from clinic_app.db import Connection
from clinic_app.errors import ValidationError
from clinic_app.money import yuan
from clinic_app.store import Store
from clinic_app.users import User
from ui.chronic_words import disease_text
from ui.i18n import _t, tr
from ui.messages import error_text
from ui.notice import show_problem
from ui.ops import Writer
from ui.qt import (
    QBuffer,
    QByteArray,
    QCheckBox,
    QColor,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QImage,
    QLabel,
    QLayout,
    QLineEdit,
    QPainter,
    QPainterPath,
    QPen,
    QPointF,
    QPushButton,
    QRadioButton,
    QSize,
    QSpinBox,
    Qt,
    QVBoxLayout,
    QWidget,
)

LookupFactory = Callable[[], C.Lookup | None]


class SignaturePad(QWidget):
    """The resident signs with the mouse or a pen; the strokes become a PNG kept with the contract."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = QPainterPath()
        self.setMinimumSize(QSize(360, 110))
        self.setCursor(Qt.CursorShape.CrossCursor)

    def mousePressEvent(self, event: Any) -> None:
        self.path.moveTo(QPointF(event.position()))
        self.update()

    def mouseMoveEvent(self, event: Any) -> None:
        self.path.lineTo(QPointF(event.position()))
        self.update()

    def clear(self) -> None:
        self.path = QPainterPath()
        self.update()

    def is_empty(self) -> bool:
        return self.path.isEmpty()

    def paintEvent(self, _event: Any) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        painter.setPen(QPen(QColor("#bbb")))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor("#111"), 2.5))
        painter.drawPath(self.path)
        painter.end()

    def png_data_url(self) -> str | None:
        if self.is_empty():
            return None
        image = QImage(self.size(), QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor("#111"), 2.5))
        painter.drawPath(self.path)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QBuffer.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs say bytes; PySide6 takes str
        return "data:image/png;base64," + bytes(data.toBase64().data()).decode()


class ResidentPicker(QDialog):
    """Several residents match what was typed ("zs"): the person picks one — Up/Down, Enter, or a double click."""

    def __init__(
        self, reader: Connection, clinic_id: str, query: str, today: dt.date, parent: QWidget | None = None
    ) -> None:
        from clinic_app.residents import mask_id_number
        from ui.listmodel import Column, ListModel, ListView

        super().__init__(parent)
        self.setWindowTitle(tr("Choose the resident"))
        self.chosen: str | None = None
        columns = [
            Column("name", lambda: tr("Name"), lambda r: r["name"], width=90),
            Column(
                "sex",
                lambda: tr("Sex"),
                lambda r: {"M": tr("Male"), "F": tr("Female")}.get(r["sex"] or "", ""),
                width=50,
            ),
            Column("age", lambda: tr("Age"), lambda r: str(C.age_on(r["birth_date"], today)), width=50),
            Column("id_number", lambda: tr("ID number"), lambda r: mask_id_number(r["id_number"]), width=170),
            Column("household", lambda: tr("Household"), lambda r: r["household_code"] or ""),
        ]
        self.model = ListModel(
            columns,
            lambda after, limit: C.resident_page(reader, clinic_id, query, after=after, limit=limit),
            cursor=C.resident_cursor,
            parent=self,
        )
        self.view = ListView(self.model)
        more = "+" if self.model.canFetchMore() else ""
        self.label = QLabel(
            tr("%1 residents match “%2”: choose one.")
            .replace("%1", f"{self.model.rowCount()}{more}")
            .replace("%2", query)
        )
        self.view.activated.connect(lambda _i: self.choose())
        self.view.doubleClicked.connect(lambda _i: self.choose())
        self.ok_button = QPushButton(tr("Choose"))
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(lambda: self.choose())
        cancel = QPushButton(tr("Cancel"))
        cancel.clicked.connect(lambda: self.reject())
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.ok_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.resize(560, 420)
        if self.model.rowCount():
            self.view.selectRow(0)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.view.setFocus()  # Up/Down move through the residents at once

    def choose(self) -> None:
        key = self.view.current_key()
        if key is not None and self.chosen is None:
            self.chosen = key
            self.accept()


def fen_text(fen: int) -> str:
    return tr("%1 yuan").replace("%1", yuan(fen))


class ConsentBox(QWidget):
    """How the resident consents to a contract (signing, renewing): on the paper form, naming who witnessed it,
    or on the screen. The rule (a paper consent names its witness) is ``contracts.sign``'s."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.paper = QRadioButton(tr("Signed on the paper form"))
        self.on_screen = QRadioButton(tr("Signed on the screen"))
        self.paper.setChecked(True)
        self.witness = QLineEdit()
        self.witness.setPlaceholderText(tr("who witnessed the signature"))
        self.pad = SignaturePad()
        clear = QPushButton(tr("Clear"))
        clear.clicked.connect(lambda: self.pad.clear())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.paper)
        layout.addWidget(self.witness)
        layout.addWidget(self.on_screen)
        pad_row = QHBoxLayout()
        pad_row.addWidget(self.pad, 1)
        pad_row.addWidget(clear)
        layout.addLayout(pad_row)

    def given(self) -> tuple[str, str | None, str | None]:
        """``consent``, ``signature``, ``witness`` as ``contracts.sign`` takes them."""
        if self.on_screen.isChecked():
            return "screen", self.pad.png_data_url(), None
        return "paper", None, self.witness.text()


class SignDialog(QDialog):
    def __init__(
        self,
        store: Store,
        reader: Connection,
        writer: Writer,
        user: User,
        resident_id: str,
        household: bool = False,
        lookup_factory: LookupFactory | None = None,
        today: dt.date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store, self.reader, self.writer, self.user = store, reader, writer, user
        self.lookup_factory = lookup_factory or (lambda: None)
        self.today = today or dt.date.today()
        self.result_ids: list[str] = []
        self.checked_online = False
        self.ask_county = True  # until the county refuses because of too many lookups
        people = C.signing_people(reader, resident_id, household)
        self.household_id = people[0]["household_id"] if household else None
        self.setWindowTitle(tr("Sign a household") if household else tr("Sign a contract"))
        self.people = {p["id"]: p for p in people}

        self.members: list[tuple[str, QCheckBox]] = []
        member_box = QVBoxLayout()
        for p in people:
            box = QCheckBox(f"{p['name']}（{p['birth_date']}）")
            box.setChecked(True)
            box.setEnabled(household)
            self.members.append((p["id"], box))
            member_box.addWidget(box)

        self.team = QComboBox()
        for t in C.teams(reader, store.clinic_id):
            self.team.addItem(t["name"], t["id"])
        mine = C.default_team(
            reader, store.clinic_id, user.id
        )  # the user's own team, else the clinic's first
        if mine is not None and self.team.findData(mine) >= 0:
            self.team.setCurrentIndex(self.team.findData(mine))
        self.period = QSpinBox()
        self.period.setRange(self.today.year - 1, self.today.year + 1)
        self.period.setValue(self.today.year)
        if household:
            self._mark_signed()
            self.period.valueChanged.connect(lambda _v: self._mark_signed())
        self.packages: dict[str, QCheckBox] = {}
        package_box = QVBoxLayout()
        for code, package in C.packages(reader).items():
            pays = tr("resident pays %1").replace("%1", fen_text(package.resident_share_fen))
            box = QCheckBox(f"{package.name}  {fen_text(package.fee_fen)}（{pays}）")
            box.setChecked(package.kind == "basic")
            box.setToolTip("；".join(package.services))
            self.packages[code] = box
            package_box.addWidget(box)
        self.consent = ConsentBox()
        self.paper, self.on_screen = self.consent.paper, self.consent.on_screen
        self.witness, self.pad = self.consent.witness, self.consent.pad
        self.insured = QCheckBox(tr("Insurance premium paid for this year"))
        self.error = QLabel()
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setWordWrap(True)
        self.error.hide()
        self.status = QLabel()
        self.sign_button = QPushButton(tr("Sign"))
        self.sign_button.setDefault(True)
        cancel = QPushButton(tr("Cancel"))
        self.sign_button.clicked.connect(lambda: self.submit())
        cancel.clicked.connect(lambda: self.reject())
        if self.team.count() == 0:  # a clinic admin sets teams up first (clinic team add)
            self.error.setText(
                tr("This clinic has no family-doctor team yet: a clinic admin adds one first.")
            )
            self.error.show()
            self.sign_button.setEnabled(False)

        form = QFormLayout()
        form.addRow(tr("Residents"), member_box)
        form.addRow(tr("Team"), self.team)
        form.addRow(tr("Contract year"), self.period)
        form.addRow(tr("Service packages"), package_box)
        form.addRow(tr("Consent"), self.consent)
        form.addRow("", self.insured)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.sign_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # an error never squeezes the fields

    def _mark_signed(self) -> None:
        """Members with an open contract for the year are shown so, unticked and disabled; the others ticked."""
        signed = C.open_contracts(self.reader, list(self.people), str(self.period.value()))
        for rid, box in self.members:
            p = self.people[rid]
            text = f"{p['name']}（{p['birth_date']}）"
            if rid in signed:
                text += "  " + tr("signed already (%1)").replace("%1", signed[rid])
            box.setText(text)
            box.setChecked(rid not in signed)
            box.setEnabled(rid not in signed)

    def chosen_residents(self) -> list[str]:
        return [rid for rid, box in self.members if box.isChecked()]

    def chosen_packages(self) -> list[str]:
        return [code for code, box in self.packages.items() if box.isChecked()]

    def submit(self) -> None:
        self.error.hide()
        self.sign_button.setEnabled(False)
        lookup = self.lookup_factory() if self.ask_county else None
        if lookup is None:
            self._sign(None)
            return
        self.status.setText(tr("Asking the county…"))
        numbers = [n for rid in self.chosen_residents() if (n := self.people[rid].get("id_number"))]
        period = str(self.period.value())
        self.writer.work(lambda: {n: lookup(n, period) for n in numbers}, self._sign, self._not_asked)

    def _not_asked(self, error: BaseException) -> None:
        """The county could not be asked: signed provisional, the county decides on sync. When it refused
        because this computer or clinic asked too often, nothing is signed yet: the doctor waits, or presses
        Sign again to sign provisional without asking."""
        if getattr(error, "code", "") != "lookup_throttled":
            self._sign(None)
            return
        self.ask_county = False
        self.status.setText("")
        self.sign_button.setEnabled(True)
        minutes = max(1, -(-int(getattr(error, "retry_after", 0) or 0) // 60))
        show_problem(
            self.error,
            tr(
                "The county does not answer for now: this computer or clinic has asked about "
                "residents as often as the county allows. Nothing is signed yet. Sign again "
                "in %1 minute(s), or press Sign now to sign without asking: the contract stays "
                "provisional until the county checks it at the next sync."
            ).replace("%1", str(minutes)),
        )

    def _sign(self, answers: dict[str, dict[str, Any]] | None) -> None:
        self.checked_online = answers is not None
        self.status.setText("")
        residents, codes, period = self.chosen_residents(), self.chosen_packages(), self.period.value()
        team = self.team.currentData() or ""
        consent, signature, witness = self.consent.given()
        insured = self.insured.isChecked()
        household = self.household_id if len(residents) > 1 else None
        store, user = self.store, self.user

        def work() -> C.SignResult:
            lookup = (lambda n, p: answers[n]) if answers is not None else None
            result = C.sign(
                store,
                user,
                residents,
                team,
                period,
                codes,
                consent=consent,
                signature=signature,
                witness=witness,
                household_id=household,
                lookup=lookup,
                today=self.today,
            )
            if insured:
                for rid in residents:
                    C.set_insurance(store, user, rid, period)
            return result

        self.writer.run(work, self._signed, self._failed)

    def _signed(self, result: C.SignResult) -> None:
        self.result_ids = result.contract_ids
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.sign_button.setEnabled(True)
        show_problem(self.error, error_text(error, sign_error_text, "\n"))


def sign_error_text(error: ValidationError) -> str:
    """The rule in the user's language, from its code and details; the member it concerns stays named."""
    who = error.details.get("resident", "")
    rules = {
        "required": {
            "packages": tr("Choose at least one service package."),
            "signature": tr("The resident signs on the screen first."),
            "witness": tr("Name who witnessed the signature on the paper form."),
        }.get(error.field),
        "signed_elsewhere": tr("%1 has signed with another clinic for this year: %2")
        .replace("%1", who)
        .replace("%2", error.details.get("where", "")),
    }
    if error.rule == "ineligible":
        why = reason_text(error.details)
        if error.details.get("reason") == "one_team":
            return tr("%1 has a contract for this year already: %2").replace("%1", who).replace("%2", why)
        return tr("%1 cannot have this package: %2").replace("%1", who).replace("%2", why)
    return rules.get(error.rule) or error.message


# reason code (clinic_app.contracts.Reason) -> the sentence and the details that fill its %1, %2, %3
REASONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "min_age": (
        _t("%1 is for residents aged %2 or more when the period starts (this resident: %3)"),
        ("package", "limit", "age"),
    ),
    "max_age": (
        _t("%1 is for residents aged up to %2 when the period starts (this resident: %3)"),
        ("package", "limit", "age"),
    ),
    "women": (_t("%1 is for women"), ("package",)),
    "men": (_t("%1 is for men"), ("package",)),
    "requires": (_t("%1 is signed together with package %2"), ("package", "needed")),
    "disease": (_t("%1 needs a registration of the disease (%2)"), ("package", "disease")),
    "one_team": (_t("signed for %1 with team %2 already (one team per year)"), ("period", "team")),
    "no_package": (_t("no service package %1"), ("package",)),
}


def reason_text(details: dict[str, str]) -> str:
    """Why a resident cannot sign, in the user's language; package names stay as the county wrote them."""
    code = details.get("reason", "")
    if code == "sex":
        code = "women" if details.get("sex") == "F" else "men"
    if code not in REASONS:
        return code
    text, fields = REASONS[code]
    words = {**details, "disease": disease_text(details.get("disease"))}  # a code: 高血压, not hypertension
    out = tr(text)
    for i, name in enumerate(fields, start=1):
        out = out.replace(f"%{i}", words.get(name, ""))
    return out + (tr(" (or another group it serves)") if details.get("any_of") else "")
