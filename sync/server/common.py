"""What every part of the county server shares: its expected failure, who is calling, the scopes of versions."""

from __future__ import annotations

from dataclasses import dataclass

COUNTY_SCOPE = "county"  # the scope of county reference data (drugs, packages, policy)


def clinic_scope(clinic_id: str) -> str:
    return f"clinic:{clinic_id}"


class ServiceError(Exception):
    """An expected failure with an HTTP status, a machine code and a message for people."""

    def __init__(self, status: int, code: str, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.retry_after = retry_after  # seconds, sent as Retry-After (a 429)


@dataclass(frozen=True)
class Caller:
    device_id: str
    clinic_id: str | None  # None for a county token
    role: str  # "device" or a county role
    username: str | None = None  # a county account's name

    @property
    def scope(self) -> str:
        return clinic_scope(str(self.clinic_id))
