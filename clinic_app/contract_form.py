"""What the printed contract (家庭医生签约服务协议书) says, read in one place: the parties, the period, the
packages with their services and fees, the consent and the signatures. The UI lays it out; no SQL there.

The resident's whole ID number is on the form: it is the resident's own contract, one copy handed to them and one
filed, and the county's paper form identifies the person by it (the screen masks it; the paper does not)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from clinic_app.contracts import age_on, get_contract
from clinic_app.db import Connection


@dataclass(frozen=True)
class PackageLine:
    code: str
    name: str
    services: list[str]
    fee_fen: int
    fund_fen: int  # insurance fund + public-health funds
    resident_share_fen: int


@dataclass(frozen=True)
class ContractForm:
    contract_id: str
    number: str  # the short number printed on the form
    status: str
    clinic_name: str
    team_name: str
    team_lead: str
    team_members: list[str]
    resident_name: str
    sex: str  # "M" / "F"
    birth_date: str
    minor: bool  # under 18 when the period starts: a guardian signs
    document_type: str  # id_card / passport / other
    document_number: str
    phone: str
    address: str
    household_code: str
    resident_group: str | None
    period: str
    period_start: str
    period_end: str
    packages: list[PackageLine]
    fee_fen: int
    fund_share_fen: int
    resident_share_fen: int
    consent: str  # screen / paper
    signature: str | None  # a data: URL of the PNG signed on screen
    witness: str | None
    signed_on: dt.date  # the local day of signing
    signed_by: str
    terminated_on: dt.date | None
    stop_reason: str | None


def local_day(stamp: str) -> dt.date:
    """The day a UTC timestamp (``…Z``) falls on in this computer's time zone: a contract signed at 07:30 in
    Beijing is stamped the previous day in UTC."""
    moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone().date()


def contract_form(conn: Connection, contract_id: str) -> ContractForm:
    c = get_contract(conn, contract_id)
    r = conn.execute(
        "SELECT r.*, v.name AS village_name, h.code AS household_code, h.address AS household_address "
        "FROM resident r LEFT JOIN village v ON v.id = r.village_id LEFT JOIN household h ON h.id = r.household_id "
        "WHERE r.id = ?",
        (c["resident_id"],),
    ).fetchone()
    team = conn.execute(
        'SELECT t.name, u.display_name AS lead FROM team t LEFT JOIN "user" u ON u.id = t.lead_user_id WHERE t.id = ?',
        (c["team_id"],),
    ).fetchone()
    members = [
        row[0]
        for row in conn.execute(
            'SELECT u.display_name FROM team_member m JOIN "user" u ON u.id = m.user_id '
            "WHERE m.team_id = ? AND m.deleted_at IS NULL AND u.id IS NOT (SELECT lead_user_id FROM team WHERE id = ?) "
            "ORDER BY m.created_at, u.display_name",
            (c["team_id"], c["team_id"]),
        )
    ]
    clinic = conn.execute("SELECT name FROM clinic WHERE id = ?", (c["clinic_id"],)).fetchone()
    signer = conn.execute('SELECT display_name FROM "user" WHERE id = ?', (c["signed_by"],)).fetchone()
    codes = json.loads(c["packages"])
    # a package the county has since withdrawn still printed on the contract that holds it
    found = {
        row["code"]: row
        for row in conn.execute(
            f"SELECT * FROM service_package WHERE code IN ({', '.join('?' for _ in codes)})", codes
        )
    }
    lines = [
        PackageLine(
            code=code,
            name=p["name"],
            services=json.loads(p["services"] or "[]"),
            fee_fen=p["fee_fen"],
            fund_fen=p["insurance_fund_fen"] + p["public_health_fund_fen"],
            resident_share_fen=p["resident_share_fen"],
        )
        for code in codes
        if (p := found.get(code)) is not None
    ]
    address = "".join(part for part in (r["village_name"], r["household_address"]) if part)
    document_number = r["id_number"] or r["document_number"] or ""
    return ContractForm(
        contract_id=c["id"],
        number=c["id"][-12:].upper(),
        status=c["status"],
        clinic_name=clinic[0] if clinic else "",
        team_name=team["name"] if team else "",
        team_lead=(team["lead"] or "") if team else "",
        team_members=members,
        resident_name=r["name"],
        sex=r["sex"],
        birth_date=r["birth_date"],
        minor=age_on(r["birth_date"], dt.date.fromisoformat(c["period_start"])) < 18,
        document_type="id_card" if r["id_number"] else r["document_type"],
        document_number=document_number,
        phone=r["phone"] or "",
        address=address,
        household_code=r["household_code"] or "",
        resident_group=c["resident_group"],
        period=c["period"],
        period_start=c["period_start"],
        period_end=c["period_end"],
        packages=lines,
        fee_fen=c["fee_fen"],
        fund_share_fen=c["fund_share_fen"],
        resident_share_fen=c["resident_share_fen"],
        consent=c["consent"],
        signature=c["signature"] if c["consent"] == "screen" else None,
        witness=c["witness"],
        signed_on=local_day(c["signed_at"]),
        signed_by=signer[0] if signer else "",
        terminated_on=dt.date.fromisoformat(c["terminated_at"][:10]) if c["terminated_at"] else None,
        stop_reason=c["stop_reason"],
    )
