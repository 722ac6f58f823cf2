"""The county-wide contract rule (RULES §2, DESIGN §5): one open contract per person per contract period in the
whole county. The server is where the rule holds: a contract arrives ``provisional``; the first one accepted for
a person and period becomes ``active``, a later one becomes ``conflict`` and both clinics get a conflict row
naming the other, which a county reviewer decides (``county-server conflicts resolve ID --keep transfer|cancel``).

A person is their ID number across clinics; a resident without one is known only inside the clinic.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from clinic_app.errors import ValidationError
from clinic_app.ids import uuid7
from sync.server import db
from sync.server.db import utc_now

OPEN = ("provisional", "active")
CONTRACT_CONFLICT = "contract_elsewhere"
KEEP = ("transfer", "cancel")  # the later contract replaces the earlier one / the later one is cancelled


def person_key(conn: Connection, clinic_id: str, resident_id: str) -> str:
    from sync.server.service import _load

    resident = _load(conn, "resident", resident_id)
    number = json.loads(resident.data).get("id_number") if resident is not None else None
    return f"id:{number}" if number else f"resident:{clinic_id}:{resident_id}"


def judge(
    conn: Connection, batch: Any, clinic_id: str, row_id: str, user_id: str | None
) -> dict[str, Any] | None:
    """After a contract row was written: index it, and make it active or a conflict. Returns what changed for
    the device (``server_row``, ``version``, ``conflict_id``) or None when the row stands as sent."""
    from sync.server import service

    batch.flush(conn)
    record = service._load(conn, "contract", row_id)
    data = json.loads(record.data)
    key = person_key(conn, clinic_id, data["resident_id"])
    conn.execute(sa.delete(db.contract_index).where(db.contract_index.c.row_id == row_id))
    status = data.get("status") or "provisional"  # the device's default for a row sent without one
    if status not in OPEN or data.get("deleted_at"):
        return None
    held = conn.execute(sa.select(db.contract_index).where(
        db.contract_index.c.person_key == key, db.contract_index.c.period == str(data["period"]))).first()  # fmt: skip
    if held is None:
        conn.execute(db.contract_index.insert().values(row_id=row_id, clinic_id=clinic_id, person_key=key,
                                                       period=str(data["period"])))  # fmt: skip
        if status == "active":
            return None
        return _set(conn, batch.take, record, {"status": "active"})
    changed = _set(conn, batch.take, record, {"status": "conflict"})
    other_clinic = conn.execute(sa.select(db.clinic).where(db.clinic.c.id == held.clinic_id)).one()
    this_clinic = conn.execute(sa.select(db.clinic).where(db.clinic.c.id == clinic_id)).one()
    period = data["period"]
    mine = _conflict_row(conn, batch.take, clinic_id, row_id, user_id,
                         f"already signed for {period} at {other_clinic.name} ({other_clinic.code}); "
                         "a county reviewer decides which contract stands", {"other_contract": held.row_id,
                                                                              "other_clinic": other_clinic.code})  # fmt: skip
    if held.clinic_id == clinic_id:
        theirs = None
    else:  # the other clinic learns of it too: its contract may be the one replaced
        theirs = _conflict_row(conn, lambda: _next_in_scope(conn, held.clinic_id), held.clinic_id, held.row_id, None,
                               f"{this_clinic.name} ({this_clinic.code}) signed this resident for {period} as well; "
                               "a county reviewer decides which contract stands",
                               {"other_contract": row_id, "other_clinic": this_clinic.code})  # fmt: skip
    _link(conn, mine, theirs)
    return {**changed, "conflict_id": mine}


def _set(conn: Connection, take: Callable[[], int], record: Any, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` written over a stored row as a new version of its clinic's scope (``take`` hands the version
    out: a push's batch, or the clinic's counter for a county decision); what the device is answered."""
    from sync.server import service

    data = {**json.loads(record.data), **values, "updated_at": utc_now()}
    version = take()
    service._write_record(conn, record.table_name, record.row_id, record.clinic_id, version, data, record,
                          {*values, "updated_at"})  # fmt: skip
    return {"version": version, "server_row": {**data, "row_version": version}}


def _next_in_scope(conn: Connection, clinic_id: str) -> int:
    """The next version of another clinic's scope (its counter locked until commit, as a push of its own would)."""
    from sync.server import service

    version = service.lock_scope(conn, f"clinic:{clinic_id}") + 1
    conn.execute(
        sa.update(db.scope_counter)
        .where(db.scope_counter.c.scope == f"clinic:{clinic_id}")
        .values(value=version)
    )
    return version


def _conflict_row(conn: Connection, take: Any, clinic_id: str, row_id: str, user_id: str | None, message: str,
                  detail: dict[str, Any]) -> str:  # fmt: skip
    from sync.server import service

    conflict_id = uuid7()
    now = utc_now()
    record = service._load(conn, "contract", row_id)
    server_row = json.dumps(
        {**json.loads(record.data), "row_version": int(record.version)}, ensure_ascii=False
    )
    data = {"id": conflict_id, "clinic_id": clinic_id, "created_at": now, "updated_at": now, "created_by": user_id,
            "updated_by": user_id, "deleted_at": None, "table_name": "contract", "row_id": row_id,
            "kind": CONTRACT_CONFLICT, "message": message, "local_row": None, "server_row": server_row,
            "resolved_at": None, "resolution": None}  # fmt: skip
    service._write_record(conn, "conflict", conflict_id, clinic_id, take(), data, None)
    conn.execute(db.conflict.insert().values(
        id=conflict_id, clinic_id=clinic_id, table_name="contract", row_id=row_id, kind=CONTRACT_CONFLICT,
        created_at=now, detail=json.dumps({"message": message, **detail}, ensure_ascii=False)))  # fmt: skip
    return conflict_id


def _link(conn: Connection, mine: str, theirs: str | None) -> None:
    if theirs is None:
        return
    for this, other in ((mine, theirs), (theirs, mine)):
        row = conn.execute(sa.select(db.conflict.c.detail).where(db.conflict.c.id == this)).one()
        detail = {**json.loads(row.detail), "twin": other}
        conn.execute(
            sa.update(db.conflict)
            .where(db.conflict.c.id == this)
            .values(detail=json.dumps(detail, ensure_ascii=False))
        )


def resolve(conn: Connection, conflict: Any, keep: str, actor: str, note: str) -> None:
    """``transfer``: the later contract (the one in conflict) becomes active and the one it collided with is
    terminated (``stop_reason`` transferred); ``cancel``: the later one is terminated (duplicate). Both clinics'
    conflict rows close with the decision; the contracts' new states sync to both."""
    from sync.server import service

    if keep not in KEEP:
        raise ValidationError(
            "keep", "choice", "a contract conflict is resolved with --keep transfer or --keep cancel"
        )
    detail = json.loads(conflict.detail)
    later_id = conflict.row_id if _status(conn, conflict.row_id) == "conflict" else detail["other_contract"]
    later = service._load(conn, "contract", later_id)
    earlier_id = detail["other_contract"] if later_id == conflict.row_id else conflict.row_id
    earlier = service._load(conn, "contract", earlier_id)
    now = utc_now()
    if keep == "transfer":
        if earlier is not None and json.loads(earlier.data).get("status") in OPEN:
            _decide(
                conn,
                earlier,
                {"status": "terminated", "terminated_at": now[:10], "stop_reason": "transferred"},
            )
        conn.execute(sa.delete(db.contract_index).where(db.contract_index.c.row_id == earlier_id))
        _decide(conn, later, {"status": "active"})
        data = json.loads(later.data)
        conn.execute(db.contract_index.insert().values(
            row_id=later_id, clinic_id=later.clinic_id, period=str(data["period"]),
            person_key=person_key(conn, later.clinic_id, data["resident_id"])))  # fmt: skip
    else:
        _decide(conn, later, {"status": "terminated", "terminated_at": now[:10], "stop_reason": "duplicate"})
    resolution = json.dumps({"keep": keep, "by": f"county:{actor}", "note": note or None}, ensure_ascii=False)
    for conflict_id in filter(None, [conflict.id, detail.get("twin")]):
        row = conn.execute(sa.select(db.conflict).where(db.conflict.c.id == conflict_id)).one()
        if row.resolved_at is not None:
            continue
        record = service._load(conn, "conflict", conflict_id)
        _decide(conn, record, {"resolved_at": now, "resolution": resolution})
        conn.execute(sa.update(db.conflict).where(db.conflict.c.id == conflict_id)
                     .values(resolved_at=now, resolution=resolution))  # fmt: skip


def _status(conn: Connection, row_id: str) -> str | None:
    from sync.server import service

    record = service._load(conn, "contract", row_id)
    return None if record is None else json.loads(record.data).get("status")


def _decide(conn: Connection, record: Any, values: dict[str, Any]) -> None:
    """A county decision: a new version in the row's clinic scope (its devices pull it)."""
    _set(conn, lambda: _next_in_scope(conn, record.clinic_id), record, values)
