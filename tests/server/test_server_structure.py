"""The county server's shape, read from its source: its modules import each other without a cycle (imports
inside functions count), none reaches another module's private names, only the record store writes records,
and the push engine knows no table by name (a table's own behaviour is a rule registered on the record store).
Then the rules themselves: registered when the store is built, and what a push does comes from them."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from clinic_app.errors import ValidationError
from clinic_app.ids import uuid7
from sync import protocol
from sync.protocol import Mutation
from sync.server import admin, contract, db, rules
from sync.server import push as push_engine
from sync.server.common import Caller
from sync.server.records import CountyRule, RecordStore
from sync.server.resident_merge import ResidentMerge

from .test_api import resident

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "sync" / "server"
# the modules this work moved rules into: they are held to the same standard
DOMAIN = [ROOT / "clinic_app" / "drugs.py", ROOT / "clinic_app" / "packages.py"]


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str, root: Path = ROOT) -> bool:
    base = root.joinpath(*name.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


@dataclass(frozen=True)
class Import:
    importer: str
    module: str  # the module imported (a module of this repository, or any other)
    name: str | None  # a name taken from it (``from module import name``), None for the module itself
    line: int


def imports(path: Path, root: Path = ROOT) -> Iterator[Import]:
    """Every import of a file, wherever it stands (module level, in a function, under TYPE_CHECKING)."""
    importer = module_name(path, root)
    package = importer if path.name == "__init__.py" else importer.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(importer, alias.name, None, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                if is_module(f"{base}.{alias.name}", root):
                    yield Import(importer, f"{base}.{alias.name}", None, node.lineno)
                else:
                    yield Import(importer, base, alias.name, node.lineno)


def server_files(root: Path = SERVER) -> list[Path]:
    return sorted(p for p in root.glob("*.py"))


def import_cycles(files: list[Path], root: Path = ROOT) -> list[list[str]]:
    graph: dict[str, set[str]] = {module_name(f, root): set() for f in files}
    for f in files:
        for imp in imports(f, root):
            if imp.module in graph and imp.module != imp.importer:
                graph[imp.importer].add(imp.module)
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the path, 2 done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    return cycles


def private_reaches(files: list[Path], root: Path = ROOT) -> list[str]:
    """``from m import _x`` and ``m._x`` (m an imported module) in a module other than m."""
    found = []
    for f in files:
        modules: dict[str, str] = {}  # local name -> module
        for imp in imports(f, root):
            if imp.name is not None and imp.name.startswith("_") and not imp.name.startswith("__"):
                found.append(f"{imp.importer}:{imp.line} imports {imp.module}.{imp.name}")
        tree = ast.parse(f.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom | ast.Import):
                for alias in node.names:
                    local = alias.asname or alias.name.split(".")[0]
                    modules[local] = alias.name
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in modules
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                found.append(f"{module_name(f, root)}:{node.lineno} reaches {node.value.id}.{node.attr}")
    return found


TABLE_NAMES = (
    set(contract.TABLES)
    | protocol.CLINIC_TABLES
    | protocol.REFERENCE_TABLES
    | protocol.APPEND_ONLY_TABLES
    | protocol.SERVER_MADE_TABLES
    | {"clinic"}
)


def table_comparisons(path: Path) -> list[str]:
    """Comparisons (==, !=, in, not in) in which a table name appears as a literal, or a table is compared
    with any literal text."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        literals = {
            n.value
            for side in sides
            for n in ast.walk(side)
            if isinstance(n, ast.Constant) and isinstance(n.value, str)
        }
        names_table = any(
            (isinstance(s, ast.Attribute) and s.attr in ("table", "table_name"))
            or (isinstance(s, ast.Name) and s.id in ("table", "table_name"))
            for s in sides
        )
        if literals & TABLE_NAMES or (names_table and literals):
            found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_the_server_modules_import_each_other_without_a_cycle() -> None:
    assert import_cycles(server_files()) == []


def old_shape(root: Path) -> list[Path]:
    """The shape service.py and contracts.py had: one imports the other at the top, the other imports the first
    inside a function and takes its private names."""
    package = root / "sync" / "server"
    package.mkdir(parents=True)
    for folder in (root / "sync", package):
        (folder / "__init__.py").write_text("")
    (package / "service.py").write_text("from sync.server import contracts\n\ndef _load():\n    pass\n")
    (package / "contracts.py").write_text(
        "def judge():\n    from sync.server import service\n\n    return service._load()\n"
    )
    return sorted(package.glob("*.py"))


def test_the_cycle_finder_finds_a_cycle_through_an_import_inside_a_function(tmp_path: Path) -> None:
    assert import_cycles(old_shape(tmp_path), tmp_path) == [
        ["sync.server.contracts", "sync.server.service", "sync.server.contracts"]
    ]


def test_the_private_name_finder_finds_a_module_reaching_into_another(tmp_path: Path) -> None:
    assert private_reaches(old_shape(tmp_path), tmp_path) == ["sync.server.contracts:4 reaches service._load"]


def test_no_server_module_reaches_another_modules_private_names() -> None:
    assert private_reaches(server_files() + DOMAIN) == []


def test_the_domain_validators_import_no_server_or_web_library() -> None:
    banned = ("sync", "ui", "fastapi", "sqlalchemy", "requests", "PySide6")
    reached = [
        f"{i.importer}:{i.line} {i.module}"
        for f in DOMAIN
        for i in imports(f)
        if i.module.split(".")[0] in banned
    ]
    assert reached == []


def test_the_push_engine_compares_no_table_names() -> None:
    assert table_comparisons(SERVER / "push.py") == []


def test_the_table_name_finder_sees_the_branches_the_engine_had(tmp_path: Path) -> None:
    old = tmp_path / "old_push.py"
    old.write_text(
        'if m.table == "contract" and ok:\n    pass\nif table != "resident":\n    pass\n'
        'if current is None and m.table in ("resident",):\n    pass\n'
    )
    assert len(table_comparisons(old)) == 3


def test_only_the_record_store_writes_records() -> None:
    writers = []
    for f in server_files():
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            text = ast.unparse(node) if isinstance(node, ast.Call) else ""
            if text.startswith(("db.record.insert", "sa.update(db.record)", "sa.delete(db.record)")):
                writers.append(f"{f.name}:{node.lineno}")
    assert writers and all(w.startswith("records.py:") for w in writers), writers


# -- the rules, registered on the record store -------------------------------------------------------
def test_a_record_store_has_the_rules_it_was_built_with_and_no_others() -> None:
    assert [type(r) for t in contract.TABLES for r in RecordStore().rules(t)] == []
    county = rules.county_records()
    assert {type(r).__name__ for r in county.rules("resident")} == {"ResidentFields", "ResidentMerge"}
    assert {type(r).__name__ for r in county.rules("contract")} == {"OneTeamRule"}
    assert {type(r).__name__ for r in county.rules("insurance_status")} == {"DependantMerge"}
    assert {type(r).__name__ for r in county.rules("disease_registration")} == {
        "DependantMerge",
        "RegistrationIndex",
    }
    assert {type(r).__name__ for r in county.rules("followup")} == {"FollowupFields", "FollowupIndex"}
    assert county.merged_tables() == {"resident", "insurance_status", "disease_registration"}, (
        "insurance and a disease's registration merge with their resident"
    )
    assert {type(r).__name__ for r in county.rules("dispensing_code")} == {"TraceCodeRule"}
    assert {type(r).__name__ for r in county.rules("visit")} == {"CountyCapRule"}
    assert {type(r).__name__ for r in county.rules("visit_cancel")} == {"VisitCancelIndex"}
    assert county.county_decided() == {"contract_elsewhere", "trace_code_elsewhere", "cap_overrun"}
    assert rules.county_records() is not county, "each store is built, none shared through a module"
    with pytest.raises(ValueError, match="synced table"):
        county.register(type("Nowhere", (CountyRule,), {"table": "nowhere"})())


@pytest.fixture
def clinic(engine: sa.Engine) -> Caller:
    with engine.begin() as conn:
        clinic_id = admin.add_clinic(conn, "A01", "石头村卫生室")
    return Caller(device_id=uuid7(), clinic_id=clinic_id, role="device")


def push(engine: sa.Engine, caller: Caller, store: RecordStore, table: str, row: dict[str, Any]) -> Any:
    m = Mutation(mutation_id=uuid7(), table=table, op="upsert", row_id=row["id"], base_version=0, fields=row)
    with engine.begin() as conn:
        [result] = push_engine.push(conn, caller, [m], store)
    return result


def test_the_resident_merge_is_the_rule_registered_on_the_store(engine: sa.Engine, clinic: Caller) -> None:
    without = RecordStore()
    first, second = resident(), resident()
    push(engine, clinic, without, "resident", first)
    kept_apart = push(engine, clinic, without, "resident", second)
    assert kept_apart.status == "applied" and kept_apart.row_id is None, "no rule: two rows"
    with_merge = RecordStore()
    with_merge.register(ResidentMerge())
    third = resident(id_number="445224199202290042")
    push(engine, clinic, with_merge, "resident", third)
    merged = push(engine, clinic, with_merge, "resident", resident(id_number="445224199202290042"))
    assert merged.status == "applied" and merged.row_id == third["id"], (
        "the rule merges the second into the first"
    )


def test_a_rule_registered_on_the_store_runs_on_push(engine: sa.Engine, clinic: Caller) -> None:
    class OneEastVillage(CountyRule):  # a made-up county-wide rule, shaped as one-box-per-trace-code will be
        table = "village"

        def taken(
            self, conn: Any, clinic_id: str, row_id: str, data: dict[str, Any], changed: set[str] | None
        ) -> list[ValidationError]:
            held = conn.execute(
                sa.select(db.record.c.row_id).where(
                    db.record.c.table_name == "village", db.record.c.data.contains('"code": "EAST"')
                )
            ).first()
            if data.get("code") == "EAST" and held is not None and held[0] != row_id:
                return [ValidationError("code", "county_duplicate", "EAST is taken in the county")]
            return []

    store = rules.county_records()
    store.register(OneEastVillage())
    assert (
        push(engine, clinic, store, "village", {"id": uuid7(), "name": "东村", "code": "EAST"}).status
        == "applied"
    )
    refused = push(engine, clinic, store, "village", {"id": uuid7(), "name": "东二村", "code": "EAST"})
    assert refused.status == "rejected" and refused.code == "county_duplicate"
    plain = push(
        engine, clinic, rules.county_records(), "village", {"id": uuid7(), "name": "东三村", "code": "EAST"}
    )
    assert plain.status == "applied", "a store built without the rule does not run it"
