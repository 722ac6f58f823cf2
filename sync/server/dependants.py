"""Rows keyed by a merged row (issue 11, rule d): a unique key of the device schema that includes a reference to a
table the county merges (``REGISTRY.dependant_keys``: insurance by resident and year). Two devices that register
one person each record the year's insurance; once the residents are one, the two insurance rows hold one key, so
the second is merged into the first as the resident was (``row_alias``; the device is answered with the row
kept), and an edit that would give a row a key another row holds is refused. The keys live in ``unique_key``
under the key's name: its primary key makes the database refuse a second holder."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from clinic_app.errors import ValidationError
from clinic_app.registry import MAX_UNIQUE, Unique
from sync.server import db
from sync.server.records import Batch, CountyRule


class DependantMerge(CountyRule):
    def __init__(self, name: str, table: str, key: Unique) -> None:
        self.name, self.table = name, table
        self.columns = tuple(c for c in key.columns if c != "clinic_id")  # the key table is by clinic already
        self.freed_by_delete = key.freed_by_delete

    def value(self, row: dict[str, Any]) -> str | None:
        """The key the row holds; None for a deleted row (when that frees it) or a row with a null in it."""
        values = [row.get(c) for c in self.columns]
        if any(v is None for v in values) or (self.freed_by_delete and row.get("deleted_at")):
            return None
        text = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
        return text if len(text) <= MAX_UNIQUE else "sha256:" + hashlib.sha256(text.encode()).hexdigest()

    def merge_target(
        self, conn: Connection, clinic_id: str, fields: dict[str, Any], batch: Batch | None = None
    ) -> str | None:
        key = self.value(fields)
        return None if key is None else self._holder(conn, clinic_id, key)

    def taken(
        self,
        conn: Connection,
        clinic_id: str,
        row_id: str,
        data: dict[str, Any],
        changed: set[str] | None,
        batch: Batch | None = None,
    ) -> list[ValidationError]:
        if changed is None or not changed & {*self.columns, "deleted_at"}:  # a new row is merged, not refused
            return []
        key = self.value(data)
        holder = None if key is None else self._holder(conn, clinic_id, key)
        if holder is None or holder == row_id:
            return []
        return [
            ValidationError(
                self.columns[0],
                "duplicate",
                f"{self.table} {holder} holds the same {', '.join(self.columns)} already",
            )
        ]

    def on_write(
        self,
        conn: Connection,
        clinic_id: str | None,
        row_id: str,
        data: dict[str, Any],
        current: Any,
        batch: Batch | None = None,
    ) -> None:
        old = self.value(json.loads(current.data)) if current is not None else None
        new = self.value(data)
        if old is not None and old != new:
            conn.execute(
                sa.delete(db.unique_key).where(
                    db.unique_key.c.table_name == self.name,
                    db.unique_key.c.clinic_id == clinic_id,
                    db.unique_key.c.key == old,
                    db.unique_key.c.row_id == row_id,
                )
            )
        if new is not None and new != old:
            conn.execute(
                db.unique_key.insert().values(
                    table_name=self.name, clinic_id=clinic_id, key=new, row_id=row_id
                )
            )

    def _holder(self, conn: Connection, clinic_id: str, key: str) -> str | None:
        row = conn.execute(
            sa.select(db.unique_key.c.row_id).where(
                db.unique_key.c.table_name == self.name,
                db.unique_key.c.clinic_id == clinic_id,
                db.unique_key.c.key == key,
            )
        ).first()
        return None if row is None else str(row[0])
