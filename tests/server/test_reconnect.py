"""The pool lends its connections untested (no "pre-ping" round trip a request, db.make_engine): a connection the
database closed meanwhile (PostgreSQL restarted, an administrator ended the backends) costs the device nothing,
because the request's transaction runs again on a fresh connection (db.in_transaction)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from clinic_app.ids import uuid7

from .conftest import County
from .test_api import mutation, pull_all, push


def _end_the_pools_connections(county: County) -> int:
    outside = sa.create_engine(county.engine.url, poolclass=sa.pool.NullPool)
    with outside.connect() as conn:
        ended = conn.execute(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar_one()
    outside.dispose()
    return int(ended)


def test_requests_on_connections_the_database_closed_are_answered(county: County) -> None:
    if county.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server to close a connection")
    device = county.enroll("A01")
    pull_all(county, device)  # the pool now holds connections
    assert _end_the_pools_connections(county) >= 1
    changes, _ = pull_all(county, device)  # a pull, on a closed connection first
    assert changes
    assert _end_the_pools_connections(county) >= 1
    row = {"id": uuid7(), "action": "x", "summary": "x", "rows": "{}"}
    [result] = push(county, device, mutation("audit_log", row))
    assert result["status"] == "applied"
    assert county.client.get("/health").status_code == 200
