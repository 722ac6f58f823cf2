"""County-wide endpoints: reviewers and admins see every clinic and decide conflicts; admins administer.

Every one takes a county token (``/api/v1/login``); a clinic device's token gets 403, as does a reviewer's on an
admin endpoint. The same service functions back the ``county-server`` subcommands.
"""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import FastAPI, Path, Query
from sqlalchemy.engine import Connection, Engine

from sync import protocol as p
from sync.server import access, admin, county, reference
from sync.server.auth import Token
from sync.server.common import Caller
from sync.server.db import in_transaction
from sync.server.records import RecordStore


def add_routes(
    app: FastAPI,
    engine: Engine,
    records: RecordStore,
    dependencies: list[Any],
    responses: dict[int | str, Any],
) -> None:
    def as_county(token: str, roles: frozenset[str], work: Callable[[Connection, Caller], Any]) -> Any:
        def run(conn: Connection) -> Any:
            caller = access.caller_for_token(conn, token)
            county.require_role(caller, roles)
            return work(conn, caller)

        return in_transaction(engine, run)

    def route(method: str, path: str, model: Any, status_code: int = 200) -> Callable[[Any], Any]:
        return getattr(app, method)(
            path,
            response_model=model,
            status_code=status_code,
            dependencies=dependencies,
            responses=responses,
            tags=["county"],
        )

    @route("get", "/api/v1/county/clinics", list[p.ClinicOverview])
    def clinics(token: Token) -> Any:
        """Every clinic of the county: devices, last contact, residents, conflicts waiting (reviewer, admin)."""
        return as_county(
            token,
            county.READERS,
            lambda conn, _c: [p.ClinicOverview(**c) for c in county.clinics_overview(conn)],
        )

    @route("get", "/api/v1/county/conflicts", list[p.ConflictView])
    def conflicts(token: Token, include_resolved: Annotated[bool, Query()] = False) -> Any:
        """Conflicts of every clinic, oldest first (reviewer, admin)."""
        return as_county(
            token,
            county.READERS,
            lambda conn, _c: [p.ConflictView(**c) for c in county.list_conflicts(conn, include_resolved)],
        )

    @route("post", "/api/v1/county/conflicts/{conflict_id}/resolve", p.ResolveResponse)
    def resolve(token: Token, conflict_id: Annotated[str, Path(pattern=p.ID)], body: p.ResolveRequest) -> Any:
        """Keep the server's or the device's version; the clinic's devices see the decision on their next pull."""

        def work(conn: Connection, caller: Caller) -> Any:
            return p.ResolveResponse(
                **county.resolve_conflict(
                    conn, conflict_id, body.keep, caller.username or caller.role, body.note, records
                )
            )

        return as_county(token, county.READERS, work)

    @route("post", "/api/v1/admin/clinics", p.Done, 201)
    def add_clinic(token: Token, body: p.NewClinic) -> Any:
        def work(conn: Connection, _c: Caller) -> p.Done:
            admin.add_clinic(conn, body.code, body.name, records)
            return p.Done()

        return as_county(token, county.ADMINS, work)

    @route("post", "/api/v1/admin/users", p.Done, 201)
    def add_user(token: Token, body: p.NewUser) -> Any:
        def work(conn: Connection, _c: Caller) -> p.Done:
            admin.add_user(conn, body.username, body.role, body.password, body.clinic_code, records)
            return p.Done()

        return as_county(token, county.ADMINS, work)

    @route("post", "/api/v1/admin/enroll-codes", p.EnrollCode, 201)
    def enroll_code(token: Token, body: p.NewEnrollCode) -> Any:
        def work(conn: Connection, _c: Caller) -> p.EnrollCode:
            code = admin.make_enroll_code(conn, body.clinic_code, body.hours)
            return p.EnrollCode(code=code, clinic_code=body.clinic_code, hours=body.hours)

        return as_county(token, county.ADMINS, work)

    @route("get", "/api/v1/admin/devices", list[p.DeviceView])
    def devices(token: Token) -> Any:
        return as_county(
            token, county.ADMINS, lambda conn, _c: [p.DeviceView(**d) for d in admin.list_devices(conn)]
        )

    @route("post", "/api/v1/admin/devices/{device_id}/revoke", p.Done)
    def revoke(token: Token, device_id: Annotated[str, Path(pattern=p.ID)]) -> Any:
        def work(conn: Connection, _c: Caller) -> p.Done:
            admin.revoke_device(conn, device_id)
            return p.Done()

        return as_county(token, county.ADMINS, work)

    @route("post", "/api/v1/admin/catalog", p.CatalogReport)
    def catalog(token: Token, body: p.CatalogUpload) -> Any:
        """The drug catalog as CSV text (the columns of `county-server catalog load`); all rows or none."""

        def work(conn: Connection, _c: Caller) -> p.CatalogReport:
            report = reference.load_catalog_text(conn, body.csv)
            return p.CatalogReport(rows=report.rows, changed=report.changed)

        return as_county(token, county.ADMINS, work)

    @route("post", "/api/v1/admin/policy", p.Done)
    def policy(token: Token, body: p.PolicyValue) -> Any:
        def work(conn: Connection, _c: Caller) -> p.Done:
            reference.set_policy(conn, body.key, body.value, body.effective_from)
            return p.Done()

        return as_county(token, county.ADMINS, work)
