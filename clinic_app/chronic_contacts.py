"""The outcome of a call or a visit attempt to a patient on a worklist (issue 12 point 5; Simple.org's overdue
workflow): reached and agreed a date, call again later, moved away, died, refused. The outcome is kept on the
patient's registration (a registry row), so the worklists shrink as they are worked:

- ``agreed`` / ``call_later``: the date agreed (or to call again) is the patient's due date until a follow-up on
  the day of the call or later (clinic_app.chronic_records.PATIENTS_SQL takes it when the call is after the last
  visit's day);
- ``moved`` / ``died``: the management is terminated (RULES §10's outcome of the case) with the reason;
- ``refused``: the patient is lost to follow-up, with the reason.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from clinic_app import chronic as K
from clinic_app import chronic_records as R
from clinic_app.errors import ValidationError

if TYPE_CHECKING:
    from clinic_app.store import Store
    from clinic_app.users import User

CONTACT_OUTCOMES = ("agreed", "call_later", "moved", "died", "refused")
WITH_DATE = ("agreed", "call_later")
ENDS = {"moved": ("terminated", "moved away"), "died": ("terminated", "died"), "refused": ("lost", "refused")}


def record_contact(
    store: Store,
    actor: User,
    registration_id: str,
    outcome: str,
    *,
    recall_on: Any = None,
    note: str | None = None,
    today: dt.date | None = None,
) -> None:
    """Record what came of a call or a visit attempt, one unit of work. ``recall_on``: the date agreed, or to call
    again (required for ``agreed`` and ``call_later``; from today to a year on). ``note``: the words of the call,
    kept as the reason when the management ends."""
    today = today or dt.date.today()
    held = R.get_registration(store.conn, registration_id)
    if outcome not in CONTACT_OUTCOMES:
        raise ValidationError("contact_outcome", "choice", f"one of {', '.join(CONTACT_OUTCOMES)}")
    if held["management"] != "continue":
        raise ValidationError("management", "ended", f"the management ended already ({held['management']})")
    text = R._text("note", note)
    values: dict[str, Any] = {
        "contact_outcome": outcome,
        "contacted_on": today.isoformat(),
        "recall_on": None,
    }
    if outcome in WITH_DATE:
        if recall_on is None or recall_on == "":
            raise ValidationError("recall_on", "required", "say the date agreed, or when to call again")
        day = R.parse_date("recall_on", recall_on)
        last = today + dt.timedelta(days=K.MAX_INTERVAL_DAYS)
        if not today <= day <= last:
            raise ValidationError(
                "recall_on",
                "range",
                f"a date from today to {last.isoformat()} ({day.isoformat()} given)",
                {"low": today.isoformat(), "high": last.isoformat()},
            )
        values["recall_on"] = day.isoformat()
    else:
        management, reason = ENDS[outcome]
        values |= {
            "management": management,
            "management_ended_on": today.isoformat(),
            "management_end_reason": f"{reason}: {text}" if text else reason,
        }
    with store.unit(actor.id, "chronic.contact") as uow:
        uow.update("disease_registration", held["id"], values)
        uow.summary = f"call to the {held['disease']} patient {held['resident_id']}: {outcome}" + (
            f" ({values['recall_on']})" if values["recall_on"] else ""
        )
