"""Issue 10 point 7: the county rules work per push, not per row. A device's push of 20 rows (nine residents, one
the same person another device registered, four contracts, audit entries: the benchmark's push) runs a bounded
number of SQL statements; it ran 59-63 when the resident merge and the one-team rule each read and wrote per row,
and 23 (the first push of a device) when each new contract was indexed by a statement of its own."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

from tests.benchmarks.server_bench import _pushes
from tests.server.conftest import County


def _counted(county: County, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement the database is sent. On PostgreSQL counted at the driver (psycopg's cursor), so that the
    statements the server sends on the driver's connection count too, and an executemany counts once a row (it is
    one INSERT a row on the wire); on SQLite, SQLAlchemy's."""
    statements: list[str] = []
    if county.engine.dialect.name != "postgresql":

        def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            statements.append(statement)

        sa.event.listen(county.engine, "before_cursor_execute", count)
        return statements
    import psycopg

    execute, executemany = psycopg.Cursor.execute, psycopg.Cursor.executemany

    def one(cursor: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        statements.append(str(query))
        return execute(cursor, query, *args, **kwargs)

    def many(cursor: Any, query: Any, params: Any, *args: Any, **kwargs: Any) -> Any:
        params = list(params)
        statements.extend(str(query) for _ in params)
        return executemany(cursor, query, params, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", one)
    monkeypatch.setattr(psycopg.Cursor, "executemany", many)
    return statements


def test_a_push_of_twenty_rows_runs_a_few_statements_whatever_its_rows(
    county: County, monkeypatch: pytest.MonkeyPatch
) -> None:
    devices = [county.enroll("A01", f"PC-{d}") for d in range(2)]
    statements = _counted(county, monkeypatch)
    for d, headers in enumerate(devices):
        for body in _pushes(d, 0, 2):
            statements.clear()
            r = county.client.post(
                "/api/v1/push", content=body, headers={**headers, "Content-Type": "application/json"}
            )
            assert r.status_code == 200, r.text
            results = r.json()["results"]
            assert [x["status"] for x in results] == ["applied"] * 20, results
            contracts = [
                x
                for x, m in zip(results, json.loads(body)["mutations"], strict=True)
                if m["table"] == "contract"
            ]
            assert len(contracts) == 4 and all(
                x.get("server_row", {}).get("status") == "active" for x in contracts
            )
            assert len(statements) <= 20, (len(statements), statements)
