"""The push engine (DESIGN §5): each mutation of a device's batch is applied, refused, answered as a duplicate or
turned into a conflict. Field-level merge: an edit based on an old version is applied unless a field it changes
was changed on the server since; a delete beats an edit; a row the server merged into another is named by the
one it kept. What a table adds of its own (merges, county-wide rules) the record store's rules do; nothing here
knows a table by name."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from clinic_app.errors import ValidationError
from sync.protocol import (
    APPEND_ONLY_TABLES,
    CLINIC_TABLES,
    CONFLICT_RESOLUTION_FIELDS,
    REFERENCE_TABLES,
    SERVER_MADE_TABLES,
    Code,
    Mutation,
    MutationResult,
    Op,
    Status,
)
from sync.server import accounts, contract, db
from sync.server.common import Caller, ServiceError
from sync.server.db import utc_now
from sync.server.records import META_FIELDS, Batch, RecordStore, load, lock_scope_asking, server_row
from sync.server.rules import county_records

# The read-ahead statements of every push, built once (SQLAlchemy then skips building them and their cache keys).
# a mutation id is its clinic's own: another clinic's use of it is not looked at
_STORED = sa.select(db.mutation).where(
    db.mutation.c.mutation_id.in_(sa.bindparam("ids", expanding=True)),
    db.mutation.c.clinic_id == sa.bindparam("key_clinic"),
)
_ALIASES = sa.select(db.row_alias).where(db.row_alias.c.alias_id.in_(sa.bindparam("ids", expanding=True)))
_RECORDS = sa.select(db.record).where(
    sa.tuple_(db.record.c.table_name, db.record.c.row_id).in_(sa.bindparam("keys", expanding=True))
)
# On PostgreSQL the same reads with = ANY(array): one text each, whatever the push's length (the read of the rows
# asks for every pair of the tables and ids named; the push keeps the pairs it asked for)
_STORED_PG = sa.select(db.mutation).where(
    db.among(db.mutation.c.mutation_id, "ids"), db.mutation.c.clinic_id == sa.bindparam("key_clinic")
)
_ALIASES_PG = sa.select(db.row_alias).where(db.among(db.row_alias.c.alias_id, "ids"))
_RECORDS_PG = sa.select(db.record).where(
    db.among(db.record.c.table_name, "tables"), db.among(db.record.c.row_id, "rows")
)
_CREATION = frozenset({"created_at", "created_by"})


def aliased_columns(records: RecordStore, table: str) -> dict[str, str]:
    """Columns of ``table`` that may name a merged row: they are rewritten to name the row that was kept."""
    return records.aliased_columns(table)


def push(
    conn: Connection,
    caller: Caller,
    mutations: list[Mutation],
    records: RecordStore | None = None,
    user_token: str | None = None,
) -> list[MutationResult]:
    """``records``: the server's record store (a new one with the county's rules when not given); ``user_token``:
    an online sign-in of a clinic user, for account changes (accounts.py)."""
    if caller.clinic_id is None:
        raise ServiceError(403, "not_a_clinic_device", "only a clinic's device pushes changes")
    records = records or county_records()
    # Lock the clinic's counter before reading anything: edits are then decided on the rows as the last
    # committed push left them (no lost update), and versions are handed out in commit order.
    # (whether the clinic holds any account yet is read with the lock: the screen's bootstrap question)
    current, holds_accounts = lock_scope_asking(
        conn, caller.scope, accounts.HOLDS_ACCOUNTS, {"key_clinic": caller.clinic_id}
    )
    # account changes and authorship
    screened = accounts.screen(conn, caller, mutations, user_token, bool(holds_accounts))
    mutations = screened.mutations
    pg = conn.dialect.name == "postgresql"
    ids = [m.mutation_id for m in mutations if _readable(m)]
    stored = {
        r.mutation_id: r
        for r in db.fetch(conn, _STORED_PG if pg else _STORED, {"ids": ids, "key_clinic": caller.clinic_id})
    }
    addressed = [m for m in mutations if _readable(m) and _addressable(m)]
    named_ids = {
        v
        for m in addressed
        for column in aliased_columns(records, m.table)
        if isinstance(v := m.fields.get(column), str) and contract.ID.match(v)
    }
    aliases = {
        (r.table_name, r.alias_id): r.row_id
        for r in db.fetch(
            conn, _ALIASES_PG if pg else _ALIASES, {"ids": [m.row_id for m in addressed] + sorted(named_ids)}
        )
    }
    wanted = {(m.table, aliases.get((m.table, m.row_id), m.row_id)) for m in addressed}
    batch = Batch(counter=int(current), start=int(current), aliases=aliases)
    # the rules look up once what they need for the push's rows, and name the rows they will load (merge targets)
    wanted |= records.prepare(conn, batch, caller.clinic_id, [(m.table, m.fields) for m in addressed])
    named: set[tuple[str, str]] = {
        (target, str(value))  # an id (check_id)
        for m in addressed
        for name, target in contract.references(m.table).items()
        if contract.check_id(name, value := m.fields.get(name)) is None
    }
    # the rows this push writes and the rows it refers to (known when they are the clinic's), in one query
    read_ahead: dict[tuple[str, str], Any] = {key: None for key in wanted}
    keys: list[tuple[str, str]] = sorted(wanted | named)
    asked = (
        {"tables": sorted({t for t, _ in keys}), "rows": sorted({r for _, r in keys})}
        if pg
        else {"keys": keys}
    )
    for r in db.fetch(conn, _RECORDS_PG if pg else _RECORDS, asked) if keys else ():
        key = (r.table_name, r.row_id)
        if key in wanted:
            read_ahead[key] = r
        if key in named and r.clinic_id == caller.clinic_id:
            batch.known.add(key)
    batch.records = read_ahead
    results: list[MutationResult] = []
    fresh: dict[str, MutationResult] = {}
    # rows a rule judges later (records.settle): the index of their result
    deferred: dict[tuple[str, str], int] = {}

    def judge(judged: dict[tuple[str, str], dict[str, Any]]) -> None:
        for key, changes in judged.items():
            if (index := deferred.pop(key, None)) is not None:
                results[index] = results[index].model_copy(update=changes)
                fresh[results[index].mutation_id] = results[index]

    for m in mutations:
        if not _readable(m):  # not stored: an id that cannot be stored cannot be replayed either
            results.append(_refused(m, [contract.check_id("mutation_id", m.mutation_id)]))  # type: ignore[list-item]
            continue
        if deferred and ((m.table, m.row_id) in deferred or m.mutation_id in fresh):
            judge(records.settle(conn, batch))  # a row judged later is judged before it is touched again
        earlier = stored.get(m.mutation_id)
        if earlier is not None or m.mutation_id in fresh:
            replay = fresh.get(m.mutation_id) or MutationResult.model_validate_json(earlier.result)  # type: ignore[union-attr]
            results.append(replay.model_copy(update={"status": Status.DUPLICATE}))
            continue
        if (answer := screened.answers.get(m.mutation_id)) is not None:
            results.append(answer)
            if not screened.waiting(m.mutation_id):  # one waiting for a sign-in is answered again when resent
                fresh[m.mutation_id] = answer
            continue
        result = _apply(records, conn, caller, m, batch)
        if (
            result.status is Status.APPLIED
        ):  # the county-wide rules of the table (the one-team rule of contracts)
            judged = records.after_apply(conn, batch, m.table, caller.clinic_id, m.row_id, m.user_id)
            if judged is not None:
                result = result.model_copy(update=judged)
            elif records.waits(batch, m.table, m.row_id):
                deferred[(m.table, m.row_id)] = len(results)
        fresh[m.mutation_id] = result
        results.append(result)
    if deferred:
        judge(records.settle(conn, batch))
    batch.flush(conn)
    if fresh:
        now = utc_now()
        db.insert_rows(
            conn,
            db.mutation,
            [
                {
                    "mutation_id": k,
                    "clinic_id": caller.clinic_id,
                    "result": r.model_dump_json(),
                    "created_at": now,
                }
                for k, r in fresh.items()
            ],
        )
    batch.finish(conn, caller.scope)
    return results


def _readable(m: Mutation) -> bool:
    """Ids fit to go into a query (PostgreSQL refuses a NUL character in text, for one)."""
    return contract.check_id("mutation_id", m.mutation_id) is None


def _addressable(m: Mutation) -> bool:
    return m.table in CLINIC_TABLES and contract.check_id("row_id", m.row_id) is None


def _refused(m: Mutation, errors: list[ValidationError]) -> MutationResult:
    return _rejected(m, errors[0].rule, "; ".join(str(e) for e in errors))


def _rejected(m: Mutation, code: str, message: str) -> MutationResult:
    return MutationResult(mutation_id=m.mutation_id, status=Status.REJECTED, code=code, message=message)


def _apply(
    records: RecordStore, conn: Connection, caller: Caller, m: Mutation, batch: Batch
) -> MutationResult:
    clinic_id = caller.clinic_id
    assert clinic_id is not None
    if m.table in REFERENCE_TABLES:
        return _rejected(m, Code.READ_ONLY, f"{m.table} is county reference data; devices cannot change it")
    if m.table not in CLINIC_TABLES:
        return _rejected(m, Code.UNKNOWN_TABLE, f"no synced table called {m.table!r}")
    if (bad_id := contract.check_id("row_id", m.row_id)) is not None:
        return _refused(m, [bad_id])
    if m.user_id is not None and (bad_id := contract.check_id("user_id", m.user_id)) is not None:
        return _refused(m, [bad_id])
    dropped = contract.SERVER_COLUMNS | contract.DERIVED.get(m.table, frozenset())
    fields = {k: v for k, v in m.fields.items() if k not in dropped}
    for column, target in aliased_columns(records, m.table).items():  # a merged row is named by the one kept
        named = fields.get(column)
        if isinstance(named, str) and (kept := batch.aliases.get((target, named))) is not None:
            fields[column] = kept
    for stamp in (
        "created_at",
        "updated_at",
    ):  # audit only: a null one is the server's time (new rows) or kept
        if stamp in fields and fields[stamp] is None:
            del fields[stamp]
    if fields.get("clinic_id", clinic_id) != clinic_id:
        return _rejected(m, Code.WRONG_CLINIC, "a device writes only its own clinic's rows")
    if fields.get("id", m.row_id) != m.row_id:
        return _rejected(m, Code.ID_MISMATCH, "fields.id differs from row_id")
    if problems := contract.check_fields(m.table, fields):
        return _refused(m, problems)
    row_id = batch.aliases.get((m.table, m.row_id), m.row_id)
    current = batch.current(conn, m.table, row_id)
    if current is not None and current.clinic_id != clinic_id:
        return _rejected(m, Code.WRONG_CLINIC, "a device writes only its own clinic's rows")

    if m.table in SERVER_MADE_TABLES:
        return _resolve_from_device(records, conn, batch, clinic_id, m, fields, current)

    if m.op is Op.DELETE:  # a delete beats an edit: applied whatever the base version
        if current is None:
            return _rejected(m, Code.NOT_FOUND, f"{m.table} {m.row_id} was never synced")
        if m.table in APPEND_ONLY_TABLES:
            return _rejected(m, Code.APPEND_ONLY, f"{m.table} rows are never deleted; add a correcting row")
        version = batch.take()
        data = json.loads(current.data)
        data["deleted_at"] = fields.get("deleted_at") or utc_now()
        records.write(conn, m.table, row_id, clinic_id, version, data, current, {"deleted_at"}, batch)
        return MutationResult(
            mutation_id=m.mutation_id, status=Status.APPLIED, version=version, row_id=_moved(row_id, m)
        )

    if m.table in APPEND_ONLY_TABLES:
        if current is not None:  # the same event sent again under a new mutation id: nothing changes
            return MutationResult(
                mutation_id=m.mutation_id, status=Status.APPLIED, version=int(current.version)
            )
        return _create(records, conn, batch, m, clinic_id, fields)

    if (
        current is None
        and (kept := records.merge_target(conn, m.table, clinic_id, fields, batch)) is not None
    ):
        # two devices registered the same row (the same person): merged into the first one; later writes in
        # this push, and later pushes, are redirected to it
        records.add_alias(conn, batch, m.table, m.row_id, kept)
        current = batch.current(conn, m.table, kept)
        row_id = kept
        fields = {k: v for k, v in fields.items() if k != "id"}
        m = m.model_copy(update={"base_version": int(current.version)})

    if current is None:
        return _create(records, conn, batch, m, clinic_id, fields)

    # a row is made once: an edit's creation stamp (a second device that made the same row offline) changes nothing
    fields = {k: v for k, v in fields.items() if k not in _CREATION}
    server_data = json.loads(current.data)
    if current.deleted_at:
        return _conflict(
            records,
            conn,
            batch,
            clinic_id,
            m,
            row_id,
            current,
            Code.DELETED.value,
            "the row was deleted on the server; a delete wins over an edit",
        )
    changed = {k for k, v in fields.items() if server_data.get(k) != v}
    if m.base_version < int(current.version):
        versions: dict[str, int] = json.loads(current.field_versions)
        overlap = sorted(k for k in changed - META_FIELDS if versions.get(k, 0) > m.base_version)
        if overlap:
            return _conflict(
                records,
                conn,
                batch,
                clinic_id,
                m,
                row_id,
                current,
                Code.EDITED_ELSEWHERE.value,
                f"changed on the server since your copy: {', '.join(overlap)}",
            )
    if not changed - META_FIELDS:  # a moved row comes with the row it was merged into: the device swaps them
        return MutationResult(
            mutation_id=m.mutation_id,
            status=Status.APPLIED,
            version=int(current.version),
            row_id=_moved(row_id, m),
            server_row=server_row(current) if _moved(row_id, m) else None,
        )
    data = {**server_data, **{k: fields[k] for k in changed}}
    errors = records.validate(m.table, data) + records.check_references(
        conn, batch, clinic_id, m.table, data, changed
    )
    if not errors:
        errors = records.unique_taken(conn, m.table, clinic_id, row_id, data, changed, batch)
    if errors:
        return _refused(m, errors)
    version = batch.take()
    records.write(conn, m.table, row_id, clinic_id, version, data, current, changed, batch)
    merged = m.base_version < int(current.version) or _moved(row_id, m) is not None
    return MutationResult(
        mutation_id=m.mutation_id,
        status=Status.APPLIED,
        version=version,
        row_id=_moved(row_id, m),
        server_row=server_row(load(conn, m.table, row_id)) if merged else None,
    )


def _conflict(
    records: RecordStore,
    conn: Connection,
    batch: Batch,
    clinic_id: str,
    m: Mutation,
    row_id: str,
    current: Any,
    kind: str,
    message: str,
) -> MutationResult:
    """An edit a person must decide: answered to the device, and kept as a conflict row of the clinic that every
    device pulls and the county lists (``conflicts list``), until someone resolves it."""
    row = server_row(current)
    detail = json.dumps(
        {
            "message": message,
            "mutation_id": m.mutation_id,
            "fields": m.fields,
            "base_version": m.base_version,
        },
        ensure_ascii=False,
        sort_keys=True,
    )
    conflict_id = records.open_conflict(
        conn,
        batch.take(),
        clinic_id,
        m.table,
        row_id,
        kind,
        message,
        m.user_id,
        json.dumps(m.fields, ensure_ascii=False, sort_keys=True),
        json.dumps(row, ensure_ascii=False, sort_keys=True),
        detail,
        batch=batch,
    )
    return MutationResult(
        mutation_id=m.mutation_id,
        status=Status.CONFLICT,
        code=kind,
        row_id=_moved(row_id, m),
        message=message,
        server_row=row,
        conflict_id=conflict_id,
    )


def _resolve_from_device(
    records: RecordStore,
    conn: Connection,
    batch: Batch,
    clinic_id: str,
    m: Mutation,
    fields: dict[str, Any],
    current: Any,
) -> MutationResult:
    """A device writes only the resolution of a conflict the server made; the first decision stands."""
    if current is None:
        return _rejected(
            m, Code.SERVER_ONLY, f"{m.table} rows are made by the server; a device only resolves them"
        )
    if m.op is Op.DELETE:
        return _rejected(m, Code.SERVER_ONLY, f"{m.table} rows are never deleted; resolve them instead")
    server_data = json.loads(current.data)
    changed = {k for k, v in fields.items() if server_data.get(k) != v}
    if fixed := sorted(changed - CONFLICT_RESOLUTION_FIELDS):
        return _rejected(
            m, Code.READ_ONLY_FIELD, f"a device may only resolve a conflict; it sent {', '.join(fixed)}"
        )
    if server_data.get("kind") in records.county_decided() and changed - META_FIELDS:
        return _rejected(
            m, Code.COUNTY_DECIDES, "a contract signed at two clinics is decided by a county reviewer"
        )
    if server_data.get("resolved_at"):
        return MutationResult(
            mutation_id=m.mutation_id,
            status=Status.CONFLICT,
            code=Code.RESOLVED_ELSEWHERE,
            message=f"already resolved: {server_data.get('resolution') or ''}".strip(),
            server_row=server_row(current),
        )
    if not changed - META_FIELDS:
        return MutationResult(mutation_id=m.mutation_id, status=Status.APPLIED, version=int(current.version))
    if not fields.get("resolved_at"):
        return _refused(
            m, [ValidationError("resolved_at", "required", "a resolution says when it was decided")]
        )
    data = {**server_data, **{k: fields[k] for k in changed}}
    version = batch.take()
    records.write(conn, m.table, m.row_id, clinic_id, version, data, current, changed)
    conn.execute(
        sa.update(db.conflict)
        .where(db.conflict.c.id == m.row_id)
        .values(resolved_at=data["resolved_at"], resolution=data.get("resolution") or "resolved on a device")
    )
    return MutationResult(mutation_id=m.mutation_id, status=Status.APPLIED, version=version)


def _create(
    records: RecordStore, conn: Connection, batch: Batch, m: Mutation, clinic_id: str, fields: dict[str, Any]
) -> MutationResult:
    data = _new_row(fields, m, clinic_id)
    errors = records.validate(m.table, data) + records.check_references(
        conn, batch, clinic_id, m.table, data, None
    )
    if not errors:
        errors = records.unique_taken(conn, m.table, clinic_id, m.row_id, data, None, batch)
    if errors:
        return _refused(m, errors)
    version = batch.take()
    records.write(conn, m.table, m.row_id, clinic_id, version, data, None, batch=batch)
    batch.known.add((m.table, m.row_id))
    return MutationResult(mutation_id=m.mutation_id, status=Status.APPLIED, version=version)


def _new_row(fields: dict[str, Any], m: Mutation, clinic_id: str) -> dict[str, Any]:
    """A new row as stored: the common columns of DESIGN §3 are always there (a client that left one out gets
    the server's time and its own user)."""
    now = utc_now()
    return {
        "created_at": now,
        "updated_at": now,
        "created_by": m.user_id,
        "updated_by": m.user_id,
        "deleted_at": None,
        **fields,
        "id": m.row_id,
        "clinic_id": clinic_id,
    }


def _moved(row_id: str, m: Mutation) -> str | None:
    return row_id if row_id != m.row_id else None
