"""County-wide endpoints: reviewers and admins see every clinic and decide conflicts; admins administer.

Every one takes a county token (``/api/v1/login``); a clinic device's token gets 403, as does a reviewer's on an
admin endpoint. The same service functions back the ``county-server`` subcommands.
"""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import FastAPI, Path, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import Connection, Engine

from sync.server import access, admin, county, reference
from sync.server.auth import Token
from sync.server.common import Caller
from sync.server.records import RecordStore

PRINTABLE = r"^[^\x00-\x1f\x7f]*$"
ID = r"^[0-9A-Za-z_-]{1,64}$"


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ClinicOverview(BaseModel):
    code: str
    name: str
    devices: int
    last_seen_at: str | None
    residents_with_id_number: int
    open_conflicts: int


class ConflictView(BaseModel):
    id: str
    clinic_code: str | None
    kind: str
    table: str
    row_id: str
    message: str | None
    device_fields: dict[str, Any]
    created_at: str
    resolved_at: str | None
    resolution: dict[str, Any] | None


class ResolveRequest(_In):
    keep: str = Field(
        pattern="^(server|device|transfer|cancel)$"
    )  # an edit: server/device; a contract: transfer/cancel
    note: str = Field(default="", max_length=500, pattern=PRINTABLE)


class ResolveResponse(BaseModel):
    id: str
    keep: str
    resolved_at: str


class NewClinic(_In):
    code: str = Field(min_length=1, max_length=32, pattern=PRINTABLE)
    name: str = Field(min_length=1, max_length=200, pattern=PRINTABLE)


class NewUser(_In):
    username: str = Field(min_length=1, max_length=64, pattern=PRINTABLE)
    role: str = Field(min_length=1, max_length=32)
    password: str = Field(min_length=1, max_length=200)
    clinic_code: str | None = Field(default=None, max_length=32, pattern=PRINTABLE)


class NewEnrollCode(_In):
    clinic_code: str = Field(min_length=1, max_length=32, pattern=PRINTABLE)
    hours: int = Field(default=access.ENROLL_CODE_HOURS, ge=1, le=24 * 30)


class EnrollCode(BaseModel):
    code: str
    clinic_code: str
    hours: int


class DeviceView(BaseModel):
    id: str
    name: str
    code: str | None
    created_at: str
    last_seen_at: str | None
    revoked_at: str | None
    app_version: str | None


class CatalogUpload(_In):
    csv: str = Field(min_length=1, max_length=20_000_000)


class CatalogReport(BaseModel):
    rows: int
    changed: int


class PolicyValue(_In):
    key: str = Field(min_length=1, max_length=100)
    value: str = Field(min_length=1, max_length=2000, pattern=PRINTABLE)
    effective_from: str = Field(min_length=10, max_length=10)


class Done(BaseModel):
    ok: bool = True


def add_routes(
    app: FastAPI, engine: Engine, records: RecordStore, dependencies: list[Any], responses: dict[int | str, Any]
) -> None:
    def as_county(token: str, roles: frozenset[str], work: Callable[[Connection, Caller], Any]) -> Any:
        with engine.begin() as conn:
            caller = access.caller_for_token(conn, token)
            county.require_role(caller, roles)
            return work(conn, caller)

    def route(method: str, path: str, model: Any, status_code: int = 200) -> Callable[[Any], Any]:
        return getattr(app, method)(path, response_model=model, status_code=status_code,
                                    dependencies=dependencies, responses=responses, tags=["county"])  # fmt: skip

    @route("get", "/api/v1/county/clinics", list[ClinicOverview])
    def clinics(token: Token) -> Any:
        """Every clinic of the county: devices, last contact, residents, conflicts waiting (reviewer, admin)."""
        return as_county(token, county.READERS, lambda conn, _c: county.clinics_overview(conn))

    @route("get", "/api/v1/county/conflicts", list[ConflictView])
    def conflicts(token: Token, include_resolved: Annotated[bool, Query()] = False) -> Any:
        """Conflicts of every clinic, oldest first (reviewer, admin)."""
        return as_county(
            token, county.READERS, lambda conn, _c: county.list_conflicts(conn, include_resolved)
        )

    @route("post", "/api/v1/county/conflicts/{conflict_id}/resolve", ResolveResponse)
    def resolve(token: Token, conflict_id: Annotated[str, Path(pattern=ID)], body: ResolveRequest) -> Any:
        """Keep the server's or the device's version; the clinic's devices see the decision on their next pull."""

        def work(conn: Connection, caller: Caller) -> Any:
            return county.resolve_conflict(
                conn, conflict_id, body.keep, caller.username or caller.role, body.note, records
            )

        return as_county(token, county.READERS, work)

    @route("post", "/api/v1/admin/clinics", Done, 201)
    def add_clinic(token: Token, body: NewClinic) -> Any:
        def work(conn: Connection, _c: Caller) -> Done:
            admin.add_clinic(conn, body.code, body.name, records)
            return Done()

        return as_county(token, county.ADMINS, work)

    @route("post", "/api/v1/admin/users", Done, 201)
    def add_user(token: Token, body: NewUser) -> Any:
        def work(conn: Connection, _c: Caller) -> Done:
            admin.add_user(conn, body.username, body.role, body.password, body.clinic_code, records)
            return Done()

        return as_county(token, county.ADMINS, work)

    @route("post", "/api/v1/admin/enroll-codes", EnrollCode, 201)
    def enroll_code(token: Token, body: NewEnrollCode) -> Any:
        def work(conn: Connection, _c: Caller) -> EnrollCode:
            code = admin.make_enroll_code(conn, body.clinic_code, body.hours)
            return EnrollCode(code=code, clinic_code=body.clinic_code, hours=body.hours)

        return as_county(token, county.ADMINS, work)

    @route("get", "/api/v1/admin/devices", list[DeviceView])
    def devices(token: Token) -> Any:
        return as_county(token, county.ADMINS, lambda conn, _c: admin.list_devices(conn))

    @route("post", "/api/v1/admin/devices/{device_id}/revoke", Done)
    def revoke(token: Token, device_id: Annotated[str, Path(pattern=ID)]) -> Any:
        def work(conn: Connection, _c: Caller) -> Done:
            admin.revoke_device(conn, device_id)
            return Done()

        return as_county(token, county.ADMINS, work)

    @route("post", "/api/v1/admin/catalog", CatalogReport)
    def catalog(token: Token, body: CatalogUpload) -> Any:
        """The drug catalog as CSV text (the columns of `county-server catalog load`); all rows or none."""

        def work(conn: Connection, _c: Caller) -> CatalogReport:
            report = reference.load_catalog_text(conn, body.csv)
            return CatalogReport(rows=report.rows, changed=report.changed)

        return as_county(token, county.ADMINS, work)

    @route("post", "/api/v1/admin/policy", Done)
    def policy(token: Token, body: PolicyValue) -> Any:
        def work(conn: Connection, _c: Caller) -> Done:
            reference.set_policy(conn, body.key, body.value, body.effective_from)
            return Done()

        return as_county(token, county.ADMINS, work)
