"""How a device reads the pull feed (sync/client.py, sync/protocol.py ``page_reader``): every row of a page checked
against its table's row model in one pass, exactly as the models would judge it; a page that does not fit stores
nothing of its batch; pages fetched ahead at most a batch, stored in server order, each batch with its cursor."""

from __future__ import annotations

import gzip
import json
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError as PydanticError

from clinic_app.registry import MAX_TEXT, REGISTRY, Column
from clinic_app.store import Store
from clinic_app.syncstate import adopt_clinic, get_state
from sync import client as sync_client
from sync import protocol as p
from sync.client import Client, Offline, save_token

SYNCED = sorted(t.name for t in REGISTRY.tables if t.synced)
CLINIC = "01a30000-0000-7000-8000-00000000c001"


# -- the reader judges as the models do ---------------------------------------------------------------------
def _value(column: Column) -> st.SearchStrategy[Any]:
    """A value for the column: mostly one it takes, often one just outside it (type, bounds, allowed values)."""
    if column.type == "INTEGER":
        good: st.SearchStrategy[Any] = st.integers(column.minimum, column.maximum)
        bad: st.SearchStrategy[Any] = st.sampled_from(
            [column.minimum - 1, column.maximum + 1, "7", 1.5, True]
        )
    elif column.type == "BOOLEAN":
        good, bad = st.booleans(), st.sampled_from(["yes", 2, [True]])
    elif column.allowed is not None:
        good, bad = st.sampled_from(column.allowed), st.sampled_from(["", "none of them", 1])
    else:
        limit = column.text_limit
        good = st.text(max_size=min(limit, 12))
        bad = st.sampled_from([7, ["a"], {"a": 1}, "x" * (limit + 1) if limit < MAX_TEXT else 7])
    return st.one_of(good, good, good, bad, st.none())


@st.composite
def _row(draw: st.DrawFn, table: str) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for column in REGISTRY.table(table).wire_columns:
        if draw(st.integers(0, 9)) > 0:  # now and then a column is left out
            row[column.name] = draw(_value(column))
    if draw(st.booleans()):
        row["row_version"] = draw(st.one_of(st.integers(0, 2**63 - 1), st.just(-1)))
    if draw(st.integers(0, 4)) == 0:
        row["a_newer_column"] = draw(
            st.text(max_size=3)
        )  # a newer server's column: kept, as the models keep it
    return row


@st.composite
def _change(draw: st.DrawFn) -> dict[str, Any]:
    table = draw(st.sampled_from([*SYNCED, "a_newer_table"]))
    change: dict[str, Any] = {
        "table": table,
        "row_id": draw(st.text(min_size=1, max_size=8)),
        "op": draw(st.sampled_from(["upsert", "delete", "upsert", "rename"])),
        "version": draw(st.one_of(st.integers(0, 2**40), st.just("one"))),
        "row": draw(_row(table)) if table in SYNCED else {"anything": [1, {"at": "all"}]},
    }
    if draw(st.integers(0, 19)) == 0:
        del change[draw(st.sampled_from(["row_id", "op", "version", "row"]))]
    return change


def _as_the_models_judge(body: bytes) -> list[dict[str, Any]] | None:
    """The rows of a page as ``PullResponse`` and each synced table's ``row_model`` read them; None if either refuses."""
    try:
        page = p.PullResponse.model_validate_json(body)
        rows = []
        for change in page.changes:
            if change.table in SYNCED:
                model = p.row_model(change.table)
                rows.append(model.model_validate_json(json.dumps(change.row)).model_dump(exclude_unset=True))
            else:
                rows.append(change.row)
        return rows
    except PydanticError:
        return None


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_change(), max_size=4), st.booleans())
def test_a_page_is_read_exactly_as_the_models_judge_it_every_row_by_its_table_s_model(
    changes: list[dict[str, Any]], has_more: bool
) -> None:
    body = json.dumps({"changes": changes, "cursor": "c", "has_more": has_more}).encode()
    expected = _as_the_models_judge(body)
    try:
        page = p.page_reader(p.PullResponse).validate_json(body)
    except PydanticError:
        assert expected is None, "the reader refused a page the models accept"
        return
    assert expected is not None, "the reader accepted a page the models refuse"
    assert [
        c["row"] for c in page["changes"]
    ] == expected  # the same values (and no more columns) as the models
    assert [(c["table"], c["row_id"], c["op"], c["version"]) for c in page["changes"]] == [
        (c["table"], c["row_id"], c["op"], int(c["version"])) for c in changes
    ]
    assert (page["cursor"], page["has_more"]) == ("c", has_more)
    # so the device's apply step need not check them again (setaside.CheckedChanges): whatever the reader
    # accepts, the registry's own check of the row accepts too
    for c in page["changes"]:
        if c["table"] in SYNCED:
            assert REGISTRY.table(c["table"]).fits(c["row"]), (
                f"the reader took a row the registry refuses: {c}"
            )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_change(), max_size=3), st.text(max_size=20), st.booleans())
def test_the_envelope_read_from_the_end_of_a_page_is_the_one_the_whole_page_holds(
    changes: list[dict[str, Any]], note: str, has_more: bool
) -> None:
    """``p.page_tail`` reads a page's cursor and has_more from the end of the body the server writes
    (``p.page_json``), whatever its rows hold (a row's text may end the same way), without reading the rows:
    the device asks for the next page with it before it checks this one. A body cut off reads as none."""
    # a row (a newer server's columns) whose JSON holds what ends a page: `...],"cursor":"...","has_more":false}`
    trap_row = {"tags": [1], "cursor": note, "has_more": False}
    trap = {"table": "village", "row_id": "x", "op": "upsert", "version": 1, "row": trap_row}
    texts = [json.dumps(c, ensure_ascii=False, separators=(",", ":")) for c in [*changes, trap]]
    cursor = "eyJlIjogImUiLCAiYyI6IDEsICJrIjogMn0"  # a cursor as the server gives them (url-safe base64)
    body = p.page_json(p.PullResponse, texts, cursor=cursor, has_more=has_more).encode()
    assert p.page_tail(p.PullResponse, body) == {"cursor": cursor, "has_more": has_more}
    whole = p.page_envelope(p.PullResponse).validate_json(body)
    assert (whole["cursor"], whole["has_more"]) == (cursor, has_more)
    assert p.page_tail(p.PullResponse, body[:-1]) is None
    snapshot = p.page_json(p.SnapshotResponse, texts, after="v9", has_more=has_more).encode()
    assert p.page_tail(p.SnapshotResponse, snapshot) == {"after": "v9", "has_more": has_more}


def test_a_page_laid_out_otherwise_is_read_whole_before_the_next_is_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A body whose envelope is not where ``p.page_json`` writes it (spaced JSON): the pull still goes page
    after page, each with the cursor the page names, and stores them all."""
    county = _County([[_village(n, n + 1)] for n in range(5)], spaced=True)
    client = _device(tmp_path, county, monkeypatch)
    assert (
        p.page_tail(
            p.PullResponse, _Answer(200, {"changes": [], "cursor": "1", "has_more": True}, True).content
        )
        is None
    )
    report = client.sync()
    assert county.asked == [0, 1, 2, 3, 4] and report.pulled == 5
    assert get_state(client.store.conn, "cursor") == "5"
    client.store.close()


def test_a_snapshot_page_is_read_with_its_own_envelope() -> None:
    row = {
        "id": "v1",
        "clinic_id": CLINIC,
        "created_at": "t",
        "updated_at": "t",
        "name": "石头村",
        "row_version": 3,
    }
    change = {"table": "village", "row_id": "v1", "op": "upsert", "version": 3, "row": row}
    page = p.page_reader(p.SnapshotResponse).validate_json(
        json.dumps({"changes": [change], "after": "v1", "has_more": False})
    )
    assert page == {"changes": [change], "after": "v1", "has_more": False}
    with pytest.raises(PydanticError, match="after"):
        p.page_reader(p.SnapshotResponse).validate_json(json.dumps({"changes": [], "has_more": False}))


# -- the device's pull --------------------------------------------------------------------------------------
def _village(n: int, version: int, **fields: Any) -> dict[str, Any]:
    row_id = f"01a30000-0000-7000-8000-00000000{n:04d}"
    row = {
        "id": row_id,
        "clinic_id": CLINIC,
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
        "created_by": None,
        "updated_by": None,
        "deleted_at": None,
        "name": f"村{n}",
        "code": None,
        "row_version": version,
        **fields,
    }
    return {"table": "village", "row_id": row_id, "op": "upsert", "version": version, "row": row}


class _Answer:
    def __init__(self, status: int, body: Any, spaced: bool = False) -> None:
        """Compact JSON, as the server writes it (``p.page_json``); ``spaced``: a body laid out otherwise."""
        separators = (", ", ": ") if spaced else (",", ":")
        self.status_code, self.content = status, json.dumps(body, separators=separators).encode()

    def json(self) -> Any:
        return json.loads(self.content)


class _County:
    """Stands in for requests.Session: takes any push, serves ``pages`` (one list of changes each) by cursor and
    the checksums of the rows it served (no snapshot rows), and answers 500 for the page numbered ``fail_at``
    once."""

    def __init__(
        self, pages: list[list[dict[str, Any]]], fail_at: int | None = None, spaced: bool = False
    ) -> None:
        self.pages, self.fail_at, self.spaced = pages, fail_at, spaced
        self.asked: list[int] = []  # page numbers, in the order asked for
        self.stored_when_asked: list[int] = []  # pages the device had stored when it asked for each
        self.stored = 0
        self.lock = threading.Lock()
        self.verify: Any = True

    def request(self, method: str, url: str, **kwargs: Any) -> _Answer:
        path = urlparse(url).path
        if path.endswith("/checksums"):
            latest = {(c["table"], c["row_id"]): c["version"] for page in self.pages for c in page}
            sums: dict[str, dict[str, int]] = {}
            for (table, _row_id), version in latest.items():
                s = sums.setdefault(table, {"count": 0, "version_sum": 0})
                s["count"] += 1
                s["version_sum"] += version
            return _Answer(200, {"tables": sums})
        if path.endswith("/snapshot"):  # re-reading what was pushed: nothing to add
            return _Answer(200, {"changes": [], "after": None, "has_more": False})
        if path.endswith("/push"):  # whatever the new database made (its clinic's settings): taken
            sent = p.PushRequest.model_validate_json(gzip.decompress(kwargs["data"]))
            return _Answer(
                200,
                {
                    "results": [
                        {"mutation_id": m.mutation_id, "status": "applied", "version": 1}
                        for m in sent.mutations
                    ]
                },
            )
        assert path.endswith("/pull"), path
        n = int(kwargs["params"].get("cursor", "0"))
        with self.lock:
            self.asked.append(n)
            self.stored_when_asked.append(self.stored)
        if n == self.fail_at:
            self.fail_at = None
            return _Answer(500, {"error": {"code": "internal", "message": "try again"}})
        return _Answer(
            200,
            {"changes": self.pages[n], "cursor": str(n + 1), "has_more": n + 1 < len(self.pages)},
            self.spaced,
        )


def _device(tmp_path: Path, county: _County, monkeypatch: pytest.MonkeyPatch) -> Client:
    store, _ = Store.initialise(tmp_path / "pc.db", "ENROLLING", "enrolling", key_file=tmp_path / "pc.key")
    adopt_clinic(store, CLINIC, "http://county.invalid", "device-1", "A01")
    save_token(store, "device-token")
    client = Client(store)
    client.session = county  # type: ignore[assignment]
    real = sync_client.apply_pull_pages

    def apply(store: Store, pages: Any) -> int:
        stored = real(store, pages)
        with county.lock:
            county.stored = int(pages[-1][1])  # the cursor of a page is the number of the next one
        return stored

    monkeypatch.setattr(sync_client, "apply_pull_pages", apply)
    return client


def _villages(client: Client) -> dict[str, int]:
    return dict(client.store.conn.execute("SELECT id, row_version FROM village").fetchall())


def test_a_row_outside_its_row_model_is_set_aside_and_the_rest_of_the_page_and_the_cursor_go_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 11 rule b: a row no device could store never stops the sync; a page whose envelope is sound is
    stored row by row, and the row that does not fit is set aside (and named)."""
    from clinic_app.setaside import set_aside_count

    too_long = "村" * (REGISTRY.table("village").by_name["name"].text_limit + 1)
    county = _County([[_village(1, 2)], [_village(2, 3), _village(3, 4, name=too_long)]])
    client = _device(tmp_path, county, monkeypatch)
    report = client.sync()
    assert set(_villages(client)) == {_village(1, 0)["row_id"], _village(2, 0)["row_id"]}
    assert set_aside_count(client.store.conn) == 1 and report.set_aside == 1
    assert get_state(client.store.conn, "cursor") == "2"
    client.store.close()


def test_rows_the_page_reader_checked_are_not_checked_again_when_stored_and_rows_of_a_page_it_refused_are(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page read whole says so (``CheckedChanges``): storing it does not ask ``Table.fits`` of its rows again
    (about 0.46 s of a new device's first sync); a page read by its envelope only is checked row by row."""
    from clinic_app.setaside import CheckedChanges

    # every table the device stores is one whose rows the reader checks by its row model (not as ``Change``)
    assert set(REGISTRY.pulled_tables) <= set(SYNCED)
    too_long = "村" * (REGISTRY.table("village").by_name["name"].text_limit + 1)
    county = _County([[_village(1, 2), _village(2, 2)], [_village(3, 3), _village(4, 4, name=too_long)]])
    client = _device(tmp_path, county, monkeypatch)
    read = client._page(p.PullResponse, "/api/v1/pull", "device-token", {"cursor": "0"})
    assert isinstance(read["changes"], CheckedChanges) and len(read["changes"]) == 2
    refused = client._page(p.PullResponse, "/api/v1/pull", "device-token", {"cursor": "1"})
    assert not isinstance(refused["changes"], CheckedChanges) and len(refused["changes"]) == 2
    villages = REGISTRY.table("village")
    asked: list[str] = []
    fits = villages.fits

    def counting(row: Any) -> bool:
        asked.append(row["id"])
        return fits(row)

    object.__setattr__(villages, "fits", counting)  # a frozen dataclass: its check, counted for this test
    try:
        report = client.sync()
    finally:
        object.__setattr__(villages, "fits", fits)
    assert report.pulled == 3 and report.set_aside == 1
    assert asked == [_village(3, 0)["row_id"], _village(4, 0)["row_id"]], "only the refused page's rows"
    client.store.close()


def test_the_heap_alive_when_a_sync_starts_is_left_out_of_the_collectors_passes_until_it_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full pass of the garbage collector scanned the whole heap holding the GIL (183 ms once in the benchmark's
    initial sync: the window stood still as long); during a sync the objects alive at its start are frozen, and
    given back afterwards. A heap frozen by someone else stays as it was."""
    import gc

    county = _County([[_village(n, 1)] for n in range(3)])
    client = _device(tmp_path, county, monkeypatch)
    frozen_while_asked: list[int] = []
    serve = county.request

    def request(method: str, url: str, **kwargs: Any) -> _Answer:
        frozen_while_asked.append(gc.get_freeze_count())
        return serve(method, url, **kwargs)

    county.request = request  # type: ignore[method-assign]
    assert gc.get_freeze_count() == 0
    client.sync()
    assert frozen_while_asked and min(frozen_while_asked) > 0, "the heap was scanned during the sync"
    assert gc.get_freeze_count() == 0, "the heap was not given back to the collector"
    county.pages.append([_village(9, 1)])  # something new for the next sync
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        client.sync()
        # an unfreeze gives every frozen object back (the count drops to 0); frozen objects the sync frees (the
        # first sync's leftovers, more of them with every table a device pulls) lower it a little
        assert before > 0 and gc.get_freeze_count() > before // 2, (
            "a heap frozen by someone else was unfrozen"
        )
    finally:
        gc.unfreeze()
    client.store.close()


def test_pages_are_fetched_at_most_a_batch_ahead_and_stored_in_order_each_batch_with_its_cursor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync_client, "PULL_BATCH_ROWS", 3)  # a batch: 3 pages of one row; 3 pages may wait
    pages = [[_village(n % 5, n + 1)] for n in range(14)]  # rows come again at later versions
    county = _County(pages)
    client = _device(tmp_path, county, monkeypatch)
    commits: list[str] = []
    client.store.conn.set_trace_callback(lambda sql: commits.append(sql) if sql.strip() == "COMMIT" else None)
    report = client.sync()
    client.store.conn.set_trace_callback(None)
    assert county.asked == list(range(14))  # each page once, each with the cursor of the one before
    # ahead of what is stored: the batch being gathered, the pages waiting, the one on its way
    assert max(a - s for a, s in zip(county.asked, county.stored_when_asked, strict=True)) <= 3 + 3 + 1
    assert report.pulled == 14 and len(commits) >= 5  # five batches (3+3+3+3+2), then the sync's own records
    assert _villages(client) == {
        _village(n, 0)["row_id"]: max(v + 1 for v in range(14) if v % 5 == n) for n in range(5)
    }
    assert get_state(client.store.conn, "cursor") == "14"
    client.store.close()


def test_a_page_that_fails_keeps_the_stored_batches_and_the_next_sync_asks_again_from_their_cursor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync_client, "PULL_BATCH_ROWS", 3)
    pages = [[_village(n, 1)] for n in range(10)]
    county = _County(pages, fail_at=7)
    client = _device(tmp_path, county, monkeypatch)
    with pytest.raises(Offline, match="500"):
        client.sync()
    assert get_state(client.store.conn, "cursor") == "6"  # two whole batches; page 6 waited for page 7
    assert len(_villages(client)) == 6
    county.asked.clear()
    client.sync()
    assert county.asked == [6, 7, 8, 9]  # nothing skipped, nothing asked for twice
    assert len(_villages(client)) == 10 and get_state(client.store.conn, "cursor") == "10"
    client.store.close()


def test_a_cancelled_pull_stores_what_it_has_and_stops_asking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync_client, "PULL_BATCH_ROWS", 3)
    county = _County([[_village(n, 1)] for n in range(40)])
    client = _device(tmp_path, county, monkeypatch)
    seen: list[str] = []
    client.sync(cancelled=lambda: seen.count("pull") >= 4, progress=seen.append)  # cancelled after 4 pages
    stored = len(_villages(client))
    assert stored == 5 and get_state(client.store.conn, "cursor") == "5"  # every page taken, with its cursor
    assert len(county.asked) <= stored + 3 + 1  # the thread asking ahead stopped too
    client.store.close()
