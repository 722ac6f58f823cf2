"""The county server's HTTP API (DESIGN §5). Every failure answers ``{"error": {"code", "message"}}``;
never a stack trace."""

import logging
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware

from clinic_app import __version__
from clinic_app.errors import ValidationError
from sync import protocol as p
from sync.server import access, county_api
from sync.server import lookup as cross_clinic
from sync.server import pull as pulling
from sync.server import push as pushing
from sync.server.auth import Token
from sync.server.common import ServiceError
from sync.server.db import epoch, make_engine, utc_now
from sync.server.gzip_request import GzipRequestMiddleware
from sync.server.rules import county_records

log = logging.getLogger("county-server")
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": p.ErrorResponse} for code in (400, 401, 403, 409, 422, 426, 429, 500)
}


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content=p.error_body(code, message))


class _Raw(JSONResponse):
    """A body already serialised by pydantic (push and pull are the hot paths: serialise once, not twice)."""

    def render(self, content: Any) -> bytes:
        return content.encode() if isinstance(content, str) else super().render(content)


def create_app(database_url: str | None = None, engine: Engine | None = None) -> FastAPI:
    if engine is None:
        if database_url is None:
            raise ValueError("a database URL or an engine is needed")
        engine = make_engine(database_url)
    app = FastAPI(
        title="Village Clinic county server",
        version=__version__,
        description='Sync protocol v1 for clinic devices (DESIGN §5). Every failure: {"error": {code, message}}.',
    )
    app.state.engine = engine
    records = county_records()  # the record store with the county-wide rules, for every request of this app
    app.state.records = records
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    app.add_middleware(GzipRequestMiddleware)

    # -- errors --------------------------------------------------------------------------------
    @app.exception_handler(ServiceError)
    async def _service_error(_request: Request, exc: ServiceError) -> JSONResponse:
        return _error(exc.status, exc.code, exc.message)

    @app.exception_handler(ValidationError)
    async def _validation_error(_request: Request, exc: ValidationError) -> JSONResponse:
        return _error(422, exc.rule, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _request_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(x) for x in first.get("loc", ()) if x != "body")
        return _error(422, "invalid_request", f"{where}: {first.get('msg', 'invalid request')}"[:300])

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(exc.status_code, "http_error", str(exc.detail)[:300])

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return _error(500, "internal", "the server failed to answer; the request changed nothing, try again")

    # -- dependencies ----------------------------------------------------------------------------
    async def versions(
        x_schema_version: Annotated[str | None, Header(alias=p.HEADER_SCHEMA)] = None,
        x_app_version: Annotated[str | None, Header(alias=p.HEADER_APP)] = None,
    ) -> None:
        low, high = p.SCHEMA_VERSIONS
        try:
            schema = int(x_schema_version or "")
            app_version = p.parse_version(x_app_version or "")
        except ValueError:
            raise ServiceError(426, "upgrade_required",
                               f"send {p.HEADER_SCHEMA} and {p.HEADER_APP}: this server speaks sync protocol v1") from None  # fmt: skip
        if not low <= schema <= high:
            raise ServiceError(426, "schema_unsupported",
                               f"database schema {schema} is not supported (server accepts {low}-{high}): update Village Clinic")  # fmt: skip
        if app_version < p.parse_version(p.MIN_APP_VERSION):
            raise ServiceError(
                426, "app_too_old", f"Village Clinic {p.MIN_APP_VERSION} or newer is needed: update it"
            )

    checked = [Depends(versions)]

    # -- endpoints -------------------------------------------------------------------------------
    @app.get("/health", response_model=p.HealthResponse, responses=ERRORS)
    def health() -> p.HealthResponse:
        with engine.begin() as conn:
            epoch(conn)  # the database answers
        return p.HealthResponse(status="ok")

    @app.post("/api/v1/enroll", response_model=p.EnrollResponse, status_code=201, dependencies=checked,
              responses=ERRORS)  # fmt: skip
    def enroll(body: p.EnrollRequest, request: Request) -> p.EnrollResponse:
        key = f"enroll:{request.client.host if request.client else '?'}"
        with engine.begin() as conn:
            access.check_throttle(conn, key)
        try:
            with engine.begin() as conn:
                return access.enroll(conn, body.code, body.device_name, body.app_version, body.has_local_data)
        except ServiceError:
            access.record_failure(engine, key)
            raise

    @app.post("/api/v1/login", response_model=p.LoginResponse, dependencies=checked, responses=ERRORS)
    def login(body: p.LoginRequest, request: Request) -> p.LoginResponse:
        """County reviewers and admins get a token for the county-wide endpoints."""
        key = f"login:{body.username}"
        with engine.begin() as conn:
            access.check_throttle(conn, key)
            access.check_throttle(conn, f"login-ip:{request.client.host if request.client else '?'}")
        try:
            with engine.begin() as conn:
                return access.county_login(conn, body.username, body.password, body.device_name)
        except ServiceError:
            access.record_failure(engine, key)
            access.record_failure(engine, f"login-ip:{request.client.host if request.client else '?'}")
            raise

    @app.get("/api/v1/meta", response_model=p.MetaResponse, dependencies=checked, responses=ERRORS)
    def meta(token: Token) -> p.MetaResponse:
        with engine.begin() as conn:
            access.caller_for_token(conn, token)
            current_epoch = epoch(conn)
        return p.MetaResponse(server_time=utc_now(), schema_versions=list(p.SCHEMA_VERSIONS),
                              min_app_version=p.MIN_APP_VERSION, epoch=current_epoch)  # fmt: skip

    @app.post("/api/v1/push", response_model=p.PushResponse, dependencies=checked, responses=ERRORS,
              response_class=_Raw)  # fmt: skip
    def push(body: p.PushRequest, token: Token) -> Any:
        # committed before the answer leaves: a device removes an outbox entry only for a durable result
        with engine.begin() as conn:
            results = pushing.push(conn, access.caller_for_token(conn, token), body.mutations, records)
        return _Raw(p.PushResponse(results=results).model_dump_json(exclude_none=True))

    @app.get("/api/v1/pull", response_model=p.PullResponse, dependencies=checked, responses=ERRORS,
             response_class=_Raw)  # fmt: skip
    def pull(
        token: Token,
        cursor: Annotated[str | None, Query(max_length=500)] = None,
        limit: Annotated[int, Query(ge=1, le=p.MAX_PULL)] = 500,
    ) -> Any:
        with engine.begin() as conn:
            page = pulling.pull(conn, access.caller_for_token(conn, token), cursor, limit)
        return _Raw(page)

    @app.get("/api/v1/checksums", response_model=p.ChecksumsResponse, dependencies=checked, responses=ERRORS)
    def checksums(token: Token) -> p.ChecksumsResponse:
        """Per table of the clinic: row count and sum of versions, to compare with the device's copy."""
        with engine.begin() as conn:
            return pulling.checksums(conn, access.caller_for_token(conn, token))

    @app.get("/api/v1/snapshot", response_model=p.SnapshotResponse, dependencies=checked, responses=ERRORS,
             response_class=_Raw)  # fmt: skip
    def snapshot(
        token: Token,
        table: Annotated[str, Query(min_length=1, max_length=64)],
        after: Annotated[str | None, Query(max_length=64)] = None,
        limit: Annotated[int, Query(ge=1, le=p.MAX_PULL)] = 500,
    ) -> Any:
        """One table of the clinic as it is now, by row id: re-read when the checksums disagree."""
        with engine.begin() as conn:
            page = pulling.snapshot(conn, access.caller_for_token(conn, token), table, after, limit)
        return _Raw(page)

    @app.get(
        "/api/v1/residents/lookup", response_model=p.LookupResponse, dependencies=checked, responses=ERRORS
    )
    def lookup(
        token: Token,
        id_number: Annotated[str, Query(min_length=15, max_length=18)],
        period: Annotated[str, Query(min_length=4, max_length=4)],
    ) -> p.LookupResponse:
        """Audited: only whether the person holds an active contract for the period, and at which clinic."""
        with engine.begin() as conn:
            return cross_clinic.lookup_resident(conn, access.caller_for_token(conn, token), id_number, period)

    county_api.add_routes(app, engine, records, checked, ERRORS)

    def openapi() -> dict[str, Any]:
        """FastAPI's document, with the row shape of every synced table (``Row_<table>``, from the registry):
        a pulled change's ``row`` is one of them."""
        if app.openapi_schema is None:
            document = get_openapi(title=app.title, version=app.version, description=app.description,
                                   routes=app.routes)  # fmt: skip
            document["components"]["schemas"].update(p.row_schemas("#/components/schemas/{model}"))
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def app_from_env() -> FastAPI:
    """For `uvicorn --factory sync.server.app:app_from_env` with several worker processes."""
    import os

    return create_app(os.environ.get("COUNTY_DATABASE_URL") or "sqlite:///county.db")
