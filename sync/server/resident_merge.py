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
from sync.server.records import CountyRule


class ResidentMerge(CountyRule):
    table = "resident"
    key = REGISTRY.table(table).merge.key  # type: ignore[union-attr]  # the registry's merge key: id_number

    def taken(
        self, conn: Connection, clinic_id: str, row_id: str, data: dict[str, Any], changed: set[str] | None
    ) -> list[ValidationError]:
        if changed is None or not changed & {"id_number", "deleted_at"}:  # a new row is merged, not refused
            return []
        number = data.get("id_number")
        if not number or data.get("deleted_at"):
            return []
        holder = self._holder(conn, clinic_id, number)
        if holder is None or holder == row_id:
            return []
        return [ValidationError("id_number", "duplicate",
                                f"this ID number is registered already, to resident {holder}")]  # fmt: skip

    def merge_target(self, conn: Connection, clinic_id: str, fields: dict[str, Any]) -> str | None:
        number = fields.get(self.key)
        return self._holder(conn, clinic_id, number) if number else None

    def on_write(
        self, conn: Connection, clinic_id: str | None, row_id: str, data: dict[str, Any], current: Any
    ) -> None:
        old = json.loads(current.data).get("id_number") if current is not None else None
        new = data.get("id_number") if not data.get("deleted_at") else None
        if old and old != new:
            conn.execute(sa.delete(db.resident_key).where(db.resident_key.c.clinic_id == clinic_id,
                                                          db.resident_key.c.id_number == old,
                                                          db.resident_key.c.row_id == row_id))  # fmt: skip
        if new and new != old:
            conn.execute(db.resident_key.insert().values(clinic_id=clinic_id, id_number=new, row_id=row_id))

    @staticmethod
    def _holder(conn: Connection, clinic_id: str, number: object) -> str | None:
        row = conn.execute(sa.select(db.resident_key.c.row_id).where(
            db.resident_key.c.clinic_id == clinic_id, db.resident_key.c.id_number == number)).first()  # fmt: skip
        return None if row is None else str(row[0])
