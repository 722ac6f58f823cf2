"""What a clinic's devices read (DESIGN §5): the pull feed by cursor (the clinic's scope and the county's),
checksums per table, and snapshots of one table to repair a copy whose checksums disagree."""

from __future__ import annotations

import base64
import json
import operator

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from clinic_app.errors import ValidationError
from clinic_app.registry import INT64_MAX, REGISTRY
from sync import protocol as p
from sync.protocol import REFERENCE_TABLES
from sync.server import contract, db
from sync.server.common import COUNTY_SCOPE, Caller, ServiceError
from sync.server.db import epoch


def encode_cursor(epoch_value: str, clinic_seq: int, county_seq: int) -> str:
    raw = json.dumps({"e": epoch_value, "c": clinic_seq, "r": county_seq}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, epoch_value: str) -> tuple[int, int]:
    if not cursor:
        return 0, 0
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        e, c, r = raw["e"], int(raw["c"]), int(raw["r"])
    except Exception:
        raise ServiceError(400, "bad_cursor", "the cursor is not one this server gave out") from None
    if e != epoch_value:
        raise ServiceError(
            409, "epoch_changed", "the server was reset or restored: start again from an empty cursor"
        )
    if not (0 <= c <= INT64_MAX and 0 <= r <= INT64_MAX):  # a version is a 64-bit number
        raise ServiceError(400, "bad_cursor", "the cursor is not one this server gave out")
    return c, r


# what a page is made of, and nothing else (not the field versions, the largest column of an edited row)
_WIRE = (
    db.record.c.table_name,
    db.record.c.row_id,
    db.record.c.version,
    db.record.c.deleted_at,
    db.record.c.data,
)
_VERSION = 2  # a row's version, in the columns of ``_WIRE``
_by_version = operator.itemgetter(_VERSION)


def _after(part: int, scope: str, after: str) -> sa.Subquery:
    return (
        sa.select(sa.literal(part, sa.Integer).label("part"), *_WIRE)
        .where(db.record.c.scope == sa.bindparam(scope), db.record.c.version > sa.bindparam(after))
        .order_by(db.record.c.version)
        .limit(sa.bindparam("take", type_=sa.Integer))
        .subquery()
    )


# The county's changes after its cursor and the clinic's after its own in one statement: each an index range of
# ``record_scope_version``, at most a page and one more (the one more says whether there is more). Each part is
# put in version order here: UNION ALL promises no order, and a sort in the database would cost more than
# Python's sort of a list in order already.
_COUNTY, _CLINIC = _after(0, "county", "county_after"), _after(1, "clinic", "clinic_after")
_PAGE = sa.union_all(sa.select(_COUNTY), sa.select(_CLINIC))  # built once


def pull(conn: Connection, caller: Caller, cursor: str | None, limit: int) -> str:
    """A page of the feed as the JSON of ``PullResponse`` (see ``changes_json_of``): the county's changes first,
    then the clinic's, at most ``limit`` in all."""
    if caller.clinic_id is None:
        raise ServiceError(403, "not_a_clinic_device", "pull serves a clinic's devices")
    epoch_value = epoch(conn)
    clinic_seq, county_seq = decode_cursor(cursor, epoch_value)
    found = db.fetch(
        conn,
        _PAGE,
        {
            "county": COUNTY_SCOPE,
            "county_after": county_seq,
            "clinic": caller.scope,
            "clinic_after": clinic_seq,
            "take": limit + 1,
        },
    )
    county = sorted((r[1:] for r in found if r[0] == 0), key=_by_version)
    county_more = len(county) > limit
    county = county[:limit]
    room = limit - len(county)
    clinic = sorted((r[1:] for r in found if r[0] == 1), key=_by_version)
    clinic_more = len(clinic) > room  # with room 0: whether the clinic has more, for the next page
    clinic = clinic[:room]
    if county:
        county_seq = int(county[-1][_VERSION])
    if clinic:
        clinic_seq = int(clinic[-1][_VERSION])
    return p.page_json(
        p.PullResponse,
        p.changes_json_of([*county, *clinic]),
        cursor=encode_cursor(epoch_value, clinic_seq, county_seq),
        has_more=county_more or clinic_more,
    )


_SUMS = db.record_checksum.c
_CHECKSUMS = sa.select(_SUMS.table_name, _SUMS.count, _SUMS.version_sum).where(
    _SUMS.scope.in_(sa.bindparam("scopes", expanding=True)), _SUMS.count > 0
)


def checksums(conn: Connection, caller: Caller) -> p.ChecksumsResponse:
    """Per table of the clinic: how many rows and the sum of their versions. A device holding every row at its
    latest version has the same two numbers; a missing, extra or stale row changes one of them."""
    if caller.clinic_id is None:
        raise ServiceError(403, "not_a_clinic_device", "checksums serve a clinic's devices")
    # a table lives in one scope: the clinic's, or the county's for reference data (packages, policy); the sums
    # are kept as records change (db.record_checksum), so this reads a row a table, not the clinic's every row
    sums: dict[str, list[int]] = {}
    for name, n, total in conn.execute(_CHECKSUMS, {"scopes": [caller.scope, COUNTY_SCOPE]}):
        held = sums.setdefault(name, [0, 0])
        held[0] += int(n)
        held[1] += int(total)
    return p.ChecksumsResponse(
        tables={name: p.TableChecksum(count=n, version_sum=total) for name, (n, total) in sums.items()}
    )


def snapshot(conn: Connection, caller: Caller, table: str, after: str | None, limit: int) -> str:
    """One table of the clinic as the server holds it now, in row id order (keyset pages): what a device
    re-reads when its checksum of that table disagrees."""
    if caller.clinic_id is None:
        raise ServiceError(403, "not_a_clinic_device", "snapshots serve a clinic's devices")
    if (known := REGISTRY.get(table)) is None or not known.synced:
        raise ValidationError("table", "unknown_table", f"no synced table of a clinic called {table!r}")
    scope = COUNTY_SCOPE if table in REFERENCE_TABLES else caller.scope
    query = sa.select(*_WIRE).where(db.record.c.scope == scope, db.record.c.table_name == table)
    if after:
        if (
            bad := contract.check_id("after", after)
        ) is not None:  # the id of a row, as the last page gave it
            raise bad
        query = query.where(db.record.c.row_id > after)
    rows = conn.execute(query.order_by(db.record.c.row_id).limit(limit + 1)).all()
    page = rows[:limit]
    return p.page_json(
        p.SnapshotResponse,
        p.changes_json_of(page),
        after=page[-1].row_id if page else after,
        has_more=len(rows) > limit,
    )
