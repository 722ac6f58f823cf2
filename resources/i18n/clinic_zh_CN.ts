<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>VillageClinic</name>
    <message>
        <source>Residents</source>
        <translation>居民</translation>
    </message>
    <message>
        <source>Contracts</source>
        <translation>签约</translation>
    </message>
    <message>
        <source>Follow-ups</source>
        <translation>慢病随访</translation>
    </message>
    <message>
        <source>Prescriptions</source>
        <translation>长处方</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>报表</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>同步</translation>
    </message>
    <message>
        <source>%1 — not built yet in this version.</source>
        <translation>%1 — 本版本尚未开发。</translation>
    </message>
    <message>
        <source>Nothing on this page works yet; the data you enter elsewhere is kept.</source>
        <translation>此页面暂无任何功能；在其他页面录入的数据都会保存。</translation>
    </message>
    <message>
        <source>Village Clinic — %1</source>
        <translation>村医助手 — %1</translation>
    </message>
    <message>
        <source>Locked</source>
        <translation>已锁定</translation>
    </message>
    <message>
        <source>● Offline — not enrolled with a county server</source>
        <translation>● 离线 — 尚未接入县级平台</translation>
    </message>
    <message>
        <source>● Offline</source>
        <translation>● 离线</translation>
    </message>
    <message>
        <source>Last sync: %1</source>
        <translation>上次同步：%1</translation>
    </message>
    <message>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <source>Changes waiting to be sent: %1</source>
        <translation>待上传的修改：%1</translation>
    </message>
    <message>
        <source>Conflicts needing a person: %1</source>
        <translation>待人工处理的冲突：%1</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>ID number</source>
        <translation>身份证号</translation>
    </message>
    <message>
        <source>Document type</source>
        <translation>证件类型</translation>
    </message>
    <message>
        <source>Document number</source>
        <translation>证件号码</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>性别</translation>
    </message>
    <message>
        <source>Birth date</source>
        <translation>出生日期</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>Village</source>
        <translation>村</translation>
    </message>
    <message>
        <source>Household</source>
        <translation>家庭户</translation>
    </message>
    <message>
        <source>Relation to head</source>
        <translation>与户主关系</translation>
    </message>
    <message>
        <source>Required.</source>
        <translation>必填。</translation>
    </message>
    <message>
        <source>The check character does not match (GB 11643): a digit is mistyped.</source>
        <translation>校验码不符（GB 11643），有数字输错了。</translation>
    </message>
    <message>
        <source>The birth date in this ID number does not exist.</source>
        <translation>身份证号中的出生日期不存在。</translation>
    </message>
    <message>
        <source>The birth date in this ID number lies in the future.</source>
        <translation>身份证号中的出生日期晚于今天。</translation>
    </message>
    <message>
        <source>The birth date in this ID number gives an age over 130.</source>
        <translation>身份证号中的出生日期对应年龄超过130岁。</translation>
    </message>
    <message>
        <source>An ID number has 18 characters (15 for the old form).</source>
        <translation>身份证号应为18位（旧版为15位）。</translation>
    </message>
    <message>
        <source>Does not agree with the ID number.</source>
        <translation>与身份证号不一致。</translation>
    </message>
    <message>
        <source>This ID number is registered already.</source>
        <translation>该身份证号已登记。</translation>
    </message>
    <message>
        <source>This household belongs to another village.</source>
        <translation>该家庭户属于其他村。</translation>
    </message>
    <message>
        <source>A new household needs a village.</source>
        <translation>新建家庭户需要选择所属村。</translation>
    </message>
    <message>
        <source>This date lies in the future.</source>
        <translation>该日期晚于今天。</translation>
    </message>
    <message>
        <source>This date gives an age over 130.</source>
        <translation>该日期对应年龄超过130岁。</translation>
    </message>
    <message>
        <source>Write the date as 1990-12-31.</source>
        <translation>日期格式为 1990-12-31。</translation>
    </message>
    <message>
        <source>Not known in this clinic.</source>
        <translation>本卫生室没有该项。</translation>
    </message>
    <message>
        <source>17 digits followed by a digit or X.</source>
        <translation>应为17位数字加1位数字或X。</translation>
    </message>
    <message>
        <source>1-40 Chinese or Latin letters.</source>
        <translation>应为1至40个汉字或字母。</translation>
    </message>
    <message>
        <source>A mobile number has 11 digits (13x-19x); a landline 0xxx-xxxxxxx.</source>
        <translation>手机号为11位（13x–19x开头）；座机为 0xxx-xxxxxxx。</translation>
    </message>
    <message>
        <source>4-30 letters, digits or dashes.</source>
        <translation>应为4至30位字母、数字或短横线。</translation>
    </message>
    <message>
        <source>This ID number is registered already, to %1.</source>
        <translation>该身份证号已登记给 %1。</translation>
    </message>
    <message>
        <source>Resident ID card</source>
        <translation>居民身份证</translation>
    </message>
    <message>
        <source>Passport</source>
        <translation>护照</translation>
    </message>
    <message>
        <source>Other document</source>
        <translation>其他证件</translation>
    </message>
    <message>
        <source>Male</source>
        <translation>男</translation>
    </message>
    <message>
        <source>Female</source>
        <translation>女</translation>
    </message>
    <message>
        <source>household code, e.g. H000123 (a new code makes a new household)</source>
        <translation>户号，如 H000123（输入新户号即新建家庭户）</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Edit resident</source>
        <translation>编辑居民</translation>
    </message>
    <message>
        <source>Add resident</source>
        <translation>新增居民</translation>
    </message>
    <message>
        <source>Not saved</source>
        <translation>未保存</translation>
    </message>
    <message>
        <source>The resident was not saved: %1</source>
        <translation>居民信息未保存：%1</translation>
    </message>
    <message>
        <source>Head</source>
        <translation>户主</translation>
    </message>
    <message>
        <source>Spouse</source>
        <translation>配偶</translation>
    </message>
    <message>
        <source>Child</source>
        <translation>子女</translation>
    </message>
    <message>
        <source>Parent</source>
        <translation>父母</translation>
    </message>
    <message>
        <source>Grandchild</source>
        <translation>孙子女</translation>
    </message>
    <message>
        <source>Sibling</source>
        <translation>兄弟姐妹</translation>
    </message>
    <message>
        <source>Other relation</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>年龄</translation>
    </message>
    <message>
        <source>No ID card number yet: check the identity at the next visit</source>
        <translation>尚无身份证号：下次就诊时核实身份</translation>
    </message>
    <message>
        <source>Select a resident to see the household.</source>
        <translation>选择一位居民以查看其家庭户。</translation>
    </message>
    <message>
        <source>%1 belongs to no household yet.</source>
        <translation>%1 尚未归入家庭户。</translation>
    </message>
    <message>
        <source>Household %1 · %2 %3 · %4 members</source>
        <translation>户号 %1 · %2 %3 · 共 %4 人</translation>
    </message>
    <message>
        <source>%1 years</source>
        <translation>%1岁</translation>
    </message>
    <message>
        <source>Search: name, pinyin (zhangsan), initials (zs), last digits of ID or phone</source>
        <translation>搜索：姓名、拼音（zhangsan）、首字母（zs）、身份证号或电话后几位</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <source>%1 found</source>
        <translation>找到 %1 人</translation>
    </message>
    <message>
        <source>%1 residents registered</source>
        <translation>已登记居民 %1 人</translation>
    </message>
    <message>
        <source>This account is locked after repeated wrong passwords. Try again later or ask the clinic admin.</source>
        <translation>密码多次输错，账号已锁定。请稍后再试或联系卫生室管理员。</translation>
    </message>
    <message>
        <source>Wrong user name or password.</source>
        <translation>用户名或密码错误。</translation>
    </message>
    <message>
        <source>Village Clinic — sign in</source>
        <translation>村医助手 — 登录</translation>
    </message>
    <message>
        <source>Village Clinic</source>
        <translation>村医助手</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>Demo clinic. Users: %1</source>
        <translation>演示卫生室。用户：%1</translation>
    </message>
    <message>
        <source>The window locked itself after a time without use. %1, enter your password to go on.</source>
        <translation>长时间未操作，窗口已自动锁定。%1，请输入密码继续。</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>退出登录</translation>
    </message>
</context>
</TS>
