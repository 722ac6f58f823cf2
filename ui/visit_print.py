"""The printed receipt of an outpatient visit (门诊结算单, issue 14 point 5): the clinic, the patient, the visit
(day, medical type, disease, diagnoses, doctor), every line (service or drug, code, insurance class, unit price,
quantity, amount) and the settlement (total, within the scheme, the deductible met, what the fund pays, what the
patient pays in cash, what is left of the year's cap), marked provisional until the county confirms it; a
cancelled visit (冲正) prints as such, with the day and the reason. A Chinese document, as the other printed forms,
read and laid out on a worker and shown in the print preview (ui.printing)."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

from clinic_app import labels
from clinic_app import visit_lists as VL
from clinic_app.drugs import packages_text
from clinic_app.idcard import age_on
from clinic_app.money import yuan
from clinic_app.residents import mask_id_number
from ui import printing
from ui.contract_print import FONTS, HEAD_FONTS
from ui.ops import Op
from ui.qt import QFont, QTextDocument, QWidget

TITLE = "门诊结算单"
BODY_PT = 10.5
CATEGORY_ZH = {"A": "甲类", "B": "乙类", "C": "丙类"}
KIND_ZH = {"service": "诊疗", "drug": "药品"}
ITEM_HEADS = (  # (head, % of the width): the 22-character drug code and the name each on one line
    ("序号", 4),
    ("类别", 10),
    ("编码", 24),
    ("名称", 30),
    ("医保", 6),
    ("单价（元）", 10),
    ("数量", 6),
    ("金额（元）", 10),
)


def quantity_text(line: dict[str, Any]) -> str:
    """A drug line's quantity in its packages (3 支); a service's as a count."""
    return packages_text(line["quantity"], line) if line["kind"] == "drug" else str(line["quantity"])


def receipt_html(data: dict[str, Any]) -> str:
    e = html.escape
    v, r, lines = data["visit"], data["resident"], data["lines"]
    day = dt.date.fromisoformat(v["visit_date"])
    age = age_on(r["birth_date"], day) if r.get("birth_date") else ""
    number = mask_id_number(r.get("id_number")) or e(r.get("document_number") or "")
    disease = labels.label("disease", v.get("disease")) or "—"
    head = (
        "<table width='100%' cellspacing='0' cellpadding='4' border='1'>"
        f"<tr><th width='12%'>姓名</th><td width='21%'>{e(r['name'])}</td><th width='12%'>性别</th>"
        f"<td width='21%'>{labels.label('sex', r.get('sex'))}</td><th width='12%'>年龄</th>"
        f"<td width='22%'>{age}</td></tr>"
        f"<tr><th>身份证号</th><td colspan='3'>{e(number)}</td><th>医生</th><td>{e(data['doctor'])}</td></tr>"
        f"<tr><th>就诊日期</th><td>{v['visit_date']}</td><th>医疗类别</th>"
        f"<td>{v['med_type']} {labels.label('med_type', v['med_type'])}</td><th>病种</th><td>{e(disease)}</td></tr>"
        f"<tr><th>诊断</th><td colspan='5'>{e('，'.join(v['diagnoses']))}</td></tr>"
        f"<tr><th>单据号</th><td colspan='5'>{e(data['number'])}</td></tr></table>"
    )
    rows = "".join(
        f"<tr><td align='center'>{line['line_no']}</td><td>{KIND_ZH.get(line['kind'], line['kind'])}</td>"
        f"<td style='font-size: 8pt;'>{e(line['code'])}</td>"
        f"<td>{e(' '.join(str(x) for x in (line['name'], line.get('spec')) if x))}</td>"
        f"<td align='center'>{CATEGORY_ZH.get(line['insurance_category'], line['insurance_category'])}</td>"
        f"<td align='right'>{yuan(line['unit_price_fen'])}</td>"
        f"<td align='right'>{e(quantity_text(line))}</td>"
        f"<td align='right'>{yuan(line['amount_fen'])}</td></tr>"
        for line in lines
    )
    items = (
        "<h2>费用明细</h2><table width='100%' cellspacing='0' cellpadding='3' border='1'><tr>"
        + "".join(f"<th width='{w}%'>{h}</th>" for h, w in ITEM_HEADS)
        + f"</tr>{rows}</table>"
    )
    ratio = v["ratio_pct"]
    deductible = f"<tr><td>起付线（本次计入）</td><td align='right'>{yuan(v['deductible_fen'])}</td></tr>"
    sums = (
        "<h2>结算</h2><table width='60%' cellspacing='0' cellpadding='4' border='1'>"
        f"<tr><td>费用总额</td><td align='right'>{yuan(v['total_fen'])}</td></tr>"
        f"<tr><td>政策范围内金额（甲类、乙类）</td><td align='right'>{yuan(v['in_scheme_fen'])}</td></tr>"
        + (deductible if v["med_type"] == "11" else "")
        + f"<tr><td>统筹基金支付（{e(str(ratio))}%）</td><td align='right'><b>{yuan(v['fund_fen'])}</b></td></tr>"
        f"<tr><td>个人现金支付</td><td align='right'><b>{yuan(v['patient_fen'])}</b></td></tr>"
        f"<tr><td>本年度统筹剩余限额（年度限额 {yuan(v['annual_cap_fen'])}）</td>"
        f"<td align='right'>{yuan(v['cap_left_fen'])}</td></tr></table>"
    )
    notes = []
    if v.get("capped"):
        notes.append("<p><b>本次就诊达到年度统筹支付限额，超出部分由个人支付。</b></p>")
    if v.get("provisional"):
        notes.append("<p>暂算结算：本机按本卫生室已知的就诊记录计算，以县医保平台确认的结算为准。</p>")
    cancelled = data.get("cancelled")
    stamp = ""
    if cancelled:
        stamp = (
            "<table width='100%' cellspacing='0' cellpadding='6' border='2' style='border-color: #c0392b;'>"
            "<tr><td style='color: #c0392b; font-size: 13pt;'><b style='font-size: 13pt;'>已冲正（作废）</b>　"
            f"冲正日期 {e(str(cancelled['cancelled_on']))}　原因：{e(str(cancelled['reason']))}"
            "<br/><span style='font-size: 9pt;'>本单不计入统筹、现金、年度限额及日结。</span></td></tr></table><br/>"
        )
    sign = (
        f"<a name='{printing.KEEP_TAIL}'></a><p style='margin-top: 18pt;'>"
        "收款人（签名）：________________　　　　患者（签名）：________________</p>"
    )
    return f"""<html><head><style>
body {{ font-family: {FONTS}; font-size: {BODY_PT}pt; }}
h1 {{ font-family: {HEAD_FONTS}; font-size: 16pt; text-align: center; margin: 0 0 2pt 0; }}
h2 {{ font-family: {HEAD_FONTS}; font-size: 11pt; margin: 10pt 0 3pt 0; }}
th {{ font-family: {HEAD_FONTS}; font-weight: normal; background: #eeeeee; white-space: nowrap; }}
</style></head><body>
<h1>{e(data["clinic"])}　{TITLE}</h1>{stamp}{head}{items}{sums}{"".join(notes)}{sign}</body></html>"""


def receipt_document(data: dict[str, Any]) -> QTextDocument:
    document = QTextDocument()
    font = QFont()
    font.setFamilies(list(printing.CJK_FAMILIES))
    font.setPointSizeF(BODY_PT)
    document.setDefaultFont(font)
    document.setHtml(receipt_html(data))
    return document


def receipt_printable(store: Any, visit_id: str) -> printing.Printable:
    """Off the GUI thread: the visit read on a connection of its own, ready to lay out."""
    conn = store.reader()
    try:
        data = VL.receipt(conn, visit_id)
    finally:
        conn.close()
    v = data["visit"]
    name = data["resident"]["name"]
    return printing.Printable(
        lambda: receipt_document(data),
        f"门诊结算单-{name}-{v['visit_date']}.pdf",
        f"{TITLE} {name} {v['visit_date']}",
        f"{data['clinic']}　{TITLE}　{name}　{v['visit_date']}",
    )


def preview_receipt(ctx: Any, visit_id: str, parent: QWidget) -> Op:
    """The print preview of a visit's receipt, read and laid out on a worker (``ctx``: a VisitContext)."""
    store = ctx.store
    return printing.preview_when_ready(parent, ctx.writer, lambda: receipt_printable(store, visit_id))
