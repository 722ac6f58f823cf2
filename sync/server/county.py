"""What the county's own people do on the server: see every clinic, decide conflicts, administer.

County reviewers and admins sign in (``/api/v1/login``) and get a token that is bound to no clinic; clinic
devices never reach these functions (the API checks the role first, ``require_role``).
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from clinic_app.errors import ValidationError
from clinic_app.users import COUNTY_ROLES
from sync.server import contract, db
from sync.server.common import Caller, ServiceError, clinic_scope
from sync.server.db import utc_now
from sync.server.records import META_FIELDS, Batch, RecordStore, load
from sync.server.rules import county_records

READERS = frozenset(COUNTY_ROLES)
ADMINS = frozenset({"county_admin"})
KEEP = ("server", "device")


def require_role(caller: Caller, roles: frozenset[str]) -> None:
    if caller.clinic_id is not None or caller.role not in roles:
        wanted = " or ".join(sorted(roles))
        raise ServiceError(
            403, "forbidden", f"this needs a county account ({wanted}); sign in with /api/v1/login"
        )


def clinics_overview(conn: Connection) -> list[dict[str, Any]]:
    """Every clinic with its devices, when one was last seen, its residents and the conflicts waiting."""
    devices = {
        r.clinic_id: r
        for r in conn.execute(
            sa.select(
                db.device.c.clinic_id,
                sa.func.count().label("n"),
                sa.func.max(db.device.c.last_seen_at).label("seen"),
            )
            .where(db.device.c.revoked_at.is_(None), db.device.c.clinic_id.is_not(None))
            .group_by(db.device.c.clinic_id)
        )
    }
    residents: dict[str, int] = dict(
        conn.execute(
            sa.select(db.resident_key.c.clinic_id, sa.func.count()).group_by(db.resident_key.c.clinic_id)
        ).all()
    )
    conflicts: dict[str, int] = dict(
        conn.execute(
            sa.select(db.conflict.c.clinic_id, sa.func.count())
            .where(db.conflict.c.resolved_at.is_(None))
            .group_by(db.conflict.c.clinic_id)
        ).all()
    )
    out = []
    for c in conn.execute(sa.select(db.clinic).order_by(db.clinic.c.code)):
        d = devices.get(c.id)
        out.append(
            {
                "code": c.code,
                "name": c.name,
                "devices": int(d.n) if d else 0,
                "last_seen_at": d.seen if d else None,
                "residents_with_id_number": int(residents.get(c.id, 0)),
                "open_conflicts": int(conflicts.get(c.id, 0)),
            }
        )
    return out


def conflict_view(row: Any) -> dict[str, Any]:
    detail = json.loads(row.detail)
    return {
        "id": row.id,
        "clinic_code": row.code,
        "kind": row.kind,
        "table": row.table_name,
        "row_id": row.row_id,
        "message": detail.get("message"),
        "device_fields": detail.get("fields") or {},
        "created_at": row.created_at,
        "resolved_at": row.resolved_at,
        "resolution": json.loads(row.resolution) if row.resolution else None,
    }


def list_conflicts(conn: Connection, include_resolved: bool = False) -> list[dict[str, Any]]:
    query = sa.select(db.conflict, db.clinic.c.code).select_from(
        db.conflict.outerjoin(db.clinic, db.clinic.c.id == db.conflict.c.clinic_id)
    )
    if not include_resolved:
        query = query.where(db.conflict.c.resolved_at.is_(None))
    return [
        conflict_view(r) for r in conn.execute(query.order_by(db.conflict.c.created_at, db.conflict.c.id))
    ]


def keep_choices(records: RecordStore) -> tuple[str, ...]:
    """How a reviewer decides: an edit conflict (server, device) or one of a county rule (transfer, cancel)."""
    return KEEP + records.keep_choices()


def resolve_conflict(
    conn: Connection,
    conflict_id: str,
    keep: str,
    actor: str,
    note: str = "",
    records: RecordStore | None = None,
) -> dict[str, Any]:
    """``keep="server"``: the server's row stands. ``keep="device"``: the fields the device sent are written over
    the row as it is now (checked by the same rules as a push). Either way the conflict row of the clinic is
    closed with the decision, so every device of the clinic shows it resolved after its next pull. A conflict
    a county rule opened (a contract signed at two clinics) is decided by that rule."""
    records = records or county_records()
    if keep not in keep_choices(records):
        raise ValidationError(
            "keep",
            "choice",
            "keep is server or device (an edit), transfer or cancel (a contract), fund_pays or patient_pays "
            "(a visit over the county-wide cap)",
        )
    if len(note) > 500:
        raise ValidationError("note", "too_long", "a note is at most 500 characters")
    row = conn.execute(sa.select(db.conflict).where(db.conflict.c.id == conflict_id)).first()
    if row is None:
        raise ValidationError("conflict", "unknown", f"no conflict {conflict_id}")
    if row.clinic_id is None:
        raise ValidationError("conflict", "unknown", f"conflict {conflict_id} belongs to no clinic")
    # the clinic's counter first, as a push takes it: the rows read below cannot change before this commits
    batch = Batch.locked(conn, clinic_scope(row.clinic_id))
    row = conn.execute(sa.select(db.conflict).where(db.conflict.c.id == conflict_id)).one()
    if row.resolved_at is not None:
        raise ValidationError(
            "conflict", "resolved", f"conflict {conflict_id} was resolved already ({row.resolved_at})"
        )
    if (rule := records.rule_for_conflict(row.kind)) is not None:
        rule.resolve(records, conn, row, keep, actor, note)
        return {"id": conflict_id, "keep": keep, "resolved_at": utc_now()}
    if keep not in KEEP:
        raise ValidationError(
            "keep", "choice", "an edit conflict is resolved with --keep server or --keep device"
        )
    now = utc_now()
    if keep == "device":
        _keep_device(records, conn, batch, row, json.loads(row.detail).get("fields") or {}, now)
    resolution = json.dumps({"keep": keep, "by": f"county:{actor}", "note": note or None}, ensure_ascii=False)
    record = load(conn, "conflict", conflict_id)
    if record is not None:  # the clinic's copy (the same id): closed with the same decision
        data = {**json.loads(record.data), "resolved_at": now, "resolution": resolution, "updated_at": now}
        records.write(
            conn,
            "conflict",
            conflict_id,
            row.clinic_id,
            batch.take(),
            data,
            record,
            {"resolved_at", "resolution", "updated_at"},
        )
    conn.execute(
        sa.update(db.conflict)
        .where(db.conflict.c.id == conflict_id)
        .values(resolved_at=now, resolution=resolution)
    )
    batch.finish(conn, clinic_scope(row.clinic_id))
    return {"id": conflict_id, "keep": keep, "resolved_at": now}


def _keep_device(
    records: RecordStore, conn: Connection, batch: Batch, row: Any, fields: dict[str, Any], now: str
) -> None:
    current = load(conn, row.table_name, row.row_id)
    if current is None or current.deleted_at:
        raise ValidationError(
            "keep", "deleted", "the row was deleted on the server; only keep=server can close this"
        )
    ignored = {"id", "clinic_id", "created_at", "created_by"} | contract.SERVER_COLUMNS
    ignored |= contract.DERIVED.get(row.table_name, frozenset())
    server_data = json.loads(current.data)
    wanted = {k: v for k, v in fields.items() if k not in ignored}
    changed = {k for k, v in wanted.items() if server_data.get(k) != v} - META_FIELDS
    if not changed:
        return
    data = {**server_data, **{k: wanted[k] for k in changed}, "updated_at": now}
    errors = records.validate(row.table_name, data)
    errors += records.check_references(conn, batch, row.clinic_id, row.table_name, data, changed)
    if not errors:
        errors = records.unique_taken(conn, row.table_name, row.clinic_id, row.row_id, data, changed)
    if errors:
        raise ValidationError(
            "keep", "invalid", "the device's version cannot be kept: " + "; ".join(map(str, errors))
        )
    records.write(
        conn, row.table_name, row.row_id, row.clinic_id, batch.take(), data, current, changed | {"updated_at"}
    )
