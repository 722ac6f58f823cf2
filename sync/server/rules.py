"""The record store the county server runs on, with its rules registered: built once by the app (and by each
CLI command), never filled in by importing a module."""

from __future__ import annotations

from typing import Any

from clinic_app.chronic import followup_row_problems
from clinic_app.errors import ValidationError
from clinic_app.registry import REGISTRY
from clinic_app.residents import check_resident_fields, resident_input
from clinic_app.users import ROLES, check_hash_format
from sync.server.chronic_index import FollowupIndex, RegistrationIndex
from sync.server.dependants import DependantMerge
from sync.server.one_team import OneTeamRule
from sync.server.records import CountyRule, RecordStore
from sync.server.resident_merge import ResidentMerge
from sync.server.trace_codes import TraceCodeRule
from sync.server.visit_cap import CountyCapRule, VisitCancelIndex


class ResidentFields(CountyRule):
    """A resident row passes the same field rules as on the device (clinic_app.residents)."""

    table = "resident"

    def check_row(self, data: dict[str, Any], problems: list[ValidationError]) -> list[ValidationError]:
        clean_row, errors = check_resident_fields(resident_input(data))
        if not errors and data.get("id_number") != clean_row.get("id_number"):
            errors.append(
                ValidationError("id_number", "not_normalized", "send the ID number as the device stores it")
            )
        return errors + [p for p in problems if p.field not in {e.field for e in errors}]


class UserFields(CountyRule):
    """A clinic account pushed by a device: a clinic role and a scrypt hash (clinic_app.users)."""

    table = "user"

    def check_row(self, data: dict[str, Any], problems: list[ValidationError]) -> list[ValidationError]:
        problems = list(problems)
        if data.get("role") and data["role"] not in ROLES:
            problems.append(ValidationError("role", "unknown_role", f"{data['role']!r} is not a clinic role"))
        if (
            data.get("password_hash") is not None
            and (bad := check_hash_format(data["password_hash"])) is not None
        ):
            problems.append(bad)  # the device's own bounds: a hash every device can check at sign-in, quickly
        return problems


class FollowupFields(CountyRule):
    """A follow-up pushed by a device holds what the form lets through: plausible readings, SBP above DBP, the
    disease's symptoms (clinic_app.chronic)."""

    table = "followup"

    def check_row(self, data: dict[str, Any], problems: list[ValidationError]) -> list[ValidationError]:
        found = followup_row_problems(data)
        return found + [p for p in problems if p.field not in {e.field for e in found}]


def county_records() -> RecordStore:
    records = RecordStore()
    records.register(ResidentFields())
    records.register(FollowupFields())
    records.register(ResidentMerge())
    records.register(UserFields())
    records.register(OneTeamRule())
    records.register(RegistrationIndex())
    records.register(FollowupIndex())
    records.register(TraceCodeRule())
    records.register(CountyCapRule())
    records.register(VisitCancelIndex())
    for name, (table, key) in REGISTRY.dependant_keys.items():  # rows keyed by a merged row merge with it
        records.register(DependantMerge(name, table, key))
    merging = REGISTRY.merged_tables | {table for table, _ in REGISTRY.dependant_keys.values()}
    if records.merged_tables() != merging:  # the registry says which tables merge; a rule does it
        raise RuntimeError(
            f"merge rules for {sorted(records.merged_tables())}, the registry merges {sorted(merging)}"
        )
    return records
