<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>VillageClinic</name>
    <message>
        <source>Resident</source>
        <translation>居民</translation>
    </message>
    <message>
        <source>Household</source>
        <translation>家庭户</translation>
    </message>
    <message>
        <source>Village</source>
        <translation>村</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Conflict</source>
        <translation>冲突</translation>
    </message>
    <message>
        <source>Contract</source>
        <translation>签约协议</translation>
    </message>
    <message>
        <source>Changed on another device as well</source>
        <translation>另一台设备也修改了这条记录</translation>
    </message>
    <message>
        <source>Deleted on another device</source>
        <translation>已在另一台设备上删除</translation>
    </message>
    <message>
        <source>Signed at two clinics</source>
        <translation>在两家机构签约</translation>
    </message>
    <message>
        <source>(empty)</source>
        <translation>（空）</translation>
    </message>
    <message>
        <source>Resolve a conflict</source>
        <translation>处理冲突</translation>
    </message>
    <message>
        <source>This contract was signed at another clinic as well. A county reviewer decides which one stands; both clinics see the decision after their next sync.</source>
        <translation>该居民本年度也在其他机构签约。由县级审核人员决定保留哪一份协议，两家机构下次同步后都会看到结果。</translation>
    </message>
    <message>
        <source>This record was deleted on another device; your change cannot be kept. Close the conflict to accept the deletion.</source>
        <translation>这条记录已在另一台设备上删除，本机的修改无法保留。关闭此冲突即接受删除。</translation>
    </message>
    <message>
        <source>This record was changed on another device too. Choose, for each item, which value to keep.</source>
        <translation>这条记录在另一台设备上也被修改了。请逐项选择保留哪个值。</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>项目</translation>
    </message>
    <message>
        <source>This device's value</source>
        <translation>本机的值</translation>
    </message>
    <message>
        <source>Value on the server</source>
        <translation>服务器上的值</translation>
    </message>
    <message>
        <source>Keep all of mine</source>
        <translation>全部保留本机的</translation>
    </message>
    <message>
        <source>Keep all of the server's</source>
        <translation>全部采用服务器的</translation>
    </message>
    <message>
        <source>Save the choice</source>
        <translation>保存选择</translation>
    </message>
    <message>
        <source>Decide later</source>
        <translation>稍后处理</translation>
    </message>
    <message>
        <source>Save as PDF…</source>
        <translation>另存为PDF…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Provisional</source>
        <translation>待确认</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>有效</translation>
    </message>
    <message>
        <source>Terminated</source>
        <translation>已解约</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>已到期</translation>
    </message>
    <message>
        <source>In conflict</source>
        <translation>有冲突</translation>
    </message>
    <message>
        <source>Name, pinyin or ID number of the resident to sign</source>
        <translation>输入要签约居民的姓名、拼音或身份证号</translation>
    </message>
    <message>
        <source>Sign…</source>
        <translation>签约…</translation>
    </message>
    <message>
        <source>Sign the household…</source>
        <translation>家庭签约…</translation>
    </message>
    <message>
        <source>Teams…</source>
        <translation>团队…</translation>
    </message>
    <message>
        <source>Contract year</source>
        <translation>签约年度</translation>
    </message>
    <message>
        <source>Renew</source>
        <translation>续约</translation>
    </message>
    <message>
        <source>Terminate…</source>
        <translation>解约…</translation>
    </message>
    <message>
        <source>Change team…</source>
        <translation>转团队…</translation>
    </message>
    <message>
        <source>Print contract…</source>
        <translation>打印协议…</translation>
    </message>
    <message>
        <source>Renewals due within 30 days</source>
        <translation>30天内到期待续约</translation>
    </message>
    <message>
        <source>Renewals due within 60 days</source>
        <translation>60天内到期待续约</translation>
    </message>
    <message>
        <source>Residents never signed</source>
        <translation>从未签约的居民</translation>
    </message>
    <message>
        <source>Signed but not insured this year</source>
        <translation>已签约但本年度未参保</translation>
    </message>
    <message>
        <source>Export to Excel…</source>
        <translation>导出Excel…</translation>
    </message>
    <message>
        <source>Contracts</source>
        <translation>签约</translation>
    </message>
    <message>
        <source>Worklists</source>
        <translation>工作清单</translation>
    </message>
    <message>
        <source>Capitation ledger</source>
        <translation>人头费台账</translation>
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
        <source>Team</source>
        <translation>团队</translation>
    </message>
    <message>
        <source>Packages</source>
        <translation>服务包</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Signed</source>
        <translation>签约日期</translation>
    </message>
    <message>
        <source>Fee (yuan)</source>
        <translation>费用（元）</translation>
    </message>
    <message>
        <source>Ends</source>
        <translation>到期日</translation>
    </message>
    <message>
        <source>Birth date</source>
        <translation>出生日期</translation>
    </message>
    <message>
        <source>No ledger: %1</source>
        <translation>无法生成台账：%1</translation>
    </message>
    <message>
        <source>Contracted and insured: %1 (provisional %2; contracted, not insured %3)</source>
        <translation>签约且参保：%1 人（待县级确认 %2 人；签约未参保 %3 人）</translation>
    </message>
    <message>
        <source>Budget for the year: %1 yuan (%2 yuan a head)</source>
        <translation>年度预算：%1 元（每人 %2 元）</translation>
    </message>
    <message>
        <source>Quality reserve %1 %: %2 yuan</source>
        <translation>质量保证金 %1%：%2 元</translation>
    </message>
    <message>
        <source>Paid in advance to date: %1 yuan</source>
        <translation>至今预拨：%1 元</translation>
    </message>
    <message>
        <source>Spent to date: %1 yuan</source>
        <translation>至今支出：%1 元</translation>
    </message>
    <message>
        <source>Surplus to date: %1 yuan</source>
        <translation>至今结余：%1 元</translation>
    </message>
    <message>
        <source>Forecast at year end: spending %1, surplus %2 yuan</source>
        <translation>预计年末：支出 %1 元，结余 %2 元</translation>
    </message>
    <message>
        <source>No outpatient visits are recorded yet: spending counts from when they are.</source>
        <translation>尚未记录门诊就诊：有就诊记录后开始计算支出。</translation>
    </message>
    <message>
        <source>Sign a contract</source>
        <translation>签约</translation>
    </message>
    <message>
        <source>Type the name or ID number of one resident.</source>
        <translation>请输入一位居民的姓名或身份证号。</translation>
    </message>
    <message>
        <source>Moved away</source>
        <translation>迁出</translation>
    </message>
    <message>
        <source>Unreachable for a year</source>
        <translation>失联满一年</translation>
    </message>
    <message>
        <source>Refused the service</source>
        <translation>拒绝服务</translation>
    </message>
    <message>
        <source>At the resident's request</source>
        <translation>居民主动要求</translation>
    </message>
    <message>
        <source>Deceased</source>
        <translation>死亡</translation>
    </message>
    <message>
        <source>Terminate</source>
        <translation>解约</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Change team</source>
        <translation>转团队</translation>
    </message>
    <message>
        <source>Print contract</source>
        <translation>打印协议</translation>
    </message>
    <message>
        <source>Not saved</source>
        <translation>未保存</translation>
    </message>
    <message>
        <source>This clinic has records on the county server already. Set this computer up with a new, empty database (first start → join my clinic); it receives everything.</source>
        <translation>该诊所在县级平台上已有数据。请在这台电脑上新建一个空数据库（首次使用 → 加入本诊所），它会收到全部数据。</translation>
    </message>
    <message>
        <source>The county server cannot be reached. Check the address and the network, then try again.</source>
        <translation>连不上县级平台。请检查地址和网络后重试。</translation>
    </message>
    <message>
        <source>The county server refused the code: it is wrong, used already or expired. Ask the county for a new one.</source>
        <translation>县级平台拒绝了这个登记码：码有误、已被使用或已过期。请向县里申请新的登记码。</translation>
    </message>
    <message>
        <source>The county server needs a newer Village Clinic. Update it first.</source>
        <translation>县级平台需要更新版本的村医助手，请先升级。</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <source>County server</source>
        <translation>县级平台地址</translation>
    </message>
    <message>
        <source>Enrollment code</source>
        <translation>登记码</translation>
    </message>
    <message>
        <source>Name of this computer</source>
        <translation>本机名称</translation>
    </message>
    <message>
        <source>County CA certificate (if the county has its own)</source>
        <translation>县级 CA 证书（县里自建证书时填写）</translation>
    </message>
    <message>
        <source>County CA certificate</source>
        <translation>县级 CA 证书</translation>
    </message>
    <message>
        <source>Enter the county server's address.</source>
        <translation>请输入县级平台的地址。</translation>
    </message>
    <message>
        <source>The address starts with https://</source>
        <translation>地址应以 https:// 开头</translation>
    </message>
    <message>
        <source>Enter the enrollment code the county gave you.</source>
        <translation>请输入县里给的登记码。</translation>
    </message>
    <message>
        <source>Enroll this device</source>
        <translation>登记本机</translation>
    </message>
    <message>
        <source>Enroll</source>
        <translation>登记</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>The county gives each computer a one-time enrollment code. After enrolling, this computer sends its changes and receives the clinic's whenever it is online.</source>
        <translation>县里为每台电脑发放一次性登记码。登记后，只要联网，本机就会上传自己的修改并接收本诊所的数据。</translation>
    </message>
    <message>
        <source>Village Clinic — first start</source>
        <translation>村医助手 — 首次使用</translation>
    </message>
    <message>
        <source>There is no clinic database on this computer yet.</source>
        <translation>这台电脑上还没有诊所数据库。</translation>
    </message>
    <message>
        <source>Join my clinic (the county gave me an enrollment code)</source>
        <translation>加入本诊所（已有县里给的登记码）</translation>
    </message>
    <message>
        <source>Start a new clinic database</source>
        <translation>新建诊所数据库</translation>
    </message>
    <message>
        <source>Key file (this computer has no keyring)</source>
        <translation>密钥文件（本机没有系统密钥库）</translation>
    </message>
    <message>
        <source>Join and receive the clinic's data</source>
        <translation>加入并接收本诊所数据</translation>
    </message>
    <message>
        <source>Clinic code</source>
        <translation>诊所编码</translation>
    </message>
    <message>
        <source>Clinic name</source>
        <translation>诊所名称</translation>
    </message>
    <message>
        <source>Administrator's user name</source>
        <translation>管理员用户名</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Password again</source>
        <translation>再次输入密码</translation>
    </message>
    <message>
        <source>Create the clinic database</source>
        <translation>创建诊所数据库</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <source>a file on a USB stick kept apart from this computer</source>
        <translation>存放在与电脑分开保管的U盘上的文件</translation>
    </message>
    <message>
        <source>Name a key file: this computer has no keyring.</source>
        <translation>本机没有系统密钥库，请指定密钥文件。</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
    <message>
        <source>Enter the clinic's code and name.</source>
        <translation>请输入诊所编码和名称。</translation>
    </message>
    <message>
        <source>No ledger for this period.</source>
        <translation>本年度暂无台账。</translation>
    </message>
    <message>
        <source>yuan</source>
        <translation>元</translation>
    </message>
    <message>
        <source>mo</source>
        <translation>月</translation>
    </message>
    <message>
        <source>Budget paid in advance</source>
        <translation>按月预拨</translation>
    </message>
    <message>
        <source>Spending</source>
        <translation>支出</translation>
    </message>
    <message>
        <source>Residents</source>
        <translation>居民</translation>
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
        <source>● Syncing…</source>
        <translation>● 正在同步…</translation>
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
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>Relation to head</source>
        <translation>与户主关系</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
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
        <source>Save</source>
        <translation>保存</translation>
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
        <source>Household %1</source>
        <translation>户号 %1</translation>
    </message>
    <message>
        <source>%1 members</source>
        <translation>共 %1 人</translation>
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
        <source>Added %1 to the residents.</source>
        <translation>已新增居民：%1</translation>
    </message>
    <message>
        <source>Saved the changes to %1.</source>
        <translation>已保存 %1 的修改。</translation>
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
        <source>%1 yuan</source>
        <translation>%1 元</translation>
    </message>
    <message>
        <source>Sign a household</source>
        <translation>家庭签约</translation>
    </message>
    <message>
        <source>resident pays %1</source>
        <translation>个人承担 %1</translation>
    </message>
    <message>
        <source>Signed on the paper form</source>
        <translation>在纸质协议上签名</translation>
    </message>
    <message>
        <source>Signed on the screen</source>
        <translation>在屏幕上签名</translation>
    </message>
    <message>
        <source>who witnessed the signature</source>
        <translation>签名见证人</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <source>Insurance premium paid for this year</source>
        <translation>本年度医保已缴费</translation>
    </message>
    <message>
        <source>Sign</source>
        <translation>签约</translation>
    </message>
    <message>
        <source>This clinic has no family-doctor team yet: a clinic admin adds one first.</source>
        <translation>本机构还没有家庭医生团队：请管理员先建立团队。</translation>
    </message>
    <message>
        <source>Service packages</source>
        <translation>服务包</translation>
    </message>
    <message>
        <source>Consent</source>
        <translation>知情同意</translation>
    </message>
    <message>
        <source>Asking the county…</source>
        <translation>正在向县级平台核实…</translation>
    </message>
    <message>
        <source>Choose at least one service package.</source>
        <translation>请至少选择一个服务包。</translation>
    </message>
    <message>
        <source>The resident signs on the screen first.</source>
        <translation>请居民先在屏幕上签名。</translation>
    </message>
    <message>
        <source>Name who witnessed the signature on the paper form.</source>
        <translation>请填写纸质协议签名的见证人。</translation>
    </message>
    <message>
        <source>%1 has signed with another clinic for this year: %2</source>
        <translation>%1 本年度已在其他机构签约：%2</translation>
    </message>
    <message>
        <source>%1 has a contract for this year already: %2</source>
        <translation>%1 本年度已有签约：%2</translation>
    </message>
    <message>
        <source>%1 cannot have this package: %2</source>
        <translation>%1 不符合服务包条件：%2</translation>
    </message>
    <message>
        <source>%1 is for residents aged %2 or more when the period starts (this resident: %3)</source>
        <translation>%1 适用于签约周期开始时年满 %2 岁的居民（该居民 %3 岁）</translation>
    </message>
    <message>
        <source>%1 is for residents aged up to %2 when the period starts (this resident: %3)</source>
        <translation>%1 适用于签约周期开始时不超过 %2 岁的居民（该居民 %3 岁）</translation>
    </message>
    <message>
        <source>%1 is for women</source>
        <translation>%1 仅适用于女性</translation>
    </message>
    <message>
        <source>%1 is for men</source>
        <translation>%1 仅适用于男性</translation>
    </message>
    <message>
        <source>%1 is signed together with package %2</source>
        <translation>%1 须与服务包 %2 一起签约</translation>
    </message>
    <message>
        <source>%1 needs a registration of the disease (%2)</source>
        <translation>%1 须先登记相应疾病（%2）</translation>
    </message>
    <message>
        <source>signed for %1 with team %2 already (one team per year)</source>
        <translation>%1 年度已与 %2 签约（每年只能与一个团队签约）</translation>
    </message>
    <message>
        <source>no service package %1</source>
        <translation>没有服务包 %1</translation>
    </message>
    <message>
        <source> (or another group it serves)</source>
        <translation>（或该服务包的其他适用人群）</translation>
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
    <message>
        <source>● Online</source>
        <translation>● 在线</translation>
    </message>
    <message>
        <source>● Offline</source>
        <translation>● 离线</translation>
    </message>
    <message>
        <source>● Offline — not enrolled with a county server</source>
        <translation>● 离线 — 尚未接入县级平台</translation>
    </message>
    <message>
        <source>● The county server refused this device: enroll it again</source>
        <translation>● 县级平台拒绝了本机：请重新登记</translation>
    </message>
    <message>
        <source>● Update Village Clinic to sync again (work goes on offline)</source>
        <translation>● 请升级村医助手后再同步（可继续离线工作）</translation>
    </message>
    <message>
        <source>Synced</source>
        <translation>已同步</translation>
    </message>
    <message>
        <source>Synced; conflicts wait</source>
        <translation>已同步，有冲突待处理</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>Refused: enroll again</source>
        <translation>被拒绝：请重新登记</translation>
    </message>
    <message>
        <source>Update needed</source>
        <translation>需要升级</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>By hand</source>
        <translation>手动</translation>
    </message>
    <message>
        <source>Scheduled</source>
        <translation>定时</translation>
    </message>
    <message>
        <source>At start</source>
        <translation>启动时</translation>
    </message>
    <message>
        <source>Enrollment</source>
        <translation>登记</translation>
    </message>
    <message>
        <source>Command line</source>
        <translation>命令行</translation>
    </message>
    <message>
        <source>Sending changes…</source>
        <translation>正在上传修改…</translation>
    </message>
    <message>
        <source>Receiving changes…</source>
        <translation>正在接收修改…</translation>
    </message>
    <message>
        <source>Comparing with the server…</source>
        <translation>正在与服务器核对…</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>正在开始…</translation>
    </message>
    <message>
        <source>The county server could not be reached; nothing was lost.</source>
        <translation>连不上县级平台；没有丢失任何数据。</translation>
    </message>
    <message>
        <source>The county server refused this device's token.</source>
        <translation>县级平台拒绝了本机的凭证。</translation>
    </message>
    <message>
        <source>The county server needs a newer version.</source>
        <translation>县级平台需要更新的版本。</translation>
    </message>
    <message>
        <source>Checked: this computer holds what the server holds.</source>
        <translation>已核对：本机数据与服务器一致。</translation>
    </message>
    <message>
        <source>Checked: some tables differed and were read again (%1)</source>
        <translation>已核对：部分数据表不一致，已重新读取（%1）</translation>
    </message>
    <message>
        <source>Decided</source>
        <translation>已处理</translation>
    </message>
    <message>
        <source>Kept the server's version</source>
        <translation>保留服务器的版本</translation>
    </message>
    <message>
        <source>Kept the device's version</source>
        <translation>保留设备上的版本</translation>
    </message>
    <message>
        <source>Chosen field by field</source>
        <translation>逐项选择</translation>
    </message>
    <message>
        <source>The later contract stands</source>
        <translation>保留后签的协议</translation>
    </message>
    <message>
        <source>The later contract was cancelled</source>
        <translation>后签的协议已取消</translation>
    </message>
    <message>
        <source>County (%1): %2</source>
        <translation>县级审核（%1）：%2</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>立即同步</translation>
    </message>
    <message>
        <source>Enroll this device…</source>
        <translation>登记本机…</translation>
    </message>
    <message>
        <source>Resolve…</source>
        <translation>处理…</translation>
    </message>
    <message>
        <source>Correct…</source>
        <translation>修改…</translation>
    </message>
    <message>
        <source>Send again</source>
        <translation>重新发送</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <source>How</source>
        <translation>方式</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>上传</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>接收</translation>
    </message>
    <message>
        <source>Conflicts</source>
        <translation>冲突</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>被退回</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>说明</translation>
    </message>
    <message>
        <source>Since</source>
        <translation>发生时间</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>记录</translation>
    </message>
    <message>
        <source>What happened</source>
        <translation>情况</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>涉及项目</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>处理结果</translation>
    </message>
    <message>
        <source>Show decided ones too</source>
        <translation>同时显示已处理的</translation>
    </message>
    <message>
        <source>Changed</source>
        <translation>修改时间</translation>
    </message>
    <message>
        <source>Why the server refused it</source>
        <translation>退回原因</translation>
    </message>
    <message>
        <source>County server: %1 · this device belongs to clinic %2</source>
        <translation>县级平台：%1 · 本机属于诊所 %2</translation>
    </message>
    <message>
        <source>This device is not enrolled: it works offline and keeps every change for later.</source>
        <translation>本机尚未登记：可离线工作，所有修改都会保存，待登记后上传。</translation>
    </message>
    <message>
        <source>sent %1, received %2</source>
        <translation>已上传 %1 条，已接收 %2 条</translation>
    </message>
    <message>
        <source>History</source>
        <translation>同步记录</translation>
    </message>
    <message>
        <source>Conflicts (%1)</source>
        <translation>冲突（%1）</translation>
    </message>
    <message>
        <source>Refused changes (%1)</source>
        <translation>被退回的修改（%1）</translation>
    </message>
    <message>
        <source>Family-doctor teams</source>
        <translation>家庭医生团队</translation>
    </message>
    <message>
        <source>Lead</source>
        <translation>团队长</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>成员</translation>
    </message>
    <message>
        <source>Add the team</source>
        <translation>添加团队</translation>
    </message>
    <message>
        <source>Team name</source>
        <translation>团队名称</translation>
    </message>
    <message>
        <source>Lead doctor</source>
        <translation>团队长（医生）</translation>
    </message>
    <message>
        <source>A new team</source>
        <translation>新建团队</translation>
    </message>
    <message>
        <source>Only a clinic admin adds teams.</source>
        <translation>只有机构管理员可以添加团队。</translation>
    </message>
    <message>
        <source>A team name has 1-40 characters.</source>
        <translation>团队名称为1-40个字。</translation>
    </message>
    <message>
        <source>There is a team of that name already.</source>
        <translation>已有同名团队。</translation>
    </message>
</context>
</TS>
