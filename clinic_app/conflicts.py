"""Conflicts a person decides: field by field, keep this device's value or the server's.

A conflict row is made by the county server (and written here at once from the push result); every device of
the clinic pulls it. Deciding writes, in one unit of work, the chosen values onto the row (a normal edit, based
on the server's version the row now holds) and the resolution onto the conflict row; both sync. The first
decision anywhere (this device, another of the clinic, the county) stands; a later one comes back as
``resolved_elsewhere`` and the row shows the decision that stood.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from clinic_app.db import Connection
from clinic_app.errors import NotFound, ValidationError
from clinic_app.registry import COMMON_COLUMNS, REGISTRY
from clinic_app.residents import resident_input, validate_resident
from clinic_app.store import Store
from clinic_app.syncstate import row_labels
from clinic_app.users import User

Side = Literal["mine", "server"]
# Columns that are bookkeeping, not a person's data: never offered for a choice.
NOT_CHOSEN = frozenset(COMMON_COLUMNS) | {"row_version"}


COUNTY_DECIDED = (
    "contract_elsewhere",
    "trace_code_elsewhere",
    "cap_overrun",  # a visit's fund share over the county-wide annual cap (mine: as this clinic settled it)
)  # conflicts between clinics (sync.server rules)


@dataclass(frozen=True)
class FieldChoice:
    name: str
    mine: Any
    server: Any


@dataclass(frozen=True)
class Conflict:
    id: str
    table: str
    row_id: str
    kind: str
    message: str
    mine: dict[str, Any]  # the fields this device sent
    server: dict[str, Any]  # the row as the server held it then
    created_at: str
    resolved_at: str | None
    resolution: dict[str, Any] | None

    @property
    def fields(self) -> list[FieldChoice]:
        """The fields where this device's value differs from the server's: what a person chooses between."""
        skip = NOT_CHOSEN | REGISTRY.derived_columns(self.table)
        return [
            FieldChoice(name, value, self.server.get(name))
            for name, value in self.mine.items()
            if name not in skip and self.server.get(name) != value
        ]

    @property
    def county_decides(self) -> bool:
        """A contract signed at two clinics (transfer or cancel), a box sold at two clinics (acknowledged): a county
        reviewer decides, not a device."""
        return self.kind in COUNTY_DECIDED

    @property
    def row_deleted(self) -> bool:
        return self.kind == "deleted" or bool(self.server.get("deleted_at"))


def _conflict(row: Any) -> Conflict:
    return Conflict(
        id=row["id"],
        table=row["table_name"],
        row_id=row["row_id"],
        kind=row["kind"],
        message=row["message"] or "",
        mine=json.loads(row["local_row"] or "{}"),
        server=json.loads(row["server_row"] or "null") or {},
        created_at=row["created_at"],
        resolved_at=row["resolved_at"],
        resolution=json.loads(row["resolution"]) if row["resolution"] else None,
    )


def list_conflicts(conn: Connection, include_resolved: bool = False) -> list[Conflict]:
    where = "" if include_resolved else "WHERE resolved_at IS NULL"
    return [_conflict(r) for r in conn.execute(f"SELECT * FROM conflict {where} ORDER BY created_at, id")]


def conflict_page(
    conn: Connection, after: str | None, limit: int, include_resolved: bool = False
) -> list[dict[str, Any]]:
    """Conflicts, newest first (``created_at``, then id): the next ``limit`` after the conflict ``after`` (keyset;
    waiting ones on the index ``conflict_open``). Each row: ``id``, ``conflict`` (a ``Conflict``) and ``label``,
    how a person knows the record in conflict."""
    where = [] if include_resolved else ["resolved_at IS NULL"]
    args: list[Any] = []
    if after is not None:
        where.append("(created_at, id) < (SELECT created_at, id FROM conflict WHERE id = ?)")
        args.append(after)
    sql = f"SELECT * FROM conflict {'WHERE ' + ' AND '.join(where) if where else ''} "
    found = [
        _conflict(r) for r in conn.execute(sql + "ORDER BY created_at DESC, id DESC LIMIT ?", (*args, limit))
    ]
    labels = row_labels(conn, [(c.table, c.row_id) for c in found])
    return [{"id": c.id, "conflict": c, "label": labels[(c.table, c.row_id)]} for c in found]


def waiting_count(conn: Connection) -> int:
    """Conflicts no one has decided yet (the status bar's and the Sync page's count)."""
    return int(conn.execute("SELECT count(*) FROM conflict WHERE resolved_at IS NULL").fetchone()[0])


def get_conflict(conn: Connection, conflict_id: str) -> Conflict:
    row = conn.execute("SELECT * FROM conflict WHERE id = ?", (conflict_id,)).fetchone()
    if row is None:
        raise NotFound(f"conflict {conflict_id} does not exist")
    return _conflict(row)


def box_sale(conn: Connection, conflict: Conflict) -> dict[str, Any]:
    """What a person needs of a box sold at two clinics (``trace_code_elsewhere``): the code (from the row as the
    county holds it when the sale is not on this device) and, when it is, the day and the patient of this clinic's
    sale (``dispensed_on``, ``resident``; None otherwise)."""
    row = conn.execute(
        "SELECT c.code, d.dispensed_on, r.name FROM dispensing_code c "
        "JOIN dispensing d ON d.id = c.dispensing_id "
        "LEFT JOIN prescription p ON p.id = d.prescription_id "
        "LEFT JOIN resident r ON r.id = p.resident_id WHERE c.id = ?",
        (conflict.row_id,),
    ).fetchone()
    if row is None:
        return {"code": str(conflict.server.get("code") or ""), "dispensed_on": None, "resident": None}
    return {"code": str(row[0]), "dispensed_on": row[1], "resident": row[2]}


def resolve(store: Store, actor: User, conflict_id: str, choices: dict[str, Side]) -> Conflict:
    """``choices`` names, for each field of ``Conflict.fields``, whose value stands; a field left out keeps the
    server's value (the row already shows it). All mine = "keep mine", none = "keep the server's"."""
    conflict = get_conflict(store.conn, conflict_id)
    if conflict.county_decides:
        raise ValidationError(
            "conflict",
            "county_decides",
            f"{conflict.kind}: a conflict between clinics is decided by the county",
        )
    if conflict.resolved_at:
        raise ValidationError(
            "conflict", "resolved", f"this conflict was resolved already ({conflict.resolved_at})"
        )
    offered = {f.name: f for f in conflict.fields}
    for name, side in choices.items():
        if name not in offered:
            raise ValidationError(name, "not_in_conflict", f"{name} is not one of the fields in conflict")
        if side not in ("mine", "server"):
            raise ValidationError(name, "choice", "choose mine or server")
    values = {name: offered[name].mine for name, side in choices.items() if side == "mine"}
    if values and conflict.row_deleted:
        raise ValidationError(
            "conflict", "deleted", "the row was deleted; only the server's version can be kept"
        )
    keep = "device" if values and len(values) == len(offered) else ("merged" if values else "server")
    resolution = {"keep": keep, "by": actor.username, "fields": sorted(values)}
    row = _validated(store, conflict, values) if values else {}
    with store.unit(actor.id, "conflict.resolve") as uow:
        if row:
            uow.update(conflict.table, conflict.row_id, row)
        uow.update(
            "conflict",
            conflict.id,
            {"resolved_at": uow.now, "resolution": json.dumps(resolution, ensure_ascii=False)},
        )
        uow.summary = f"conflict on {conflict.table} resolved: kept {keep}"
    return get_conflict(store.conn, conflict_id)


def _validated(store: Store, conflict: Conflict, values: dict[str, Any]) -> dict[str, Any]:
    """The row as it will be after the choice, checked by the rules of its table."""
    current = store.conn.execute(
        f'SELECT * FROM "{conflict.table}" WHERE id = ?', (conflict.row_id,)
    ).fetchone()
    if current is None:
        raise NotFound(f"{conflict.table} {conflict.row_id} is not on this device")
    if conflict.table != "resident":
        return values
    data = resident_input({**dict(current), **values})
    return validate_resident(store.conn, store.clinic_id, data, existing_id=conflict.row_id)
