"""The county-wide annual cap of the outpatient settlement (issue 14 points 2-4): a patient treated at two clinics
shares one cap per pool (ordinary outpatient; chronic outpatient per disease) and calendar year. A device settles
against the visits it knows and marks the settlement provisional; here every visit is indexed by person (ID
number), pool and year in the order the county took it, and the year is recomputed in that order whenever it
changes (a visit arrives, one is cancelled, a reviewer decides an overrun), as clinic_app.settlement settles one
visit but knowing every clinic's: the ordinary deductible once per person and year, the ratio of what is within
the scheme after it, each live visit's fund share at most what the earlier ones left of the cap. The county's settlement goes back to the device as a new version of the visit
row (a server-made change of its settlement columns, as the one-team rule changes a contract's status): within
the cap it is confirmed (``provisional`` 0, the county's use of the year and what is left — and the county's fund
share, larger when another clinic's visit had met the deductible already); a visit whose fund share passes the
cap (or is lower for the deductible met in another order) stays provisional with the county's amounts (the fund pays what was left, the patient the
rest) and becomes a conflict both clinics see, with the amount, for a county reviewer (``fund_pays``: the fund
pays the overrun after all; ``patient_pays``: the clinic collects it). A reversal (``visit_cancel``) takes its
visit out of the year: its conflict closes, and a later visit that overran only because of it is confirmed.

Claims elsewhere (RULES §2, optional county rule ``capitation.deduct_claims_elsewhere``): when the switch is on
for the visit's date, an ordinary outpatient visit (type 11) settled at one clinic of a resident contracted at
another clinic for that day is deducted from the other clinic's budget: the county makes a ``capitation_claim``
row in that clinic's scope, which its devices pull and its ledger counts as spending; the row follows the visit's
county fund share and is marked cancelled (``cancelled_on``) by a reversal."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from clinic_app.errors import ValidationError
from clinic_app.ids import uuid7
from clinic_app.ledger import CLAIMS_ELSEWHERE, claims_elsewhere
from clinic_app.money import fen_half_up
from clinic_app.settlement import CHRONIC, ORDINARY, Terms, policy_keys, policy_number
from sync.server import db
from sync.server.db import utc_now
from sync.server.one_team import OPEN, person_key, scope_of
from sync.server.records import Batch, CountyRule, RecordStore, load

CAP_CONFLICT = "cap_overrun"
KEEP = ("fund_pays", "patient_pays")  # the fund pays the overrun after all / the clinic collects it
Takes = Callable[[str], Callable[[], int]]  # a clinic -> how versions of its scope are handed out


def _policy(conn: Connection, key: str, day: str) -> str | None:
    row = conn.execute(
        sa.select(db.policy.c.value)
        .where(db.policy.c.key == key, db.policy.c.effective_from <= day)
        .order_by(db.policy.c.effective_from.desc())
        .limit(1)
    ).first()
    return None if row is None else str(row.value)


class CountyTerms:
    """The county's settlement numbers on a day, each policy key read once per recomputation of a year."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.rows: dict[str, list[Any]] = {}

    def value(self, key: str, day: str) -> str | None:
        if key not in self.rows:
            self.rows[key] = list(
                self.conn.execute(
                    sa.select(db.policy.c.effective_from, db.policy.c.value)
                    .where(db.policy.c.key == key)
                    .order_by(db.policy.c.effective_from)
                ).all()
            )
        found = None
        for since, value in self.rows[key]:
            if since > day:
                break
            found = value
        return found

    def on(self, med_type: str, disease: str | None, day: str) -> Terms | None:
        """None when the county has not set every number for the day (the device could not have settled)."""
        numbers: dict[str, Any] = {}
        for name, key in policy_keys(med_type, disease).items():
            text = self.value(key, day)
            if text is None:
                return None
            numbers[name] = policy_number(key, text)
        return Terms(med_type=med_type, **numbers)


@dataclass(frozen=True)
class Held:
    """A live visit of a person's pool and year, in the order the county took it."""

    row_id: str
    fund_fen: int  # the fund's share as the device settled it
    cap_fen: int | None  # the cap in force on the visit's day (None: the county has set none)
    decision: str | None = None  # a reviewer's decision of its overrun
    in_scheme_fen: int | None = None  # None: the device's fund share is what the visit claims
    ratio_pct: Decimal | None = None
    deductible_fen: int = 0  # the year's deductible in force on the visit's day (ordinary outpatient)


@dataclass(frozen=True)
class Share:
    used_fen: int  # what the earlier visits of the year took of the cap
    fund_fen: int  # the fund's share as the county settles it
    overrun_fen: int  # of the device's fund share, what the county does not pay
    deductible_fen: int = 0  # of the deductible, what this visit meets
    met_fen: int = 0  # of the deductible, what the earlier visits met
    capped: bool = False  # the cap cut the county's share


def county_shares(held: list[Held]) -> dict[str, Share]:
    """The year recomputed in order, as clinic_app.settlement settles one visit but knowing every clinic's: the
    deductible once a year, the ratio of what is within the scheme after it (half up to the fen), the fund's
    share at most what the earlier visits left of the cap — unless a reviewer decided that the fund pays the
    visit's overrun after all (then it pays what the device settled, or more)."""
    used, met, out = 0, 0, {}
    for h in held:
        if h.in_scheme_fen is None or h.ratio_pct is None:
            deductible, owed = 0, h.fund_fen
        else:
            deductible = min(h.in_scheme_fen, max(0, h.deductible_fen - met))
            owed = fen_half_up(Decimal(h.in_scheme_fen - deductible) * h.ratio_pct / 100)
        if h.cap_fen is None:
            fund = owed
        elif h.decision == "fund_pays":
            fund = max(owed, h.fund_fen)
        else:
            fund = min(owed, max(0, h.cap_fen - used))
        out[h.row_id] = Share(used, fund, max(0, h.fund_fen - fund), deductible, met, fund < owed)
        used += fund
        met += deductible
    return out


def overrun(funds: list[tuple[str, int]], cap: int, row_id: str) -> int:
    """What ``row_id``'s fund share passes the cap by, the year's live visits taken in order (id, fund)."""
    share = county_shares([Held(v, f, cap) for v, f in funds]).get(row_id)
    return 0 if share is None else share.overrun_fen


def _lock(conn: Connection, key: str, pool: str, year: str) -> None:
    if conn.dialect.name == "postgresql":  # two clinics' pushes of one person's year: one after the other
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"cap:{key}:{pool}:{year}"})


def _takes(conn: Connection, batch: Batch | None, clinic_id: str | None) -> Takes:
    """Versions of the pushing clinic from its batch (its counter is held in memory), of others from theirs."""
    return lambda clinic: batch.take if batch is not None and clinic == clinic_id else scope_of(conn, clinic)


def _open_conflicts(conn: Connection, row_id: str) -> list[Any]:
    return list(
        conn.execute(
            sa.select(db.conflict).where(
                db.conflict.c.row_id == row_id,
                db.conflict.c.kind == CAP_CONFLICT,
                db.conflict.c.resolved_at.is_(None),
            )
        ).all()
    )


def close_cap_conflicts(
    records: RecordStore, conn: Connection, row_id: str, resolution: dict[str, Any], takes: Takes
) -> int:
    """Every clinic's open conflict row of the visit closed with ``resolution``; how many."""
    now = utc_now()
    text = json.dumps(resolution, ensure_ascii=False)
    found = _open_conflicts(conn, row_id)
    for row in found:
        records.decide(
            conn,
            load(conn, "conflict", row.id),
            {"resolved_at": now, "resolution": text},
            takes(row.clinic_id),
        )
        conn.execute(
            sa.update(db.conflict).where(db.conflict.c.id == row.id).values(resolved_at=now, resolution=text)
        )
    return len(found)


def settle_year(
    records: RecordStore,
    conn: Connection,
    key: str,
    pool: str,
    year: str,
    batch: Batch | None = None,
    clinic_id: str | None = None,
    user_id: str | None = None,
) -> dict[str, dict[str, Any]]:
    """Recompute the person's pool and year in the order taken; write every visit whose county settlement
    changed (a new version of its row in its clinic's scope), open a conflict for a new overrun and close those
    of an overrun that disappeared; the claims elsewhere follow. ``batch`` and ``clinic_id``: the push of that
    clinic this runs in (None: a county decision). Returns, by visit id, what the pushing device is told."""
    takes = _takes(conn, batch, clinic_id)
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
    visits = _visits(conn, [r.row_id for r in rows], batch)
    datas = {row_id: json.loads(rec.data) for row_id, rec in visits.items()}
    county = CountyTerms(conn)
    held, terms = [], []
    for r in rows:
        data = datas[r.row_id]
        disease = data.get("disease") if data.get("med_type") == CHRONIC else None
        t = county.on(data["med_type"], disease, str(data["visit_date"]))
        terms.append(t)
        held.append(
            Held(
                r.row_id,
                int(r.fund_fen),
                None if t is None else t.annual_cap_fen,
                r.decision,
                int(data["in_scheme_fen"]),
                None if t is None else t.ratio_pct,
                0 if t is None else t.deductible_fen,
            )
        )
    shares = county_shares(held)
    told: dict[str, dict[str, Any]] = {}
    for place, (r, h, t) in enumerate(zip(rows, held, terms, strict=True)):
        if t is None:  # nothing to settle against: the device's settlement stands as sent
            continue
        share, data = shares[r.row_id], datas[r.row_id]
        pending = share.overrun_fen > 0 and r.decision is None
        values = {
            "deductible_fen": share.deductible_fen,
            "fund_fen": share.fund_fen,
            "patient_fen": int(data["total_fen"]) - share.fund_fen,
            "used_fund_fen": share.used_fen,
            "used_deductible_fen": share.met_fen,
            "cap_left_fen": max(0, t.annual_cap_fen - share.used_fen - share.fund_fen),
            "capped": int(share.capped),
            "ratio_pct": str(t.ratio_pct),
            "annual_cap_fen": t.annual_cap_fen,
            "provisional": int(pending),
        }
        if any(data.get(name) != value for name, value in values.items()):
            in_batch = batch if r.clinic_id == clinic_id else None  # a row of the push may wait in its batch
            told[r.row_id] = records.decide(conn, visits[r.row_id], values, takes(r.clinic_id), in_batch)
        if r.county_fund_fen != share.fund_fen:
            conn.execute(
                sa.update(db.visit_index)
                .where(db.visit_index.c.row_id == r.row_id)
                .values(county_fund_fen=share.fund_fen)
            )
            if r.claim_id is not None:
                claim = load(conn, "capitation_claim", r.claim_id)
                records.decide(conn, claim, {"fund_fen": share.fund_fen}, takes(r.claim_clinic_id))
        # an overrun may be open when the county's share was last below the device's, or was never recorded (a
        # visit just come, or indexed before revision 0010); a reviewer's decision closes it
        was_open = r.county_fund_fen is None or int(r.county_fund_fen) < int(r.fund_fen)
        if pending and not (was_open and _open_conflicts(conn, r.row_id)):
            if batch is not None:
                batch.flush(conn)  # the conflict rows read the visit as stored
            earlier = rows[:place]
            others = sorted({e.clinic_id for e in earlier if e.clinic_id != r.clinic_id})
            if share.capped:
                message = (
                    f"the fund's share passes the county-wide annual cap by {share.overrun_fen} fen: the "
                    f"patient's visits of {year} at {len(others) + 1} clinic(s) used it first; a county reviewer "
                    "decides who pays it"
                )
            else:
                message = (
                    f"the county settles the fund's share {share.overrun_fen} fen lower than the device did: the "
                    f"patient's visits of {year} at {len(others) + 1} clinic(s) met the year's deductible in "
                    "another order; a county reviewer decides who pays it"
                )
            detail = {"amount_fen": share.overrun_fen, "cap_fen": h.cap_fen, "year": year, "pool": pool}
            device = {"fund_fen": h.fund_fen, "patient_fen": int(data["total_fen"]) - h.fund_fen}
            mine = _cap_conflict(
                records, conn, takes(r.clinic_id), r.clinic_id, r.row_id, user_id, message, detail, device
            )
            for other in others:
                _cap_conflict(records, conn, takes(other), other, r.row_id, None, message, detail, device)
            told[r.row_id] = {**told.get(r.row_id, {}), "conflict_id": mine}
        elif not pending and r.decision is None and was_open:
            close_cap_conflicts(
                records, conn, r.row_id, {"keep": "recomputed", "by": None, "note": None}, takes
            )
    return told


def _visits(conn: Connection, ids: list[str], batch: Batch | None) -> dict[str, Any]:
    """The stored visit records of ``ids`` in one query (each a few hundred bytes; a year has tens), and those the
    push's batch is about to insert."""
    found: dict[str, Any] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        found.update(
            (rec.row_id, rec)
            for rec in conn.execute(
                sa.select(db.record).where(db.record.c.table_name == "visit", db.record.c.row_id.in_(chunk))
            )
        )
    if batch is not None:
        found.update(
            (row_id, batch.row(conn, "visit", row_id)) for row_id in ids if ("visit", row_id) in batch.pending
        )
    return {row_id: found[row_id] for row_id in ids}


def _cap_conflict(
    records: RecordStore,
    conn: Connection,
    take: Callable[[], int],
    clinic_id: str,
    row_id: str,
    user_id: str | None,
    message: str,
    detail: dict[str, Any],
    device: dict[str, Any],
) -> str:
    """A conflict row of the overrun in ``clinic_id``'s scope: the visit as the county settles it (``server_row``)
    and the shares as the visit's clinic settled them (``local_row``), so a device says the amounts in its
    words without reading the message."""
    record = load(conn, "visit", row_id)
    server_row = json.dumps(
        {**json.loads(record.data), "row_version": int(record.version)}, ensure_ascii=False
    )
    return records.open_conflict(
        conn,
        take(),
        clinic_id,
        "visit",
        row_id,
        CAP_CONFLICT,
        message,
        user_id,
        json.dumps(device),
        server_row,
        json.dumps({"message": message, **detail}, ensure_ascii=False),
    )


def _index_of(conn: Connection, row_id: str) -> Any:
    return conn.execute(sa.select(db.visit_index).where(db.visit_index.c.row_id == row_id)).first()


def _claim_elsewhere(
    records: RecordStore, conn: Connection, clinic_id: str, row_id: str, data: dict[str, Any], key: str
) -> None:
    """The claim row for the clinic where the patient is contracted on the visit's day (another clinic), when the
    county deducts claims elsewhere from that clinic's budget on that day."""
    day = str(data["visit_date"])
    if data.get("med_type") != ORDINARY or not key.startswith("id:"):
        return
    if not claims_elsewhere(_policy(conn, CLAIMS_ELSEWHERE, day)):
        return
    for held in conn.execute(
        sa.select(db.contract_index).where(
            db.contract_index.c.person_key == key, db.contract_index.c.clinic_id != clinic_id
        )
    ).all():
        contract = json.loads(load(conn, "contract", held.row_id).data)
        if contract.get("status") not in OPEN or contract.get("deleted_at"):
            continue
        if not str(contract.get("period_start")) <= day <= str(contract.get("period_end")):
            continue
        index = _index_of(conn, row_id)
        here = conn.execute(sa.select(db.clinic).where(db.clinic.c.id == clinic_id)).one()
        now = utc_now()
        claim_id = uuid7()
        row = {
            "id": claim_id,
            "clinic_id": held.clinic_id,
            "created_at": now,
            "updated_at": now,
            "created_by": None,
            "updated_by": None,
            "deleted_at": None,
            "resident_id": contract["resident_id"],
            "contract_id": held.row_id,
            "visit_id": row_id,
            "visit_date": day,
            "med_type": ORDINARY,
            "fund_fen": int(index.county_fund_fen if index.county_fund_fen is not None else index.fund_fen),
            "clinic_code": here.code,
            "clinic_name": here.name,
            "cancelled_on": None,
        }
        records.write(
            conn, "capitation_claim", claim_id, held.clinic_id, scope_of(conn, held.clinic_id)(), row, None
        )
        conn.execute(
            sa.update(db.visit_index)
            .where(db.visit_index.c.row_id == row_id)
            .values(claim_id=claim_id, claim_clinic_id=held.clinic_id)
        )
        return


def _pool(data: dict[str, Any]) -> str:
    disease = data.get("disease") if data.get("med_type") == CHRONIC else None
    return f"{data['med_type']}:{disease or ''}"


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
        pool = _pool(data)
        key = person_key(conn, clinic_id, data["resident_id"], batch)
        year = str(data["visit_date"])[:4]
        _lock(conn, key, pool, year)
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
        told = settle_year(records, conn, key, pool, year, batch, clinic_id, user_id)
        _claim_elsewhere(records, conn, clinic_id, row_id, data, key)
        return told.get(row_id)

    def resolve(
        self, records: RecordStore, conn: Connection, conflict: Any, keep: str, actor: str, note: str
    ) -> None:
        """The reviewer's decision (``fund_pays`` or ``patient_pays``) closes every clinic's conflict row of the
        visit and is kept in the index; the year is recomputed with it, so the visit is confirmed (the fund's
        share in full, or what the cap left with the patient paying the rest) and the devices learn it."""
        if keep not in KEEP:
            raise ValidationError(
                "keep", "choice", "a cap overrun is resolved with --keep fund_pays or --keep patient_pays"
            )
        takes = _takes(conn, None, None)
        held = _index_of(conn, conflict.row_id)
        if held is not None:
            _lock(conn, held.person_key, held.pool, held.year)
        close_cap_conflicts(
            records,
            conn,
            conflict.row_id,
            {"keep": keep, "by": f"county:{actor}", "note": note or None},
            takes,
        )
        if held is None:
            return
        conn.execute(
            sa.update(db.visit_index).where(db.visit_index.c.row_id == conflict.row_id).values(decision=keep)
        )
        settle_year(records, conn, held.person_key, held.pool, held.year)


class VisitCancelIndex(CountyRule):
    """A reversal takes its visit out of the year's cap: its open conflict closes, the year is recomputed (a later
    visit that overran because of it is confirmed), and its claim elsewhere is marked cancelled."""

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
        held = _index_of(conn, data["visit_id"])
        if held is None or held.cancelled:
            return None
        _lock(conn, held.person_key, held.pool, held.year)
        conn.execute(
            sa.update(db.visit_index).where(db.visit_index.c.row_id == data["visit_id"]).values(cancelled=1)
        )
        takes = _takes(conn, batch, clinic_id)
        batch.flush(conn)
        close_cap_conflicts(
            records,
            conn,
            data["visit_id"],
            {"keep": "cancelled", "by": None, "note": data.get("reason")},
            takes,
        )
        if held.claim_id is not None:
            claim = load(conn, "capitation_claim", held.claim_id)
            records.decide(conn, claim, {"cancelled_on": data["cancelled_on"]}, takes(held.claim_clinic_id))
        settle_year(records, conn, held.person_key, held.pool, held.year, batch, clinic_id, user_id)
        return None
