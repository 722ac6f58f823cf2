"""The printed follow-up record (issue 12 point 7) in the layout of the standard's paper forms
(高血压患者随访服务记录表, 2型糖尿病患者随访服务记录表): one row per item of the form, one column per visit, four
visits to a sheet as the paper archive keeps them (the oldest sheet first), a current value and its target as
"本次/目标".

As the printed contract (ui/contract_print.py), the form is a Chinese document whatever the program's language:
its words are the form's own, held here. Printed and saved through ui.printing (the print preview, a printer, a
PDF)."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from typing import Any

from clinic_app import chronic_records as R
from clinic_app import labels
from clinic_app.residents import get_resident
from clinic_app.store import Store
from ui import printing
from ui.contract_print import FONTS, HEAD_FONTS
from ui.ops import Op, Ops
from ui.qt import QFont, QTextDocument, QWidget

VISITS_PER_SHEET = 4
BODY_PT = 10.5  # 五号, the type of the printed national forms
GROUP_WIDTH, ITEM_WIDTH, VISIT_WIDTH = 10, 18, 18  # % of the table: the labels on one line, 4 visits
TITLES = {"hypertension": "高血压患者随访服务记录表", "diabetes": "2型糖尿病患者随访服务记录表"}
SYMPTOMS_ZH = {
    "none": "无症状",
    "headache_dizziness": "头痛头晕",
    "nausea_vomiting": "恶心呕吐",
    "blurred_vision_tinnitus": "眼花耳鸣",
    "dyspnoea": "呼吸困难",
    "palpitation_chest_tightness": "心悸胸闷",
    "nosebleed": "鼻衄出血不止",
    "numb_limbs": "四肢发麻",
    "lower_limb_oedema": "下肢水肿",
    "polydipsia": "多饮",
    "polyphagia": "多食",
    "polyuria": "多尿",
    "blurred_vision": "视力模糊",
    "infection": "感染",
    "weight_loss": "体重下降",
    "other": "其他",
}
CHOICES_ZH = {
    "salt": {"light": "轻", "moderate": "中", "heavy": "重"},
    "rating": {"good": "良好", "fair": "一般", "poor": "差"},
    "adherence": {"regular": "规律", "intermittent": "间断", "none": "不服药"},
    "hypoglycaemia": {"none": "无", "occasional": "偶尔", "frequent": "频繁"},
    "foot_pulse": {
        "normal": "触及正常",
        "weakened_left": "减弱（左）",
        "weakened_right": "减弱（右）",
        "weakened_both": "减弱（双侧）",
        "absent_left": "消失（左）",
        "absent_right": "消失（右）",
        "absent_both": "消失（双侧）",
    },
}
REASONS_ZH = {  # why the rules referred (clinic_app.chronic.classify's reason codes)
    "emergency_bp": "血压≥180/110 mmHg",
    "emergency_glucose_high": "空腹血糖≥16.7 mmol/L",
    "emergency_glucose_low": "空腹血糖≤3.9 mmol/L",
    "emergency_sign": "急症表现",
    "complication": "出现新的并发症或原有并发症加重",
    "second_uncontrolled": "连续两次控制不满意",
    "adverse_reaction_persists": "药物不良反应难以控制",
    "by_hand": "医生决定转诊",
}
Cell = Callable[[dict[str, Any]], str]
NOT_SET = "—"  # the current value or its target not recorded: a "54 / " looked cut off


def _pair(now: str, target: str) -> Cell:
    def cell(v: dict[str, Any]) -> str:
        a, b = v.get(now), v.get(target)
        if a is None and b is None:
            return ""
        return f"{NOT_SET if a is None else a} / {NOT_SET if b is None else b}"

    return cell


def _choice(field: str, kind: str) -> Cell:
    return lambda v: CHOICES_ZH[kind].get(v.get(field) or "", "")


def _symptoms(v: dict[str, Any]) -> str:
    codes = json.loads(v.get("symptoms") or "[]")
    words = [SYMPTOMS_ZH.get(c, c) for c in codes if c != "other"]
    if "other" in codes:
        words.append(f"其他：{v.get('symptom_other') or ''}")
    return "、".join(words)


def _exercise(v: dict[str, Any]) -> str:
    now = (v.get("exercise_times_per_week"), v.get("exercise_minutes"))
    target = (v.get("target_exercise_times_per_week"), v.get("target_exercise_minutes"))
    if not any(now + target):
        return ""

    def one(t: tuple[Any, Any]) -> str:
        return f"{t[0] or ''}次/周 {t[1] or ''}分钟/次" if any(t) else NOT_SET

    return f"{one(now)} / {one(target)}"


def _salt(v: dict[str, Any]) -> str:
    salt = CHOICES_ZH["salt"]
    now, target = salt.get(v.get("salt_intake") or ""), salt.get(v.get("target_salt_intake") or "")
    return f"{now or NOT_SET} / {target or NOT_SET}" if now or target else ""


def _yes(field: str, text: str) -> Cell:
    return lambda v: f"有：{v.get(text) or ''}" if v.get(field) else "无"


def _drug(n: int) -> Cell:
    def cell(v: dict[str, Any]) -> str:
        drugs = v.get("drugs") or []
        if n >= len(drugs):
            return ""
        d = drugs[n]
        return f"{html.escape(d['name'])}<br/>每日 {d['times_per_day'] or ''} 次<br/>每次 {html.escape(d['dose'] or '')}"

    return cell


def _referral(v: dict[str, Any]) -> str:
    if not v.get("referral"):
        return ""
    reasons = json.loads(v.get("referral_reasons") or "[]")
    words = "；".join(REASONS_ZH.get(r.split(":", 1)[0], r) for r in reasons)
    return f"{labels.label('urgency', v['referral'])}：{words}"


def _classification(v: dict[str, Any]) -> str:
    text = labels.label("classification", v["classification"])
    if v.get("override_reason"):
        text += f"（医生判定：{v['override_reason']}）"
    return text


def rows(disease: str) -> list[tuple[str, str, Cell]]:
    """The items of the paper form in its order: (group, item, how a visit fills the cell)."""
    signs: list[tuple[str, str, Cell]] = [
        ("体征", "血压（mmHg）", lambda v: f"{v['sbp']}/{v['dbp']}" if v.get("sbp") is not None else ""),
        ("体征", "体重（kg）", _pair("weight", "target_weight")),
        ("体征", "体质指数（kg/m²）", _pair("bmi", "target_bmi")),
    ]
    if disease == "hypertension":
        signs.append(("体征", "心率（次/分钟）", lambda v: str(v.get("heart_rate") or "")))
    else:
        signs.append(("体征", "足背动脉搏动", _choice("foot_pulse", "foot_pulse")))
    signs.append(("体征", "其他", lambda v: html.escape(v.get("other_signs") or "")))
    life: list[tuple[str, str, Cell]] = [
        ("生活方式指导", "日吸烟量（支）", _pair("cigarettes_per_day", "target_cigarettes_per_day")),
        ("生活方式指导", "日饮酒量（两）", _pair("alcohol_per_day", "target_alcohol_per_day")),
        ("生活方式指导", "运动", _exercise),
    ]
    if disease == "hypertension":
        life.append(("生活方式指导", "摄盐情况（咸淡）", _salt))
    else:
        life.append(("生活方式指导", "主食（克/天）", _pair("staple_food_g", "target_staple_food_g")))
    life += [
        ("生活方式指导", "心理调整", _choice("psychological", "rating")),
        ("生活方式指导", "遵医行为", _choice("compliance", "rating")),
    ]
    exams: list[tuple[str, str, Cell]]
    if disease == "hypertension":
        exams = [("", "辅助检查", lambda v: html.escape(v.get("auxiliary_exam") or ""))]
    else:
        exams = [
            ("辅助检查", "空腹血糖值（mmol/L）", lambda v: v.get("fasting_glucose") or ""),
            (
                "辅助检查",
                "其他检查",
                lambda v: (
                    (f"糖化血红蛋白 {v['hba1c']}%，{v.get('hba1c_date') or ''}" if v.get("hba1c") else "")
                    + html.escape(v.get("auxiliary_exam") or "")
                ),
            ),
        ]
    tail: list[tuple[str, str, Cell]] = [
        ("", "服药依从性", _choice("adherence", "adherence")),
        ("", "药物不良反应", _yes("adverse_reaction", "adverse_reaction_text")),
    ]
    if disease == "diabetes":
        tail.append(("", "低血糖反应", _choice("hypoglycaemia", "hypoglycaemia")))
    tail += [
        ("", "此次随访分类", _classification),
        ("用药情况", "药物名称1", _drug(0)),
        ("用药情况", "药物名称2", _drug(1)),
        ("用药情况", "药物名称3", _drug(2)),
    ]
    if disease == "diabetes":
        tail.append(
            (
                "用药情况",
                "胰岛素",
                lambda v: html.escape(f"{v.get('insulin_type') or ''} {v.get('insulin_dose') or ''}".strip()),
            )
        )
    tail += [
        ("转诊", "原因及类别", _referral),
        ("", "下次随访日期", lambda v: v.get("next_visit_date") or ""),
        ("", "随访医生签名", lambda v: html.escape(v.get("doctor_signature") or "")),
    ]
    return [
        ("", "随访日期", lambda v: v["visit_date"]),
        ("", "随访方式", lambda v: labels.label("visit_mode", v["visit_mode"])),
        ("", "症状", _symptoms),
        *signs,
        *life,
        *exams,
        *tail,
    ]


def record_html(resident: dict[str, Any], disease: str, visits: list[dict[str, Any]]) -> str:
    """Sheets of four visits, oldest first; each sheet the form's title, the patient and the table."""
    e = html.escape
    oldest_first = list(reversed(visits))
    sheets = [
        oldest_first[i : i + VISITS_PER_SHEET] for i in range(0, len(oldest_first), VISITS_PER_SHEET)
    ] or [[]]
    items = rows(disease)
    parts = []
    for n, sheet in enumerate(sheets):
        cells = sheet + [None] * (VISITS_PER_SHEET - len(sheet))
        head = "".join(
            f"<th width='{VISIT_WIDTH}%'>第 {n * VISITS_PER_SHEET + i + 1} 次随访</th>"
            for i in range(VISITS_PER_SHEET)
        )
        body = []
        for i, (group, item, fill) in enumerate(items):
            values = "".join(f"<td>{fill(v) if v else ''}</td>" for v in cells)
            if not group:  # an item of its own: across both label columns
                label = f"<td colspan='2'>{e(item)}</td>"
            elif i and items[i - 1][0] == group:  # the group's cell spans its items (the paper form's way)
                label = f"<td width='{ITEM_WIDTH}%'>{e(item)}</td>"
            else:
                span = 1
                while i + span < len(items) and items[i + span][0] == group:
                    span += 1
                label = (
                    f"<td rowspan='{span}' width='{GROUP_WIDTH}%'>{e(group)}</td>"
                    f"<td width='{ITEM_WIDTH}%'>{e(item)}</td>"
                )
            body.append(f"<tr>{label}{values}</tr>")
        brk = " style='page-break-before: always'" if n else ""
        parts.append(
            f"""<div{brk}><h1>{TITLES[disease]}</h1>
<p>姓名：<b>{e(resident["name"])}</b>　　身份证号：{e(resident["id_number"] or "")}　　第 {n + 1} 页，共 {len(sheets)} 页</p>
<table width='100%' cellspacing='0' cellpadding='3' border='1'>
<tr><th colspan='2' width='{GROUP_WIDTH + ITEM_WIDTH}%'>项目</th>{head}</tr>
{"".join(body)}
</table></div>"""
        )
    return f"""<html><head><style>
body {{ font-family: {FONTS}; font-size: {BODY_PT}pt; }}
h1 {{ font-family: {HEAD_FONTS}; font-size: 15pt; text-align: center; margin: 0 0 4pt 0; }}
p {{ margin: 2pt 0 4pt 0; }}
table {{ border-collapse: collapse; border-color: #000; }}
th {{ font-family: {HEAD_FONTS}; font-weight: normal; background: #eeeeee; }}
</style></head><body>{"".join(parts)}</body></html>"""


def record_document(resident: dict[str, Any], disease: str, visits: list[dict[str, Any]]) -> QTextDocument:
    document = QTextDocument()
    font = QFont()
    font.setFamilies(list(printing.CJK_FAMILIES))
    font.setPointSizeF(BODY_PT)
    document.setDefaultFont(font)
    document.setHtml(record_html(resident, disease, visits))
    return document


def record_printable(store: Store, resident_id: str, disease: str) -> printing.Printable:
    """Off the GUI thread: a patient's record read on a connection of its own, ready to lay out."""
    conn = store.reader()
    try:
        resident = get_resident(conn, resident_id)
        visits = R.history(conn, resident_id, disease)
    finally:
        conn.close()
    title = TITLES[disease]
    return printing.Printable(
        lambda: record_document(resident, disease, visits),
        f"随访记录-{resident['name']}-{labels.label('disease', disease)}.pdf",
        f"{title} – {resident['name']}",
        f"{title}　{resident['name']}",
    )


def preview_record(store: Store, ops: Ops, resident_id: str, disease: str, parent: QWidget) -> Op:
    """The print preview of a patient's follow-up record (read and laid out on a worker): print it, or save
    it as 随访记录-<name>-<disease>.pdf."""
    return printing.preview_when_ready(parent, ops, lambda: record_printable(store, resident_id, disease))
