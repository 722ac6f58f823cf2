"""The Chinese a village doctor reads for the codes the register stores (男 for ``M``, 户主 for ``head``).

Used where clinic_app writes for people without Qt: the exports, the CLI's human output. The desktop shows
the same words through its translations (``tr("Male")`` …); codes stay in JSON and in the database."""

from __future__ import annotations

SEX = {"M": "男", "F": "女"}
DOCUMENT_TYPE = {"id_card": "居民身份证", "passport": "护照", "other": "其他"}
RELATION = {
    "head": "户主",
    "spouse": "配偶",
    "child": "子女",
    "parent": "父母",
    "grandchild": "孙子女",
    "sibling": "兄弟姐妹",
    "other": "其他",
}
CONTRACT_STATUS = {
    "provisional": "待确认",
    "active": "有效",
    "terminated": "已解约",
    "expired": "已到期",
    "conflict": "有冲突",
}
STOP_REASON = {
    "moved_away": "迁出",
    "unreachable": "失联满一年",
    "refused_service": "拒绝服务",
    "resident_request": "居民主动要求",
    "transferred": "转签",
    "deceased": "死亡",
    "duplicate": "重复签约",
}
DISEASE = {"hypertension": "高血压", "diabetes": "2型糖尿病"}
CLASSIFICATION = {
    "controlled": "控制满意",
    "uncontrolled": "控制不满意",
    "adverse_reaction": "不良反应",
    "complication": "并发症",
}
URGENCY = {"routine": "普通转诊", "emergency": "紧急转诊"}
VISIT_MODE = {"clinic": "门诊", "home": "家庭", "phone": "电话"}
MED_TYPE = {"11": "普通门诊", "14": "门诊慢特病"}
REFILL_REASON = {
    "ran_out": "已用完",
    "runs_out": "将用完",
    "not_dispensed": "尚未发药",
    "expiring": "即将过期",
}
REFERRAL_STATUS = {"open": "待随访", "followed_up": "已随访"}

BY_FIELD: dict[str, dict[str, str]] = {
    "disease": DISEASE,
    "classification": CLASSIFICATION,
    "urgency": URGENCY,
    "visit_mode": VISIT_MODE,
    "med_type": MED_TYPE,
    "refill_reason": REFILL_REASON,
    "referral_status": REFERRAL_STATUS,
    "sex": SEX,
    "document_type": DOCUMENT_TYPE,
    "relation_to_head": RELATION,
    "status": CONTRACT_STATUS,
    "reason": STOP_REASON,
}


def label(field: str, code: str | None) -> str:
    """The Chinese for a code of ``field``; an unknown code as it is, None as an empty string."""
    if code is None:
        return ""
    return BY_FIELD.get(field, {}).get(code, code)
