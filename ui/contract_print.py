"""The printed contract (家庭医生签约服务协议书) as the county's usual form: the parties, the packages and the
services they promise, the period, the fees and who pays them, the consent and the signatures. Rendered by Qt
to PDF (and printed from there); no other dependency."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from clinic_app import contracts as C
from clinic_app.db import Connection
from ui.qt import QMarginsF, QPageLayout, QPageSize, QPdfWriter, QTextDocument

GROUPS_ZH = {"elderly": "老年人", "chronic": "慢性病患者", "maternal": "孕产妇", "child": "0-6岁儿童", "disabled": "残疾人",
             "mental": "严重精神障碍患者", "other": "其他"}  # fmt: skip


def _yuan(fen: int) -> str:
    return f"{fen / 100:.2f}"


def contract_html(conn: Connection, contract_id: str) -> str:
    c = C.get_contract(conn, contract_id)
    r = dict(conn.execute("SELECT * FROM resident WHERE id = ?", (c["resident_id"],)).fetchone())
    team = dict(conn.execute("SELECT * FROM team WHERE id = ?", (c["team_id"],)).fetchone())
    lead = conn.execute('SELECT display_name FROM "user" WHERE id = ?', (team["lead_user_id"],)).fetchone()
    clinic = conn.execute("SELECT name FROM clinic WHERE id = ?", (c["clinic_id"],)).fetchone()
    village = conn.execute("SELECT name FROM village WHERE id = ?", (r.get("village_id"),)).fetchone()
    offered = {p.code: p for p in _all_packages(conn)}
    e = html.escape
    rows = []
    for code in json.loads(c["packages"]):
        p = offered.get(code)
        if p is None:
            continue
        rows.append(f"<tr><td>{e(p.name)}</td><td>{e('；'.join(p.services))}</td><td align='right'>{_yuan(p.fee_fen)}</td>"
                    f"<td align='right'>{_yuan(p.insurance_fund_fen + p.public_health_fund_fen)}</td>"
                    f"<td align='right'>{_yuan(p.resident_share_fen)}</td></tr>")  # fmt: skip
    signature = (f"<img src='{e(c['signature'])}' height='48'>" if c["consent"] == "screen" and c["signature"]
                 else "<br><br>________________")  # fmt: skip
    sex = {"M": "男", "F": "女"}.get(r["sex"], "")
    return f"""
<html><body style="font-family: 'WenQuanYi Micro Hei', 'Noto Sans CJK SC', sans-serif; font-size: 11pt;">
<h2 align="center">家庭医生签约服务协议书</h2>
<p align="right">协议编号：{e(c["id"][-12:].upper())}</p>
<p><b>甲方（服务方）：</b>{e(clinic[0] if clinic else "")} · {e(team["name"])}（团队长：{e(lead[0] if lead else "")}）</p>
<p><b>乙方（签约居民）：</b>{e(r["name"])}，{sex}，出生日期 {e(r["birth_date"])}，身份证号 {e(r.get("id_number") or r.get("document_number") or "")}，
住址 {e(village[0] if village else "")}{("，人群分类 " + GROUPS_ZH.get(c["resident_group"] or "", "")) if c["resident_group"] else ""}</p>
<p><b>服务期限：</b>{e(c["period_start"])} 至 {e(c["period_end"])}（{e(c["period"])} 年度）</p>
<p><b>签约服务包及费用（元）：</b></p>
<table border="1" cellspacing="0" cellpadding="4" width="100%">
<tr><th>服务包</th><th>服务内容</th><th>费用</th><th>基金/经费承担</th><th>个人承担</th></tr>
{"".join(rows)}
<tr><td colspan="2" align="right"><b>合计</b></td><td align="right"><b>{_yuan(c["fee_fen"])}</b></td>
<td align="right"><b>{_yuan(c["fund_share_fen"])}</b></td><td align="right"><b>{_yuan(c["resident_share_fen"])}</b></td></tr>
</table>
<p><b>双方约定：</b>甲方按所签服务包为乙方提供约定服务，建立并维护健康档案，提供预约转诊；乙方如实提供健康信息，
配合随访和健康管理。协议期满可续约；乙方迁居、失联满一年或主动要求的，可解约。服务期内乙方只与一个家庭医生团队签约。</p>
<p><b>知情同意：</b>{"乙方在屏幕上签名确认" if c["consent"] == "screen" else "乙方在纸质协议上签名确认"}{("，见证人：" + e(c["witness"])) if c["witness"] else ""}。</p>
<table width="100%" cellpadding="8"><tr>
<td width="50%">甲方签字：<br><br>________________<br>日期：{e(c["signed_at"][:10])}</td>
<td width="50%">乙方签字：{signature}<br>日期：{e(c["signed_at"][:10])}</td>
</tr></table>
</body></html>"""


def _all_packages(conn: Connection) -> list[Any]:
    rows = conn.execute("SELECT code FROM service_package WHERE deleted_at IS NULL").fetchall()
    offered = C.packages(conn)
    return [offered[r[0]] for r in rows if r[0] in offered]


def write_pdf(conn: Connection, contract_id: str, target: Path) -> Path:
    document = QTextDocument()
    document.setHtml(contract_html(conn, contract_id))
    writer = QPdfWriter(str(target))
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(18, 18, 18, 18), QPageLayout.Unit.Millimeter))  # fmt: skip
    writer.setResolution(300)
    writer.setTitle("家庭医生签约服务协议书")
    document.setPageSize(writer.pageLayout().paintRectPixels(writer.resolution()).size().toSizeF())
    document.print_(writer)
    return target


def view_contract(conn: Connection, contract_id: str, parent: Any = None) -> Any:
    """The contract on screen as it prints, with Save as PDF (the PDF prints on any printer)."""
    from ui.i18n import tr
    from ui.qt import QDialog, QFileDialog, QHBoxLayout, QPushButton, QTextBrowser, QVBoxLayout

    dialog = QDialog(parent)
    dialog.setWindowTitle(tr("Contract"))
    browser = QTextBrowser()
    browser.setHtml(contract_html(conn, contract_id))
    save = QPushButton(tr("Save as PDF…"))
    close = QPushButton(tr("Close"))

    def to_pdf() -> None:
        name, _ = QFileDialog.getSaveFileName(dialog, tr("Save as PDF…"), "contract.pdf", "PDF (*.pdf)")
        if name:
            write_pdf(conn, contract_id, Path(name))

    save.clicked.connect(to_pdf)
    close.clicked.connect(dialog.accept)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(save)
    row.addWidget(close)
    layout = QVBoxLayout(dialog)
    layout.addWidget(browser)
    layout.addLayout(row)
    dialog.resize(760, 820)
    dialog.browser = browser  # type: ignore[attr-defined]
    dialog.open()
    return dialog
