"""Times are stored in UTC (ISO 8601, ``Z``); people read them in the computer's own time zone."""

from __future__ import annotations

import datetime as dt


def local_time(stamp: str | None, seconds: bool = False) -> str:
    if not stamp:
        return ""
    try:
        moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
