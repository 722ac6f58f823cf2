"""Sync protocol v1: the wire types both sides share (DESIGN §5). Field names are the contract."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from enum import StrEnum
from functools import cache
from typing import Annotated, Any, Literal, NotRequired, Protocol, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    create_model,
    field_validator,
    with_config,
)
from typing_extensions import TypedDict  # pydantic reads typing.TypedDict only from Python 3.12

from clinic_app.migrations import SCHEMA_VERSION
from clinic_app.registry import REGISTRY, Column

PROTOCOL_VERSION = 1
SCHEMA_VERSIONS = (SCHEMA_VERSION, SCHEMA_VERSION)  # device schemas (PRAGMA user_version) this server accepts
MIN_APP_VERSION = "0.1.0"
MAX_PUSH = 500
MAX_PULL = 1000
HEADER_SCHEMA = "X-Schema-Version"
HEADER_APP = "X-App-Version"
HEADER_USER_TOKEN = "X-User-Token"  # a push with account changes: the user token of an online sign-in
USER_TOKEN_SECONDS = 600  # how long a user token of an online sign-in is good for

# The table lists of the wire, from the table registry (clinic_app.registry): tables a clinic device may write,
# which of them are append-only events, rows the server makes and a device only resolves (its resolution fields
# alone), and county reference data (pulled by every device, written only by the county).
CLINIC_TABLES = REGISTRY.pushed_tables
SERVER_MADE_TABLES = REGISTRY.server_made_tables
CONFLICT_RESOLUTION_FIELDS = REGISTRY.table("conflict").device_fields
APPEND_ONLY_TABLES = REGISTRY.append_only_tables
REFERENCE_TABLES = REGISTRY.reference_tables


class Status(StrEnum):
    """What the server did with one pushed mutation."""

    APPLIED = "applied"
    DUPLICATE = "duplicate"  # the mutation id was seen before: the stored result is replayed
    CONFLICT = "conflict"  # with the server's row; a person decides (``conflict_id`` names the conflict row)
    REJECTED = "rejected"  # with a code and a message; the device keeps the entry until someone fixes it


class Op(StrEnum):
    UPSERT = "upsert"
    DELETE = "delete"


class Code(StrEnum):
    """Every machine code the server answers: in an error body (``{"error": {"code"}}``) and as the ``code`` of a
    rejected or conflicting push result. A code is read as a member when it is one; a newer server's code that
    this list does not know yet still reads (as text), so an older client never stops on it."""

    # transport, versions, authentication (error bodies)
    UPGRADE_REQUIRED = "upgrade_required"  # 426: the version headers are missing or unreadable
    SCHEMA_UNSUPPORTED = "schema_unsupported"  # 426
    APP_TOO_OLD = "app_too_old"  # 426
    NO_TOKEN = "no_token"  # 401
    BAD_TOKEN = "bad_token"  # 401
    REVOKED = "revoked"  # 401
    BAD_CODE = "bad_code"  # 401: enrollment
    CODE_USED = "code_used"  # 401
    CODE_EXPIRED = "code_expired"  # 401
    BAD_CREDENTIALS = "bad_credentials"  # 401: login
    FORBIDDEN = "forbidden"  # 403: a county endpoint without the county role
    NOT_A_CLINIC_DEVICE = "not_a_clinic_device"  # 403: a county token on a device endpoint
    CLINIC_HAS_DATA = "clinic_has_data"  # 409: enrollment of a device with records into a clinic with records
    EPOCH_CHANGED = "epoch_changed"  # 409: the server was reset or restored
    BAD_CURSOR = "bad_cursor"  # 400
    BAD_GZIP = "bad_gzip"  # 400
    TOO_LARGE = "too_large"  # 413
    UNSUPPORTED_ENCODING = "unsupported_encoding"  # 415
    INVALID_REQUEST = "invalid_request"  # 422: the body or query does not fit the model
    THROTTLED = (
        "throttled"  # 429: failed sign-ins or enrollment codes from this address; Retry-After says when
    )
    LOOKUP_THROTTLED = "lookup_throttled"  # 429: more lookups than the county allows a device or a clinic
    GONE = "gone"  # 410: an endpoint of an older protocol (the lookup by GET)
    HTTP_ERROR = "http_error"  # any other HTTP failure (404 unknown path, 405 method)
    INTERNAL = "internal"  # 500: nothing changed, try again
    NO_SCOPE = "no_scope"  # 500: the database lacks a version counter
    # push rejections of the engine itself
    MUTATION_ID_REUSED = "mutation_id_reused"
    READ_ONLY = "read_only"
    UNKNOWN_TABLE = "unknown_table"  # also a 422 (snapshot of an unknown table)
    WRONG_CLINIC = "wrong_clinic"
    ID_MISMATCH = "id_mismatch"
    NOT_FOUND = "not_found"
    APPEND_ONLY = "append_only"
    SERVER_ONLY = "server_only"
    READ_ONLY_FIELD = "read_only_field"
    COUNTY_DECIDES = "county_decides"
    # accounts and authorship (DESIGN §5 "Accounts")
    ACCOUNT_SIGN_IN = (
        "account_sign_in"  # an account change waits for an online sign-in (not final: kept, resent)
    )
    NOT_ENTITLED = "not_entitled"  # the signed-in user may not make this account change
    UNKNOWN_USER = "unknown_user"  # the mutation's user_id is no user of the token's clinic
    # push conflicts
    DELETED = "deleted"  # the row was deleted on the server (also a rule: keep=device of a deleted row)
    EDITED_ELSEWHERE = "edited_elsewhere"
    RESOLVED_ELSEWHERE = "resolved_elsewhere"
    # the domain's validation rules (clinic_app ``ValidationError.rule``): a 422 error body, or a rejection
    BIRTH_DATE_FUTURE = "birth_date_future"
    BIRTH_DATE_INVALID = "birth_date_invalid"
    BIRTH_DATE_TOO_OLD = "birth_date_too_old"
    CHECK_CHARACTER = "check_character"
    CHOICE = "choice"
    CONTROL_CHARACTER = "control_character"
    CSV = "csv"
    CSV_QUOTE = "csv_quote"
    DATE_FORMAT = "date_format"
    DIGITS = "digits"
    DISAGREES_WITH_ID = "disagrees_with_id"
    DUPLICATE = "duplicate"
    DUPLICATE_COLUMN = "duplicate_column"
    EMPTY = "empty"
    ENCODING = "encoding"
    FORMAT = "format"
    FUTURE = "future"
    ID_FORMAT = "id_format"
    INELIGIBLE = "ineligible"
    INTEGER = "integer"
    INVALID = "invalid"
    INVALID_PACKAGES = "invalid_packages"
    INVALID_ROWS = "invalid_rows"
    INVALID_TEXT = "invalid_text"
    JSON = "json"
    LENGTH = "length"
    MISMATCH = "mismatch"
    MISSING = "missing"
    MISSING_COLUMN = "missing_column"
    NEEDS_VILLAGE = "needs_village"
    NOT_FOR_COUNTY_ROLES = "not_for_county_roles"
    NOT_IN_CONFLICT = "not_in_conflict"
    NOT_ALLOWED = (
        "not_allowed"  # a value outside the column's listed values, as a device would refuse to store it
    )
    NOT_NORMALIZED = "not_normalized"
    FOLDER_MISSING = "folder_missing"  # (CLI) a backup or export never makes its folder
    FOLDER_IS_FILE = "folder_is_file"  # (CLI) the folder named is a file
    FOLDER_NOT_WRITABLE = "folder_not_writable"  # (CLI) no file can be made in the folder
    OTHER_VILLAGE = "other_village"
    OUT_OF_RANGE = "out_of_range"
    POLICY = "policy"
    POLICY_MISSING = "policy_missing"
    PROVINCE = "province"
    RANGE = "range"
    REQUIRED = "required"
    RESOLVED = "resolved"
    SECOND_HEAD = "second_head"  # a household has one head
    SAME = "same"
    SIGNED_ELSEWHERE = "signed_elsewhere"
    STATUS = "status"
    TOO_LONG = "too_long"
    TOO_OLD = "too_old"
    TOO_SHORT = "too_short"
    TYPE = "type"
    UNKNOWN = "unknown"
    UNKNOWN_COLUMN = "unknown_column"
    UNKNOWN_REFERENCE = "unknown_reference"
    UNKNOWN_ROLE = "unknown_role"
    UNKNOWN_SETTING = "unknown_setting"
    UNREADABLE = "unreadable"
    XLSX = "xlsx"
    # chronic-disease care (clinic_app.chronic, chronic_records)
    ENDED = "ended"  # the management of the disease ended already
    ICD_FORMAT = "icd_format"
    ICD_INVALID = "icd_invalid"  # a code that does not exist (I14)
    MIN_AGE = "min_age"  # under 35 on the day confirmed
    NONE_ALONE = "none_alone"  # the symptom "none" with a symptom
    NOT_DIABETES = "not_diabetes"
    NOT_HYPERTENSION = "not_hypertension"
    NOT_REGISTERED = "not_registered"
    NOT_TYPE_2_DIABETES = "not_type_2_diabetes"
    NUMBER = "number"
    PRECISION = "precision"
    SAME_PATIENT = "same_patient"
    SBP_ABOVE_DBP = "sbp_above_dbp"
    SECONDARY_HYPERTENSION = "secondary_hypertension"  # I15: refer, not enrolled
    SUPERSEDED = "superseded"  # a follow-up corrected already
    TYPE_1_DIABETES = "type_1_diabetes"
    # long-term prescriptions (clinic_app.prescriptions, rx_records, catalog); excluded_<flag> for each RULES §6 class
    ASSESSMENT_REQUIRED = "assessment_required"
    BEFORE_ISSUE = "before_issue"
    BOX_COUNT = "box_count"  # the codes scanned are not the installment's boxes
    CHARACTERS = "characters"  # a trace code with other than digits and letters
    IN_FORCE = "in_force"  # a prescription for the disease is in force already: change or stop it
    DUPLICATE_CODE = "duplicate_code"  # a trace code sold before (one box, one sale)
    EXCLUDED_NARCOTIC = "excluded_narcotic"
    EXCLUDED_PSYCHOTROPIC_1 = "excluded_psychotropic_1"
    EXCLUDED_TOXIC = "excluded_toxic"
    EXCLUDED_RADIOACTIVE = "excluded_radioactive"
    EXCLUDED_PRECURSOR = "excluded_precursor"
    EXCLUDED_ANTIMICROBIAL = "excluded_antimicrobial"
    EXCLUDED_SPECIAL_STORAGE = "excluded_special_storage"
    EXPIRED = "expired"
    ISSUING_RIGHTS = "issuing_rights"
    JOINED = "joined"  # a clinic joined to a county loads no catalog of its own
    NOT_AWAITING = "not_awaiting"
    NOT_STABLE = "not_stable"
    OVER_MAX_DAYS = "over_max_days"
    OVER_PRESCRIPTION = "over_prescription"
    STOPPED = "stopped"
    TOO_EARLY = "too_early"
    TOO_FAR_BACK = "too_far_back"  # a prescription dated further back than the county allows
    UNKNOWN_DRUG = "unknown_drug"
    UNSIGNED = "unsigned"
    WRONG_PRODUCT = "wrong_product"
    # outpatient visits and their settlement (clinic_app.settlement, prices, visits)
    ALLOWED = "allowed"  # a medical type or insurance category outside the allowed ones
    CANCELLED = "cancelled"  # a visit reversed already
    CATALOG = "catalog"  # no drug catalog with prices on the device
    CHRONIC_DIAGNOSIS = "chronic_diagnosis"  # a type-14 visit without a diagnosis of its disease
    NOT_CHRONIC = "not_chronic"  # a disease named for an ordinary visit
    PRICE = "price"  # a drug without a price or category in the catalog
    QUALIFICATION = "qualification"  # type 14 without an approved chronic-outpatient qualification
    QUANTITY = "quantity"
    OTHER_PATIENT = "other_patient"  # a visit paying for another patient's dispensing installment
    OTHER_DISEASE = "other_disease"  # a type-14 visit paying for an installment of another disease
    PAID = "paid"  # a dispensing installment a live visit pays for already
    BEFORE_DIAGNOSIS = "before_diagnosis"  # a chronic-outpatient qualification before the diagnosis


# a code as read from the wire: the member when it is one, else the text (see ``Code``)
AnyCode = Annotated[Code | str, Field(union_mode="left_to_right")]


LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorBody(Model):
    code: AnyCode
    message: str


class ErrorResponse(Model):
    """The body of every failure (4xx and 5xx)."""

    error: ErrorBody


def error_body(code: str, message: str) -> dict[str, Any]:
    """The JSON of an error answer, from the model."""
    return ErrorResponse(error=ErrorBody(code=code, message=message)).model_dump(mode="json")


PRINTABLE = r"^[^\x00-\x1f\x7f]*$"  # no control characters (PostgreSQL refuses NUL in text outright)
ID = r"^[0-9A-Za-z_-]{1,64}$"
ENROLL_CODE_HOURS = 72  # how long an enrollment code is good for, unless the admin says otherwise


# -- a clinic's devices --------------------------------------------------------------------------------------
class EnrollRequest(Model):
    code: str = Field(min_length=4, max_length=64)
    device_name: str = Field(min_length=1, max_length=100)
    app_version: str = Field(min_length=1, max_length=32)
    has_local_data: bool = False  # the device holds records of its own (the clinic's first device)


class EnrollResponse(Model):
    device_id: str
    clinic_id: str  # the county's id of the clinic: the device adopts it
    clinic_code: str
    clinic_name: str
    token: str


class MetaResponse(Model):
    server_time: str
    schema_versions: list[int]
    min_app_version: str
    epoch: str


class Mutation(Model):
    mutation_id: str = Field(min_length=1, max_length=64)
    table: str = Field(min_length=1, max_length=64)
    op: Op
    row_id: str = Field(min_length=1, max_length=64)
    base_version: int = Field(ge=0)
    fields: dict[str, Any] = Field(default_factory=dict)
    user_id: str | None = Field(default=None, max_length=64)
    device_time: str | None = Field(default=None, max_length=40)

    @field_validator("mutation_id", "table", "row_id", "user_id", "device_time", mode="before")
    @classmethod
    def _without_lone_surrogates(cls, value: Any) -> Any:
        """Half of a UTF-16 pair (JSON can carry one; no encoder or database takes it) becomes U+FFFD, the same
        length: the id or name is then refused by its own rule for this mutation only, and can be answered."""
        return LONE_SURROGATE.sub("\ufffd", value) if isinstance(value, str) else value


class PushRequest(Model):
    mutations: list[Mutation] = Field(max_length=MAX_PUSH)


class UserSignInRequest(Model):
    """An online sign-in of a clinic's user, with the device token: for pushing account changes."""

    username: str = Field(min_length=1, max_length=64, pattern=PRINTABLE)
    password: str = Field(min_length=1, max_length=200)


class UserSignInResponse(Model):
    user_id: str
    role: str
    token: str  # sent as X-User-Token with the pushes of this device; bound to the user, the device and the clinic
    expires_at: str


class MutationResult(Model):
    mutation_id: str
    status: Status
    version: int | None = None
    row_id: str | None = None  # set when the server merged the row into another (duplicate resident)
    server_row: dict[str, Any] | None = None
    conflict_id: str | None = None  # a conflict: the id of the conflict row every device of the clinic pulls
    code: AnyCode | None = None
    message: str | None = None


class PushResponse(Model):
    results: list[MutationResult]


class Change(Model):
    table: str
    row_id: str
    op: Op
    version: int
    row: dict[str, Any] = Field(
        description="the row as the server holds it, with its `row_version`: see the `Row_<table>` schemas"
    )


class PullResponse(Model):
    changes: list[Change]
    cursor: str
    has_more: bool


class TableChecksum(Model):
    count: int
    version_sum: int


class ChecksumsResponse(Model):
    tables: dict[str, TableChecksum]


class SnapshotResponse(Model):
    changes: list[Change]
    after: str | None  # the last row id of this page: ask for the next page after it
    has_more: bool


class LookupRequest(Model):
    """In the body, never in the URL: an ID number must not reach an access log. Full-width digits (２０２６) are
    read as the digits they are."""

    id_number: str = Field(min_length=15, max_length=18)
    period: str = Field(min_length=4, max_length=4)


class LookupResponse(Model):
    active_contract: bool
    clinic_code: str | None = None
    clinic_name: str | None = None


class HealthResponse(Model):
    status: str


# -- county accounts and the county/admin API ----------------------------------------------------------------
class LoginRequest(Model):
    username: str = Field(min_length=1, max_length=64, pattern=PRINTABLE)
    password: str = Field(min_length=1, max_length=200)
    device_name: str = Field(default="county console", max_length=100, pattern=PRINTABLE)


class LoginResponse(Model):
    device_id: str
    role: str
    token: str


class ClinicOverview(Model):
    code: str
    name: str
    devices: int
    last_seen_at: str | None
    residents_with_id_number: int
    open_conflicts: int


class ConflictView(Model):
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


class ResolveRequest(Model):
    keep: str = Field(
        pattern="^(server|device|transfer|cancel)$"
    )  # an edit: server/device; a contract: transfer/cancel
    note: str = Field(default="", max_length=500, pattern=PRINTABLE)


class ResolveResponse(Model):
    id: str
    keep: str
    resolved_at: str


class NewClinic(Model):
    code: str = Field(min_length=1, max_length=32, pattern=PRINTABLE)
    name: str = Field(min_length=1, max_length=200, pattern=PRINTABLE)


class NewUser(Model):
    username: str = Field(min_length=1, max_length=64, pattern=PRINTABLE)
    role: str = Field(min_length=1, max_length=32)
    password: str = Field(min_length=1, max_length=200)
    clinic_code: str | None = Field(default=None, max_length=32, pattern=PRINTABLE)


class NewEnrollCode(Model):
    clinic_code: str = Field(min_length=1, max_length=32, pattern=PRINTABLE)
    hours: int = Field(default=ENROLL_CODE_HOURS, ge=1, le=24 * 30)


class EnrollCode(Model):
    code: str
    clinic_code: str
    hours: int


class DeviceView(Model):
    id: str
    name: str
    code: str | None
    created_at: str
    last_seen_at: str | None
    revoked_at: str | None
    app_version: str | None


class CatalogUpload(Model):
    csv: str = Field(min_length=1, max_length=20_000_000)


class CatalogReport(Model):
    rows: int
    changed: int


class PolicyValue(Model):
    key: str = Field(min_length=1, max_length=100)
    value: str = Field(min_length=1, max_length=2000, pattern=PRINTABLE)
    effective_from: str = Field(min_length=10, max_length=10)


class Done(Model):
    ok: bool = True


# -- rows, from the table registry -------------------------------------------------------------------------
_TYPES: dict[str, type] = {"TEXT": str, "INTEGER": int, "BOOLEAN": bool}


def _row_field(column: Column) -> tuple[Any, Any]:
    kind: Any = _TYPES[column.type]
    if column.allowed is not None:
        kind = Literal[column.allowed]
    bounds: dict[str, Any] = {}
    if column.type == "TEXT" and column.allowed is None:
        bounds = {"max_length": column.text_limit}
    elif column.type == "INTEGER":
        bounds = {"ge": column.minimum, "le": column.maximum}
    if column.required:
        return kind, Field(**bounds)
    return kind | None, Field(default=None, **bounds)


@cache
def row_model(table: str) -> type[BaseModel]:
    """The shape of one row of a synced table on the wire (a pulled row, a pushed row's fields, a server row),
    from the registry: its wire columns with their types, bounds and allowed values, and ``row_version``. For
    documentation and for checking a row where that is cheap; the pull feed does not validate row by row."""
    t = REGISTRY.table(table)
    fields: dict[str, Any] = {c.name: _row_field(c) for c in t.wire_columns}
    fields["row_version"] = (int | None, Field(default=None, ge=0))
    model = create_model(f"Row_{table}", __config__=ConfigDict(extra="allow", title=f"Row_{table}"), **fields)
    return model


def row_models() -> dict[str, type[BaseModel]]:
    """Every synced table's row model, by table (registry order)."""
    return {t.name: row_model(t.name) for t in REGISTRY.tables if t.synced}


def _fields(model: type[BaseModel]) -> dict[str, Any]:
    """A model's fields as the annotations of a TypedDict: each with its constraints, optional ones
    ``NotRequired`` (a value the body leaves out stays out: a pulled row is stored with the columns it carries)."""
    out: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        kind: Any = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
        out[name] = kind if info.is_required() else NotRequired[kind]
    return out


def _typed_dict(name: str, fields: dict[str, Any], extra: Literal["allow", "forbid"]) -> Any:
    return with_config(ConfigDict(extra=extra))(TypedDict(name, fields))  # type: ignore[operator]


def _not_synced(table: str) -> str:
    if table in _SYNCED:
        raise ValueError("a synced table: its row must fit the table's row model")
    return table


_SYNCED = frozenset(t.name for t in REGISTRY.tables if t.synced)


@cache
def page_reader(model: type[PullResponse | SnapshotResponse]) -> TypeAdapter[dict[str, Any]]:
    """How a device reads a pull or snapshot page: the body of ``model`` with every row checked against its
    table's row model (``row_model``), in one pass over the JSON, into plain dicts (no model object a row). A
    change of a table that is not synced here (a newer server's) is checked as a ``Change``."""
    known = [
        _typed_dict(
            f"Change_{table}",
            {
                **_fields(Change),
                "table": Literal[table],
                "row": _typed_dict(f"Row_{table}", _fields(row_model(table)), "allow"),
            },
            "forbid",
        )
        for table in sorted(_SYNCED)
    ]
    table: Any = Annotated[str, AfterValidator(_not_synced)]
    other = _typed_dict("Change_other", {**_fields(Change), "table": table}, "forbid")
    by_table: Any = Annotated[Union[tuple(known)], Field(discriminator="table")]  # noqa: UP007
    checked: Any = Annotated[Union[by_table, other], Field(union_mode="left_to_right")]  # noqa: UP007
    return TypeAdapter(
        _typed_dict(f"Checked{model.__name__}", {**_fields(model), "changes": list[checked]}, "forbid")
    )


@cache
def page_envelope(model: type[PullResponse | SnapshotResponse]) -> TypeAdapter[dict[str, Any]]:
    """A page whose rows ``page_reader`` refused, read for its envelope only (cursor, has_more, each change an
    object): the device stores what it can and sets the rest aside (clinic_app.setaside), so that one row no
    device could store never stops a clinic's sync."""
    return TypeAdapter(
        _typed_dict(
            f"Envelope{model.__name__}", {**_fields(model), "changes": list[dict[str, Any]]}, "forbid"
        )
    )


@cache
def _tail_reader(model: type[PullResponse | SnapshotResponse]) -> TypeAdapter[dict[str, Any]]:
    fields = {name: kind for name, kind in _fields(model).items() if name != "changes"}
    return TypeAdapter(_typed_dict(f"Tail{model.__name__}", fields, "forbid"))


def page_tail(model: type[PullResponse | SnapshotResponse], body: bytes) -> dict[str, Any] | None:
    """The envelope of a page (``cursor`` and ``has_more`` of a pull page) read from the end of its body, where
    ``page_json`` writes it after the changes, without reading the changes: a device asks for the next page
    while it checks this one. None when the body does not end so (then the whole page is read first)."""
    first = next(name for name in _fields(model) if name != "changes")
    at = body.rfind(f'],"{first}":'.encode())  # the last one: a row's text may hold the same characters
    if at < 0:
        return None
    try:
        return _tail_reader(model).validate_json(b"{" + body[at + 2 :])
    except ValidationError:
        return None


def row_schemas(ref_template: str) -> dict[str, Any]:
    """The JSON schemas of every row model, by model name, for an OpenAPI document's components."""
    out: dict[str, Any] = {}
    for model in row_models().values():
        schema = model.model_json_schema(ref_template=ref_template)
        out.update(schema.pop("$defs", {}))
        out[model.__name__] = schema
    return out


# -- the pull feed's fast path --------------------------------------------------------------------------------
class StoredChange(Protocol):
    """A row as the server stores it: what a pull or snapshot page is made of."""

    table_name: str
    row_id: str
    version: int
    deleted_at: str | None
    data: str  # the row's JSON object, as written


def changes_json(rows: Iterable[StoredChange]) -> list[str]:
    """Each row as the JSON of a ``Change``, from the row's JSON as stored: it goes out as it was written, with
    its version put in, never parsed and serialised again — a new device's first sync reads every row of its
    clinic once. The same JSON as ``Change(...).model_dump_json()`` (tests/server/test_protocol.py)."""
    return changes_json_of((r.table_name, r.row_id, r.version, r.deleted_at, r.data) for r in rows)


def changes_json_of(rows: Iterable[tuple[str, str, int, str | None, str]]) -> list[str]:
    """``changes_json`` of plain tuples (table, row id, version, deleted_at, data), in this order: the columns
    the server selects for a page (``sync.server.pull``), without an object a row. A few microseconds a row: a
    new device's first sync is ~130 pages of 1,000."""
    out: list[str] = []
    add = out.append
    safe = _PLAIN_TEXT.fullmatch
    for table, row_id, version, deleted_at, data in rows:
        v = str(int(version))
        rid = f'"{row_id}"' if safe(row_id) else json.dumps(row_id)  # an id is plain text (contract.check_id)
        end = "}}" if data == "{}" else f",{data[1:]}}}"
        add(
            f'{{"table":{_quoted(table)},"row_id":{rid},"op":{_DELETE if deleted_at else _UPSERT},'
            f'"version":{v},"row":{{"row_version":{v}{end}'
        )
    return out


_PLAIN_TEXT = re.compile(r"[0-9A-Za-z_.:-]*")  # text that is its own JSON string inside quotes
_EMPTY_CHANGES = '{"changes":[]'
_UPSERT, _DELETE = json.dumps(Op.UPSERT.value), json.dumps(Op.DELETE.value)
_quoted = cache(json.dumps)  # table names: a handful


def page_json(model: type[PullResponse | SnapshotResponse], changes: list[str], **envelope: Any) -> str:
    """A pull or snapshot page as JSON: the envelope from the model (validated), its ``changes`` the
    ``changes_json`` texts as they are."""
    head = model.model_validate({"changes": [], **envelope}).model_dump_json()
    assert head.startswith(_EMPTY_CHANGES), head  # the first field of both models
    tail = head[len(_EMPTY_CHANGES) :]
    return f"{_EMPTY_CHANGES[:-1]}{','.join(changes)}]{tail}"


def parse_version(text: str) -> tuple[int, ...]:
    """``1.2.3`` -> (1, 2, 3); raises ValueError on anything else."""
    parts = text.strip().split(".")
    if not 1 <= len(parts) <= 4 or not all(p.isdigit() and len(p) <= 6 for p in parts):
        raise ValueError(f"not a version: {text!r}")
    return tuple(int(p) for p in parts)
