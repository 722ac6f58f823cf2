"""The printed contract (家庭医生签约服务协议书), laid out as the county's paper form: the two parties in a grid,
the period, the packages with their services and fees (what the funds pay, what the resident pays), the duties of
both sides, the consent, and two signature blocks with dates (the signature drawn on screen when there is one).

The form is a Chinese legal document, so its wording is Chinese whatever the program's language; only the
program's own words around it (buttons, messages) are translated. Body text 10.5 pt (五号), title 18 pt (小二),
on A4 with 20 mm margins; printed and saved through ui.printing (the same document for the preview, a printer and
a PDF)."""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clinic_app.contract_form import ContractForm, contract_form
from clinic_app.db import Connection
from clinic_app.money import yuan
from ui import printing
from ui.qt import QFont, QImage, QTextDocument, QUrl, QWidget

if TYPE_CHECKING:
    from clinic_app.store import Store
    from ui.ops import Op, Ops

TITLE = "家庭医生签约服务协议书"
GROUPS_ZH = {
    "elderly": "老年人",
    "chronic": "慢性病患者",
    "maternal": "孕产妇",
    "child": "0-6岁儿童",
    "disabled": "残疾人",
    "mental": "严重精神障碍患者",
    "other": "其他",
}
STOP_REASONS_ZH = {
    "moved_away": "迁出",
    "unreachable": "失联满一年",
    "refused_service": "拒绝服务",
    "resident_request": "本人要求",
    "transferred": "转签其他机构",
    "deceased": "死亡",
    "duplicate": "重复签约",
}
DOCUMENTS_ZH = {"id_card": "身份证号", "passport": "护照号码", "other": "证件号码"}
SIGNATURE_URL = "contract:signature.png"
LINE = "_" * 16  # where a hand signs
FONTS = "'SimSun', 'Songti SC', 'Noto Serif CJK SC', 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', 'Microsoft YaHei', serif"
HEAD_FONTS = "'SimHei', 'Heiti SC', 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', 'Microsoft YaHei', sans-serif"


def _day(iso: str) -> str:
    year, month, day = iso[:10].split("-")
    return f"{year} 年 {int(month)} 月 {int(day)} 日"


def _blank(width_em: int) -> str:
    return "&nbsp;" * (width_em * 2)


def suggested_name(form: ContractForm) -> str:
    return f"签约协议-{form.resident_name}-{form.period}.pdf"


def contract_html(form: ContractForm) -> str:
    e = html.escape
    sex = {"M": "男", "F": "女"}.get(form.sex, "")
    group = GROUPS_ZH.get(form.resident_group or "", "")
    members = "、".join(e(m) for m in form.team_members) or _blank(6)
    rows = []
    for p in form.packages:
        services = "；".join(e(s) for s in p.services)
        rows.append(
            f"<tr><td>{e(p.name)}</td><td>{services}</td><td align='right'>{yuan(p.fee_fen)}</td>"
            f"<td align='right'>{yuan(p.fund_fen)}</td><td align='right'>{yuan(p.resident_share_fen)}</td></tr>"
        )
    consent = (
        "乙方已在屏幕上阅读本协议并签名确认（签名见下）。"
        if form.consent == "screen"
        else f"乙方在本协议上签字确认，见证人：{e(form.witness or '')}。"
    )
    resident_sign = (
        f"</p><p class='drawn'><img src='{SIGNATURE_URL}' height='48'>" if form.signature else LINE
    )
    # room above the signature lines for a hand; a signature drawn on screen brings its own
    spacer = "" if form.signature else "<p>&nbsp;</p>"
    guardian = f"监护人与乙方关系：{LINE}" if form.minor else ""
    ended = ""
    if form.status == "terminated" and form.terminated_on:
        reason = STOP_REASONS_ZH.get(form.stop_reason or "", form.stop_reason or "")
        ended = (
            f"<p class='note'>本协议已于 {_day(form.terminated_on.isoformat())} 解除"
            f"{('（' + e(reason) + '）') if reason else ''}。</p>"
        )
    label = "class='label'"
    return f"""<html><head><style>
body {{ font-family: {FONTS}; font-size: 10.5pt; }}
p {{ margin-top: 0; margin-bottom: 1pt; line-height: 128%; }}
p.title {{ font-family: {HEAD_FONTS}; font-size: 18pt; font-weight: bold; margin-bottom: 2pt; line-height: 100%; }}
p.h {{ font-family: {HEAD_FONTS}; font-size: 12pt; font-weight: bold; margin-top: 8pt; margin-bottom: 3pt;
       line-height: 100%; }}
p.note {{ font-weight: bold; margin-top: 6pt; }}
p.sign {{ margin-top: 0; margin-bottom: 0; line-height: 180%; }}
p.drawn {{ margin-top: 0; margin-bottom: 0; line-height: 100%; }}
table.grid {{ border-collapse: collapse; border-color: #000000; border-style: solid; }}
th {{ font-family: {HEAD_FONTS}; font-weight: bold; background-color: #eeeeee; }}
td.label {{ font-family: {HEAD_FONTS}; background-color: #f2f2f2; }}
</style></head><body>
<p class="title" align="center">{TITLE}</p>
<table width="100%" cellspacing="0" cellpadding="0"><tr><td width="30%"></td>
<td width="40%" align="center">{e(form.period)} 年度　·　{e(form.clinic_name)}</td>
<td width="30%" align="right">协议编号：{e(form.number)}</td></tr></table>

<p class="h">一、签约双方</p>
<table class="grid" border="1" width="100%" cellspacing="0" cellpadding="4">
<tr><td {label} rowspan="2" width="11%" valign="middle">甲方<br>服务方</td>
<td {label} width="12%">签约机构</td><td width="29%">{e(form.clinic_name)}</td>
<td {label} width="11%">签约团队</td><td colspan="3">{e(form.team_name)}</td></tr>
<tr><td {label}>团队长</td><td>{e(form.team_lead)}</td><td {label}>团队成员</td><td colspan="3">{members}</td></tr>
<tr><td {label} rowspan="4" valign="middle">乙方<br>签约居民</td>
<td {label}>姓名</td><td>{e(form.resident_name)}</td><td {label}>性别</td><td width="8%">{sex}</td>
<td {label} width="11%">出生日期</td><td width="18%">{e(form.birth_date)}</td></tr>
<tr><td {label}>{DOCUMENTS_ZH.get(form.document_type, "证件号码")}</td><td>{e(form.document_number)}</td>
<td {label}>联系电话</td><td colspan="3">{e(form.phone)}</td></tr>
<tr><td {label}>家庭住址</td><td>{e(form.address)}</td><td {label}>家庭户号</td><td colspan="3">{e(form.household_code)}</td></tr>
<tr><td {label}>人群分类</td><td colspan="5">{e(group)}</td></tr>
</table>

<p class="h">二、服务期限</p>
<p>本协议服务期自 {_day(form.period_start)} 起至 {_day(form.period_end)} 止（{e(form.period)} 年度）。
期满前一个月内经双方同意可续约；未续约的，期满自动终止。</p>

<p class="h">三、签约服务包及费用</p>
<table class="grid" border="1" width="100%" cellspacing="0" cellpadding="4">
<tr><th width="18%">服务包</th><th>服务内容</th><th width="10%">费用（元）</th><th width="13%">基金/经费承担（元）</th>
<th width="11%">个人承担（元）</th></tr>
{"".join(rows)}
<tr><td colspan="2" align="right"><b>合计</b></td><td align="right"><b>{yuan(form.fee_fen)}</b></td>
<td align="right"><b>{yuan(form.fund_share_fen)}</b></td><td align="right"><b>{yuan(form.resident_share_fen)}</b></td></tr>
</table>
<p>基金/经费承担部分由基本医疗保险基金和基本公共卫生服务经费按规定支付；个人承担部分由乙方在签约时缴纳。</p>

<p class="h">四、甲方的责任</p>
<p>1. 为乙方建立并维护健康档案，按所签服务包提供上述服务，服务内容和次数不少于约定。</p>
<p>2. 提供常见病、多发病的诊疗和健康咨询，需要时为乙方预约上级医院的门诊和转诊。</p>
<p>3. 对慢性病患者按规范开展随访和健康管理，对行动不便者提供上门服务。</p>
<p>4. 保护乙方的个人信息和健康信息，未经乙方同意不向无关人员提供。</p>

<p class="h">五、乙方的责任</p>
<p>1. 如实提供本人及家庭的健康信息，联系方式或住址变化时及时告知甲方。</p>
<p>2. 配合甲方开展随访、体检和健康管理，按约定缴纳个人承担的费用。</p>
<p>3. 服务期内只与一个家庭医生团队签约；需要更换团队或机构的，办理转签或解约手续。</p>

<p class="h">六、协议的变更与解除</p>
<p>乙方迁居、失联满一年或主动提出的，可解除本协议；甲方团队调整的，应告知乙方并为其转签。
本协议一式两份，甲乙双方各执一份，自双方签字之日起生效。</p>
{ended}
<p class="h"><a name="{printing.KEEP_TAIL}"></a>七、知情同意</p>
<p>乙方已了解上述服务内容、费用及双方的责任，自愿签订本协议。{consent}</p>

{spacer}
<table width="100%" cellspacing="0" cellpadding="0">
<tr><td width="50%"><p class="sign">甲方（签约医生）签字：{LINE}</p></td>
<td width="50%"><p class="sign">乙方（签约居民或监护人）签字：{resident_sign}</p></td></tr>
<tr><td><p class="sign">签约机构（盖章）：{e(form.clinic_name)}</p></td><td><p class="sign">{guardian}</p></td></tr>
<tr><td><p class="sign">日期：{_day(form.signed_on.isoformat())}</p></td>
<td><p class="sign">日期：{_day(form.signed_on.isoformat())}</p></td></tr>
</table>
</body></html>"""


def contract_document(form: ContractForm) -> QTextDocument:
    document = QTextDocument()
    font = QFont()
    font.setFamilies(
        ["SimSun", "Noto Serif CJK SC", "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei"]
    )
    font.setPointSizeF(10.5)
    document.setDefaultFont(font)
    if form.signature and form.signature.startswith("data:image/") and "," in form.signature:
        image = QImage()
        if image.loadFromData(base64.b64decode(form.signature.split(",", 1)[1])):
            document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(SIGNATURE_URL), image)
    document.setHtml(contract_html(form))
    return document


def _footer(form: ContractForm) -> str:
    return f"{TITLE}　协议编号 {form.number}　{form.resident_name}"


def write_pdf(conn: Connection, contract_id: str, target: Path) -> Path:
    """The contract as an A4 PDF at ``target``."""
    form = contract_form(conn, contract_id)
    return printing.write_pdf(lambda: contract_document(form), Path(target), TITLE, _footer(form))


def contract_printable(form: ContractForm) -> printing.Printable:
    return printing.Printable(
        lambda: contract_document(form),
        suggested_name(form),
        f"{TITLE} – {form.resident_name}",
        _footer(form),
    )


def preview_contract(
    reader: Connection, contract_id: str | None, parent: QWidget | None = None
) -> printing.PrintPreview | None:
    """The print preview of a contract: print it, or save it as 签约协议-<name>-<year>.pdf in Documents
    (``None``, no contract picked: nothing opens)."""
    if contract_id is None:
        return None
    p = contract_printable(contract_form(reader, contract_id))
    return printing.preview(parent, p.builder, p.suggested_name, p.title, p.footer)


def preview_contract_when_ready(store: Store, ops: Ops, contract_id: str, parent: QWidget) -> Op:
    """The print preview of a contract read and drawn on a worker (the preview opens with its page drawn, the
    GUI thread never waits for the reading or competes with the drawing): print it, or save it as a PDF."""

    def make() -> printing.Printable:
        conn = store.reader()
        try:
            return contract_printable(contract_form(conn, contract_id))
        finally:
            conn.close()

    return printing.preview_when_ready(parent, ops, make)


def view_contract(conn: Connection, contract_id: str, parent: Any = None) -> Any:
    """The contract on screen as it prints, with a button to its print preview (print or save as PDF)."""
    from ui.i18n import tr
    from ui.qt import QDialog, QHBoxLayout, QPushButton, QTextBrowser, QVBoxLayout

    form = contract_form(conn, contract_id)
    dialog = QDialog(parent)
    dialog.setWindowTitle(tr("Contract"))
    browser = QTextBrowser()
    document = contract_document(form)
    document.setParent(browser)
    browser.setDocument(document)
    print_button = QPushButton(tr("Print preview…"))
    close = QPushButton(tr("Close"))
    print_button.clicked.connect(lambda _checked=False: preview_contract(conn, contract_id, dialog))
    close.clicked.connect(dialog.accept)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(print_button)
    row.addWidget(close)
    layout = QVBoxLayout(dialog)
    layout.addWidget(browser)
    layout.addLayout(row)
    dialog.resize(760, 820)
    dialog.browser = browser  # type: ignore[attr-defined]
    dialog.print_button = print_button  # type: ignore[attr-defined]
    dialog.open()
    return dialog
