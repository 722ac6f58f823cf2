"""The printed home-visit round (issue 12 point 5): the day's patients (due today or overdue) grouped by village
and household, with their last readings, on A4 through the print preview (ui.printing). A Chinese document,
as the other printed forms."""

from __future__ import annotations

import datetime as dt
import html
from itertools import groupby
from typing import Any

from clinic_app import chronic_round as H
from clinic_app import labels
from clinic_app.clinic import clinic_name
from clinic_app.store import Store
from ui import printing
from ui.contract_print import FONTS, HEAD_FONTS
from ui.ops import Op, Ops
from ui.qt import QFont, QTextDocument, QWidget

TITLE = "慢病患者上门随访清单"
HEADS = ("户号、地址", "姓名", "病种", "电话", "上次随访", "上次血压", "空腹血糖", "应随访", "逾期(天)")
RECORD_COLUMN = "本次记录"  # written in by hand at the visit: the width the others leave
BODY_PT = 9  # a point above the old 8: the widest row (address, phone, dates) still fits A4 portrait


def round_html(rows: list[dict[str, Any]], clinic: str, day: dt.date) -> str:
    e = html.escape
    parts = [f"<h1>{TITLE}</h1><p>{e(clinic)}　{day.isoformat()}　共 {len(rows)} 人次（含逾期未随访）</p>"]
    for village, in_village in groupby(rows, key=lambda r: r["village"] or "（未填村）"):
        people = list(in_village)
        parts.append(f"<h2>{e(village)}（{len(people)} 人次）</h2>")
        parts.append(
            "<table width='100%' cellspacing='0' cellpadding='4' border='1'><tr>"
            + "".join(f"<th>{h}</th>" for h in HEADS)
            + f"<th width='100%'>{RECORD_COLUMN}</th></tr>"
        )
        for household, members in groupby(people, key=lambda r: (r["household_code"], r["address"])):
            members_ = list(members)
            where = "<br/>".join(e(x) for x in household if x) or "—"  # the code over the address
            for i, r in enumerate(members_):
                bp = f"{r['sbp']}/{r['dbp']}" if r["sbp"] is not None else ""
                first = f"<td rowspan='{len(members_)}'>{where}</td>" if i == 0 else ""
                parts.append(
                    f"<tr>{first}<td>{e(r['name'])}</td><td>{labels.label('disease', r['disease'])}</td>"
                    f"<td>{e(r['phone'] or '')}</td><td>{r['visit_date'] or '从未'}</td>"
                    f"<td>{bp}</td>"
                    f"<td>{r['fasting_glucose'] or ''}</td><td>{r['due_on']}</td>"
                    f"<td align='right'>{r['days_overdue'] or ''}</td><td></td></tr>"
                )
        parts.append("</table>")
    return list_html("".join(parts))


def list_html(body: str, body_pt: float = BODY_PT, extra_css: str = "") -> str:
    """A printed list's page (the round, the day's end): the forms' type, a centred title, ruled tables whose
    cells do not wrap, grey headers."""
    return f"""<html><head><style>
body {{ font-family: {FONTS}; font-size: {body_pt}pt; }}
h1 {{ font-family: {HEAD_FONTS}; font-size: 15pt; text-align: center; margin: 0 0 4pt 0; }}
h2 {{ font-family: {HEAD_FONTS}; font-size: 11pt; margin: 8pt 0 3pt 0; }}
table {{ border-collapse: collapse; }}
td {{ white-space: nowrap; }}
th {{ font-family: {HEAD_FONTS}; font-weight: normal; background: #eeeeee; white-space: nowrap; }}
{extra_css}</style></head><body>{body}</body></html>"""


def list_document(page_html: str, body_pt: float = BODY_PT) -> QTextDocument:
    """A document of ``list_html``, its default font the forms' Chinese type."""
    document = QTextDocument()
    font = QFont()
    font.setFamilies(list(printing.CJK_FAMILIES))
    font.setPointSizeF(body_pt)
    document.setDefaultFont(font)
    document.setHtml(page_html)
    return document


def round_document(rows: list[dict[str, Any]], clinic: str, day: dt.date) -> QTextDocument:
    return list_document(round_html(rows, clinic, day))


def round_printable(store: Store, day: dt.date) -> printing.Printable:
    """Off the GUI thread: the day's round read on a connection of its own, ready to lay out."""
    conn = store.reader()
    try:
        rows = H.round_rows(conn, store.clinic_id, day)
        clinic = clinic_name(conn, store.clinic_id)
    finally:
        conn.close()
    return printing.Printable(
        lambda: round_document(rows, clinic, day),
        f"上门随访清单-{day.isoformat()}.pdf",
        f"{TITLE} {day.isoformat()}",
        f"{TITLE}　{day.isoformat()}",
    )


def preview_round(store: Store, ops: Ops, day: dt.date, parent: QWidget) -> Op:
    """The print preview of the day's round, read and laid out on a worker."""
    return printing.preview_when_ready(parent, ops, lambda: round_printable(store, day))
