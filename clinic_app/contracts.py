"""Family-doctor contracts (RULES §2): teams, service packages, signing (one resident or a whole household),
renewal, termination, transfer, expiry, insurance status, and the worklists.

Rules held here and checked before anything is written:
- one open contract (provisional or active) per resident per contract period on this device; across the county
  the server decides (a contract stays ``provisional`` until it accepts it; a later one becomes ``conflict``);
- every package exists, is active and the resident is eligible for it (age at the period's start, sex, packages
  it requires); the amounts come from the county's package rows, never from code;
- a household signs all or none: one ineligible member refuses the whole household, naming the member.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clinic_app.db import Connection
from clinic_app.errors import AuthError, NotFound, ValidationError, ValidationErrors
from clinic_app.idcard import age_on
from clinic_app.ids import reference_id, utc_now
from clinic_app.packages import parse_packages, read_packages_file
from clinic_app.users import ROLES, User

if (
    TYPE_CHECKING
):  # the store's registry names this module's rules (STATUSES, ...): no import of the store at run time
    from clinic_app.store import Store

log = logging.getLogger(__name__)
OPEN = ("provisional", "active")
STATUSES = ("provisional", "active", "terminated", "expired", "conflict")
STOP_REASONS = (
    "moved_away",
    "unreachable",
    "refused_service",
    "resident_request",
    "transferred",
    "deceased",
    "duplicate",
)
GROUPS = ("elderly", "chronic", "maternal", "child", "disabled", "mental", "other")
CONSENT = ("screen", "paper")
TEAM_ROLES = ("lead", "doctor", "nurse", "member")
SIGNING_ROLES = ROLES  # every clinic role signs
# The statuses each action on a contract accepts (renew, terminate, transfer check them; the UI enables by them).
ACTIONS: dict[str, tuple[str, ...]] = {"renew": (*OPEN, "expired"), "terminate": OPEN, "transfer": OPEN}


def allowed_actions(status: str) -> set[str]:
    """The actions a contract of this status accepts (``ACTIONS``): an open one all three, an expired one only
    renew, a terminated or conflicting one none."""
    return {action for action, statuses in ACTIONS.items() if status in statuses}


# Asks the county whether the person holds an active contract elsewhere: (id_number, period) -> the lookup's
# answer ({"active_contract": bool, "clinic_code"?, "clinic_name"?}); raises when the county cannot be reached.
Lookup = Callable[[str, str], dict[str, Any]]


@dataclass(frozen=True)
class Package:
    code: str
    name: str
    kind: str
    fee_fen: int
    insurance_fund_fen: int
    public_health_fund_fen: int
    resident_share_fen: int
    eligibility: dict[str, Any]
    services: list[str]


@dataclass(frozen=True)
class SignResult:
    contract_ids: list[str]
    checked_online: bool  # False: the county could not be asked; the contract waits for the server's word
    unchecked: str | None = None  # why it could not be asked (the lookup's error), when it was to be asked


# -- reference data -----------------------------------------------------------------------------------------
def packages(conn: Connection) -> dict[str, Package]:
    rows = conn.execute("SELECT * FROM service_package WHERE deleted_at IS NULL AND active = 1 ORDER BY code")
    return {
        r["code"]: Package(
            code=r["code"],
            name=r["name"],
            kind=r["kind"],
            fee_fen=r["fee_fen"],
            insurance_fund_fen=r["insurance_fund_fen"],
            public_health_fund_fen=r["public_health_fund_fen"],
            resident_share_fen=r["resident_share_fen"],
            eligibility=json.loads(r["eligibility"] or "{}"),
            services=json.loads(r["services"] or "[]"),
        )
        for r in rows
    }


def package_names(conn: Connection) -> dict[str, str]:
    """Package code -> its name, of the packages offered now."""
    return {p.code: p.name for p in packages(conn).values()}


def packages_text(names: Mapping[str, str], codes: Iterable[str]) -> str:
    """A contract's packages as a person reads them: 基础包、老年人健康管理服务包 (a code no longer offered as itself)."""
    return "、".join(names.get(c, c) for c in codes)


def policy_value(conn: Connection, key: str, on: dt.date) -> str | None:
    """The county parameter in force on a day (the latest ``effective_from`` not after it)."""
    row = conn.execute(
        "SELECT value FROM policy WHERE key = ? AND effective_from <= ? AND deleted_at IS NULL "
        "ORDER BY effective_from DESC LIMIT 1",
        (key, on.isoformat()),
    ).fetchone()
    return None if row is None else str(row[0])


def period_bounds(conn: Connection, period: int) -> tuple[dt.date, dt.date]:
    """A contract period is one year; the county sets the month and day it starts (``contract.period_start``,
    ``MM-DD``, e.g. ``01-01`` for the calendar year, the default when the county has set nothing)."""
    if not 2000 <= period <= 2100:
        raise ValidationError("period", "range", "the contract period is a year like 2026")
    text = policy_value(conn, "contract.period_start", dt.date(period, 12, 31)) or "01-01"
    try:
        month, day = (int(x) for x in text.split("-"))
        start = dt.date(period, month, day)
    except ValueError:
        raise ValidationError(
            "contract.period_start", "policy", f"the county's period start {text!r} is not MM-DD"
        ) from None
    end = dt.date(period + 1, month, day) - dt.timedelta(days=1)
    return start, end


@dataclass(frozen=True)
class Reason:
    """Why a resident may not sign a package: ``code`` and the values a sentence about it needs (``details``);
    ``str()`` is the English sentence of logs and the CLI. Codes: ``min_age``, ``max_age`` (details ``package``,
    ``limit``, ``age``), ``sex`` (``package``, ``sex``), ``requires`` (``package``, ``needed``), ``disease``
    (``package``, ``disease``), ``no_package`` (``package``; ``offered`` "none" when the clinic has no package at
    all), ``one_team`` (``period``, ``team``); ``any_of``:
    the package serves other groups too, none of which the resident is in."""

    code: str
    details: dict[str, str]
    any_of: bool = False

    def __str__(self) -> str:
        d = self.details
        text = {
            "min_age": f"{d.get('package')} is for residents aged {d.get('limit')} or more at the period's start "
            f"({d.get('age')})",
            "max_age": f"{d.get('package')} is for residents aged up to {d.get('limit')} at the period's start "
            f"({d.get('age')})",
            "sex": f"{d.get('package')} is for {'women' if d.get('sex') == 'F' else 'men'}",
            "requires": f"{d.get('package')} is signed together with {d.get('needed')}",
            "disease": f"{d.get('package')} needs a {d.get('disease')} registration",
            "no_package": f"no active service package {d.get('package')!r}"
            + (
                ": this clinic has no service packages yet, they come from the county with `clinic enroll` "
                "and `clinic sync`"
                if d.get("offered") == "none"
                else ""
            ),
            "one_team": f"already signed for {d.get('period')} with team {d.get('team')} (one team per period)",
        }.get(self.code, self.code)
        return f"{text} (or another group it serves)" if self.any_of else text

    def error(self, resident_name: str) -> ValidationError:
        """The refusal of this resident, naming them."""
        return ValidationError(
            "resident",
            "ineligible",
            f"{resident_name}: {self}",
            {
                "resident": resident_name,
                "reason": self.code,
                "any_of": "1" if self.any_of else "",
                **self.details,
            },
        )


def ineligible(
    conn: Connection, package: Package, resident: dict[str, Any], start: dt.date, chosen: Iterable[str]
) -> Reason | None:
    """Why the resident may not have the package (None: eligible). Conditions come from the package row:
    ``min_age``/``max_age`` (at the period's start), ``sex``, ``any_of`` (a list of such groups, one must
    match), ``requires`` (packages signed with it), ``disease`` (a registration of that disease under management)."""
    rule = package.eligibility
    age = age_on(resident["birth_date"], start)
    options = rule.get("any_of") or []
    if options and all(_person_rule(o, resident, age, package.name) for o in options):
        first = _person_rule(options[0], resident, age, package.name)
        assert first is not None
        return Reason(first.code, first.details, any_of=True)
    if (why := _person_rule(rule, resident, age, package.name)) is not None:
        return why
    for needed in rule.get("requires", []):
        if needed not in chosen:
            return Reason("requires", {"package": package.name, "needed": str(needed)})
    disease = rule.get("disease")
    if disease:  # a registration of the disease under management (clinic_app.chronic_records)
        found = conn.execute(
            "SELECT 1 FROM disease_registration WHERE resident_id = ? AND disease = ? AND management = 'continue' "
            "AND deleted_at IS NULL",
            (resident["id"], disease),
        ).fetchone()
        if found is None:
            return Reason("disease", {"package": package.name, "disease": str(disease)})
    return None


def _person_rule(rule: dict[str, Any], resident: dict[str, Any], age: int, name: str) -> Reason | None:
    for code, too_young in (("min_age", True), ("max_age", False)):
        if code in rule and (age < int(rule[code]) if too_young else age > int(rule[code])):
            return Reason(code, {"package": name, "limit": str(rule[code]), "age": str(age)})
    if "sex" in rule and resident["sex"] != rule["sex"]:
        return Reason("sex", {"package": name, "sex": str(rule["sex"])})
    return None


def has_table(conn: Connection, name: str) -> bool:
    return (
        conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone()
        is not None
    )


# -- teams ------------------------------------------------------------------------------------------------
def add_team(store: Store, actor: User, name: str, lead: str, members: Iterable[str] = ()) -> str:
    """A family-doctor team: a lead doctor and members, all users of this clinic (by user name)."""
    if not actor.is_admin:
        raise AuthError("permission", f"only a clinic admin may add teams; {actor.username} is {actor.role}")
    name = (name or "").strip()
    if not 1 <= len(name) <= 40:
        raise ValidationError("name", "format", "a team name has 1-40 characters")
    conn = store.conn
    if conn.execute(
        "SELECT 1 FROM team WHERE clinic_id = ? AND name = ? AND deleted_at IS NULL", (store.clinic_id, name)
    ).fetchone():
        raise ValidationError("name", "duplicate", f"team {name} exists already")
    ids = {}
    for field, username in [("lead", lead), *(("member", m) for m in members)]:
        row = conn.execute(
            'SELECT id FROM "user" WHERE clinic_id = ? AND username = ? AND deleted_at IS NULL',
            (store.clinic_id, username),
        ).fetchone()
        if row is None:
            raise ValidationError(field, "unknown", f"no user {username!r} in this clinic")
        ids[username] = row[0]
    with store.unit(actor.id, "team.add") as uow:
        team_id = uow.insert("team", {"name": name, "lead_user_id": ids[lead]})
        for username, user_id in ids.items():
            uow.insert(
                "team_member",
                {"team_id": team_id, "user_id": user_id, "role": "lead" if username == lead else "member"},
            )
        uow.summary = f"team {name} added ({len(ids)} people)"
    return team_id


def find_team(conn: Connection, clinic_id: str, name_or_id: str) -> dict[str, Any]:
    row = conn.execute(
        "SELECT * FROM team WHERE clinic_id = ? AND (name = ? OR id = ?) AND deleted_at IS NULL",
        (clinic_id, name_or_id, name_or_id),
    ).fetchone()
    if row is None:
        raise ValidationError("team", "unknown", f"no team {name_or_id!r} in this clinic")
    return dict(row)


# -- signing ----------------------------------------------------------------------------------------------
def _resident(conn: Connection, resident_id: str) -> dict[str, Any]:
    from clinic_app.residents import get_resident

    return get_resident(conn, resident_id)


def open_contract(conn: Connection, resident_id: str, period: str) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT c.*, t.name AS team_name FROM contract c JOIN team t ON t.id = c.team_id "
        "WHERE c.resident_id = ? AND c.period = ? AND c.status IN ('provisional', 'active') AND c.deleted_at IS NULL",
        (resident_id, period),
    ).fetchone()
    return None if row is None else dict(row)


def _plan(
    conn: Connection,
    resident: dict[str, Any],
    period: int,
    codes: list[str],
    offered: dict[str, Package],
    start: dt.date,
) -> list[Reason]:
    """Every reason this resident cannot sign these packages for this period (empty: can sign)."""
    problems: list[Reason] = []
    for code in codes:
        package = offered.get(code)
        if package is None:
            problems.append(
                Reason("no_package", {"package": code, **({} if offered else {"offered": "none"})})
            )
        elif (why := ineligible(conn, package, resident, start, codes)) is not None:
            problems.append(why)
    held = open_contract(conn, resident["id"], str(period))
    if held is not None:
        problems.append(Reason("one_team", {"period": str(period), "team": held["team_name"]}))
    return problems


def fees(offered: dict[str, Package], codes: Iterable[str]) -> tuple[int, int]:
    """The fee of a set of packages and the resident's share of it, in fen (the funds pay the rest)."""
    chosen = [offered[c] for c in codes]
    return sum(p.fee_fen for p in chosen), sum(p.resident_share_fen for p in chosen)


def sign(
    store: Store,
    actor: User,
    resident_ids: list[str],
    team: str,
    period: int,
    codes: list[str],
    *,
    consent: str = "paper",
    signature: str | None = None,
    witness: str | None = None,
    resident_group: str | None = None,
    household_id: str | None = None,
    lookup: Lookup | None = None,
    renewed_from: str | None = None,
    today: dt.date | None = None,
) -> SignResult:
    """Sign one resident, or several (a household) at once: all or none. ``lookup`` asks the county first
    (online); without it, or when the county cannot be reached, the contract is signed ``provisional`` and the
    server decides on sync."""
    if actor.role not in SIGNING_ROLES:
        raise AuthError("permission", f"{actor.role} may not sign contracts")
    conn = store.conn
    today = today or dt.date.today()
    codes = sorted({c.strip().upper() for c in codes if c.strip()})
    errors: list[ValidationError] = []
    if not codes:
        errors.append(ValidationError("packages", "required", "choose at least one service package"))
    if consent not in CONSENT:
        errors.append(ValidationError("consent", "choice", "consent is given on screen or on a paper form"))
    if consent == "screen" and not signature:
        errors.append(
            ValidationError("signature", "required", "a consent on screen needs the resident's signature")
        )
    if consent == "paper" and not (witness or "").strip():
        errors.append(ValidationError("witness", "required", "a paper consent names who witnessed it"))
    if resident_group is not None and resident_group not in GROUPS:
        errors.append(ValidationError("resident_group", "choice", f"one of {', '.join(GROUPS)}"))
    if period < today.year - 1 or period > today.year + 1:
        errors.append(
            ValidationError("period", "range", f"a contract is signed for {today.year - 1}-{today.year + 1}")
        )
    team_row = find_team(conn, store.clinic_id, team)
    start, end = period_bounds(conn, period)
    offered = packages(conn)
    residents = [_resident(conn, rid) for rid in resident_ids]
    if not residents:
        errors.append(ValidationError("resident", "required", "no resident to sign"))
    for r in residents:
        for why in _plan(conn, r, period, codes, offered, start):
            errors.append(why.error(r["name"]))
    checked_online, unchecked = False, None
    if not errors and lookup is not None:
        try:
            for r in residents:
                if not r.get("id_number"):
                    continue
                answer = lookup(r["id_number"], str(period))
                if answer.get("active_contract"):
                    where = answer.get("clinic_name") or answer.get("clinic_code") or "another clinic"
                    errors.append(
                        ValidationError(
                            "resident",
                            "signed_elsewhere",
                            f"{r['name']}: already signed for {period} at {where}",
                            {"resident": r["name"], "period": str(period), "where": where},
                        )
                    )
            checked_online = True
        except (
            Exception
        ) as exc:  # offline, or the county asked to wait: signed provisional, the server decides
            checked_online, unchecked = False, str(exc) or type(exc).__name__
            log.info("the county's lookup failed, signing provisional: %s", unchecked)
    if errors:
        raise ValidationErrors(errors)
    fee, share = fees(offered, codes)
    ids = []
    with store.unit(actor.id, "contract.sign") as uow:
        for r in residents:
            ids.append(
                uow.insert(
                    "contract",
                    {
                        "resident_id": r["id"],
                        "team_id": team_row["id"],
                        "period": str(period),
                        "period_start": start.isoformat(),
                        "period_end": end.isoformat(),
                        "packages": json.dumps(codes),
                        "status": "provisional",
                        "signed_at": uow.now,
                        "signed_by": actor.id,
                        "consent": consent,
                        "signature": signature,
                        "witness": (witness or "").strip() or None,
                        "resident_group": resident_group,
                        "fee_fen": fee,
                        "resident_share_fen": share,
                        "fund_share_fen": fee - share,
                        "household_id": household_id,
                        "renewed_from": renewed_from,
                    },
                )
            )
        uow.summary = f"{len(ids)} contract(s) signed for {period} with team {team_row['name']}"
    return SignResult(ids, checked_online, unchecked)


def sign_household(
    store: Store, actor: User, household_id: str, team: str, period: int, codes: list[str], **kwargs: Any
) -> SignResult:
    members = [
        r[0]
        for r in store.conn.execute(
            "SELECT id FROM resident WHERE household_id = ? AND deleted_at IS NULL ORDER BY name",
            (household_id,),
        )
    ]
    if not members:
        raise ValidationError("household", "empty", "the household has no members")
    return sign(store, actor, members, team, period, codes, household_id=household_id, **kwargs)


def get_contract(conn: Connection, contract_id: str) -> dict[str, Any]:
    row = conn.execute(
        "SELECT * FROM contract WHERE id = ? AND deleted_at IS NULL", (contract_id,)
    ).fetchone()
    if row is None:
        raise NotFound(f"contract {contract_id} does not exist")
    return dict(row)


def renew(
    store: Store, actor: User, contract_id: str, codes: list[str] | None = None, **kwargs: Any
) -> SignResult:
    """The next period's contract with the same team and the same (or changed) packages."""
    old = get_contract(store.conn, contract_id)
    if "renew" not in allowed_actions(old["status"]):
        raise ValidationError(
            "contract", "status", f"a {old['status']} contract is not renewed", {"status": old["status"]}
        )
    return sign(
        store,
        actor,
        [old["resident_id"]],
        old["team_id"],
        int(old["period"]) + 1,
        codes or json.loads(old["packages"]),
        renewed_from=contract_id,
        **kwargs,
    )


def terminate(store: Store, actor: User, contract_id: str, reason: str, on: dt.date | None = None) -> None:
    old = get_contract(store.conn, contract_id)
    if "terminate" not in allowed_actions(old["status"]):
        raise ValidationError(
            "contract",
            "status",
            f"a {old['status']} contract cannot be terminated",
            {"status": old["status"]},
        )
    if reason not in STOP_REASONS:
        raise ValidationError("reason", "choice", f"one of {', '.join(STOP_REASONS)}")
    day = on or dt.date.today()
    if not old["period_start"] <= day.isoformat() <= old["period_end"]:
        raise ValidationError(
            "date", "range", f"the date lies in the period {old['period_start']}..{old['period_end']}"
        )
    with store.unit(actor.id, "contract.terminate") as uow:
        uow.update(
            "contract",
            contract_id,
            {"status": "terminated", "terminated_at": day.isoformat(), "stop_reason": reason},
        )


def transfer(store: Store, actor: User, contract_id: str, team: str) -> None:
    """To another team of this clinic within the period (a move to another clinic is terminate + sign there)."""
    old = get_contract(store.conn, contract_id)
    if "transfer" not in allowed_actions(old["status"]):
        raise ValidationError(
            "contract",
            "status",
            f"a {old['status']} contract cannot be transferred",
            {"status": old["status"]},
        )
    new_team = find_team(store.conn, store.clinic_id, team)
    if new_team["id"] == old["team_id"]:
        raise ValidationError("team", "same", "the contract is with that team already")
    with store.unit(actor.id, "contract.transfer") as uow:
        uow.update("contract", contract_id, {"team_id": new_team["id"]})


def expire_due(store: Store, actor: User | None, today: dt.date | None = None) -> int:
    """Open contracts whose period has ended become ``expired``."""
    day = (today or dt.date.today()).isoformat()
    ids = [
        r[0]
        for r in store.conn.execute(
            "SELECT id FROM contract WHERE status IN ('provisional', 'active') AND period_end < ? AND deleted_at IS NULL",
            (day,),
        )
    ]
    if ids:
        with store.unit(actor.id if actor else None, "contract.expire") as uow:
            for contract_id in ids:
                uow.update("contract", contract_id, {"status": "expired"})
            uow.summary = f"{len(ids)} contract(s) expired at period end"
    return len(ids)


def set_insurance(
    store: Store, actor: User, resident_id: str, year: int, paid: bool = True, paid_on: dt.date | None = None
) -> None:
    """The resident's medical insurance premium for the year (paid or not)."""
    _resident(store.conn, resident_id)
    existing = store.conn.execute(
        "SELECT id FROM insurance_status WHERE resident_id = ? AND year = ? AND deleted_at IS NULL",
        (resident_id, year),
    ).fetchone()
    values = {"paid": int(paid), "paid_on": paid_on.isoformat() if paid_on else None}
    with store.unit(actor.id, "insurance.set") as uow:
        if existing:
            uow.update("insurance_status", existing[0], values)
        else:  # the same id on every device: two devices recording the same year edit one row, never two
            uow.insert(
                "insurance_status",
                {
                    "id": reference_id("insurance_status", f"{resident_id}:{year}"),
                    "resident_id": resident_id,
                    "year": year,
                    **values,
                },
            )


# -- lists ------------------------------------------------------------------------------------------------
LIST_SQL = """
    SELECT c.id, c.period, c.period_start, c.period_end, c.status, c.packages, c.signed_at, c.fee_fen,
           c.resident_share_fen, c.terminated_at, c.stop_reason, c.team_id, r.id AS resident_id, r.name,
           r.id_number, t.name AS team, r.name_pinyin
    FROM contract c JOIN resident r ON r.id = c.resident_id JOIN team t ON t.id = c.team_id
    WHERE c.clinic_id = ? AND c.deleted_at IS NULL"""


def list_contracts(
    conn: Connection, clinic_id: str, status: str | None = None, period: str | None = None
) -> list[dict[str, Any]]:
    if status is not None and status not in STATUSES:
        raise ValidationError("status", "choice", f"one of {', '.join(STATUSES)}")
    sql, args = LIST_SQL, [clinic_id]
    if status:
        sql += " AND c.status = ?"
        args.append(status)
    if period:
        sql += " AND c.period = ?"
        args.append(period)
    return [dict(r) for r in conn.execute(sql + " ORDER BY c.period DESC, r.name_pinyin, r.id, c.id", args)]


def renewals_due(conn: Connection, clinic_id: str, today: dt.date, days: int) -> list[dict[str, Any]]:
    """Open contracts ending within ``days`` whose resident has nothing signed for the next period yet."""
    until = (today + dt.timedelta(days=days)).isoformat()
    return [
        dict(r)
        for r in conn.execute(
            LIST_SQL
            + """
        AND c.status IN ('provisional', 'active') AND c.period_end BETWEEN ? AND ?
        AND NOT EXISTS (SELECT 1 FROM contract n WHERE n.resident_id = c.resident_id AND n.deleted_at IS NULL
                        AND n.status IN ('provisional', 'active') AND CAST(n.period AS INTEGER) = CAST(c.period AS INTEGER) + 1)
        ORDER BY c.period_end, r.name_pinyin, r.id, c.id""",
            (clinic_id, today.isoformat(), until),
        )
    ]


def never_signed(conn: Connection, clinic_id: str) -> list[dict[str, Any]]:
    return [
        dict(r)
        for r in conn.execute(
            "SELECT r.id, r.name, r.id_number, r.birth_date, r.household_id FROM resident r WHERE r.clinic_id = ? "
            "AND r.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM contract c WHERE c.resident_id = r.id "
            "AND c.deleted_at IS NULL) ORDER BY r.name_pinyin, r.id",
            (clinic_id,),
        )
    ]


def signed_not_insured(conn: Connection, clinic_id: str, year: int) -> list[dict[str, Any]]:
    return [
        dict(r)
        for r in conn.execute(
            LIST_SQL
            + """
        AND c.status IN ('provisional', 'active') AND c.period = ?
        AND NOT EXISTS (SELECT 1 FROM insurance_status i WHERE i.resident_id = c.resident_id AND i.year = ?
                        AND i.paid = 1 AND i.deleted_at IS NULL)
        ORDER BY r.name_pinyin, r.id, c.id""",
            (clinic_id, str(year), year),
        )
    ]


# -- pages of the desktop's lists ----------------------------------------------------------------------------
# Every list is sorted by the resident's name in pinyin (then ids, so that the order is total) and read a keyset
# page at a time: ``after`` is the ``*_cursor`` of the last row of the previous page (None: the first page), and a
# page never holds more than ``limit`` rows. ``query`` filters by the resident search keys (name, pinyin,
# initials, the last digits of the ID number or phone: clinic_app.search), one prefix range on their index.
# The residents are walked in the order of their pinyin index (CROSS JOIN keeps them the outer loop, so a page
# stops after ``limit`` rows instead of sorting every contract), each one's contracts found by contract_resident.
PAGE_SQL = """
    SELECT c.id, c.period, c.period_start, c.period_end, c.status, c.packages, c.signed_at, c.fee_fen,
           c.resident_share_fen, c.terminated_at, c.stop_reason, c.team_id, r.id AS resident_id, r.name,
           r.name_pinyin, r.id_number, t.name AS team
    FROM resident r INDEXED BY resident_list
    CROSS JOIN contract c INDEXED BY contract_resident ON c.resident_id = r.id AND c.deleted_at IS NULL
    JOIN team t ON t.id = c.team_id
    WHERE r.clinic_id = ? AND r.deleted_at IS NULL"""
ContractCursor = tuple[str, str, str]


def contract_cursor(row: dict[str, Any]) -> ContractCursor:
    return (row["name_pinyin"], row["resident_id"], row["id"])


def resident_cursor(row: dict[str, Any]) -> tuple[str, str]:
    return (row["name_pinyin"], row["id"])


def _matching(query: str) -> tuple[str, list[Any]]:
    from clinic_app.search import prefix_upper_bound, query_prefix

    prefix = query_prefix(query)
    if prefix is None:
        return "", []
    return (
        " AND r.id IN (SELECT k.resident_id FROM resident_search_key k WHERE k.key >= ? AND k.key < ?)",
        [prefix, prefix_upper_bound(prefix)],
    )


def _contract_page(
    conn: Connection,
    clinic_id: str,
    where: str,
    args: list[Any],
    query: str,
    after: ContractCursor | None,
    limit: int,
) -> list[dict[str, Any]]:
    match, match_args = _matching(query)
    sql, params = PAGE_SQL + where + match, [clinic_id, *args, *match_args]
    if after is not None:
        sql += " AND (r.name_pinyin, r.id) >= (?, ?) AND (r.name_pinyin, r.id, c.id) > (?, ?, ?)"
        params += [after[0], after[1], *after]
    sql += " ORDER BY r.name_pinyin, r.id, c.id LIMIT ?"
    return [dict(r) for r in conn.execute(sql, [*params, limit])]


def count_contracts(conn: Connection, clinic_id: str, period: str, query: str = "") -> int:
    """How many contracts ``contract_page`` lists in all (the count under the list)."""
    match, match_args = _matching(query)
    sql = (
        "SELECT count(*) FROM contract c INDEXED BY contract_period_status JOIN resident r ON r.id = c.resident_id "
        "WHERE c.clinic_id = ? AND c.period = ? AND c.deleted_at IS NULL AND r.deleted_at IS NULL" + match
    )
    return int(conn.execute(sql, [clinic_id, str(period), *match_args]).fetchone()[0])


def contract_page(
    conn: Connection,
    clinic_id: str,
    period: str,
    query: str = "",
    *,
    after: ContractCursor | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """The contracts of a period, every status."""
    return _contract_page(conn, clinic_id, " AND c.period = ?", [str(period)], query, after, limit)


def _renewal_where(today: dt.date, days: int) -> tuple[str, list[Any]]:
    where = """ AND c.status IN ('provisional', 'active') AND c.period_end BETWEEN ? AND ?
        AND NOT EXISTS (SELECT 1 FROM contract n WHERE n.resident_id = c.resident_id AND n.deleted_at IS NULL
                        AND n.status IN ('provisional', 'active') AND CAST(n.period AS INTEGER) = CAST(c.period AS INTEGER) + 1)"""
    return where, [today.isoformat(), (today + dt.timedelta(days=days)).isoformat()]


def _uninsured_where(year: int) -> tuple[str, list[Any]]:
    where = """ AND c.status IN ('provisional', 'active') AND c.period = ?
        AND NOT EXISTS (SELECT 1 FROM insurance_status i WHERE i.resident_id = c.resident_id AND i.year = ?
                        AND i.paid = 1 AND i.deleted_at IS NULL)"""
    return where, [str(year), year]


def _count_where(conn: Connection, clinic_id: str, where: str, args: list[Any], query: str) -> int:
    match, match_args = _matching(query)
    sql = (
        "SELECT count(*) FROM contract c JOIN resident r ON r.id = c.resident_id "
        "WHERE c.clinic_id = ? AND c.deleted_at IS NULL AND r.deleted_at IS NULL" + where + match
    )
    return int(conn.execute(sql, [clinic_id, *args, *match_args]).fetchone()[0])


def renewal_page(
    conn: Connection,
    clinic_id: str,
    today: dt.date,
    days: int,
    query: str = "",
    *,
    after: ContractCursor | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Open contracts ending within ``days`` whose resident has nothing open for the next period yet."""
    where, args = _renewal_where(today, days)
    return _contract_page(conn, clinic_id, where, args, query, after, limit)


def count_renewals(conn: Connection, clinic_id: str, today: dt.date, days: int, query: str = "") -> int:
    """How many contracts ``renewal_page`` lists in all."""
    return _count_where(conn, clinic_id, *_renewal_where(today, days), query)


def uninsured_page(
    conn: Connection,
    clinic_id: str,
    year: int,
    query: str = "",
    *,
    after: ContractCursor | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Open contracts of the year whose resident has not paid this year's insurance premium."""
    where, args = _uninsured_where(year)
    return _contract_page(conn, clinic_id, where, args, query, after, limit)


def count_uninsured(conn: Connection, clinic_id: str, year: int, query: str = "") -> int:
    """How many contracts ``uninsured_page`` lists in all."""
    return _count_where(conn, clinic_id, *_uninsured_where(year), query)


def never_signed_page(
    conn: Connection,
    clinic_id: str,
    query: str = "",
    *,
    after: tuple[str, str] | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Residents with no contract at all (any period, any status)."""
    return resident_page(conn, clinic_id, query, after=after, limit=limit, never_signed=True)


def count_never_signed(conn: Connection, clinic_id: str, query: str = "") -> int:
    """How many residents ``never_signed_page`` lists in all."""
    match, match_args = _matching(query)
    sql = (
        "SELECT count(*) FROM resident r WHERE r.clinic_id = ? AND r.deleted_at IS NULL"
        + match
        + " AND NOT EXISTS (SELECT 1 FROM contract c WHERE c.resident_id = r.id AND c.deleted_at IS NULL)"
    )
    return int(conn.execute(sql, [clinic_id, *match_args]).fetchone()[0])


def resident_page(
    conn: Connection,
    clinic_id: str,
    query: str = "",
    *,
    after: tuple[str, str] | None = None,
    limit: int = 200,
    never_signed: bool = False,
) -> list[dict[str, Any]]:
    """Residents matching a search (the people to choose from when signing), in pinyin order, with their
    household's code."""
    match, match_args = _matching(query)
    sql = (
        """SELECT r.id, r.name, r.name_pinyin, r.sex, r.birth_date, r.id_number, r.household_id,
                    h.code AS household_code
             FROM resident r INDEXED BY resident_list LEFT JOIN household h ON h.id = r.household_id
             WHERE r.clinic_id = ? AND r.deleted_at IS NULL"""
        + match
    )
    params: list[Any] = [clinic_id, *match_args]
    if never_signed:
        sql += (
            " AND NOT EXISTS (SELECT 1 FROM contract c WHERE c.resident_id = r.id AND c.deleted_at IS NULL)"
        )
    if after is not None:
        sql += " AND (r.name_pinyin, r.id) > (?, ?)"
        params += list(after)
    sql += " ORDER BY r.name_pinyin, r.id LIMIT ?"
    return [dict(r) for r in conn.execute(sql, [*params, limit])]


def contract_rows(
    conn: Connection, clinic_id: str, ids: list[str], period: str, query: str = ""
) -> list[dict[str, Any]]:
    """The contracts of these ids that ``contract_page`` lists for this period and search, as it lists them (a
    list brings just the records a unit of work changed up to date)."""
    match, match_args = _matching(query)
    out: list[dict[str, Any]] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        sql = (
            LIST_SQL
            + f" AND c.period = ? AND r.deleted_at IS NULL AND c.id IN ({', '.join('?' for _ in chunk)})"
            + match
        )
        out += [dict(r) for r in conn.execute(sql, [clinic_id, str(period), *chunk, *match_args])]
    return out


def contract_row(conn: Connection, clinic_id: str, contract_id: str) -> dict[str, Any]:
    """One contract as the lists show it (resident's name, team's name)."""
    row = conn.execute(LIST_SQL + " AND c.id = ?", (clinic_id, contract_id)).fetchone()
    if row is None:
        raise NotFound(f"contract {contract_id} does not exist")
    return dict(row)


def teams(conn: Connection, clinic_id: str) -> list[dict[str, Any]]:
    """The clinic's teams by name, each with its lead's and members' display names (a clinic has a handful)."""
    return [
        dict(r)
        for r in conn.execute(
            'SELECT t.id, t.name, u.display_name AS lead, (SELECT group_concat(m.display_name, "、") FROM team_member tm '
            'JOIN "user" m ON m.id = tm.user_id WHERE tm.team_id = t.id AND tm.deleted_at IS NULL) AS members '
            'FROM team t LEFT JOIN "user" u ON u.id = t.lead_user_id WHERE t.clinic_id = ? AND t.deleted_at IS NULL '
            "ORDER BY t.name, t.id",
            (clinic_id,),
        )
    ]


def default_team(conn: Connection, clinic_id: str, user_id: str) -> str | None:
    """The team a sign dialog offers first: the oldest team the user leads or belongs to, else the clinic's
    oldest team (a team just added never becomes everyone's default); None when the clinic has none."""
    row = conn.execute(
        "SELECT t.id FROM team t WHERE t.clinic_id = ? AND t.deleted_at IS NULL ORDER BY "
        "(t.lead_user_id = ? OR EXISTS (SELECT 1 FROM team_member m WHERE m.team_id = t.id AND m.user_id = ? "
        "AND m.deleted_at IS NULL)) DESC, t.created_at, t.name, t.id LIMIT 1",
        (clinic_id, user_id, user_id),
    ).fetchone()
    return None if row is None else str(row[0])


def open_contracts(conn: Connection, resident_ids: list[str], period: str) -> dict[str, str]:
    """Of these residents, those with an open contract for the period: resident id -> the team's name."""
    out: dict[str, str] = {}
    for start in range(0, len(resident_ids), 500):
        chunk = resident_ids[start : start + 500]
        out.update(
            (r[0], r[1])
            for r in conn.execute(
                "SELECT c.resident_id, t.name FROM contract c JOIN team t ON t.id = c.team_id "
                f"WHERE c.resident_id IN ({', '.join('?' for _ in chunk)}) AND c.period = ? "
                "AND c.status IN ('provisional', 'active') AND c.deleted_at IS NULL",
                [*chunk, str(period)],
            )
        )
    return out


def clinic_people(conn: Connection, clinic_id: str) -> list[dict[str, Any]]:
    """The clinic's active users who can be put in a team (user name and display name)."""
    return [
        dict(r)
        for r in conn.execute(
            'SELECT username, display_name FROM "user" WHERE clinic_id = ? AND deleted_at IS NULL AND active = 1 '
            "ORDER BY display_name, username",
            (clinic_id,),
        )
    ]


def signing_people(conn: Connection, resident_id: str, household: bool) -> list[dict[str, Any]]:
    """Who a sign dialog lists: the resident, or every member of the resident's household (head first)."""
    person = _resident(conn, resident_id)
    if not household or not person.get("household_id"):
        return [person]
    return [
        dict(r)
        for r in conn.execute(
            "SELECT * FROM resident WHERE household_id = ? AND deleted_at IS NULL "
            "ORDER BY relation_to_head = 'head' DESC, name_pinyin, id",
            (person["household_id"],),
        )
    ]


# -- reference rows without a county (a demo clinic, tests) ---------------------------------------------
def default_packages_file() -> Path:
    """The default set of service packages a new county starts with (package data: installed with clinic_app)."""
    return Path(__file__).with_name("data") / "service_packages.json"


def install_reference(
    store: Store, packages_file: Any = None, policy: dict[str, tuple[str, str]] | None = None
) -> None:
    """Write county reference rows locally as the county server would send them — service packages and policy
    values (``key -> (value, effective_from)``) — with the county's own ids, so that the first pull replaces
    them. Only for a clinic that has no county yet (the demo) and for tests; never pushed."""
    now = utc_now()
    common = {"clinic_id": None, "created_at": now, "updated_at": now, "deleted_at": None, "row_version": 0}
    rows = parse_packages(
        read_packages_file(packages_file or default_packages_file())
    )  # as the county loads them
    packages = [{**common, "id": reference_id("service_package", row["code"]), **row} for row in rows]
    values = [
        {
            **common,
            "id": reference_id("policy", f"{key}@{since}"),
            "key": key,
            "value": value,
            "effective_from": since,
        }
        for key, (value, since) in (policy or {}).items()
    ]
    store.write_server_rows({"service_package": packages, "policy": values}, "sync.reference")
