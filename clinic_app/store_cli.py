"""`clinic init`, `demo`, `check`, `backup`, `restore`, `setting …`: the clinic's database itself."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from clinic_app.cli_core import (
    EXIT_FAIL,
    EXIT_OK,
    PASSWORD_ENV,
    Commands,
    Context,
    err,
    out,
    read_password,
    whole,
)
from clinic_app.errors import AuthError, UsageError, ValidationError
from clinic_app.store import Store


def cmd_init(ctx: Context) -> int:
    from clinic_app.users import add_user, validate_password, validate_username

    a = ctx.args
    validate_username(a.admin)
    code = a.clinic_code.strip()
    if not code or not code.replace("-", "").isalnum() or len(code) > 32:
        raise ValidationError("clinic_code", "format", "1-32 letters, digits or dashes")
    if not a.clinic_name.strip():
        raise ValidationError("clinic_name", "required", "the clinic name is required")
    password = validate_password(read_password(PASSWORD_ENV, f"new password for {a.admin}: ", confirm=True))
    store, where = Store.initialise(ctx.db_path, code, a.clinic_name.strip(), key_file=a.key_file)
    ctx.adopt(store)
    add_user(store, None, a.admin, "clinic_admin", password)
    out(f"created {ctx.db_path} for clinic {code} {a.clinic_name.strip()}; the database key is in {where}")
    out(f"clinic admin: {a.admin}")
    return EXIT_OK


def cmd_demo(ctx: Context) -> int:
    from clinic_app.demo import DEMO_CLINIC, DEMO_USERS, create_demo_database, populate

    a = ctx.args
    if a.residents < 0 or a.residents > 1_000_000:
        raise ValidationError("residents", "range", "between 0 and 1,000,000")
    if not ctx.db_path.exists():
        key_file = a.key_file or os.environ.get("CLINIC_KEY_FILE")
        if not key_file:
            from clinic_app.keystore import keyring_usable

            if not keyring_usable():
                key_file = str(ctx.db_path.with_suffix(".key"))
        if key_file:
            create_demo_database(ctx.db_path, Path(key_file), a.residents, a.seed)
        else:
            raise ValidationError("key_file", "required", "a new demo database needs --key-file PATH")
        out(
            f"created demo clinic {DEMO_CLINIC[1]} at {ctx.db_path} with {a.residents} residents"
            + (f"; key file {key_file}" if key_file else "")
        )
        out("users: " + ", ".join(f"{u} / {p}" for u, p in DEMO_USERS.items()))
        return EXIT_OK
    actor = ctx.actor()
    made = populate(ctx.store, actor, a.residents, a.seed)
    out(f"added {made} demo residents")
    return EXIT_OK


def check_file(ctx: Context) -> None:
    """The file's own health, before anything else reads it: ``quick_check`` (``--full``: ``integrity_check``).
    Damage is raised, naming the file (and, through the command runner, the newest good backup)."""
    from clinic_app.db import page_check
    from clinic_app.health import damage_found

    problems = page_check(ctx.store.conn, full=ctx.args.full)
    if problems:
        raise damage_found(ctx.db_path, problems)


def cmd_check(ctx: Context) -> int:
    from clinic_app.db import schema_version
    from clinic_app.migrations import SCHEMA_VERSION

    check_file(ctx)
    store = ctx.store
    problems = store.reference_problems()
    version = schema_version(store.conn)
    if version != SCHEMA_VERSION:
        problems.append(f"schema version {version}, this program expects {SCHEMA_VERSION}")
    unindexed = store.conn.execute(
        """SELECT count(*) FROM resident r WHERE r.deleted_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM resident_search_key k WHERE k.resident_id = r.id)"""
    ).fetchone()[0]
    if unindexed:
        problems.append(f"{unindexed} residents have no search keys")
    counts = store.table_counts(["resident", "household", "village", "user", "outbox", "audit_log"])
    out(f"schema version {version} (current {SCHEMA_VERSION})")
    out("rows: " + ", ".join(f"{t} {n}" for t, n in counts.items()))
    aside = check_set_aside(store)
    if problems:
        for p in problems:
            err(p)
        return EXIT_FAIL
    out("integrity ok")
    return EXIT_SET_ASIDE if aside else EXIT_OK


EXIT_SET_ASIDE = 8  # the same code `clinic sync` returns for them
CHECK_EXIT_CODES = """exit codes:
  0  the database is sound
  1  a problem was found (each on its own line), or another failure
  2  usage: an unknown or missing option
  4  a wrong database key
  8  sound, but rows from the county could not be stored here and were set aside (listed above:
     table, row, the rule they broke, when); the sync goes on without them, and a corrected version
     from the county takes their place
  10 the database file is damaged: the message names it and the newest good backup
  11 the disk is full: the message names the file and the free space needed; nothing written
  130  interrupted (Ctrl+C)"""


def check_set_aside(store: Store) -> bool:
    """`clinic check`'s part on rows pulled from the county that this device set aside (clinic_app.setaside):
    one line each. True when there are any."""
    from clinic_app.setaside import set_aside_rows

    rows = set_aside_rows(store.conn)
    if not rows:
        return False
    out(
        f"{len(rows)} rows from the county could not be stored here (set aside; the sync goes on without them):"
    )
    for r in rows:
        version = f" version {r['version']}" if r["version"] is not None else ""
        out(
            f"  {r['table_name']} {r['row_id']}{version}: {r['rule']}: {r['message']} "
            f"(first {r['first_seen_at']}, last {r['seen_at']})"
        )
    return True


def cmd_backup(ctx: Context) -> int:
    from clinic_app.health import record_backup

    target = ctx.store.backup(ctx.args.file)
    record_backup(ctx.db_path, target)
    out(f"backup written to {target} (encrypted with this database's key)")
    return EXIT_OK


def cmd_restore(ctx: Context) -> int:
    from clinic_app.db import restore_file
    from clinic_app.errors import DatabaseDamaged, StoreError
    from clinic_app.health import backup_problem
    from clinic_app.keystore import load_key

    source = Path(ctx.args.file)
    key = load_key(ctx.db_path, ctx.args.key_file)  # the key this database was opened with
    if (problem := backup_problem(source, key)) is not None:
        raise StoreError(f"the backup cannot be used: {problem}")
    try:
        store = ctx.store
        actor = ctx.actor()
        if not actor.is_admin:
            raise AuthError("permission", "only a clinic admin may restore a backup")
        safety = ctx.db_path.with_name(ctx.db_path.name + ".before-restore.bak")
        if safety.exists():
            safety.unlink()
        store.backup(safety)
    except DatabaseDamaged:
        return restore_damaged_database(ctx, source, key)
    ctx.release()
    restore_file(source, ctx.db_path, key)
    restored = ctx.store  # opens, migrates an older backup, proves it is readable
    out(f"restored {ctx.db_path} from {source}; the previous database is kept as {safety}")
    out(f"residents: {restored.table_counts(['resident'])['resident']}")
    return EXIT_OK


def restore_damaged_database(ctx: Context, source: Path, key: bytes) -> int:
    """A damaged database cannot say who its admins are: the backup can. Who asks signs in against the backup's
    copy; the damaged file is moved aside, never deleted."""
    from clinic_app.health import restore_damaged
    from clinic_app.users import authenticate

    username = ctx.args.user
    if not username:
        raise UsageError(
            "--user", "no_user", "restoring changes the database: name yourself with --user NAME"
        )
    password = read_password(PASSWORD_ENV, f"password for {username}: ")

    def admin_of_backup(copy: Store) -> None:
        if not authenticate(copy, username, password).is_admin:
            raise AuthError("permission", "only a clinic admin may restore a backup")

    ctx.release()
    aside = restore_damaged(ctx.db_path, source, key, accept=admin_of_backup)
    out(f"restored {ctx.db_path} from {source}; the damaged database is kept as {aside}")
    out(f"residents: {ctx.store.table_counts(['resident'])['resident']}")
    return EXIT_OK


def cmd_setting_set(ctx: Context) -> int:
    from clinic_app.settings import set_setting

    actor = ctx.actor()
    if not actor.is_admin:
        raise AuthError("permission", "only a clinic admin may change settings")
    with ctx.store.unit(actor.id, "setting.set") as uow:
        value = set_setting(uow.conn, ctx.args.name, ctx.args.value)
        uow.summary = f"setting {ctx.args.name} = {value}"
    out(f"{ctx.args.name} = {value}")
    return EXIT_OK


def cmd_setting_list(ctx: Context) -> int:
    from clinic_app.settings import SETTINGS, get_setting

    for name, spec in SETTINGS.items():
        out(f"{name} = {get_setting(ctx.store.conn, name)}\t({spec.description})")
    return EXIT_OK


def add_commands(commands: Commands) -> None:
    leaf, sub = commands.leaf, commands.sub
    p = leaf(sub, "init", cmd_init, "create the encrypted database of a clinic and its first admin")
    p.add_argument("--clinic-code", required=True)
    p.add_argument("--clinic-name", required=True)
    p.add_argument(
        "--admin", required=True, metavar="USER", help=f"admin user name (password from ${PASSWORD_ENV})"
    )
    p = leaf(sub, "demo", cmd_demo, "make a demo clinic (or add demo residents to this one)", writes=True)
    p.add_argument("--residents", type=whole, default=2000)
    p.add_argument("--seed", type=whole, default=1)

    p = leaf(sub, "check", cmd_check, "check the file (quick_check), its references and schema version")
    p.add_argument(
        "--full",
        action="store_true",
        help="check every index against its table too (integrity_check: about 3× as long)",
    )
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.epilog = CHECK_EXIT_CODES
    p = leaf(sub, "backup", cmd_backup, "write an encrypted backup copy")
    p.add_argument("file")
    p = leaf(
        sub,
        "restore",
        cmd_restore,
        "replace the database with a good backup (clinic admin; a damaged "
        "database is kept aside, and who asks signs in against the backup)",
        writes=True,
    )
    p.add_argument("file")

    settings = commands.group("setting", "clinic settings")
    p = leaf(settings, "set", cmd_setting_set, "change a setting (clinic admin)", writes=True)
    p.add_argument("name")
    p.add_argument("value")
    leaf(settings, "list", cmd_setting_list, "show the settings")
