"""The printed day's end (日结, issue 14 point 5): the day's visits by medical type with the fund and cash totals,
the reconciliation against the receipts (each receipt number, a mismatch in red with its cause), the void
receipts of the cancelled visits, and lines for the signatures — on A4 through the print preview (ui.printing),
read and drawn on a worker. A Chinese document, as the other printed forms."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

from clinic_app import labels
from clinic_app.clinic import clinic_name
from clinic_app.day_end import day_report
from clinic_app.money import yuan
from clinic_app.store import Store
from ui import printing
from ui.ops import Op, Ops
from ui.qt import QTextDocument, QWidget
from ui.round_print import list_document, list_html

TITLE = "门诊日结报表"
BODY_PT = 9
RED = "#c0392b"
CAUSES = {
    "no_lines": "本机无收费明细（尚未同步）",
    "line_amount": "第 {lines} 行金额≠单价×数量",
    "lines_total": "明细合计与总费用相差 {difference} 元",
    "shares": "统筹＋个人与总费用相差 {difference} 元",
}


def cause_words(problem: dict[str, Any]) -> str:
    """A receipt's mismatch in the printed form's Chinese."""
    return CAUSES[problem["cause"]].format(
        lines="、".join(str(n) for n in problem.get("lines", ())),
        difference=yuan(problem.get("difference_fen", 0)),
    )


def day_end_html(report: dict[str, Any], clinic: str) -> str:
    e = html.escape
    rec = report["reconciliation"]
    cell = "<td align='right'>{}</td>"
    parts = [
        f"<h1>{TITLE}</h1><p align='center'>{e(clinic)}　日期：{report['date']}</p>",
        "<h2>按医疗类别</h2>",
    ]
    parts.append(
        "<table width='100%' cellspacing='0' cellpadding='4' border='1'><tr><th>医疗类别</th><th>人次</th>"
        "<th>总费用（元）</th><th>统筹支付（元）</th><th>个人现金（元）</th></tr>"
    )
    rows = [(f"{t} {labels.label('med_type', t)}", s) for t, s in report["by_med_type"].items()]
    for name, s in [*rows, ("合计", report["totals"])]:
        parts.append(
            f"<tr><td>{e(name)}</td>{cell.format(s['visits'])}{cell.format(yuan(s['total_fen']))}"
            f"{cell.format(yuan(s['fund_fen']))}{cell.format(yuan(s['cash_fen']))}</tr>"
        )
    parts.append("</table>")
    if rec["balanced"]:
        verdict = (
            f"<p><b>对账相符</b>：收据 {rec['receipts']} 张，收据个人现金合计 {yuan(rec['receipts_cash_fen'])} 元，"
            f"与结算个人现金合计 {yuan(rec['cash_fen'])} 元一致。</p>"
        )
    else:
        verdict = (
            f"<p style='color: {RED}'><b>对账不符</b>：收据个人现金合计 {yuan(rec['receipts_cash_fen'])} 元，"
            f"结算个人现金合计 {yuan(rec['cash_fen'])} 元，相差 {yuan(rec['difference_fen'])} 元；"
            f"{len(rec['mismatched'])} 张收据不符（下表红色）。</p>"
        )
    parts.append("<h2>收据核对</h2>" + verdict)
    if rec["cap_pending"]:
        parts.append(
            f"<p>{len(rec['cap_pending'])} 张收据超出全县年度限额，待县级审核（个人负担可能调整）。</p>"
        )
    if report["unbilled"]:  # given out this day, charged on no visit (trial F2)
        given = "；".join(
            f"{e(u['name'])}（{e('、'.join(u['drugs']) or '目录外药品')}，{u['boxes']} 盒，"
            f"{'—' if u['amount_fen'] is None else yuan(u['amount_fen'])} 元）"
            for u in report["unbilled"]
        )
        parts.append(f"<p style='color: {RED}'><b>已发药未收费</b>：{given}。</p>")
    parts.append(
        "<table width='100%' cellspacing='0' cellpadding='3' border='1'><tr><th>收据号</th><th>姓名</th>"
        "<th>类别</th><th>总费用</th><th>统筹</th><th>个人现金</th><th>明细合计</th><th width='100%'>核对</th></tr>"
    )
    for r in report["receipts"]:
        bad = bool(r["problems"])
        style = f" style='color: {RED}'" if bad else ""
        check = "；".join(cause_words(p) for p in r["problems"]) or "相符"
        if r["cap_pending"]:
            check += "；超限额待审核"
        parts.append(
            f"<tr{style}><td>{r['number']}</td><td>{e(r['name'])}</td><td>{r['med_type']}</td>"
            f"{cell.format(yuan(r['total_fen']))}{cell.format(yuan(r['fund_fen']))}"
            f"{cell.format(yuan(r['patient_fen']))}{cell.format(yuan(r['lines_fen']) if r['lines'] else '—')}"
            f"<td class='wrap'>{e(check)}</td></tr>"
        )
    if not report["receipts"]:
        parts.append("<tr><td colspan='8'>当日无门诊收据</td></tr>")
    parts.append("</table>")
    parts.append(f"<h2>已冲正（作废收据，不计入合计）：{len(report['cancelled'])} 张</h2>")
    if report["cancelled"]:
        parts.append(
            "<table width='100%' cellspacing='0' cellpadding='3' border='1'><tr><th>收据号</th><th>姓名</th>"
            "<th>类别</th><th>总费用</th><th>冲正日期</th><th width='100%'>原因</th></tr>"
        )
        for c in report["cancelled"]:
            parts.append(
                f"<tr><td>{c['number']}</td><td>{e(c['name'])}</td><td>{c['med_type']}</td>"
                f"{cell.format(yuan(c['total_fen']))}<td>{c['cancelled_on']}</td><td class='wrap'>{e(c['reason'])}</td></tr>"
            )
        parts.append("</table>")
    parts.append(
        f"<a name='{printing.KEEP_TAIL}'></a><p><br/>结算为本机暂算，以县级确认为准。</p>"
        "<p><br/>收费人：＿＿＿＿＿＿　　复核人：＿＿＿＿＿＿　　日期：＿＿＿＿＿＿</p>"
    )
    return list_html("".join(parts), BODY_PT, "td.wrap { white-space: normal; }\n")


def day_end_document(report: dict[str, Any], clinic: str) -> QTextDocument:
    return list_document(day_end_html(report, clinic), BODY_PT)


def day_end_printable(store: Store, day: dt.date) -> printing.Printable:
    """Off the GUI thread: the day's end read on a connection of its own, ready to lay out."""
    conn = store.reader()
    try:
        report = day_report(conn, store.clinic_id, day)
        clinic = clinic_name(conn, store.clinic_id)
    finally:
        conn.close()
    return printing.Printable(
        lambda: day_end_document(report, clinic),
        f"门诊日结-{day.isoformat()}.pdf",
        f"{TITLE} {day.isoformat()}",
        f"{TITLE}　{clinic}　{day.isoformat()}",
    )


def preview_day_end(store: Store, ops: Ops, day: dt.date, parent: QWidget) -> Op:
    """The print preview of the day's end, read and laid out on a worker."""
    return printing.preview_when_ready(parent, ops, lambda: day_end_printable(store, day))
