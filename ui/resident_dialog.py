"""Add or edit a resident, with a message under each field as soon as it is wrong; saving writes nothing
while any field is wrong."""

from __future__ import annotations

from typing import Any

from clinic_app.digits import ascii_digits
from clinic_app.errors import ValidationError, ValidationErrors
from clinic_app.idcard import Place, parse_id_number
from clinic_app.residents import (
    RELATIONS,
    ResidentInput,
    add_resident,
    get_resident,
    household_code,
    list_villages,
    resident_input,
    resolve_household,
    update_resident,
    validate_resident,
)
from clinic_app.store import Store
from clinic_app.users import User
from ui.i18n import tr
from ui.messages import rule_message, storage_text
from ui.ops import Writer
from ui.qt import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QEvent,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from ui.residents_page import relation_text

FIELDS = (
    "document_type",
    "id_number",
    "document_number",
    "name",
    "sex",
    "birth_date",
    "phone",
    "village",
    "household",
    "relation_to_head",
    "note",
)


class ResidentDialog(QDialog):
    def __init__(
        self,
        store: Store,
        reader: Any,
        writer: Writer,
        user: User,
        resident_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store, self.reader, self.writer, self.user = store, reader, writer, user
        self.resident_id = resident_id
        self.saved_id: str | None = None
        self._touched: set[str] = set()
        self._show_all = False

        self.document_type = QComboBox()
        for code, text in (
            ("id_card", tr("Resident ID card")),
            ("passport", tr("Passport")),
            ("other", tr("Other document")),
        ):
            self.document_type.addItem(text, code)
        self.id_number = QLineEdit()
        self.id_number.setMaxLength(18)
        self.id_number.setMinimumWidth(170)
        self.place = QLabel()  # RULES §1: the place the first six digits name
        self.place.setObjectName("place_id_number")
        self.place.setWordWrap(True)
        self.document_number = QLineEdit()
        self.name = QLineEdit()
        self.sex = QComboBox()
        for code, text in (("", "—"), ("M", tr("Male")), ("F", tr("Female"))):
            self.sex.addItem(text, code)
        self.birth_date = QLineEdit()
        self.birth_date.setPlaceholderText("1990-12-31")
        self.phone = QLineEdit()
        self.village = QComboBox()
        self.village.addItem("—", None)
        for v in list_villages(reader, store.clinic_id):
            self.village.addItem(v["name"], v["id"])
        self.household = QLineEdit()
        self.household.setPlaceholderText(
            tr("household code, e.g. H000123 (a new code makes a new household)")
        )
        self.relation = QComboBox()
        self.relation.addItem("—", None)
        for code in RELATIONS:
            self.relation.addItem(relation_text(code), code)
        self.note = QLineEdit()

        self.errors: dict[str, QLabel] = {}
        form = QFormLayout()
        labels = {
            "document_type": tr("Document type"),
            "id_number": tr("ID number"),
            "document_number": tr("Document number"),
            "name": tr("Name"),
            "sex": tr("Sex"),
            "birth_date": tr("Birth date"),
            "phone": tr("Phone"),
            "village": tr("Village"),
            "household": tr("Household"),
            "relation_to_head": tr("Relation to head"),
            "note": tr("Note"),
        }
        for field in FIELDS:
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(1)
            if field == "id_number":  # the place the number names, beside it, to confirm with the resident
                beside = QHBoxLayout()
                beside.setContentsMargins(0, 0, 0, 0)
                beside.addWidget(self.id_number, 0)
                beside.addWidget(self.place, 1)
                column.addLayout(beside)
            else:
                column.addWidget(self.widget(field))
            error = QLabel()
            error.setObjectName(f"error_{field}")
            error.setStyleSheet("color: #c0392b;")
            error.setWordWrap(True)
            error.hide()
            column.addWidget(error)
            self.errors[field] = error
            form.addRow(labels[field], box)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(tr("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Cancel"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setWindowTitle(tr("Edit resident") if resident_id else tr("Add resident"))
        self.setMinimumWidth(520)

        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(250)
        self._check_timer.timeout.connect(self.check)
        for field in FIELDS:
            widget = self.widget(field)
            if isinstance(widget, QLineEdit):
                widget.textEdited.connect(lambda _t, f=field: self._edited(f))
                widget.editingFinished.connect(lambda f=field: self._left(f))
            else:
                widget.activated.connect(lambda _i, f=field: self._left(f))
        self.document_type.currentIndexChanged.connect(self._document_type_changed)
        if resident_id:
            self._load(resident_id)
        self._document_type_changed()

    def widget(self, field: str) -> Any:
        return getattr(self, "relation" if field == "relation_to_head" else field)

    def _load(self, resident_id: str) -> None:
        row = get_resident(self.reader, resident_id)
        self.document_type.setCurrentIndex(self.document_type.findData(row["document_type"]))
        self.id_number.setText(row["id_number"] or "")
        self.document_number.setText(row["document_number"] or "")
        self.name.setText(row["name"])
        self.sex.setCurrentIndex(self.sex.findData(row["sex"]))
        self.birth_date.setText(row["birth_date"])
        self.phone.setText(row["phone"] or "")
        self.village.setCurrentIndex(max(0, self.village.findData(row["village_id"])))
        if row["household_id"]:
            self.household.setText(household_code(self.reader, row["household_id"]) or "")
        self.relation.setCurrentIndex(max(0, self.relation.findData(row["relation_to_head"])))
        self.note.setText(row["note"] or "")
        self._base = resident_input(row)

    # -- live validation ------------------------------------------------------------------------
    def _edited(self, field: str) -> None:
        if field in ("id_number", "phone"):  # full-width digits (an input method's default) shown as 0-9
            widget = self.widget(field)
            try:
                normal = ascii_digits(field, widget.text())
            except ValidationError:
                normal = widget.text()  # a digit of another script: the field's message says so
            if normal != widget.text():
                at = widget.cursorPosition() if len(normal) == len(widget.text()) else len(normal)
                widget.setText(normal)
                widget.setCursorPosition(at)
        if field == "id_number":
            self._fill_from_id_number()
        if field in self._touched or self._show_all:
            self._check_timer.start()

    def _left(self, field: str) -> None:
        self._touched.add(field)
        self.check()

    def _document_type_changed(self) -> None:
        is_card = self.document_type.currentData() == "id_card"
        self.id_number.setEnabled(is_card)
        self.document_number.setEnabled(not is_card)
        if is_card:
            self._fill_from_id_number()
        else:
            self.place.clear()
            self.sex.setEnabled(True)
            self.birth_date.setEnabled(True)

    def _fill_from_id_number(self) -> None:
        """A valid ID number decides sex and birth date: they fill in and lock; the place it names is shown."""
        try:
            parsed = parse_id_number(self.id_number.text())
        except ValidationError:
            self.place.clear()
            self.sex.setEnabled(True)
            self.birth_date.setEnabled(True)
            return
        self._show_place(parsed.place)
        self.sex.setCurrentIndex(self.sex.findData(parsed.sex))
        self.birth_date.setText(parsed.birth_date.isoformat())
        self.sex.setEnabled(False)
        self.birth_date.setEnabled(False)

    def _show_place(self, place: Place | None) -> None:
        if place is None:
            self.place.clear()
        elif place.known:
            self.place.setStyleSheet("color: #2c3e50;")
            self.place.setText(tr("Issued in %1").replace("%1", str(place)))
        else:  # a warning, never a refusal: counties are merged and renamed, a number keeps its code
            self.place.setStyleSheet("color: #b9770e;")
            self.place.setText(
                tr("%1; county code %2 unknown: confirm the place with the resident.")
                .replace("%1", place.province)
                .replace("%2", place.code)
            )

    def collect(self) -> tuple[ResidentInput, str]:
        data = ResidentInput(
            name=self.name.text(),
            document_type=self.document_type.currentData(),
            id_number=self.id_number.text() or None,
            document_number=self.document_number.text() or None,
            sex=self.sex.currentData() or None,
            birth_date=self.birth_date.text() or None,
            phone=self.phone.text() or None,
            village_id=self.village.currentData(),
            relation_to_head=self.relation.currentData(),
            note=self.note.text() or None,
        )
        return data, self.household.text().strip()

    def problems(self) -> list[ValidationError]:
        data, code = self.collect()
        try:
            data, _new = resolve_household(self.reader, self.store.clinic_id, data, code)
            validate_resident(self.reader, self.store.clinic_id, data, existing_id=self.resident_id)
        except ValidationErrors as exc:
            return exc.errors
        return []

    def check(self) -> list[ValidationError]:
        problems = self.problems()
        by_field: dict[str, str] = {}
        for e in problems:
            by_field.setdefault(e.field, rule_message(e))
        for field, label in self.errors.items():
            text = by_field.get(field, "")
            shown = bool(text) and (self._show_all or field in self._touched)
            label.setText(text if shown else "")
            label.setVisible(shown)
        self._fit_height()
        return problems

    def _fit_height(self) -> None:
        """The dialog as tall as its fields and the messages shown: a cleared message leaves no gap."""
        layout = self.layout()
        if layout is None:
            return
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)  # the fields' own layouts first
        layout.activate()
        height = max(
            self.minimumSizeHint().height(),
            layout.totalHeightForWidth(self.width())
            if layout.hasHeightForWidth()
            else layout.totalSizeHint().height(),
        )
        if height != self.height():
            self.resize(self.width(), height)

    # -- saving ---------------------------------------------------------------------------------
    def save(self) -> None:
        self._show_all = True
        if self.check():
            return  # nothing is written while a field is wrong
        data, code = self.collect()
        self.buttons.setEnabled(False)
        store, user, resident_id = self.store, self.user, self.resident_id

        def work() -> str:
            if resident_id:
                update_resident(store, user, resident_id, data, household_code=code)
                return resident_id
            return add_resident(store, user, data, household_code=code)

        self.writer.run(work, self._saved, self._failed)

    def _saved(self, resident_id: str) -> None:
        self.saved_id = resident_id
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        if isinstance(error, ValidationErrors):  # e.g. another device took the ID number meanwhile
            for e in error.errors:
                self.errors.get(e.field, self.errors["name"]).setText(rule_message(e))
                self.errors.get(e.field, self.errors["name"]).show()
            self._fit_height()
            return
        QMessageBox.critical(
            self,
            tr("Not saved"),
            tr("The resident was not saved: %1").replace("%1", storage_text(error) or str(error)),
        )
