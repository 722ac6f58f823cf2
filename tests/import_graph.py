"""Every import of our own packages, read from the source (not by importing it): module level, inside functions,
under ``if TYPE_CHECKING:`` and ``importlib.import_module("…")`` with a literal name all count, so an import
that only runs when a button is pressed is seen as well as one at the top of the file."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("clinic_app", "sync", "ui")


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the dotted name imported: a module, or a module followed by a name taken from it
    line: int
    in_function: bool
    type_only: bool = False  # under ``if TYPE_CHECKING:``: read by the type checker, never run

    def __str__(self) -> str:
        where = "inside a function" if self.in_function else "at module level"
        return f"{self.module}:{self.line} imports {self.target} ({where})"


def _resolve(module: str, is_package: bool, level: int, name: str | None) -> str:
    if level == 0:
        return name or ""
    parts = module.split(".")
    base = parts if is_package else parts[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, name] if name else base)


def imports_of(source: str, module: str, is_package: bool = False) -> list[Import]:
    """The imports in ``source``, the text of ``module``, in the order they appear."""
    found: list[Import] = []

    def visit(node: ast.AST, in_function: bool, type_only: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if isinstance(child, ast.Import):
                found.extend(
                    Import(module, a.name, child.lineno, in_function, type_only) for a in child.names
                )
            elif isinstance(child, ast.ImportFrom):
                base = _resolve(module, is_package, child.level, child.module)
                for (
                    a
                ) in child.names:  # each name: a submodule, or a name of the module (own_module tells which)
                    target = base if a.name == "*" else f"{base}.{a.name}"
                    found.append(Import(module, target, child.lineno, in_function, type_only))
            elif isinstance(child, ast.Call) and _dynamic_name(child) is not None:
                found.append(Import(module, _dynamic_name(child) or "", child.lineno, in_function, type_only))
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for stmt in child.body:
                    visit(ast.Module(body=[stmt], type_ignores=[]), in_function, True)
                for stmt in child.orelse:
                    visit(ast.Module(body=[stmt], type_ignores=[]), in_function, type_only)
                continue
            visit(child, inner, type_only)

    visit(ast.parse(source), False, False)
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _names_import(node: ast.expr) -> bool:
    name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""
    return name in ("import_module", "__import__")


def _first_string(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Tuple | ast.List) and node.elts:
        node = node.elts[0]
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _dynamic_name(call: ast.Call) -> str | None:
    """``importlib.import_module("x")`` / ``__import__("x")`` with a literal name, also when handed to a thread:
    ``threading.Thread(target=importlib.import_module, args=("x",))``."""
    keywords = {k.arg: k.value for k in call.keywords}
    if _names_import(call.func):
        return _first_string(call.args[0] if call.args else keywords.get("name"))
    target = keywords.get("target")
    if target is not None and _names_import(target):
        return _first_string(keywords.get("args"))
    return None


def modules(packages: Iterable[str] = PACKAGES) -> dict[str, Path]:
    """Every module of our packages by dotted name (a package by its own name, for its ``__init__.py``)."""
    found: dict[str, Path] = {}
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def all_imports(packages: Iterable[str] = PACKAGES) -> Iterator[Import]:
    for name, path in modules(packages).items():
        yield from imports_of(path.read_text(encoding="utf-8"), name, path.name == "__init__.py")


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def own_module(target: str, known: Iterable[str]) -> str | None:
    """The module of ours that ``target`` names: the longest known module it is, or is a name inside."""
    best: str | None = None
    for m in known:
        if within(target, m) and (best is None or len(m) > len(best)):
            best = m
    return best
