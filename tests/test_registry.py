"""The table registry (clinic_app.registry) against the schema its migrations make, and the rule that every table
list elsewhere derives from it."""

from __future__ import annotations

import ast
import dataclasses
import re
import sqlite3
from pathlib import Path

import pytest

from clinic_app import (
    chronic,
    chronic_contacts,
    contracts,
    labels,
    prescriptions,
    residents,
    settlement,
    syncstate,
    users,
)
from clinic_app import registry as R
from clinic_app.migrations import MIGRATIONS
from clinic_app.registry import REGISTRY, Column, Kind, Registry, Table, Unique
from sync import protocol
from sync.server import contract

ROOT = Path(__file__).resolve().parents[1]
RX_EVENTS = {"prescription", "prescription_item", "prescription_event", "dispensing", "dispensing_code"}


def migrated() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    for upgrade in MIGRATIONS:
        upgrade(conn)
    return conn


def _sql_default(value: str | int | None) -> str | None:
    if value is None:
        return None
    return str(value) if isinstance(value, int) else "'" + value.replace("'", "''") + "'"


def _table_sql(conn: sqlite3.Connection, table: str) -> str:
    return str(
        conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()[
            0
        ]
    )


CHECK_IN = re.compile(r"CHECK\s*\(\s*(\w+)\s+IN\s*\(([^)]*)\)\s*\)", re.IGNORECASE)


def schema_differences(conn: sqlite3.Connection, registry: Registry) -> list[str]:
    """Everything in which the database's schema and the registry disagree, one line each."""
    problems: list[str] = []
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    tables = {t for t in tables if not t.startswith("sqlite_")}
    problems += [
        f"table {t}: in the schema, not in the registry" for t in sorted(tables - registry.device_tables)
    ]
    problems += [
        f"table {t}: in the registry, not in the schema" for t in sorted(registry.device_tables - tables)
    ]
    for name in sorted(tables & registry.device_tables):
        table = registry.table(name)
        # columns: name, declared type, NOT NULL, DEFAULT, primary key, in order
        info = [
            (r[1], r[2], bool(r[3]), r[4], r[5] > 0) for r in conn.execute(f'PRAGMA table_info("{name}")')
        ]
        mine = [(c.name, c.type, c.not_null, _sql_default(c.default), c.primary_key) for c in table.columns]
        for got in info:
            if got not in mine:
                problems.append(
                    f"column {name}.{got[0]}: the schema has {got}, the registry "
                    f"{next((m for m in mine if m[0] == got[0]), 'nothing')}"
                )
        problems += [
            f"column {name}.{m[0]}: in the registry, not in the schema"
            for m in mine
            if m[0] not in {g[0] for g in info}
        ]
        if [g[0] for g in info] != [m[0] for m in mine] and not problems:
            problems.append(f"table {name}: columns in another order than the schema's")
        # foreign keys
        fks = {r[3]: r[2] for r in conn.execute(f'PRAGMA foreign_key_list("{name}")')}
        if fks != table.references:
            problems.append(
                f"table {name}: foreign keys {fks} in the schema, {table.references} in the registry"
            )
        # unique indexes (a primary key's index is the primary key's)
        uniques: dict[str, Unique] = {}
        for _seq, index, unique, origin, _partial in conn.execute(f'PRAGMA index_list("{name}")'):
            if not unique or origin == "pk":
                continue
            cols = tuple(r[2] for r in conn.execute(f'PRAGMA index_info("{index}")'))
            sql = conn.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (index,)
            ).fetchone()
            where = None
            if sql and sql[0] and (m := re.search(r"\bWHERE\b(.*)$", sql[0], re.IGNORECASE | re.DOTALL)):
                where = " ".join(m.group(1).split())
            uniques[index] = Unique(index, cols, where)
        declared = {u.name: u for u in table.unique}
        if uniques != declared:
            problems.append(
                f"table {name}: unique indexes {sorted(uniques.values(), key=str)} in the schema, "
                f"{sorted(declared.values(), key=str)} in the registry"
            )
        # CHECK constraints: each is `column IN (...)`, with the registry's allowed values
        sql = _table_sql(conn, name)
        checks = {
            col: tuple(v.strip().strip("'") for v in values.split(","))
            for col, values in CHECK_IN.findall(sql)
        }
        if len(checks) != len(re.findall(r"\bCHECK\s*\(", sql, re.IGNORECASE)):
            problems.append(f"table {name}: a CHECK that is not `column IN (...)`")
        for column in table.columns:
            if column.check and checks.get(column.name) != column.allowed:
                problems.append(
                    f"column {name}.{column.name}: CHECK {checks.get(column.name)}, "
                    f"registry allows {column.allowed}"
                )
        problems += [
            f"column {name}.{c}: a CHECK the registry does not know"
            for c in checks
            if c not in table.by_name or not table.column(c).check
        ]
    return problems


def test_the_registry_describes_the_migrated_schema_exactly() -> None:
    assert schema_differences(migrated(), REGISTRY) == []


def test_a_table_or_column_a_migration_adds_without_the_registry_is_found() -> None:
    conn = migrated()
    conn.execute("ALTER TABLE resident ADD COLUMN weight_g INTEGER")
    conn.execute("CREATE TABLE house_call (id TEXT PRIMARY KEY, note TEXT)")
    conn.execute("CREATE UNIQUE INDEX contract_one ON contract(resident_id, period) WHERE deleted_at IS NULL")
    conn.execute("ALTER TABLE contract ADD COLUMN channel TEXT CHECK (channel IN ('app', 'paper'))")
    problems = schema_differences(conn, REGISTRY)
    assert "table house_call: in the schema, not in the registry" in problems
    assert any(p.startswith("column resident.weight_g: the schema has") for p in problems)
    assert any(p.startswith("table contract: unique indexes") and "contract_one" in p for p in problems)
    assert "column contract.channel: a CHECK the registry does not know" in problems


def test_a_changed_check_or_default_is_found() -> None:
    conn = migrated()
    conn.execute("DROP TABLE outbox")
    conn.execute("""CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, mutation_id TEXT NOT NULL UNIQUE,
        table_name TEXT NOT NULL, row_id TEXT NOT NULL, op TEXT NOT NULL CHECK (op IN ('upsert', 'delete', 'merge')),
        payload TEXT NOT NULL, base_version INTEGER NOT NULL DEFAULT 0, user_id TEXT, device_time TEXT NOT NULL,
        rejected_code TEXT, rejected_message TEXT)""")
    problems = schema_differences(conn, REGISTRY)
    assert any(p.startswith("column outbox.op: CHECK ('upsert', 'delete', 'merge')") for p in problems)
    assert any(p.startswith("column outbox.base_version: the schema has") for p in problems)


def test_allowed_values_are_the_domain_modules_constants() -> None:
    """One place per rule: the registry names the constant of the module that owns the rule."""
    t = REGISTRY.table
    assert t("user").column("role").allowed is users.ROLES
    assert contracts.SIGNING_ROLES is users.ROLES
    assert t("resident").column("sex").allowed is residents.SEXES
    assert t("resident").column("document_type").allowed is residents.DOCUMENT_TYPES
    assert t("resident").column("relation_to_head").allowed is residents.RELATIONS
    assert t("contract").column("status").allowed is contracts.STATUSES
    assert t("contract").column("consent").allowed is contracts.CONSENT
    assert t("contract").column("resident_group").allowed is contracts.GROUPS
    assert t("contract").column("stop_reason").allowed is contracts.STOP_REASONS
    assert t("team_member").column("role").allowed is contracts.TEAM_ROLES
    for table in ("disease_registration", "followup", "referral"):
        assert t(table).column("disease").allowed is chronic.DISEASES
    assert t("followup").column("visit_mode").allowed is chronic.VISIT_MODES
    assert t("followup").column("classification").allowed is chronic.CLASSIFICATIONS
    assert t("followup").column("classification_rule").allowed is chronic.CLASSIFICATIONS
    assert t("followup").column("referral").allowed is chronic.URGENCIES
    assert t("referral").column("urgency").allowed is chronic.URGENCIES
    assert t("referral").column("status").allowed is chronic.REFERRAL_STATUSES
    assert t("disease_registration").column("management").allowed is chronic.MANAGEMENT
    assert t("disease_registration").column("qualification_status").allowed is chronic.QUALIFICATION


def test_the_words_for_people_cover_exactly_the_allowed_values() -> None:
    """labels.py names each value the registry allows, in the same order, and no other."""
    t = REGISTRY.table
    assert tuple(labels.SEX) == t("resident").column("sex").allowed
    assert tuple(labels.DOCUMENT_TYPE) == t("resident").column("document_type").allowed
    assert tuple(labels.RELATION) == t("resident").column("relation_to_head").allowed
    assert tuple(labels.CONTRACT_STATUS) == t("contract").column("status").allowed
    assert tuple(labels.STOP_REASON) == t("contract").column("stop_reason").allowed
    assert tuple(labels.DISEASE) == t("disease_registration").column("disease").allowed
    assert tuple(labels.CLASSIFICATION) == t("followup").column("classification").allowed
    assert tuple(labels.URGENCY) == t("referral").column("urgency").allowed
    assert tuple(labels.VISIT_MODE) == t("followup").column("visit_mode").allowed
    assert tuple(labels.MED_TYPE) == t("visit").column("med_type").allowed


def test_kinds_and_the_table_lists_every_side_uses() -> None:
    assert REGISTRY.local_tables == frozenset(REGISTRY.names(Kind.LOCAL))
    assert set(REGISTRY.pulled_tables) == REGISTRY.device_tables - REGISTRY.local_tables
    assert REGISTRY.pushed_tables == protocol.CLINIC_TABLES
    assert (
        protocol.REFERENCE_TABLES
        == REGISTRY.reference_tables
        == {"service_package", "policy", "drug", "service_price"}
    )
    assert (
        protocol.APPEND_ONLY_TABLES
        == REGISTRY.append_only_tables
        == {"audit_log", "followup", "followup_drug", "visit", "visit_line", "visit_cancel"} | RX_EVENTS
    ), (
        "follow-ups, prescriptions and visits are events: a correction is a new row, signing, stopping and a reversal events"
    )
    assert protocol.SERVER_MADE_TABLES == REGISTRY.server_made_tables == {"conflict"}
    assert REGISTRY.server_owned_tables == {"clinic", "capitation_claim"}, (
        "the county makes the clinic row and the claims elsewhere; no device pushes them"
    )
    assert not REGISTRY.pushed_tables & (REGISTRY.reference_tables | REGISTRY.local_tables | {"clinic"})
    assert set(contract.TABLES) == REGISTRY.pushed_tables
    assert "drug" in REGISTRY.pulled_tables, "the drug catalog reaches every device"
    assert REGISTRY.merged_tables == {"resident"} == contract.MERGED_TABLES


def test_the_contract_is_the_registry() -> None:
    for name in REGISTRY.pushed_tables:
        table = REGISTRY.table(name)
        assert set(contract.columns(name)) == {c.name for c in table.wire_columns}, name
        assert contract.references(name) == table.references, name
        assert contract.DERIVED.get(name, frozenset()) == table.derived, name
        for c in table.wire_columns:
            wire = contract.columns(name)[c.name]
            assert wire.kind is (int if c.type == "INTEGER" else str), (name, c.name)
            assert wire.required == c.required and wire.max_length == c.text_limit, (name, c.name)
            assert (wire.minimum, wire.maximum) == (-(2**63), 2**63 - 1), (name, c.name)
    # every allowed value the registry names (issue 11, rule a), except those a domain's validator judges
    assert contract.CHOICES == {
        ("contract", "status"): contracts.STATUSES,
        ("contract", "consent"): contracts.CONSENT,
        ("contract", "resident_group"): contracts.GROUPS,
        ("contract", "stop_reason"): contracts.STOP_REASONS,
        ("team_member", "role"): contracts.TEAM_ROLES,
        ("disease_registration", "disease"): chronic.DISEASES,
        ("followup", "disease"): chronic.DISEASES,
        ("referral", "disease"): chronic.DISEASES,
        ("disease_registration", "qualification_status"): chronic.QUALIFICATION,
        ("disease_registration", "management"): chronic.MANAGEMENT,
        ("disease_registration", "contact_outcome"): chronic_contacts.CONTACT_OUTCOMES,
        ("followup", "visit_mode"): chronic.VISIT_MODES,
        ("followup", "salt_intake"): chronic.SALT,
        ("followup", "target_salt_intake"): chronic.SALT,
        ("followup", "psychological"): chronic.RATING,
        ("followup", "compliance"): chronic.RATING,
        ("followup", "adherence"): chronic.ADHERENCE,
        ("followup", "glucose_method"): chronic.GLUCOSE_METHODS,
        ("followup", "foot_pulse"): chronic.FOOT_PULSE,
        ("followup", "hypoglycaemia"): chronic.HYPOGLYCAEMIA,
        ("followup", "classification"): chronic.CLASSIFICATIONS,
        ("followup", "classification_rule"): chronic.CLASSIFICATIONS,
        ("followup", "referral"): chronic.URGENCIES,
        ("referral", "urgency"): chronic.URGENCIES,
        ("referral", "status"): chronic.REFERRAL_STATUSES,
        ("prescription", "disease"): chronic.DISEASES,
        ("prescription", "status_on_issue"): prescriptions.STATUSES_ON_ISSUE,
        ("prescription_event", "kind"): prescriptions.EVENT_KINDS,
        ("prescription_item", "route"): prescriptions.ROUTES,
        ("visit", "med_type"): settlement.MED_TYPES,
        ("visit", "disease"): chronic.DISEASES,
        ("visit_line", "kind"): R.VISIT_LINE_KINDS,
        ("visit_line", "insurance_category"): settlement.CATEGORIES,
    }
    for name in REGISTRY.reference_tables:  # the county's loaders are held to the same columns
        assert set(contract.columns(name)) == {c.name for c in REGISTRY.table(name).wire_columns}, name
    assert (
        contract.columns("drug")["narcotic"].kind is int and contract.columns("drug")["narcotic"].maximum == 1
    )
    assert contract.UNIQUE == {
        "user": ("username", False),
        "village": ("name", True),
        "household": ("code", True),
        "team": ("name", True),
    }


def test_the_registry_is_frozen_and_checked_when_built() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        REGISTRY.tables = ()  # type: ignore[misc]
    assert isinstance(REGISTRY.tables, tuple)
    with pytest.raises(TypeError):
        REGISTRY.table("resident").by_name["note"] = Column("note")  # type: ignore[index]
    common = R.COMMON
    with pytest.raises(ValueError, match="listed twice"):
        Registry((Table("a", Kind.LOCAL, common), Table("a", Kind.LOCAL, common)))
    with pytest.raises(ValueError, match="refers to nowhere"):
        Registry((Table("a", Kind.REGISTRY, (*common, Column("b_id", refers_to="nowhere"))),))
    with pytest.raises(ValueError, match="without the values"):
        Registry((Table("a", Kind.REGISTRY, (*common, Column("kind", check=True))),))


def test_hooks_are_the_registered_functions_and_absent_elsewhere() -> None:
    hooks = REGISTRY.hooks("resident")
    assert hooks.derive is not None and hooks.index is not None and hooks.unindex is not None
    row = {"name": "张三"}
    hooks.derive(row)
    assert row == {"name": "张三", "name_pinyin": "zhangsan", "name_initials": "zs"}
    assert REGISTRY.hooks("village") == R.NO_HOOKS == REGISTRY.hooks("no_such_table")
    assert REGISTRY.table("resident").derived == {"name_pinyin", "name_initials"}


def test_a_merged_resident_is_followed_by_every_reference_to_it() -> None:
    assert sorted(REGISTRY.referring("resident")) == [
        ("capitation_claim", "resident_id"),
        ("contract", "resident_id"),
        ("disease_registration", "resident_id"),
        ("followup", "resident_id"),
        ("household", "head_resident_id"),
        ("insurance_status", "resident_id"),
        ("prescription", "resident_id"),
        ("referral", "resident_id"),
        ("visit", "resident_id"),
    ]


def test_labels_name_rows_as_before() -> None:
    assert REGISTRY.labels() == {
        "resident": "name",
        "household": "code",
        "village": "name",
        "user": "display_name",
        "clinic": "name",
        "dispensing_code": "code",
    }
    assert REGISTRY.label_query("contract") is not None and REGISTRY.label_query("audit_log") is None
    assert syncstate.row_labels  # the one user


# -- no other module lists tables --------------------------------------------------------------------------
OLD_LISTS = {
    "LOCAL_TABLES",
    "DERIVED_COLUMNS",
    "COMMON_COLUMNS",
    "PULLED_TABLES",
    "SERVER_OWNED",
    "SOFT_REFERENCES",
    "CLINIC_TABLES",
    "SERVER_MADE_TABLES",
    "APPEND_ONLY_TABLES",
    "REFERENCE_TABLES",
    "MERGED_TABLES",
    "LABEL_COLUMNS",
    "TABLES",
    "UNIQUE",
    "CHOICES",
    "DERIVED",
    "COMMON",
}
TABLE_NAMES = set(REGISTRY.names())
# Modules whose table facts come from the registry and that name no table list of their own.
DERIVING = ("clinic_app/store.py", "clinic_app/syncstate.py", "sync/protocol.py", "sync/server/contract.py")


def _sources() -> list[Path]:
    return [
        p
        for base in ("clinic_app", "sync", "ui")
        for p in sorted((ROOT / base).rglob("*.py"))
        if p.name != "registry.py" and "migrations" not in p.parts and "alembic" not in p.parts
    ]


def _table_literals(node: ast.AST) -> set[str]:
    return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and n.value in TABLE_NAMES}


def test_no_module_defines_a_table_list_of_its_own() -> None:
    """The old constants (a list of tables or a table -> fact mapping) exist only as values derived from the
    registry: an assignment to one of their names naming a table by a literal is a second copy."""
    copies = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = {t.id for t in targets if isinstance(t, ast.Name)} & OLD_LISTS
                if names and _table_literals(node.value):
                    copies.append(f"{path.relative_to(ROOT)}:{node.lineno} {sorted(names)}")
    assert copies == []


def _is_table(node: ast.AST) -> bool:
    """An expression naming a table: ``table``, ``entry.table``, ``m.table_name``..."""
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
    return name in ("table", "table_name")


def test_the_deriving_modules_name_no_tables_in_collections_or_branches() -> None:
    """store, syncstate, the protocol and the contract keep no per-table branch (`table == "resident"`) and no
    collection of table names: hooks and kinds in the registry say it."""
    found = []
    for rel in DERIVING:
        for node in ast.walk(ast.parse((ROOT / rel).read_text(encoding="utf-8"))):
            if isinstance(node, ast.Tuple | ast.List | ast.Set | ast.Dict):
                items = node.keys if isinstance(node, ast.Dict) else node.elts
                named = {i.value for i in items if isinstance(i, ast.Constant) and i.value in TABLE_NAMES}
                if len(named) >= 2:
                    found.append(f"{rel}:{node.lineno} lists {sorted(named)}")
            if isinstance(node, ast.Compare) and any(_is_table(n) for n in [node.left, *node.comparators]):
                named = {
                    n.value
                    for n in [node.left, *node.comparators]
                    if isinstance(n, ast.Constant) and n.value in TABLE_NAMES
                }
                if named:
                    found.append(f"{rel}:{node.lineno} compares a table with {sorted(named)}")
    assert found == []
