"""`clinic village …`, `clinic resident …`, `clinic import residents`, `clinic export residents`: the
resident register on the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from clinic_app.cli_core import EXIT_INVALID, EXIT_OK, REVEAL_HELP, Commands, Context, err, out, whole
from clinic_app.errors import ValidationError


def cmd_village_add(ctx: Context) -> int:
    from clinic_app.residents import add_village

    actor = ctx.actor()
    add_village(ctx.store, actor, ctx.args.name, ctx.args.code)
    out(f"village {ctx.args.name} added")
    return EXIT_OK


def cmd_village_list(ctx: Context) -> int:
    from clinic_app.residents import list_villages

    for v in list_villages(ctx.store.conn, ctx.store.clinic_id):
        out(f"{v['name']}\t{v['code'] or ''}")
    return EXIT_OK


def cmd_resident_add(ctx: Context) -> int:
    from clinic_app.residents import ResidentInput, add_resident, find_village, id_place

    a = ctx.args
    store = ctx.store
    actor = ctx.actor()
    village_id = None
    if a.village:
        village_id = find_village(store.conn, store.clinic_id, a.village)
        if village_id is None:
            raise ValidationError(
                "village",
                "unknown",
                f"no village called {a.village} in this clinic (add it with `clinic village add`)",
            )
    data = ResidentInput(
        name=a.name,
        document_type=a.document_type,
        id_number=a.id_number,
        document_number=a.document_number,
        sex=a.sex,
        birth_date=a.birth_date,
        phone=a.phone,
        village_id=village_id,
        relation_to_head=a.relation,
        note=a.note,
    )
    rid = add_resident(store, actor, data, household_code=a.household)
    out(f"resident {a.name.strip()} registered ({rid})")
    place = id_place(a.id_number) if a.document_type == "id_card" else None
    if place is not None:  # to confirm with the resident (RULES §1)
        out(f"ID number issued in {place}")
        if place.warning():
            err(f"warning: id_number: {place.warning()}")
    return EXIT_OK


def cmd_resident_search(ctx: Context) -> int:
    from clinic_app.labels import label
    from clinic_app.residents import search_residents

    a = ctx.args
    if a.limit < 1 or a.limit > 1000:
        raise ValidationError("limit", "range", "between 1 and 1000")
    page = search_residents(ctx.store.conn, ctx.store.clinic_id, a.query, limit=a.limit)
    rows = [
        {
            "id": r["id"],
            "name": r["name"],
            "sex": r["sex"],
            "birth_date": r["birth_date"],
            "id_number": r["id_number"],
            "phone": r["phone"],
            "household_id": r["household_id"],
        }
        for r in page.rows
    ]
    ctx.id_numbers(rows, "resident search", resident_key="id")
    if a.json:
        out(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        for r in rows:  # the values a doctor reads in Chinese (男/女); --json keeps the codes
            out(
                f"{r['name']}\t{label('sex', r['sex'])}\t{r['birth_date']}\t{r['id_number'] or ''}\t"
                f"{r['phone'] or ''}"
            )
        if not rows:
            out(f"no resident matches {a.query!r}")
    return EXIT_OK


def cmd_import_residents(ctx: Context) -> int:
    from clinic_app.transfer import ImportRejected, import_residents

    path = Path(ctx.args.file)
    if not path.exists():
        raise ValidationError("file", "missing", f"{path} does not exist")
    actor = ctx.actor()
    try:
        report = import_residents(ctx.store, actor, path, skip_invalid=ctx.args.skip_invalid)
    except ImportRejected as exc:
        for w in exc.report.warnings:
            err(f"warning: {w}")
        for e in exc.report.errors:
            err(str(e))
        err(
            f"{exc.report.invalid_rows} of {exc.report.rows_read} rows are invalid; nothing was imported "
            "(fix them, or use --skip-invalid to import the valid rows)"
        )
        return EXIT_INVALID
    for w in report.warnings:
        err(f"warning: {w}")
    for e in report.errors:
        err(f"skipped: {e}")
    out(
        f"imported {report.imported} new residents, updated {report.updated}, {report.unchanged} unchanged"
        + (f", skipped {report.invalid_rows} invalid rows" if report.errors else "")
    )
    return EXIT_OK


def cmd_export_residents(ctx: Context) -> int:
    from clinic_app.transfer import export_residents

    actor = ctx.actor(
        "an export is recorded in the audit log"
    )  # it changes nothing, but says who took the data
    target = Path(ctx.args.output) if ctx.args.output else None
    count, text = export_residents(ctx.store, actor, ctx.args.format, target, headers=ctx.args.headers)
    if text is not None:
        sys.stdout.write(text)
    else:
        err(f"exported {count} residents to {target}")
    return EXIT_OK


def add_commands(commands: Commands) -> None:
    leaf = commands.leaf
    villages = commands.group("village", "villages")
    p = leaf(villages, "add", cmd_village_add, "add a village", writes=True)
    p.add_argument("name")
    p.add_argument("--code")
    leaf(villages, "list", cmd_village_list, "list villages")

    residents = commands.group("resident", "the resident register")
    p = leaf(residents, "add", cmd_resident_add, "register a resident", writes=True)
    p.add_argument("--id-number")
    p.add_argument("--name", required=True)
    p.add_argument("--phone")
    p.add_argument("--village", help="village name or code")
    p.add_argument("--household", help="household code (户号); a new code creates the household")
    p.add_argument("--relation", help="relation to the head of household: head, spouse, child, parent, ...")
    p.add_argument("--document-type", default="id_card", help="id_card (default), passport or other")
    p.add_argument("--document-number")
    p.add_argument("--sex", help="M or F (derived from an ID number)")
    p.add_argument("--birth-date", help="YYYY-MM-DD (derived from an ID number)")
    p.add_argument("--note")
    p = leaf(
        residents,
        "search",
        cmd_resident_search,
        "find residents by name, pinyin, initials, ID or phone digits",
        writes=True,  # --reveal: the whole ID numbers to someone signed in (--user), audited
    )
    p.add_argument("query")
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=whole, default=50)
    p.add_argument("--reveal", action="store_true", help=REVEAL_HELP)

    imports = commands.group("import", "import data", metavar="WHAT")
    p = leaf(
        imports,
        "residents",
        cmd_import_residents,
        "import residents from .csv or .xlsx (Chinese or English "
        "headers, as export writes them); a registered ID number updates that resident",
        writes=True,
    )
    p.add_argument("file")
    p.add_argument("--skip-invalid", action="store_true", help="import the valid rows, report the others")

    exports = commands.group("export", "export data", metavar="WHAT")
    p = leaf(
        exports,
        "residents",
        cmd_export_residents,
        "export the resident register (recorded in the audit log, so it takes --user)",
        writes=True,
    )
    p.add_argument("--format", required=True, choices=("csv", "xlsx", "json"))
    p.add_argument("-o", "--output", metavar="FILE")
    p.add_argument(
        "--headers",
        choices=("zh", "en"),
        default="zh",
        help="zh: Chinese headers and values (default); en: field names and codes, for other "
        "programs (JSON always has these)",
    )
