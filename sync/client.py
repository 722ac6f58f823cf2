"""The device's sync client (DESIGN §5) on `requests`: enrollment, push of the outbox, pull into the store.

The device token lives in the OS keyring; where there is none, inside the encrypted database (`sync_state`),
which only the database key opens — never in a settings file or a log."""

from __future__ import annotations

import gzip
import logging
import os
import queue
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import requests
from pydantic import BaseModel
from pydantic import ValidationError as PydanticError

from clinic_app import __version__, keystore
from clinic_app.errors import ClinicError
from clinic_app.heap import collector_skips_the_heap_as_it_is
from clinic_app.migrations import SCHEMA_VERSION
from clinic_app.setaside import CheckedChanges
from clinic_app.store import Store, utc_now
from clinic_app.syncstate import (
    ACCOUNTS_WAITING,
    OutboxEntry,
    adopt_clinic,
    apply_pull_pages,
    apply_push_results,
    apply_snapshot_page,
    counts,
    get_state,
    local_checksums,
    next_batch,
    set_state,
    tables_with_pending_changes,
)
from sync import protocol as p

M = TypeVar("M", bound=BaseModel)
R = TypeVar("R")

log = logging.getLogger(__name__)
TOKEN_SERVICE = "village-clinic-device"
TIMEOUT = (10, 60)  # connect, read
PULL_BATCH_ROWS = 30_000  # pulled pages stored in one transaction (a commit re-encrypts the pages it touches)
BACKOFF_START, BACKOFF_MAX = 5.0, 900.0


class Offline(ClinicError):
    """The server cannot be reached or failed: nothing is lost, try again later."""

    exit_code = 5


class Throttled(Offline):
    """The server asked to wait (429): this device or clinic asked too often (``lookup_throttled``), or too many
    attempts failed (``throttled``). ``retry_after``: the seconds it named (0 when it named none)."""

    def __init__(self, message: str, code: p.Code | str = "", retry_after: int = 0) -> None:
        super().__init__(message)
        self.code, self.retry_after = code, retry_after


class NeedsSignIn(ClinicError):
    """The server refused the device token (revoked, or never enrolled): enroll again."""

    exit_code = 4


class UpdateRequired(ClinicError):
    """The server speaks a newer protocol: update Village Clinic; work goes on offline."""

    exit_code = 5


class Refused(ClinicError):
    """The server refused the request for a reason a person must fix (its message says which)."""

    exit_code = 3

    def __init__(self, message: str, code: p.Code | str = "") -> None:
        super().__init__(message)
        self.code = code  # a member of p.Code when the server's code is one


@dataclass
class SyncReport:
    pushed: int = 0
    pulled: int = 0
    conflicts: int = 0
    rejected: int = 0
    waiting: int = 0
    started_at: str = field(default_factory=utc_now)
    integrity: str = ""  # what the per-table comparison with the server found (and re-read)
    accounts_waiting: int = 0  # account changes kept for a clinic administrator's online sign-in
    refused: int = 0  # changes of this device the server refused, waiting for a person (not only this run's)
    set_aside: int = 0  # rows from the county this device could not store (clinic_app.setaside)

    @property
    def exit_code(self) -> int:
        """client_cli.SYNC_EXIT_CODES: a refused change (7) before conflicts (6) before rows set aside (8)
        before account changes waiting for a sign-in (9)."""
        if self.refused:
            return 7
        if self.conflicts:
            return 6
        if self.set_aside:
            return 8
        return ACCOUNTS_WAIT_EXIT if self.accounts_waiting else 0


ACCOUNTS_WAIT_EXIT = (
    9  # `clinic sync`: synced, but account changes wait for an administrator's online sign-in
)


def _headers(token: str | None = None) -> dict[str, str]:
    h = {p.HEADER_SCHEMA: str(SCHEMA_VERSION), p.HEADER_APP: __version__, "Accept-Encoding": "gzip"}
    if token:
        h["Authorization"] = f"Bearer {token}"
    return h


def save_token(store: Store, token: str) -> str:
    if keystore.keyring_usable():
        import keyring

        keyring.set_password(TOKEN_SERVICE, f"{store.path.resolve()}", token)
        with store.transaction():
            store.conn.execute("DELETE FROM sync_state WHERE key = 'device_token'")
        return "the OS keyring"
    with store.transaction():
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
        if server_url is not None and not server_url.startswith(("https://", "http://")):
            from clinic_app.errors import ValidationError

            raise ValidationError("server", "format", "the server address starts with https://")
        self.ca_bundle = ca_bundle  # named for this enrollment: kept with the database once it succeeds
        url = server_url or get_state(store.conn, "server_url")
        if not url:
            raise NeedsSignIn("this device is not enrolled with a county server: run `clinic enroll`")
        self.url = url.rstrip("/")
        self.session = requests.Session()
        bundle = ca_bundle or get_state(store.conn, "ca_bundle") or os.environ.get("CLINIC_CA_BUNDLE")
        self.session.verify = bundle if bundle else True  # TLS always verified; a county CA may be named
        self.user_token: str | None = (
            None  # an online sign-in (``sign_in``), sent with pushes: account changes
        )

    # -- transport ---------------------------------------------------------------------------------
    def _call(
        self,
        method: str,
        path: str,
        token: str | None,
        extra_headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> bytes:
        """The body of the server's answer, once its status says it is one."""
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
        if r.status_code == 429:
            wait = r.headers.get("Retry-After", "")
            raise Throttled(
                _message(r) or "the county server asks to wait",
                _code(r),
                int(wait) if wait.isascii() and wait.isdigit() else 0,
            )
        if r.status_code >= 500:
            raise Offline(f"the county server answered {r.status_code}; will try again")
        if r.status_code >= 400:
            raise Refused(_message(r) or f"the county server refused the request ({r.status_code})", _code(r))
        return bytes(r.content)

    def _answer(self, model: type[M], method: str, path: str, token: str | None, **kwargs: Any) -> M:
        """The server's answer read straight from the body by the protocol's model."""
        return _read(
            model.__name__, model.model_validate_json, self._call(method, path, token, **kwargs), path
        )

    def _page(
        self, model: type[p.PullResponse | p.SnapshotResponse], path: str, token: str, params: dict[str, Any]
    ) -> dict[str, Any]:
        """A pull or snapshot page with every row checked against its table's row model (``p.page_reader``),
        as plain dicts. A page whose envelope does not fit is not stored and is asked for again at the next sync;
        one whose rows do not all fit their models is stored row by row, and those rows are set aside."""
        return self._read_page(model, path, self._call("GET", path, token, params=params))

    def _read_page(
        self, model: type[p.PullResponse | p.SnapshotResponse], path: str, body: bytes
    ) -> dict[str, Any]:
        """``_page`` of a body fetched already."""
        try:
            page = p.page_reader(model).validate_json(body)
        except PydanticError as exc:
            where, message = _misfit(exc)
            log.warning(
                "%s: a row does not fit its model (%s: %s): the rows that cannot be stored are set aside",
                path,
                where,
                message,
            )
        else:  # every row fits its table's row model: the apply step need not check them again
            page["changes"] = CheckedChanges(page["changes"])
            return page
        # the page itself is sound: what it holds is stored, or set aside row by row (never the whole page)
        return _read(model.__name__, p.page_envelope(model).validate_json, body, path)

    # -- enrollment --------------------------------------------------------------------------------
    def enroll(self, code: str, device_name: str) -> dict[str, Any]:
        has_data = self.store.conn.execute(
            "SELECT EXISTS(SELECT 1 FROM resident) OR EXISTS(SELECT 1 FROM village) OR "
            '(SELECT count(*) FROM "user") > 0'
        ).fetchone()[0]
        body = p.EnrollRequest(
            code=code.strip().upper(),
            device_name=device_name,
            app_version=__version__,
            has_local_data=bool(has_data),
        )
        enrolled = self._answer(p.EnrollResponse, "POST", "/api/v1/enroll", None, json=body.model_dump())
        reply: dict[str, Any] = enrolled.model_dump()
        if self.ca_bundle:
            with self.store.transaction():
                set_state(self.store.conn, "ca_bundle", str(Path(self.ca_bundle).resolve()))
        adopt_clinic(self.store, reply["clinic_id"], self.url, reply["device_id"], reply["clinic_code"])
        reply["token_stored_in"] = save_token(self.store, reply["token"])
        return dict(reply)

    # -- a user's online sign-in ----------------------------------------------------------------
    def sign_in(self, username: str, password: str) -> p.UserSignInResponse:
        """Sign a clinic user in with the county (the county's copy of the account): the short-lived token it
        gives goes with this client's pushes, so that account changes this user may make take effect."""
        body = p.UserSignInRequest(username=username, password=password)
        try:
            answer = self._answer(
                p.UserSignInResponse,
                "POST",
                "/api/v1/users/signin",
                load_token(self.store),
                json=body.model_dump(),
            )
        except NeedsSignIn as exc:  # a 401 here is about the person's password unless the device was refused
            if "password" in str(exc):
                raise Refused(str(exc), p.Code.BAD_CREDENTIALS) from None
            raise
        self.user_token = answer.token
        return answer

    # -- sync --------------------------------------------------------------------------------------
    def sync(
        self,
        cancelled: Callable[[], bool] = lambda: False,
        progress: Callable[[str], None] = lambda _s: None,
        report: SyncReport | None = None,
    ) -> SyncReport:
        """Push the outbox, pull to the head, compare per-table checksums. ``report`` fills in as it goes (a
        window shows it while the sync runs); ``cancelled`` is asked between batches and pages."""
        # the rows a sync makes trigger full passes of the garbage collector: without this each scanned the
        # whole heap holding the GIL (183 ms once, 0.53 s in all of the benchmark's initial sync)
        with collector_skips_the_heap_as_it_is():
            return self._sync(cancelled, progress, report or SyncReport())

    def _sync(
        self, cancelled: Callable[[], bool], progress: Callable[[str], None], report: SyncReport
    ) -> SyncReport:
        token = load_token(self.store)
        held = Held()
        headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
        if self.user_token:
            headers[p.HEADER_USER_TOKEN] = self.user_token
        while not cancelled():
            batch = [e for e in next_batch(self.store.conn, p.MAX_PUSH) if not held.holds(e)]
            if not batch:
                break
            progress(f"push {len(batch)}")
            body = _push_body(batch)
            answer = self._answer(
                p.PushResponse,
                "POST",
                "/api/v1/push",
                token,
                data=gzip.compress(body, 6),
                extra_headers=headers,
            )
            results = held.keep([r.model_dump(mode="json", exclude_none=True) for r in answer.results], batch)
            report.accounts_waiting = len(held.mutations)
            outcome = apply_push_results(self.store, batch, results)
            report.pushed += outcome.applied
            report.conflicts += outcome.conflicts
            report.rejected += outcome.rejected
            if outcome.applied + outcome.conflicts + outcome.rejected == 0:
                break  # the server answered for none of them: do not loop
        if not cancelled():
            self._pull(token, cancelled, progress, report)
        if not cancelled():
            progress("check")
            report.integrity = self.check_integrity(token, cancelled)
            with self.store.transaction():
                set_state(self.store.conn, "last_sync_at", utc_now())
                set_state(self.store.conn, ACCOUNTS_WAITING, str(report.accounts_waiting or "") or None)
        c = counts(self.store.conn)
        report.waiting = c["waiting"]
        report.conflicts = c["conflicts"]
        report.refused, report.set_aside = c["rejected"], c["set_aside"]
        return report

    def _pull(
        self, token: str, cancelled: Callable[[], bool], progress: Callable[[str], None], report: SyncReport
    ) -> None:
        """Pages to the head. A second thread asks for page after page (each names the next one's cursor, read
        from the end of its body: ``p.page_tail``), at most a third of a batch ahead, while this one checks each
        against the row models and stores them: the server and the network work while the device checks and
        the database writes. Pages are stored in batches of about ``PULL_BATCH_ROWS`` rows, each batch with its
        last page's cursor in one transaction, so what is stored and the cursor always move together; pages
        fetched and never stored are simply asked for again.

        Checking on a third thread was tried and left: SQLite gives the interpreter back at every row it writes,
        a checking thread takes it each time and keeps it up to the switch interval, so the storing thread waited
        about as long as the checks took (on a busy machine longer)."""
        path = "/api/v1/pull"
        # a page checked already, or a body with the envelope read from its end (checked where it is stored)
        ahead: queue.Queue[dict[str, Any] | tuple[bytes, dict[str, Any]] | Exception] = queue.Queue(
            maxsize=max(1, PULL_BATCH_ROWS // p.MAX_PULL // 3)
        )
        stop = threading.Event()

        def fetch(cursor: str | None) -> None:
            while not stop.is_set():
                params: dict[str, Any] = {"limit": p.MAX_PULL, **({"cursor": cursor} if cursor else {})}
                got: dict[str, Any] | tuple[bytes, dict[str, Any]]
                try:
                    body = self._call("GET", path, token, params=params)
                    told = p.page_tail(p.PullResponse, body)
                    if told is None:  # a body that does not end as the protocol writes it: read whole here
                        got = told = self._read_page(p.PullResponse, path, body)
                    else:
                        got = (body, told)
                except Exception as exc:  # raised where the page was due
                    ahead.put(exc)
                    return
                ahead.put(got)
                if not told["has_more"] or cancelled():
                    return
                cursor = told["cursor"]

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pull-ahead") as pool:
            pool.submit(fetch, get_state(self.store.conn, "cursor"))
            try:
                batch: list[tuple[list[dict[str, Any]], str]] = []
                rows = 0
                while True:
                    got = ahead.get()
                    if isinstance(got, Exception):
                        raise got
                    if isinstance(got, dict):
                        page = got
                    else:  # checked here, every row against its table's row model
                        body, told = got
                        page = self._read_page(p.PullResponse, path, body)
                        if (page["cursor"], page["has_more"]) != (told["cursor"], told["has_more"]):
                            # not with the protocol's own bodies: the next page was asked for with that cursor
                            raise Offline(
                                f"the county server's answer to {path} was not understood; will try again"
                            )
                    more = page["has_more"] and not cancelled()
                    progress("pull")
                    batch.append((page["changes"], page["cursor"]))
                    rows += len(page["changes"])
                    if (
                        rows >= PULL_BATCH_ROWS or not more
                    ):  # several pages and the last cursor in one transaction
                        report.pulled += apply_pull_pages(self.store, batch)
                        batch, rows = [], 0
                    if not more:
                        return
            finally:  # the fetching thread ends after its request in flight: room for that page is made here
                stop.set()
                while not ahead.empty():
                    ahead.get_nowait()

    def lookup(self, id_number: str, period: str) -> dict[str, Any]:
        """The county's audited answer: does this person hold an active contract for the period, and where."""
        body = p.LookupRequest.model_construct(id_number=id_number, period=period)  # the server checks it
        found = self._answer(
            p.LookupResponse,
            "POST",
            "/api/v1/residents/lookup",
            load_token(self.store),
            json=body.model_dump(),
        )
        return found.model_dump()

    def check_integrity(self, token: str, cancelled: Callable[[], bool] = lambda: False) -> str:
        """Compare each table with the server (row count, sum of versions); a table that disagrees is re-read
        from the server alone and compared again. Tables with changes still waiting here are not compared:
        the server cannot agree with them yet."""
        answer = self._answer(p.ChecksumsResponse, "GET", "/api/v1/checksums", token)
        theirs = {table: sums.model_dump() for table, sums in answer.tables.items()}
        pending = tables_with_pending_changes(self.store.conn)
        mine = local_checksums(self.store.conn)
        empty = {"count": 0, "version_sum": 0}
        differ = [t for t in mine if t not in pending and mine[t] != theirs.get(t, empty)]
        if not differ:
            skipped = f"; not compared while changes wait: {', '.join(sorted(pending))}" if pending else ""
            return f"ok ({len(mine) - len(pending)} tables){skipped}"
        notes = []
        for table in differ:
            if cancelled():
                break
            fetched = self.resync_table(token, table)
            after = local_checksums(self.store.conn)[table]
            state = "now equal" if after == theirs.get(table, empty) else "still differs"
            note = (
                f"{table}: {mine[table]['count']} rows here, {theirs.get(table, empty)['count']} on the server; "
                f"re-read, {fetched} rows stored, {state}"
            )
            log.warning("integrity check: %s", note)
            notes.append(note)
        return "; ".join(notes)

    def resync_table(self, token: str, table: str) -> int:
        stored, after = 0, None
        while True:
            params: dict[str, Any] = {"table": table, "limit": p.MAX_PULL}
            if after:
                params["after"] = after
            page = self._page(p.SnapshotResponse, "/api/v1/snapshot", token, params)
            stored += apply_snapshot_page(self.store, table, page["changes"])
            after = page["after"]
            if not page["has_more"]:
                return stored


@dataclass
class Held:
    """Account changes the server keeps waiting for an online sign-in (``account_sign_in``), during one sync: they
    stay in the outbox as they are (not refused), and so do the entries that name such an account."""

    mutations: set[str] = field(default_factory=set)
    accounts: set[str] = field(default_factory=set)

    def holds(self, entry: OutboxEntry) -> bool:
        if entry.mutation_id in self.mutations:
            return True
        named = {entry.user_id, entry.row_id if entry.table == "user" else None}
        named |= {v for v in entry.payload.values() if isinstance(v, str)}
        return bool(named & self.accounts)

    def keep(self, results: list[dict[str, Any]], batch: list[OutboxEntry]) -> list[dict[str, Any]]:
        """The results that change the outbox; the waiting ones are noted and left out."""
        by_id = {e.mutation_id: e for e in batch}
        kept = []
        for r in results:
            entry = by_id.get(r.get("mutation_id", ""))
            if (
                entry is not None
                and r.get("status") == p.Status.REJECTED
                and r.get("code") == p.Code.ACCOUNT_SIGN_IN
            ):
                self.mutations.add(entry.mutation_id)
                if entry.table == "user":
                    self.accounts.add(entry.row_id)
            else:
                kept.append(r)
        return kept


def _misfit(exc: PydanticError) -> tuple[str, str]:
    """Where an answer does not fit its model, and why; an answer cut off is Offline (asked again)."""
    if exc.errors()[0]["type"] == "json_invalid":
        raise Offline("the county server's answer was cut off; will try again") from None
    # the deepest error names the field (a row's column, say; a union's other branches stop higher up)
    first = max(exc.errors(), key=lambda e: len(e["loc"]))
    where = ".".join(str(x) for x in first["loc"] if not str(x).startswith(("tagged-union[", "Change_other")))
    return where, str(first["msg"])


def _read(name: str, validate: Callable[[bytes], R], body: bytes, path: str) -> R:
    try:
        return validate(body)
    except PydanticError as exc:
        where, message = _misfit(exc)
        log.warning("%s: the answer does not fit %s: %s: %s", path, name, where, message)
        raise Offline(
            f"the county server's answer to {path} was not understood ({where}); will try again"
        ) from None


def _error(r: requests.Response) -> p.ErrorBody | None:
    try:
        return p.ErrorResponse.model_validate_json(r.content).error
    except (PydanticError, ValueError):
        return None  # not the protocol's error body (a proxy's page, say)


def _code(r: requests.Response) -> p.Code | str:
    error = _error(r)
    return error.code if error is not None else ""


def _message(r: requests.Response) -> str | None:
    error = _error(r)
    return error.message if error is not None else None


def _push_body(batch: list[OutboxEntry]) -> bytes:
    """The push request of outbox entries, built with the protocol's model."""
    try:
        body = p.PushRequest(mutations=[p.Mutation.model_validate(e.wire()) for e in batch])
    except PydanticError as exc:
        first = exc.errors()[0]
        raise Refused(
            f"an outbox entry cannot be sent: {'.'.join(map(str, first['loc']))}: {first['msg']}",
            p.Code.INVALID_REQUEST,
        ) from None
    return body.model_dump_json().encode()


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
    report: SyncReport | None = None,
) -> SyncReport:
    """Retry timeouts and server failures with exponential backoff; auth and version errors stop at once."""
    delays = backoff_delays()
    for attempt in range(attempts):
        try:
            return client.sync(progress=progress, report=report)
        except Offline:
            if attempt == attempts - 1:
                raise
            sleep(next(delays))
    raise Offline("no attempt was made")


# -- history ------------------------------------------------------------------------------------------------
HISTORY_KEPT = 500


def outcome_of(error: BaseException | None, report: SyncReport, cancelled: bool = False) -> str:
    if isinstance(error, NeedsSignIn):
        return "needs_sign_in"
    if isinstance(error, UpdateRequired):
        return "update_required"
    if isinstance(error, Offline):
        return "offline"
    if error is not None:
        return "error"
    if cancelled:
        return "cancelled"
    return "conflicts" if report.conflicts else "ok"


def record_run(store: Store, trigger: str, report: SyncReport, outcome: str, message: str = "") -> None:
    with store.transaction():
        store.conn.execute(
            "INSERT INTO sync_run(started_at, finished_at, trigger, outcome, pushed, pulled, conflicts, rejected, "
            "message, integrity) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                report.started_at,
                utc_now(),
                trigger,
                outcome,
                report.pushed,
                report.pulled,
                report.conflicts,
                report.rejected,
                message[:1000] or None,
                report.integrity or None,
            ),
        )
        store.conn.execute(
            "DELETE FROM sync_run WHERE id <= (SELECT max(id) FROM sync_run) - ?", (HISTORY_KEPT,)
        )


def recorded(
    store: Store,
    trigger: str,
    work: Callable[[SyncReport], SyncReport],
    cancelled: Callable[[], bool] = lambda: False,
) -> SyncReport:
    """Run ``work`` and keep the run in the history whatever happens (the error goes on up)."""
    report = SyncReport()
    try:
        report = work(report)
    except BaseException as exc:
        record_run(store, trigger, report, outcome_of(exc, report), str(exc))
        raise
    record_run(store, trigger, report, outcome_of(None, report, cancelled()))
    return report


# -- a new device ---------------------------------------------------------------------------------------
def enroll_new_device(
    db_path: Path,
    key_file: str | None,
    server: str,
    code: str,
    device_name: str,
    ca_bundle: str | None = None,
    progress: Callable[[str], None] = lambda _s: None,
    report: SyncReport | None = None,
) -> tuple[Store, dict[str, Any], SyncReport]:
    """A device of an existing clinic, set up from the county alone: a new database, enrollment, the first sync
    (the clinic's users, residents and everything else). Anything failing leaves no database behind."""
    if not server.startswith(("https://", "http://")):  # checked before a database is made for it
        from clinic_app.errors import ValidationError

        raise ValidationError("server", "format", "the server address starts with https://")
    if db_path.exists():
        from clinic_app.errors import StoreError

        raise StoreError(f"{db_path} exists already; enroll it with `clinic enroll --db {db_path}`")
    key_path = Path(key_file or os.environ.get("CLINIC_KEY_FILE") or "")
    new_key_file = bool(key_file or os.environ.get("CLINIC_KEY_FILE")) and not key_path.exists()
    store, _where = Store.initialise(db_path, "ENROLLING", "enrolling", key_file=key_file)
    try:
        client = Client(store, server, ca_bundle)
        reply = client.enroll(code, device_name)
        report = recorded(store, "enroll", lambda r: client.sync(progress=progress, report=report or r))
    except BaseException:
        store.close()
        for suffix in ("", "-wal", "-shm", keystore.KEY_CHECK_SUFFIX):
            Path(str(db_path) + suffix).unlink(missing_ok=True)
        if new_key_file:
            key_path.unlink(missing_ok=True)
        else:
            keystore.forget_key(db_path)
        raise
    return store, reply, report
