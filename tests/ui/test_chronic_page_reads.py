"""The 慢病随访 page reads a list on a worker and hands the rows to the list's model as its first pages: the model
gets them a page at a time in order, then reads on from where they end; a read from the top afterwards reads
afresh (never the rows of the worker's read again)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from ui.chronic_page import primed, read_rows
from ui.listmodel import PAGE_SIZE


def table(size: int) -> list[dict[str, Any]]:
    return [{"id": i} for i in range(size)]


def fetch_of(rows: list[dict[str, Any]], calls: list[Any]) -> Any:
    def fetch(after: Any, limit: int) -> list[dict[str, Any]]:
        calls.append(after)
        start = 0 if after is None else after + 1
        return rows[start : start + limit]

    return fetch


@given(size=st.integers(0, 3 * PAGE_SIZE + 7), wanted=st.integers(1, 3 * PAGE_SIZE))
def test_read_rows_reads_whole_pages_until_enough_or_the_end(size: int, wanted: int) -> None:
    rows, calls = table(size), []
    got = read_rows(fetch_of(rows, calls), lambda r: r["id"], wanted)
    pages = -(-wanted // PAGE_SIZE)
    assert got == rows[: min(size, pages * PAGE_SIZE)]


@given(size=st.integers(0, 3 * PAGE_SIZE + 7), read=st.integers(1, 3))
def test_primed_pages_come_first_then_the_list_reads_on(size: int, read: int) -> None:
    rows = table(size)
    first = rows[: read * PAGE_SIZE]  # what the worker read: whole pages, or the list to its end
    live: list[Any] = []
    fetch = primed(first, fetch_of(rows, live))
    got: list[dict[str, Any]] = []
    after = None
    while True:
        page = fetch(after, PAGE_SIZE)
        got += page
        if len(page) < PAGE_SIZE:
            break
        after = page[-1]["id"]
    assert got == rows
    assert None not in live, "after the primed rows: read on from their end, not from the top"


def test_a_read_from_the_top_after_the_primed_pages_reads_afresh() -> None:
    old, fresh, live = table(3), table(5), []
    fetch = primed(old, fetch_of(fresh, live))
    assert fetch(None, PAGE_SIZE) == old
    assert fetch(None, PAGE_SIZE) == fresh and live == [None]
