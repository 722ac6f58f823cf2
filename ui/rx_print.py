"""The printed long-term prescription (长期处方笺, issue 13 point 2) and the refill round (长处方续方清单, point 4),
through the print preview as the other printed documents (ui.printing: read and drawn on a worker).

The prescription is an A5 sheet by default (the size of a paper prescription), A4 on request: the clinic, the
patient (name, sex, age, the ID number masked), the diagnosis, each drug as a prescription writes it (generic name,
strength, dosage form, whole packages; then the dose per time, times a day, route and days), the long-term fields
of RULES §10 (validity days, installments so far, the minimum interval between them and the earliest next one),
the status — one awaiting the patient's signature says so in large type and that it dispenses nothing yet — and
the doctor and the date. As the other printed forms, a Chinese document whatever the program's language."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

from clinic_app import labels
from clinic_app import prescriptions as P
from clinic_app import rx_lists as L
from clinic_app import rx_records as X
from clinic_app.clinic import clinic_name
from clinic_app.digits import plain_number
from clinic_app.drugs import package_unit, packages_text
from clinic_app.residents import mask_id_number
from clinic_app.store import Store
from ui import printing
from ui.contract_print import FONTS, HEAD_FONTS
from ui.ops import Op, Ops
from ui.qt import QFont, QPageLayout, QPageSize, QTextDocument, QWidget

TITLE = "长期处方笺"
ROUND_TITLE = "长期处方续方清单"
PAPERS = {"A5": (QPageSize.PageSizeId.A5, 12.0), "A4": (QPageSize.PageSizeId.A4, printing.MARGIN_MM)}
BODY_PT = {"A5": 9.5, "A4": 10.5}  # 五号 on A4; a little smaller on the A5 sheet
ROUND_PT = 9.0
ROUTES_ZH = {
    "oral": "口服",
    "subcutaneous": "皮下注射",
    "inhaled": "吸入",
    "topical": "外用",
    "sublingual": "舌下含服",
    "other": "其他",
}
STATUS_ZH = {"active": "有效", "awaiting_signature": "待患者签字", "stopped": "已停用"}
ROUND_HEADS = (
    "应发日",
    "姓名",
    "身份证号",
    "病种",
    "药品",
    "开具日",
    "处方天数",
    "已发",
    "剩余",
    "用完日",
    "有效期至",
    "原因",
    "电话",
)
ROUND_RECORD = "本次发药记录"
LINE = "_" * 10  # where a hand signs


def paper_layout(paper: str) -> QPageLayout:
    size, margin = PAPERS[paper]
    return printing.page_layout(size, margin)


def status_words(sheet: dict[str, Any], today: dt.date) -> tuple[str, str]:
    """The status as printed, and a line saying what it means (empty for an active prescription)."""
    status = P.status_on(str(sheet["status"]), sheet["valid_until"], today)
    if status == P.EXPIRED:
        return "已过期", f"本处方已于 {sheet['valid_until']} 过期，不再调配。"
    if status == "awaiting_signature":
        above = sheet["signature_above_days"]
        return "待患者签字", f"超过 {above} 天的长期处方须经医生评估并由患者签字确认；签字前不予调配。"
    if status == "stopped":
        stop = sheet.get("stopped") or {}
        why = f"（{stop.get('reason')}）" if stop.get("reason") else ""
        return "已停用", f"本处方已于 {stop.get('on_date', '')} 停用{why}，不再调配。"
    return STATUS_ZH.get(status, status), ""


def item_html(n: int, item: dict[str, Any], days: int) -> str:
    e = html.escape
    spec = e(str(item.get("spec") or ""))
    form = e(str(item.get("form") or ""))
    unit = e(str(item.get("unit") or ""))
    size = f"{item['package_size']}{unit}/{e(package_unit(item))}"  # a pen of insulin is 支, not 盒
    return (
        f"<tr><td valign='top' width='6%'>{n}.</td><td><b>{e(str(item['drug_name']))}</b>　{spec}　{form}"
        f"　{size}</td><td align='right' valign='top' width='16%'><b>{e(packages_text(item['packages'], item))}</b>"
        "</td></tr>"
        f"<tr><td></td><td colspan='2' class='sig'>用法：每次 {plain_number(item['dose'])}{unit}，每日 "
        f"{item['times_per_day']} 次，{ROUTES_ZH.get(str(item['route']), e(str(item['route'])))}，共 {days} 天</td></tr>"
    )


def prescription_html(sheet: dict[str, Any], today: dt.date, paper: str = "A5") -> str:
    """The sheet of one prescription (``rx_lists.prescription_sheet``) as of ``today``."""
    e = html.escape
    status, meaning = status_words(sheet, today)
    sex = labels.label("sex", sheet.get("sex")) or "—"
    age = f"{sheet['age']} 岁" if sheet.get("age") is not None else "—"
    diagnosis = labels.label("disease", sheet["disease"])
    if sheet.get("icd_code"):
        diagnosis += f"（{e(str(sheet['icd_code']))}）"
    items = "".join(item_html(n, i, int(sheet["days"])) for n, i in enumerate(sheet["items"], start=1))
    if sheet["installments"]:
        given = f"已调配 {sheet['installments']} 次，共 {sheet['dispensed_days']} 天，剩余 {sheet['left_days']} 天"
    else:
        given = f"尚未调配，剩余 {sheet['left_days']} 天"
    interval = f"上次所发天数减 {sheet['early_days']} 天"
    if P.status_on(str(sheet["status"]), sheet["valid_until"], today) in ("stopped", P.EXPIRED):
        given += "；不再调配"  # stopped or past its validity: no next installment to point to
    elif sheet.get("earliest_next"):
        interval += f"（下次调配不早于 {sheet['earliest_next']}）"
    if sheet["status"] == "awaiting_signature":
        signature = f"患者签字：{LINE}　日期：{LINE}"
    elif sheet.get("signed_on"):
        signature = f"患者已签字确认（{sheet['signed_on']}）"
    elif sheet.get("signed"):
        signature = "患者已签字确认（开具时）"
    else:
        signature = f"{sheet['signature_above_days']} 天以内，无需患者签字"
    status_class = "ok" if sheet["status"] == "active" and not meaning else "held"
    notice = f"<p class='held'>{e(meaning)}</p>" if meaning else ""
    changed = (
        f"<p>本处方替代 {e(str(sheet.get('replaces_issued_on') or ''))} 开具的"
        f"{e('、'.join(sheet.get('replaces_drugs') or []))}原处方（已停用）。</p>"
        if sheet.get("replaces")
        else ""
    )
    body_pt = BODY_PT[paper]
    return f"""<html><head><style>
body {{ font-family: {FONTS}; font-size: {body_pt}pt; }}
p {{ margin: 0 0 2pt 0; }}
h1 {{ font-family: {HEAD_FONTS}; font-size: 14pt; text-align: center; margin: 0; }}
h2 {{ font-family: {HEAD_FONTS}; font-size: 12pt; text-align: center; margin: 0 0 4pt 0; letter-spacing: 4pt; }}
table.grid {{ border-collapse: collapse; border-color: #000000; border-style: solid; }}
td {{ padding: 1pt 2pt; }}
td.sig {{ padding-bottom: 4pt; }}
td.label {{ font-family: {HEAD_FONTS}; background-color: #f2f2f2; white-space: nowrap; }}
span.ok {{ font-family: {HEAD_FONTS}; font-size: 11pt; }}
span.held {{ font-family: {HEAD_FONTS}; font-size: 13pt; font-weight: bold; color: #b00000; }}
p.held {{ font-weight: bold; color: #b00000; margin-top: 2pt; }}
p.rp {{ font-family: {HEAD_FONTS}; font-size: 14pt; font-weight: bold; margin: 4pt 0 0 0; }}
</style></head><body>
<h1>{e(str(sheet["clinic"]))}</h1>
<h2>{TITLE}</h2>
<table width="100%" cellspacing="0" cellpadding="0"><tr>
<td>开具日期：{e(str(sheet["issued_on"]))}</td>
<td align="right">状态：<span class="{status_class}">{e(status)}</span></td></tr></table>
{notice}
<table class="grid" border="1" width="100%" cellspacing="0" cellpadding="3">
<tr><td class="label" width="13%">姓名</td><td width="22%"><b>{e(str(sheet["name"]))}</b></td>
<td class="label" width="11%">性别</td><td width="12%">{sex}</td>
<td class="label" width="11%">年龄</td><td>{age}</td></tr>
<tr><td class="label">身份证号</td><td colspan="5">{e(mask_id_number(sheet.get("id_number")))}</td></tr>
<tr><td class="label">临床诊断</td><td colspan="5">{diagnosis}</td></tr>
<tr><td class="label">过敏史</td><td colspan="5">{e(str(sheet.get("allergies") or "未记录"))}</td></tr>
</table>
<p class="rp">Rp.</p>
<table width="100%" cellspacing="0" cellpadding="1">{items}</table>
<p>&nbsp;</p>
<table class="grid" border="1" width="100%" cellspacing="0" cellpadding="3">
<tr><td class="label" width="22%">长期处方</td><td>处方 {sheet["days"]} 天；有效期 {sheet["validity_days"]} 天（至 {e(str(sheet["valid_until"]))}）</td></tr>
<tr><td class="label">分次调配</td><td>{given}</td></tr>
<tr><td class="label">最短调配间隔</td><td>{interval}</td></tr>
<tr><td class="label">医生评估</td><td>{e(str(sheet.get("assessment") or "—"))}</td></tr>
<tr><td class="label">患者确认</td><td>{signature}</td></tr>
</table>
{changed}
<a name="{printing.KEEP_TAIL}"></a><p>&nbsp;</p>
<table width="100%" cellspacing="0" cellpadding="2">
<tr><td width="50%">医师：<b>{e(str(sheet["doctor"]))}</b></td><td>日期：{e(str(sheet["issued_on"]))}</td></tr>
<tr><td>审核：{LINE}</td><td>调配：{LINE}</td></tr>
<tr><td>核对：{LINE}</td><td>发药：{LINE}</td></tr>
</table>
</body></html>"""


def _document(text: str, point_size: float) -> QTextDocument:
    document = QTextDocument()
    font = QFont()
    font.setFamilies(list(printing.CJK_FAMILIES))
    font.setPointSizeF(point_size)
    document.setDefaultFont(font)
    document.setHtml(text)
    return document


def prescription_printable(store: Store, rx_id: str, today: dt.date, paper: str = "A5") -> printing.Printable:
    """Off the GUI thread: one prescription's sheet read on a connection of its own, ready to lay out."""
    conn = store.reader()
    try:
        sheet = L.prescription_sheet(conn, rx_id)
    finally:
        conn.close()
    text = prescription_html(sheet, today, paper)
    name = f"{sheet['name']}-{sheet['issued_on']}"
    return printing.Printable(
        lambda: _document(text, BODY_PT[paper]),
        f"长期处方-{name}.pdf",
        f"{TITLE} – {sheet['name']} {sheet['issued_on']}",
        f"{TITLE}　{sheet['name']}",
    )


def preview_prescription(
    store: Store, ops: Ops, rx_id: str, today: dt.date, parent: QWidget, paper: str = "A5"
) -> Op:
    """The print preview of a prescription on ``paper`` (A5 or A4), read and laid out on a worker."""
    return printing.preview_when_ready(
        parent, ops, lambda: prescription_printable(store, rx_id, today, paper), layout=paper_layout(paper)
    )


# -- the refill round -------------------------------------------------------------------------------------------
def round_html(rows: list[dict[str, Any]], clinic: str, day: dt.date, days: int) -> str:
    """The refill worklist as the doctor takes it on a round: the soonest due first, a column to write in."""
    e = html.escape
    widths: dict[str, str] = {}
    head = "".join(f"<th{widths.get(h, '')}>{h}</th>" for h in ROUND_HEADS)
    body = []
    for r in rows:
        why = "<br/>".join(labels.label("refill_reason", w) for w in r.get("reasons", []))  # a reason a line
        cells = (
            r["due_on"],
            e(str(r["name"])),
            e(mask_id_number(r.get("id_number"))),
            labels.label("disease", r["disease"]),
            "<br/>".join(e(f"{i['drug_name']} {i.get('spec') or ''}".strip()) for i in r.get("items", [])),
            r["issued_on"],
            r["days"],
            r["dispensed_days"],
            r["left_days"],
            r["runs_out_on"],
            r["valid_until"],
            why,
            e(str(r.get("phone") or "")),
        )
        wraps: tuple[
            int, ...
        ] = ()  # a drug a line; every cell keeps to one line, the record column takes the rest
        body.append(
            "<tr>"
            + "".join(
                f"<td{widths.get(ROUND_HEADS[n], '')}>{c}</td>" if n in wraps else f"<td class='n'>{c}</td>"
                for n, c in enumerate(cells)
            )
            + "<td></td></tr>"
        )
    if not body:
        body.append(f"<tr><td colspan='{len(ROUND_HEADS) + 1}' align='center'>（无）</td></tr>")
    summary = f"{e(clinic)}　{day.isoformat()}　{days} 天内应续方、发药或到期：共 {len(rows)} 张处方"
    return f"""<html><head><style>
body {{ font-family: {FONTS}; font-size: {ROUND_PT}pt; }}
h1 {{ font-family: {HEAD_FONTS}; font-size: 15pt; text-align: center; margin: 0 0 4pt 0; }}
table {{ border-collapse: collapse; }}
td.n {{ white-space: nowrap; }}
th {{ font-family: {HEAD_FONTS}; font-weight: normal; background: #eeeeee; }}
</style></head><body><h1>{ROUND_TITLE}</h1><p>{summary}</p>
<table width='100%' cellspacing='0' cellpadding='3' border='1'>
<thead><tr>{head}<th width='100%'>{ROUND_RECORD}</th></tr></thead>
{"".join(body)}</table></body></html>"""


def round_printable(store: Store, day: dt.date, days: int) -> printing.Printable:
    """Off the GUI thread: every row of the refill worklist (a page at a time), ready to lay out."""
    conn = store.reader()
    try:
        rows = X.refills(conn, store.clinic_id, day, days)
        for row in rows:  # what to bring on the round
            row["items"] = X.items(conn, str(row["prescription_id"]))
        clinic = clinic_name(conn, store.clinic_id)
    finally:
        conn.close()
    text = round_html(rows, clinic, day, days)
    return printing.Printable(
        lambda: _document(text, ROUND_PT),
        f"长处方续方清单-{day.isoformat()}.pdf",
        f"{ROUND_TITLE} {day.isoformat()}",
        f"{ROUND_TITLE}　{day.isoformat()}",
    )


def preview_round(store: Store, ops: Ops, day: dt.date, days: int, parent: QWidget) -> Op:
    """The print preview of the refill round (due within ``days``), read and laid out on a worker; landscape A4,
    the widest rows fit."""
    layout = printing.a4_layout()
    layout.setOrientation(QPageLayout.Orientation.Landscape)
    return printing.preview_when_ready(parent, ops, lambda: round_printable(store, day, days), layout=layout)
