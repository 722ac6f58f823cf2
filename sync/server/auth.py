"""The bearer token every authenticated endpoint takes (checked inside the request's own transaction)."""

from typing import Annotated

from fastapi import Depends, Header

from sync.server.common import ServiceError


async def bearer(authorization: Annotated[str | None, Header()] = None) -> str:
    if not authorization or not authorization.startswith("Bearer ") or len(authorization) > 200:
        raise ServiceError(401, "no_token", "send Authorization: Bearer <device token>")
    return authorization.removeprefix("Bearer ").strip()


Token = Annotated[str, Depends(bearer)]
