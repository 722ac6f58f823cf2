"""The device's sync client (DESIGN §5) on `requests`: enrollment, push of the outbox, pull into the store.

The device token lives in the OS keyring; where there is none, inside the encrypted database (`sync_state`),
which only the database key opens — never in a settings file or a log."""

from __future__ import annotations

import gzip
import json
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from clinic_app import __version__, keystore
from clinic_app.errors import ClinicError
from clinic_app.migrations import SCHEMA_VERSION
from clinic_app.store import Store, utc_now
from clinic_app.syncstate import (
    adopt_clinic,
    apply_pull_page,
    apply_push_results,
    counts,
    get_state,
    next_batch,
    set_state,
)
from sync import protocol as p

TOKEN_SERVICE = "village-clinic-device"
TIMEOUT = (10, 60)  # connect, read
BACKOFF_START, BACKOFF_MAX = 5.0, 900.0


class Offline(ClinicError):
    """The server cannot be reached or failed: nothing is lost, try again later."""

    exit_code = 5


class NeedsSignIn(ClinicError):
    """The server refused the device token (revoked, or never enrolled): enroll again."""

    exit_code = 4


class UpdateRequired(ClinicError):
    """The server speaks a newer protocol: update Village Clinic; work goes on offline."""

    exit_code = 5


@dataclass
class SyncReport:
    pushed: int = 0
    pulled: int = 0
    conflicts: int = 0
    rejected: int = 0
    waiting: int = 0
    started_at: str = field(default_factory=utc_now)

    @property
    def exit_code(self) -> int:
        return 6 if self.conflicts else 0


def _headers(token: str | None = None) -> dict[str, str]:
    h = {p.HEADER_SCHEMA: str(SCHEMA_VERSION), p.HEADER_APP: __version__, "Accept-Encoding": "gzip"}
    if token:
        h["Authorization"] = f"Bearer {token}"
    return h


def save_token(store: Store, token: str) -> str:
    if keystore.keyring_usable():
        import keyring

        keyring.set_password(TOKEN_SERVICE, f"{store.path.resolve()}", token)
        with store._write_lock:
            store.conn.execute("DELETE FROM sync_state WHERE key = 'device_token'")
        return "the OS keyring"
    with store._write_lock:
        set_state(
            store.conn, "device_token", token
        )  # the database is encrypted; there is no other safe place
    return "the encrypted database"


def load_token(store: Store) -> str:
    if keystore.keyring_usable():
        import keyring

        token = keyring.get_password(TOKEN_SERVICE, f"{store.path.resolve()}")
        if token:
            return token
    token = get_state(store.conn, "device_token")
    if not token:
        raise NeedsSignIn("this device is not enrolled with a county server: run `clinic enroll`")
    return token


class Client:
    def __init__(self, store: Store, server_url: str | None = None, ca_bundle: str | None = None) -> None:
        self.store = store
        url = server_url or get_state(store.conn, "server_url")
        if not url:
            raise NeedsSignIn("this device is not enrolled with a county server: run `clinic enroll`")
        self.url = url.rstrip("/")
        self.session = requests.Session()
        bundle = ca_bundle or get_state(store.conn, "ca_bundle") or os.environ.get("CLINIC_CA_BUNDLE")
        self.session.verify = bundle if bundle else True  # TLS always verified; a county CA may be named

    # -- transport ---------------------------------------------------------------------------------
    def _call(
        self, method: str, path: str, token: str | None, extra_headers: dict[str, str] | None = None, **kwargs: Any
    ) -> Any:  # fmt: skip
        try:
            r = self.session.request(
                method,
                self.url + path,
                headers={**_headers(token), **(extra_headers or {})},
                timeout=TIMEOUT,
                **kwargs,
            )
        except requests.RequestException as exc:
            raise Offline(f"the county server cannot be reached ({type(exc).__name__})") from None
        if r.status_code == 426:
            raise UpdateRequired(_message(r) or "update Village Clinic to sync again")
        if r.status_code == 401:
            raise NeedsSignIn(_message(r) or "the county server refused this device: enroll it again")
        if r.status_code >= 500 or r.status_code == 429:
            raise Offline(f"the county server answered {r.status_code}; will try again")
        if r.status_code >= 400:
            raise ClinicError(f"the county server refused the request: {_message(r) or r.status_code}")
        try:
            return r.json()
        except ValueError:
            raise Offline("the county server's answer was cut off; will try again") from None

    # -- enrollment --------------------------------------------------------------------------------
    def enroll(self, code: str, device_name: str) -> dict[str, Any]:
        body = {"code": code.strip().upper(), "device_name": device_name, "app_version": __version__}
        reply = self._call("POST", "/api/v1/enroll", None, json=body)
        adopt_clinic(self.store, reply["clinic_id"], self.url, reply["device_id"], reply["clinic_code"])
        reply["token_stored_in"] = save_token(self.store, reply["token"])
        return dict(reply)

    # -- sync --------------------------------------------------------------------------------------
    def sync(
        self, cancelled: Callable[[], bool] = lambda: False, progress: Callable[[str], None] = lambda _s: None
    ) -> SyncReport:
        report = SyncReport()
        token = load_token(self.store)
        while not cancelled():
            batch = next_batch(self.store.conn, p.MAX_PUSH)
            if not batch:
                break
            progress(f"push {len(batch)}")
            body = json.dumps({"mutations": [e.wire() for e in batch]}, ensure_ascii=False).encode()
            reply = self._call("POST", "/api/v1/push", token, data=gzip.compress(body, 6),
                               extra_headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})  # fmt: skip
            outcome = apply_push_results(self.store, batch, reply["results"])
            report.pushed += outcome.applied
            report.conflicts += outcome.conflicts
            report.rejected += outcome.rejected
            if outcome.applied + outcome.conflicts + outcome.rejected == 0:
                break  # the server answered for none of them: do not loop
        while not cancelled():
            params: dict[str, Any] = {"limit": p.MAX_PULL}
            cursor = get_state(self.store.conn, "cursor")
            if cursor:
                params["cursor"] = cursor
            progress("pull")
            page = self._call("GET", "/api/v1/pull", token, params=params)
            report.pulled += apply_pull_page(self.store, page["changes"], page["cursor"])
            if not page["has_more"]:
                break
        with self.store._write_lock:
            set_state(self.store.conn, "last_sync_at", utc_now())
        c = counts(self.store.conn)
        report.waiting = c["waiting"]
        report.conflicts = c["conflicts"]
        return report


def _message(r: requests.Response) -> str | None:
    try:
        return str(r.json()["error"]["message"])
    except Exception:
        return None


def backoff_delays(rng: random.Random | None = None) -> Any:
    """5 s, 10 s, 20 s … up to 15 min, each with full jitter."""
    rng = rng or random.Random()
    delay = BACKOFF_START
    while True:
        yield rng.uniform(delay / 2, delay)
        delay = min(BACKOFF_MAX, delay * 2)


def sync_with_retries(
    client: Client,
    attempts: int,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[str], None] = lambda _s: None,
) -> SyncReport:
    """Retry timeouts and server failures with exponential backoff; auth and version errors stop at once."""
    delays = backoff_delays()
    for attempt in range(attempts):
        try:
            return client.sync(progress=progress)
        except Offline:
            if attempt == attempts - 1:
                raise
            sleep(next(delays))
    raise Offline("no attempt was made")
