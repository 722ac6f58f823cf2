"""Rules the desktop's code keeps (CONVENTIONS): no SQL in ui/ — queries live with their domain in clinic_app;
no message chosen by reading an error's English text — the domain error carries a code and fields."""

from __future__ import annotations

import ast
import re
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "ui"
SQL = re.compile(
    r"\bselect\b[^\n]*\bfrom\b|\binsert\s+(or\s+\w+\s+)?into\b|\bupdate\s+\w+\s+set\b|\bdelete\s+from\b"
    r"|\bpragma\s+\w+|\bcreate\s+(table|index)\b",
    re.IGNORECASE,
)
DB_CALLS = {"execute", "executemany", "executescript"}
# what a domain error says in English (for logs and the CLI): the desktop never reads it
ENGLISH_OF_AN_ERROR = {"message", "args"}
INSPECTING = {
    "split",
    "rsplit",
    "partition",
    "rpartition",
    "startswith",
    "endswith",
    "find",
    "rfind",
    "index",
    "count",
    "replace",
    "strip",
    "removeprefix",
    "removesuffix",
}
MATCHING = {"match", "fullmatch", "search", "findall", "finditer", "sub"}


def _trees() -> list[tuple[str, ast.AST]]:
    return [(p.name, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(UI.glob("*.py"))]


def test_ui_has_no_sql() -> None:
    found: list[str] = []
    for name, tree in _trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
                found.append(f"{name}:{node.lineno}: {node.value[:60]!r}")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in DB_CALLS
            ):
                found.append(f"{name}:{node.lineno}: .{node.func.attr}(…)")
    assert found == []


def test_the_sql_check_finds_a_query() -> None:
    assert SQL.search("SELECT id, code FROM household WHERE id IN (?)")
    assert SQL.search("select count(*) from outbox")
    assert not SQL.search("Select a resident to see the household.")


def _error_names(tree: ast.AST) -> set[str]:
    """Names bound to a caught or handled error: ``except X as e``, and parameters annotated as errors."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.arg) and node.annotation is not None:
            annotation = ast.unparse(node.annotation)
            if "Error" in annotation or "BaseException" in annotation or "Exception" in annotation:
                names.add(node.arg)
    return names


def _is_english_of_an_error(node: ast.AST, errors: set[str]) -> bool:
    """``e.message``, ``e.args`` or ``str(e)`` of a caught or handled error ``e``."""
    if isinstance(node, ast.Attribute) and node.attr in ENGLISH_OF_AN_ERROR:
        return isinstance(node.value, ast.Name) and node.value.id in errors
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "str"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Name)
        and node.args[0].id in errors
    )


def test_ui_never_matches_on_an_errors_english_text() -> None:
    """Shown as it is (a fallback for a rule the desktop does not know, a tooltip for support) is allowed;
    compared, searched, split or matched against a pattern is not."""
    found: list[str] = []
    for name, tree in _trees():
        errors = _error_names(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare):
                if any(_is_english_of_an_error(part, errors) for part in (node.left, *node.comparators)):
                    found.append(f"{name}:{node.lineno}: {ast.unparse(node)}")
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                inspected = node.func.attr in INSPECTING and _is_english_of_an_error(node.func.value, errors)
                matched = node.func.attr in MATCHING and any(
                    _is_english_of_an_error(a, errors) for a in node.args
                )
                if inspected or matched:
                    found.append(f"{name}:{node.lineno}: {ast.unparse(node)}")
            elif isinstance(node, ast.Subscript) and _is_english_of_an_error(node.value, errors):
                found.append(f"{name}:{node.lineno}: {ast.unparse(node)}")
    assert found == []
