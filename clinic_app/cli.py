"""`clinic` without the network: the parser of every command, built from ``COMMANDS`` — each domain's
commands live with the domain and register themselves (``add_commands``). `clinic` as installed is
sync/client_cli.py, which adds the commands that need the network (`enroll`, `sync`) and the county's lookup."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from clinic_app import (
    chronic_cli,
    contract_cli,
    report_cli,
    resident_cli,
    rx_cli,
    store_cli,
    user_cli,
    visit_cli,
)
from clinic_app.cli_core import CommandModule, CountyLookup, default_db_path, run

__all__ = ["COMMANDS", "default_db_path", "main"]

COMMANDS: tuple[CommandModule, ...] = (
    store_cli,
    contract_cli,
    user_cli,
    resident_cli,
    chronic_cli,
    rx_cli,
    visit_cli,
    report_cli,
)


def main(
    argv: Sequence[str] | None = None,
    extra: Sequence[CommandModule] = (),
    county_lookup: CountyLookup | None = None,
) -> int:
    """``extra``: command modules from outside clinic_app (sync's, which need the network);
    ``county_lookup``: how signing asks the county first (none: signed provisional)."""
    if county_lookup is None:
        return run(argv, (*COMMANDS, *extra))
    return run(argv, (*COMMANDS, *extra), county_lookup)


if __name__ == "__main__":
    sys.exit(main())
