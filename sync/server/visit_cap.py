"""The county-wide annual cap of the outpatient settlement (issue 14 point 2): a patient treated at two clinics
shares one cap per pool (ordinary outpatient; chronic outpatient per disease) and calendar year. A device settles
against the visits it knows and marks the settlement provisional; here every visit is indexed by person (ID
number), pool and year in the order the county took it, the year is recomputed in that order, and a visit whose
fund share passes what the earlier visits left of the cap becomes a conflict both clinics see, with the amount,
for a county reviewer. A reversal (``visit_cancel``) takes its visit out of the year."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from clinic_app.errors import ValidationError
from clinic_app.settlement import CHRONIC, policy_keys, policy_number
from sync.server import db
from sync.server.db import utc_now
from sync.server.one_team import conflict_row, person_key, scope_of
from sync.server.records import Batch, CountyRule, RecordStore, load

CAP_CONFLICT = "cap_overrun"
KEEP = ("fund_pays", "patient_pays")  # the fund pays the overrun after all / the clinic collects it
WHAT = ("visit", CAP_CONFLICT)  # the conflict's table and kind


def _cap(conn: Connection, med_type: str, disease: str | None, day: str) -> int | None:
    key = policy_keys(med_type, disease)["annual_cap_fen"]
    row = conn.execute(
        sa.select(db.policy.c.value)
        .where(db.policy.c.key == key, db.policy.c.effective_from <= day)
        .order_by(db.policy.c.effective_from.desc())
        .limit(1)
    ).first()
    return None if row is None else int(policy_number(key, row.value))


def overrun(funds: list[tuple[str, int]], cap: int, row_id: str) -> int:
    """What ``row_id``'s fund share passes the cap by, the year's live visits taken in order (id, fund)."""
    used = 0
    for visit_id, fund in funds:
        if visit_id == row_id:
            return max(0, min(fund, used + fund - cap))
        used += fund
    return 0


class CountyCapRule(CountyRule):
    table = "visit"
    conflict_kind = CAP_CONFLICT
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
        if ("visit", row_id) not in batch.pending:  # a visit is an event: only its first arrival counts
            return None
        data = json.loads(batch.row(conn, "visit", row_id).data)
        disease = data.get("disease") if data.get("med_type") == CHRONIC else None
        pool = f"{data['med_type']}:{disease or ''}"
        key = person_key(conn, clinic_id, data["resident_id"], batch)
        year = str(data["visit_date"])[:4]
        if conn.dialect.name == "postgresql":  # two clinics' pushes of one person's year: one after the other
            conn.execute(
                sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"cap:{key}:{pool}:{year}"}
            )
        conn.execute(
            db.visit_index.insert().values(
                row_id=row_id,
                clinic_id=clinic_id,
                person_key=key,
                pool=pool,
                year=year,
                fund_fen=int(data.get("fund_fen") or 0),
            )
        )
        cap = _cap(conn, data["med_type"], disease, str(data["visit_date"]))
        if cap is None:
            return None
        rows = conn.execute(
            sa.select(db.visit_index)
            .where(
                db.visit_index.c.person_key == key,
                db.visit_index.c.pool == pool,
                db.visit_index.c.year == year,
                db.visit_index.c.cancelled == 0,
            )
            .order_by(db.visit_index.c.seq)
        ).all()
        amount = overrun([(r.row_id, int(r.fund_fen)) for r in rows], cap, row_id)
        if amount == 0:
            return None
        batch.flush(conn)
        others = sorted({r.clinic_id for r in rows if r.row_id != row_id and r.clinic_id != clinic_id})
        message = (
            f"the fund's share passes the county-wide annual cap by {amount} fen: the patient's visits of {year} "
            f"at {len(others) + 1} clinic(s) used it first; a county reviewer decides who pays it"
        )
        detail = {"amount_fen": amount, "cap_fen": cap, "year": year, "pool": pool}
        mine = conflict_row(records, conn, batch.take, clinic_id, row_id, user_id, message, detail, *WHAT)
        for other in others:
            conflict_row(records, conn, scope_of(conn, other), other, row_id, None, message, detail, *WHAT)
        return {"conflict_id": mine}

    def resolve(
        self, records: RecordStore, conn: Connection, conflict: Any, keep: str, actor: str, note: str
    ) -> None:
        """The reviewer's decision (``fund_pays`` or ``patient_pays``) closes every clinic's conflict row of the
        visit; the visit itself, an event, stays as it was settled (the decision is the record)."""
        if keep not in KEEP:
            raise ValidationError(
                "keep", "choice", "a cap overrun is resolved with --keep fund_pays or --keep patient_pays"
            )
        now = utc_now()
        resolution = json.dumps(
            {"keep": keep, "by": f"county:{actor}", "note": note or None}, ensure_ascii=False
        )
        for row in conn.execute(
            sa.select(db.conflict).where(
                db.conflict.c.row_id == conflict.row_id,
                db.conflict.c.kind == CAP_CONFLICT,
                db.conflict.c.resolved_at.is_(None),
            )
        ).all():
            records.decide(
                conn,
                load(conn, "conflict", row.id),
                {"resolved_at": now, "resolution": resolution},
                scope_of(conn, row.clinic_id),
            )
            conn.execute(
                sa.update(db.conflict)
                .where(db.conflict.c.id == row.id)
                .values(resolved_at=now, resolution=resolution)
            )


class VisitCancelIndex(CountyRule):
    """A reversal takes its visit out of the year's cap."""

    table = "visit_cancel"

    def after_apply(
        self,
        records: RecordStore,
        conn: Connection,
        batch: Batch,
        clinic_id: str,
        row_id: str,
        user_id: str | None,
    ) -> dict[str, Any] | None:
        data = json.loads(batch.row(conn, "visit_cancel", row_id).data)
        conn.execute(
            sa.update(db.visit_index).where(db.visit_index.c.row_id == data["visit_id"]).values(cancelled=1)
        )
        return None
