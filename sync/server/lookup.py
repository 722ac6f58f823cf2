"""The cross-clinic lookup (DESIGN §5): whether a person holds an active contract anywhere in the county."""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from clinic_app.digits import ascii_digits
from clinic_app.errors import ValidationError
from sync.protocol import LookupResponse
from sync.server import db, throttle
from sync.server.common import Caller
from sync.server.db import utc_now


def lookup_resident(conn: Connection, caller: Caller, id_number: str, period: str) -> LookupResponse:
    """Whether this person holds an active contract for the period anywhere in the county, and where: only
    what signing needs. Every answered call is written to ``lookup_audit``; a device or clinic that has asked
    as often as the county allows is refused (throttle.py). Full-width digits (２０２６) read as ASCII."""
    from clinic_app.idcard import parse_id_number

    number = parse_id_number(id_number).number  # full-width digits read as ASCII there too
    period = ascii_digits("period", period).strip()
    if not (len(period) == 4 and period.isascii() and period.isdigit()):
        raise ValidationError("period", "format", "the contract period is a year like 2026")
    throttle.check_lookup_rate(conn, caller)
    held = conn.execute(
        sa.select(db.contract_index.c.row_id, db.clinic.c.code, db.clinic.c.name)
        .select_from(db.contract_index.join(db.clinic, db.clinic.c.id == db.contract_index.c.clinic_id))
        .where(db.contract_index.c.person_key == f"id:{number}", db.contract_index.c.period == period)
    ).first()
    found = LookupResponse(active_contract=False)
    if held is not None:
        found = LookupResponse(active_contract=True, clinic_code=held.code, clinic_name=held.name)
    conn.execute(
        db.lookup_audit.insert().values(
            device_id=caller.device_id,
            clinic_id=caller.clinic_id,
            id_number=number,
            period=period,
            result=json.dumps(found.model_dump(exclude_none=True), ensure_ascii=False),
            at=utc_now(),
        )
    )
    return found
