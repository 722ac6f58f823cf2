"""The county-wide contract rule (RULES §2, DESIGN §5): one open contract per person per contract period in the
whole county. The server is where the rule holds: a contract arrives ``provisional``; the first one accepted for
a person and period becomes ``active``, a later one becomes ``conflict`` and both clinics get a conflict row
naming the other, which a county reviewer decides (``county-server conflicts resolve ID --keep transfer|cancel``).

A person is their ID number across clinics; a resident without one is known only inside the clinic.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from clinic_app.errors import ValidationError
from sync.server import db
from sync.server.common import clinic_scope
from sync.server.db import utc_now
from sync.server.records import Batch, CountyRule, RecordStore, load, next_version

OPEN = ("provisional", "active")
CONTRACT_CONFLICT = "contract_elsewhere"
KEEP = ("transfer", "cancel")  # the later contract replaces the earlier one / the later one is cancelled
_WAITING = ("one_team", "waiting")  # batch.memo: the push's new open contracts, indexed together (settle)
_JUDGED = ("one_team", "judged")  # batch.memo: what settling changed, by contract row id


@dataclass(frozen=True)
class _Waiting:
    """A new open contract of a push, to be indexed: the row as the batch holds it and its person and period."""

    record: Any
    clinic_id: str
    user_id: str | None
    key: str
    period: str
    status: str


def person_key(conn: Connection, clinic_id: str, resident_id: str, batch: Batch | None = None) -> str:
    resident = (
        batch.row(conn, "resident", resident_id) if batch is not None else load(conn, "resident", resident_id)
    )
    number = json.loads(resident.data).get("id_number") if resident is not None else None
    return f"id:{number}" if number else f"resident:{clinic_id}:{resident_id}"


class OneTeamRule(CountyRule):
    table = "contract"
    conflict_kind = CONTRACT_CONFLICT
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
        """After a contract row was written: index it, and make it active or a conflict. A new open contract of a
        push waits (``settle``): the push's new contracts are indexed in one statement."""
        new = ("contract", row_id) in batch.pending  # decided from the batch's row, inserted with the others
        record = batch.row(conn, "contract", row_id)
        data = json.loads(record.data)
        key = person_key(conn, clinic_id, data["resident_id"], batch)
        status = data.get("status") or "provisional"  # the device's default for a row sent without one
        waiting: dict[str, _Waiting] = batch.memo.setdefault(_WAITING, {})
        if new and row_id not in waiting and status in OPEN and not data.get("deleted_at"):
            waiting[row_id] = _Waiting(record, clinic_id, user_id, key, str(data["period"]), status)
            return None
        self._settle(records, conn, batch)  # the waiting ones first: the rule decides in the push's order
        if not new:  # a new row was never indexed
            conn.execute(sa.delete(db.contract_index).where(db.contract_index.c.row_id == row_id))
        if status not in OPEN or data.get("deleted_at"):
            return None
        return self._decide(
            records, conn, batch, _Waiting(record, clinic_id, user_id, key, str(data["period"]), status)
        )

    def waits(self, batch: Batch, row_id: str) -> bool:
        return row_id in batch.memo.get(_WAITING, ())

    def settle(self, records: RecordStore, conn: Connection, batch: Batch) -> dict[str, dict[str, Any]]:
        self._settle(records, conn, batch)
        return batch.memo.pop(_JUDGED, None) or {}

    def _settle(self, records: RecordStore, conn: Connection, batch: Batch) -> None:
        """The push's waiting contracts indexed in one statement (in the push's order, so that of two for one
        person and period the first holds it); those that went in are active, the others decided one by one
        (``_decide``: held by a contract committed meanwhile, or a conflict). What changed for each device row
        is kept in ``batch.memo`` until the push asks (``settle``)."""
        waiting: dict[str, _Waiting] = batch.memo.get(_WAITING) or {}
        if not waiting:
            return
        batch.memo[_WAITING] = {}
        rows = sorted(waiting.items(), key=lambda item: (item[1].key, item[1].period))  # one lock order
        went_in = db.insert_those_not_taken(
            conn,
            db.contract_index,
            [
                {"row_id": row_id, "clinic_id": w.clinic_id, "person_key": w.key, "period": w.period}
                for row_id, w in rows
            ],
        )
        judged: dict[str, dict[str, Any]] = batch.memo.setdefault(_JUDGED, {})
        for row_id, w in waiting.items():  # the push's order
            if row_id in went_in:
                if w.status != "active":
                    judged[row_id] = records.decide(conn, w.record, {"status": "active"}, batch.take, batch)
            elif (changes := self._decide(records, conn, batch, w)) is not None:
                judged[row_id] = changes

    def _decide(
        self, records: RecordStore, conn: Connection, batch: Batch, w: _Waiting
    ) -> dict[str, Any] | None:
        record, clinic_id, row_id, key = w.record, w.clinic_id, w.record.row_id, w.key
        held = None
        while held is None:  # the unique index decides between clinics signing at the same instant
            if db.insert_unless_taken(
                conn,
                db.contract_index,
                {"row_id": row_id, "clinic_id": clinic_id, "person_key": key, "period": w.period},
            ):
                if w.status == "active":
                    return None
                return records.decide(conn, record, {"status": "active"}, batch.take, batch)
            held = _holder(conn, key, w.period)  # held already, or committed by the other one meanwhile
        changed = records.decide(conn, record, {"status": "conflict"}, batch.take, batch)
        batch.flush(conn)  # the conflict rows read the contract as stored
        other_clinic = conn.execute(sa.select(db.clinic).where(db.clinic.c.id == held.clinic_id)).one()
        this_clinic = conn.execute(sa.select(db.clinic).where(db.clinic.c.id == clinic_id)).one()
        period = w.period
        mine = conflict_row(
            records,
            conn,
            batch.take,
            clinic_id,
            row_id,
            w.user_id,
            f"already signed for {period} at {other_clinic.name} ({other_clinic.code}); "
            "a county reviewer decides which contract stands",
            {"other_contract": held.row_id, "other_clinic": other_clinic.code},
        )
        if held.clinic_id == clinic_id:
            theirs = None
        else:  # the other clinic learns of it too: its contract may be the one replaced
            theirs = conflict_row(
                records,
                conn,
                scope_of(conn, held.clinic_id),
                held.clinic_id,
                held.row_id,
                None,
                f"{this_clinic.name} ({this_clinic.code}) signed this resident for {period} as "
                "well; a county reviewer decides which contract stands",
                {"other_contract": row_id, "other_clinic": this_clinic.code},
            )
        _link(conn, mine, theirs)
        return {**changed, "conflict_id": mine}

    def resolve(
        self, records: RecordStore, conn: Connection, conflict: Any, keep: str, actor: str, note: str
    ) -> None:
        """``transfer``: the later contract (the one in conflict) becomes active and the one it collided with is
        terminated (``stop_reason`` transferred); ``cancel``: the later one is terminated (duplicate). Both
        clinics' conflict rows close with the decision; the contracts' new states sync to both."""
        if keep not in KEEP:
            raise ValidationError(
                "keep", "choice", "a contract conflict is resolved with --keep transfer or --keep cancel"
            )
        detail = json.loads(conflict.detail)
        later_id = (
            conflict.row_id if _status(conn, conflict.row_id) == "conflict" else detail["other_contract"]
        )
        later = load(conn, "contract", later_id)
        earlier_id = detail["other_contract"] if later_id == conflict.row_id else conflict.row_id
        earlier = load(conn, "contract", earlier_id)
        now = utc_now()

        def decide(record: Any, values: dict[str, Any]) -> None:  # a new version in the row's clinic scope
            records.decide(conn, record, values, scope_of(conn, record.clinic_id))

        if keep == "transfer":
            if earlier is not None and json.loads(earlier.data).get("status") in OPEN:
                decide(
                    earlier, {"status": "terminated", "terminated_at": now[:10], "stop_reason": "transferred"}
                )
            conn.execute(sa.delete(db.contract_index).where(db.contract_index.c.row_id == earlier_id))
            decide(later, {"status": "active"})
            data = json.loads(later.data)
            conn.execute(
                db.contract_index.insert().values(
                    row_id=later_id,
                    clinic_id=later.clinic_id,
                    period=str(data["period"]),
                    person_key=person_key(conn, later.clinic_id, data["resident_id"]),
                )
            )
        else:
            decide(later, {"status": "terminated", "terminated_at": now[:10], "stop_reason": "duplicate"})
        resolution = json.dumps(
            {"keep": keep, "by": f"county:{actor}", "note": note or None}, ensure_ascii=False
        )
        records.close_conflicts(conn, conflict, resolution, now)


def scope_of(conn: Connection, clinic_id: str) -> Callable[[], int]:
    """Versions of another clinic's scope (its counter locked until commit, as a push of its own would)."""
    return lambda: next_version(conn, clinic_scope(clinic_id))


def conflict_row(
    records: RecordStore,
    conn: Connection,
    take: Callable[[], int],
    clinic_id: str,
    row_id: str,
    user_id: str | None,
    message: str,
    detail: dict[str, Any],
    table: str = "contract",
    kind: str = CONTRACT_CONFLICT,
) -> str:
    """A conflict row of a county rule in ``clinic_id``'s scope, holding the row as the server has it."""
    return records.open_row_conflict(conn, take(), clinic_id, table, row_id, kind, message, user_id, detail)


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


def _status(conn: Connection, row_id: str) -> str | None:
    record = load(conn, "contract", row_id)
    return None if record is None else json.loads(record.data).get("status")


def _holder(conn: Connection, key: str, period: str) -> Any:
    return conn.execute(
        sa.select(db.contract_index).where(
            db.contract_index.c.person_key == key, db.contract_index.c.period == period
        )
    ).first()
