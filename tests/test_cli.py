from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from clinic_app.cli import main
from clinic_app.store import Store

PW = "admin-pass-1"


class Cli:
    def __init__(
        self, tmp: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        self.db, self.key = tmp / "c.db", tmp / "c.key"
        self.capsys, self.monkeypatch = capsys, monkeypatch
        monkeypatch.setenv("CLINIC_PASSWORD", PW)

    def __call__(self, *args: str, password: str | None = None) -> tuple[int, str, str]:
        if password is not None:
            self.monkeypatch.setenv("CLINIC_PASSWORD", password)
        argv = [*args[:2], "--db", str(self.db), "--key-file", str(self.key), *args[2:]]
        if argv[0] in ("init", "check", "backup", "demo"):
            argv = [args[0], "--db", str(self.db), "--key-file", str(self.key), *args[1:]]
        code = main(argv)
        self.monkeypatch.setenv("CLINIC_PASSWORD", PW)
        out = self.capsys.readouterr()
        return code, out.out, out.err


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    c = Cli(tmp_path, capsys, monkeypatch)
    assert c("init", "--clinic-code", "C001", "--clinic-name", "石头村卫生室", "--admin", "admin")[0] == 0
    assert c("village", "add", "石头村", "--user", "admin")[0] == 0
    return c


def test_add_and_search(cli: Cli) -> None:
    code, out, _ = cli(
        "resident",
        "add",
        "--user",
        "admin",
        "--id-number",
        "11010519491231002x",
        "--name",
        "张三",
        "--phone",
        "13812345678",
        "--village",
        "石头村",
        "--household",
        "H1",
        "--relation",
        "head",
    )
    assert code == 0 and "张三" in out
    code, out, _ = cli("resident", "search", "zs", "--json")
    rows = json.loads(out)
    assert code == 0 and [r["name"] for r in rows] == ["张三"]
    assert rows[0]["id_number"] == "110105********002X", "masked unless --reveal"
    code, out, _ = cli("resident", "search", "002x", "--reveal", "--user", "admin")
    assert code == 0 and "11010519491231002X" in out


def _reveal_audits(cli: Cli) -> list[tuple[str, str, str]]:
    store = Store.open(cli.db, cli.key)
    try:
        return [
            tuple(r)
            for r in store.conn.execute(
                "SELECT created_by, summary, rows FROM audit_log WHERE action = 'resident.reveal' ORDER BY id"
            )
        ]
    finally:
        store.close()


def test_whole_id_numbers_need_a_signed_in_user_and_each_reveal_is_audited(cli: Cli) -> None:
    for number, name in (("11010519491231002X", "张三"), ("445224199202290042", "张四")):
        assert cli("resident", "add", "--user", "admin", "--id-number", number, "--name", name)[0] == 0
    code, out, err = cli("resident", "search", "zs", "--reveal")
    assert code != 0 and "--user" in err, "no whole number without someone signed in"
    assert "11010519491231002X" not in out and "445224199202290042" not in out
    code, out, err = cli("resident", "search", "zs", "--reveal", "--user", "admin", password="not-it")
    assert code == 4 and "11010519491231002X" not in out
    assert _reveal_audits(cli) == [], "nothing shown, nothing audited"

    code, out, _ = cli("resident", "search", "zs", "--reveal", "--user", "admin", "--json")
    rows = json.loads(out)
    assert code == 0 and {r["id_number"] for r in rows} == {"11010519491231002X", "445224199202290042"}
    [(who, summary, refs)] = _reveal_audits(cli)
    store = Store.open(cli.db, cli.key)
    admin = store.conn.execute("SELECT id FROM \"user\" WHERE username = 'admin'").fetchone()[0]
    store.close()
    assert who == admin and "2 whole ID number(s)" in summary and "resident search" in summary
    audit = json.loads(refs)
    assert audit["shown"] == {"resident": 2}
    assert sorted(audit["shown_refs"]) == sorted(f"resident:{r['id']}" for r in rows)

    code, out, _ = cli("resident", "search", "zs", "--json")
    assert code == 0 and all("*" in r["id_number"] for r in json.loads(out)), "masked: no sign-in asked"
    assert len(_reveal_audits(cli)) == 1, "a masked search is not a reveal"


def test_user_is_accepted_after_the_listing_commands_that_can_reveal(cli: Cli) -> None:
    assert (
        cli("resident", "add", "--user", "admin", "--id-number", "11010519491231002X", "--name", "张三")[0]
        == 0
    )
    for args in (
        ("resident", "search", "zs"),
        ("contract", "list"),
        ("worklist", "overdue"),
    ):
        code, _, err = cli(*args, "--reveal", "--user", "admin")
        assert code == 0, (args, err)
        code, _, err = cli(*args, "--reveal")
        assert code == 2 and "--user" in err, args


def test_a_role_that_may_not_see_whole_id_numbers_is_refused_and_nothing_is_audited(cli: Cli) -> None:
    from clinic_app.errors import AuthError
    from clinic_app.residents import ID_NUMBER_ROLES, reveal_id_numbers
    from clinic_app.users import COUNTY_ROLES, User

    assert not set(COUNTY_ROLES) & set(ID_NUMBER_ROLES)
    store = Store.open(cli.db, cli.key)
    try:
        with pytest.raises(AuthError) as refused:
            reveal_id_numbers(store, User("u1", "li", "李", "county_reviewer"), ["r1"], "resident search")
        assert refused.value.rule == "permission"
        count = store.conn.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'resident.reveal'"
        ).fetchone()
        assert count[0] == 0
    finally:
        store.close()


@pytest.mark.parametrize(
    ("args", "field", "rule"),
    [
        (["--id-number", "110105194912310021", "--name", "李四"], "id_number", "check_character"),
        (["--id-number", "445224199002290048", "--name", "李四"], "id_number", "birth_date_invalid"),
        (
            ["--id-number", "445224199202290042", "--name", "李四", "--village", "无名村"],
            "village",
            "unknown",
        ),
        (["--id-number", "445224199202290042", "--name", "李四", "--phone", "123"], "phone", "format"),
        (["--id-number", "445224199202290042", "--name", "李四", "--sex", "M"], "sex", "disagrees_with_id"),
    ],
)
def test_bad_input_exits_3_naming_field_and_rule_and_writes_nothing(
    cli: Cli, args: list[str], field: str, rule: str
) -> None:
    store = Store.open(cli.db, cli.key)
    before = store.table_counts(["resident", "outbox", "audit_log"])
    store.close()
    code, _, err = cli("resident", "add", "--user", "admin", *args)
    assert code == 3
    assert f"{field}:" in err and f"[{rule}]" in err
    store = Store.open(cli.db, cli.key)
    assert store.table_counts(["resident", "outbox", "audit_log"]) == before
    store.close()


def test_duplicate_id_number_exits_3(cli: Cli) -> None:
    cli("resident", "add", "--user", "admin", "--id-number", "11010519491231002X", "--name", "张三")
    code, _, err = cli(
        "resident", "add", "--user", "admin", "--id-number", "11010519491231002x", "--name", "张三丰"
    )
    assert code == 3 and "id_number:" in err and "[duplicate]" in err and "张三" in err


def test_wrong_password_exits_4(cli: Cli) -> None:
    code, _, err = cli(
        "resident",
        "add",
        "--user",
        "admin",
        "--id-number",
        "11010519491231002X",
        "--name",
        "张三",
        password="not-it",
    )
    assert code == 4 and "wrong user name or password" in err


def test_a_changing_command_without_user_is_a_usage_error_exit_2_naming_the_option(cli: Cli) -> None:
    """README and `--help`: 2 is usage, "an unknown or missing option"; 4 is a wrong password or key."""
    code, _, err = cli("resident", "add", "--id-number", "11010519491231002X", "--name", "张三")
    assert code == 2 and "--user" in err
    assert "张三" not in cli("resident", "search", "zs")[1], "nothing written"


def test_wrong_key_exits_4(cli: Cli, tmp_path: Path) -> None:
    other = tmp_path / "other.key"
    other.write_text("ab" * 32 + "\n")
    code = main(["check", "--db", str(cli.db), "--key-file", str(other)])
    err = cli.capsys.readouterr().err
    assert code == 4 and "cannot be opened with this key" in err


def test_usage_errors_exit_2(cli: Cli) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["resident", "add", "--db", str(cli.db)])  # --name missing
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["export", "residents", "--format", "pdf"])
    assert exc.value.code == 2


def test_init_without_keyring_or_key_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    monkeypatch.setenv("CLINIC_PASSWORD", PW)
    try:
        code = main(
            [
                "init",
                "--db",
                str(tmp_path / "x.db"),
                "--clinic-code",
                "C1",
                "--clinic-name",
                "卫生室",
                "--admin",
                "admin",
            ]
        )
    finally:
        keyring.set_keyring(previous)
    assert code == 2 and "--key-file" in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()


def _write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> None:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)


GOOD_ROWS = [
    ["身份证号", "姓名", "电话", "村", "户号", "与户主关系"],
    ["11010519491231002X", "张三", "13812345678", "石头村", "H1", "户主"],
    ["445224199202290042", "李四", "", "石头村", "H1", "配偶"],
]


def test_import_csv_all_or_nothing_with_row_and_column_report(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    _write_csv(
        path,
        [
            *GOOD_ROWS,
            ["110105194912310021", "王五", "", "石头村", "H2", ""],
            ["440883203001011235", "赵六", "", "无名村", "H3", "", "extra"],
            ["11010519491231002x", "张三重复", "", "石头村", "H1", ""],
        ],
    )
    code, _, err = cli("import", "residents", str(path), "--user", "admin")
    assert code == 3
    assert "row 4, column 身份证号:" in err and "[check_character]" in err, "the column as the file names it"
    assert "row 5, column *:" in err and "[column_count]" in err
    assert "row 6, column 身份证号: the same resident as row 2" in err
    assert "nothing was imported" in err
    store = Store.open(cli.db, cli.key)
    assert store.table_counts(["resident", "household"]) == {"resident": 0, "household": 0}
    store.close()
    code, out, err = cli("import", "residents", str(path), "--user", "admin", "--skip-invalid")
    assert code == 0 and "imported 2 new residents, updated 0, 0 unchanged, skipped 3 invalid rows" in out
    store = Store.open(cli.db, cli.key)
    assert store.table_counts(["resident", "household"]) == {"resident": 2, "household": 1}
    store.close()


def test_import_unknown_village_is_reported(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    _write_csv(path, [["id_number", "name", "village"], ["11010519491231002X", "张三", "无名村"]])
    code, _, err = cli("import", "residents", str(path), "--user", "admin")
    assert code == 3 and "row 2, column village: no village called 无名村" in err


def test_import_gb18030_csv_as_excel_saves_it(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    _write_csv(path, GOOD_ROWS, encoding="gb18030")
    code, out, _ = cli("import", "residents", str(path), "--user", "admin")
    assert code == 0 and "imported 2" in out
    assert "张三" in cli("resident", "search", "张三")[1]


def test_import_xlsx_with_numbers_typed_as_numbers(cli: Cli, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["name", "id_number", "phone", "village"])
    sheet.append(["张三", "11010519491231002X", 13812345678, "石头村"])
    book.save(tmp_path / "in.xlsx")
    code, _, err = cli("import", "residents", str(tmp_path / "in.xlsx"), "--user", "admin")
    assert code == 0, err
    assert "张三" in cli("resident", "search", "5678")[1]


def test_export_round_trips_through_import(
    cli: Cli, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_csv(tmp_path / "in.csv", GOOD_ROWS)
    cli("import", "residents", str(tmp_path / "in.csv"), "--user", "admin")
    code, out, _ = cli("export", "residents", "--format", "json", "--user", "admin")
    assert code == 0 and {r["name"] for r in json.loads(out)} == {"张三", "李四"}
    for fmt in ("csv", "xlsx"):
        target = tmp_path / f"out.{fmt}"
        assert cli("export", "residents", "--format", fmt, "-o", str(target), "--user", "admin")[0] == 0
        assert target.stat().st_mode & 0o077 == 0, "exported ID numbers readable by the owner only"
    sheet = load_workbook(tmp_path / "out.xlsx").active
    assert sheet["A1"].value == "姓名" and sheet.max_row == 3
    other = Cli(tmp_path / "second", capsys, monkeypatch)
    (tmp_path / "second").mkdir()
    other("init", "--clinic-code", "C2", "--clinic-name", "二号", "--admin", "admin")
    other("village", "add", "石头村", "--user", "admin")
    for fmt in ("csv", "xlsx"):
        if fmt == "xlsx":
            shutil.rmtree(tmp_path / "second")
            (tmp_path / "second").mkdir()
            other("init", "--clinic-code", "C2", "--clinic-name", "二号", "--admin", "admin")
            other("village", "add", "石头村", "--user", "admin")
        code, out, err = other("import", "residents", str(tmp_path / f"out.{fmt}"), "--user", "admin")
        assert code == 0 and "imported 2" in out, err
    store = Store.open(cli.db, cli.key)
    assert (
        store.conn.execute("SELECT count(*) FROM audit_log WHERE action = 'resident.export'").fetchone()[0]
        == 3
    )
    store.close()


def test_demo_check_backup_restore(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, key = tmp_path / "demo.db", tmp_path / "demo.key"
    assert main(["demo", "--db", str(db), "--key-file", str(key), "--residents", "300", "--seed", "7"]) == 0
    assert "admin / admin1234" in capsys.readouterr().out
    assert main(["check", "--db", str(db), "--key-file", str(key)]) == 0
    assert "resident 300" in capsys.readouterr().out
    backup = tmp_path / "b.db"
    assert main(["backup", str(backup), "--db", str(db), "--key-file", str(key)]) == 0
    monkeypatch.setenv("CLINIC_PASSWORD", "admin1234")
    assert (
        main(["demo", "--db", str(db), "--key-file", str(key), "--residents", "50", "--user", "admin"]) == 0
    )
    assert main(["restore", str(backup), "--db", str(db), "--key-file", str(key), "--user", "admin"]) == 0
    out = capsys.readouterr().out
    assert "residents: 300" in out
    monkeypatch.setenv("CLINIC_PASSWORD", "doctor1234")
    assert main(["restore", str(backup), "--db", str(db), "--key-file", str(key), "--user", "doctor"]) == 4


def test_demo_data_is_realistic(tmp_path: Path) -> None:
    from clinic_app.demo import create_demo_database
    from clinic_app.idcard import parse_id_number

    create_demo_database(tmp_path / "d.db", tmp_path / "d.key", residents=400, seed=3)
    store = Store.open(tmp_path / "d.db", tmp_path / "d.key")
    rows = store.conn.execute("SELECT * FROM resident").fetchall()
    assert len(rows) == 400
    for r in rows:
        parsed = parse_id_number(r["id_number"])
        assert (parsed.sex, parsed.birth_date.isoformat()) == (r["sex"], r["birth_date"])
        assert 2 <= len(r["name"]) <= 3
    heads = store.conn.execute(
        "SELECT count(*) FROM household h JOIN resident r ON r.id = h.head_resident_id "
        "AND r.relation_to_head = 'head'"
    ).fetchone()[0]
    assert heads == store.table_counts(["household"])["household"]
    ages = sorted(2026 - int(r["birth_date"][:4]) for r in rows)
    assert ages[0] < 18 and ages[-1] > 65, "children and elderly"
    assert store.integrity() == []
    store.close()


def test_setting_changes_need_an_admin(cli: Cli) -> None:
    assert cli("setting", "set", "idle_lock_seconds", "300", "--user", "admin")[0] == 0
    code, _, err = cli("setting", "set", "idle_lock_seconds", "1", "--user", "admin")
    assert code == 3 and "idle_lock_seconds:" in err and "[range]" in err
    assert "idle_lock_seconds = 300" in cli("setting", "list")[1]


def test_console_script_exit_codes(cli: Cli) -> None:
    exe = Path(sys.executable).with_name("clinic")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "clinic_app.cli"]
    result = subprocess.run(
        [
            *command,
            "resident",
            "add",
            "--db",
            str(cli.db),
            "--key-file",
            str(cli.key),
            "--user",
            "admin",
            "--id-number",
            "110105194912310021",
            "--name",
            "李四",
        ],
        capture_output=True,
        text=True,
        env={"CLINIC_PASSWORD": PW, "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 3, result.stderr
    assert "id_number:" in result.stderr and "Traceback" not in result.stderr


# -- global options, as people type them ----------------------------------------------------------
def test_global_options_go_before_the_command(cli: Cli) -> None:
    where = ["--db", str(cli.db), "--key-file", str(cli.key)]
    assert main([*where, "check"]) == 0
    assert main([*where, "--user", "admin", "village", "add", "河东屯"]) == 0
    assert (
        main(
            [
                *where,
                "--user",
                "admin",
                "resident",
                "add",
                "--id-number",
                "11010519491231002X",
                "--name",
                "张三",
            ]
        )
        == 0
    )
    cli.capsys.readouterr()
    assert main([*where, "resident", "search", "zs", "--json"]) == 0
    assert [r["name"] for r in json.loads(cli.capsys.readouterr().out)] == ["张三"]
    assert main(["--db", str(cli.db), "village", "list", "--key-file", str(cli.key)]) == 0, "or split"
    assert "河东屯" in cli.capsys.readouterr().out


def test_an_option_given_before_and_after_the_command_counts_after(cli: Cli, tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere.db")
    assert main(["--db", missing, "check", "--db", str(cli.db), "--key-file", str(cli.key)]) == 0
    assert not Path(missing).exists()
    cli.capsys.readouterr()
    code = main(["--db", str(cli.db), "--key-file", str(cli.key), "check", "--db", missing])
    assert code != 0 and "nowhere.db" in cli.capsys.readouterr().err, "the one after the command was used"
    code = main(
        [
            "--db",
            str(cli.db),
            "--key-file",
            str(cli.key),
            "--user",
            "nobody",
            "village",
            "add",
            "X",
            "--user",
            "admin",
        ]
    )
    assert code == 0


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["--db"], "--db"),
        (["--db", "x.db", "--key-file"], "--key-file"),
        (["--db", "x.db", "ledger"], "--period"),
        (["--db", "x.db", "ledger", "--period", "next"], "--period"),
        (["--bogus", "check"], "--bogus"),
        (["--db", "x.db", "export", "residents", "--format", "csv", "--headers", "fr"], "--headers"),
    ],
)
def test_usage_errors_exit_2_naming_the_option(
    argv: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    err = capsys.readouterr().err
    assert exc.value.code == 2 and named in err and "Traceback" not in err


# -- what a doctor reads --------------------------------------------------------------------------
def test_human_output_shows_chinese_values_json_keeps_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from clinic_app.demo import create_demo_database

    db, key = tmp_path / "d.db", tmp_path / "d.key"
    create_demo_database(db, key, residents=80, seed=4)
    where = ["--db", str(db), "--key-file", str(key)]
    assert main(["resident", "search", "1", "--limit", "20", *where]) == 0
    lines = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert lines and {cells[1] for cells in lines} <= {"男", "女"}, "sex as 男/女, not M/F"
    assert main(["resident", "search", "1", "--limit", "20", "--json", *where]) == 0
    assert {r["sex"] for r in json.loads(capsys.readouterr().out)} <= {"M", "F"}

    assert main(["contract", "list", *where]) == 0
    listed = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    statuses = {cells[2] for cells in listed}
    assert statuses and statuses <= {"待确认", "有效", "已解约", "已到期", "有冲突"}
    packages = {cells[6] for cells in listed}
    assert "基础包" in {p for text in packages for p in text.split("、")}, (
        "packages by name, as on the screen"
    )
    assert not any(code in text for text in packages for code in ("BASIC", "ELDERLY", "+"))
    assert main(["contract", "list", "--json", *where]) == 0
    contracts = json.loads(capsys.readouterr().out)
    assert {c["status"] for c in contracts} <= {"provisional", "active", "terminated", "expired", "conflict"}
    active = next(c for c in contracts if c["status"] == "active")
    monkeypatch.setenv("CLINIC_PASSWORD", "doctor1234")
    assert (
        main(["contract", "terminate", active["id"], "--reason", "moved_away", "--user", "doctor", *where])
        == 0
    )
    assert "terminated (迁出)" in capsys.readouterr().out


# -- sign and sync on a device never enrolled -----------------------------------------------------
@pytest.fixture
def without_pydantic(monkeypatch: pytest.MonkeyPatch) -> None:
    """As an installation that lacks pydantic (the sync protocol's types): importing it fails."""
    import sync

    monkeypatch.setitem(sys.modules, "pydantic", None)
    for name in [
        m for m in sys.modules if m == "sync.client" or m == "sync.protocol" or m.startswith("pydantic.")
    ]:
        monkeypatch.delitem(sys.modules, name)
    for name in ("client", "protocol"):  # `from sync import protocol` would find the module loaded before
        monkeypatch.delattr(sync, name, raising=False)


@pytest.fixture
def never_enrolled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from clinic_app.demo import create_demo_database

    db, key = tmp_path / "d.db", tmp_path / "d.key"
    create_demo_database(db, key, residents=60, seed=5)
    monkeypatch.setenv("CLINIC_PASSWORD", "doctor1234")
    return ["--db", str(db), "--key-file", str(key)]


def _unsigned(where: list[str]) -> tuple[str, str]:
    """A new resident's ID number and a new household's code (its one member a new resident too)."""
    store = Store.open(Path(where[1]), Path(where[3]))
    try:
        village = ["--village", store.conn.execute("SELECT name FROM village LIMIT 1").fetchone()[0]]
    finally:
        store.close()
    assert (
        main(
            [
                "resident",
                "add",
                "--id-number",
                "11010519491231002X",
                "--name",
                "张三",
                *village,
                "--user",
                "doctor",
                *where,
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "resident",
                "add",
                "--id-number",
                "445224199202290042",
                "--name",
                "李四",
                *village,
                "--household",
                "NEW1",
                "--relation",
                "head",
                "--user",
                "doctor",
                *where,
            ]
        )
        == 0
    )
    return "11010519491231002X", "NEW1"


def test_sync_on_a_never_enrolled_device_says_so_with_exit_4(
    never_enrolled: list[str], without_pydantic: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from sync.client_cli import main as clinic

    assert clinic(["sync", *never_enrolled]) == 4
    err = capsys.readouterr().err
    assert "not enrolled" in err and "clinic enroll" in err and "Traceback" not in err


def test_sign_on_a_never_enrolled_device_is_provisional_without_the_sync_machinery(
    never_enrolled: list[str], without_pydantic: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from sync.client_cli import main as clinic

    resident, household = _unsigned(never_enrolled)
    signing = _signing(never_enrolled)
    assert clinic(["contract", "sign", "--resident", resident, *signing, *never_enrolled]) == 0
    assert "provisional" in capsys.readouterr().out
    assert clinic(["contract", "sign-household", "--household", household, *signing, *never_enrolled]) == 0
    assert "provisional" in capsys.readouterr().out
    assert "sync.client" not in sys.modules


def test_a_command_needing_a_missing_package_names_it(
    never_enrolled: list[str], without_pydantic: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from sync.client_cli import main as clinic

    code = clinic(["enroll", *never_enrolled, "--server", "https://county.example", "--code", "ABCD"])
    err = capsys.readouterr().err
    assert code == 1 and "'pydantic'" in err and "clinic enroll" in err and "Traceback" not in err


def _signing(where: list[str]) -> list[str]:
    period = str(_period(where))
    return [
        "--team",
        "家庭医生一队",
        "--package",
        "BASIC",
        "--period",
        period,
        "--witness",
        "王护士",
        "--user",
        "doctor",
    ]


def _period(where: list[str]) -> int:
    store = Store.open(Path(where[1]), Path(where[3]))
    try:
        return int(store.conn.execute("SELECT max(period) FROM contract").fetchone()[0])
    finally:
        store.close()


def test_a_file_that_cannot_be_written_is_a_message_not_a_traceback(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "register.csv"
    code, _, err = cli("export", "residents", "--format", "csv", "-o", str(target), "--user", "admin")
    assert code == 3 and f"the folder {target.parent} does not exist" in err, (
        "invalid input: the folder named"
    )
    assert not target.parent.exists()


# -- how the command line is put together (issue 10, point 2) --------------------------------------------
ROOT = Path(__file__).resolve().parents[1]
CLI_MODULES = sorted([*(ROOT / "clinic_app").glob("*cli*.py"), ROOT / "sync" / "client_cli.py"])


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _imports(path: Path) -> set[str]:
    """Every module this file imports, at its top or inside a function (``from X import y`` counts X, and
    X.y when that is a module of the project)."""
    import ast

    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


def test_the_command_modules_import_each_other_in_no_cycle() -> None:
    names = {_module_name(p): p for p in CLI_MODULES}
    graph = {name: sorted(_imports(path) & names.keys()) for name, path in names.items()}

    def cycle_from(start: str) -> list[str] | None:
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for nxt in graph[node]:
                if nxt == start:
                    return [*path, start]
                if nxt not in path:
                    stack.append((nxt, [*path, nxt]))
        return None

    assert {name: cycle for name in graph if (cycle := cycle_from(name))} == {}


def test_no_command_module_sets_another_modules_names_or_reaches_its_private_ones() -> None:
    import ast

    found: list[str] = []
    for path in CLI_MODULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {
            (a.asname or a.name).split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for a in node.names
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:  # a name of an imported module (or class) set from here: a hook
                    if (
                        isinstance(t, ast.Attribute)
                        and isinstance(t.value, ast.Name)
                        and t.value.id in imported
                    ):
                        found.append(f"{path.name}:{node.lineno}: sets {ast.unparse(t)}")
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
            ):
                found.append(f"{path.name}:{node.lineno}: reaches {ast.unparse(node)}")
    assert found == []


def test_each_domain_registers_its_own_commands() -> None:
    import argparse

    from clinic_app import (
        chronic_cli,
        cli,
        contract_cli,
        report_cli,
        resident_cli,
        rx_cli,
        store_cli,
        user_cli,
        visit_cli,
    )
    from clinic_app.cli_core import build_parser
    from sync import client_cli

    def commands(*modules: object) -> set[str]:
        parser = build_parser(modules)  # type: ignore[arg-type]
        [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        return set(sub.choices)

    assert commands(user_cli) == {"user"}
    assert commands(resident_cli) == {"village", "resident", "import", "export"}
    assert commands(contract_cli) == {"team", "contract", "insurance", "ledger"}
    assert commands(chronic_cli) == {"chronic", "followup", "referral", "worklist"}
    assert commands(report_cli) == {"report"}
    assert commands(store_cli) == {"init", "demo", "check", "backup", "restore", "setting"}
    assert commands(rx_cli) == {"catalog", "rx"}
    assert commands(client_cli) == {"enroll", "sync"}
    assert commands(visit_cli) == {"prices", "visit"}  # `report day`: a leaf of report_cli's group
    assert commands(*cli.COMMANDS) == {
        "prices",
        "visit",
        "report",
        "chronic",
        "followup",
        "referral",
        "worklist",
        "user",
        "village",
        "resident",
        "import",
        "export",
        "team",
        "contract",
        "insurance",
        "ledger",
        "init",
        "demo",
        "check",
        "backup",
        "restore",
        "setting",
        "catalog",
        "rx",
    }


def test_an_export_without_user_says_it_is_audited_not_that_it_changes_data(cli: Cli) -> None:
    code, out, err = cli("export", "residents", "--format", "json")
    assert code == 2 and out == ""  # a missing --user: usage
    assert "an export is recorded in the audit log" in err and "--user NAME" in err
    assert "changes data" not in err
    assert cli("village", "add", "新村")[2].count("this command changes data") == 1, "a write still says so"


def test_the_help_of_sync_documents_every_exit_code_it_can_return(
    never_enrolled: list[str], without_pydantic: None, capsys: pytest.CaptureFixture[str]
) -> None:
    import re

    from sync.client_cli import main as clinic

    with pytest.raises(SystemExit):
        clinic(["sync", "--help"])
    helptext = capsys.readouterr().out
    documented = {int(n) for n in re.findall(r"^\s+(\d+)\s{2}", helptext, flags=re.M)}
    assert {0, 1, 2, 3, 4, 5, 6, 7, 8, 9} <= documented, helptext
    assert re.search(r"^\s+4\s+enroll again: this device was never enrolled", helptext, flags=re.M)
    assert clinic(["sync", *never_enrolled]) == 4, "what a never-enrolled device returns is documented"
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("`clinic sync` exits") :][:1600]
    for code in (0, 1, 2, 3, 4, 5, 6, 7, 8, 9):
        assert f"`{code}`" in section, f"the README documents exit {code} of clinic sync"


def test_check_lists_the_rows_from_the_county_set_aside_here_and_exits_8(cli: Cli) -> None:
    from clinic_app.syncstate import apply_pull_pages

    assert cli("check")[0] == 0
    store = Store.open(cli.db, cli.key)
    try:
        row_id = "01a30000-0000-7000-8000-0000000000b1"
        stamp = "2026-11-30T08:00:00Z"
        change = {
            "table": "village",
            "row_id": row_id,
            "op": "upsert",
            "version": 4,
            "row": {
                "id": row_id,
                "clinic_id": store.clinic_id,
                "created_at": stamp,
                "updated_at": stamp,
                "name": "石头村",
                "code": None,
            },
        }  # the name this clinic holds already
        apply_pull_pages(store, [([change], "c1")])
    finally:
        store.close()
    cli.capsys.readouterr()  # the pull's own warning
    code, out, err = cli("check")
    assert code == 8 and err == ""
    assert "1 rows from the county could not be stored here" in out
    assert (
        f"village {row_id} version 4: unique: IntegrityError: UNIQUE constraint failed: village.clinic_id, village.name"
        in out
    )
    assert "integrity ok" in out


def test_a_backup_into_a_folder_that_does_not_exist_is_refused_and_writes_nothing(
    cli: Cli, tmp_path: Path
) -> None:
    folder = tmp_path / "media" / "usb"  # the stick is not mounted
    code, out, err = cli("backup", str(folder / "x.db"))
    assert code == 3, "invalid input"
    assert str(folder) in err and "does not exist" in err and "backup written" not in out
    assert not folder.exists() and not folder.parent.exists(), "no folder made on the same disk"


def test_a_backup_to_a_place_it_cannot_write_is_one_clear_line_and_no_file(cli: Cli) -> None:
    code, out, err = cli("backup", "/proc/clinic.db")
    assert code != 0 and "backup written" not in out
    assert err.startswith("clinic: cannot write the backup to /proc/clinic.db: "), err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not Path("/proc/clinic.db").exists()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_export_into_a_folder_that_does_not_exist_is_one_clear_line_and_no_traceback(
    cli: Cli, tmp_path: Path, fmt: str
) -> None:
    exe = Path(sys.executable).with_name("clinic")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "clinic_app.cli"]
    target = tmp_path / "MISSING_DIR" / f"x.{fmt}"
    result = subprocess.run(
        [
            *command,
            "export",
            "residents",
            "--db",
            str(cli.db),
            "--key-file",
            str(cli.key),
            "--user",
            "admin",
            "--format",
            fmt,
            "-o",
            str(target),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "CLINIC_PASSWORD": PW},
        timeout=60,
    )
    assert result.returncode == 3, result.stderr
    assert result.stderr.strip().splitlines() == [
        f"clinic: output: the folder {target.parent} does not exist (is the USB stick or the drive plugged in?); "
        "nothing written [folder_missing]"
    ], result.stderr
    assert not target.parent.exists()


def test_a_second_head_of_a_household_is_refused_naming_the_current_head(cli: Cli) -> None:
    add = [
        "resident",
        "add",
        "--user",
        "admin",
        "--village",
        "石头村",
        "--household",
        "H1",
        "--relation",
        "head",
    ]
    assert cli(*add, "--id-number", "11010519491231002x", "--name", "张三")[0] == 0
    code, _out, err = cli(*add, "--id-number", "445224199202290042", "--name", "张小")
    assert code == 3 and "relation_to_head" in err and "second_head" in err
    assert "household H1 has a head already, 张三" in err and "张三's relation" in err
    assert "张小" not in cli("resident", "search", "zx")[1], "nothing written"


def test_the_readme_demo_recipe_works_on_the_demo_clinic_and_names_every_demo_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import shlex

    from clinic_app.demo import DEMO_USERS, create_demo_database

    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Trying the `clinic` command on the demo clinic", 1)[1].split("\n### ", 1)[0]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    demo = (
        home / ".local" / "share" / "village-clinic" / "demo"
    )  # where `clinic-app --demo` keeps it (ui/app.py)
    demo.mkdir(parents=True)
    create_demo_database(demo / "clinic.db", demo / "demo.key", residents=60, seed=1)
    commands = []
    for line in block.splitlines():
        words = shlex.split(line, comments=True)
        if words and words[0] == "export":
            name, value = words[1].split("=", 1)
            monkeypatch.setenv(name, str(Path(value).expanduser()))
        elif words and words[0] == "clinic":
            commands.append(words[1:])
    assert commands, "the recipe runs clinic commands"
    for words in commands:
        assert main(words) == 0, (words, capsys.readouterr().err)
    for user, password in DEMO_USERS.items():
        assert f"`{user} / {password}`" in section, f"the README names the demo user {user}"
        assert f"{user} / {password}" in (root / "dev.sh").read_text(encoding="utf-8"), (
            f"dev.sh announces {user}"
        )


def test_a_sign_the_county_asked_to_wait_for_says_so_and_why(
    never_enrolled: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Not "offline": the doctor is told the county asked to wait, and the contract is provisional."""
    from clinic_app.cli import main as offline_clinic
    from sync.client import Throttled

    def throttled(_number: str, _period: str) -> dict[str, object]:
        raise Throttled("the county asked this device to wait 40 s: too many lookups", "lookup_throttled", 40)

    resident, _household = _unsigned(never_enrolled)
    argv = ["contract", "sign", "--resident", resident, *_signing(never_enrolled), *never_enrolled]
    assert offline_clinic(argv, county_lookup=lambda _store: throttled) == 0
    out = capsys.readouterr().out
    assert "provisional: the county could not be asked (the county asked this device to wait 40 s" in out
    assert "offline" not in out


def test_county_server_without_the_server_packages_says_which_and_how_to_install_them(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The desktop's plain install has the `county-server` command but not SQLAlchemy: a message, exit 1."""
    from sync.server import cli as server_cli

    monkeypatch.setitem(sys.modules, "sqlalchemy", None)
    for name in [m for m in sys.modules if m.startswith("sqlalchemy.") or m == "sync.server.db"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.delattr("sync.server.db", raising=False)
    code = server_cli.main(["--database-url", f"sqlite:///{tmp_path / 'c.db'}", "init"])
    err = capsys.readouterr().err
    assert code == 1 and "'sqlalchemy'" in err and ".[server]" in err and "Traceback" not in err


def readme_clinic_examples() -> list[str]:
    """Every `clinic …` line of the README's shell blocks, continuation lines joined."""
    import re

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", readme, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            if line.startswith("clinic "):
                lines.append(line)
    return lines


def test_every_clinic_example_of_the_readme_parses_as_written() -> None:
    """Options where the README shows them: an optional part `[--json]` typed, the first of `a|b`; a line whose
    arguments are elided (`…`) is left out, the examples around it show them whole."""
    import re
    import shlex

    from clinic_app.cli import COMMANDS
    from clinic_app.cli_core import build_parser
    from sync import client_cli

    parser = build_parser((*COMMANDS, client_cli))
    examples = readme_clinic_examples()
    assert len(examples) > 40 and any("search zs" in e for e in examples)
    parsed = 0
    commands = set()
    for line in examples:
        command = re.sub(r"\[--[\w-]+( \w+)? …\]", "", line)  # `[--trace-code …]`: one more of the same
        command = re.sub(r"\[([^\]]*)\]", r"\1", command)  # the optional parts typed
        command = re.sub(r"(\w)\|[\w|-]+", r"\1", command)  # renew|terminate|transfer: the first
        words = shlex.split(command, comments=True)[1:]
        if "…" in words:
            continue
        try:
            parser.parse_args(words)
        except SystemExit:
            pytest.fail(f"the README's example does not parse: {line}")
        parsed += 1
        commands.add(tuple(words[:2]))
    assert parsed >= len(examples) - 2
    assert ("contract", "renew") in commands, "renew is shown whole, with the --witness it requires"


def test_signing_on_a_clinic_without_packages_says_they_come_from_the_county(cli: Cli) -> None:
    """README chain on a `clinic init` clinic: no packages until the county sends them."""
    cli.monkeypatch.setenv("CLINIC_NEW_PASSWORD", "doctor-pass-1")
    assert cli("user", "add", "doctor", "--role", "village_doctor", "--user", "admin")[0] == 0
    resident = ["--id-number", "11010519491231002X", "--name", "张三", "--village", "石头村"]
    assert cli("resident", "add", "--user", "admin", *resident)[0] == 0
    assert cli("team", "add", "一队", "--lead", "doctor", "--user", "admin")[0] == 0
    code, _, err = cli(
        "contract", "sign", "--resident", "11010519491231002X", "--team", "一队", "--package", "BASIC",
        "--period", "2026", "--witness", "王护士", "--user", "admin",
    )  # fmt: skip
    assert code == 3 and "[ineligible]" in err, err
    assert "this clinic has no service packages yet" in err and "clinic enroll" in err
