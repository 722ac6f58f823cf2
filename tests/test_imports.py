"""No import cycles among clinic_app, sync and ui: an import inside a function closes a cycle as surely as one at
the top of a file (it only hides it until the function runs), so every import statement that runs counts. An
import under ``if TYPE_CHECKING:`` never runs (it names a type for the checker), so it closes no cycle."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from tests.import_graph import Import, all_imports, imports_of, modules, own_module

Graph = dict[str, dict[str, Import]]  # module -> module it imports -> the first import statement that does


def graph(imports: Iterable[Import], known: Iterable[str]) -> Graph:
    known = set(known)
    edges: Graph = {m: {} for m in known}
    for imp in imports:
        if imp.type_only:
            continue
        target = own_module(imp.target, known)
        if target is not None and target != imp.module:
            edges.setdefault(imp.module, {}).setdefault(target, imp)
    return edges


def cycles(edges: Mapping[str, Mapping[str, Import]]) -> list[list[Import]]:
    """One cycle for each group of modules that import each other (a strongly connected component), as the
    import statements that close it; ``groups`` gives the whole groups."""
    return [_a_cycle_through(sorted(g)[0], g, edges) for g in groups(edges)]


def groups(edges: Mapping[str, Mapping[str, Import]]) -> list[set[str]]:
    """The groups of modules each of which imports (through the others) every other one."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def connect(v: str) -> None:  # Tarjan's algorithm
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges.get(v, {}):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(group)

    for v in sorted(edges):
        if v not in index:
            connect(v)
    return found


def _a_cycle_through(start: str, group: set[str], edges: Mapping[str, Mapping[str, Import]]) -> list[Import]:
    paths: dict[str, list[Import]] = {start: []}
    queue = [start]
    while queue:  # breadth first: the shortest way back to start
        v = queue.pop(0)
        for w, imp in sorted(edges.get(v, {}).items()):
            if w == start:
                return [*paths[v], imp]
            if w in group and w not in paths:
                paths[w] = [*paths[v], imp]
                queue.append(w)
    raise AssertionError(f"{start} is in no cycle")


def described(cycle: list[Import]) -> str:
    return " -> ".join(str(i) for i in cycle)


def _today() -> list[tuple[frozenset[str], list[Import]]]:
    """Each group of modules in a cycle today, with one cycle through it."""
    edges = graph(all_imports(), modules())
    return [(frozenset(g), _a_cycle_through(sorted(g)[0], g, edges)) for g in groups(edges)]


def _said(group: frozenset[str], cycle: list[Import]) -> str:
    return f"{', '.join(sorted(group))} import each other, e.g. {described(cycle)}"


def test_no_import_cycles() -> None:
    found = [_said(g, c) for g, c in _today()]
    assert found == [], "\n".join(found)


def _fake(sources: dict[str, str]) -> list[list[Import]]:
    imports = [i for name, text in sources.items() for i in imports_of(text, name)]
    return cycles(graph(imports, sources))


def test_an_import_inside_a_function_closes_a_cycle() -> None:
    [cycle] = _fake(
        {
            "clinic_app.cli": "from clinic_app import store\n\ndef main():\n    from clinic_app.contract_cli import add\n",
            "clinic_app.contract_cli": "from clinic_app.cli import leaf\n",
            "clinic_app.store": "import json\n",
        }
    )
    assert described(cycle) == (
        "clinic_app.cli:4 imports clinic_app.contract_cli.add (inside a function) -> "
        "clinic_app.contract_cli:1 imports clinic_app.cli.leaf (at module level)"
    )


def test_a_longer_cycle_is_found_and_a_one_way_chain_is_not() -> None:
    one_way = {"ui.a": "from sync import b\n", "sync.b": "import clinic_app.c\n", "clinic_app.c": ""}
    assert _fake(one_way) == []
    [cycle] = _fake({**one_way, "clinic_app.c": "def f():\n    import ui.a\n"})
    assert [i.module for i in cycle] == ["clinic_app.c", "ui.a", "sync.b"]


def test_an_import_only_for_the_type_checker_closes_no_cycle() -> None:
    a = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.b import B\n"
    b = "from pkg.a import A\n"
    imports = [*imports_of(a, "pkg.a"), *imports_of(b, "pkg.b")]
    assert [i.type_only for i in imports] == [False, True, False]
    assert cycles(graph(imports, ["pkg.a", "pkg.b"])) == []
    run_time = [*imports_of("def f():\n    from pkg.b import B\n", "pkg.a"), *imports_of(b, "pkg.b")]
    assert len(cycles(graph(run_time, ["pkg.a", "pkg.b"]))) == 1
