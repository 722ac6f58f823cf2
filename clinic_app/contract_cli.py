"""`clinic team …`, `clinic contract …`, `clinic insurance set`, `clinic ledger`: sign-ups on the command line.

Signing asks the county first when the device is enrolled and online (the context's ``county_lookup``, given
by the sync commands: clinic_app itself never touches the network); otherwise the contract is signed
provisional."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from clinic_app import contracts as C
from clinic_app.cli_core import REVEAL_HELP, Commands, Context, out, whole
from clinic_app.digits import parse_date
from clinic_app.errors import ValidationError
from clinic_app.labels import label
from clinic_app.money import yuan
from clinic_app.store import Store


def resident_by_number(store: Store, number: str) -> dict[str, Any]:
    from clinic_app.idcard import parse_id_number

    try:
        normal = parse_id_number(number).number
    except ValidationError:
        normal = number.strip().upper()
    row = store.conn.execute(
        "SELECT * FROM resident WHERE clinic_id = ? AND (id_number = ? OR document_number = ?) "
        "AND deleted_at IS NULL",
        (store.clinic_id, normal, number.strip()),
    ).fetchone()
    if row is None:
        raise ValidationError(
            "resident", "unknown", f"no resident with ID or document number {number} in this clinic"
        )
    return dict(row)


def _codes(text: str) -> list[str]:
    return [c for c in (text or "").replace("，", ",").split(",") if c.strip()]


def _consent(ctx: Context) -> dict[str, Any]:
    a = ctx.args
    return {"consent": "paper", "witness": a.witness, "resident_group": a.group}


def cmd_team_add(ctx: Context) -> int:
    actor = ctx.actor()
    C.add_team(ctx.store, actor, ctx.args.name, ctx.args.lead, ctx.args.member or [])
    out(f"team {ctx.args.name} added")
    return 0


def cmd_team_list(ctx: Context) -> int:
    rows = ctx.store.conn.execute(
        "SELECT t.name, u.username AS lead, (SELECT count(*) FROM team_member m WHERE m.team_id = t.id "
        'AND m.deleted_at IS NULL) AS people FROM team t LEFT JOIN "user" u ON u.id = t.lead_user_id '
        "WHERE t.clinic_id = ? AND t.deleted_at IS NULL ORDER BY t.name",
        (ctx.store.clinic_id,),
    )
    for r in rows:
        out(f"{r['name']}\tlead {r['lead']}\t{r['people']} people")
    return 0


def _signed(result: C.SignResult, what: str) -> None:
    if result.checked_online:
        how = "the county confirmed no contract elsewhere"
    elif result.unchecked:
        how = f"provisional: the county could not be asked ({result.unchecked}); it decides on the next sync"
    else:
        how = "offline: provisional until the county server accepts it on sync"
    out(f"{what}: {len(result.contract_ids)} contract(s) signed ({how})")
    for contract_id in result.contract_ids:
        out(contract_id)


def cmd_contract_sign(ctx: Context) -> int:
    a = ctx.args
    actor = ctx.actor()
    resident = resident_by_number(ctx.store, a.resident)
    result = C.sign(
        ctx.store,
        actor,
        [resident["id"]],
        a.team,
        a.period,
        _codes(a.package),
        lookup=ctx.county_lookup(),
        **_consent(ctx),
    )
    _signed(result, resident["name"])
    return 0


def cmd_contract_sign_household(ctx: Context) -> int:
    from clinic_app.residents import find_household

    a = ctx.args
    actor = ctx.actor()
    household = find_household(ctx.store.conn, ctx.store.clinic_id, a.household)
    if household is None:
        raise ValidationError("household", "unknown", f"no household {a.household} in this clinic")
    result = C.sign_household(
        ctx.store,
        actor,
        household["id"],
        a.team,
        a.period,
        _codes(a.package),
        lookup=ctx.county_lookup(),
        **_consent(ctx),
    )
    _signed(result, f"household {a.household}")
    return 0


def cmd_contract_renew(ctx: Context) -> int:
    a = ctx.args
    actor = ctx.actor()
    result = C.renew(
        ctx.store, actor, a.contract, _codes(a.package) or None, lookup=ctx.county_lookup(), **_consent(ctx)
    )
    _signed(result, "renewed")
    return 0


def cmd_contract_terminate(ctx: Context) -> int:
    a = ctx.args
    actor = ctx.actor()
    day = parse_date("date", a.date) if a.date else None
    C.terminate(ctx.store, actor, a.contract, a.reason, day)
    out(f"contract {a.contract} terminated ({label('reason', a.reason)})")
    return 0


def cmd_contract_transfer(ctx: Context) -> int:
    actor = ctx.actor()
    C.transfer(ctx.store, actor, ctx.args.contract, ctx.args.team)
    out(f"contract {ctx.args.contract} transferred to team {ctx.args.team}")
    return 0


def cmd_contract_expire(ctx: Context) -> int:
    actor = ctx.actor()
    count = C.expire_due(ctx.store, actor)
    out(f"{count} contract(s) past their period's end marked expired")
    return 0


def cmd_contract_list(ctx: Context) -> int:
    a = ctx.args
    rows = C.list_contracts(ctx.store.conn, ctx.store.clinic_id, a.status, a.period)
    for r in rows:
        r["packages"] = json.loads(r["packages"])
    ctx.id_numbers(rows, "contract list")
    if a.json:
        out(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    names = C.package_names(ctx.store.conn)
    for r in rows:
        out(
            f"{r['id']}\t{r['period']}\t{label('status', r['status'])}\t{r['name']}\t{r['id_number'] or ''}\t{r['team']}\t"
            f"{C.packages_text(names, r['packages'])}\t{yuan(r['fee_fen'], grouped=False)}"
        )
    if not rows:
        out("no contracts")
    return 0


def cmd_contract_worklist(ctx: Context) -> int:
    a = ctx.args
    today = dt.date.today()
    conn, clinic = ctx.store.conn, ctx.store.clinic_id
    if a.list == "renewals":
        rows = C.renewals_due(conn, clinic, today, a.days)
        lines = [f"{r['period_end']}\t{r['name']}\t{r['team']}\t{r['id']}" for r in rows]
    elif a.list == "never-signed":
        rows = C.never_signed(conn, clinic)
        lines = [f"{r['name']}\t{r['birth_date']}" for r in rows]
    else:
        rows = C.signed_not_insured(conn, clinic, a.year or today.year)
        lines = [f"{r['name']}\t{r['team']}\t{r['period']}" for r in rows]
    for line in lines:
        out(line)
    out(f"{len(rows)} resident(s)")
    return 0


def cmd_insurance_set(ctx: Context) -> int:
    a = ctx.args
    actor = ctx.actor()
    resident = resident_by_number(ctx.store, a.resident)
    C.set_insurance(
        ctx.store,
        actor,
        resident["id"],
        a.year,
        not a.unpaid,
        parse_date("paid_on", a.paid_on) if a.paid_on else None,
    )
    out(f"{resident['name']}: premium for {a.year} {'not paid' if a.unpaid else 'paid'}")
    return 0


def cmd_ledger(ctx: Context) -> int:
    from clinic_app import ledger as L

    a = ctx.args
    book = L.build(ctx.store.conn, ctx.store.clinic_id, a.period)
    if a.xlsx:
        L.export_xlsx(book, Path(a.xlsx), a.headers)
    if a.json:
        out(json.dumps(book.as_dict(), ensure_ascii=False, indent=1))
        return 0
    out(f"period {book.period} ({book.start} .. {book.end})")
    out(
        f"heads (contracted and insured): {book.heads}  of them provisional: {book.provisional_heads}  "
        f"contracted but not insured: {book.contracted_not_insured}"
    )
    out(f"rate {yuan(book.rate_fen)} yuan/head/year  weighted heads {book.weighted_heads}")
    out(
        f"budget {yuan(book.budget_fen)}  reserve {book.reserve_pct}% {yuan(book.reserve_fen)}  "
        f"paid in advance {yuan(book.advance_fen)}"
    )
    out(
        f"to date: budget {yuan(book.budget_to_date_fen)}  spending {yuan(book.spending_to_date_fen)}  "
        f"surplus {yuan(book.surplus_to_date_fen)}"
    )
    if book.elsewhere_to_date_fen:
        out(f"of the spending, claims at other institutions: {yuan(book.elsewhere_to_date_fen)}")
    out(
        f"forecast to period end: spending {yuan(book.forecast_spending_fen)}  "
        f"surplus {yuan(book.forecast_surplus_fen)}"
    )
    for note in book.notes:
        out(f"note: {note}")
    return 0


def add_commands(commands: Commands) -> None:
    sub, leaf = commands.sub, commands.leaf
    teams = commands.group("team", "family-doctor teams")
    p = leaf(teams, "add", cmd_team_add, "add a family-doctor team (admin)", writes=True)
    p.add_argument("name")
    p.add_argument("--lead", required=True, metavar="USER", help="the lead doctor's user name")
    p.add_argument("--member", action="append", metavar="USER", help="a member's user name (repeatable)")
    leaf(teams, "list", cmd_team_list, "list teams")

    group = commands.group("contract", "family-doctor contracts")

    def signing(p: Any) -> None:
        p.add_argument("--team", required=True, help="team name")
        p.add_argument("--package", required=True, metavar="P[,P…]", help="package codes, e.g. BASIC,ELDERLY")
        p.add_argument("--period", required=True, type=whole, metavar="YEAR")
        p.add_argument(
            "--witness", required=True, help="who witnessed the resident's signature on the paper form"
        )
        p.add_argument("--group", help=f"resident group: {', '.join(C.GROUPS)}")

    p = leaf(group, "sign", cmd_contract_sign, "sign a resident (by ID or document number)", writes=True)
    p.add_argument("--resident", required=True, metavar="ID_NUMBER")
    signing(p)
    p = leaf(
        group,
        "sign-household",
        cmd_contract_sign_household,
        "sign every member of a household: all or none",
        writes=True,
    )
    p.add_argument("--household", required=True, metavar="CODE")
    signing(p)
    p = leaf(group, "renew", cmd_contract_renew, "sign the next period with the same team", writes=True)
    p.add_argument("contract", metavar="CONTRACT_ID")
    p.add_argument("--package", default="", metavar="P[,P…]", help="other packages (default: the same)")
    p.add_argument("--witness", required=True)
    p.add_argument("--group")
    p = leaf(group, "terminate", cmd_contract_terminate, "terminate a contract", writes=True)
    p.add_argument("contract", metavar="CONTRACT_ID")
    p.add_argument("--reason", required=True, help=", ".join(C.STOP_REASONS))
    p.add_argument("--date", help="default today")
    p = leaf(
        group,
        "transfer",
        cmd_contract_transfer,
        "move a contract to another team of this clinic",
        writes=True,
    )
    p.add_argument("contract", metavar="CONTRACT_ID")
    p.add_argument("--team", required=True)
    leaf(
        group,
        "expire",
        cmd_contract_expire,
        "mark contracts past their period's end expired (the desktop does this at start)",
        writes=True,
    )
    p = leaf(group, "list", cmd_contract_list, "list contracts", writes=True)  # --reveal takes --user
    p.add_argument("--status", help=", ".join(C.STATUSES))
    p.add_argument("--period", metavar="YEAR")
    p.add_argument("--json", action="store_true")
    p.add_argument("--reveal", action="store_true", help=REVEAL_HELP)
    p = leaf(
        group,
        "worklist",
        cmd_contract_worklist,
        "renewals due, residents never signed, signed but not insured",
    )
    p.add_argument("list", choices=("renewals", "never-signed", "not-insured"))
    p.add_argument("--days", type=whole, default=30, choices=(30, 60))
    p.add_argument("--year", type=whole)

    insurance = commands.group("insurance", "insurance premiums")
    p = leaf(insurance, "set", cmd_insurance_set, "record a resident's premium for a year", writes=True)
    p.add_argument("--resident", required=True, metavar="ID_NUMBER")
    p.add_argument("--year", required=True, type=whole)
    p.add_argument("--unpaid", action="store_true")
    p.add_argument("--paid-on", metavar="DATE")

    p = leaf(sub, "ledger", cmd_ledger, "the capitation budget of a period: heads, budget, spending, surplus")
    p.add_argument("--period", required=True, type=whole, metavar="YEAR")
    p.add_argument("--json", action="store_true")
    p.add_argument("--xlsx", metavar="FILE", help="also write the ledger to an Excel file")
    p.add_argument(
        "--headers",
        choices=("zh", "en"),
        default="zh",
        help="the Excel file's sheet names and labels: zh (Chinese, the default) or en",
    )
