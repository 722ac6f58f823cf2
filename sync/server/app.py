"""The county server's HTTP API (DESIGN §5). Every failure answers ``{"error": {"code", "message"}}``;
never a stack trace."""

import logging
import traceback
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import anyio.to_thread
from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from sqlalchemy.engine import Connection, Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware

from clinic_app import __version__, idcard
from clinic_app.errors import ValidationError
from sync import protocol as p
from sync.server import access, accounts, county_api, throttle
from sync.server import lookup as cross_clinic
from sync.server import pull as pulling
from sync.server import push as pushing
from sync.server.auth import Token
from sync.server.common import Caller, ServiceError
from sync.server.db import REQUEST_THREADS, epoch, in_transaction, make_engine, utc_now
from sync.server.gzip_request import GzipRequestMiddleware
from sync.server.rules import county_records

log = logging.getLogger("county-server")
# Answers are gzipped at level 6, not starlette's default 9: on a pull page (~840 KB of JSON) 9 costs twice the
# CPU (39 ms against 18 ms here) for 5 % fewer bytes, and a new device's first sync asks for ~130 such pages.
RESPONSE_GZIP_LEVEL = 6
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": p.ErrorResponse} for code in (400, 401, 403, 409, 410, 422, 426, 429, 500)
}


def log_unexpected(exc: BaseException) -> None:
    """Where it failed, never its message: a database's message quotes the values (PostgreSQL's "Key
    (clinic_id, id_number)=(…, 1101…) already exists"), and the server's log keeps no personal data."""
    where = "".join(traceback.format_tb(exc.__traceback__))
    log.error(
        "unexpected error: %s %s (message not logged)\n%s",
        type(exc).__name__,
        getattr(exc, "code", "") or "",
        where,
    )


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content=p.error_body(code, message))


class _Raw(JSONResponse):
    """A body already serialised by pydantic (push and pull are the hot paths: serialise once, not twice)."""

    def render(self, content: Any) -> bytes:
        return content.encode() if isinstance(content, str) else super().render(content)


@asynccontextmanager
async def _worker(_app: FastAPI) -> AsyncIterator[None]:
    # the requests one worker runs at once: each holds one of the engine's connections (db.REQUEST_THREADS)
    anyio.to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS
    yield


def create_app(database_url: str | None = None, engine: Engine | None = None) -> FastAPI:
    if engine is None:
        if database_url is None:
            raise ValueError("a database URL or an engine is needed")
        engine = make_engine(database_url)
    # the GB/T 2260 table, read before the first request (the first pushes would each wait ~75 ms for it)
    idcard.load_places()
    app = FastAPI(
        lifespan=_worker,
        title="Village Clinic county server",
        version=__version__,
        description='Sync protocol v1 for clinic devices (DESIGN §5). Every failure: {"error": {code, message}}.',
    )
    app.state.engine = engine
    records = county_records()  # the record store with the county-wide rules, for every request of this app
    app.state.records = records
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=RESPONSE_GZIP_LEVEL)
    app.add_middleware(GzipRequestMiddleware)

    # -- errors --------------------------------------------------------------------------------
    @app.exception_handler(ServiceError)
    async def _service_error(_request: Request, exc: ServiceError) -> JSONResponse:
        answer = _error(exc.status, exc.code, exc.message)
        if exc.retry_after is not None:
            answer.headers["Retry-After"] = str(exc.retry_after)
        return answer

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
        log_unexpected(exc)
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
            raise ServiceError(
                426,
                "upgrade_required",
                f"send {p.HEADER_SCHEMA} and {p.HEADER_APP}: this server speaks sync protocol v1",
            ) from None
        if not low <= schema <= high:
            raise ServiceError(
                426,
                "schema_unsupported",
                f"database schema {schema} is not supported (server accepts {low}-{high}): update Village Clinic",
            )
        if app_version < p.parse_version(p.MIN_APP_VERSION):
            raise ServiceError(
                426, "app_too_old", f"Village Clinic {p.MIN_APP_VERSION} or newer is needed: update it"
            )

    checked = [Depends(versions)]

    # -- endpoints -------------------------------------------------------------------------------
    @app.get("/health", response_model=p.HealthResponse, responses=ERRORS)
    def health() -> p.HealthResponse:
        in_transaction(engine, epoch)  # the database answers
        return p.HealthResponse(status="ok")

    @app.post(
        "/api/v1/enroll",
        response_model=p.EnrollResponse,
        status_code=201,
        dependencies=checked,
        responses=ERRORS,
    )
    def enroll(body: p.EnrollRequest, request: Request) -> p.EnrollResponse:
        attempts = throttle.enrollment(request.client.host if request.client else "?")
        in_transaction(engine, lambda conn: throttle.check_attempt(conn, attempts))

        def work(conn: Connection) -> p.EnrollResponse:
            enrolled = access.enroll(conn, body.code, body.device_name, body.app_version, body.has_local_data)
            throttle.forget_failures(conn, attempts)
            return enrolled

        try:
            return in_transaction(engine, work)
        except ServiceError as exc:
            if exc.status == 401:  # a wrong, used or expired code; not a refusal for another reason
                throttle.record_failure(engine, attempts)
            raise

    @app.post("/api/v1/login", response_model=p.LoginResponse, dependencies=checked, responses=ERRORS)
    def login(body: p.LoginRequest, request: Request) -> p.LoginResponse:
        """County reviewers and admins get a token for the county-wide endpoints."""
        attempts = throttle.signin(request.client.host if request.client else "?", body.username)
        in_transaction(engine, lambda conn: throttle.check_attempt(conn, attempts))

        def work(conn: Connection) -> p.LoginResponse:
            signed_in = access.county_login(conn, body.username, body.password, body.device_name)
            throttle.forget_failures(conn, attempts[:1])  # this name from this address; not the address's
            return signed_in

        try:
            return in_transaction(engine, work)
        except ServiceError as exc:
            if exc.status == 401:
                throttle.record_failure(engine, attempts)
            raise

    @app.post(
        "/api/v1/users/signin", response_model=p.UserSignInResponse, dependencies=checked, responses=ERRORS
    )
    def user_signin(body: p.UserSignInRequest, token: Token, request: Request) -> p.UserSignInResponse:
        """A clinic user's online sign-in on a device of the clinic: a short-lived user token for pushing
        account changes (``X-User-Token``)."""

        def check(conn: Connection) -> tuple[Caller, Any]:
            caller = access.caller_for_token(conn, token)
            attempts = throttle.user_signin(
                request.client.host if request.client else "?", caller.clinic_id, body.username
            )
            throttle.check_attempt(conn, attempts)
            return caller, attempts

        caller, attempts = in_transaction(engine, check)

        def work(conn: Connection) -> p.UserSignInResponse:
            signed_in = accounts.sign_in(conn, caller, body.username, body.password)
            throttle.forget_failures(conn, attempts[:1])
            return signed_in

        try:
            return in_transaction(engine, work)
        except ServiceError as exc:
            if exc.code == "bad_credentials":
                throttle.record_failure(engine, attempts)
            raise

    @app.get("/api/v1/meta", response_model=p.MetaResponse, dependencies=checked, responses=ERRORS)
    def meta(token: Token) -> p.MetaResponse:
        def work(conn: Connection) -> str:
            access.caller_for_token(conn, token)
            return epoch(conn)

        current_epoch = in_transaction(engine, work)
        return p.MetaResponse(
            server_time=utc_now(),
            schema_versions=list(p.SCHEMA_VERSIONS),
            min_app_version=p.MIN_APP_VERSION,
            epoch=current_epoch,
        )

    @app.post(
        "/api/v1/push",
        response_model=p.PushResponse,
        dependencies=checked,
        responses=ERRORS,
        response_class=_Raw,
    )
    def push(
        body: p.PushRequest,
        token: Token,
        user_token: Annotated[str | None, Header(alias=p.HEADER_USER_TOKEN, max_length=300)] = None,
    ) -> Any:
        # committed before the answer leaves: a device removes an outbox entry only for a durable result
        results = in_transaction(
            engine,
            lambda conn: pushing.push(
                conn, access.caller_for_token(conn, token), body.mutations, records, user_token
            ),
        )
        return _Raw(p.PushResponse(results=results).model_dump_json(exclude_none=True))

    @app.get(
        "/api/v1/pull",
        response_model=p.PullResponse,
        dependencies=checked,
        responses=ERRORS,
        response_class=_Raw,
    )
    def pull(
        token: Token,
        cursor: Annotated[str | None, Query(max_length=500)] = None,
        limit: Annotated[int, Query(ge=1, le=p.MAX_PULL)] = 500,
    ) -> Any:
        page = in_transaction(
            engine, lambda conn: pulling.pull(conn, access.caller_for_token(conn, token), cursor, limit)
        )
        return _Raw(page)

    @app.get("/api/v1/checksums", response_model=p.ChecksumsResponse, dependencies=checked, responses=ERRORS)
    def checksums(token: Token) -> p.ChecksumsResponse:
        """Per table of the clinic: row count and sum of versions, to compare with the device's copy."""
        return in_transaction(
            engine, lambda conn: pulling.checksums(conn, access.caller_for_token(conn, token))
        )

    @app.get(
        "/api/v1/snapshot",
        response_model=p.SnapshotResponse,
        dependencies=checked,
        responses=ERRORS,
        response_class=_Raw,
    )
    def snapshot(
        token: Token,
        table: Annotated[str, Query(min_length=1, max_length=64)],
        after: Annotated[str | None, Query(max_length=64)] = None,
        limit: Annotated[int, Query(ge=1, le=p.MAX_PULL)] = 500,
    ) -> Any:
        """One table of the clinic as it is now, by row id: re-read when the checksums disagree."""
        page = in_transaction(
            engine,
            lambda conn: pulling.snapshot(conn, access.caller_for_token(conn, token), table, after, limit),
        )
        return _Raw(page)

    @app.post(
        "/api/v1/residents/lookup", response_model=p.LookupResponse, dependencies=checked, responses=ERRORS
    )
    def lookup(token: Token, body: p.LookupRequest) -> p.LookupResponse:
        """Audited and throttled: only whether the person holds an active contract for the period, and where.
        The ID number comes in the body: a URL ends up in access logs."""
        return in_transaction(
            engine,
            lambda conn: cross_clinic.lookup_resident(
                conn, access.caller_for_token(conn, token), body.id_number, body.period
            ),
        )

    @app.get("/api/v1/residents/lookup", include_in_schema=False)
    def lookup_in_the_url() -> None:
        raise ServiceError(
            410,
            p.Code.GONE,
            "the lookup takes the ID number in a POST body, never in the URL: update Village Clinic",
        )

    county_api.add_routes(app, engine, records, checked, ERRORS)

    def openapi() -> dict[str, Any]:
        """FastAPI's document, with the row shape of every synced table (``Row_<table>``, from the registry):
        a pulled change's ``row`` is one of them."""
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            document["components"]["schemas"].update(p.row_schemas("#/components/schemas/{model}"))
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def app_from_env() -> FastAPI:
    """For `uvicorn --factory sync.server.app:app_from_env` with several worker processes."""
    import os

    return create_app(os.environ.get("COUNTY_DATABASE_URL") or "sqlite:///county.db")
