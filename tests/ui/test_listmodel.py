"""The list model every growing list uses: pages from a query, keys, selection kept by key."""

from __future__ import annotations

from typing import Any

from ui.listmodel import Column, ListModel, ListView

COLUMNS = [
    Column("name", lambda: "Name", lambda r: r["name"]),
    Column("n", lambda: "N", lambda r: str(r["n"])),
]


class Source:
    """A sorted list served in keyset pages, counting what it was asked."""

    def __init__(self, n: int) -> None:
        self.rows = [{"id": f"k{i:04d}", "name": f"name {i}", "n": i} for i in range(n)]
        self.limits: list[int] = []

    def fetch(self, after: Any, limit: int) -> list[dict[str, Any]]:
        self.limits.append(limit)
        return [r for r in self.rows if after is None or r["id"] > after][:limit]


def test_the_model_passes_the_model_tester_and_pages_as_asked(qtmodeltester: Any) -> None:
    source = Source(450)
    model = ListModel(COLUMNS, source.fetch, page_size=200)
    assert model.rowCount() == 200 and model.canFetchMore()
    qtmodeltester.check(model)
    model.fetchMore()
    model.fetchMore()
    assert model.rowCount() == 450 and not model.canFetchMore()
    assert source.limits == [200, 200, 200]
    assert model.key_at(449) == "k0449" and model.row_of("k0300") == 300 and model.row_of("nope") == -1
    assert model.data(model.index(3, 0)) == "name 3"
    qtmodeltester.check(model)


def test_find_loads_pages_until_the_key_and_reload_keeps_as_many_rows(qtmodeltester: Any) -> None:
    source = Source(1000)
    model = ListModel(COLUMNS, source.fetch, page_size=100)
    assert model.row_of("k0750") == -1
    assert model.find("k0750") == 750 and model.rowCount() == 800
    model.reload()
    assert model.rowCount() == 800
    assert model.find("missing") == -1 and model.rowCount() == 1000
    qtmodeltester.check(model)


def test_a_page_longer_than_the_limit_is_refused() -> None:
    import pytest

    with pytest.raises(ValueError, match="more than"):
        ListModel(
            COLUMNS, lambda after, limit: [{"id": str(i), "name": "", "n": i} for i in range(limit + 1)]
        )


def test_the_view_selects_a_key_and_keeps_it_over_a_reload(qtbot: Any) -> None:
    source = Source(500)
    model = ListModel(COLUMNS, source.fetch, page_size=100)
    view = ListView(model)
    qtbot.addWidget(view)
    assert view.current_key() is None
    assert view.select_key("k0420")
    assert view.current_key() == "k0420"
    source.rows.insert(0, {"id": "a-new-first", "name": "first", "n": -1})
    source.rows.sort(key=lambda r: r["id"])
    model.reload()
    assert view.current_key() == "k0420"
    assert view.verticalHeader().defaultSectionSize() == 26
    model.set_fetch(Source(3).fetch)
    assert model.rowCount() == 3 and view.current_key() is None


def test_update_keys_replaces_removes_and_inserts_only_those_rows(qtmodeltester: Any) -> None:
    source = Source(300)
    asked: list[list[Any]] = []

    def lookup(keys: list[Any]) -> list[dict[str, Any]]:
        asked.append(keys)
        return [r for r in source.rows if r["id"] in keys]

    model = ListModel(COLUMNS, source.fetch, page_size=100, lookup=lookup)
    assert model.rowCount() == 100 and source.limits == [100]
    source.rows[5]["name"] = "renamed"
    source.rows = [r for r in source.rows if r["id"] != "k0007"]
    source.rows.append({"id": "k0003a", "name": "inserted", "n": 0})
    source.rows.append({"id": "k0250a", "name": "beyond the loaded pages", "n": 0})
    source.rows.sort(key=lambda r: r["id"])
    model.update_keys(["k0005", "k0007", "k0003a", "k0250a"])
    assert source.limits == [100], "no page read again"
    assert asked == [["k0005", "k0007", "k0003a", "k0250a"]]
    assert model.data(model.index(5 + 1, 0)) == "renamed" and model.row_of("k0005") == 6
    assert model.row_of("k0007") == -1 and model.row_of("k0003a") == 4 and model.row_of("k0250a") == -1
    assert model.rowCount() == 100
    qtmodeltester.check(model)
    model.find("k0299")
    assert model.row_of("k0250a") > 0, "paging brought the row inserted beyond the loaded pages"


def test_after_a_new_query_the_kept_row_is_scrolled_into_sight_or_dropped_saying_so(qtbot: Any) -> None:
    from ui.qt import QModelIndex, Qt

    source = Source(500)
    only = [source.rows[150]]
    model = ListModel(COLUMNS, lambda after, limit: [r for r in only if after is None][:limit], page_size=200)
    view = ListView(model)
    qtbot.addWidget(view)
    view.resize(400, 200)
    view.show()
    qtbot.waitExposed(view)
    changes: list[int] = []
    view.selectionModel().selectionChanged.connect(lambda _a, _b: changes.append(1))
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(model.index(0, 0)).center()
    )
    assert view.current_key() == "k0150"
    model.set_fetch(source.fetch)  # the search is cleared: the whole list, the row 150 far below the top
    assert view.current_key() == "k0150"
    rect = view.visualRect(model.index(150, 0))
    assert view.viewport().rect().contains(rect), "the selected row is on screen, not hidden below"
    changes.clear()
    model.set_fetch(
        lambda after, limit: [r for r in source.rows[:10] if after is None or r["id"] > after][:limit]
    )
    assert view.current_key() is None and not view.currentIndex().isValid()
    assert changes, "the dropped selection is announced, so that pages disable their buttons"
    assert view.currentIndex() == QModelIndex()
