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
    "Resident": "居民",
    "User": "用户",
    "Conflict": "冲突",
    "Changed on another device as well": "另一台设备也修改了这条记录",
    "Deleted on another device": "已在另一台设备上删除",
    "(empty)": "（空）",
    "Resolve a conflict": "处理冲突",
    "This record was deleted on another device; your change cannot be kept. Close the conflict to accept the deletion.": "这条记录已在另一台设备上删除，本机的修改无法保留。关闭此冲突即接受删除。",
    "This record was changed on another device too. Choose, for each item, which value to keep.": "这条记录在另一台设备上也被修改了。请逐项选择保留哪个值。",
    "Item": "项目",
    "This device's value": "本机的值",
    "Value on the server": "服务器上的值",
    "Keep all of mine": "全部保留本机的",
    "Keep all of the server's": "全部采用服务器的",
    "Save the choice": "保存选择",
    "Decide later": "稍后处理",
    "The county server cannot be reached. Check the address and the network, then try again.": "连不上县级平台。请检查地址和网络后重试。",
    "The county server refused the code: it is wrong, used already or expired. Ask the county for a new one.": "县级平台拒绝了这个登记码：码有误、已被使用或已过期。请向县里申请新的登记码。",
    "The county server needs a newer Village Clinic. Update it first.": "县级平台需要更新版本的村医助手，请先升级。",
    "Choose…": "选择…",
    "County server": "县级平台地址",
    "Enrollment code": "登记码",
    "Name of this computer": "本机名称",
    "County CA certificate (if the county has its own)": "县级 CA 证书（县里自建证书时填写）",
    "County CA certificate": "县级 CA 证书",
    "Enter the county server's address.": "请输入县级平台的地址。",
    "The address starts with https://": "地址应以 https:// 开头",
    "Enter the enrollment code the county gave you.": "请输入县里给的登记码。",
    "Enroll this device": "登记本机",
    "Enroll": "登记",
    "The county gives each computer a one-time enrollment code. After enrolling, this computer sends its changes and receives the clinic's whenever it is online.": "县里为每台电脑发放一次性登记码。登记后，只要联网，本机就会上传自己的修改并接收本诊所的数据。",
    "Village Clinic — first start": "村医助手 — 首次使用",
    "There is no clinic database on this computer yet.": "这台电脑上还没有诊所数据库。",
    "Join my clinic (the county gave me an enrollment code)": "加入本诊所（已有县里给的登记码）",
    "Start a new clinic database": "新建诊所数据库",
    "Key file (this computer has no keyring)": "密钥文件（本机没有系统密钥库）",
    "Join and receive the clinic's data": "加入并接收本诊所数据",
    "Clinic code": "诊所编码",
    "Clinic name": "诊所名称",
    "Administrator's user name": "管理员用户名",
    "Password again": "再次输入密码",
    "Create the clinic database": "创建诊所数据库",
    "Back": "返回",
    "a file on a USB stick kept apart from this computer": "存放在与电脑分开保管的U盘上的文件",
    "Name a key file: this computer has no keyring.": "本机没有系统密钥库，请指定密钥文件。",
    "The two passwords differ.": "两次输入的密码不一致。",
    "Enter the clinic's code and name.": "请输入诊所编码和名称。",
    "● Syncing…": "● 正在同步…",
    "● Online": "● 在线",
    "● The county server refused this device: enroll it again": "● 县级平台拒绝了本机：请重新登记",
    "● Update Village Clinic to sync again (work goes on offline)": "● 请升级村医助手后再同步（可继续离线工作）",
    "Synced": "已同步",
    "Synced; conflicts wait": "已同步，有冲突待处理",
    "Offline": "离线",
    "Cancelled": "已取消",
    "Refused: enroll again": "被拒绝：请重新登记",
    "Update needed": "需要升级",
    "Failed": "失败",
    "By hand": "手动",
    "Scheduled": "定时",
    "At start": "启动时",
    "Enrollment": "登记",
    "Command line": "命令行",
    "Sending changes…": "正在上传修改…",
    "Receiving changes…": "正在接收修改…",
    "Comparing with the server…": "正在与服务器核对…",
    "Starting…": "正在开始…",
    "Sync now": "立即同步",
    "Enroll this device…": "登记本机…",
    "Resolve…": "处理…",
    "Correct…": "修改…",
    "Send again": "重新发送",
    "Started": "开始时间",
    "How": "方式",
    "Result": "结果",
    "Sent": "上传",
    "Received": "接收",
    "Conflicts": "冲突",
    "Refused": "被退回",
    "Details": "说明",
    "Since": "发生时间",
    "Record": "记录",
    "What happened": "情况",
    "Items": "涉及项目",
    "Changed": "修改时间",
    "Why the server refused it": "退回原因",
    "County server: %1 · this device belongs to clinic %2": "县级平台：%1 · 本机属于诊所 %2",
    "This device is not enrolled: it works offline and keeps every change for later.": "本机尚未登记：可离线工作，所有修改都会保存，待登记后上传。",
    "sent %1, received %2": "已上传 %1 条，已接收 %2 条",
    "History": "同步记录",
    "Conflicts (%1)": "冲突（%1）",
    "Refused changes (%1)": "被退回的修改（%1）",
    "The county server could not be reached; nothing was lost.": "连不上县级平台；没有丢失任何数据。",
    "The county server refused this device's token.": "县级平台拒绝了本机的凭证。",
    "The county server needs a newer version.": "县级平台需要更新的版本。",
    "Checked: this computer holds what the server holds.": "已核对：本机数据与服务器一致。",
    "Checked: some tables differed and were read again (%1)": "已核对：部分数据表不一致，已重新读取（%1）",
    "This clinic has records on the county server already. Set this computer up with a new, empty database (first start → join my clinic); it receives everything.": "该诊所在县级平台上已有数据。请在这台电脑上新建一个空数据库（首次使用 → 加入本诊所），它会收到全部数据。",
    "Provisional": "待确认",
    "Active": "有效",
    "Terminated": "已解约",
    "Expired": "已到期",
    "In conflict": "有冲突",
    "Name, pinyin or ID number of the resident to sign": "输入要签约居民的姓名、拼音或身份证号",
    "Sign…": "签约…",
    "Sign the household…": "家庭签约…",
    "Contract year": "签约年度",
    "Renew": "续约",
    "Terminate…": "解约…",
    "Change team…": "转团队…",
    "Print contract…": "打印协议…",
    "Renewals due within 30 days": "30天内到期待续约",
    "Renewals due within 60 days": "60天内到期待续约",
    "Residents never signed": "从未签约的居民",
    "Signed but not insured this year": "已签约但本年度未参保",
    "Export to Excel…": "导出Excel…",
    "Worklists": "工作清单",
    "Capitation ledger": "人头费台账",
    "Team": "团队",
    "Packages": "服务包",
    "Status": "状态",
    "Signed": "签约日期",
    "Fee (yuan)": "费用（元）",
    "Ends": "到期日",
    "No ledger: %1": "无法生成台账：%1",
    "Contracted and insured: %1 (provisional %2; contracted, not insured %3)": "签约且参保：%1 人（待县级确认 %2 人；签约未参保 %3 人）",
    "Budget for the year: %1 yuan (%2 yuan a head)": "年度预算：%1 元（每人 %2 元）",
    "Quality reserve %1 %: %2 yuan": "质量保证金 %1%：%2 元",
    "Paid in advance to date: %1 yuan": "至今预拨：%1 元",
    "Spent to date: %1 yuan": "至今支出：%1 元",
    "Surplus to date: %1 yuan": "至今结余：%1 元",
    "Forecast at year end: spending %1, surplus %2 yuan": "预计年末：支出 %1 元，结余 %2 元",
    "No outpatient visits are recorded yet: spending counts from when they are.": "尚未记录门诊就诊：有就诊记录后开始计算支出。",
    "Sign a contract": "签约",
    "Type the name or ID number of one resident.": "请输入一位居民的姓名或身份证号。",
    "Moved away": "迁出",
    "Unreachable for a year": "失联满一年",
    "Refused the service": "拒绝服务",
    "At the resident's request": "居民主动要求",
    "Deceased": "死亡",
    "Terminate": "解约",
    "Reason": "原因",
    "Change team": "转团队",
    "Print contract": "打印协议",
    "No ledger for this period.": "本年度暂无台账。",
    "mo": "月",
    "Budget paid in advance": "按月预拨",
    "Spending": "支出",
    "yuan": "元",
    "%1 yuan": "%1 元",
    "Sign a household": "家庭签约",
    "resident pays %1": "个人承担 %1",
    "Signed on the paper form": "在纸质协议上签名",
    "Signed on the screen": "在屏幕上签名",
    "who witnessed the signature": "签名见证人",
    "Clear": "清除",
    "Insurance premium paid for this year": "本年度医保已缴费",
    "Sign": "签约",
    "Service packages": "服务包",
    "Consent": "知情同意",
    "Asking the county…": "正在向县级平台核实…",
    "Choose at least one service package.": "请至少选择一个服务包。",
    "The resident signs on the screen first.": "请居民先在屏幕上签名。",
    "Name who witnessed the signature on the paper form.": "请填写纸质协议签名的见证人。",
    "%1 has signed with another clinic for this year: %2": "%1 本年度已在其他机构签约：%2",
    "%1 has a contract for this year already: %2": "%1 本年度已有签约：%2",
    "%1 cannot have this package: %2": "%1 不符合服务包条件：%2",
    "%1 is for residents aged %2 or more when the period starts (this resident: %3)": "%1 适用于签约周期开始时年满 %2 岁的居民（该居民 %3 岁）",
    "%1 is for residents aged up to %2 when the period starts (this resident: %3)": "%1 适用于签约周期开始时不超过 %2 岁的居民（该居民 %3 岁）",
    "%1 is for women": "%1 仅适用于女性",
    "%1 is for men": "%1 仅适用于男性",
    "%1 is signed together with package %2": "%1 须与服务包 %2 一起签约",
    "%1 needs a registration of the disease (%2)": "%1 须先登记相应疾病（%2）",
    "signed for %1 with team %2 already (one team per year)": "%1 年度已与 %2 签约（每年只能与一个团队签约）",
    "no service package %1": "没有服务包 %1",
    " (or another group it serves)": "（或该服务包的其他适用人群）",
    "Contract": "签约协议",
    "Save as PDF…": "另存为PDF…",
    "Close": "关闭",
    "This contract was signed at another clinic as well. A county reviewer decides which one stands; both clinics see the decision after their next sync.": "该居民本年度也在其他机构签约。由县级审核人员决定保留哪一份协议，两家机构下次同步后都会看到结果。",
    "Signed at two clinics": "在两家机构签约",
    "Decision": "处理结果",
    "Show decided ones too": "同时显示已处理的",
    "Decided": "已处理",
    "Kept the server's version": "保留服务器的版本",
    "Kept the device's version": "保留设备上的版本",
    "Chosen field by field": "逐项选择",
    "The later contract stands": "保留后签的协议",
    "The later contract was cancelled": "后签的协议已取消",
    "County (%1): %2": "县级审核（%1）：%2",
    "This clinic has no family-doctor team yet: a clinic admin adds one first.": "本机构还没有家庭医生团队：请管理员先建立团队。",
    "Family-doctor teams": "家庭医生团队",
    "Lead": "团队长",
    "Members": "成员",
    "Add the team": "添加团队",
    "Team name": "团队名称",
    "Lead doctor": "团队长（医生）",
    "A new team": "新建团队",
    "Only a clinic admin adds teams.": "只有机构管理员可以添加团队。",
    "A team name has 1-40 characters.": "团队名称为1-40个字。",
    "There is a team of that name already.": "已有同名团队。",
    "Teams…": "团队…",
    "Household %1": "户号 %1",
    "%1 members": "共 %1 人",
    "Added %1 to the residents.": "已新增居民：%1",
    "Saved the changes to %1.": "已保存 %1 的修改。",
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
