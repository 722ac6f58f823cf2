"""UUIDv7 identifiers (RFC 9562): time-ordered, made on the device; and the time stamps rows carry."""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def uuid7() -> str:
    """A UUIDv7 string; monotonic within this process even inside one millisecond."""
    global _last_ms, _counter
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms <= _last_ms:
            ms = _last_ms
            _counter += 1
            if _counter > 0xFFF:
                ms += 1
                _counter = 0
        else:
            _counter = int.from_bytes(os.urandom(2), "big") & 0x3FF
        _last_ms = ms
        rand_a = _counter
    rand_b = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


REFERENCE_NAMESPACE = uuid.UUID("6f1b0c2e-8d4a-4c1e-9a57-3c0d2b1e7a10")


def reference_id(table: str, natural_key: str) -> str:
    """A stable id for a county reference row (a drug, a package, a policy value), the same on the server and
    in a demo database, so that loading the same data again updates in place."""
    return str(uuid.uuid5(REFERENCE_NAMESPACE, f"{table}:{natural_key}"))


def utc_now() -> str:
    """Now in UTC as rows store it: ISO 8601 to the millisecond, ``Z``."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
