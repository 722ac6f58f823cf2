"""Sync protocol v1: the wire types both sides share (DESIGN §5). Field names are the contract."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from clinic_app.migrations import SCHEMA_VERSION
from clinic_app.registry import REGISTRY

PROTOCOL_VERSION = 1
SCHEMA_VERSIONS = (SCHEMA_VERSION, SCHEMA_VERSION)  # device schemas (PRAGMA user_version) this server accepts
MIN_APP_VERSION = "0.1.0"
MAX_PUSH = 500
MAX_PULL = 1000
HEADER_SCHEMA = "X-Schema-Version"
HEADER_APP = "X-App-Version"

# The table lists of the wire, from the table registry (clinic_app.registry): tables a clinic device may write,
# which of them are append-only events, rows the server makes and a device only resolves (its resolution fields
# alone), and county reference data (pulled by every device, written only by the county).
CLINIC_TABLES = REGISTRY.pushed_tables
SERVER_MADE_TABLES = REGISTRY.server_made_tables
CONFLICT_RESOLUTION_FIELDS = REGISTRY.table("conflict").device_fields
APPEND_ONLY_TABLES = REGISTRY.append_only_tables
REFERENCE_TABLES = REGISTRY.reference_tables


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorBody(Model):
    code: str
    message: str


class ErrorResponse(Model):
    error: ErrorBody


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
    op: Literal["upsert", "delete"]
    row_id: str = Field(min_length=1, max_length=64)
    base_version: int = Field(ge=0)
    fields: dict[str, Any] = Field(default_factory=dict)
    user_id: str | None = Field(default=None, max_length=64)
    device_time: str | None = Field(default=None, max_length=40)


class PushRequest(Model):
    mutations: list[Mutation] = Field(max_length=MAX_PUSH)


class MutationResult(Model):
    mutation_id: str
    status: Literal["applied", "duplicate", "conflict", "rejected"]
    version: int | None = None
    row_id: str | None = None  # set when the server merged the row into another (duplicate resident)
    server_row: dict[str, Any] | None = None
    conflict_id: str | None = None  # a conflict: the id of the conflict row every device of the clinic pulls
    code: str | None = None
    message: str | None = None


class PushResponse(Model):
    results: list[MutationResult]


class Change(Model):
    table: str
    row_id: str
    op: Literal["upsert", "delete"]
    version: int
    row: dict[str, Any]


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


class LookupResponse(Model):
    active_contract: bool
    clinic_code: str | None = None
    clinic_name: str | None = None


class HealthResponse(Model):
    status: str


def parse_version(text: str) -> tuple[int, ...]:
    """``1.2.3`` -> (1, 2, 3); raises ValueError on anything else."""
    parts = text.strip().split(".")
    if not 1 <= len(parts) <= 4 or not all(p.isdigit() and len(p) <= 6 for p in parts):
        raise ValueError(f"not a version: {text!r}")
    return tuple(int(p) for p in parts)
