"""`clinic catalog load`, `clinic rx …`, `clinic worklist refills`: the drug catalog of a clinic without a county and
long-term prescriptions on the command line (issue 13 point 6; the rules are clinic_app.prescriptions', the records
clinic_app.rx_records')."""

from __future__ import annotations

from pathlib import Path

from clinic_app import catalog, drugs
from clinic_app.cli_core import Commands, Context, out
from clinic_app.errors import AuthError


def cmd_catalog_load(ctx: Context) -> int:
    actor = ctx.actor()
    if not actor.is_admin:
        raise AuthError(
            "permission", f"only a clinic admin may load the drug catalog; {actor.username} is {actor.role}"
        )
    rows, changed = catalog.install_catalog(ctx.store, drugs.read_catalog_file(Path(ctx.args.file)))
    out(f"drug catalog: {rows} rows, {changed} new or changed")
    return 0


def add_commands(commands: Commands) -> None:
    leaf = commands.leaf
    group = commands.group("catalog", "the drug catalog (a clinic not joined to a county)")
    p = leaf(
        group,
        "load",
        cmd_catalog_load,
        "load the drug catalog from a CSV file, all rows or none (the columns of `county-server catalog load`)",
        writes=True,
    )
    p.add_argument("file", metavar="FILE")
