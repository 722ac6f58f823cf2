"""The words of chronic care and of the synced tables on screen, in Chinese (the suite's language): a referral's
reason stored as the rules' codes is shown translated, and every table the registry syncs has a name."""

from __future__ import annotations

import re

from clinic_app.registry import REGISTRY
from ui.chronic_words import referral_reason_text
from ui.conflict_dialog import table_label
from ui.sign_dialog import reason_text

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_every_synced_table_has_a_name_of_its_own_in_chinese() -> None:
    synced = sorted(t.name for t in REGISTRY.tables if t.synced)
    names = {table: table_label(table) for table in synced}
    unnamed = [t for t, name in names.items() if name == t or not CHINESE.search(name)]
    assert unnamed == [], f"tables without a (translated) name in ui.conflict_dialog.table_label: {unnamed}"
    assert len(set(names.values())) == len(names), "two tables share a name"


def test_a_referral_the_rules_opened_shows_its_reason_in_chinese() -> None:
    assert referral_reason_text("emergency_bp") == "血压达到急症水平（≥180/110 mmHg）"
    assert (
        referral_reason_text("second_uncontrolled; emergency_sign:eye_pain")
        == "连续两次随访控制不满意；急症表现：眼痛"
    )
    old_english = "uncontrolled at two consecutive visits"  # rows stored before the codes were
    assert referral_reason_text(old_english) == "连续两次随访控制不满意"


def test_a_referral_reason_a_person_typed_is_shown_as_typed() -> None:
    assert referral_reason_text("患者要求去县医院复查") == "患者要求去县医院复查"
    assert referral_reason_text(None) == ""


def test_a_package_refused_for_want_of_a_registration_names_the_disease_in_chinese() -> None:
    """Trial F5b: the contract dialog said （hypertension）."""
    details = {"reason": "disease", "package": "高血压个性化服务包", "disease": "hypertension"}
    assert reason_text(details) == "高血压个性化服务包 须先登记相应疾病（高血压）"
    assert reason_text({**details, "disease": "diabetes"}).endswith("（2型糖尿病）")
