"""`clinic chronic …`, `clinic followup add`, `clinic referral follow-up`, `clinic worklist …`: chronic-disease care
on the command line (issue 12; the rules are clinic_app.chronic's, the records clinic_app.chronic_records')."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from clinic_app import chronic as K
from clinic_app import chronic_records as H
from clinic_app import rx_cli
from clinic_app.cli_core import REVEAL_HELP, Commands, Context, out, whole
from clinic_app.contract_cli import resident_by_number
from clinic_app.digits import parse_date
from clinic_app.errors import ValidationError
from clinic_app.labels import label

REGISTER_OPTIONS = {
    "icd_code": "--icd",
    "confirmed_on": "--confirmed",
    "institution": "--institution",
    "qualification_status": "--qualification",
    "qualification_date": "--qualification-date",
    "certificate_number": "--certificate",
}


def cmd_chronic_register(ctx: Context) -> int:
    a = ctx.args
    actor = ctx.actor()
    with _options(**REGISTER_OPTIONS):
        resident = resident_by_number(ctx.store, a.resident)
        H.register(
            ctx.store,
            actor,
            resident["id"],
            a.disease,
            a.icd,
            a.confirmed,
            institution=a.institution,
            qualification_status=a.qualification,
            qualification_date=a.qualification_date,
            certificate_number=a.certificate,
        )
    held = H.registration(ctx.store.conn, resident["id"], a.disease)
    assert held is not None
    out(
        f"{resident['name']}: {label('disease', a.disease)} registered ({held['icd_code']}, confirmed "
        f"{held['confirmed_on']})"
    )
    out(str(held["id"]))
    return 0


def _registered(ctx: Context) -> tuple[dict[str, Any], dict[str, Any]]:
    """The resident (--resident) and their registration of --disease; a refusal when there is none."""
    resident = resident_by_number(ctx.store, ctx.args.resident)
    held = H.registration(ctx.store.conn, resident["id"], ctx.args.disease)
    if held is None:
        raise ValidationError(
            "disease", "not_registered", f"{resident['name']} has no {ctx.args.disease} registration"
        )
    return resident, held


def cmd_chronic_end(ctx: Context) -> int:
    a = ctx.args
    actor = ctx.actor()
    with _options(management="--outcome", reason="--reason", date="--date"):
        resident = resident_by_number(ctx.store, a.resident)
        held = H.registration(ctx.store.conn, resident["id"], a.disease)
        if held is None:
            raise ValidationError(
                "disease", "not_registered", f"{resident['name']} has no {a.disease} registration"
            )
        H.end_management(ctx.store, actor, held["id"], a.outcome, a.reason, a.date)
    out(f"{resident['name']}: management of {a.disease} ended ({a.outcome})")
    return 0


# the options of `followup add` and `followup correct` by the field each fills (a refusal names the option typed)
OPTIONS = {
    "sbp_1": "--sbp",
    "dbp_1": "--dbp",
    "sbp_2": "--sbp2",
    "dbp_2": "--dbp2",
    "fasting_glucose": "--fpg",
    "glucose_method": "--glucose-method",
    "visit_date": "--date",
    "visit_mode": "--mode",
    "heart_rate": "--heart-rate",
    "weight": "--weight",
    "height": "--height",
    "adherence": "--adherence",
    "adverse_reaction_text": "--adverse-reaction-text",
    "complication_text": "--complication-text",
    "symptoms": "--symptom",
    "symptom_other": "--symptom-other",
    "classification_override": "--override",
    "next_visit_date": "--next",
    "refer": "--refer",
    "referral_reason": "--referral-reason",
    "referral_institution": "--referral-institution",
    "referral_department": "--referral-department",
}


@contextmanager
def _options(**named: str) -> Iterator[None]:
    """A refusal inside names the option the person typed (``--sbp``, not the row's ``sbp_1``): OPTIONS and
    ``named`` (field=option) map the domain's field names."""
    try:
        yield
    except ValidationError as e:
        raise _as_option(e, named) from None


def _as_option(error: ValidationError, reasons: Mapping[str, str]) -> ValidationError:
    name = error.field
    options = {"resident": "--resident", "disease": "--disease", **OPTIONS, **reasons}
    if name.startswith("drugs[") and "]" in name:
        option = f"--drug {name[6 : name.index(']')]}"
    elif name in ("sbp", "dbp"):
        option = f"--{name}"
    elif name == "reading":
        option = "--sbp/--dbp or --fpg"
    else:
        option = options.get(name, name)
    said, held = option.lstrip("-").replace("-", "").lower(), name.replace("_", "")
    if option != name and said not in held and held not in said and not name.startswith("drugs["):
        option = f"{option} ({name})"  # --fpg (fasting_glucose): the option typed, and what it holds
    return ValidationError(option, error.rule, error.message, error.details)


def _reading_options(a: Any) -> dict[str, Any]:
    """The fields the reading options give (``followup add``; ``followup correct``: those typed)."""
    given = {
        "visit_date": a.date,
        "visit_mode": a.mode,
        "symptoms": a.symptom,
        "symptom_other": a.symptom_other,
        "sbp_1": a.sbp,
        "dbp_1": a.dbp,
        "sbp_2": a.sbp2,
        "dbp_2": a.dbp2,
        "weight": a.weight,
        "height": a.height,
        "heart_rate": a.heart_rate,
        "fasting_glucose": a.fpg,
        "glucose_method": a.glucose_method,
        "adherence": a.adherence,
        "adverse_reaction": a.adverse_reaction,
        "adverse_reaction_text": a.adverse_reaction_text,
        "new_complication": a.new_complication,
        "complication_text": a.complication_text,
        "drugs": None if a.drug is None else [_drug(text) for text in a.drug],
        "classification_override": a.override,
        "next_visit_date": a.next,
        "refer": a.refer,
        "referral_reason": a.referral_reason,
        "referral_institution": a.referral_institution,
        "referral_department": a.referral_department,
    }
    return {name: value for name, value in given.items() if value is not None}


def cmd_chronic_qualify(ctx: Context) -> int:
    """The chronic-outpatient qualification (门诊慢特病认定) approved on a day: what type-14 visits need."""
    a = ctx.args
    actor = ctx.actor()
    resident, held = _registered(ctx)
    before = held.get("qualification_date") if held.get("qualification_status") == "approved" else None
    changed = H.set_qualification(ctx.store, actor, held["id"], "approved", a.on, a.certificate)
    if not changed:
        said = " (already recorded so: nothing changed)"
    elif before and before != parse_date("on", a.on).isoformat():
        said = f" (it replaces the approval of {before})"
    else:
        said = ""
    out(f"{resident['name']}: chronic-outpatient qualification for {a.disease} approved on {a.on}{said}")
    return 0


def cmd_followup_add(ctx: Context) -> int:
    a = ctx.args
    actor = ctx.actor()
    with _options(override_reason="--reason"):
        resident = resident_by_number(ctx.store, a.resident)
        data = H.FollowupInput(
            resident_id=resident["id"], disease=a.disease, **_reading_options(a), override_reason=a.reason
        )
        result = H.add_followup(ctx.store, actor, data)
    return _print_result(a, resident["name"], str(data.visit_date), result)


def cmd_followup_correct(ctx: Context) -> int:
    """A correction: the follow-up as recorded, with the options typed put in; a new row that supersedes it."""
    a = ctx.args
    actor = ctx.actor()
    conn = ctx.store.conn
    with _options(override_reason="--override-reason", correction_reason="--reason", followup="FOLLOWUP_ID"):
        old = H.input_of(conn, a.followup)
        given = _reading_options(a)
        if a.override_reason is not None:
            given["override_reason"] = a.override_reason
        if a.override == "rules":
            given["classification_override"], given["override_reason"] = None, None
        elif (
            a.override is not None and a.override_reason is None and a.override != old.classification_override
        ):
            given["override_reason"] = None  # a new classification of the doctor's needs its own reason
        data = replace(old, **given)
        result = H.supersede_followup(ctx.store, actor, a.followup, data, a.reason)
    name = conn.execute("SELECT name FROM resident WHERE id = ?", (old.resident_id,)).fetchone()[0]
    return _print_result(a, name, str(data.visit_date), result, corrected=a.followup)


def _print_result(a: Any, name: str, day: str, result: H.FollowupResult, corrected: str | None = None) -> int:
    if a.json:
        shown = result.as_dict()
        if corrected is not None:
            shown["supersedes"] = corrected
        out(json.dumps(shown, ensure_ascii=False, indent=1))
        return 0
    if corrected is not None:
        out(f"follow-up {corrected} corrected (it stays, shown as corrected)")
    override = (
        f" (the rules: {result.classification_rule}; overridden)"
        if result.classification_rule != result.classification
        else ""
    )
    out(f"{name} {day}: {result.classification} {label('classification', result.classification)}{override}")
    if result.referral is None:
        out("referral: none")
    else:
        out(f"referral: {result.referral} {label('urgency', result.referral)} ({', '.join(result.reasons)})")
    out(f"next visit: {result.next_visit_date.isoformat()}")
    out(result.id)
    return 0


def cmd_followup_list(ctx: Context) -> int:
    """A patient's follow-ups, newest first, the corrected ones too (marked, with who corrected them, when, why)."""
    a = ctx.args
    with _options():
        resident = resident_by_number(ctx.store, a.resident)
    rows = [
        r
        for r in H.visit_history(ctx.store.conn, resident["id"])
        if a.disease is None or r["disease"] == a.disease
    ]
    if a.json:
        out(json.dumps([H.followup_json(r) for r in rows], ensure_ascii=False, indent=1))
        return 0
    for r in rows:
        reading = f"{r['sbp']}/{r['dbp']} mmHg" if r["sbp"] is not None else ""
        if r["fasting_glucose"] is not None:
            reading = f"{reading} FPG {r['fasting_glucose']}".strip()
        line = (
            f"{r['visit_date']}\t{label('disease', r['disease'])}\t{label('visit_mode', r['visit_mode'])}\t"
            f"{reading or '-'}\t{label('classification', r['classification'])}\tnext {r['next_visit_date']}\t{r['id']}"
        )
        if r["corrected_by"] is not None:
            line += (
                f"\tCORRECTED by {r['corrected_user'] or '?'} at {r['corrected_at']} "
                f"({r['corrected_because']}): see {r['corrected_by']}"
            )
        elif r["supersedes"] is not None:
            line += f"\tcorrects {r['supersedes']} ({r['correction_reason']})"
        out(line)
    corrected = sum(r["corrected_by"] is not None for r in rows)
    out(f"{len(rows)} follow-up(s), {corrected} of them corrected")
    return 0


def _drug(text: str) -> H.DrugInput:
    """NAME[:DOSE[:TIMES_A_DAY]], as ``--drug 苯磺酸氨氯地平片:5mg:1``."""
    parts = [p.strip() for p in text.replace("：", ":").split(":")]
    if len(parts) > 3:
        raise ValidationError("--drug", "format", "write a drug as NAME[:DOSE[:TIMES_A_DAY]]")
    name, dose, times = [*parts, None, None][:3]
    return H.DrugInput(name or "", dose or None, times or None)


def cmd_referral_follow_up(ctx: Context) -> int:
    a = ctx.args
    actor = ctx.actor()
    with _options(outcome="--outcome", date="--date", referral="REFERRAL_ID"):
        H.record_referral_followup(ctx.store, actor, a.referral, a.arrived == "yes", a.outcome, a.date)
    out(f"referral {a.referral} followed up")
    return 0


LISTS = ("overdue", "due", "referrals", "short", "refills")  # refills: clinic_app.rx_cli


def worklist_rows(ctx: Context, which: str, today: dt.date, days: int) -> list[dict[str, Any]]:
    """Every row of a worklist, a page at a time."""
    conn, clinic = ctx.store.conn, ctx.store.clinic_id
    rows: list[dict[str, Any]] = []
    after: Any = None
    while True:
        if which == "overdue":
            page = H.overdue_page(conn, clinic, today, after=after)
            key = H.cursor
        elif which == "due":
            page = H.due_page(conn, clinic, today, days, after=after)
            key = H.cursor
        elif which == "referrals":
            page = H.referral_page(conn, clinic, today, after=after)
            key = H.referral_cursor
        else:
            page = H.short_page(conn, clinic, today, after=after)
            key = H.short_cursor
        rows += page
        if len(page) < 200:
            return rows
        after = key(page[-1])


def cmd_worklist(ctx: Context) -> int:
    a = ctx.args
    today = dt.date.today()
    if not 1 <= a.days <= 366:
        raise ValidationError("--days", "range", "1-366 days")
    if a.list == "refills":  # long-term prescriptions: their own rows (clinic_app.rx_cli)
        rows = rx_cli.refill_rows(ctx, today, a.days)
    else:
        rows = worklist_rows(ctx, a.list, today, a.days)
    for r in rows:
        if a.list == "referrals":
            r["reason_text"] = H.reason_words(r["reason"])
        r.pop("name_pinyin", None)
    ctx.id_numbers(rows, f"worklist {a.list}")
    if a.json:
        out(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    if a.list == "refills":
        rx_cli.print_refills(rows)
        return 0
    for r in rows:
        disease = label("disease", r["disease"])
        if a.list in ("overdue", "due"):
            last = (
                f"last {r['visit_date']} {label('classification', r['classification'])}"
                if r["followup_id"]
                else "no follow-up yet"
            )
            late = f"{r['days_overdue']} days overdue" if a.list == "overdue" else "due"
            out(f"{r['due_on']}\t{late}\t{r['name']}\t{disease}\t{last}\t{r['phone'] or ''}")
        elif a.list == "referrals":
            late = f"{r['days_overdue']} days overdue" if r["days_overdue"] else f"follow up by {r['due_on']}"
            out(
                f"{r['due_on']}\t{late}\t{r['name']}\t{disease}\t{r['urgency']}\t{H.reason_words(r['reason'])}\t"
                f"{r['institution'] or ''}\t{r['referral_id']}"
            )
        else:
            out(
                f"{r['name']}\t{disease}\t{r['done']} of {K.FACE_TO_FACE_PER_YEAR} face-to-face\t"
                f"{r['left']} left\t{r['weeks_left']} weeks left"
            )
    out(f"{len(rows)} {'referral' if a.list == 'referrals' else 'patient'}(s)")
    return 0


CORRECT_HELP = (
    "correct a follow-up: a new one that supersedes it (the old stays, shown as corrected); the options typed "
    "replace what was recorded, the rest is kept; classified afresh"
)
LIST_HELP = (
    "a patient's follow-ups, newest first, the corrected ones too (marked CORRECTED, with who, when, why)"
)
QUALIFY_HELP = (
    "record the chronic-outpatient qualification (门诊慢特病认定) approved on a day: type-14 visits need it"
)


def add_commands(commands: Commands) -> None:
    sub, leaf = commands.sub, commands.leaf
    diseases = ", ".join(K.DISEASES)

    group = commands.group("chronic", "chronic-disease registrations (hypertension, type 2 diabetes)")
    p = leaf(
        group,
        "register",
        cmd_chronic_register,
        "register a resident's hypertension or type 2 diabetes (RULES §3/§4: 35 or older, I10-I13, E11)",
        writes=True,
    )
    p.add_argument("--resident", required=True, metavar="ID_NUMBER")
    p.add_argument("--disease", required=True, choices=K.DISEASES)
    p.add_argument("--icd", required=True, metavar="CODE", help="ICD-10, e.g. I10, I10.x00, E11.900")
    p.add_argument("--confirmed", required=True, metavar="DATE", help="the day the diagnosis was confirmed")
    p.add_argument("--institution", metavar="NAME", help="the confirming institution")
    p.add_argument(
        "--qualification",
        choices=K.QUALIFICATION,
        default="none",
        help="chronic-outpatient qualification (门诊慢特病认定)",
    )
    p.add_argument("--qualification-date", metavar="DATE")
    p.add_argument("--certificate", metavar="NUMBER", help="the qualification's certificate number")
    p = leaf(group, "qualify", cmd_chronic_qualify, QUALIFY_HELP, writes=True)
    p.add_argument("--resident", metavar="ID_NUMBER", required=True)
    p.add_argument("--disease", choices=K.DISEASES, required=True)
    p.add_argument("--on", required=True, metavar="DATE", help="the day the qualification was approved")
    p.add_argument("--certificate", metavar="NO", help="the qualification's certificate number")
    p = leaf(
        group, "end", cmd_chronic_end, "end the management of a disease (lost or terminated)", writes=True
    )
    p.add_argument("--resident", required=True, metavar="ID_NUMBER")
    p.add_argument("--disease", required=True, choices=K.DISEASES)
    p.add_argument("--outcome", required=True, choices=("lost", "terminated"))
    p.add_argument("--reason", required=True)
    p.add_argument("--date", metavar="DATE", help="default today")

    group = commands.group("followup", "follow-ups of hypertension and type 2 diabetes")
    p = leaf(
        group,
        "add",
        cmd_followup_add,
        "record a follow-up: prints its classification, the referral and the next visit date",
        writes=True,
    )
    p.add_argument("--resident", required=True, metavar="ID_NUMBER")
    p.add_argument("--disease", required=True, choices=K.DISEASES)
    _reading_arguments(p, correcting=False)
    p.add_argument("--reason", help="why the classification is overridden (recorded)")
    p = leaf(group, "correct", cmd_followup_correct, CORRECT_HELP, writes=True)
    p.add_argument("followup", metavar="FOLLOWUP_ID", help="the follow-up to correct (the newest of a visit)")
    p.add_argument("--reason", required=True, metavar="TEXT", help="what the correction corrects (recorded)")
    _reading_arguments(p, correcting=True)
    p.add_argument("--override-reason", help="why the classification is overridden (recorded)")
    p = leaf(group, "list", cmd_followup_list, LIST_HELP)
    p.add_argument("--resident", required=True, metavar="ID_NUMBER")
    p.add_argument("--disease", choices=K.DISEASES, help="one disease's (default: both)")
    p.add_argument("--json", action="store_true", help="one object a follow-up, the corrected ones too")

    group = commands.group("referral", "referrals of chronic-disease patients")
    p = leaf(group, "follow-up", cmd_referral_follow_up, "record a referral's follow-up", writes=True)
    p.add_argument("referral", metavar="REFERRAL_ID")
    p.add_argument("--arrived", required=True, choices=("yes", "no"), help="did the patient arrive")
    p.add_argument("--outcome", help="what came of it (required when the patient arrived)")
    p.add_argument("--date", metavar="DATE", help="default today")

    p = leaf(
        sub,
        "worklist",
        cmd_worklist,
        f"chronic-care worklists ({diseases}): overdue, due this week, referrals not followed up, "
        f"short of {K.FACE_TO_FACE_PER_YEAR} face-to-face follow-ups this year; long-term prescriptions to refill "
        "or expiring (refills)",
        writes=True,  # --reveal takes --user
    )
    p.add_argument("list", choices=LISTS)
    p.add_argument(
        "--days", type=whole, default=7, help="due, refills: within this many days from today (default 7)"
    )
    p.add_argument("--json", action="store_true")
    p.add_argument("--reveal", action="store_true", help=REVEAL_HELP)


def _reading_arguments(p: Any, *, correcting: bool) -> None:
    """The options of a follow-up's record: required to add one; to correct one, each replaces what was recorded."""
    p.add_argument("--date", required=not correcting, metavar="DATE", help="the visit date")
    p.add_argument("--mode", required=not correcting, choices=K.VISIT_MODES)
    p.add_argument("--sbp", metavar="N", help="systolic BP, mmHg (70-300)")
    p.add_argument("--dbp", metavar="N", help="diastolic BP, mmHg (40-180)")
    p.add_argument("--sbp2", metavar="N", help="a second reading (the two are averaged)")
    p.add_argument("--dbp2", metavar="N")
    p.add_argument("--fpg", metavar="X", help="fasting glucose, mmol/L (1.0-33.3)")
    p.add_argument("--glucose-method", choices=K.GLUCOSE_METHODS)
    p.add_argument("--weight", metavar="KG")
    p.add_argument("--height", metavar="CM")
    p.add_argument("--heart-rate", metavar="N")
    p.add_argument("--adherence", choices=K.ADHERENCE)
    flag = argparse.BooleanOptionalAction if correcting else "store_true"
    default = None if correcting else False
    p.add_argument("--adverse-reaction", action=flag, default=default, help="an adverse drug reaction")
    p.add_argument("--adverse-reaction-text", metavar="TEXT")
    p.add_argument(
        "--new-complication", action=flag, default=default, help="a new complication, or one worse"
    )
    p.add_argument("--complication-text", metavar="TEXT")
    p.add_argument(
        "--symptom",
        action="extend",
        nargs="+",
        metavar="S",
        help=f"symptoms and emergency signs (hypertension: {', '.join(K.SYMPTOMS['hypertension'])}; "
        f"diabetes: {', '.join(K.SYMPTOMS['diabetes'])})",
    )
    p.add_argument("--symptom-other", metavar="TEXT", help="the other symptom (with --symptom other)")
    p.add_argument("--drug", action="append", metavar="NAME[:DOSE[:TIMES]]", help="a drug taken (repeatable)")
    if correcting:
        p.add_argument(
            "--override",
            choices=(*K.CLASSIFICATIONS, "rules"),
            help="classify otherwise than the rules (needs --override-reason); rules: as the rules say",
        )
    else:
        p.add_argument(
            "--override", choices=K.CLASSIFICATIONS, help="classify otherwise than the rules (needs --reason)"
        )
    p.add_argument(
        "--next", metavar="DATE", help="the next visit (default: the date the county's interval gives)"
    )
    p.add_argument("--refer", choices=K.URGENCIES, help="refer by hand")
    p.add_argument("--referral-reason")
    p.add_argument("--referral-institution", metavar="NAME")
    p.add_argument("--referral-department", metavar="NAME")
    p.add_argument(
        "--json", action="store_true", help="one object: classification, referral, next_visit_date …"
    )
