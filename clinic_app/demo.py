"""A demo clinic: villages, households of related people with realistic Chinese names, valid ID numbers,
ages and phones. Deterministic for a given seed."""

from __future__ import annotations

import datetime as dt
import os
import random
from pathlib import Path
from typing import Any

from clinic_app import catalog, drugs
from clinic_app.idcard import check_character
from clinic_app.ids import uuid7
from clinic_app.prices import demo_prices_file, load_prices_locally
from clinic_app.store import Store
from clinic_app.users import User, add_user

DEMO_CLINIC = ("DEMO01", "青石乡示范村卫生室")
DEMO_USERS: dict[str, str] = {
    "admin": "admin1234",
    "doctor": "doctor1234",
    "nurse": "nurse1234",
    "doctor2": "doctor1234",
    "doctor3": "doctor1234",
}
DEMO_ROLES = {
    "admin": ("clinic_admin", "管理员"),
    "doctor": ("village_doctor", "李医生"),
    "nurse": ("nurse", "王护士"),
    "doctor2": ("village_doctor", "张医生"),
    "doctor3": (
        "village_doctor",
        "赵医生",
    ),  # the demo's doctor whose readings end in 0 or 5 (issue 12 point 8)
}

# Surnames with rough weights from the 2020 census frequency order.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
MALE_CHARS = "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"
FEMALE_CHARS = "秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"
VILLAGE_PREFIX = (
    "石头杨家河东河西柳树王家李家张家刘家下庄上庄南岗北岗前进红星新民团结东风向阳青山白塔马营高庙"
)
VILLAGE_SUFFIX = ("村", "庄", "屯", "沟", "湾", "坪")
HOME_COUNTY = "632123"
OTHER_COUNTIES = ("632121", "632122", "630102", "620102", "410105", "510107", "130102")


def _name(rng: random.Random, sex: str, surname: str | None = None) -> str:
    surname = surname or rng.choice(SURNAMES[:40] if rng.random() < 0.8 else SURNAMES)
    pool = MALE_CHARS if sex == "M" else FEMALE_CHARS
    given = rng.choice(pool) if rng.random() < 0.35 else rng.choice(pool) + rng.choice(pool)
    return surname + given


def _id_number(rng: random.Random, born: dt.date, sex: str, used: set[str]) -> str:
    while True:
        area = HOME_COUNTY if rng.random() < 0.85 else rng.choice(OTHER_COUNTIES)
        seq = rng.randrange(0, 1000)
        if (seq % 2 == 1) != (sex == "M"):
            seq = (seq + 1) % 1000
        first17 = f"{area}{born:%Y%m%d}{seq:03d}"
        number = first17 + check_character(first17)
        if number not in used:
            used.add(number)
            return number


def _birth(rng: random.Random, today: dt.date, age_lo: int, age_hi: int) -> dt.date:
    age = rng.randint(max(0, age_lo), max(age_lo, age_hi))
    day = today - dt.timedelta(days=age * 365 + rng.randrange(0, 365))
    return day


def _phone(rng: random.Random) -> str | None:
    if rng.random() < 0.25:
        return None
    return rng.choice(("13", "15", "18", "17", "19")) + "".join(str(rng.randrange(10)) for _ in range(9))


def _village_names(rng: random.Random, count: int) -> list[str]:
    names: list[str] = []
    prefixes = [VILLAGE_PREFIX[i : i + 2] for i in range(0, len(VILLAGE_PREFIX), 2)]
    while len(names) < count:
        name = rng.choice(prefixes) + rng.choice(VILLAGE_SUFFIX)
        if name in names:
            name = f"{name[:-1]}{len(names) + 1}{name[-1]}" if len(names) >= len(prefixes) else ""
        if name and name not in names:
            names.append(name)
    return names


def populate(store: Store, actor: User, residents: int, seed: int = 1, today: dt.date | None = None) -> int:
    """Add ``residents`` generated residents in households across villages, in one unit of work."""
    today = today or dt.date.today()
    rng = random.Random(seed)
    used = {r[0] for r in store.conn.execute("SELECT id_number FROM resident WHERE id_number IS NOT NULL")}
    existing_villages = {
        r[0]: r[1] for r in store.conn.execute("SELECT name, id FROM village WHERE deleted_at IS NULL")
    }
    households_before = store.conn.execute("SELECT count(*) FROM household").fetchone()[0]
    village_count = max(3, residents // 600)
    made = 0
    with store.unit(actor.id, "demo.populate") as uow:
        village_ids = []
        for vname in _village_names(rng, village_count):
            vid = existing_villages.get(vname) or uow.insert("village", {"name": vname, "code": None})
            village_ids.append(vid)
        household_no = households_before
        while made < residents:
            household_no += 1
            vid = rng.choice(village_ids)
            head_id = uuid7()
            hid = uow.insert(
                "household",
                {
                    "code": f"H{household_no:06d}",
                    "village_id": vid,
                    "head_resident_id": head_id,
                    "address": f"{rng.randint(1, 12)}组{rng.randint(1, 80)}号",
                },
            )
            head_sex = "M" if rng.random() < 0.8 else "F"
            head_born = _birth(rng, today, 28, 85)
            surname = rng.choice(SURNAMES[:40] if rng.random() < 0.8 else SURNAMES)
            members: list[tuple[str, str, dt.date, str]] = [
                ("head", head_sex, head_born, _name(rng, head_sex, surname))
            ]
            head_age = today.year - head_born.year
            if rng.random() < 0.8:
                sex = "F" if head_sex == "M" else "M"
                members.append(
                    ("spouse", sex, _birth(rng, today, head_age - 4, head_age + 2), _name(rng, sex))
                )
            for _ in range(rng.choice((0, 1, 1, 2, 2, 3)) if head_age < 70 else rng.choice((0, 0, 1))):
                sex = rng.choice("MF")
                child_hi = min(head_age - 20, 50)
                members.append(("child", sex, _birth(rng, today, 0, child_hi), _name(rng, sex, surname)))
            if head_age < 55 and rng.random() < 0.3:
                sex = rng.choice("MF")
                members.append(
                    ("parent", sex, _birth(rng, today, head_age + 22, head_age + 32), _name(rng, sex))
                )
            for relation, sex, born, name in members[: residents - made]:
                born = min(born, today)
                uow.insert(
                    "resident",
                    {
                        "id": head_id if relation == "head" else uuid7(),
                        "id_number": _id_number(rng, born, sex, used),
                        "document_type": "id_card",
                        "document_number": None,
                        "name": name,
                        "sex": sex,
                        "birth_date": born.isoformat(),
                        "phone": _phone(rng)
                        if relation in ("head", "spouse") or rng.random() < 0.3
                        else None,
                        "village_id": vid,
                        "household_id": hid,
                        "relation_to_head": relation,
                        "needs_identity_check": 0,
                        "note": None,
                    },
                )
                made += 1
        uow.summary = f"demo data: {made} residents in {household_no - households_before} households"
    return made


def create_demo_database(path: Path, key_file: Path, residents: int = 2000, seed: int = 1) -> None:
    """A new demo clinic at ``path`` with its key in ``key_file`` (demo data only: the key sits beside it)."""
    from clinic_app.demo_care import populate_care

    store, _ = Store.initialise(path, *DEMO_CLINIC, key_file=os.fspath(key_file))
    # Demo data only: its many small units of work are not flushed to the disk one by one (a power cut while it
    # is built loses the demo, which is built again); the program opens it later as any clinic, FULL.
    store.conn.execute("PRAGMA synchronous = OFF")
    try:
        admin = None
        for username, password in DEMO_USERS.items():
            role, display = DEMO_ROLES[username]
            user = add_user(store, admin, username, role, password, display_name=display)
            admin = admin or user
        assert admin is not None
        populate(store, admin, residents, seed)
        populate_contracts(store, admin, seed)
        populate_chronic(store, admin, seed)
        catalog.install_catalog(store, drugs.read_catalog_file(catalog.demo_catalog_file()))
        load_prices_locally(store, demo_prices_file())  # the demo's price list of services (made-up prices)
        store.conn.execute(
            "PRAGMA synchronous = OFF"
        )  # (writing the county's rows above set it back to FULL)
        populate_care(store, seed)  # long-term prescriptions, a year of visits, a box sold twice
    finally:
        store.close()


# County parameters of the demo (a real clinic receives them from its county server; amounts are examples).
DEMO_POLICY = {
    "capitation.rate_fen": ("8000", "2020-01-01"),
    "capitation.age_weights": ("[[0, 6, 1.2], [7, 64, 1.0], [65, null, 1.5]]", "2020-01-01"),
    "capitation.quality_reserve_pct": ("10", "2020-01-01"),
    "settlement.ordinary.deductible_fen": ("5000", "2020-01-01"),
    "settlement.ordinary.ratio_pct": ("55", "2020-01-01"),
    "settlement.ordinary.annual_cap_fen": ("40000", "2020-01-01"),
    "settlement.chronic.ratio_pct.hypertension": ("70", "2020-01-01"),
    "settlement.chronic.annual_cap_fen.hypertension": ("150000", "2020-01-01"),
    "settlement.chronic.ratio_pct.diabetes": ("70", "2020-01-01"),
    "settlement.chronic.annual_cap_fen.diabetes": ("200000", "2020-01-01"),
}
DEMO_CONTRACT_LIMIT = (
    5000  # residents considered for contracts (a 100,000-resident benchmark clinic stays quick)
)


def populate_contracts(store: Store, actor: User, seed: int = 1, today: dt.date | None = None) -> int:
    """The demo clinic's family-doctor team, the county's packages and parameters, and contracts for this year:
    about 65 % of residents signed (BASIC, plus ELDERLY from 65), 90 % of those insured; a few last year only
    (renewals due), in one unit of work."""
    import json

    from clinic_app import contracts as C

    today = today or dt.date.today()
    rng = random.Random(seed + 1)
    C.install_reference(store, policy=DEMO_POLICY)
    doctor = store.conn.execute(
        "SELECT username FROM \"user\" WHERE role = 'village_doctor' LIMIT 1"
    ).fetchone()
    nurse = store.conn.execute("SELECT username FROM \"user\" WHERE role = 'nurse' LIMIT 1").fetchone()
    team_id = C.add_team(
        store, actor, "家庭医生一队", doctor[0] if doctor else actor.username, [nurse[0]] if nurse else []
    )
    offered = C.packages(store.conn)
    year = today.year
    start, _end = C.period_bounds(store.conn, year)
    people = store.conn.execute(
        "SELECT id, birth_date, sex, household_id FROM resident WHERE deleted_at IS NULL ORDER BY id LIMIT ?",
        (DEMO_CONTRACT_LIMIT,),
    ).fetchall()
    signed = 0
    with store.unit(actor.id, "demo.contracts") as uow:
        for person in people:
            draw = rng.random()
            if draw > 0.7:
                continue
            period = year - 1 if draw > 0.65 else year  # a few signed only last year: renewals due
            p_start, p_end = C.period_bounds(store.conn, period)
            codes = ["BASIC"] + (["ELDERLY"] if C.age_on(person["birth_date"], p_start) >= 65 else [])
            fee, share = C.fees(offered, codes)
            uow.insert(
                "contract",
                {
                    "resident_id": person["id"],
                    "team_id": team_id,
                    "period": str(period),
                    "period_start": p_start.isoformat(),
                    "period_end": p_end.isoformat(),
                    "packages": json.dumps(codes),
                    "status": "active" if period == year else "expired",
                    "signed_at": f"{p_start.isoformat()}T01:00:00.000Z",
                    "signed_by": actor.id,
                    "consent": "paper",
                    "witness": "示范护士",
                    "fee_fen": fee,
                    "resident_share_fen": share,
                    "fund_share_fen": fee - share,
                    "household_id": person["household_id"],
                },
            )
            if period == year and rng.random() < 0.9:
                uow.insert(
                    "insurance_status",
                    {
                        "id": C.reference_id("insurance_status", f"{person['id']}:{year}"),
                        "resident_id": person["id"],
                        "year": year,
                        "paid": 1,
                        "paid_on": start.isoformat(),
                    },
                )
            signed += 1
        uow.summary = f"demo data: {signed} contracts"
    return signed


# -- chronic care (issue 12 point 13) ------------------------------------------------------------------------
DEMO_CHRONIC_LIMIT = 5000  # residents considered (the 100,000-resident benchmark clinic stays quick)
HYPERTENSION_SHARE = 0.12  # of adults aged 35 or more
DIABETES_SHARE = 0.05
SUSPICIOUS_DOCTOR = "doctor3"  # writes readings ending in 0 or 5 far above chance
HYPERTENSION_DRUGS = (("氨氯地平片", "5 mg", 1), ("缬沙坦胶囊", "80 mg", 1), ("硝苯地平缓释片", "20 mg", 2))
DIABETES_DRUGS = (("二甲双胍片", "0.5 g", 3), ("格列美脲片", "2 mg", 1), ("阿卡波糖片", "50 mg", 3))
REFERRAL_REASONS = {
    "emergency_bp": "血压达到急症水平（≥180/110 mmHg）",
    "emergency_glucose_high": "空腹血糖≥16.7 mmol/L",
    "emergency_glucose_low": "空腹血糖≤3.9 mmol/L",
    "complication": "出现新的并发症或原有并发症加重",
    "second_uncontrolled": "连续两次随访控制不满意",
    "adverse_reaction_persists": "药物不良反应难以控制",
}
REFERRAL_PLACES = (("县人民医院", "心血管内科"), ("县人民医院", "内分泌科"), ("县中医院", "内科"))


def populate_chronic(
    store: Store, actor: User, seed: int = 1, today: dt.date | None = None
) -> tuple[int, int]:
    """Registered hypertension (about 12 %) and type 2 diabetes (about 5 %) patients among the adults aged 35 or
    more, each with one to three years of follow-ups as the rules classify them (clinic_app.chronic: the
    classification, the referral and the next date from the county's intervals): most controlled, some not, some
    overdue (they stopped coming), referrals mostly followed up but a few left open; the visits recorded by the
    demo's village doctors, one of whom (``SUSPICIOUS_DOCTOR``) writes readings ending in 0 or 5. One unit of
    work; the rows are those clinic_app.chronic_records writes. Returns (hypertension, diabetes) registrations."""
    from clinic_app import chronic as K

    today = today or dt.date.today()
    rng = random.Random(seed + 2)
    conn = store.conn
    doctors = [
        (r["id"], r["username"], r["display_name"])
        for r in conn.execute(
            "SELECT id, username, display_name FROM \"user\" WHERE role = 'village_doctor' ORDER BY username"
        )
    ] or [(actor.id, actor.username, actor.display_name)]
    days = K.intervals(conn, today)
    people = conn.execute(
        "SELECT id, birth_date FROM resident WHERE deleted_at IS NULL ORDER BY id LIMIT ?",
        (DEMO_CHRONIC_LIMIT,),
    ).fetchall()
    counts = {"hypertension": 0, "diabetes": 0}
    old_referrals = 0
    uow = _ByAuthor()
    for person in people:
        if K.age_on(person["birth_date"], today) < K.MIN_AGE:
            continue
        for disease, share in (("hypertension", HYPERTENSION_SHARE), ("diabetes", DIABETES_SHARE)):
            if rng.random() >= share:
                continue
            born = dt.date.fromisoformat(person["birth_date"])
            earliest = max(today - dt.timedelta(days=3 * 365), _birthday(born, K.MIN_AGE))
            latest = today - dt.timedelta(days=365)
            if earliest > latest:
                continue  # turned 35 less than a year ago: not a year of follow-ups yet
            confirmed = earliest + dt.timedelta(days=rng.randrange((latest - earliest).days + 1))
            icd = (
                rng.choice(("I10", "I10.x00", "I10.x00", "I11.900"))
                if disease == "hypertension"
                else rng.choice(("E11.900", "E11.900", "E11"))
            )
            code = K.eligibility(disease, icd, born, confirmed)
            stamp = f"{confirmed.isoformat()}T02:00:00.000Z"
            institution = rng.choice(("县人民医院", "乡镇卫生院", "县中医院"))
            approved = (
                rng.random() < 0.4
            )  # the chronic-outpatient qualification, approved on the day confirmed
            rng.random()  # (a draw of old, kept so that the demo's other data stay as they were)
            uow.insert(
                "disease_registration",
                {
                    "resident_id": person["id"],
                    "disease": disease,
                    "icd_code": code.code,
                    "confirmed_on": confirmed.isoformat(),
                    "institution": institution,
                    "qualification_status": "approved" if approved else "none",
                    "qualification_date": confirmed.isoformat()
                    if approved
                    else None,  # (RULES: with its date)
                    "certificate_number": None,
                    "management": "continue",
                    "created_at": stamp,
                },
            )
            old_referrals = _demo_followups(
                uow, rng, K, person["id"], disease, born, confirmed, today, days, doctors, old_referrals
            )
            counts[disease] += 1
    summary = f"demo data: {counts['hypertension']} hypertension and {counts['diabetes']} diabetes patients"
    uow.write(store, actor.id, "demo.chronic", summary)
    return counts["hypertension"], counts["diabetes"]


class _ByAuthor:
    """The demo's chronic-care rows, written afterwards in one unit of work per doctor who recorded them (the
    registrations in the admin's first): a unit's actor is what the county records as a row's author, whatever
    ``created_by`` the row names. A row naming no author goes with the row before it (a follow-up's drugs)."""

    def __init__(self) -> None:
        self.rows: dict[str | None, list[tuple[str, dict[str, Any]]]] = {None: []}
        self._last: str | None = None

    def insert(self, table: str, values: dict[str, Any]) -> str:
        row = {"id": uuid7(), **values}
        author = row.get("created_by") or (None if table == "disease_registration" else self._last)
        self._last = author
        self.rows.setdefault(author, []).append((table, row))
        return str(row["id"])

    def write(self, store: Store, admin_id: str, action: str, summary: str) -> None:
        for author, rows in self.rows.items():  # the registrations first: the others name them
            with store.unit(author or admin_id, action) as unit:
                for table, row in rows:
                    unit.insert(table, row)
                unit.summary = summary if author is None else f"{summary}: the visits of one doctor"


def _birthday(born: dt.date, age: int) -> dt.date:
    try:
        return born.replace(year=born.year + age)
    except ValueError:  # 29 February
        return born.replace(year=born.year + age, day=28)


def _demo_followups(
    uow: Any,
    rng: random.Random,
    K: Any,
    resident_id: str,
    disease: str,
    born: dt.date,
    confirmed: dt.date,
    today: dt.date,
    days: dict[str, int],
    doctors: list[tuple[str, str, str]],
    old_referrals: int,
) -> int:
    """A patient's follow-ups from the day confirmed: each on about the date the previous one proposed."""
    from decimal import Decimal

    tendency = rng.choices(("good", "fair", "poor"), (0.65, 0.25, 0.10))[0]
    base_sbp = {"good": 128, "fair": 142, "poor": 158}[tendency] + rng.randint(-6, 6)
    base_glucose = {"good": 6.2, "fair": 7.4, "poor": 9.5}[tendency]
    stops = rng.random() < 0.15  # stopped coming: overdue
    stop_at = today - dt.timedelta(days=rng.randint(20, 240)) if stops else today
    height = Decimal(rng.randint(150, 178))
    weight = Decimal(rng.randint(48, 88))
    doctor = rng.choice(doctors)
    drugs = HYPERTENSION_DRUGS if disease == "hypertension" else DIABETES_DRUGS
    regimen = rng.sample(drugs, rng.choice((1, 1, 2)))
    previous: str | None = None
    day = confirmed + dt.timedelta(days=rng.randint(0, 10))
    while day <= stop_at:
        if rng.random() < 0.2:
            doctor = rng.choice(doctors)  # another doctor of the clinic saw the patient
        suspicious = doctor[1] == SUSPICIOUS_DOCTOR
        mode = rng.choices(K.VISIT_MODES, (0.7, 0.2, 0.1))[0]
        sbp = base_sbp + round(rng.gauss(0, 9))
        dbp = round(sbp * 0.6) + rng.randint(-8, 8)
        if suspicious:
            sbp, dbp = 5 * round(sbp / 5), 5 * round(dbp / 5)
        bp = K.reading(max(95, min(sbp, 215)), max(55, min(dbp, 125)))
        glucose = None
        if disease == "diabetes":
            glucose = Decimal(str(round(max(4.2, min(rng.gauss(base_glucose, 1.1), 22.0)), 1)))
        adverse = rng.random() < 0.02
        facts = K.VisitFacts(
            disease,
            K.age_on(born, day),
            bp=bp,
            fasting_glucose=glucose,
            adverse_reaction=adverse,
            new_complication=rng.random() < 0.005,
            previous=previous,
        )
        result = K.classify(facts)
        next_date = K.next_visit_date(day, result.interval, days)
        kg = weight + Decimal(rng.randint(-2, 2))
        stamp = f"{day.isoformat()}T0{rng.randint(1, 8)}:{rng.randint(10, 59)}:00.000Z"
        followup_id = uow.insert(
            "followup",
            {
                "resident_id": resident_id,
                "disease": disease,
                "visit_date": day.isoformat(),
                "visit_mode": mode,
                "symptoms": K.as_json_list(["none"]),
                "sbp_1": bp.sbp,
                "dbp_1": bp.dbp,
                "sbp": bp.sbp,
                "dbp": bp.dbp,
                "weight": str(kg),
                "height": str(height),
                "bmi": str(K.bmi(kg, height)),
                "heart_rate": rng.randint(62, 92),
                "salt_intake": rng.choice(K.SALT),
                "adherence": rng.choices(K.ADHERENCE, (0.75, 0.2, 0.05))[0],
                "adverse_reaction": int(adverse),
                "adverse_reaction_text": "踝部水肿" if adverse else None,
                "new_complication": int(facts.new_complication),
                "fasting_glucose": None if glucose is None else str(glucose),
                "glucose_method": None if glucose is None else "capillary",
                "classification": result.classification,
                "classification_rule": result.classification,
                "referral": result.referral,
                "referral_reasons": K.as_json_list(result.reasons),
                "next_visit_date": next_date.isoformat(),
                "doctor_signature": doctor[2],
                "created_by": doctor[0],
                "created_at": stamp,
            },
        )
        for name, dose, times in regimen:
            uow.insert(
                "followup_drug",
                {"followup_id": followup_id, "name": name, "dose": dose, "times_per_day": times},
            )
        if result.referral is not None:
            due = K.referral_due(day, days)
            left_open = due >= today
            if not left_open:
                old_referrals += 1
                left_open = old_referrals % 30 == 1  # a few never followed up
            place, department = rng.choice(REFERRAL_PLACES)
            arrived = rng.random() < 0.85
            uow.insert(
                "referral",
                {
                    "resident_id": resident_id,
                    "disease": disease,
                    "followup_id": followup_id,
                    "referred_on": day.isoformat(),
                    "urgency": result.referral,
                    "reason": "；".join(REFERRAL_REASONS.get(r, r) for r in result.reasons),
                    "institution": place,
                    "department": department,
                    "due_on": due.isoformat(),
                    "status": "open" if left_open else "followed_up",
                    "arrived": None if left_open else int(arrived),
                    "outcome": None if left_open else ("已就诊，调整用药" if arrived else "未去就诊"),
                    "followed_up_on": None
                    if left_open
                    else (day + dt.timedelta(days=rng.randint(3, 13))).isoformat(),
                    "created_at": stamp,
                    "created_by": doctor[0],
                },
            )
            base_sbp -= 10  # treatment adjusted after the referral
            base_glucose -= 1.2
        if mode != "phone":
            previous = result.classification
        day = next_date + dt.timedelta(days=rng.randint(-6, 9))
    return old_referrals
