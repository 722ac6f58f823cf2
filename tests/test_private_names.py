"""Nothing reaches another module's private names: an attribute a class of ours keeps as ``self._x`` is read
or written only inside the module that defines that class (CONVENTIONS 12; issue 10 found ``store._key``,
``ctx._store`` and ``store._write_lock`` used from outside)."""

from __future__ import annotations

import ast
from collections import defaultdict

from tests.import_graph import ROOT, modules


def _source(module: str) -> str:
    path = ROOT / (module.replace(".", "/") + ".py")
    if not path.exists():
        path = ROOT / module.replace(".", "/") / "__init__.py"
    return path.read_text(encoding="utf-8")


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_attributes(sources: dict[str, str]) -> dict[str, set[str]]:
    """Private attribute name -> the modules whose classes keep it on ``self``."""
    owners: dict[str, set[str]] = defaultdict(set)
    for module, text in sources.items():
        for node in ast.walk(ast.parse(text)):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.ctx, ast.Store)
                and _private(node.attr)
                and isinstance(node.value, ast.Name)
                and node.value.id in ("self", "cls")
            ):
                owners[node.attr].add(module)
    return owners


def reaches(sources: dict[str, str]) -> list[str]:
    owners = private_attributes(sources)
    found = []
    for module, text in sources.items():
        for node in ast.walk(ast.parse(text)):
            if not (
                isinstance(node, ast.Attribute) and node.attr in owners and module not in owners[node.attr]
            ):
                continue
            if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                continue  # its own attribute of the same name (a subclass or an unrelated class)
            found.append(
                f"{module}:{node.lineno} reaches {node.attr} of {', '.join(sorted(owners[node.attr]))}"
            )
    return found


def test_no_module_reaches_another_modules_private_attributes() -> None:
    sources = {m: _source(m) for m in modules()}
    assert reaches(sources) == []


def test_the_check_finds_a_private_attribute_reached_from_outside() -> None:
    sources = {
        "clinic_app.store": "class Store:\n    def __init__(self):\n        self._key = b''\n",
        "clinic_app.cli": "def restore(store):\n    return store._key\n",
        "ui.page": "class Page:\n    def __init__(self):\n        self._key = 1\n    def k(self):\n        return self._key\n",
    }
    assert reaches(sources) == ["clinic_app.cli:2 reaches _key of clinic_app.store, ui.page"]
