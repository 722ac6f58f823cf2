"""One box, one sale county-wide (RULES §7; issue 13 point 3). A device blocks a code sold before at its own clinic
(clinic_app.rx_records); the county sees every clinic's sales: the first clinic whose dispensing names a code holds
it in ``trace_code_index`` (its primary key decides between pushes at the same instant, on PostgreSQL one waits
for the other's outcome), and a sale of the code at another clinic is kept (the box left the shelf) but flagged:
a conflict row to both clinics, naming the other, and a row of the county's list (``trace_code_flag``,
``county-server report trace-codes``). A split-pack box sold again at its own clinic is not flagged."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from clinic_app.errors import ValidationError
from sync.server import db
from sync.server.common import clinic_scope
from sync.server.db import utc_now
from sync.server.records import Batch, CountyRule, RecordStore, next_version

TRACE_CODE_CONFLICT = "trace_code_elsewhere"
KEEP = ("acknowledged",)  # a reviewer has looked into it (the sale happened; nothing to undo in the records)


class TraceCodeRule(CountyRule):
    table = "dispensing_code"
    conflict_kind = TRACE_CODE_CONFLICT
    keep_choices = KEEP

    def after_apply(
        self,
        records: RecordStore,
        conn: Connection,
        batch: Batch,
        clinic_id: str,
        row_id: str,
        user_id: str | None,
    ) -> dict[str, Any] | None:
        data = json.loads(batch.row(conn, "dispensing_code", row_id).data)
        code = data.get("code")
        if not code or data.get("deleted_at"):
            return None
        held = None
        while held is None:
            if db.insert_unless_taken(
                conn, db.trace_code_index, {"code": code, "clinic_id": clinic_id, "row_id": row_id}
            ):
                return None
            held = conn.execute(
                sa.select(db.trace_code_index).where(db.trace_code_index.c.code == code)
            ).first()
        if held.clinic_id == clinic_id or held.row_id == row_id:
            return None  # the clinic's own: its devices judge reuse (split packs)
        batch.flush(conn)
        if not db.insert_unless_taken(
            conn,
            db.trace_code_flag,
            {
                "row_id": row_id,
                "code": code,
                "clinic_id": clinic_id,
                "first_clinic_id": held.clinic_id,
                "first_row_id": held.row_id,
                "flagged_at": utc_now(),
            },
        ):
            return None  # flagged already (the same row pushed again)
        first, this = _clinic(conn, held.clinic_id), _clinic(conn, clinic_id)
        mine = _flag_conflict(
            records,
            conn,
            batch.take(),
            clinic_id,
            row_id,
            user_id,
            f"trace code {code} was sold at {first.name} ({first.code}) already: one box, one sale",
            {"code": code, "other_clinic": first.code, "other_row": held.row_id},
        )
        theirs = _flag_conflict(
            records,
            conn,
            next_version(conn, clinic_scope(held.clinic_id)),
            held.clinic_id,
            held.row_id,
            None,
            f"trace code {code} of this clinic's sale was sold at {this.name} ({this.code}) as well",
            {"code": code, "other_clinic": this.code, "other_row": row_id, "twin": mine},
        )
        _twin(conn, mine, theirs)
        return {"conflict_id": mine}

    def resolve(
        self, records: RecordStore, conn: Connection, conflict: Any, keep: str, actor: str, note: str
    ) -> None:
        """The reviewer acknowledges a doubled code (looked into, e.g. a box returned or a misprinted code): both
        clinics' conflict rows close; the sales stay as they were."""
        if keep not in KEEP:
            raise ValidationError(
                "keep", "choice", "a doubled trace code is resolved with --keep acknowledged"
            )
        resolution = {"keep": keep, "by": f"county:{actor}", "note": note or None}
        records.close_conflicts(conn, conflict, json.dumps(resolution, ensure_ascii=False), utc_now())


def _clinic(conn: Connection, clinic_id: str) -> Any:
    return conn.execute(sa.select(db.clinic).where(db.clinic.c.id == clinic_id)).one()


def _flag_conflict(
    records: RecordStore,
    conn: Connection,
    version: int,
    clinic_id: str,
    row_id: str,
    user_id: str | None,
    message: str,
    detail: dict[str, Any],
) -> str:
    return records.open_row_conflict(
        conn, version, clinic_id, "dispensing_code", row_id, TRACE_CODE_CONFLICT, message, user_id, detail
    )


def _twin(conn: Connection, mine: str, theirs: str) -> None:
    row = conn.execute(sa.select(db.conflict.c.detail).where(db.conflict.c.id == mine)).one()
    detail = {**json.loads(row.detail), "twin": theirs}
    conn.execute(
        sa.update(db.conflict)
        .where(db.conflict.c.id == mine)
        .values(detail=json.dumps(detail, ensure_ascii=False))
    )


def report(conn: Connection) -> list[dict[str, Any]]:
    """Every code sold at more than one clinic: the code, the first clinic and each later one, by code."""
    clinic = db.clinic.alias("c")
    first = db.clinic.alias("f")
    rows = conn.execute(
        sa.select(
            db.trace_code_flag.c.code,
            first.c.code.label("first_clinic"),
            clinic.c.code.label("clinic"),
            db.trace_code_flag.c.row_id,
            db.trace_code_flag.c.flagged_at,
        )
        .join(clinic, clinic.c.id == db.trace_code_flag.c.clinic_id)
        .join(first, first.c.id == db.trace_code_flag.c.first_clinic_id)
        .order_by(db.trace_code_flag.c.code, db.trace_code_flag.c.flagged_at)
    ).all()
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        entry = out.setdefault(r.code, {"code": r.code, "first_clinic": r.first_clinic, "also_sold_at": []})
        entry["also_sold_at"].append({"clinic": r.clinic, "row_id": r.row_id, "flagged_at": r.flagged_at})
    return list(out.values())
