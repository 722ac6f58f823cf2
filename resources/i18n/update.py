"""Extract the ``tr("…")`` strings of ui/ into clinic_zh_CN.ts (Qt Linguist format), fill in the Chinese
from ZH_CN below, and compile clinic_zh_CN.qm with pyside6-lrelease.

    python resources/i18n/update.py          # after changing a user-visible string
    python resources/i18n/update.py --check  # exit 1 if a string lacks a translation or the files are stale

Translators may also open the .ts in Qt Linguist; keep ZH_CN the source of truth by copying back."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CONTEXT = "VillageClinic"
TS = HERE / "clinic_zh_CN.ts"
QM = HERE / "clinic_zh_CN.qm"
PATTERN = re.compile(r'\b(?:tr|_t)\(\s*"((?:[^"\\]|\\.)*)"\s*\)')

ZH_CN: dict[str, str] = {
    "Residents": "居民",
    "Contracts": "签约",
    "Follow-ups": "慢病随访",
    "Prescriptions": "长处方",
    "Reports": "报表",
    "Sync": "同步",
    "%1 — not built yet in this version.": "%1 — 本版本尚未开发。",
    "Nothing on this page works yet; the data you enter elsewhere is kept.": "此页面暂无任何功能；在其他页面录入的数据都会保存。",
    "Village Clinic — %1": "村医助手 — %1",
    "Locked": "已锁定",
    "● Offline — not enrolled with a county server": "● 离线 — 尚未接入县级平台",
    "● Offline": "● 离线",
    "Last sync: %1": "上次同步：%1",
    "never": "从未",
    "Changes waiting to be sent: %1": "待上传的修改：%1",
    "Conflicts needing a person: %1": "待人工处理的冲突：%1",
    "Name": "姓名",
    "ID number": "身份证号",
    "Document type": "证件类型",
    "Document number": "证件号码",
    "Sex": "性别",
    "Birth date": "出生日期",
    "Phone": "电话",
    "Village": "村",
    "Household": "家庭户",
    "Relation to head": "与户主关系",
    "Required.": "必填。",
    "The check character does not match (GB 11643): a digit is mistyped.": "校验码不符（GB 11643），有数字输错了。",
    "The birth date in this ID number does not exist.": "身份证号中的出生日期不存在。",
    "The birth date in this ID number lies in the future.": "身份证号中的出生日期晚于今天。",
    "The birth date in this ID number gives an age over 130.": "身份证号中的出生日期对应年龄超过130岁。",
    "An ID number has 18 characters (15 for the old form).": "身份证号应为18位（旧版为15位）。",
    "Does not agree with the ID number.": "与身份证号不一致。",
    "This ID number is registered already.": "该身份证号已登记。",
    "This household belongs to another village.": "该家庭户属于其他村。",
    "A new household needs a village.": "新建家庭户需要选择所属村。",
    "This date lies in the future.": "该日期晚于今天。",
    "This date gives an age over 130.": "该日期对应年龄超过130岁。",
    "Write the date as 1990-12-31.": "日期格式为 1990-12-31。",
    "Not known in this clinic.": "本卫生室没有该项。",
    "17 digits followed by a digit or X.": "应为17位数字加1位数字或X。",
    "1-40 Chinese or Latin letters.": "应为1至40个汉字或字母。",
    "A mobile number has 11 digits (13x-19x); a landline 0xxx-xxxxxxx.": "手机号为11位（13x–19x开头）；座机为 0xxx-xxxxxxx。",
    "4-30 letters, digits or dashes.": "应为4至30位字母、数字或短横线。",
    "This ID number is registered already, to %1.": "该身份证号已登记给 %1。",
    "Resident ID card": "居民身份证",
    "Passport": "护照",
    "Other document": "其他证件",
    "Male": "男",
    "Female": "女",
    "household code, e.g. H000123 (a new code makes a new household)": "户号，如 H000123（输入新户号即新建家庭户）",
    "Note": "备注",
    "Save": "保存",
    "Cancel": "取消",
    "Edit resident": "编辑居民",
    "Add resident": "新增居民",
    "Not saved": "未保存",
    "The resident was not saved: %1": "居民信息未保存：%1",
    "Head": "户主",
    "Spouse": "配偶",
    "Child": "子女",
    "Parent": "父母",
    "Grandchild": "孙子女",
    "Sibling": "兄弟姐妹",
    "Other relation": "其他",
    "Age": "年龄",
    "No ID card number yet: check the identity at the next visit": "尚无身份证号：下次就诊时核实身份",
    "Select a resident to see the household.": "选择一位居民以查看其家庭户。",
    "%1 belongs to no household yet.": "%1 尚未归入家庭户。",
    "Household %1 · %2 %3 · %4 members": "户号 %1 · %2 %3 · 共 %4 人",
    "%1 years": "%1岁",
    "Search: name, pinyin (zhangsan), initials (zs), last digits of ID or phone": "搜索：姓名、拼音（zhangsan）、首字母（zs）、身份证号或电话后几位",
    "Edit": "编辑",
    "%1 found": "找到 %1 人",
    "%1 residents registered": "已登记居民 %1 人",
    "This account is locked after repeated wrong passwords. Try again later or ask the clinic admin.": "密码多次输错，账号已锁定。请稍后再试或联系卫生室管理员。",
    "Wrong user name or password.": "用户名或密码错误。",
    "Village Clinic — sign in": "村医助手 — 登录",
    "Village Clinic": "村医助手",
    "User name": "用户名",
    "Password": "密码",
    "Language": "语言",
    "Sign in": "登录",
    "Demo clinic. Users: %1": "演示卫生室。用户：%1",
    "The window locked itself after a time without use. %1, enter your password to go on.": "长时间未操作，窗口已自动锁定。%1，请输入密码继续。",
    "Unlock": "解锁",
    "Sign out": "退出登录",
}


def extract() -> list[str]:
    found: list[str] = []
    for path in sorted((ROOT / "ui").glob("*.py")):
        for match in PATTERN.finditer(path.read_text(encoding="utf-8")):
            text = match.group(1).encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
            if text not in found:
                found.append(text)
    return found


def render_ts(sources: list[str]) -> str:
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        "<!DOCTYPE TS>",
        '<TS version="2.1" language="zh_CN" sourcelanguage="en">',
        "<context>",
        f"    <name>{CONTEXT}</name>",
    ]
    for source in sources:
        translation = ZH_CN.get(source)
        lines.append("    <message>")
        lines.append(f"        <source>{escape(source)}</source>")
        if translation is None:
            lines.append('        <translation type="unfinished"></translation>')
        else:
            lines.append(f"        <translation>{escape(translation)}</translation>")
        lines.append("    </message>")
    lines += ["</context>", "</TS>", ""]
    return "\n".join(lines)


def lrelease(ts: Path, qm: Path) -> None:
    exe = shutil.which("pyside6-lrelease") or str(Path(sys.executable).with_name("pyside6-lrelease"))
    subprocess.run([exe, "-silent", str(ts), "-qm", str(qm)], check=True)


def main(argv: list[str]) -> int:
    sources = extract()
    missing = [s for s in sources if s not in ZH_CN]
    text = render_ts(sources)
    if "--check" in argv:
        problems = [f"no Chinese for: {s!r}" for s in missing]
        if not TS.exists() or TS.read_text(encoding="utf-8") != text:
            problems.append(f"{TS.name} is stale: run python resources/i18n/update.py")
        else:
            with tempfile.TemporaryDirectory() as tmp:
                fresh = Path(tmp) / "fresh.qm"
                lrelease(TS, fresh)
                if not QM.exists() or QM.read_bytes() != fresh.read_bytes():
                    problems.append(f"{QM.name} is stale: run python resources/i18n/update.py")
        for p in problems:
            print(p)
        return 1 if problems else 0
    TS.write_text(text, encoding="utf-8")
    lrelease(TS, QM)
    for s in missing:
        print(f"no Chinese for: {s!r}")
    print(f"{len(sources)} strings, {len(missing)} without a translation; wrote {TS.name} and {QM.name}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
