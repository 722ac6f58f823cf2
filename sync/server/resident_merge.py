"""One resident per ID number in a clinic. Two devices that register the same person each push a new row: the
server keeps the first, merges the second into it and answers the second device with the row it kept; later
writes naming the merged row are redirected (``row_alias``). An edit may not give a resident another resident's
number. The numbers live in ``resident_key``, kept up to date on every write of a resident."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from clinic_app.errors import ValidationError
from clinic_app.registry import REGISTRY
from sync.server import db
from sync.server.records import Batch, CountyRule

_HOLDER = sa.select(db.resident_key.c.row_id).where(
    db.resident_key.c.clinic_id == sa.bindparam("key_clinic"),
    db.resident_key.c.id_number == sa.bindparam("key_number"),
)
_HOLDERS = sa.select(db.resident_key.c.id_number, db.resident_key.c.row_id).where(
    db.resident_key.c.clinic_id == sa.bindparam("key_clinic"),
    db.resident_key.c.id_number.in_(sa.bindparam("numbers", expanding=True)),
)
_HOLDERS_PG = sa.select(db.resident_key.c.id_number, db.resident_key.c.row_id).where(
    db.resident_key.c.clinic_id == sa.bindparam("key_clinic"),
    db.among(db.resident_key.c.id_number, "numbers"),
)
_DELETE = sa.delete(db.resident_key).where(
    db.resident_key.c.clinic_id == sa.bindparam("key_clinic"),
    db.resident_key.c.id_number == sa.bindparam("key_number"),
    db.resident_key.c.row_id == sa.bindparam("key_row"),
)


class ResidentMerge(CountyRule):
    table = "resident"
    key = REGISTRY.table(table).merge.key  # type: ignore[union-attr]  # the registry's merge key: id_number

    def prepare(
        self, conn: Connection, batch: Batch, clinic_id: str, rows: list[dict[str, Any]]
    ) -> set[tuple[str, str]]:
        """The holders of every ID number the push's residents send, in one query: ``batch.memo`` holds the
        number's holder (None: nobody) and follows the batch's writes, whose keys go in with its records."""
        numbers = sorted({str(n) for fields in rows if _storable(n := fields.get(self.key))})
        if not numbers:
            return set()
        holders = _HOLDERS_PG if conn.dialect.name == "postgresql" else _HOLDERS  # one text, any length
        held = dict(db.fetch(conn, holders, {"key_clinic": clinic_id, "numbers": numbers}))
        for number in numbers:
            batch.memo.setdefault((self.table, clinic_id, number), held.get(number))
        return {(self.table, str(row_id)) for row_id in held.values()}  # the rows a new one may merge into

    def taken(
        self,
        conn: Connection,
        clinic_id: str,
        row_id: str,
        data: dict[str, Any],
        changed: set[str] | None,
        batch: Batch | None = None,
    ) -> list[ValidationError]:
        if changed is None or not changed & {"id_number", "deleted_at"}:  # a new row is merged, not refused
            return []
        number = data.get("id_number")
        if not number or data.get("deleted_at"):
            return []
        holder = self._holder(conn, clinic_id, number, batch)
        if holder is None or holder == row_id:
            return []
        return [
            ValidationError(
                "id_number", "duplicate", f"this ID number is registered already, to resident {holder}"
            )
        ]

    def merge_target(
        self, conn: Connection, clinic_id: str, fields: dict[str, Any], batch: Batch | None = None
    ) -> str | None:
        number = fields.get(self.key)
        return self._holder(conn, clinic_id, number, batch) if number else None

    def on_write(
        self,
        conn: Connection,
        clinic_id: str | None,
        row_id: str,
        data: dict[str, Any],
        current: Any,
        batch: Batch | None = None,
    ) -> None:
        old = json.loads(current.data).get("id_number") if current is not None else None
        new = data.get("id_number") if not data.get("deleted_at") else None
        later = batch.later.setdefault(db.resident_key, {}) if batch is not None else None
        if old and old != new:
            if later is not None and later.get((clinic_id, old), {}).get("row_id") == row_id:
                del later[(clinic_id, old)]  # written earlier in this batch: never inserted
            else:
                conn.execute(_DELETE, {"key_clinic": clinic_id, "key_number": old, "key_row": row_id})
            if batch is not None:
                batch.memo[(self.table, clinic_id, old)] = None
        if new and new != old:
            if later is not None and batch is not None:
                later[(clinic_id, new)] = {"clinic_id": clinic_id, "id_number": new, "row_id": row_id}
                batch.memo[(self.table, clinic_id, new)] = row_id
            else:
                conn.execute(
                    db.resident_key.insert().values(clinic_id=clinic_id, id_number=new, row_id=row_id)
                )

    def _holder(self, conn: Connection, clinic_id: str, number: object, batch: Batch | None) -> str | None:
        if batch is not None and (self.table, clinic_id, number) in batch.memo:
            return batch.memo[(self.table, clinic_id, number)]
        row = conn.execute(_HOLDER, {"key_clinic": clinic_id, "key_number": number}).first()
        holder = None if row is None else str(row[0])
        if batch is not None:
            batch.memo[(self.table, clinic_id, number)] = holder
        return holder


def _storable(value: object) -> bool:
    """An ID number fit to go into a query (a crafted one is refused by the column contract, later)."""
    return isinstance(value, str) and 0 < len(value) <= 18 and value.isascii() and value.isprintable()
