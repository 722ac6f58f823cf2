from __future__ import annotations

import pytest

from sync.server.cli import main


@pytest.fixture
def run(database_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    def call(*args: str, password: str | None = None) -> tuple[int, str, str]:
        if password is not None:
            monkeypatch.setenv("COUNTY_NEW_PASSWORD", password)
        argv = (
            [*args[:2], "--database-url", database_url, *args[2:]]
            if args[0] in ("clinic", "user", "device", "catalog", "policy", "conflicts")
            else [args[0], "--database-url", database_url, *args[1:]]
        )
        code = main(argv)
        out = capsys.readouterr()
        return code, out.out, out.err

    return call


def test_admin_commands_and_exit_codes(run) -> None:  # type: ignore[no-untyped-def]
    assert run("clinic", "add", "A01", "石头村卫生室")[0] == 1, "an uninitialised database is refused"
    assert run("init")[0] == 0
    assert run("init")[0] == 0, "init upgrades in place"
    assert run("clinic", "add", "A01", "石头村卫生室")[0] == 0
    code, _, err = run("clinic", "add", "A01", "又一个")
    assert code == 3 and "code:" in err and "[duplicate]" in err
    code, _, err = run("user", "add", "doc", "--role", "surgeon", "--clinic", "A01", password="doctor-pass-1")
    assert code == 3 and "[unknown_role]" in err
    code, _, err = run("user", "add", "doc", "--role", "village_doctor", password="doctor-pass-1")
    assert code == 3 and "clinic:" in err
    code, _, err = run("user", "add", "doc", "--role", "village_doctor", "--clinic", "A01", password="short")
    assert code == 3 and "password:" in err
    assert (
        run("user", "add", "doc", "--role", "village_doctor", "--clinic", "A01", password="doctor-pass-1")[0]
        == 0
    )
    assert run("user", "add", "rev", "--role", "county_reviewer", password="review-pass-1")[0] == 0
    code, out, _ = run("enroll-code", "--clinic", "A01")
    assert code == 0 and len(out.strip()) == 19 and out.count("-") == 3
    code, _, err = run("enroll-code", "--clinic", "ZZZ")
    assert code == 3 and "clinic:" in err and "[unknown]" in err
    code, out, _ = run("device", "list")
    assert code == 0 and "no devices enrolled" in out, "an empty list says so"
    code, _, err = run("device", "revoke", "no-such-device")
    assert code == 3 and "[unknown]" in err
    with pytest.raises(SystemExit) as exc:
        main(["clinic", "add"])
    assert exc.value.code == 2
    code, out, _ = run("conflicts", "list")
    assert code == 0 and "no conflicts" in out
    code, _, err = run("policy", "set", "capitation.rate_fen", "12000", "--from", "2026-13-01")
    assert code == 3 and "from:" in err
    assert run("policy", "set", "capitation.rate_fen", "12000", "--from", "2026-01-01")[0] == 0


def test_catalog_load_reports_rows(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from .test_reference import CATALOG

    assert run("init")[0] == 0
    (tmp_path / "drugs.csv").write_text(CATALOG, encoding="utf-8")
    code, out, _ = run("catalog", "load", str(tmp_path / "drugs.csv"))
    assert code == 0 and "2 rows, 2 new or changed" in out
    (tmp_path / "bad.csv").write_text("code,name\nX1,药\n", encoding="utf-8")
    code, _, err = run("catalog", "load", str(tmp_path / "bad.csv"))
    assert code == 3 and "[missing_column]" in err


def test_unreachable_database_is_a_message_not_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["init", "--database-url", "postgresql://nobody@127.0.0.1:1/none"])
    err = capsys.readouterr().err
    assert code == 1 and "cannot use the database" in err and "Traceback" not in err


def test_database_url_goes_before_the_command_too(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--database-url", database_url, "init"]) == 0
    assert main(["--database-url", database_url, "clinic", "add", "A01", "石头村卫生室"]) == 0
    assert main(["--database-url", database_url, "enroll-code", "--clinic", "A01"]) == 0
    assert main(["clinic", "add", "A02", "河西沟卫生室", "--database-url", database_url]) == 0, (
        "after it as before"
    )
    capsys.readouterr()
    unreachable = "postgresql://nobody@127.0.0.1:1/none"
    assert main(["--database-url", unreachable, "device", "list", "--database-url", database_url]) == 0, (
        "given twice, the one after the command counts"
    )
    assert main(["--database-url", database_url, "device", "list", "--database-url", unreachable]) == 1
    assert "cannot use the database" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["--database-url"], "--database-url"),
        (["--database-url", "sqlite://", "serve", "--port", "x"], "--port"),
        (["--nope", "init"], "--nope"),
    ],
)
def test_usage_errors_exit_2_naming_the_option(
    argv: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    err = capsys.readouterr().err
    assert exc.value.code == 2 and named in err and "Traceback" not in err


def test_serve_warns_when_postgresql_runs_without_autovacuum(engine) -> None:  # type: ignore[no-untyped-def]
    """Without autovacuum the record table's statistics go stale as every sync adds rows (on this machine's
    PostgreSQL each push then cost the database about half again as much CPU): the operator is told."""
    from sync.server.cli import maintenance_warning

    warning = maintenance_warning(engine)
    if engine.dialect.name != "postgresql":
        assert warning is None
        return
    with engine.connect() as conn:
        on = conn.exec_driver_sql("SHOW autovacuum").scalar_one() == "on"
    assert (warning is None) == on
    assert on or "autovacuum" in str(warning)


def test_init_and_policy_set_list_the_required_county_parameters_still_missing(run) -> None:  # type: ignore[no-untyped-def]
    from sync.server.reference import REQUIRED_POLICIES

    code, _, err = run("init")
    assert code == 0 and all(key in err for key in REQUIRED_POLICIES), err
    for key in REQUIRED_POLICIES[:-1]:
        code, _, err = run("policy", "set", key, "50", "--from", "2026-01-01")
        assert code == 0 and key not in err.split("not set yet:")[-1].split(";")[0]
    assert REQUIRED_POLICIES[-1] in err
    code, _, err = run("policy", "set", REQUIRED_POLICIES[-1], "12000", "--from", "2026-01-01")
    assert code == 0 and "not set yet" not in err


def test_the_readme_lists_every_required_county_parameter() -> None:
    from pathlib import Path

    from sync.server.reference import REQUIRED_POLICIES

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("**Required county parameters.**")[1].split("Throttling")[0]
    for key in REQUIRED_POLICIES:
        assert f"`{key.replace('.hypertension', '.<disease>').replace('.diabetes', '.<disease>')}`" in section
