"""`clinic user …`: the clinic's user accounts."""

from __future__ import annotations

from clinic_app.cli_core import EXIT_OK, NEW_PASSWORD_ENV, Commands, Context, out, read_password


def cmd_user_add(ctx: Context) -> int:
    from clinic_app.users import add_user, validate_password, validate_role, validate_username

    a = ctx.args
    validate_username(a.name)
    validate_role(a.role)
    actor = ctx.actor()
    password = validate_password(
        read_password(NEW_PASSWORD_ENV, f"new password for {a.name}: ", confirm=True)
    )
    user = add_user(ctx.store, actor, a.name, a.role, password, display_name=a.display_name)
    out(f"user {user.username} added ({user.role})")
    return EXIT_OK


def cmd_user_list(ctx: Context) -> int:
    from clinic_app.users import list_users

    for u in list_users(ctx.store.conn, ctx.store.clinic_id):
        out(f"{u.username}\t{u.role}\t{u.display_name}")
    return EXIT_OK


def add_commands(commands: Commands) -> None:
    users = commands.group("user", "user accounts")
    p = commands.leaf(
        users, "add", cmd_user_add, f"add a user (the new password from ${NEW_PASSWORD_ENV})", writes=True
    )
    p.add_argument("name")
    p.add_argument("--role", required=True, help="village_doctor, nurse, team_member or clinic_admin")
    p.add_argument("--display-name")
    commands.leaf(users, "list", cmd_user_list, "list users")
