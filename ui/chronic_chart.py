"""A patient's chart (issue 12 point 6): the blood pressure and fasting glucose by visit with their target lines
(ui/charts.py, the ledger's charting), the visits with their classification, the current drugs, the
registrations and this year's contract — the whole history on one page.

Everything is read by an op on a worker with a connection of its own (and ui.charts imported there when it is
not yet), so the GUI thread only draws."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from clinic_app import chronic as K
from clinic_app.chronic_chart import PatientChart as PatientChartData
from clinic_app.chronic_chart import patient_chart
from clinic_app.db import Connection
from clinic_app.residents import mask_id_number
from clinic_app.store import Store
from clinic_app.users import User
from ui.chronic_words import classification_text, disease_text, mode_text, referral_text
from ui.contract_dialogs import status_text
from ui.i18n import tr
from ui.ledger_chart import after_naming_bindings, import_charts
from ui.listmodel import RIGHT, Column, ListModel, ListView, Row
from ui.ops import Writer
from ui.qt import QDialog, QHBoxLayout, QLabel, QPushButton, Qt, QTimer, QVBoxLayout, QWidget, alive
from ui.timefmt import local_time

SBP, DBP, GLUCOSE, TARGET = "#c0392b", "#2e86c1", "#8e44ad", "#27ae60"


def read_chart(store: Store, resident_id: str, today: dt.date) -> PatientChartData:
    """Off the GUI thread: a connection of its own, closed after."""
    import_charts()
    conn = store.reader()
    try:
        return patient_chart(conn, resident_id, today)
    finally:
        conn.close()


def correction_text(r: Row) -> str:
    """A visit's line of corrections: who corrected it, when and why; or what a correction corrects."""
    if r.get("corrected_by"):
        return (
            tr("%1 by %2: %3")
            .replace("%1", local_time(r["corrected_at"]))
            .replace("%2", r["corrected_user"] or "")
            .replace("%3", r["corrected_because"] or "")
        )
    if r.get("supersedes"):
        return tr("corrects the record before it: %1").replace("%1", r["correction_reason"] or "")
    return ""


def drugs_text(visit: Row) -> str:
    return "、".join(
        f"{d['name']} {d['dose'] or ''}×{d['times_per_day'] or ''}".rstrip("×").strip()
        for d in visit["drugs"]
    )


class PatientChart(QDialog):
    def __init__(
        self,
        store: Store,
        writer: Writer,
        resident_id: str,
        today: dt.date,
        parent: QWidget | None = None,
        reader: Connection | None = None,
        user: User | None = None,
    ) -> None:
        """``reader`` and ``user``: the GUI thread's connection and who is signed in, to correct a visit (更正…)."""
        super().__init__(parent)
        self.store, self.today, self.resident_id = store, today, resident_id
        self.writer, self.reader, self.user = writer, reader, user
        self.correcting: Any = None  # the follow-up form of a correction, while it is open
        self.wanted: str | None = None  # the row to select once the chart is read again
        self.data: PatientChartData | None = None
        self.drawn = False  # both charts built
        self._steps: list[Callable[[], None]] = []
        self.setWindowTitle(tr("Patient chart"))
        self.head = QLabel(tr("Reading the chart…"))
        self.head.setStyleSheet("font-weight: bold; font-size: 14px;")
        self.head.setWordWrap(True)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.bp_chart: Any = None
        self.glucose_chart: Any = None
        self.charts = QHBoxLayout()
        self.history = ListModel(self._columns(), parent=self)
        self.view = ListView(self.history)
        self.view.selectionModel().selectionChanged.connect(lambda _a, _b: self._enable())
        self.correct_button = QPushButton(tr("Correct the visit…"))
        self.correct_button.setAutoDefault(False)
        self.correct_button.clicked.connect(lambda: self.correct())
        self.correct_button.setVisible(reader is not None and user is not None)
        self.correct_button.setEnabled(False)
        self.drugs_button = QPushButton(tr("Drug history…"))  # the long-term prescriptions, as on 长处方
        self.drugs_button.setAutoDefault(False)
        self.drugs_button.clicked.connect(lambda: self.open_drug_history())
        self.drugs_button.setVisible(reader is not None and user is not None)
        self.drugs_button.setEnabled(False)
        close = QPushButton(tr("Close"))
        close.clicked.connect(lambda: self.accept())
        buttons = QHBoxLayout()
        buttons.addWidget(self.correct_button)
        buttons.addWidget(self.drugs_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.head)
        layout.addWidget(self.details)
        layout.addLayout(self.charts, 3)
        self.visits_label = QLabel()
        layout.addWidget(self.visits_label)
        layout.addWidget(self.view, 2)
        self.correction_note = QLabel()  # the selected visit's correction: who, when, why
        self.correction_note.setWordWrap(True)
        self.correction_note.setStyleSheet("color: #a15c00;")
        layout.addWidget(self.correction_note)
        layout.addLayout(buttons)
        self.resize(1200, 700)
        self.op: Any = None
        # the read imports the chart library the first time: the Qt types it names made on this thread first
        after_naming_bindings(self, self.reread)

    def reread(self) -> None:
        """After a correction: the chart read again (off the GUI thread), the corrected visit kept selected."""
        store, resident_id, today = self.store, self.resident_id, self.today
        self.drawn = False
        self.op = self.writer.work(lambda: read_chart(store, resident_id, today), self.show_data, parent=self)

    def _columns(self) -> list[Column]:
        def classification(r: Row) -> str:
            text = classification_text(r["classification"])
            if r.get("override_reason"):
                text += tr(" (doctor's; rules: %1)").replace(
                    "%1", classification_text(r["classification_rule"])
                )
            return text

        def record(r: Row) -> str:
            if r.get("corrected_by"):
                return tr("Corrected")
            return tr("Correction") if r.get("supersedes") else ""

        return [
            Column("date", lambda: tr("Visit date"), lambda r: r["visit_date"], width=95),
            Column("record", lambda: tr("Record"), record, tooltip=correction_text, width=60),
            Column("disease", lambda: tr("Disease"), lambda r: disease_text(r["disease"]), width=70),
            Column("mode", lambda: tr("Visit mode"), lambda r: mode_text(r["visit_mode"]), width=80),
            Column(
                "bp",
                lambda: tr("BP (mmHg)"),
                lambda r: f"{r['sbp']}/{r['dbp']}" if r["sbp"] is not None else "",
                align=RIGHT,
                width=105,  # the header 血压（mmHg） was cut at 85
            ),
            Column(
                "glucose", lambda: tr("Glucose"), lambda r: r["fasting_glucose"] or "", align=RIGHT, width=70
            ),
            Column(
                "class",
                lambda: tr("Classification"),
                classification,
                tooltip=lambda r: r.get("override_reason"),
                width=130,
            ),
            Column("referral", lambda: tr("Referral"), lambda r: referral_text(r["referral"]), width=90),
            Column("next", lambda: tr("Next visit"), lambda r: r["next_visit_date"] or "", width=95),
            Column("doctor", lambda: tr("Doctor"), lambda r: r["doctor_signature"] or "", width=80),
            Column(
                "correction", lambda: tr("Correction"), correction_text, tooltip=correction_text, width=160
            ),
            # last: the column that stretches to the window's edge (two or three drugs were cut off at 220 px)
            Column("drugs", lambda: tr("Drugs"), drugs_text, tooltip=drugs_text),
        ]

    def open_drug_history(self) -> Any:
        """The drug history of the 长处方 page (read on a worker): every prescription with its changes, stops and
        installments, and its print."""
        from ui.rx_dialogs import HistoryDialog, RxContext

        if self.data is None or self.reader is None or self.user is None:
            return None
        ctx = RxContext(self.store, self.reader, self.writer, self.user, self.today)
        person = self.data.resident
        dialog = HistoryDialog(ctx, {"name": person["name"], "resident_id": person["id"]}, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    # -- correcting a visit -----------------------------------------------------------------------------------
    def selected(self) -> Row | None:
        key = self.view.current_key()
        at = self.history.row_of(key) if key is not None else -1
        return self.history.row_data(at) if at >= 0 else None

    def _enable(self) -> None:
        row = self.selected()
        live = row is not None and not row.get("corrected_by")
        self.correct_button.setEnabled(live)
        said = correction_text(row) if row is not None else ""
        if row is not None and row.get("corrected_by"):
            said = tr("Corrected: %1").replace("%1", said)
        self.correction_note.setText(said)
        if row is None:
            self.correct_button.setToolTip(tr("Select a visit in the list first."))
        elif not live:
            self.correct_button.setToolTip(tr("This record was corrected already: correct the newest one."))
        else:
            self.correct_button.setToolTip(tr("Open the visit in the follow-up form to correct it."))

    def correct(self) -> Any:
        """The follow-up form filled in with the selected visit, asking why; saved as a new row superseding it."""
        from ui.followup_dialog import FollowupDialog

        row = self.selected()
        if row is None or row.get("corrected_by") or self.reader is None or self.user is None:
            return None
        if self.correcting is not None and alive(self.correcting) and not self.correcting.ready:
            return self.correcting  # clicked again while the form is still being built
        form = FollowupDialog(
            self.store,
            self.reader,
            self.writer,
            self.user,
            self.resident_id,
            row["disease"],
            self.today,
            self,
            correcting=row["id"],
        )
        self.correcting = form

        def saved() -> None:
            if form.saved is not None:
                self.wanted = form.saved.id
                self.reread()

        form.accepted.connect(saved)
        form.open()
        return form

    def show_data(self, data: PatientChartData) -> None:
        self.data = data
        person = data.resident
        sex = {"M": tr("Male"), "F": tr("Female")}.get(person["sex"] or "", "")
        self.head.setText(
            tr("%1 · %2 · %3 years · %4 · phone %5")
            .replace("%1", person["name"])
            .replace("%2", sex)
            .replace("%3", str(data.age))
            .replace("%4", mask_id_number(person["id_number"]))
            .replace("%5", person["phone"] or tr("none"))
        )
        registrations = "；".join(
            tr("%1 %2 confirmed %3 (%4)")
            .replace("%1", disease_text(g["disease"]))
            .replace("%2", g["icd_code"])
            .replace("%3", g["confirmed_on"])
            .replace(
                "%4", tr("under management") if g["management"] == "continue" else tr("management ended")
            )
            for g in data.registrations
        )
        contract = (
            tr("contract %1: %2")
            .replace("%1", data.contract["period"])
            .replace("%2", status_text(data.contract["status"]))
            if data.contract
            else tr("no contract this year")
        )
        drugs = "、".join(f"{d['name']} {d['dose'] or ''}×{d['times_per_day'] or ''}" for d in data.drugs)
        from ui.rx_dialogs import live_prescriptions_text

        long_term = live_prescriptions_text(data.prescriptions, self.today)
        if data.prescriptions and not long_term:
            long_term = tr("none in force (%1 earlier)").replace("%1", str(len(data.prescriptions)))
        self.details.setText(
            tr("Registrations: %1").replace("%1", registrations or tr("none"))
            + "\n"
            + tr("Current drugs: %1").replace("%1", drugs or tr("none"))
            + "\n"
            + tr("Long-term prescriptions: %1").replace("%1", long_term or tr("none"))
            + "\n"
            + tr("Family doctor: %1").replace("%1", contract)
            + "    "
            + tr("Open referrals: %1").replace("%1", str(data.referrals_open))
        )
        rows = data.history or data.visits
        self.history.cursor = lambda row: rows.index(row) + 1
        self.history.set_fetch(lambda after, limit: rows[(after or 0) : (after or 0) + limit])
        corrected = len(rows) - len(data.visits)
        label = tr("%1 follow-ups, newest first").replace("%1", str(len(data.visits)))
        if corrected:
            label += tr(" (and %1 corrected records, marked)").replace("%1", str(corrected))
        self.visits_label.setText(label)
        if self.wanted is not None:
            self.view.select_key(self.wanted)
        self.drugs_button.setEnabled(True)
        self._enable()
        for old in (self.bp_chart, self.glucose_chart):  # read again after a correction: drawn afresh
            if old is not None:
                self.charts.removeWidget(old)
                old.deleteLater()
        self.bp_chart = self.glucose_chart = None
        # each chart built in its own turn of the event loop: the window keeps answering between them
        QTimer.singleShot(0, self._draw_charts)

    def _draw_charts(self) -> None:
        """The charts are built a step a turn of the event loop (a pyqtgraph plot takes ~35 ms to make and as
        long to fill): the window keeps answering between the steps."""
        from ui.charts import LineChart

        if self.data is None:
            return
        data = self.data
        oldest_first = list(reversed(data.visits))
        bp = [v for v in oldest_first if v["sbp"] is not None]
        glucose = [v for v in oldest_first if v["fasting_glucose"]]
        steps: list[Callable[[], None]] = []
        if bp:
            steps += [lambda: setattr(self, "bp_chart", LineChart()), lambda: self._fill_bp(bp, data.age)]
        if glucose:
            steps += [
                lambda: setattr(self, "glucose_chart", LineChart()),
                lambda: self._fill_glucose(glucose),
            ]
        self._steps = steps
        self._next_step()

    def _next_step(self) -> None:
        if self.data is None:
            return
        if not self._steps:
            self.drawn = True
            return
        self._steps.pop(0)()
        QTimer.singleShot(0, self._next_step)

    def _fill_bp(self, bp: list[dict[str, Any]], age: int) -> None:
        from ui.charts import Series

        sbp_target, dbp_target = K.BP_TARGET_ELDERLY if age >= K.ELDERLY_AGE else K.BP_TARGET
        self.bp_chart.set_unit(tr("mmHg"))
        self.bp_chart.set_lines(
            [dt.date.fromisoformat(v["visit_date"]) for v in bp],
            [
                Series(tr("Systolic"), [v["sbp"] for v in bp], SBP),
                Series(tr("Diastolic"), [v["dbp"] for v in bp], DBP),
            ],
            targets=[(float(sbp_target), SBP), (float(dbp_target), DBP)],
        )
        self.charts.addWidget(self.bp_chart, 1)

    def _fill_glucose(self, glucose: list[dict[str, Any]]) -> None:
        from ui.charts import Series

        self.glucose_chart.set_unit(tr("mmol/L"))
        self.glucose_chart.set_lines(
            [dt.date.fromisoformat(v["visit_date"]) for v in glucose],
            [Series(tr("Fasting glucose"), [float(v["fasting_glucose"]) for v in glucose], GLUCOSE)],
            targets=[(float(K.GLUCOSE_TARGET), TARGET)],
        )
        self.charts.addWidget(self.glucose_chart, 1)
