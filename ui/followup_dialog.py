"""The follow-up form (高血压患者随访服务记录表 / 2型糖尿病患者随访服务记录表): the fields in the paper form's
order (Tab follows it, Enter saves), the visit's classification shown live as the readings are typed (from
clinic_app.chronic.classify, the rules the save applies), an implausible value named with its range, the
doctor's own classification only with a reason, the referral when the rules refer.

The save runs on the writer (clinic_app.chronic_records.add_followup); the dialog stays open with the problem
shown under the fields when it is refused and closes (accepted) when the follow-up is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from clinic_app import chronic as K
from clinic_app import chronic_records as R
from clinic_app.db import Connection
from clinic_app.errors import ClinicError, NotFound, ValidationError
from clinic_app.residents import get_resident
from clinic_app.store import Store
from clinic_app.users import User
from ui.chronic_words import (
    adherence_text,
    classification_text,
    disease_text,
    field_label,
    foot_pulse_text,
    glucose_method_text,
    hypoglycaemia_text,
    mode_text,
    rating_text,
    reason_text,
    referral_text,
    salt_text,
    symptom_text,
)
from ui.i18n import tr
from ui.messages import error_text
from ui.notice import reserve_problem_line, show_problem
from ui.ops import Writer
from ui.qt import (
    QCheckBox,
    QComboBox,
    QDate,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    Qt,
    QVBoxLayout,
    QWidget,
)
from ui.staged import Staged

DRUG_ROWS = 3  # the paper form has room for three drugs


def followup_error_text(error: BaseException, given: Callable[[str], str | None] = lambda _f: None) -> str:
    """A refused follow-up in the user's language: the field and its rule (the range of an implausible value);
    ``given(field)``: the text typed in that field, named in the message."""
    if isinstance(error, NotFound):
        return tr("The patient or the record no longer exists (another device may have removed it).")

    def describe(e: ValidationError) -> str:
        return problem_text(e, given(e.field))

    if isinstance(error, ClinicError):
        return error_text(error, describe, "\n")
    raise error


def problem_text(e: ValidationError, given: str | None = None) -> str:
    """The problem of one field, from its rule and details (never from the domain's English sentence)."""
    name = field_label(e.field)
    d = e.details
    if e.rule == "range" and "low" in d:
        text = (
            tr("%1: %2 is outside the plausible range %3-%4 %5.")
            if given
            else tr("%1: outside the plausible range %3-%4 %5.")
        )
        return (
            text.replace("%1", name)
            .replace("%2", given or "")
            .replace("%3", d["low"])
            .replace("%4", d["high"])
            .replace("%5", d.get("unit", ""))
            .replace(" .", ".")
        )
    known = {
        "sbp_above_dbp": tr("%1: the systolic pressure must exceed the diastolic (%2/%3 mmHg).")
        .replace("%2", d.get("sbp", ""))
        .replace("%3", d.get("dbp", "")),
        "number": tr("%1: type a number."),
        "precision": tr("%1: too many decimal places."),
        "future": tr("%1: the date lies in the future."),
        "date_format": tr("%1: write the date as 2026-12-31."),
        "none_alone": tr("%1: “none” cannot be ticked with a symptom."),
        "not_registered": tr("The patient is not under management for this disease: register it first."),
    }
    if e.field == "followup" and e.rule == "superseded":
        return tr("This follow-up was corrected already: correct the newest record of the visit.")
    if e.field == "override_reason" and e.rule == "required":
        return tr("Changing the classification needs the reason, which is recorded.")
    if e.field == "reading" and e.rule == "required":
        return tr("The classification is made from the reading: type it, or classify by hand with a reason.")
    if e.field == "next_visit_date" and e.rule == "range":
        return tr("%1: the next visit comes after this one.").replace("%1", name)
    if e.field == "visit_date" and e.rule == "range":
        return tr("%1: the disease was confirmed after this day.").replace("%1", name)
    if e.rule == "required":
        return tr("%1: required.").replace("%1", name)
    if e.rule in known:
        return known[e.rule].replace("%1", name)
    return tr("%1: not accepted.").replace("%1", name)


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _date(q: QDate) -> dt.date:
    return dt.date(q.year(), q.month(), q.day())


class FormDate(QDateEdit):
    """A date field that Tab leaves as every other field (Qt's date edit takes Tab to move from year to month
    to day): the form's Tab order stays the paper form's; the arrow keys and typing still set each part."""

    def focusNextPrevChild(self, next_: bool) -> bool:
        return QWidget.focusNextPrevChild(self, next_)


class FollowupDialog(Staged, QDialog):
    def __init__(
        self,
        store: Store,
        reader: Connection,
        writer: Writer,
        user: User,
        resident_id: str,
        disease: str,
        today: dt.date | None = None,
        parent: QWidget | None = None,
        correcting: str | None = None,
    ) -> None:
        """``correcting``: the id of the follow-up this one corrects (the form opens with it filled in and asks
        for the reason of the correction; saving writes a new row that supersedes it)."""
        super().__init__(parent)
        self.store, self.reader, self.writer, self.user = store, reader, writer, user
        self.resident_id, self.disease = resident_id, disease
        self.correcting = correcting
        self.today = today or dt.date.today()
        self.resident = get_resident(reader, resident_id)
        self.registration = R.registration(reader, resident_id, disease)
        self.intervals = K.intervals(reader, self.today)
        self.saved: R.FollowupResult | None = None
        self.previous: str | None = None
        self.setWindowTitle(
            (tr("Correct a follow-up of %1 (%2)") if correcting else tr("Follow-up of %1 (%2)"))
            .replace("%1", self.resident["name"])
            .replace("%2", disease_text(disease))
        )
        self.build_in_steps(self._build(correcting))  # every section built and wired: open() waits for it

    def _build(self, correcting: str | None) -> Iterator[None]:
        disease, user, reader = self.disease, self.user, self.reader
        self.fields: dict[str, QLineEdit] = {}
        self.order: list[QWidget] = []  # the paper form's order: the Tab order

        age = K.age_on(self.resident["birth_date"], self.today)
        head = QLabel(
            tr("%1 · %2 years · %3 · %4")
            .replace("%1", self.resident["name"])
            .replace("%2", str(age))
            .replace("%3", disease_text(disease))
            .replace("%4", self.registration["icd_code"] if self.registration else "")
        )
        head.setStyleSheet("font-weight: bold; font-size: 14px;")

        # -- the visit ------------------------------------------------------------------------------------
        self.visit_date = FormDate()
        self.visit_date.setCalendarPopup(True)
        self.visit_date.setDisplayFormat("yyyy-MM-dd")
        self.visit_date.setMaximumDate(_qdate(self.today))
        self.visit_date.setDate(_qdate(self.today))
        self.mode = QComboBox()
        for code in K.VISIT_MODES:
            self.mode.addItem(mode_text(code), code)
        visit = QFormLayout()
        visit.addRow(tr("Visit date"), self._add(self.visit_date))
        visit.addRow(tr("Visit mode"), self._add(self.mode))

        yield
        # -- symptoms ----------------------------------------------------------------------------------------
        self.symptoms: dict[str, QCheckBox] = {}
        grid = QGridLayout()
        for i, code in enumerate(K.SYMPTOMS[disease]):
            box = QCheckBox(symptom_text(code))
            if code in K.EMERGENCY_SIGNS[disease]:
                box.setStyleSheet("color: #a93226;")  # an emergency sign: the rules refer at once
            self.symptoms[code] = self._add(box)
            grid.addWidget(box, i // 3, i % 3)
        self.symptom_other = self._line("symptom_other", 160)
        grid.addWidget(QLabel(tr("Other symptom")), (len(K.SYMPTOMS[disease]) + 2) // 3, 0)
        grid.addWidget(self.symptom_other, (len(K.SYMPTOMS[disease]) + 2) // 3, 1, 1, 2)
        symptoms = QGroupBox(tr("Symptoms"))
        symptoms.setLayout(grid)

        yield
        # -- signs -------------------------------------------------------------------------------------------
        signs = QFormLayout()
        signs.addRow(
            tr("Blood pressure (mmHg)"),
            self._pair("sbp_1", "/", "dbp_1", tr("second reading"), "sbp_2", "/", "dbp_2"),
        )
        signs.addRow(tr("Weight (kg) / target"), self._pair("weight", "/", "target_weight"))
        signs.addRow(tr("Height (cm)"), self._pair("height", None))
        self.bmi = QLabel("—")
        signs.addRow(tr("BMI (kg/m²) / target"), self._row(self.bmi, QLabel("/"), self._line("target_bmi")))
        if disease == "hypertension":
            signs.addRow(tr("Heart rate (/min)"), self._pair("heart_rate", None))
        else:
            self.foot_pulse = self._combo(K.FOOT_PULSE, foot_pulse_text)
            signs.addRow(tr("Dorsalis pedis pulse"), self.foot_pulse)
        signs.addRow(tr("Other signs"), self._add(self._line("other_signs", 300)))

        yield
        # -- lifestyle ----------------------------------------------------------------------------------------
        life = QFormLayout()
        life.addRow(
            tr("Cigarettes a day / target"),
            self._pair("cigarettes_per_day", "/", "target_cigarettes_per_day"),
        )
        life.addRow(
            tr("Alcohol (liang a day) / target"), self._pair("alcohol_per_day", "/", "target_alcohol_per_day")
        )
        life.addRow(
            tr("Exercise (times a week, minutes) / target"),
            self._pair(
                "exercise_times_per_week",
                "×",
                "exercise_minutes",
                "/",
                "target_exercise_times_per_week",
                "×",
                "target_exercise_minutes",
            ),
        )
        if disease == "hypertension":
            self.salt = self._combo(K.SALT, salt_text)
            self.target_salt = self._combo(K.SALT, salt_text)
            life.addRow(tr("Salt intake / target"), self._row(self.salt, QLabel("/"), self.target_salt))
        else:
            life.addRow(
                tr("Staple food (g a day) / target"), self._pair("staple_food_g", "/", "target_staple_food_g")
            )
        self.psychological = self._combo(K.RATING, rating_text)
        self.compliance = self._combo(K.RATING, rating_text)
        life.addRow(tr("Psychological adjustment"), self.psychological)
        life.addRow(tr("Compliance with advice"), self.compliance)

        yield
        # -- examinations, adherence, reactions ------------------------------------------------------------
        exams = QFormLayout()
        if disease == "diabetes":
            self.glucose_method = self._combo(K.GLUCOSE_METHODS, glucose_method_text)
            exams.addRow(
                tr("Fasting glucose (mmol/L)"),
                self._row(self._add(self._line("fasting_glucose")), self.glucose_method),
            )
            self.hba1c_date = self._add(QLineEdit())
            self.hba1c_date.setPlaceholderText("2026-12-31")
            exams.addRow(tr("HbA1c (%) / date"), self._row(self._add(self._line("hba1c")), self.hba1c_date))
        exams.addRow(tr("Auxiliary examinations"), self._add(self._line("auxiliary_exam", 300)))
        self.adherence = self._combo(K.ADHERENCE, adherence_text)
        exams.addRow(tr("Medication adherence"), self.adherence)
        self.adverse = self._add(QCheckBox(tr("Yes")))
        self.adverse_text = self._add(self._line("adverse_reaction_text", 200))
        exams.addRow(tr("Adverse drug reaction"), self._row(self.adverse, self.adverse_text))
        if disease == "diabetes":
            self.hypoglycaemia = self._combo(K.HYPOGLYCAEMIA, hypoglycaemia_text)
            exams.addRow(tr("Hypoglycaemia"), self.hypoglycaemia)
        self.complication = self._add(QCheckBox(tr("New or worse")))
        self.complication_text = self._add(self._line("complication_text", 200))
        exams.addRow(tr("Complication"), self._row(self.complication, self.complication_text))

        yield
        # -- classification -------------------------------------------------------------------------------
        self.classification = QLabel()
        self.classification.setObjectName("classification")
        self.classification.setWordWrap(True)
        self.classification.setMinimumHeight(40)
        self.override = QComboBox()
        self.override.addItem(tr("As the rules say"), None)
        for code in K.CLASSIFICATIONS:
            self.override.addItem(classification_text(code), code)
        self._add(self.override)
        self.override_reason = self._add(self._line("override_reason", 300))
        self.override_reason.setPlaceholderText(tr("Reason for a classification other than the rules'"))
        self.override_reason.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        cls = QFormLayout()
        cls.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        cls.addRow(tr("Classification of this visit"), self.classification)
        cls.addRow(tr("Doctor's classification"), self._row(self.override))
        cls.addRow(tr("Reason"), self.override_reason)  # the whole column wide: a sentence fits

        yield
        # -- drugs -----------------------------------------------------------------------------------------
        drugs = QGridLayout()
        for col, text in enumerate((tr("Drug"), tr("Dose a time"), tr("Times a day"))):
            drugs.addWidget(QLabel(text), 0, col)
        self.drugs: list[tuple[QLineEdit, QLineEdit, QLineEdit]] = []
        for i in range(DRUG_ROWS):
            cells = (QLineEdit(), QLineEdit(), QLineEdit())
            for col, cell in enumerate(cells):
                self._add(cell)
                drugs.addWidget(cell, i + 1, col)
            self.drugs.append(cells)
        if disease == "diabetes":
            self.insulin_type = self._add(self._line("insulin_type", 100))
            self.insulin_dose = self._add(self._line("insulin_dose", 100))
            drugs.addWidget(QLabel(tr("Insulin (type, dose)")), DRUG_ROWS + 1, 0)
            drugs.addWidget(self.insulin_type, DRUG_ROWS + 1, 1)
            drugs.addWidget(self.insulin_dose, DRUG_ROWS + 1, 2)
        drug_box = QGroupBox(tr("Drugs"))
        drug_box.setLayout(drugs)

        yield
        # -- referral, next visit, signature ----------------------------------------------------------------
        self.referral = QLabel()
        self.referral.setObjectName("referral")
        self.referral.setWordWrap(True)
        self.refer = QComboBox()
        self.refer.addItem(tr("As the rules say"), None)
        self.refer.addItem(referral_text("routine"), "routine")
        self.refer.addItem(referral_text("emergency"), "emergency")
        self._add(self.refer)
        self.referral_institution = self._add(self._line("referral_institution", 100))
        self.referral_institution.setPlaceholderText(tr("Institution"))
        self.referral_department = self._add(self._line("referral_department", 100))
        self.referral_department.setPlaceholderText(tr("Department"))
        self.next_date = FormDate()
        self.next_date.setCalendarPopup(True)
        self.next_date.setDisplayFormat("yyyy-MM-dd")
        self._next_edited = False
        self._proposing = True  # until a classification proposes one: the routine interval's date
        self.next_date.setDate(
            _qdate(self.today + dt.timedelta(days=self.intervals["followup.routine_interval_days"]))
        )
        self._proposing = False
        self.next_date.dateChanged.connect(lambda _d: self._next_changed())
        self._add(self.next_date)
        self.signature = self._add(QLineEdit(user.display_name))
        end = QFormLayout()
        end.addRow(tr("Referral"), self.referral)
        end.addRow(tr("Refer to"), self._row(self.refer, self.referral_institution, self.referral_department))
        end.addRow(tr("Next visit date"), self.next_date)
        end.addRow(tr("Doctor's signature"), self.signature)

        yield
        # -- the buttons ---------------------------------------------------------------------------------
        self.error = QLabel()
        self.error.setObjectName("problem")
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setWordWrap(True)
        self.error.hide()
        reserve_problem_line(self.error)
        self.save_button = QPushButton(tr("Save"))
        self.save_button.setDefault(True)
        self.save_button.setAutoDefault(True)
        self.save_button.clicked.connect(lambda: self.submit())
        cancel = QPushButton(tr("Cancel"))
        cancel.setAutoDefault(False)
        cancel.clicked.connect(lambda: self.reject())
        buttons = QHBoxLayout()
        buttons.addWidget(QLabel(tr("Enter saves; Tab goes through the fields in the paper form's order.")))
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.save_button)
        self.order.append(self.save_button)

        yield
        # three columns, read down and across as the paper form is (a 1366×768 laptop shows it whole)
        left, middle, right = QVBoxLayout(), QVBoxLayout(), QVBoxLayout()
        for title, part, side in (
            (tr("Visit"), visit, left),
            (None, symptoms, left),
            (tr("Signs"), signs, left),
            (tr("Lifestyle advice"), life, middle),
            (tr("Examinations, adherence and reactions"), exams, middle),
            (tr("Classification"), cls, right),
        ):
            if isinstance(part, QGroupBox):
                side.addWidget(part)
                continue
            group = QGroupBox(title)
            group.setLayout(part)
            side.addWidget(group)
        right.addWidget(drug_box)
        last = QGroupBox(tr("Referral and next visit"))
        last.setLayout(end)
        right.addWidget(last)
        columns = QHBoxLayout()
        for side in (left, middle, right):
            side.addStretch(1)
            columns.addLayout(side, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(head)
        self.correction_reason: QLineEdit | None = None
        self.corrected_note: QLabel | None = None
        if correcting is not None:
            self._correction_row(layout, correcting)
        layout.addLayout(columns)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        for a, b in zip(self.order, self.order[1:], strict=False):
            QWidget.setTabOrder(a, b)

        yield
        for line in self.fields.values():
            line.textChanged.connect(lambda _t: self.update_classification())
        for box_ in [*self.symptoms.values(), self.adverse, self.complication]:
            box_.toggled.connect(lambda _on: self.update_classification())
        self.override.currentIndexChanged.connect(lambda _i: self.update_classification())
        self.refer.currentIndexChanged.connect(lambda _i: self.update_classification())
        self.mode.currentIndexChanged.connect(lambda _i: self.update_classification())
        self.visit_date.dateChanged.connect(lambda _d: self._visit_date_changed())
        if correcting is not None:
            self._fill(R.input_of(reader, correcting))
        self._visit_date_changed()
        self.fields["sbp_1"].setFocus()
        self.ready = True

    # -- a correction ---------------------------------------------------------------------------------------
    def _correction_row(self, layout: QVBoxLayout, correcting: str) -> None:
        old = R.get_followup(self.reader, correcting)
        self.corrected_note = QLabel(
            tr("Correcting the follow-up of %1 (%2): it stays in the history, marked corrected.")
            .replace("%1", old["visit_date"])
            .replace("%2", classification_text(old["classification"]))
        )
        self.corrected_note.setStyleSheet("color: #a15c00; font-weight: bold;")
        reason = self._line("correction_reason", 300)
        reason.setPlaceholderText(tr("What was wrong in the record (required, kept with it)"))
        reason.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.correction_reason = reason
        self.order.insert(0, reason)
        row = QHBoxLayout()
        row.addWidget(self.corrected_note)
        row.addSpacing(12)
        row.addWidget(QLabel(tr("Correction reason")))
        row.addWidget(reason, 1)
        layout.addLayout(row)

    def _fill(self, data: R.FollowupInput) -> None:
        """The form as the follow-up being corrected was recorded."""
        self.visit_date.setDate(_qdate(R.parse_date("visit_date", data.visit_date)))
        self.mode.setCurrentIndex(max(self.mode.findData(data.visit_mode), 0))
        for code in data.symptoms:
            if code in self.symptoms:
                self.symptoms[code].setChecked(True)
        for name, line in self.fields.items():
            value = getattr(data, name, None)
            if value is not None and name != "correction_reason":
                line.setText(str(value))
        combos = {
            "psychological": "psychological",
            "compliance": "compliance",
            "adherence": "adherence",
            "salt": "salt_intake",
            "target_salt": "target_salt_intake",
            "foot_pulse": "foot_pulse",
            "glucose_method": "glucose_method",
            "hypoglycaemia": "hypoglycaemia",
        }
        for widget, name in combos.items():
            combo = getattr(self, widget, None)
            if isinstance(combo, QComboBox):
                combo.setCurrentIndex(max(combo.findData(getattr(data, name)), 0))
        if self.disease == "diabetes" and data.hba1c_date:
            self.hba1c_date.setText(str(data.hba1c_date))
        self.adverse.setChecked(bool(data.adverse_reaction))
        self.complication.setChecked(bool(data.new_complication))
        for (drug_name, dose, times), drug in zip(self.drugs, data.drugs, strict=False):
            drug_name.setText(drug.name)
            dose.setText(drug.dose or "")
            times.setText("" if drug.times_per_day is None else str(drug.times_per_day))
        self.override.setCurrentIndex(max(self.override.findData(data.classification_override), 0))
        if data.doctor_signature:
            self.signature.setText(data.doctor_signature)

    # -- building -------------------------------------------------------------------------------------------
    def _add(self, widget: Any) -> Any:
        self.order.append(widget)
        return widget

    def _line(self, name: str, width: int = 56) -> QLineEdit:
        line = QLineEdit()
        line.setObjectName(name)
        if width <= 60:
            line.setMaximumWidth(width)
        else:
            line.setMinimumWidth(min(width, 150))
        self.fields[name] = line
        return line

    def _pair(self, *parts: str | None) -> QWidget:
        """Number fields and the words between them, in order: a name makes a field, other text a label."""
        widgets: list[QWidget] = []
        for part in parts:
            if part is None:
                continue
            if part in K.PLAUSIBLE or part.startswith(("sbp", "dbp")):
                widgets.append(self._add(self._line(part)))
            else:
                widgets.append(QLabel(part))
        return self._row(*widgets)

    def _row(self, *widgets: QWidget) -> QWidget:
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        for w in widgets:
            row.addWidget(w)
        row.addStretch(1)
        return holder

    def _combo(self, codes: tuple[str, ...], words: Any) -> QComboBox:
        combo = QComboBox()
        combo.addItem("", None)
        for code in codes:
            combo.addItem(words(code), code)
        return self._add(combo)

    # -- live -----------------------------------------------------------------------------------------------
    def text(self, name: str) -> str | None:
        line = self.fields.get(name)
        value = line.text().strip() if line is not None else ""
        return value or None

    def given(self, field: str) -> str | None:
        """The text typed where the rules refused ``field`` (an SBP refused may be either reading's)."""
        for name in (field, f"{field}_1", f"{field}_2"):
            text = self.text(name)
            if text is not None and field in K.PLAUSIBLE:
                try:
                    K.measure(field, text)
                except ValidationError:
                    return text
        return self.text(field)

    def _visit_date_changed(self) -> None:
        day = _date(self.visit_date.date())
        prev = R.previous_face_to_face(self.reader, self.resident_id, self.disease, day, self.correcting)
        self.previous = None if prev is None else prev["classification"]
        self.update_classification()

    def _next_changed(self) -> None:
        if not self._proposing:
            self._next_edited = True

    def facts(self) -> K.VisitFacts:
        """What the rules read, from the fields as typed (a ValidationError names a field out of range)."""
        first = K.reading(self.text("sbp_1"), self.text("dbp_1"), "_1")
        second = K.reading(self.text("sbp_2"), self.text("dbp_2"), "_2")
        glucose = (
            K.measure("fasting_glucose", self.text("fasting_glucose")) if self.disease == "diabetes" else None
        )
        for name in self.fields:
            if name in K.PLAUSIBLE and name not in ("fasting_glucose",):
                K.measure(name, self.text(name))
        day = _date(self.visit_date.date())
        return K.VisitFacts(
            self.disease,
            K.age_on(self.resident["birth_date"], day),
            bp=K.average(first or second, second if first else None),
            fasting_glucose=glucose if isinstance(glucose, Decimal) else None,
            adverse_reaction=self.adverse.isChecked(),
            new_complication=self.complication.isChecked(),
            symptoms=tuple(c for c, box in self.symptoms.items() if box.isChecked()),
            previous=self.previous,
        )

    def update_classification(self) -> None:
        """The classification, the referral and the proposed next date as the rules give them now."""
        self._show_bmi()
        override = self.override.currentData()
        try:
            facts = self.facts()
        except ValidationError as e:
            self._show(problem_text(e, self.given(e.field)), "#c0392b")
            return
        try:
            rule: K.Classification | None = K.classify(facts)
        except ValidationError:
            rule = None
        result = K.classify(facts, override) if override else rule
        if result is None:
            what = tr("blood pressure") if self.disease == "hypertension" else tr("fasting glucose")
            self._show(tr("Type the %1: the classification follows it.").replace("%1", what), "#555")
            self.referral.setText(tr("None"))
            return
        text = classification_text(result.classification)
        if override and rule is not None and override != rule.classification:
            text = (
                tr("%1 (the doctor's; the rules say %2)")
                .replace("%1", text)
                .replace("%2", classification_text(rule.classification))
            )
        colour = "#1e7e34" if result.classification == "controlled" else "#a93226"
        referral = result.referral
        by_hand = self.refer.currentData()
        if by_hand and (referral is None or (by_hand == "emergency" and referral == "routine")):
            referral = by_hand
        interval = K.interval_for(result.classification, referral)
        proposed = K.next_visit_date(_date(self.visit_date.date()), interval, self.intervals)
        self._show(
            tr("%1 · next visit by %2").replace("%1", text).replace("%2", proposed.isoformat()), colour
        )
        if referral is None:
            self.referral.setText(tr("None"))
            self.referral.setStyleSheet("")
        else:
            why = "；".join(reason_text(r) for r in result.reasons) or tr("the doctor's referral")
            self.referral.setText(
                tr("%1: %2 — follow it up by %3")
                .replace("%1", referral_text(referral))
                .replace("%2", why)
                .replace("%3", K.referral_due(_date(self.visit_date.date()), self.intervals).isoformat())
            )
            self.referral.setStyleSheet("color: #a93226; font-weight: bold;")
        if not self._next_edited:
            self._proposing = True
            self.next_date.setDate(_qdate(proposed))
            self._proposing = False

    def _show(self, text: str, colour: str) -> None:
        self.classification.setText(text)
        self.classification.setStyleSheet(f"color: {colour}; font-weight: bold; font-size: 14px;")

    def _show_bmi(self) -> None:
        try:
            weight, height = (
                K.measure("weight", self.text("weight")),
                K.measure("height", self.text("height")),
            )
        except ValidationError:
            self.bmi.setText("—")
            return
        value = K.bmi(
            None if weight is None else Decimal(weight), None if height is None else Decimal(height)
        )
        self.bmi.setText("—" if value is None else str(value))

    def classification_shown(self) -> str:
        return self.classification.text()

    # -- saving ---------------------------------------------------------------------------------------------
    def form_input(self) -> R.FollowupInput:
        t = self.text
        combos: dict[str, Any] = {
            "psychological": self.psychological.currentData(),
            "compliance": self.compliance.currentData(),
            "adherence": self.adherence.currentData(),
        }
        if self.disease == "hypertension":
            combos |= {
                "salt_intake": self.salt.currentData(),
                "target_salt_intake": self.target_salt.currentData(),
            }
        else:
            combos |= {
                "foot_pulse": self.foot_pulse.currentData(),
                "glucose_method": self.glucose_method.currentData(),
                "hypoglycaemia": self.hypoglycaemia.currentData(),
                "hba1c_date": self.hba1c_date.text().strip() or None,
                "insulin_type": t("insulin_type"),
                "insulin_dose": t("insulin_dose"),
            }
        numbers = {name: t(name) for name in self.fields if name in K.PLAUSIBLE or name[:3] in ("sbp", "dbp")}
        drugs = [
            R.DrugInput(name.text(), dose.text() or None, times.text() or None)
            for name, dose, times in self.drugs
            if name.text().strip()
        ]
        return R.FollowupInput(
            self.resident_id,
            self.disease,
            _date(self.visit_date.date()),
            self.mode.currentData(),
            symptoms=[c for c, box in self.symptoms.items() if box.isChecked()],
            symptom_other=t("symptom_other"),
            **numbers,
            other_signs=t("other_signs"),
            auxiliary_exam=t("auxiliary_exam"),
            adverse_reaction=self.adverse.isChecked(),
            adverse_reaction_text=t("adverse_reaction_text"),
            new_complication=self.complication.isChecked(),
            complication_text=t("complication_text"),
            drugs=drugs,
            classification_override=self.override.currentData(),
            override_reason=t("override_reason"),
            next_visit_date=_date(self.next_date.date())
            if self._next_edited
            else None,  # None: the rules' date
            doctor_signature=self.signature.text(),
            refer=self.refer.currentData(),
            referral_institution=t("referral_institution"),
            referral_department=t("referral_department"),
            **combos,
        )

    def submit(self) -> None:
        self.error.hide()
        data = self.form_input()
        store, user, today = self.store, self.user, self.today
        self.save_button.setEnabled(False)
        if self.correcting is not None and self.correction_reason is not None:
            old, why = self.correcting, self.correction_reason.text()
            self.writer.run(
                lambda: R.supersede_followup(store, user, old, data, why, today), self._saved, self._failed
            )
            return
        self.writer.run(lambda: R.add_followup(store, user, data, today), self._saved, self._failed)

    def _saved(self, result: R.FollowupResult) -> None:
        self.saved = result
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        show_problem(self.error, followup_error_text(error, self.given))
        if isinstance(error, ValidationError) and (line := self.fields.get(error.field)) is not None:
            line.setFocus()
            line.selectAll()

    def keyPressEvent(self, event: Any) -> None:
        # Enter saves from any field (a combo box or a check box included), as the default button does; on 取消
        # it does not (the focused button is pressed with Space)
        focused = self.focusWidget()
        on_other_button = isinstance(focused, QPushButton) and focused is not self.save_button
        if (
            event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and self.save_button.isEnabled()
            and not on_other_button
        ):
            self.submit()
            return
        super().keyPressEvent(event)
