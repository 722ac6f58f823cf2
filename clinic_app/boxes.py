"""One box, one sale (RULES §7) as the records hold it: a box (its trace code) is sold by a dispensing installment
(``dispensing_code``, in units: a split-pack box until its units are used up) or whole on a live outpatient visit's
drug line (``visit_line``, trial F1; a cancelled visit gave its box back). Both the dispensing (clinic_app.rx_records)
and the visit (clinic_app.visits) ask here, so neither sells a box the other sold."""

from __future__ import annotations

from decimal import Decimal

from clinic_app.db import Connection

# a visit counts when no reversal (冲正) names it; ``{v}`` is the visit's alias
LIVE = "NOT EXISTS (SELECT 1 FROM visit_cancel c WHERE c.visit_id = {v}.id AND c.deleted_at IS NULL)"
SOLD_UP = 10**9  # the units of a box sold whole at a visit: more than any package holds


def sold_on_a_visit(conn: Connection, code: str) -> bool:
    """Whether a live visit sold this box as a whole box."""
    found = conn.execute(
        "SELECT 1 FROM visit_line l JOIN visit v ON v.id = l.visit_id WHERE l.trace_code = ? AND l.split_pack = 0 "
        f"AND l.deleted_at IS NULL AND v.deleted_at IS NULL AND {LIVE.format(v='v')} LIMIT 1",
        (code,),
    ).fetchone()
    return found is not None


def box_history(conn: Connection, code: str) -> tuple[Decimal, bool]:
    """Units sold from a box before, and whether any of its sales was split-pack; a box a live visit sold whole
    at the desk is sold up."""
    sold, split = Decimal(0), False
    for units, was_split in conn.execute(
        "SELECT units, split_pack FROM dispensing_code WHERE code = ?", (code,)
    ):
        sold += Decimal(units)
        split = split or bool(was_split)
    if not sold and sold_on_a_visit(conn, code):
        return Decimal(SOLD_UP), False
    return sold, split


def box_sold(conn: Connection, code: str) -> bool:
    """Whether a box was sold before, dispensed or on a live visit."""
    return box_history(conn, code)[0] > 0
