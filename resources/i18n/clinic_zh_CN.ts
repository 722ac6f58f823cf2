<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name></name>
    <message>
        <location filename="../../ui/chronic_dialogs.py" line="+49"/>
        <location filename="../../ui/rx_dialogs.py" line="+166"/>
        <location filename="../../ui/visit_dialog.py" line="+193"/>
        <source>The record no longer exists (another device may have removed it).</source>
        <translation>该记录已不存在（可能已被另一台设备删除）。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 is secondary hypertension: not enrolled. Refer the patient to a higher-level hospital.</source>
        <translation>%1 为继发性高血压，不纳入管理：请转诊至上级医院。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 does not exist (hypertension is I10-I13): check the code, or refer.</source>
        <translation>不存在 %1 编码（高血压为 I10–I13）：请核对编码，或转诊。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 is not primary hypertension (I10-I13): check the code, or refer.</source>
        <translation>%1 不是原发性高血压（I10–I13）：请核对编码，或转诊。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 is type 1 diabetes: not in this programme (type 2, E11, only). Refer.</source>
        <translation>%1 为1型糖尿病，不属于本项目（仅限2型糖尿病 E11）：请转诊。</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>%1 is not type 2 diabetes (E11): check the code, or refer.</source>
        <translation>%1 不是2型糖尿病（E11）：请核对编码，或转诊。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Type an ICD-10 code: I10, I11.9, I10.x00, E11.900.</source>
        <translation>请填写 ICD-10 编码：I10、I11.9、I10.x00、E11.900。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The programme is for residents aged 35 or more on the day confirmed (%2 then).</source>
        <translation>本项目管理确诊时年满35岁的居民（确诊时 %2 岁）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%3 is registered for this disease already.</source>
        <translation>%3 已登记该病种。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The management of this patient has ended already.</source>
        <translation>该患者的管理已结束。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This referral was followed up already.</source>
        <translation>该转诊已随访过。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1: a date from today to a year on.</source>
        <translation>%1：须为今天起一年之内的日期。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Say what came of the referral.</source>
        <translation>请填写转诊结果。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The day is before the referral.</source>
        <translation>该日期早于转诊日期。</translation>
    </message>
    <message>
        <location line="+92"/>
        <source>Register a chronic disease</source>
        <translation>慢病登记</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Register</source>
        <translation>登记</translation>
    </message>
    <message>
        <location line="+4"/>
        <location filename="../../ui/rx_dialogs.py" line="+347"/>
        <source>ID number, name or pinyin of the resident, then Enter</source>
        <translation>输入居民身份证号、姓名或拼音，按回车</translation>
    </message>
    <message>
        <location line="+10"/>
        <location filename="../../ui/chronic_words.py" line="+175"/>
        <location filename="../../ui/conflict_dialog.py" line="+36"/>
        <location filename="../../ui/visit_dialog.py" line="-73"/>
        <source>Resident</source>
        <translation>居民</translation>
    </message>
    <message>
        <location line="+3"/>
        <location filename="../../ui/chronic_words.py" line="-8"/>
        <source>ICD-10 code</source>
        <translation>ICD-10 编码</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../ui/chronic_words.py" line="+1"/>
        <source>Date confirmed</source>
        <translation>确诊日期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Confirming institution</source>
        <translation>确诊机构</translation>
    </message>
    <message>
        <location line="+15"/>
        <location filename="../../ui/rx_dialogs.py" line="+69"/>
        <source>Several residents match “%1”: type more of the ID number.</source>
        <translation>有多位居民符合“%1”：请多输入几位身份证号。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 · %2 years · %3</source>
        <translation>%1 · %2 岁 · %3</translation>
    </message>
    <message>
        <location line="+70"/>
        <source>Record the outcome of a call</source>
        <translation>记录联系结果</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 · %2 · phone %3</source>
        <translation>%1 · %2 · 电话 %3</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>What was said (kept as the reason when the management ends)</source>
        <translation>联系情况（结束管理时作为原因记录）</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+63"/>
        <location filename="../../ui/chronic_words.py" line="+3"/>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <location line="-62"/>
        <source>Date agreed / to call again</source>
        <translation>约定日期 / 再次联系日期</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Follow up the referral</source>
        <translation>转诊随访</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 · %2 · referred %3 to %4</source>
        <translation>%1 · %2 · %3 转诊至 %4</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Arrived at the hospital</source>
        <translation>已到达医院就诊</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Did not go</source>
        <translation>未去就诊</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>What the hospital found or did</source>
        <translation>医院的诊断或处理</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Arrived?</source>
        <translation>是否到位</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Followed up on</source>
        <translation>随访日期</translation>
    </message>
    <message>
        <location filename="../../ui/conflict_dialog.py" line="+1"/>
        <location filename="../../ui/contracts_page.py" line="+278"/>
        <location filename="../../ui/messages.py" line="+22"/>
        <location line="+4"/>
        <location filename="../../ui/resident_dialog.py" line="+123"/>
        <location filename="../../ui/residents_page.py" line="+158"/>
        <location line="+61"/>
        <location filename="../../ui/sign_dialog.py" line="+125"/>
        <source>Household</source>
        <translation>家庭户</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../ui/messages.py" line="-5"/>
        <location line="+4"/>
        <location filename="../../ui/resident_dialog.py" line="-1"/>
        <location filename="../../ui/residents_page.py" line="-62"/>
        <source>Village</source>
        <translation>村</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Conflict</source>
        <translation>冲突</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../ui/contract_print.py" line="+240"/>
        <source>Contract</source>
        <translation>签约协议</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Team member</source>
        <translation>团队成员</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Insurance</source>
        <translation>参保</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Service package</source>
        <translation>服务包</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Policy</source>
        <translation>政策</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Clinic</source>
        <translation>卫生室</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Audit entry</source>
        <translation>操作记录</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Chronic-disease registration</source>
        <translation>慢病登记</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Follow-up</source>
        <translation>随访</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Drug of a follow-up</source>
        <translation>随访用药</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Long-term prescription</source>
        <translation>长期处方</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dispensing</source>
        <translation>发药</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../ui/rx_dialogs.py" line="-283"/>
        <location filename="../../ui/visit_dialog.py" line="+3"/>
        <source>Trace code</source>
        <translation>追溯码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Drug of a prescription</source>
        <translation>长处方药品</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Signature or stop of a prescription</source>
        <translation>长处方签字或停用</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Price of a service</source>
        <translation>服务项目价格</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../ui/visit_dialog.py" line="-1"/>
        <location line="+171"/>
        <source>Outpatient visit</source>
        <translation>门诊就诊</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Line of a visit</source>
        <translation>就诊明细</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reversal of a visit</source>
        <translation>就诊冲正</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Claim at another institution</source>
        <translation>在其他机构就诊的费用</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Changed on another device as well</source>
        <translation>另一台设备也修改了这条记录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deleted on another device</source>
        <translation>已在另一台设备上删除</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Signed at two clinics</source>
        <translation>在两家机构签约</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Box sold at two clinics</source>
        <translation>同一盒药在两家机构售出</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Over the county-wide annual cap</source>
        <translation>超出全县年度限额</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>The patient&apos;s county-wide annual cap was used first by visits at other clinics: the fund pays %1 yuan of this visit, not %2 yuan as settled here, %3 yuan less. A county reviewer decides whether the fund or the patient pays the difference; both clinics see the decision after their next sync.</source>
        <translation>该患者的全县年度限额已先被其他机构的门诊用掉：本次门诊基金支付 %1 元，而非本机构结算的 %2 元，少 %3 元。差额由基金还是患者承担，由县级审核人员决定；两家机构下次同步后都会看到结果。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The county settled the patient&apos;s visits of the year in the order it received them, and the deductible fell on this visit: the fund pays %1 yuan of it, not %2 yuan as settled here, %3 yuan less. A county reviewer decides whether the fund or the patient pays the difference; both clinics see the decision after their next sync.</source>
        <translation>县级按收到的先后顺序重算了该患者当年的门诊，起付线落在本次门诊：本次基金支付 %1 元，而非本机构结算的 %2 元，少 %3 元。差额由基金还是患者承担，由县级审核人员决定；两家机构下次同步后都会看到结果。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Trace code %1: this clinic&apos;s sale of the box is not on this device. The county&apos;s reviewer sees both sales.</source>
        <translation>追溯码 %1：本卫生室的这次售出不在本机上。县级审核员可查看两次售出。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Trace code %1: this clinic dispensed the box to %2 on %3, and a sale at another clinic names the same code. The county&apos;s reviewer sees both sales.</source>
        <translation>追溯码 %1：本卫生室于 %3 将这盒药发给 %2，另一家卫生室的一次售出也用了同一追溯码。县级审核员可查看两次售出。</translation>
    </message>
    <message>
        <location line="+10"/>
        <location filename="../../ui/rx_dialogs.py" line="+30"/>
        <location filename="../../ui/visit_dialog.py" line="-120"/>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>(empty)</source>
        <translation>（空）</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Resolve a conflict</source>
        <translation>处理冲突</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>This box&apos;s trace code was sold at another clinic as well. A county reviewer looks into it; both clinics see the decision after their next sync.</source>
        <translation>这盒药的追溯码在另一家机构也已售出。由县级审核人员核查；两家机构下次同步后都能看到处理结果。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>This contract was signed at another clinic as well. A county reviewer decides which one stands; both clinics see the decision after their next sync.</source>
        <translation>该居民本年度也在其他机构签约。由县级审核人员决定保留哪一份协议，两家机构下次同步后都会看到结果。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>This record was deleted on another device; your change cannot be kept. Close the conflict to accept the deletion.</source>
        <translation>这条记录已在另一台设备上删除，本机的修改无法保留。关闭此冲突即接受删除。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>This record was changed on another device too. Choose, for each item, which value to keep.</source>
        <translation>这条记录在另一台设备上也被修改了。请逐项选择保留哪个值。</translation>
    </message>
    <message>
        <location line="+7"/>
        <location filename="../../ui/visit_dialog.py" line="+201"/>
        <source>Item</source>
        <translation>项目</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>This device&apos;s value</source>
        <translation>本机的值</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Value on the server</source>
        <translation>服务器上的值</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Keep all of mine</source>
        <translation>全部保留本机的</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Keep all of the server&apos;s</source>
        <translation>全部采用服务器的</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save the choice</source>
        <translation>保存选择</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Decide later</source>
        <translation>稍后处理</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="+119"/>
        <source>The printer or file could not be opened for writing.</source>
        <translation>无法打开打印机或文件进行写入。</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Page %1 of %2</source>
        <translation>第 %1 页，共 %2 页</translation>
    </message>
    <message>
        <location filename="../../ui/files.py" line="+31"/>
        <source>no permission, or the file is open in another program</source>
        <translation>没有写入权限，或文件正在被其他程序打开</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the disk is full</source>
        <translation>磁盘已满</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the folder does not exist</source>
        <translation>文件夹不存在</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="+157"/>
        <source>Print preview: %1</source>
        <translation>打印预览：%1</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+17"/>
        <location line="+59"/>
        <source>Save as PDF…</source>
        <translation>另存为PDF…</translation>
    </message>
    <message>
        <location line="-74"/>
        <source>Save as a PDF file in the Documents folder</source>
        <translation>保存为PDF文件，默认放在“文档”文件夹</translation>
    </message>
    <message>
        <location filename="../../ui/day_end_view.py" line="+277"/>
        <location filename="../../ui/printing.py" line="+11"/>
        <source>Print…</source>
        <translation>打印…</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="+2"/>
        <source>Print on a printer (without a printer: write a PDF file)</source>
        <translation>用打印机打印（没有打印机时写成PDF文件）</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Print it, or save it as a PDF in the Documents folder.</source>
        <translation>可以打印，或保存为PDF（默认放在“文档”文件夹）。</translation>
    </message>
    <message>
        <location filename="../../ui/contracts_page.py" line="+439"/>
        <location filename="../../ui/files.py" line="+44"/>
        <location filename="../../ui/printing.py" line="+65"/>
        <source>Could not write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="+2"/>
        <source>The PDF was not saved</source>
        <translation>PDF未保存</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>PDF saved</source>
        <translation>PDF已保存</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Saved to %1</source>
        <translation>已保存到 %1</translation>
    </message>
    <message>
        <location filename="../../ui/contract_print.py" line="+5"/>
        <source>Print preview…</source>
        <translation>打印预览…</translation>
    </message>
    <message>
        <location filename="../../ui/chronic_chart.py" line="+106"/>
        <location filename="../../ui/contract_print.py" line="+1"/>
        <location filename="../../ui/printing.py" line="-79"/>
        <location filename="../../ui/rx_dialogs.py" line="+745"/>
        <location filename="../../ui/teams_dialog.py" line="+75"/>
        <location filename="../../ui/visit_list.py" line="+134"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../ui/contract_dialogs.py" line="+52"/>
        <source>Provisional</source>
        <translation>待确认</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Active</source>
        <translation>有效</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Terminated</source>
        <translation>已解约</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Expired</source>
        <translation>已到期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>In conflict</source>
        <translation>有冲突</translation>
    </message>
    <message>
        <location filename="../../ui/contracts_page.py" line="-505"/>
        <source>Sign…</source>
        <translation>签约…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign the household…</source>
        <translation>家庭签约…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Teams…</source>
        <translation>团队…</translation>
    </message>
    <message>
        <location line="-6"/>
        <location filename="../../ui/sign_dialog.py" line="+161"/>
        <source>Contract year</source>
        <translation>签约年度</translation>
    </message>
    <message>
        <location filename="../../ui/contract_dialogs.py" line="+199"/>
        <source>Renew</source>
        <translation>续约</translation>
    </message>
    <message>
        <location filename="../../ui/contracts_page.py" line="+8"/>
        <source>Terminate…</source>
        <translation>解约…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Change team…</source>
        <translation>转团队…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Print contract…</source>
        <translation>打印协议…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Renewals due within 30 days</source>
        <translation>30天内到期待续约</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Renewals due within 60 days</source>
        <translation>60天内到期待续约</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Residents never signed</source>
        <translation>从未签约的居民</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Signed but not insured this year</source>
        <translation>已签约但本年度未参保</translation>
    </message>
    <message>
        <location line="-9"/>
        <location line="+477"/>
        <location filename="../../ui/indicators_view.py" line="+170"/>
        <source>Export to Excel…</source>
        <translation>导出Excel…</translation>
    </message>
    <message>
        <location line="-486"/>
        <source>Search or sign: name, pinyin (zhangsan), initials (zs), ID digits</source>
        <translation>搜索或签约：姓名、拼音（zhangsan）、首字母（zs）、身份证号后几位</translation>
    </message>
    <message>
        <location line="+10"/>
        <location filename="../../ui/mainwindow.py" line="+78"/>
        <source>Contracts</source>
        <translation>签约</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Worklists</source>
        <translation>工作清单</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Capitation ledger</source>
        <translation>人头费台账</translation>
    </message>
    <message>
        <location filename="../../ui/chronic_page.py" line="+164"/>
        <source>Chronic-disease follow-ups</source>
        <translation>慢病随访</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Due this week</source>
        <translation>本周应随访</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Overdue</source>
        <translation>逾期未随访</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Referrals not followed up</source>
        <translation>转诊待随访</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Short of 4 visits this year</source>
        <translation>本年面访不足4次</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Follow-up… (Enter)</source>
        <translation>随访…（回车）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Record call outcome…</source>
        <translation>记录联系结果…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Follow up referral…</source>
        <translation>转诊随访…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Patient chart…</source>
        <translation>患者档案…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Print follow-up record…</source>
        <translation>打印随访记录…</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../ui/prescriptions_page.py" line="+243"/>
        <location filename="../../ui/residents_page.py" line="+212"/>
        <source>Visit…</source>
        <translation>就诊…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Register a patient…</source>
        <translation>登记慢病患者…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Print today&apos;s home round…</source>
        <translation>打印今日上门随访清单…</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+350"/>
        <source>Home round to Excel…</source>
        <translation>上门随访清单导出 Excel…</translation>
    </message>
    <message>
        <location line="-339"/>
        <location filename="../../ui/contracts_page.py" line="+34"/>
        <location line="+10"/>
        <location filename="../../ui/messages.py" line="-11"/>
        <location filename="../../ui/prescriptions_page.py" line="-165"/>
        <location filename="../../ui/resident_dialog.py" line="-4"/>
        <location filename="../../ui/residents_page.py" line="-217"/>
        <location filename="../../ui/sign_dialog.py" line="-170"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Referred</source>
        <translation>转诊日期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Urgency</source>
        <translation>紧急程度</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>To</source>
        <translation>转往</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Follow up by</source>
        <translation>应随访日期</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+50"/>
        <source>Days overdue</source>
        <translation>逾期天数</translation>
    </message>
    <message>
        <location line="-32"/>
        <location filename="../../ui/contracts_page.py" line="-9"/>
        <location line="+11"/>
        <location filename="../../ui/messages.py" line="+1"/>
        <location filename="../../ui/prescriptions_page.py" line="+1"/>
        <location filename="../../ui/resident_dialog.py" line="-2"/>
        <location filename="../../ui/residents_page.py" line="+3"/>
        <location filename="../../ui/sign_dialog.py" line="+8"/>
        <source>ID number</source>
        <translation>身份证号</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Face-to-face this year</source>
        <translation>本年面访次数</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Still to do</source>
        <translation>还差</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Weeks left</source>
        <translation>剩余周数</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Last visit</source>
        <translation>上次随访</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Last reading</source>
        <translation>上次测量</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Due</source>
        <translation>应随访</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Last call</source>
        <translation>上次联系</translation>
    </message>
    <message>
        <location line="+112"/>
        <source>Select a patient in the list first.</source>
        <translation>请先在列表中选择患者。</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>Follow-up of %1 recorded: %2, next visit by %3.</source>
        <translation>已记录 %1 的随访：%2，下次随访 %3 前。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 opened.</source>
        <translation>已开具%1。</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Call to %1 recorded: %2.</source>
        <translation>已记录与 %1 的联系：%2。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>The referral of %1 is followed up.</source>
        <translation>已记录 %1 的转诊随访。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>%1 is registered for %2: due for a first follow-up.</source>
        <translation>已为 %1 登记%2：待首次随访。</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>Home round %1.xlsx</source>
        <translation>上门随访清单 %1.xlsx</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Today&apos;s home round (%1 patients) is saved in %2.</source>
        <translation>今日上门随访清单（%1 人次）已保存到 %2。</translation>
    </message>
    <message>
        <location filename="../../ui/conflict_dialog.py" line="-148"/>
        <location filename="../../ui/contracts_page.py" line="-10"/>
        <location line="+12"/>
        <location filename="../../ui/sign_dialog.py" line="+161"/>
        <location filename="../../ui/teams_dialog.py" line="-35"/>
        <source>Team</source>
        <translation>团队</translation>
    </message>
    <message>
        <location filename="../../ui/contracts_page.py" line="-11"/>
        <source>Packages</source>
        <translation>服务包</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../ui/visit_list.py" line="-78"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Signed</source>
        <translation>签约日期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Fee (yuan)</source>
        <translation>费用（元）</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Ends</source>
        <translation>到期日</translation>
    </message>
    <message>
        <location line="+5"/>
        <location filename="../../ui/messages.py" line="+4"/>
        <location filename="../../ui/resident_dialog.py" line="+4"/>
        <source>Birth date</source>
        <translation>出生日期</translation>
    </message>
    <message>
        <location line="+112"/>
        <location filename="../../ui/ledger_chart.py" line="+130"/>
        <source>Reading the ledger…</source>
        <translation>正在读取台账…</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Budget for the year: %1 yuan (weighted heads %3 × %2 yuan a head)</source>
        <translation>年度预算：%1 元（加权人数 %3 × 每人 %2 元）</translation>
    </message>
    <message>
        <location line="+91"/>
        <location line="+9"/>
        <source>Select a contract in the list first.</source>
        <translation>请先在列表中选择一条签约。</translation>
    </message>
    <message>
        <location line="+77"/>
        <source>Signed %1 for %2.</source>
        <translation>已为 %1 签约 %2 年度。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Signed the household of %1 for %2: %3 people.</source>
        <translation>已为 %1 一户 %3 人签约 %2 年度。</translation>
    </message>
    <message>
        <location filename="../../ui/contract_dialogs.py" line="-14"/>
        <source>Renew the contract of %1 for %2 with team %3?</source>
        <translation>为 %1 续约 %2 年度（团队：%3）？</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Packages (the same as this year): %1</source>
        <translation>服务包（与本年度相同）：%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>To sign other packages, cancel and use Sign… with the year %1.</source>
        <translation>如需更换服务包，请取消，再用“签约…”签 %1 年度。</translation>
    </message>
    <message>
        <location line="-10"/>
        <source>Renew the contract</source>
        <translation>续约</translation>
    </message>
    <message>
        <location filename="../../ui/contracts_page.py" line="+33"/>
        <source>Renewed the contract of %1 for %2.</source>
        <translation>已为 %1 续约 %2 年度。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Terminated the contract of %1 (%2).</source>
        <translation>已解除 %1 的签约（%2）。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>The contract of %1 is with %2 now.</source>
        <translation>%1 的签约已转到 %2。</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>Capitation ledger %1.xlsx</source>
        <translation>人头费台账%1.xlsx</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>renewed</source>
        <translation>续约</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>terminated</source>
        <translation>解约</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>moved to another team</source>
        <translation>转团队</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This contract is %1: it cannot be %2.</source>
        <translation>该签约%1，不能%2。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No ledger for %1: the county has not set the per-capita rate for the year yet.</source>
        <translation>无法生成 %1 年度台账：县级尚未设定该年度的人头费标准。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No ledger for %1: the county&apos;s settings for the year are not readable.</source>
        <translation>无法生成 %1 年度台账：县级的年度参数无法读取。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No ledger for %1.</source>
        <translation>无法生成 %1 年度台账。</translation>
    </message>
    <message>
        <location line="-355"/>
        <source>Contracted and insured: %1 (provisional %2; contracted, not insured %3)</source>
        <translation>签约且参保：%1 人（待县级确认 %2 人；签约未参保 %3 人）</translation>
    </message>
    <message>
        <location line="-183"/>
        <source>Renew…</source>
        <translation>续约…</translation>
    </message>
    <message>
        <location line="+195"/>
        <source>Quality reserve %1 %: %2 yuan</source>
        <translation>质量保证金 %1%：%2 元</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Paid in advance to date: %1 yuan</source>
        <translation>至今预拨：%1 元</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Spent to date: %1 yuan</source>
        <translation>至今支出：%1 元</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Surplus to date: %1 yuan</source>
        <translation>至今结余：%1 元</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Forecast at year end: spending %1, surplus %2 yuan</source>
        <translation>预计年末：支出 %1 元，结余 %2 元</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No outpatient visits are recorded yet: spending counts from when they are.</source>
        <translation>尚未记录门诊就诊：有就诊记录后开始计算支出。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>%1 contracts</source>
        <translation>共 %1 份签约</translation>
    </message>
    <message>
        <location filename="../../ui/chronic_page.py" line="-194"/>
        <location filename="../../ui/contracts_page.py" line="+3"/>
        <location filename="../../ui/prescriptions_page.py" line="+225"/>
        <source>%1 in this list</source>
        <translation>本清单 %1 人</translation>
    </message>
    <message>
        <location filename="../../ui/chronic_dialogs.py" line="-165"/>
        <location filename="../../ui/contracts_page.py" line="+107"/>
        <location filename="../../ui/rx_dialogs.py" line="-494"/>
        <source>No resident matches “%1”.</source>
        <translation>没有符合“%1”的居民。</translation>
    </message>
    <message>
        <location filename="../../ui/contracts_page.py" line="+2"/>
        <source>Type the name, pinyin, initials or ID number of the resident to sign.</source>
        <translation>请输入要签约居民的姓名、拼音、首字母或身份证号。</translation>
    </message>
    <message>
        <location line="+2"/>
        <location filename="../../ui/sign_dialog.py" line="-58"/>
        <source>Sign a contract</source>
        <translation>签约</translation>
    </message>
    <message>
        <location filename="../../ui/chronic_words.py" line="-160"/>
        <source>Hypertension</source>
        <translation>高血压</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Type 2 diabetes</source>
        <translation>2型糖尿病</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Controlled</source>
        <translation>控制满意</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Uncontrolled</source>
        <translation>控制不满意</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Adverse reaction</source>
        <translation>不良反应</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../ui/followup_dialog.py" line="+293"/>
        <source>Complication</source>
        <translation>并发症</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Routine referral</source>
        <translation>常规转诊</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Emergency referral</source>
        <translation>紧急转诊</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>At the clinic</source>
        <translation>门诊</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Home visit</source>
        <translation>家庭</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>By phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Reached: a date agreed</source>
        <translation>已联系，约定随访日期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Call again later</source>
        <translation>稍后再联系</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../ui/contract_dialogs.py" line="-202"/>
        <source>Moved away</source>
        <translation>迁出</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Died</source>
        <translation>死亡</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refused follow-up</source>
        <translation>拒绝随访</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Light</source>
        <translation>轻</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Moderate</source>
        <translation>中</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Heavy</source>
        <translation>重</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Good</source>
        <translation>良好</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Fair</source>
        <translation>一般</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Poor</source>
        <translation>差</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Regular</source>
        <translation>规律</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Intermittent</source>
        <translation>间断</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Not taking</source>
        <translation>不服药</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Capillary</source>
        <translation>毛细血管血</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Venous plasma</source>
        <translation>静脉血浆</translation>
    </message>
    <message>
        <location line="+4"/>
        <location filename="../../ui/followup_dialog.py" line="+316"/>
        <location line="+20"/>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Occasional</source>
        <translation>偶尔</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Frequent</source>
        <translation>频繁</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Palpable, normal</source>
        <translation>触及正常</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Weakened, left</source>
        <translation>减弱（左侧）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Weakened, right</source>
        <translation>减弱（右侧）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Weakened, both</source>
        <translation>减弱（双侧）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Absent, left</source>
        <translation>消失（左侧）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Absent, right</source>
        <translation>消失（右侧）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Absent, both</source>
        <translation>消失（双侧）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>No symptom</source>
        <translation>无症状</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Headache, dizziness</source>
        <translation>头痛头晕</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Nausea, vomiting</source>
        <translation>恶心呕吐</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Blurred vision, tinnitus</source>
        <translation>眼花耳鸣</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dyspnoea</source>
        <translation>呼吸困难</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Palpitation, chest tightness</source>
        <translation>心悸胸闷</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Nosebleed that will not stop</source>
        <translation>鼻衄出血不止</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Numb limbs</source>
        <translation>四肢发麻</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Oedema of the lower limbs</source>
        <translation>下肢水肿</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../ui/rx_dialogs.py" line="-131"/>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Polydipsia</source>
        <translation>多饮</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Polyphagia</source>
        <translation>多食</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Polyuria</source>
        <translation>多尿</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Blurred vision</source>
        <translation>视力模糊</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Infection</source>
        <translation>感染</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Weight loss</source>
        <translation>体重明显下降</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Altered consciousness</source>
        <translation>意识改变</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Severe headache or dizziness</source>
        <translation>剧烈头痛或头晕</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Eye pain</source>
        <translation>眼痛</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Orthopnoea</source>
        <translation>不能平卧</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Raised BP in pregnancy or breastfeeding</source>
        <translation>妊娠或哺乳期血压升高</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Acetone breath</source>
        <translation>呼气有烂苹果味</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deep, fast (Kussmaul) breathing</source>
        <translation>深大呼吸</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Heart rate over 100 that persists</source>
        <translation>心率持续超过100次/分</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Temperature over 39 °C</source>
        <translation>体温超过39 °C</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sudden loss of vision</source>
        <translation>视力骤降</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>High glucose in pregnancy or breastfeeding</source>
        <translation>妊娠或哺乳期血糖升高</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>emergency sign: %1</source>
        <translation>急症表现：%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>blood pressure at the emergency level (≥ 180/110 mmHg)</source>
        <translation>血压达到急症水平（≥180/110 mmHg）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>fasting glucose ≥ 16.7 mmol/L</source>
        <translation>空腹血糖≥16.7 mmol/L</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>fasting glucose ≤ 3.9 mmol/L</source>
        <translation>空腹血糖≤3.9 mmol/L</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a new or worse complication</source>
        <translation>出现新的并发症或原有并发症加重</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>uncontrolled at two visits in a row</source>
        <translation>连续两次随访控制不满意</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>an adverse drug reaction that could not be controlled</source>
        <translation>药物不良反应难以控制</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../ui/followup_dialog.py" line="+3"/>
        <source>the doctor&apos;s referral</source>
        <translation>医生决定转诊</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Systolic pressure</source>
        <translation>收缩压</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Diastolic pressure</source>
        <translation>舒张压</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Heart rate</source>
        <translation>心率</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Weight</source>
        <translation>体重</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Target weight</source>
        <translation>目标体重</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Height</source>
        <translation>身高</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Target BMI</source>
        <translation>目标体质指数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>HbA1c</source>
        <translation>糖化血红蛋白</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>HbA1c date</source>
        <translation>糖化血红蛋白检查日期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cigarettes a day</source>
        <translation>日吸烟量</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Target cigarettes a day</source>
        <translation>目标日吸烟量</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Alcohol a day</source>
        <translation>日饮酒量</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Target alcohol a day</source>
        <translation>目标日饮酒量</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Exercise times a week</source>
        <translation>每周运动次数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Exercise minutes</source>
        <translation>每次运动分钟</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Target exercise times a week</source>
        <translation>目标每周运动次数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Target exercise minutes</source>
        <translation>目标每次运动分钟</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Staple food</source>
        <translation>主食量</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Target staple food</source>
        <translation>目标主食量</translation>
    </message>
    <message>
        <location line="+3"/>
        <location filename="../../ui/followup_dialog.py" line="-267"/>
        <source>Next visit date</source>
        <translation>下次随访日期</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../ui/followup_dialog.py" line="-151"/>
        <source>Symptoms</source>
        <translation>症状</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../ui/followup_dialog.py" line="-2"/>
        <source>Other symptom</source>
        <translation>其他症状</translation>
    </message>
    <message>
        <location line="+2"/>
        <location filename="../../ui/followup_dialog.py" line="+247"/>
        <source>Correction reason</source>
        <translation>更正原因</translation>
    </message>
    <message>
        <location line="+4"/>
        <location filename="../../ui/followup_dialog.py" line="-112"/>
        <source>Institution</source>
        <translation>机构</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+3"/>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <location line="+5"/>
        <location filename="../../ui/conflict_dialog.py" line="+7"/>
        <location filename="../../ui/followup_dialog.py" line="-29"/>
        <location filename="../../ui/rx_dialogs.py" line="+76"/>
        <location filename="../../ui/visit_dialog.py" line="-256"/>
        <location line="+110"/>
        <source>Drug</source>
        <translation>药物</translation>
    </message>
    <message>
        <location filename="../../ui/contract_dialogs.py" line="+1"/>
        <source>Unreachable for a year</source>
        <translation>失联满一年</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refused the service</source>
        <translation>拒绝服务</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>At the resident&apos;s request</source>
        <translation>居民主动要求</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deceased</source>
        <translation>死亡</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Transferred</source>
        <translation>已转出</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Duplicate</source>
        <translation>重复</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>The contract no longer exists (another device may have removed it).</source>
        <translation>该签约已不存在（可能已在其他设备上删除）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Your role may not change contracts.</source>
        <translation>您的角色无权变更签约。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>This contract is %1: it cannot be changed so.</source>
        <translation>该签约%1，不能这样变更。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The day lies outside the contract&apos;s period.</source>
        <translation>日期不在签约周期内。</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+102"/>
        <source>Choose the reason.</source>
        <translation>请选择原因。</translation>
    </message>
    <message>
        <location line="-101"/>
        <source>The contract is with that team already.</source>
        <translation>该签约已属于这个团队。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>That team is not one of this clinic&apos;s.</source>
        <translation>该团队不属于本卫生室。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A contract is signed for last year, this year or next year only.</source>
        <translation>只能签约上一年度、本年度或下一年度。</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>%1 · contract %2 · team %3</source>
        <translation>%1 · %2 年度签约 · %3</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>Terminate the contract</source>
        <translation>解除签约</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Terminated on</source>
        <translation>解约日期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Terminate</source>
        <translation>解约</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>New team</source>
        <translation>新团队</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This clinic has no other team: a clinic admin adds one under Teams…</source>
        <translation>本卫生室没有其他团队：请管理员在“团队…”中添加。</translation>
    </message>
    <message>
        <location filename="../../ui/chronic_dialogs.py" line="+162"/>
        <location filename="../../ui/chronic_page.py" line="-139"/>
        <location filename="../../ui/chronic_words.py" line="-14"/>
        <location line="+8"/>
        <location filename="../../ui/contract_dialogs.py" line="-38"/>
        <location filename="../../ui/day_end_view.py" line="-10"/>
        <location filename="../../ui/followup_dialog.py" line="-5"/>
        <location filename="../../ui/rx_dialogs.py" line="+437"/>
        <location filename="../../ui/visit_dialog.py" line="-107"/>
        <location filename="../../ui/visit_list.py" line="+35"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../ui/contract_dialogs.py" line="+30"/>
        <location line="+6"/>
        <source>Change team</source>
        <translation>转团队</translation>
    </message>
    <message>
        <location filename="../../ui/contracts_page.py" line="+157"/>
        <source>The ledger of %1 is saved in %2.</source>
        <translation>%1 年度台账已保存到 %2。</translation>
    </message>
    <message>
        <location line="+11"/>
        <location line="+6"/>
        <location filename="../../ui/files.py" line="-1"/>
        <location filename="../../ui/resident_dialog.py" line="+221"/>
        <source>Not saved</source>
        <translation>未保存</translation>
    </message>
    <message>
        <location filename="../../ui/enroll_dialog.py" line="+69"/>
        <source>This clinic has records on the county server already. Set this computer up with a new, empty database (first start → join my clinic); it receives everything.</source>
        <translation>该诊所在县级平台上已有数据。请在这台电脑上新建一个空数据库（首次使用 → 加入本诊所），它会收到全部数据。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>The county server cannot be reached. Check the address and the network, then try again.</source>
        <translation>连不上县级平台。请检查地址和网络后重试。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The county server refused the code: it is wrong, used already or expired. Ask the county for a new one.</source>
        <translation>县级平台拒绝了这个登记码：码有误、已被使用或已过期。请向县里申请新的登记码。</translation>
    </message>
    <message>
        <location filename="../../ui/account_signin.py" line="+24"/>
        <source>Wrong user name or password (the county checks the password it holds).</source>
        <translation>用户名或密码错误（由县级平台核对其保存的密码）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The county server refused the sign-in (reason %1).</source>
        <translation>县级平台拒绝了登录（原因 %1）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The county server cannot be reached, or asks to wait after repeated wrong passwords. Try again later.</source>
        <translation>无法连接县级平台，或因多次密码错误需稍候。请稍后再试。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The county server refused this device&apos;s token: enroll it again.</source>
        <translation>县级平台拒绝了本机的凭证：请重新登记本机。</translation>
    </message>
    <message>
        <location line="+2"/>
        <location filename="../../ui/enroll_dialog.py" line="+3"/>
        <source>The county server needs a newer Village Clinic. Update it first.</source>
        <translation>县级平台需要更新版本的村医助手，请先升级。</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>Sign in with the county server</source>
        <translation>在县级平台登录</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Account changes (new users, roles, passwords) are sent only after a clinic administrator signs in with the county server; a password change may also be sent by that user. The county checks the password; nothing is stored on this computer.</source>
        <translation>账户变更（新用户、角色、密码）需要诊所管理员在县级平台在线登录后才能同步；修改密码也可由本人登录后发送。密码由县级平台核对，本机不保存任何登录信息。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Sign in and send</source>
        <translation>登录并发送</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Enter the user name and the password.</source>
        <translation>请输入用户名和密码。</translation>
    </message>
    <message>
        <location filename="../../ui/contract_dialogs.py" line="-47"/>
        <location filename="../../ui/enroll_dialog.py" line="+19"/>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <location filename="../../ui/enroll_dialog.py" line="+6"/>
        <source>County server</source>
        <translation>县级平台地址</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enrollment code</source>
        <translation>登记码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Name of this computer</source>
        <translation>本机名称</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>County CA certificate (if the county has its own)</source>
        <translation>县级 CA 证书（县里自建证书时填写）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>County CA certificate</source>
        <translation>县级 CA 证书</translation>
    </message>
    <message>
        <location line="-82"/>
        <source>Enter the county server&apos;s address.</source>
        <translation>请输入县级平台的地址。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The address starts with https://</source>
        <translation>地址应以 https:// 开头</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter the enrollment code the county gave you.</source>
        <translation>请输入县里给的登记码。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>A password needs at least %1 characters.</source>
        <translation>密码至少需要 %1 个字符。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>A user name has 2-32 characters: letters, digits, dot, dash or underscore.</source>
        <translation>用户名为 2-32 个字符：字母、数字、点、短横线或下划线。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Check “%1” (rule %2).</source>
        <translation>请检查“%1”（规则 %2）。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>This installation of Village Clinic is incomplete: the part “%1” is missing. Install it again as the README says.</source>
        <translation>村医助手安装不完整：缺少组件“%1”。请按 README 重新安装。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>The county server did not accept this computer&apos;s name: use letters and digits.</source>
        <translation>县级平台不接受本机名称：请使用字母和数字。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The county server refused the enrollment (reason %1). Tell the county.</source>
        <translation>县级平台拒绝了登记（原因 %1）。请联系县里。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Too many wrong enrollment codes came from this network: try again in %1 seconds.</source>
        <translation>从本网络输入错误登记码的次数过多：请 %1 秒后再试。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>The clinic database could not be made or opened here; the details are in the log.</source>
        <translation>无法在本机创建或打开卫生室数据库；详情见日志。</translation>
    </message>
    <message>
        <location line="+55"/>
        <source>Enroll this device</source>
        <translation>登记本机</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Enroll</source>
        <translation>登记</translation>
    </message>
    <message>
        <location filename="../../ui/account_signin.py" line="-9"/>
        <location filename="../../ui/chronic_dialogs.py" line="-240"/>
        <location filename="../../ui/contract_dialogs.py" line="-42"/>
        <location filename="../../ui/enroll_dialog.py" line="+2"/>
        <location filename="../../ui/followup_dialog.py" line="+67"/>
        <location filename="../../ui/resident_dialog.py" line="-189"/>
        <location filename="../../ui/sign_dialog.py" line="-82"/>
        <location line="+128"/>
        <location filename="../../ui/sync_page.py" line="+383"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../ui/enroll_dialog.py" line="+10"/>
        <source>The county gives each computer a one-time enrollment code. After enrolling, this computer sends its changes and receives the clinic&apos;s whenever it is online.</source>
        <translation>县里为每台电脑发放一次性登记码。登记后，只要联网，本机就会上传自己的修改并接收本诊所的数据。</translation>
    </message>
    <message>
        <location line="+58"/>
        <source>Village Clinic — first start</source>
        <translation>村医助手 — 首次使用</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>There is no clinic database on this computer yet.</source>
        <translation>这台电脑上还没有诊所数据库。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Join my clinic (the county gave me an enrollment code)</source>
        <translation>加入本诊所（已有县里给的登记码）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start a new clinic database</source>
        <translation>新建诊所数据库</translation>
    </message>
    <message>
        <location line="+16"/>
        <location line="+25"/>
        <source>Key file (this computer has no keyring)</source>
        <translation>密钥文件（本机没有系统密钥库）</translation>
    </message>
    <message>
        <location line="-24"/>
        <source>Join and receive the clinic&apos;s data</source>
        <translation>加入并接收本诊所数据</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Clinic code</source>
        <translation>诊所编码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Clinic name</source>
        <translation>诊所名称</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Administrator&apos;s user name</source>
        <translation>管理员用户名</translation>
    </message>
    <message>
        <location filename="../../ui/account_signin.py" line="-2"/>
        <location filename="../../ui/enroll_dialog.py" line="+1"/>
        <location filename="../../ui/messages.py" line="+10"/>
        <location filename="../../ui/signin.py" line="+114"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../../ui/enroll_dialog.py" line="+1"/>
        <source>Password again</source>
        <translation>再次输入密码</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Create the clinic database</source>
        <translation>创建诊所数据库</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>a file on a USB stick kept apart from this computer</source>
        <translation>存放在与电脑分开保管的U盘上的文件</translation>
    </message>
    <message>
        <location line="-265"/>
        <location line="+50"/>
        <source>Name a key file: this computer has no keyring.</source>
        <translation>本机没有系统密钥库，请指定密钥文件。</translation>
    </message>
    <message>
        <location line="-49"/>
        <source>The two passwords differ.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Enter the clinic&apos;s code and name.</source>
        <translation>请输入诊所编码和名称。</translation>
    </message>
    <message>
        <location filename="../../ui/ledger_chart.py" line="+8"/>
        <source>No ledger for this period.</source>
        <translation>本年度暂无台账。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Loading the chart…</source>
        <translation>图表加载中…</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>mo</source>
        <translation>月</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Budget paid in advance</source>
        <translation>按月预拨</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Spending</source>
        <translation>支出</translation>
    </message>
    <message>
        <location line="-5"/>
        <source>yuan</source>
        <translation>元</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="-1"/>
        <location filename="../../ui/sign_dialog.py" line="+11"/>
        <source>Residents</source>
        <translation>居民</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Follow-ups</source>
        <translation>慢病随访</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Prescriptions</source>
        <translation>长处方</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../ui/reports_page.py" line="+66"/>
        <source>Reports</source>
        <translation>报表</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sync</source>
        <translation>同步</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>%1 — not built yet in this version.</source>
        <translation>%1 — 本版本尚未开发。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Nothing on this page works yet; the data you enter elsewhere is kept.</source>
        <translation>此页面暂无任何功能；在其他页面录入的数据都会保存。</translation>
    </message>
    <message>
        <location line="+186"/>
        <source>Village Clinic — %1</source>
        <translation>村医助手 — %1</translation>
    </message>
    <message>
        <location line="+8"/>
        <location filename="../../ui/signin.py" line="+50"/>
        <source>Locked</source>
        <translation>已锁定</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Close this window and sign in as another user</source>
        <translation>关闭本窗口，换一位用户登录</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>Last sync: %1</source>
        <translation>上次同步：%1</translation>
    </message>
    <message>
        <location filename="../../ui/chronic_page.py" line="+28"/>
        <location filename="../../ui/mainwindow.py" line="+0"/>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="+1"/>
        <source>Changes waiting to be sent: %1</source>
        <translation>待上传的修改：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Conflicts needing a person: %1</source>
        <translation>待人工处理的冲突：%1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>● Syncing…</source>
        <translation>● 正在同步…</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="-13"/>
        <location filename="../../ui/resident_dialog.py" line="-37"/>
        <source>Document type</source>
        <translation>证件类型</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../ui/resident_dialog.py" line="+2"/>
        <source>Document number</source>
        <translation>证件号码</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../ui/resident_dialog.py" line="+2"/>
        <location filename="../../ui/residents_page.py" line="-2"/>
        <location filename="../../ui/sign_dialog.py" line="-165"/>
        <source>Sex</source>
        <translation>性别</translation>
    </message>
    <message>
        <location filename="../../ui/chronic_page.py" line="-52"/>
        <location filename="../../ui/messages.py" line="+2"/>
        <location filename="../../ui/prescriptions_page.py" line="-211"/>
        <location filename="../../ui/resident_dialog.py" line="+2"/>
        <location filename="../../ui/residents_page.py" line="+3"/>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="+3"/>
        <location filename="../../ui/resident_dialog.py" line="+3"/>
        <source>Relation to head</source>
        <translation>与户主关系</translation>
    </message>
    <message>
        <location filename="../../ui/chronic_dialogs.py" line="+181"/>
        <location filename="../../ui/messages.py" line="+1"/>
        <location filename="../../ui/resident_dialog.py" line="+1"/>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="+3"/>
        <source>Made by</source>
        <translation>操作人</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Account</source>
        <translation>账户</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Paid by the fund</source>
        <translation>基金支付</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Paid by the patient</source>
        <translation>个人支付</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Required.</source>
        <translation>必填。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The check character does not match (GB 11643): a digit is mistyped.</source>
        <translation>校验码不符（GB 11643），有数字输错了。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The birth date in this ID number does not exist.</source>
        <translation>身份证号中的出生日期不存在。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The birth date in this ID number lies in the future.</source>
        <translation>身份证号中的出生日期晚于今天。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The birth date in this ID number gives an age over 130.</source>
        <translation>身份证号中的出生日期对应年龄超过130岁。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>An ID number has 18 characters (15 for the old form).</source>
        <translation>身份证号应为18位（旧版为15位）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The first two digits name no province: a digit is mistyped.</source>
        <translation>前两位不是任何省级代码：有数字输错了。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Type the number with the digits 0-9.</source>
        <translation>请用数字 0-9 输入。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Does not agree with the ID number.</source>
        <translation>与身份证号不一致。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This ID number is registered already.</source>
        <translation>该身份证号已登记。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This household belongs to another village.</source>
        <translation>该家庭户属于其他村。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A new household needs a village.</source>
        <translation>新建家庭户需要选择所属村。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This date lies in the future.</source>
        <translation>该日期晚于今天。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This date gives an age over 130.</source>
        <translation>该日期对应年龄超过130岁。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Write the date as 1990-12-31.</source>
        <translation>日期格式为 1990-12-31。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not known in this clinic.</source>
        <translation>本卫生室没有该项。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Only a clinic administrator may make this account change (a password: that user).</source>
        <translation>只有诊所管理员可以进行这项账户变更（修改密码：由本人）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Made by a user the county does not know in this clinic.</source>
        <translation>做出修改的用户不是县级平台所知的本诊所用户。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>17 digits followed by a digit or X.</source>
        <translation>应为17位数字加1位数字或X。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>1-40 Chinese or Latin letters.</source>
        <translation>应为1至40个汉字或字母。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A mobile number has 11 digits (13x-19x); a landline 0xxx-xxxxxxx.</source>
        <translation>手机号为11位（13x–19x开头）；座机为 0xxx-xxxxxxx。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>4-30 letters, digits or dashes.</source>
        <translation>应为4至30位字母、数字或短横线。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Household %1 has a head already: %2. Change %2&apos;s relation to the head first.</source>
        <translation>户号 %1 已有户主：%2。请先修改 %2 与户主的关系。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>This ID number is registered already, to %1.</source>
        <translation>该身份证号已登记给 %1。</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>The clinic database file %1 is damaged (%2). Close Village Clinic and start it again: it offers the newest good backup, and keeps the damaged file aside.</source>
        <translation>数据库文件 %1 已损坏（%2）。请关闭村医助手后重新启动：它会提供最新的完好备份用于恢复，损坏的文件会另外保留。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The disk is full (%1): nothing was saved. Free at least %2 on it (now %3 free) and try again.</source>
        <translation>磁盘已满（%1）：什么都没有保存。请在这块磁盘上腾出至少 %2 的空间（现在剩余 %3），然后再试。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>its first page cannot be read, although the key is right</source>
        <translation>密钥是对的，但文件的第一页读不出来</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>its list of tables cannot be read</source>
        <translation>文件里的表目录读不出来</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a part of it could not be read</source>
        <translation>文件有一部分读不出来</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the file check found damaged pages</source>
        <translation>文件检查发现了损坏的页</translation>
    </message>
    <message>
        <location filename="../../ui/resident_dialog.py" line="-46"/>
        <source>Resident ID card</source>
        <translation>居民身份证</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Passport</source>
        <translation>护照</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Other document</source>
        <translation>其他证件</translation>
    </message>
    <message>
        <location filename="../../ui/chronic_chart.py" line="-59"/>
        <source>%1 by %2: %3</source>
        <translation>%1 由 %2 更正：%3</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>corrects the record before it: %1</source>
        <translation>更正此前的记录：%1</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>Patient chart</source>
        <translation>患者档案</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reading the chart…</source>
        <translation>正在读取档案…</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Correct the visit…</source>
        <translation>更正…</translation>
    </message>
    <message>
        <location line="+44"/>
        <source> (doctor&apos;s; rules: %1)</source>
        <translation>（医生判定；规则：%1）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Corrected</source>
        <translation>已更正</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+28"/>
        <source>Correction</source>
        <translation>更正</translation>
    </message>
    <message>
        <location line="-25"/>
        <location filename="../../ui/chronic_words.py" line="-13"/>
        <location filename="../../ui/entry_quality_view.py" line="+181"/>
        <location filename="../../ui/followup_dialog.py" line="-182"/>
        <source>Visit date</source>
        <translation>随访日期</translation>
    </message>
    <message>
        <location line="+2"/>
        <location filename="../../ui/chronic_dialogs.py" line="-119"/>
        <location filename="../../ui/chronic_page.py" line="-1"/>
        <location filename="../../ui/chronic_words.py" line="+15"/>
        <location filename="../../ui/entry_quality_view.py" line="+2"/>
        <location filename="../../ui/indicators_view.py" line="-116"/>
        <location filename="../../ui/prescriptions_page.py" line="-13"/>
        <location filename="../../ui/rx_dialogs.py" line="-419"/>
        <location filename="../../ui/visit_dialog.py" line="-6"/>
        <location line="+250"/>
        <location filename="../../ui/visit_list.py" line="-46"/>
        <source>Disease</source>
        <translation>病种</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../ui/chronic_words.py" line="-14"/>
        <location filename="../../ui/followup_dialog.py" line="+1"/>
        <source>Visit mode</source>
        <translation>随访方式</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>BP (mmHg)</source>
        <translation>血压（mmHg）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Glucose</source>
        <translation>血糖</translation>
    </message>
    <message>
        <location line="+4"/>
        <location filename="../../ui/chronic_page.py" line="+56"/>
        <location filename="../../ui/chronic_words.py" line="+6"/>
        <location filename="../../ui/followup_dialog.py" line="+200"/>
        <source>Classification</source>
        <translation>分类</translation>
    </message>
    <message>
        <location line="+5"/>
        <location filename="../../ui/conflict_dialog.py" line="+4"/>
        <location filename="../../ui/followup_dialog.py" line="-36"/>
        <source>Referral</source>
        <translation>转诊</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Next visit</source>
        <translation>下次随访</translation>
    </message>
    <message>
        <location line="+6"/>
        <location filename="../../ui/followup_dialog.py" line="-30"/>
        <source>Drugs</source>
        <translation>用药</translation>
    </message>
    <message>
        <location line="-5"/>
        <location filename="../../ui/entry_quality_view.py" line="-51"/>
        <location line="+54"/>
        <location filename="../../ui/visit_list.py" line="+10"/>
        <source>Doctor</source>
        <translation>医生</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Corrected: %1</source>
        <translation>已更正：%1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Select a visit in the list first.</source>
        <translation>请先在列表中选择一次随访。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This record was corrected already: correct the newest one.</source>
        <translation>此记录已被更正：请更正最新的那条。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open the visit in the follow-up form to correct it.</source>
        <translation>在随访表中打开此次随访以更正。</translation>
    </message>
    <message>
        <location line="+36"/>
        <location filename="../../ui/resident_dialog.py" line="+12"/>
        <location filename="../../ui/residents_page.py" line="-87"/>
        <location filename="../../ui/sign_dialog.py" line="+1"/>
        <source>Male</source>
        <translation>男</translation>
    </message>
    <message>
        <location line="+0"/>
        <location filename="../../ui/resident_dialog.py" line="+0"/>
        <location filename="../../ui/residents_page.py" line="+0"/>
        <location filename="../../ui/sign_dialog.py" line="+0"/>
        <source>Female</source>
        <translation>女</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 · %2 · %3 years · %4 · phone %5</source>
        <translation>%1 · %2 · %3 岁 · %4 · 电话 %5</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+26"/>
        <location line="+2"/>
        <location line="+2"/>
        <location filename="../../ui/chronic_dialogs.py" line="+99"/>
        <location filename="../../ui/visit_dialog.py" line="+159"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location line="-27"/>
        <source>%1 %2 confirmed %3 (%4)</source>
        <translation>%1 %2，%3 确诊（%4）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>under management</source>
        <translation>管理中</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>management ended</source>
        <translation>已结束管理</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>contract %1: %2</source>
        <translation>%1 年度签约：%2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>no contract this year</source>
        <translation>本年度未签约</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>none in force (%1 earlier)</source>
        <translation>无有效处方（以往 %1 张）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Registrations: %1</source>
        <translation>登记病种：%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Current drugs: %1</source>
        <translation>当前用药：%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Long-term prescriptions: %1</source>
        <translation>长期处方：%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Family doctor: %1</source>
        <translation>家庭医生：%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open referrals: %1</source>
        <translation>未随访转诊：%1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source> (and %1 corrected records, marked)</source>
        <translation>（另有 %1 条已更正的记录，已标明）</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>mmHg</source>
        <translation>mmHg</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Systolic</source>
        <translation>收缩压</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Diastolic</source>
        <translation>舒张压</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>mmol/L</source>
        <translation>mmol/L</translation>
    </message>
    <message>
        <location line="+3"/>
        <location filename="../../ui/chronic_words.py" line="-25"/>
        <source>Fasting glucose</source>
        <translation>空腹血糖</translation>
    </message>
    <message>
        <location line="-68"/>
        <source>%1 follow-ups, newest first</source>
        <translation>随访 %1 次（最近的在前）</translation>
    </message>
    <message>
        <location filename="../../ui/resident_dialog.py" line="+11"/>
        <source>household code, e.g. H000123 (a new code makes a new household)</source>
        <translation>户号，如 H000123（输入新户号即新建家庭户）</translation>
    </message>
    <message>
        <location filename="../../ui/chronic_dialogs.py" line="-21"/>
        <location filename="../../ui/followup_dialog.py" line="+43"/>
        <location filename="../../ui/resident_dialog.py" line="+47"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../../ui/resident_dialog.py" line="+7"/>
        <source>Edit resident</source>
        <translation>编辑居民</translation>
    </message>
    <message>
        <location line="+0"/>
        <location filename="../../ui/residents_page.py" line="+298"/>
        <source>Add resident</source>
        <translation>新增居民</translation>
    </message>
    <message>
        <location line="+90"/>
        <source>Issued in %1</source>
        <translation>发证地：%1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1; county code %2 unknown: confirm the place with the resident.</source>
        <translation>%1；县级代码 %2 不在行政区划代码表中，请与居民核对。</translation>
    </message>
    <message>
        <location line="+90"/>
        <source>The resident was not saved: %1</source>
        <translation>居民信息未保存：%1</translation>
    </message>
    <message>
        <location filename="../../ui/residents_page.py" line="-293"/>
        <source>Head</source>
        <translation>户主</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Spouse</source>
        <translation>配偶</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Child</source>
        <translation>子女</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Parent</source>
        <translation>父母</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Grandchild</source>
        <translation>孙子女</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sibling</source>
        <translation>兄弟姐妹</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Other relation</source>
        <translation>其他</translation>
    </message>
    <message>
        <location line="+74"/>
        <location filename="../../ui/sign_dialog.py" line="+3"/>
        <source>Age</source>
        <translation>年龄</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>No ID card number yet: check the identity at the next visit</source>
        <translation>尚无身份证号：下次就诊时核实身份</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>Select a resident to see the household.</source>
        <translation>选择一位居民以查看其家庭户。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 belongs to no household yet.</source>
        <translation>%1 尚未归入家庭户。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Household %1</source>
        <translation>户号 %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 members</source>
        <translation>共 %1 人</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1 years</source>
        <translation>%1岁</translation>
    </message>
    <message>
        <location line="+115"/>
        <source>Search: name, pinyin (zhangsan), initials (zs), last digits of ID or phone</source>
        <translation>搜索：姓名、拼音（zhangsan）、首字母（zs）、身份证号或电话后几位</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>An outpatient visit of the selected resident, settled as lines are added</source>
        <translation>为所选居民登记一次门诊就诊，添加项目时即时显示结算</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Visits…</source>
        <translation>就诊记录…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The selected resident&apos;s visits: receipts and reversals (冲正)</source>
        <translation>所选居民的就诊记录：结算单与冲正</translation>
    </message>
    <message>
        <location line="+89"/>
        <source>Added %1 to the residents.</source>
        <translation>已新增居民：%1</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Saved the changes to %1.</source>
        <translation>已保存 %1 的修改。</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>%1 found</source>
        <translation>找到 %1 人</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+32"/>
        <source>%1 residents registered</source>
        <translation>已登记居民 %1 人</translation>
    </message>
    <message>
        <location filename="../../ui/sign_dialog.py" line="-10"/>
        <source>Choose the resident</source>
        <translation>选择居民</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>%1 residents match “%2”: choose one.</source>
        <translation>%1 位居民符合“%2”，请选择一位。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Choose</source>
        <translation>选择</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>%1 yuan</source>
        <translation>%1 元</translation>
    </message>
    <message>
        <location line="+56"/>
        <source>Sign a household</source>
        <translation>家庭签约</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>resident pays %1</source>
        <translation>个人承担 %1</translation>
    </message>
    <message>
        <location line="-76"/>
        <source>Signed on the paper form</source>
        <translation>在纸质协议上签名</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Signed on the screen</source>
        <translation>在屏幕上签名</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>who witnessed the signature</source>
        <translation>签名见证人</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <location line="+79"/>
        <source>Insurance premium paid for this year</source>
        <translation>本年度医保已缴费</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Sign</source>
        <translation>签约</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>This clinic has no family-doctor team yet: a clinic admin adds one first.</source>
        <translation>本机构还没有家庭医生团队：请管理员先建立团队。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Service packages</source>
        <translation>服务包</translation>
    </message>
    <message>
        <location filename="../../ui/contract_dialogs.py" line="+137"/>
        <location filename="../../ui/sign_dialog.py" line="+1"/>
        <source>Consent</source>
        <translation>知情同意</translation>
    </message>
    <message>
        <location filename="../../ui/sign_dialog.py" line="+19"/>
        <source>signed already (%1)</source>
        <translation>已签约（%1）</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Asking the county…</source>
        <translation>正在向县级平台核实…</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>The county does not answer for now: this computer or clinic has asked about residents as often as the county allows. Nothing is signed yet. Sign again in %1 minute(s), or press Sign now to sign without asking: the contract stays provisional until the county checks it at the next sync.</source>
        <translation>县里暂不回答：本机或本诊所查询居民签约情况的次数已达县里规定的上限，尚未签约。请 %1 分钟后再签；或现在再按“签约”，不经县里核对先签：合同待县级确认，下次同步时由县里核对。</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>Choose at least one service package.</source>
        <translation>请至少选择一个服务包。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The resident signs on the screen first.</source>
        <translation>请居民先在屏幕上签名。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Name who witnessed the signature on the paper form.</source>
        <translation>请填写纸质协议签名的见证人。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 has signed with another clinic for this year: %2</source>
        <translation>%1 本年度已在其他机构签约：%2</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>%1 has a contract for this year already: %2</source>
        <translation>%1 本年度已有签约：%2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 cannot have this package: %2</source>
        <translation>%1 不符合服务包条件：%2</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>%1 is for residents aged %2 or more when the period starts (this resident: %3)</source>
        <translation>%1 适用于签约周期开始时年满 %2 岁的居民（该居民 %3 岁）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 is for residents aged up to %2 when the period starts (this resident: %3)</source>
        <translation>%1 适用于签约周期开始时不超过 %2 岁的居民（该居民 %3 岁）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 is for women</source>
        <translation>%1 仅适用于女性</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 is for men</source>
        <translation>%1 仅适用于男性</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 is signed together with package %2</source>
        <translation>%1 须与服务包 %2 一起签约</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 needs a registration of the disease (%2)</source>
        <translation>%1 须先登记相应疾病（%2）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>signed for %1 with team %2 already (one team per year)</source>
        <translation>%1 年度已与 %2 签约（每年只能与一个团队签约）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no service package %1</source>
        <translation>没有服务包 %1</translation>
    </message>
    <message>
        <location line="+16"/>
        <source> (or another group it serves)</source>
        <translation>（或该服务包的其他适用人群）</translation>
    </message>
    <message>
        <location filename="../../ui/signin.py" line="-116"/>
        <source>This account&apos;s password must be set again: its stored form is damaged. Ask the clinic admin.</source>
        <translation>此账号的密码需要重新设置：本机保存的密码信息已损坏。请联系卫生室管理员。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Wrong user name or password.</source>
        <translation>用户名或密码错误。</translation>
    </message>
    <message>
        <location line="+61"/>
        <source>Village Clinic — sign in</source>
        <translation>村医助手 — 登录</translation>
    </message>
    <message>
        <location filename="../../ui/app.py" line="+75"/>
        <source>Something unexpected went wrong: %1</source>
        <translation>程序出现意外错误：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The details are in %1. Your saved work is safe.</source>
        <translation>详细信息已记录在 %1。已保存的数据不会丢失。</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+23"/>
        <location line="+42"/>
        <location line="+246"/>
        <location filename="../../ui/damage_dialog.py" line="+24"/>
        <location filename="../../ui/ops.py" line="+276"/>
        <location filename="../../ui/signin.py" line="+1"/>
        <source>Village Clinic</source>
        <translation>村医助手</translation>
    </message>
    <message>
        <location line="-244"/>
        <source>Village Clinic is already open on this computer (database %1). Use the window that is open; look for it on the taskbar.</source>
        <translation>村医助手已经打开（数据库 %1），不能再打开一次。请使用已打开的窗口，可在任务栏中找到它。</translation>
    </message>
    <message>
        <location line="+233"/>
        <source>The clinic database cannot be opened: its key is missing or not this database&apos;s.</source>
        <translation>无法打开诊所数据库：密钥缺失，或不是这个数据库的密钥。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>This computer has no keyring for the database key: start with --key-file.</source>
        <translation>这台电脑没有保存数据库密钥的系统密钥库：请加 --key-file 参数启动。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The clinic database cannot be opened.</source>
        <translation>无法打开诊所数据库。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The program cannot start.</source>
        <translation>程序无法启动。</translation>
    </message>
    <message>
        <location filename="../../ui/account_signin.py" line="-1"/>
        <location filename="../../ui/signin.py" line="+1"/>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <location filename="../../ui/signin.py" line="-73"/>
        <source>This account is locked for %1 minutes after repeated wrong passwords. Try again in %2 minute(s) or ask the clinic admin.</source>
        <translation>密码多次输错，账号已锁定 %1 分钟。请 %2 分钟后再试或联系卫生室管理员。</translation>
    </message>
    <message>
        <location line="+75"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Demo clinic. Users: %1</source>
        <translation>演示卫生室。用户：%1</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>The window locked itself after a time without use. %1, enter your password to go on.</source>
        <translation>长时间未操作，窗口已自动锁定。%1，请输入密码继续。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="-45"/>
        <location filename="../../ui/signin.py" line="+2"/>
        <source>Sign out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="-328"/>
        <source>● Online</source>
        <translation>● 在线</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>● Offline</source>
        <translation>● 离线</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>● Offline — not enrolled with a county server</source>
        <translation>● 离线 — 尚未接入县级平台</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>● The county server refused this device: enroll it again</source>
        <translation>● 县级平台拒绝了本机：请重新登记</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>● Update Village Clinic to sync again (work goes on offline)</source>
        <translation>● 请升级村医助手后再同步（可继续离线工作）</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Synced</source>
        <translation>已同步</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Synced; conflicts wait</source>
        <translation>已同步，有冲突待处理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refused: enroll again</source>
        <translation>被拒绝：请重新登记</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Update needed</source>
        <translation>需要升级</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>By hand</source>
        <translation>手动</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Scheduled</source>
        <translation>定时</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>At start</source>
        <translation>启动时</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enrollment</source>
        <translation>登记</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Command line</source>
        <translation>命令行</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Sending changes…</source>
        <translation>正在上传修改…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Receiving changes…</source>
        <translation>正在接收修改…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Comparing with the server…</source>
        <translation>正在与服务器核对…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Starting…</source>
        <translation>正在开始…</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>The county server could not be reached; nothing was lost.</source>
        <translation>连不上县级平台；没有丢失任何数据。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The county server refused this device&apos;s token.</source>
        <translation>县级平台拒绝了本机的凭证。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The county server needs a newer version.</source>
        <translation>县级平台需要更新的版本。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The sync stopped on an error; nothing was lost. The details are in the log.</source>
        <translation>同步因错误中止，数据没有丢失。详情见日志。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stopped by hand; what was sent and received is kept.</source>
        <translation>已手动停止；已上传和已接收的内容都保留。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Checked: this computer holds what the server holds.</source>
        <translation>已核对：本机数据与服务器一致。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Checked: some tables differed and were read again (%1)</source>
        <translation>已核对：部分数据表不一致，已重新读取（%1）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Decided</source>
        <translation>已处理</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Kept the server&apos;s version</source>
        <translation>保留服务器的版本</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Kept the device&apos;s version</source>
        <translation>保留设备上的版本</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Chosen field by field</source>
        <translation>逐项选择</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The later contract stands</source>
        <translation>保留后签的协议</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The later contract was cancelled</source>
        <translation>后签的协议已取消</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The fund pays the amount over the cap</source>
        <translation>超限额部分由基金支付</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The patient pays the amount over the cap</source>
        <translation>超限额部分由患者支付</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Within the cap once the county recomputed the year</source>
        <translation>县级重算全年后未超限额</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The visit was cancelled</source>
        <translation>该门诊已冲正</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Looked into (the sale stands)</source>
        <translation>已核实（售药有效）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>County (%1): %2</source>
        <translation>县级审核（%1）：%2</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>refused by the county server (rule %1)</source>
        <translation>被县级平台退回（规则 %1）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Refused by the county server (rule %1)</source>
        <translation>被县级平台退回（规则 %1）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Another record on this computer has the same name or number</source>
        <translation>本机已有同名或同编号的另一条记录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A required item is missing</source>
        <translation>缺少必填项</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>An item holds the wrong kind of value</source>
        <translation>某一项的值类型不对</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A number is out of range</source>
        <translation>数值超出范围</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A text is too long</source>
        <translation>文字太长</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>An item holds a value this program does not know</source>
        <translation>某一项的值本程序不认识</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A text holds broken characters</source>
        <translation>文字中有损坏的字符</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not a readable record</source>
        <translation>不是可读的记录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The database refused it</source>
        <translation>数据库拒绝保存</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>Last received</source>
        <translation>最近收到</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Why it could not be stored</source>
        <translation>无法保存的原因</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>First received</source>
        <translation>首次收到</translation>
    </message>
    <message>
        <location line="+126"/>
        <source>Sync now</source>
        <translation>立即同步</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Enroll this device…</source>
        <translation>登记本机…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Resolve…</source>
        <translation>处理…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Correct…</source>
        <translation>修改…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Send again</source>
        <translation>重新发送</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Show which…</source>
        <translation>查看是哪些…</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Not stored (%1)</source>
        <translation>未能保存（%1）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 rows from the county could not be stored on this computer. The rest of the sync went on; a corrected version from the county takes their place.</source>
        <translation>县里发来的 %1 条记录无法保存在本机。其余内容已照常同步；县里发来更正后的版本时会自动替换。</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>%1 account changes wait: they are sent only after a clinic administrator signs in online (a password change: that user).</source>
        <translation>有 %1 项账户变更等待发送：需要诊所管理员在线登录后才能同步（修改密码：由本人登录）。</translation>
    </message>
    <message>
        <location line="-265"/>
        <source>Started</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>How</source>
        <translation>方式</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sent</source>
        <translation>上传</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Received</source>
        <translation>接收</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Conflicts</source>
        <translation>冲突</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refused</source>
        <translation>被退回</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Details</source>
        <translation>说明</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Since</source>
        <translation>发生时间</translation>
    </message>
    <message>
        <location filename="../../ui/chronic_chart.py" line="-146"/>
        <location filename="../../ui/sync_page.py" line="+2"/>
        <location line="+22"/>
        <location line="+18"/>
        <source>Record</source>
        <translation>记录</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="-38"/>
        <source>What happened</source>
        <translation>情况</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Items</source>
        <translation>涉及项目</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Decision</source>
        <translation>处理结果</translation>
    </message>
    <message>
        <location line="+172"/>
        <source>Show decided ones too</source>
        <translation>同时显示已处理的</translation>
    </message>
    <message>
        <location line="-164"/>
        <source>Changed</source>
        <translation>修改时间</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Why the server refused it</source>
        <translation>退回原因</translation>
    </message>
    <message>
        <location line="+156"/>
        <source>Sign in online and send…</source>
        <translation>在线登录并发送…</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>County server: %1 · this device belongs to clinic %2</source>
        <translation>县级平台：%1 · 本机属于诊所 %2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>This device is not enrolled: it works offline and keeps every change for later.</source>
        <translation>本机尚未登记：可离线工作，所有修改都会保存，待登记后上传。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>sent %1, received %2</source>
        <translation>已上传 %1 条，已接收 %2 条</translation>
    </message>
    <message>
        <location line="-44"/>
        <source>History</source>
        <translation>同步记录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Conflicts (%1)</source>
        <translation>冲突（%1）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refused changes (%1)</source>
        <translation>被退回的修改（%1）</translation>
    </message>
    <message>
        <location filename="../../ui/teams_dialog.py" line="-2"/>
        <source>Family-doctor teams</source>
        <translation>家庭医生团队</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Lead</source>
        <translation>团队长</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+26"/>
        <source>Members</source>
        <translation>成员</translation>
    </message>
    <message>
        <location line="-10"/>
        <source>Add the team</source>
        <translation>添加团队</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Team name</source>
        <translation>团队名称</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Lead doctor</source>
        <translation>团队长（医生）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>A new team</source>
        <translation>新建团队</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Only a clinic admin adds teams.</source>
        <translation>只有机构管理员可以添加团队。</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Team %1 added.</source>
        <translation>已添加团队 %1。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>A team name has 1-40 characters.</source>
        <translation>团队名称为1-40个字。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>There is a team of that name already.</source>
        <translation>已有同名团队。</translation>
    </message>
    <message>
        <location filename="../../ui/damage_dialog.py" line="+2"/>
        <source>The database file is damaged</source>
        <translation>数据库文件已损坏</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>File: %1
What is wrong: %2</source>
        <translation>文件：%1
问题：%2</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Looking for the newest good backup…</source>
        <translation>正在寻找最新的完好备份…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Restore from the backup</source>
        <translation>用备份恢复</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>No good backup of this database was found (beside it, nor among those `clinic backup` wrote). The damaged file stays as it is: ask for help before changing it.</source>
        <translation>没有找到这个数据库的完好备份（数据库旁边和 `clinic backup` 写过的备份里都没有）。损坏的文件保持原样：请先找人帮忙，再做改动。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The newest good backup is %1, made %2. Restoring it brings the data back as it was then; the damaged file is kept aside beside it, never deleted.</source>
        <translation>最新的完好备份是 %1，制作于 %2。用它恢复后，数据回到那时的样子；损坏的文件会改名保留在旁边，不会删除。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Restoring %1 …</source>
        <translation>正在用 %1 恢复…</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Not restored: %1</source>
        <translation>没有恢复：%1</translation>
    </message>
    <message>
        <location filename="../../ui/followup_dialog.py" line="-307"/>
        <source>The patient or the record no longer exists (another device may have removed it).</source>
        <translation>患者或记录已不存在（可能已被另一台设备删除）。</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>%1: %2 is outside the plausible range %3-%4 %5.</source>
        <translation>%1：%2 超出合理范围 %3–%4 %5。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1: outside the plausible range %3-%4 %5.</source>
        <translation>%1：超出合理范围 %3–%4 %5。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>%1: the systolic pressure must exceed the diastolic (%2/%3 mmHg).</source>
        <translation>%1：收缩压必须高于舒张压（%2/%3 mmHg）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1: type a number.</source>
        <translation>%1：请填写数字。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: too many decimal places.</source>
        <translation>%1：小数位数过多。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: the date lies in the future.</source>
        <translation>%1：日期晚于今天。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: write the date as 2026-12-31.</source>
        <translation>%1：日期请写成 2026-12-31。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: “none” cannot be ticked with a symptom.</source>
        <translation>%1：“无症状”不能与其他症状同时勾选。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The patient is not under management for this disease: register it first.</source>
        <translation>该患者未登记管理此病种：请先登记。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This follow-up was corrected already: correct the newest record of the visit.</source>
        <translation>此次随访已被更正：请更正该次随访最新的记录。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Changing the classification needs the reason, which is recorded.</source>
        <translation>更改随访分类须填写原因（原因将记录在案）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The classification is made from the reading: type it, or classify by hand with a reason.</source>
        <translation>分类依据测量值：请填写测量值，或由医生判定分类并写明原因。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1: the next visit comes after this one.</source>
        <translation>%1：下次随访须在本次之后。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1: the disease was confirmed after this day.</source>
        <translation>%1：该病确诊日期晚于此日。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1: required.</source>
        <translation>%1：必填。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1: not accepted.</source>
        <translation>%1：填写有误，未能保存。</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>Follow-up of %1 (%2)</source>
        <translation>%1 的随访（%2）</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Correct a follow-up of %1 (%2)</source>
        <translation>更正 %1 的随访（%2）</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>%1 · %2 years · %3 · %4</source>
        <translation>%1 · %2 岁 · %3 · %4</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>Blood pressure (mmHg)</source>
        <translation>血压（mmHg）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>second reading</source>
        <translation>第二次测量</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Weight (kg) / target</source>
        <translation>体重（kg）/ 目标</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Height (cm)</source>
        <translation>身高（cm）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>BMI (kg/m²) / target</source>
        <translation>体质指数（kg/m²）/ 目标</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Heart rate (/min)</source>
        <translation>心率（次/分）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Dorsalis pedis pulse</source>
        <translation>足背动脉搏动</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Other signs</source>
        <translation>其他体征</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Cigarettes a day / target</source>
        <translation>日吸烟量（支）/ 目标</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Alcohol (liang a day) / target</source>
        <translation>日饮酒量（两）/ 目标</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Exercise (times a week, minutes) / target</source>
        <translation>运动（次/周 × 分钟/次）/ 目标</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Salt intake / target</source>
        <translation>摄盐情况 / 目标</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Staple food (g a day) / target</source>
        <translation>主食（克/天）/ 目标</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Psychological adjustment</source>
        <translation>心理调整</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Compliance with advice</source>
        <translation>遵医行为</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Fasting glucose (mmol/L)</source>
        <translation>空腹血糖（mmol/L）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>HbA1c (%) / date</source>
        <translation>糖化血红蛋白（%）/ 检查日期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Auxiliary examinations</source>
        <translation>辅助检查</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Medication adherence</source>
        <translation>服药依从性</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Yes</source>
        <translation>有</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Adverse drug reaction</source>
        <translation>药物不良反应</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Hypoglycaemia</source>
        <translation>低血糖反应</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>New or worse</source>
        <translation>新发或加重</translation>
    </message>
    <message>
        <location line="+11"/>
        <location line="+40"/>
        <source>As the rules say</source>
        <translation>按规则</translation>
    </message>
    <message>
        <location line="-35"/>
        <source>Reason for a classification other than the rules&apos;</source>
        <translation>与规则不同时须写明原因</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Classification of this visit</source>
        <translation>此次随访分类</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Doctor&apos;s classification</source>
        <translation>医生判定分类</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Dose a time</source>
        <translation>每次剂量</translation>
    </message>
    <message>
        <location line="+0"/>
        <location filename="../../ui/rx_dialogs.py" line="-18"/>
        <source>Times a day</source>
        <translation>每日次数</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Insulin (type, dose)</source>
        <translation>胰岛素（种类、用量）</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Department</source>
        <translation>科别</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Refer to</source>
        <translation>转诊去向</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Doctor&apos;s signature</source>
        <translation>随访医生签名</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Enter saves; Tab goes through the fields in the paper form&apos;s order.</source>
        <translation>回车保存；Tab 键按纸质表格的顺序切换各项。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Visit</source>
        <translation>随访</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Signs</source>
        <translation>体征</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Lifestyle advice</source>
        <translation>生活方式指导</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Examinations, adherence and reactions</source>
        <translation>辅助检查、依从性与不良反应</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Referral and next visit</source>
        <translation>转诊与下次随访</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>Correcting the follow-up of %1 (%2): it stays in the history, marked corrected.</source>
        <translation>正在更正 %1 的随访（%2）：原记录保留在历史中，标为已更正。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>What was wrong in the record (required, kept with it)</source>
        <translation>原记录哪里有误（必填，随记录保存）</translation>
    </message>
    <message>
        <location line="+155"/>
        <source>blood pressure</source>
        <translation>血压</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>fasting glucose</source>
        <translation>空腹血糖</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Type the %1: the classification follows it.</source>
        <translation>请填写%1，分类随之显示。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 (the doctor&apos;s; the rules say %2)</source>
        <translation>%1（医生判定；按规则为%2）</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>%1 · next visit by %2</source>
        <translation>%1 · 下次随访 %2 前</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1: %2 — follow it up by %3</source>
        <translation>%1：%2 —— 请于 %3 前随访转诊结果</translation>
    </message>
    <message>
        <location filename="../../ui/entry_quality_view.py" line="-152"/>
        <source>The same reading at %1 visits in a row of this patient</source>
        <translation>该患者连续 %1 次随访的读数完全相同</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 patients&apos; visits recorded within %2 minutes: too fast to have measured them</source>
        <translation>%2 分钟内录入了 %1 位患者的面对面随访，来不及逐一测量</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Typed in on %1 for a day on which this doctor recorded nothing else</source>
        <translation>于 %1 补录，而随访当天该医生没有任何其他记录</translation>
    </message>
    <message>
        <location line="+89"/>
        <source>Visits</source>
        <translation>随访次数</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>BP readings</source>
        <translation>血压读数</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Ending in 0 or 5</source>
        <translation>尾数为0或5</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 of %2 readings (by chance about 20%)</source>
        <translation>%2 个读数中有 %1 个（随机约为20%）</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>p value</source>
        <translation>p 值</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>How likely chance alone gives this many readings ending in 0 or 5</source>
        <translation>仅凭偶然出现这么多尾数为0或5读数的可能性</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Same reading</source>
        <translation>读数相同</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Too fast</source>
        <translation>录入过快</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Lone days</source>
        <translation>孤立日期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Check</source>
        <translation>核查</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>⚠ Check: %1 of readings end in 0 or 5</source>
        <translation>⚠ 请核查：%1 的读数尾数为0或5</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>⚠ Check the flagged visits</source>
        <translation>⚠ 请核查标记的随访</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No sign</source>
        <translation>未见异常</translation>
    </message>
    <message>
        <location filename="../../ui/day_end_view.py" line="-144"/>
        <location filename="../../ui/entry_quality_view.py" line="+12"/>
        <location filename="../../ui/rx_dialogs.py" line="+17"/>
        <source>Patient</source>
        <translation>患者</translation>
    </message>
    <message>
        <location filename="../../ui/entry_quality_view.py" line="+2"/>
        <source>Mode</source>
        <translation>方式</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reading</source>
        <translation>读数</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Why it is flagged</source>
        <translation>标记原因</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Doctors</source>
        <translation>医生</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Flagged visits: %1</source>
        <translation>标记的随访：%1 次</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>A measured reading ends in 0 or 5 about one time in five. A doctor is flagged when the year has at least %1 of the doctor&apos;s readings, %2 or more of them end in 0 or 5, and chance would explain that less than once in %3. Visits are flagged when a patient has the same reading %4 times in a row, when %5 patients&apos; visits were recorded within %6 minutes, or when a visit was typed in later for a day the doctor recorded nothing else. A flag is a reason to look at the paper records together.</source>
        <translation>实际测量的血压读数约五次中有一次尾数为0或5。某医生全年读数不少于 %1 个、其中尾数为0或5的占 %2 及以上、且偶然出现的可能小于 %3 分之一时，标记该医生。患者连续 %4 次读数完全相同、%6 分钟内录入了 %5 位患者的随访、或随访为事后补录且当天该医生没有其他记录时，标记该次随访。标记只是提示：请与医生一起核对纸质记录。</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Reading the follow-ups of %1…</source>
        <translation>正在读取 %1 年的随访…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>No follow-ups are dated in %1.</source>
        <translation>%1 年没有随访记录。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1: to check — %2; %3 visits flagged.</source>
        <translation>%1 年：需核查 — %2；标记随访 %3 次。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1: no sign of invented readings among %2 doctors.</source>
        <translation>%1 年：%2 位医生均未见编造读数的迹象。</translation>
    </message>
    <message>
        <location filename="../../ui/reports_page.py" line="+1"/>
        <source>&amp;Year:</source>
        <translation>年度(&amp;Y)：</translation>
    </message>
    <message>
        <location filename="../../ui/entry_quality_view.py" line="+7"/>
        <source>Entry quality</source>
        <translation>录入质量</translation>
    </message>
    <message>
        <location filename="../../ui/indicators_view.py" line="-1"/>
        <source>Group</source>
        <translation>分组</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Under management</source>
        <translation>管理人数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Standard management</source>
        <translation>规范管理人数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Standard management rate</source>
        <translation>规范管理率</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Counted for control</source>
        <translation>控制率统计人数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Controlled patients</source>
        <translation>控制满意人数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Control rate</source>
        <translation>控制率</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Follow-ups done</source>
        <translation>已面对面随访</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Follow-ups due</source>
        <translation>应随访</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Clinic total</source>
        <translation>全卫生室合计</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Village: %1</source>
        <translation>村：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Doctor: %1</source>
        <translation>医生：%1</translation>
    </message>
    <message>
        <location line="+82"/>
        <source>Indicators</source>
        <translation>指标</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Standard management: at least 4 face-to-face follow-ups in the year (phone ones do not count). Control rate: the latest face-to-face follow-up of the year controlled, of the patients registered at least 3 months before the year&apos;s end. A patient counts for the doctor of the latest face-to-face follow-up of the year, else for the doctor who registered the disease. Follow-ups due: 4 a year, in proportion to the days under management.</source>
        <translation>规范管理：全年面对面随访不少于 4 次（电话随访不计）。控制率：在年末前满 3 个月登记管理的患者中，年内最近一次面对面随访控制满意的比例。患者计入年内最近一次面对面随访的医生，无随访的计入登记该病的医生。应随访：每年 4 次，按年内在管天数折算。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Reading the indicators of %1…</source>
        <translation>正在读取 %1 年的指标…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Chronic-care indicators %1</source>
        <translation>%1 年慢病管理指标</translation>
    </message>
    <message>
        <location line="+56"/>
        <source>Chronic-care indicators %1.xlsx</source>
        <translation>慢病管理指标 %1.xlsx</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Indicators to Excel…</source>
        <translation>指标导出 Excel…</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>The indicators of %1 are saved in %2.</source>
        <translation>%1 年指标已保存到 %2。</translation>
    </message>
    <message>
        <location filename="../../ui/prescriptions_page.py" line="-18"/>
        <source>runs out %1</source>
        <translation>%1 用完</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>nothing dispensed yet</source>
        <translation>尚未发药</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Issued</source>
        <translation>开具日期</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../ui/rx_dialogs.py" line="-253"/>
        <location line="+260"/>
        <source>Days</source>
        <translation>天数</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Dispensed</source>
        <translation>已发天数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Left</source>
        <translation>剩余</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Runs out</source>
        <translation>用完日期</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Valid until</source>
        <translation>有效期至</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Why on the list</source>
        <translation>列入原因</translation>
    </message>
    <message>
        <location line="+140"/>
        <source>Long-term prescriptions</source>
        <translation>长期处方</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Running out within (days)</source>
        <translation>几天内用完</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dispense… (Enter)</source>
        <translation>发药…（回车）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Patient signs…</source>
        <translation>患者签字…</translation>
    </message>
    <message>
        <location filename="../../ui/chronic_chart.py" line="-51"/>
        <location filename="../../ui/prescriptions_page.py" line="+1"/>
        <source>Drug history…</source>
        <translation>用药史…</translation>
    </message>
    <message>
        <location filename="../../ui/prescriptions_page.py" line="-175"/>
        <source>ran out %1</source>
        <translation>%1 已用完</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>valid to %1</source>
        <translation>有效至 %1</translation>
    </message>
    <message>
        <location line="+173"/>
        <source>Stop…</source>
        <translation>停用…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Issue a prescription…</source>
        <translation>开长处方…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Change…</source>
        <translation>更改…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Paper</source>
        <translation>纸张</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../ui/rx_dialogs.py" line="+522"/>
        <source>Print prescription…</source>
        <translation>打印处方…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Print refill round…</source>
        <translation>打印续方清单…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Refills due</source>
        <translation>待续药</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Awaiting signature</source>
        <translation>待患者签字</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The paper the prescription prints on</source>
        <translation>处方打印用纸</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The refill worklist of this horizon, to take on a round</source>
        <translation>打印当前天数内的续方清单，供巡诊时使用</translation>
    </message>
    <message>
        <location line="+82"/>
        <source>Select a prescription in the list first.</source>
        <translation>请先在列表中选择一张处方。</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>%1: %2 days dispensed, %3 box(es); %4 days left.</source>
        <translation>%1：已发药 %2 天，%3 盒；处方剩余 %4 天。</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>Prescription for %1 issued, %2 days: held until the patient signs.</source>
        <translation>已为 %1 开具长期处方 %2 天：待患者签字后生效。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Prescription for %1 issued, %2 days: active.</source>
        <translation>已为 %1 开具长期处方 %2 天：已生效。</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>%1 signed: the prescription is active.</source>
        <translation>%1 已签字：处方生效。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The prescription of %1 is stopped.</source>
        <translation>%1 的处方已停用。</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>The prescription of %1 is changed: the new one, %2 days, is held until the patient signs.</source>
        <translation>%1 的处方已更改：新处方 %2 天，待患者签字后生效。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The prescription of %1 is changed: the new one, %2 days, is active.</source>
        <translation>%1 的处方已更改：新处方 %2 天，已生效。</translation>
    </message>
    <message>
        <location filename="../../ui/rx_dialogs.py" line="-1008"/>
        <source>a narcotic (麻醉药品)</source>
        <translation>麻醉药品</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a class-I psychotropic (第一类精神药品)</source>
        <translation>第一类精神药品</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a toxic drug for medical use (医疗用毒性药品)</source>
        <translation>医疗用毒性药品</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a radiopharmaceutical (放射性药品)</source>
        <translation>放射性药品</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a precursor chemical (易制毒化学品)</source>
        <translation>易制毒化学品</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>an antimicrobial other than for tuberculosis (抗菌药物)</source>
        <translation>抗菌药物（结核病用药除外）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a drug with special storage requirements</source>
        <translation>有特殊储存要求的药品</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>this clinic</source>
        <translation>本卫生室</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>sold on %1 at %2 (%3)</source>
        <translation>已于 %1 在 %2 售出（%3）</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>%1 is %2: never on a long-term prescription (RULES §6).</source>
        <translation>%1 属于%2：不得开具长期处方。</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+604"/>
        <source>%1 days is over %2 days (12 weeks), the most a long-term prescription holds.</source>
        <translation>%1 天超过 %2 天（12 周）：长期处方最长不超过 12 周。</translation>
    </message>
    <message>
        <location line="-601"/>
        <source>The patient is not stable: the last face-to-face follow-up was not controlled.</source>
        <translation>患者病情不稳定：最近一次面对面随访控制不满意。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The patient is not under management for this disease.</source>
        <translation>患者未纳入该病种的管理。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This account may not issue this long-term prescription (county rule).</source>
        <translation>本账号无权开具此长期处方（县级规定）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The drug is not in the catalog.</source>
        <translation>药品目录中没有此药品。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The prescription is stopped: it dispenses nothing more.</source>
        <translation>处方已停用：不能再发药。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The prescription awaits the patient&apos;s signature: it dispenses nothing yet.</source>
        <translation>处方待患者签字：签字前不能发药。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The prescription expired on %1.</source>
        <translation>处方已于 %1 过期。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The day is before the prescription was issued.</source>
        <translation>日期早于处方开具日期。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>More days than the prescription has left (%1 of %2 days).</source>
        <translation>超过处方剩余天数（共 %2 天，剩余 %1 天）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Too early: the last installment lasts; the next one from %1 (minimum interval).</source>
        <translation>发药过早：上次所发药品尚未用完，最早 %1 可再发（最短间隔）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <location filename="../../ui/visit_dialog.py" line="-344"/>
        <source>%1: sold before (one box, one sale).</source>
        <translation>%1：此追溯码已售出（一盒一码）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: the product is not a drug of this prescription.</source>
        <translation>%1：该产品不是本处方的药品。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The prescription does not await a signature.</source>
        <translation>此处方不需要签字。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Record the doctor&apos;s assessment first (over 28 days).</source>
        <translation>请先填写医生评估（超过 28 天）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Scan every box: %1 scanned, this installment is %2 box(es).</source>
        <translation>请逐盒扫码：已扫 %1 盒，本次应发 %2 盒。</translation>
    </message>
    <message>
        <location line="-43"/>
        <source>%1: %2 characters cannot be a trace code (at least %3; RULES §7).</source>
        <translation>%1：%2 位不可能是追溯码（至少 %3 位；规则 §7）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1: a trace code is digits and letters (RULES §7).</source>
        <translation>%1：追溯码只含数字和字母（规则 §7）。</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>A prescription for %1 issued %2 is in force: change it (更改…) or stop it first.</source>
        <translation>%2 开具的%1长处方仍在执行：请先更改（更改…）或停用该处方。</translation>
    </message>
    <message>
        <location line="+7"/>
        <location filename="../../ui/visit_dialog.py" line="+6"/>
        <source>A trace code is at most 100 printable characters without spaces.</source>
        <translation>追溯码最多 100 个可打印字符，不含空格。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Scan the trace code of every box.</source>
        <translation>请扫描每一盒的追溯码。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Add at least one drug.</source>
        <translation>请至少添加一种药品。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Say why the prescription stops.</source>
        <translation>请填写停用原因。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The drug is on the prescription twice.</source>
        <translation>处方中该药品重复。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1: %2.</source>
        <translation>%1：%2。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>No face-to-face follow-up of this disease yet: the patient&apos;s control is unknown (RULES §6).</source>
        <translation>该病种尚无面对面随访：无法判断病情是否稳定，不能开具长期处方。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The last face-to-face follow-up (%1) was not controlled: a long-term prescription is for a stable patient (RULES §6).</source>
        <translation>最近一次面对面随访（%1）控制不满意：长期处方仅适用于病情稳定的患者。</translation>
    </message>
    <message>
        <location line="+70"/>
        <source>%1 · %2 · %3</source>
        <translation>%1 · %2 · %3</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>%1 %2: %3 %4 × %5 a day</source>
        <translation>%1 %2：每次 %3 %4，每日 %5 次</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Dispense an installment</source>
        <translation>分次发药</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Dispense</source>
        <translation>发药</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>%1 days prescribed on %2, %3 dispensed, %4 left; valid until %5.</source>
        <translation>%2 开具 %1 天，已发 %3 天，剩余 %4 天；有效期至 %5。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Split pack (拆零): the box&apos;s code is sold again until its units are used</source>
        <translation>拆零：同一盒的追溯码可再次使用，直至该盒用完</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Scan each box (the scanner types the code and Enter)</source>
        <translation>逐盒扫码（扫码枪输入追溯码并回车）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Remove box</source>
        <translation>移除此盒</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Packages of %1 (%2)</source>
        <translation>%1 数量（%2）</translation>
    </message>
    <message>
        <location line="+694"/>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <location line="-689"/>
        <location line="+228"/>
        <location filename="../../ui/visit_dialog.py" line="+190"/>
        <source>Quantity</source>
        <translation>数量</translation>
    </message>
    <message>
        <location line="-158"/>
        <source>%1 — unverified: %2</source>
        <translation>%1 — 未校验：%2</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>%1: this box is in the list already.</source>
        <translation>%1：此盒已在列表中。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 It was %2.</source>
        <translation>%1该码%2。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>%1 box(es) scanned</source>
        <translation>已扫描 %1 盒</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>%1 digits, not the 20 of the common family</source>
        <translation>%1 位，非常见的 20 位追溯码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>not the 20-digit family: not checked</source>
        <translation>非 20 位追溯码，无法校验</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Oral</source>
        <translation>口服</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Subcutaneous injection</source>
        <translation>皮下注射</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Inhaled</source>
        <translation>吸入</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Topical</source>
        <translation>外用</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sublingual</source>
        <translation>舌下含服</translation>
    </message>
    <message>
        <location line="+21"/>
        <location filename="../../ui/visit_dialog.py" line="-126"/>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>Issue a long-term prescription</source>
        <translation>开具长期处方</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Issue</source>
        <translation>开具</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Drug: name, pinyin initials or code; Enter adds the first</source>
        <translation>药品：名称、拼音首字母或编码；回车添加选中的药品</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Dose per time</source>
        <translation>每次剂量</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Route</source>
        <translation>给药途径</translation>
    </message>
    <message>
        <location line="+9"/>
        <location line="+404"/>
        <source>The doctor&apos;s assessment: condition stable, adherence</source>
        <translation>医生评估：病情稳定情况、用药依从性</translation>
    </message>
    <message>
        <location line="-403"/>
        <location line="+404"/>
        <source>The patient has signed the prescription</source>
        <translation>患者已在处方上签字</translation>
    </message>
    <message>
        <location line="-402"/>
        <source>Recorded allergies, separated by commas</source>
        <translation>过敏史，以逗号分隔</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Add a drug</source>
        <translation>添加药品</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+395"/>
        <source>Assessment</source>
        <translation>评估</translation>
    </message>
    <message>
        <location line="-393"/>
        <source>Allergies</source>
        <translation>过敏史</translation>
    </message>
    <message>
        <location line="+47"/>
        <location filename="../../ui/visit_dialog.py" line="+71"/>
        <location filename="../../ui/visit_list.py" line="+23"/>
        <location line="+44"/>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>%1 is not registered for a chronic disease.</source>
        <translation>%1 未登记慢病管理。</translation>
    </message>
    <message>
        <location line="+56"/>
        <source>%1 is on the prescription already.</source>
        <translation>%1 已在处方中。</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>Over %1 days: record the assessment and have the patient sign. Without the signature the prescription is held awaiting it and dispenses nothing.</source>
        <translation>超过 %1 天：须填写医生评估并由患者签字。未签字前处方为“待签字”，不能发药。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Up to %1 days: no signature needed.</source>
        <translation>不超过 %1 天：无需患者签字。</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>%1: the dose is a number above 0 (at most 3 decimal places).</source>
        <translation>%1：剂量须为大于 0 的数字（最多 3 位小数）。</translation>
    </message>
    <message>
        <location line="+114"/>
        <source>Change the prescription</source>
        <translation>更改处方</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Change</source>
        <translation>更改</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Why: dose adjusted, another drug, a new length…</source>
        <translation>原因：调整剂量、换药、调整天数……</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reason for the change</source>
        <translation>更改原因</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Changes the prescription of %1 (%2 days); it stops when the new one is saved.</source>
        <translation>更改 %1 开具的处方（%2 天）：保存新处方时原处方随即停用。</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>No longer in the drug catalog, left out: %1</source>
        <translation>药品目录中已无此药，未列入：%1</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Say why the prescription changes.</source>
        <translation>请填写更改原因。</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>%1: the patient&apos;s recorded allergy to %2</source>
        <translation>%1：患者有 %2 过敏史</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 and %2 are of one class (%3): duplicate therapy?</source>
        <translation>%1 与 %2 为同类药物（%3）：是否重复用药？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 needs special storage (e.g. 2-8 °C)</source>
        <translation>%1 需特殊储存（如 2-8 °C 冷藏）</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>The patient&apos;s signature</source>
        <translation>患者签字</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Record the signature</source>
        <translation>确认签字</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>%1 days, issued on %2.</source>
        <translation>%1 天，%2 开具。</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Stop the prescription</source>
        <translation>停用处方</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Stop</source>
        <translation>停用</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Why: the condition changed, poor adherence…</source>
        <translation>原因：病情变化、依从性差……</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>active</source>
        <translation>有效</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>awaiting the patient&apos;s signature</source>
        <translation>待患者签字</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>stopped</source>
        <translation>已停用</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>expired</source>
        <translation>已过期</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>%1 (%2 days, %3, until %4)</source>
        <translation>%1（%2 天，%3，至 %4）</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Drug history of %1</source>
        <translation>%1 的用药史</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No long-term prescriptions yet.</source>
        <translation>尚无长期处方。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 · %2 · %3 days · %4 · valid until %5</source>
        <translation>%1 · %2 · %3 天 · %4 · 有效期至 %5</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>changed from the prescription of %1</source>
        <translation>更改自 %1 开具的处方</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>signed</source>
        <translation>患者已签字</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>stopped: %1</source>
        <translation>停用：%1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>dispensed %1 days</source>
        <translation>发药 %1 天</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Drug history</source>
        <translation>用药史</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reading…</source>
        <translation>正在读取……</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The prescription to print</source>
        <translation>要打印的处方</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>%1 · %2 · %3 days · %4</source>
        <translation>%1 · %2 · %3 天 · %4</translation>
    </message>
    <message>
        <location filename="../../ui/day_end_view.py" line="-46"/>
        <location filename="../../ui/visit_dialog.py" line="-217"/>
        <source>11 Ordinary outpatient</source>
        <translation>11 普通门诊</translation>
    </message>
    <message>
        <location line="+0"/>
        <location filename="../../ui/visit_dialog.py" line="+0"/>
        <source>14 Chronic outpatient</source>
        <translation>14 门诊慢特病</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Its lines are not on this device (not synced yet)</source>
        <translation>本机没有它的收费明细（尚未同步）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Line %1: the amount is not price × quantity</source>
        <translation>第 %1 行：金额不等于单价×数量</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The lines differ from the total by %1 yuan</source>
        <translation>明细合计与总费用相差 %1 元</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Fund + patient differ from the total by %1 yuan</source>
        <translation>统筹＋个人与总费用相差 %1 元</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>over the county-wide cap: awaiting the county&apos;s decision</source>
        <translation>超出全县年度限额，待县级审核</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Matches</source>
        <translation>相符</translation>
    </message>
    <message>
        <location line="+116"/>
        <source>Visits this day</source>
        <translation>人次</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Total (yuan)</source>
        <translation>总费用（元）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Fund pays (yuan)</source>
        <translation>统筹支付（元）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Patient cash (yuan)</source>
        <translation>个人现金（元）</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Receipt no.</source>
        <translation>收据号</translation>
    </message>
    <message>
        <location line="-117"/>
        <source>Type</source>
        <translation>类别</translation>
    </message>
    <message>
        <location line="-60"/>
        <source>%1 (%2, %3 boxes, %4 yuan)</source>
        <translation>%1（%2，%3 盒，%4 元）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>drug not in the catalog</source>
        <translation>目录外药品</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>⚠ Dispensed this day but on no visit (not charged): %1. Open a visit for the patient to charge it.</source>
        <translation>⚠ 当日已发药未收费（未记入任何就诊）：%1。请为该患者打开“就诊…”收费。</translation>
    </message>
    <message>
        <location line="+170"/>
        <source>Fund</source>
        <translation>统筹</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Patient cash</source>
        <translation>个人现金</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Lines add up to</source>
        <translation>明细合计</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Receipt check</source>
        <translation>核对</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Receipt no. (void)</source>
        <translation>收据号（作废）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancelled on</source>
        <translation>冲正日期</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Day end</source>
        <translation>日结</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Day:</source>
        <translation>日期(&amp;D)：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Insurance export…</source>
        <translation>医保导出…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Write the day&apos;s file for the county&apos;s upload tool into a folder (nothing is sent anywhere)</source>
        <translation>把当日文件写入一个文件夹，供县级上传工具使用（不向任何地方发送）</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Reading the visits of %1…</source>
        <translation>正在读取 %1 的门诊记录…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Receipts: %1</source>
        <translation>收据：%1 张</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cancelled (receipts void, counted nowhere): %1</source>
        <translation>已冲正（收据作废，不计入合计）：%1 张</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>No visits on %1.</source>
        <translation>%1 没有门诊记录。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>✓ Reconciled: %1 receipts, patient cash %2 yuan — the same as the settlements&apos; cash total.</source>
        <translation>✓ 对账相符：收据 %1 张，个人现金 %2 元，与结算的个人现金合计一致。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>✗ Not reconciled: the receipts make %1 yuan of patient cash, the settlements %2 yuan (difference %3); %4 receipts do not match (in red).</source>
        <translation>✗ 对账不符：收据个人现金合计 %1 元，结算 %2 元（相差 %3 元）；%4 张收据不符（红色）。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>%1 receipts are over the county-wide cap and await the county&apos;s decision.</source>
        <translation>%1 张收据超出全县年度限额，待县级审核。</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>All</source>
        <translation>合计</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>Insurance export: choose the folder</source>
        <translation>医保导出：选择文件夹</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>The insurance file of %1 is written: %2 (%3 visits).</source>
        <translation>%1 的医保上传文件已写入：%2（%3 条门诊记录）。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Not exported: the folder %1 does not exist (is the USB stick plugged in?).</source>
        <translation>未导出：文件夹 %1 不存在（U 盘插好了吗？）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not exported: nothing can be written in the folder %1 (%2).</source>
        <translation>未导出：文件夹 %1 中无法写入文件（%2）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Not exported</source>
        <translation>未导出</translation>
    </message>
    <message>
        <location filename="../../ui/visit_dialog.py" line="+4"/>
        <source>Class A</source>
        <translation>甲类</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Class B</source>
        <translation>乙类</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Class C</source>
        <translation>丙类</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+249"/>
        <location filename="../../ui/visit_list.py" line="-81"/>
        <source>Date of visit</source>
        <translation>就诊日期</translation>
    </message>
    <message>
        <location filename="../../ui/day_end_view.py" line="-262"/>
        <location filename="../../ui/visit_dialog.py" line="-248"/>
        <location line="+249"/>
        <location filename="../../ui/visit_list.py" line="+1"/>
        <source>Medical type</source>
        <translation>医疗类别</translation>
    </message>
    <message>
        <location filename="../../ui/visit_dialog.py" line="-247"/>
        <location line="+250"/>
        <location filename="../../ui/visit_list.py" line="+7"/>
        <source>Diagnoses</source>
        <translation>诊断</translation>
    </message>
    <message>
        <location line="-249"/>
        <location line="+111"/>
        <source>Service</source>
        <translation>诊疗项目</translation>
    </message>
    <message>
        <location line="-109"/>
        <source>Services and drugs</source>
        <translation>诊疗项目和药品</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>County parameter %1</source>
        <translation>县医保参数 %1</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>the day lies in the future.</source>
        <translation>就诊日期不能晚于今天。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>a chronic outpatient visit (type 14) needs an approved chronic-outpatient qualification (门诊慢特病认定) for the disease on the visit&apos;s day.</source>
        <translation>门诊慢特病（14）就诊须在就诊当日已通过该病种的门诊慢特病认定。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>a type 14 visit has a diagnosis of its disease (hypertension I10-I13, diabetes E11).</source>
        <translation>门诊慢特病（14）就诊须有该病种的诊断（高血压 I10-I13，糖尿病 E11）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>a disease is named only for a chronic outpatient visit (type 14).</source>
        <translation>只有门诊慢特病（14）就诊才选择病种。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>type ICD-10 codes: a letter, two digits and an optional extension (I10, I10.x00, E11.900).</source>
        <translation>请输入 ICD-10 编码：一个字母、两位数字，可带扩展码（I10、I10.x00、E11.900）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>not in the county&apos;s price list or the drug catalog.</source>
        <translation>不在县医疗服务价格目录或药品目录中。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the catalog has no price or insurance category for this drug.</source>
        <translation>药品目录中没有该药品的价格或医保类别。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>this device has no drug catalog with prices yet.</source>
        <translation>本机尚无带价格的药品目录。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a whole number from 1 to 100000.</source>
        <translation>须为 1 至 100000 的整数。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the county has not set this parameter for the visit&apos;s day: the visit cannot be settled.</source>
        <translation>县里尚未设置就诊当日适用的该参数，无法结算。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the visit was cancelled already.</source>
        <translation>该次就诊已冲正。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>at most 500 characters.</source>
        <translation>最多 500 个字符。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>11 (ordinary outpatient) or 14 (chronic outpatient).</source>
        <translation>须为 11（普通门诊）或 14（门诊慢特病）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>write CODE,QUANTITY.</source>
        <translation>请写成 编码,数量。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>write the date as 2026-11-20.</source>
        <translation>日期请写成 2026-11-20。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>choose the chronic disease of the visit.</source>
        <translation>请选择本次就诊的慢病病种。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>at least one diagnosis (ICD-10).</source>
        <translation>至少填写一个诊断（ICD-10）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>add at least one service or drug.</source>
        <translation>请至少添加一个诊疗项目或药品。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>say why the visit is cancelled.</source>
        <translation>请填写冲正原因。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>required.</source>
        <translation>必填。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>at most %1 diagnoses.</source>
        <translation>最多 %1 个诊断。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>%1: the box is not of this drug.</source>
        <translation>%1：该盒不是此药品。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 trace codes scanned, the line sells %2 boxes: one code a box.</source>
        <translation>已扫描 %1 个追溯码，该行售出 %2 盒：一盒一码。</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Type 14 is not offered: the patient is not registered for %1.</source>
        <translation>不能选门诊慢特病（14）：该患者未登记%1。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Type 14 is not offered: the patient is registered for no chronic disease.</source>
        <translation>不能选门诊慢特病（14）：该患者未登记任何慢病。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Type 14 is not offered for %1: the qualification was approved on %2, after the visit&apos;s day.</source>
        <translation>%1不能选门诊慢特病（14）：门诊慢特病认定于 %2 通过，晚于就诊日期。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Type 14 is not offered for %1: no approved chronic-outpatient qualification (门诊慢特病认定).</source>
        <translation>%1不能选门诊慢特病（14）：尚未通过门诊慢特病认定。</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>%1 yuan/%2</source>
        <translation>%1 元/%2</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Scan trace codes</source>
        <translation>扫描追溯码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The trace code of each box sold (RULES §7): scan them one after another</source>
        <translation>每售出一盒扫描其追溯码（规则 §7），逐个扫描</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>Save the visit</source>
        <translation>保存就诊</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Ctrl+Enter</source>
        <translation>Ctrl+Enter</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Reading the patient&apos;s chronic-outpatient qualifications…</source>
        <translation>正在读取患者的门诊慢特病认定…</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>ICD-10 codes, separated by commas: I10.x00, E11.900</source>
        <translation>ICD-10 编码，用逗号分隔：I10.x00, E11.900</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Service or drug: code, name or pinyin initials; Enter adds the first, ↓ to choose</source>
        <translation>诊疗项目或药品：编码、名称或拼音首字母；回车添加第一个，↓ 选择</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Add a service or drug</source>
        <translation>添加项目或药品</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Unit price</source>
        <translation>单价</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Amount (yuan)</source>
        <translation>金额（元）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Insurance class</source>
        <translation>医保类别</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Trace codes</source>
        <translation>追溯码</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>No services or drugs yet.</source>
        <translation>尚未添加诊疗项目或药品。</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Settlement (live)</source>
        <translation>结算（实时）</translation>
    </message>
    <message>
        <location filename="../../ui/day_end_view.py" line="-90"/>
        <location filename="../../ui/visit_dialog.py" line="+4"/>
        <location filename="../../ui/visit_list.py" line="+1"/>
        <source>Total</source>
        <translation>费用总额</translation>
    </message>
    <message>
        <location filename="../../ui/visit_dialog.py" line="+1"/>
        <source>Within the scheme</source>
        <translation>政策范围内</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deductible met</source>
        <translation>计入起付线</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../ui/visit_list.py" line="+1"/>
        <source>Fund pays</source>
        <translation>统筹支付</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../ui/visit_list.py" line="+2"/>
        <source>Patient pays</source>
        <translation>个人支付</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Left of the year&apos;s cap</source>
        <translation>本年剩余限额</translation>
    </message>
    <message>
        <location line="+98"/>
        <source>Dispensed today; trace codes: %1</source>
        <translation>今日已发药；追溯码：%1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The boxes dispensed today are on this visit with their trace codes.</source>
        <translation>今日所发的药品已按盒列入本次就诊，追溯码随之上传。</translation>
    </message>
    <message>
        <location line="+93"/>
        <source>Service · %1 · %2 yuan/%3 · %4 (%5)</source>
        <translation>诊疗项目 · %1 · %2 元/%3 · %4（%5）</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Drug · %1 %2 %3 · %4 yuan/%5 · %6 (%7)</source>
        <translation>药品 · %1 %2 %3 · %4 元/%5 · %6（%7）</translation>
    </message>
    <message>
        <location line="+92"/>
        <source>Computing…</source>
        <translation>正在计算…</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>Not settled: see the problem below.</source>
        <translation>无法结算：见下方提示。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Add services or drugs: the settlement is shown as they are added.</source>
        <translation>添加诊疗项目或药品后即时显示结算。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>%1: the fund pays %2 % of what is within the scheme</source>
        <translation>%1：统筹基金支付政策范围内费用的 %2%</translation>
    </message>
    <message>
        <location line="+6"/>
        <source> after a deductible of %1 yuan a year (%2 met before this visit)</source>
        <translation>（每年起付线 %1 元，本次之前已计入 %2 元）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>; the year&apos;s cap %1 yuan, %2 used before this visit.</source>
        <translation>；年度限额 %1 元，本次之前已用 %2 元。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Provisional: computed on this device from this clinic&apos;s visits; the county confirms it against every clinic&apos;s.</source>
        <translation>暂算：本机按本卫生室的就诊记录计算，以县平台汇总各机构后的确认为准。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The year&apos;s cap was used up before this visit: the fund pays nothing of it.</source>
        <translation>本年度限额在本次就诊前已用完：本次统筹基金不予支付。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The year&apos;s cap is reached in this visit: the fund pays only what was left of it.</source>
        <translation>本次就诊达到年度限额：统筹只支付剩余额度。</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Computing… the visit is saved once its settlement is shown.</source>
        <translation>正在计算…结算显示后即保存本次就诊。</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Visit of %1 saved: total %2 yuan, fund %3, patient pays %4 (provisional).</source>
        <translation>已保存 %1 的就诊：总额 %2 元，统筹 %3，个人支付 %4（暂算）。</translation>
    </message>
    <message>
        <location filename="../../ui/visit_list.py" line="-21"/>
        <source>Cancelled on %1: %2</source>
        <translation>已冲正 %1：%2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Settled (provisional)</source>
        <translation>已结算（暂算）</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Settled</source>
        <translation>已结算</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>%1 · %2
total %3 yuan, fund %4, patient %5</source>
        <translation>%1 · %2
总额 %3 元，统筹 %4，个人 %5</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Cancel the visit (冲正)</source>
        <translation>冲正就诊</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Cancel the visit</source>
        <translation>冲正</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The visit stays as it was saved; a reversal with the reason is recorded and the visit counts nowhere (fund, cash, the year&apos;s cap, the day&apos;s end).</source>
        <translation>原就诊记录保持不变；另记一条带原因的冲正记录，此后该次就诊不再计入统筹、现金、年度限额和日结。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Why: entered by mistake, the patient did not take the drugs…</source>
        <translation>原因：录入错误、患者未取药…</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Say why the visit is reversed.</source>
        <translation>请填写冲正原因。</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Visits of %1</source>
        <translation>%1 的就诊记录</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>New visit…</source>
        <translation>新建就诊…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Print receipt…</source>
        <translation>打印结算单…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel the visit (冲正)…</source>
        <translation>冲正…</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>%1 visits</source>
        <translation>共 %1 次就诊</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Select an outpatient visit in the list first.</source>
        <translation>请先在列表中选择一次就诊。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This visit is cancelled already.</source>
        <translation>该次就诊已冲正。</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>The visit of %1 on %2 is cancelled: it counts nowhere.</source>
        <translation>已冲正 %1 在 %2 的就诊：不再计入任何统计。</translation>
    </message>
</context>
<context>
    <name>QFileDialog</name>
    <message>
        <location filename="../../ui/i18n.py" line="+34"/>
        <source>&amp;Look in:</source>
        <translation>查找范围(&amp;L)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Files of &amp;type:</source>
        <translation>文件类型(&amp;T)：</translation>
    </message>
</context>
<context>
    <name>QPageSetupWidget</name>
    <message>
        <location line="+2"/>
        <source>Page &amp;order:</source>
        <translation>页面顺序(&amp;O)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pages &amp;per sheet:</source>
        <translation>每张页数(&amp;P)：</translation>
    </message>
</context>
<context>
    <name>QPrintSettingsOutput</name>
    <message>
        <location line="-2"/>
        <source>Page &amp;Set:</source>
        <translation>页面组(&amp;S)：</translation>
    </message>
</context>
</TS>
