"""The resident register: villages, households, residents; validation and search."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from clinic_app.db import Connection
from clinic_app.digits import ascii_digits, parse_date
from clinic_app.errors import AuthError, NotFound, ValidationError, ValidationErrors
from clinic_app.idcard import MAX_AGE_YEARS, Place, age_on, parse_id_number
from clinic_app.search import prefix_upper_bound, query_prefix
from clinic_app.users import ROLES, User

if (
    TYPE_CHECKING
):  # the store's registry names this module's rules (SEXES, ...): no import of the store at run time
    from clinic_app.store import Store, UnitOfWork

DOCUMENT_TYPES = ("id_card", "passport", "other")
SEXES = ("M", "F")
RELATIONS = ("head", "spouse", "child", "parent", "grandchild", "sibling", "other")
_NAME = re.compile(r"^[\u3400-\u9fff\uf900-\ufaffA-Za-z·•.\- ]{1,40}$")
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
_LANDLINE = re.compile(r"^0[0-9]{2,3}-?[0-9]{7,8}$")
_DOC_NUMBER = re.compile(r"^[A-Za-z0-9\-]{4,30}$")
LIST_COLUMNS = (
    "id, name, sex, birth_date, id_number, document_type, document_number, phone, village_id, household_id, "
    "needs_identity_check, name_pinyin"
)


@dataclass
class ResidentInput:
    name: str = ""
    document_type: str = "id_card"
    id_number: str | None = None
    document_number: str | None = None
    sex: str | None = None
    birth_date: str | None = None
    phone: str | None = None
    village_id: str | None = None
    household_id: str | None = None
    relation_to_head: str | None = None
    note: str | None = None


def clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = unicodedata.normalize("NFKC", text).strip()
    return text or None


def normalize_phone(phone: str) -> str:
    return re.sub(r"[\s()]", "", ascii_digits("phone", phone)).removeprefix("+86")


def id_place(id_number: str | None) -> Place | None:
    """The place a valid ID number names (RULES §1: shown beside the number, an unknown county code a warning);
    None for an empty or invalid number."""
    if not id_number:
        return None
    try:
        return parse_id_number(id_number).place
    except ValidationError:
        return None


def mask_id_number(number: str | None) -> str:
    if not number:
        return ""
    return number[:6] + "*" * (len(number) - 10) + number[-4:] if len(number) > 10 else number


# Who may see whole ID numbers: every clinic account, as the desktop's resident form shows each the number it edits.
ID_NUMBER_ROLES = ROLES


def reveal_id_numbers(store: Store, actor: User, resident_ids: Collection[str], where: str) -> None:
    """Whole ID numbers about to be shown to ``actor`` (``where``: which list): refused to a role not in
    ``ID_NUMBER_ROLES``; otherwise the audit log records who saw how many, and whose."""
    if actor.role not in ID_NUMBER_ROLES:
        raise AuthError("permission", f"a {actor.role} may not see whole ID numbers", {"role": actor.role})
    if not resident_ids:
        return
    with store.unit(actor.id, "resident.reveal") as uow:
        uow.show("resident", resident_ids)
        uow.summary = f"{len(resident_ids)} whole ID number(s) shown: {where}"


def _parse_date(field: str, text: str, today: dt.date) -> dt.date:
    day = parse_date(field, text)
    if day > today:
        raise ValidationError(field, "future", f"{day.isoformat()} lies in the future")
    if age_on(day, today) > MAX_AGE_YEARS:
        raise ValidationError(field, "too_old", f"{day.isoformat()} gives an age over {MAX_AGE_YEARS}")
    return day


def check_resident_fields(
    data: ResidentInput, today: dt.date | None = None
) -> tuple[dict[str, Any], list[ValidationError]]:
    """The rules of the fields alone (RULES §1), shared with the county server: the cleaned row and every
    problem found. Rules that need the register (household, village, one ID per clinic) are in
    ``validate_resident``."""
    today = today or dt.date.today()
    errors: list[ValidationError] = []
    row: dict[str, Any] = {}

    name = clean(data.name)
    if not name:
        errors.append(ValidationError("name", "required", "the name is required"))
    elif not _NAME.match(name):
        errors.append(
            ValidationError("name", "format", "a name has 1-40 Chinese or Latin letters (· allowed)")
        )
    row["name"] = name

    doc_type = data.document_type or "id_card"
    if doc_type not in DOCUMENT_TYPES:
        errors.append(
            ValidationError("document_type", "unknown", f"choose one of {', '.join(DOCUMENT_TYPES)}")
        )
    row["document_type"] = doc_type
    sex = clean(data.sex)
    sex = sex.upper() if sex else None
    if sex is not None and sex not in SEXES:
        errors.append(ValidationError("sex", "unknown", "sex is M or F"))
    birth_text = clean(data.birth_date)

    if doc_type == "id_card":
        id_text = clean(data.id_number)
        if not id_text:
            errors.append(
                ValidationError("id_number", "required", "the ID number is required for an ID card")
            )
        else:
            try:
                parsed = parse_id_number(id_text, today)
            except ValidationError as exc:
                errors.append(exc)
            else:
                row["id_number"] = parsed.number
                if sex is not None and sex != parsed.sex:
                    errors.append(
                        ValidationError(
                            "sex",
                            "disagrees_with_id",
                            f"the ID number says {parsed.sex}, the form says {sex}",
                        )
                    )
                if birth_text and birth_text != parsed.birth_date.isoformat():
                    errors.append(
                        ValidationError(
                            "birth_date",
                            "disagrees_with_id",
                            f"the ID number says {parsed.birth_date.isoformat()}, the form says {birth_text}",
                        )
                    )
                row["sex"], row["birth_date"] = parsed.sex, parsed.birth_date.isoformat()
        row["document_number"] = None
        row["needs_identity_check"] = 0
    else:
        row["id_number"] = None
        number = clean(data.document_number)
        if not number:
            errors.append(ValidationError("document_number", "required", "the document number is required"))
        elif not _DOC_NUMBER.match(number):
            errors.append(ValidationError("document_number", "format", "4-30 letters, digits or dashes"))
        row["document_number"] = number.upper() if number else None
        if sex is None:
            errors.append(ValidationError("sex", "required", "without an ID card, the sex must be given"))
        if not birth_text:
            errors.append(
                ValidationError("birth_date", "required", "without an ID card, the birth date must be given")
            )
        else:
            try:
                row["birth_date"] = _parse_date("birth_date", birth_text, today).isoformat()
            except ValidationError as exc:
                errors.append(exc)
        row["sex"] = sex
        # Matched by name + birth date + household until an ID number is known (RULES §1).
        row["needs_identity_check"] = 1

    phone = clean(data.phone)
    if phone:
        try:
            phone = normalize_phone(phone)
        except ValidationError as exc:
            errors.append(exc)
        else:
            if not (_MOBILE.match(phone) or _LANDLINE.match(phone)):
                errors.append(
                    ValidationError(
                        "phone",
                        "format",
                        "a mobile number has 11 digits starting 13-19; a landline 0xx(x)-xxxxxxx(x)",
                    )
                )
    row["phone"] = phone

    relation = clean(data.relation_to_head)
    if relation is not None and relation not in RELATIONS:
        errors.append(ValidationError("relation_to_head", "unknown", f"choose one of {', '.join(RELATIONS)}"))
    row["relation_to_head"] = relation
    row["note"] = clean(data.note)
    return row, errors


def validate_resident(
    conn: Connection,
    clinic_id: str,
    data: ResidentInput,
    *,
    today: dt.date | None = None,
    existing_id: str | None = None,
) -> dict[str, Any]:
    """Check every field; raise ValidationErrors listing all problems, or return the row to store."""
    row, errors = check_resident_fields(data, today)
    row["village_id"] = data.village_id
    row["household_id"] = data.household_id
    if data.household_id:
        hh = conn.execute(
            "SELECT village_id FROM household WHERE id = ? AND clinic_id = ? AND deleted_at IS NULL",
            (data.household_id, clinic_id),
        ).fetchone()
        if hh is None:
            errors.append(ValidationError("household", "unknown", "no such household in this clinic"))
        elif data.village_id and hh[0] != data.village_id:
            errors.append(
                ValidationError("household", "other_village", "the household belongs to another village")
            )
        else:
            row["village_id"] = hh[0]
    if (
        row["village_id"]
        and not conn.execute(
            "SELECT 1 FROM village WHERE id = ? AND clinic_id = ? AND deleted_at IS NULL",
            (row["village_id"], clinic_id),
        ).fetchone()
    ):
        errors.append(ValidationError("village", "unknown", "no such village in this clinic"))

    if row.get("id_number"):
        dup = conn.execute(
            "SELECT id, name FROM resident WHERE clinic_id = ? AND id_number = ? AND deleted_at IS NULL AND id != ?",
            (clinic_id, row["id_number"], existing_id or ""),
        ).fetchone()
        if dup:
            errors.append(
                ValidationError(
                    "id_number",
                    "duplicate",
                    f"this ID number is registered already, to {dup['name']}",
                    {"registered_to": dup["name"]},
                )
            )

    if (
        row["relation_to_head"] == "head"
        and row["household_id"]
        and (head := household_head(conn, row["household_id"], existing_id)) is not None
    ):
        errors.append(
            ValidationError(
                "relation_to_head",
                "second_head",
                f"household {head['code']} has a head already, {head['name']}: change {head['name']}'s relation "
                "to the head first (a household has one head, as in the household register)",
                {"head": head["name"], "household": head["code"]},
            )
        )

    if errors:
        raise ValidationErrors(errors)
    return row


def household_head(
    conn: Connection, household_id: str, other_than: str | None = None
) -> dict[str, Any] | None:
    """The household's head (relation ``head``) other than ``other_than``; a deleted or moved resident is none."""
    row = conn.execute(
        "SELECT r.id, r.name, h.code FROM resident r JOIN household h ON h.id = r.household_id "
        "WHERE r.household_id = ? AND r.relation_to_head = 'head' AND r.deleted_at IS NULL AND r.id != ? "
        "ORDER BY r.id LIMIT 1",
        (household_id, other_than or ""),
    ).fetchone()
    return dict(row) if row is not None else None


# -- villages and households ------------------------------------------------------------------------
def add_village(store: Store, actor: User, name: str, code: str | None = None) -> str:
    name_clean = clean(name)
    if not name_clean:
        raise ValidationError("name", "required", "the village name is required")
    if find_village(store.conn, store.clinic_id, name_clean):
        raise ValidationError("name", "duplicate", f"a village called {name_clean} exists already")
    with store.unit(actor.id, "village.add") as uow:
        vid = uow.insert("village", {"name": name_clean, "code": clean(code)})
        uow.summary = f"village {name_clean} added"
    return vid


def find_village(conn: Connection, clinic_id: str, name_or_code: str) -> str | None:
    row = conn.execute(
        "SELECT id FROM village WHERE clinic_id = ? AND deleted_at IS NULL AND (name = ? OR code = ?)",
        (clinic_id, name_or_code, name_or_code),
    ).fetchone()
    return row[0] if row else None


def list_villages(conn: Connection, clinic_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT id, name, code FROM village WHERE clinic_id = ? AND deleted_at IS NULL ORDER BY name",
        (clinic_id,),
    ).fetchall()
    return [dict(r) for r in rows]


def find_household(conn: Connection, clinic_id: str, code: str) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT * FROM household WHERE clinic_id = ? AND code = ? AND deleted_at IS NULL", (clinic_id, code)
    ).fetchone()
    return dict(row) if row else None


def village_names(conn: Connection, clinic_id: str) -> dict[str, str]:
    """Every village of the clinic by id, removed ones too (a resident's row may still name one)."""
    rows = conn.execute("SELECT id, name FROM village WHERE clinic_id = ?", (clinic_id,)).fetchall()
    return {r[0]: r[1] for r in rows}


def household_codes(conn: Connection, household_ids: Collection[str]) -> dict[str, str]:
    """The 户号 of each of these households, by id."""
    ids = list(household_ids)
    found: dict[str, str] = {}
    for start in range(0, len(ids), 500):  # within SQLite's limit of bound parameters
        chunk = ids[start : start + 500]
        marks = ",".join("?" for _ in chunk)
        rows = conn.execute(f"SELECT id, code FROM household WHERE id IN ({marks})", chunk).fetchall()
        found.update({r[0]: r[1] for r in rows})
    return found


def household_code(conn: Connection, household_id: str) -> str | None:
    return household_codes(conn, [household_id]).get(household_id)


def household_summary(conn: Connection, household_id: str) -> dict[str, Any] | None:
    """A household's code, address and village name (None for the village where it has none)."""
    row = conn.execute(
        "SELECT h.code, h.address, v.name AS village FROM household h LEFT JOIN village v ON v.id = h.village_id "
        "WHERE h.id = ?",
        (household_id,),
    ).fetchone()
    return None if row is None else {"code": row[0], "address": row[1], "village": row[2]}


def household_members(conn: Connection, household_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        f"SELECT {LIST_COLUMNS}, relation_to_head FROM resident WHERE household_id = ? AND deleted_at IS NULL "
        "ORDER BY relation_to_head = 'head' DESC, birth_date",
        (household_id,),
    ).fetchall()
    return [dict(r) for r in rows]


def ensure_household(uow: UnitOfWork, code: str, village_id: str | None, address: str | None = None) -> str:
    """The household with this code, created in the unit of work if new (a new one needs a village)."""
    found = find_household(uow.conn, uow.store.clinic_id, code)
    if found:
        if village_id and found["village_id"] != village_id:
            raise ValidationError(
                "household", "other_village", f"household {code} belongs to another village"
            )
        return str(found["id"])
    if not village_id:
        raise ValidationError("village", "required", f"household {code} is new: name its village")
    return uow.insert("household", {"code": code, "village_id": village_id, "address": address})


# -- residents --------------------------------------------------------------------------------------
def insert_resident(uow: UnitOfWork, row: Mapping[str, Any]) -> str:
    rid = uow.insert("resident", dict(row))
    household_id = row.get("household_id")
    if household_id and row.get("relation_to_head") == "head":
        uow.update("household", household_id, {"head_resident_id": rid})
    return rid


def resolve_household(
    conn: Connection, clinic_id: str, data: ResidentInput, household_code: str | None
) -> tuple[ResidentInput, str | None]:
    """Turn a typed household code into ``data.household_id``; returns the code still to be created (new
    households are made in the same unit of work as the resident, and need a village)."""
    code = clean(household_code)
    if not code:
        return data, None
    found = find_household(conn, clinic_id, code)
    if found:
        data.household_id = found["id"]
        return data, None
    if not data.village_id:
        raise ValidationErrors(
            [ValidationError("household", "needs_village", f"household {code} is new: choose its village")]
        )
    data.household_id = None
    return data, code


def add_resident(
    store: Store,
    actor: User,
    data: ResidentInput,
    *,
    household_code: str | None = None,
    today: dt.date | None = None,
) -> str:
    data, new_code = resolve_household(store.conn, store.clinic_id, data, household_code)
    row = validate_resident(store.conn, store.clinic_id, data, today=today)
    with store.unit(actor.id, "resident.add") as uow:
        if new_code:
            row["household_id"] = ensure_household(uow, new_code, row["village_id"])
        rid = insert_resident(uow, row)
        uow.summary = f"resident {row['name']} registered"
    return rid


def update_resident(
    store: Store,
    actor: User,
    resident_id: str,
    data: ResidentInput,
    *,
    household_code: str | None = None,
    today: dt.date | None = None,
) -> None:
    get_resident(store.conn, resident_id)
    data, new_code = resolve_household(store.conn, store.clinic_id, data, household_code)
    row = validate_resident(store.conn, store.clinic_id, data, today=today, existing_id=resident_id)
    with store.unit(actor.id, "resident.edit") as uow:
        if new_code:
            row["household_id"] = ensure_household(uow, new_code, row["village_id"])
        uow.update("resident", resident_id, row)
        if row.get("household_id") and row.get("relation_to_head") == "head":
            uow.update("household", row["household_id"], {"head_resident_id": resident_id})
        uow.summary = f"resident {row['name']} edited"


def get_resident(conn: Connection, resident_id: str) -> dict[str, Any]:
    row = conn.execute(
        "SELECT * FROM resident WHERE id = ? AND deleted_at IS NULL", (resident_id,)
    ).fetchone()
    if row is None:
        raise NotFound(f"resident {resident_id} does not exist")
    return dict(row)


def resident_input(row: Mapping[str, Any]) -> ResidentInput:
    values: dict[str, Any] = {k: row.get(k) for k in ResidentInput.__dataclass_fields__}
    values["name"] = values["name"] or ""
    return ResidentInput(**values)


# CROSS JOIN fixes the join order: walk the key index in key order and look each resident up by id. Left to
# itself the planner may scan the clinic's residents and sort, 2 s instead of 1 ms at 100,000 residents.
SEARCH_SQL = f"""
    SELECT k.key AS k_key, k.resident_id AS k_rid, {", ".join("r." + c.strip() for c in LIST_COLUMNS.split(","))}
    FROM resident_search_key k CROSS JOIN resident r ON r.id = k.resident_id
    WHERE k.key < ? AND (k.key, k.resident_id) > (?, ?) AND r.clinic_id = ? AND r.deleted_at IS NULL
    ORDER BY k.key, k.resident_id LIMIT ?"""


@dataclass
class Page:
    rows: list[dict[str, Any]]
    after: tuple[str, str] | None  # keyset cursor of the next page, None at the end


def search_residents(
    conn: Connection, clinic_id: str, query: str, *, limit: int = 50, after: tuple[str, str] | None = None
) -> Page:
    """One page of residents matching any search form, best (shortest key) matches first.

    An empty query lists everyone in pinyin order."""
    prefix = query_prefix(query)
    if prefix is None:
        return list_residents(conn, clinic_id, limit=limit, after=after)
    lo, hi = (after[0], after[1]) if after else (prefix, "")
    rows = conn.execute(SEARCH_SQL, (prefix_upper_bound(prefix), lo, hi, clinic_id, limit)).fetchall()
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for r in rows:
        d = dict(r)
        d.pop("k_key")
        rid = d.pop("k_rid")
        if rid not in seen:
            seen.add(rid)
            out.append(d)
    last = (rows[-1]["k_key"], rows[-1]["k_rid"]) if len(rows) == limit else None
    return Page(out, last)


def list_residents(
    conn: Connection, clinic_id: str, *, limit: int = 50, after: tuple[str, str] | None = None
) -> Page:
    lo = after or ("", "")
    rows = conn.execute(
        f"""SELECT {LIST_COLUMNS} FROM resident INDEXED BY resident_list
            WHERE clinic_id = ? AND deleted_at IS NULL AND (name_pinyin, id) > (?, ?)
            ORDER BY name_pinyin, id LIMIT ?""",
        (clinic_id, lo[0], lo[1], limit),
    ).fetchall()
    out = [dict(r) for r in rows]
    last = (out[-1]["name_pinyin"], out[-1]["id"]) if len(out) == limit else None
    return Page(out, last)


def count_residents(conn: Connection, clinic_id: str) -> int:
    return int(
        conn.execute(
            "SELECT count(*) FROM resident INDEXED BY resident_list WHERE clinic_id = ? AND deleted_at IS NULL",
            (clinic_id,),
        ).fetchone()[0]
    )


class ResidentQuery:
    """Pages of one search, each resident once: a name can match a query through several keys
    (``z`` matches both ``zhangwei`` and ``zw``), so rows already returned are skipped."""

    def __init__(self, conn: Connection, clinic_id: str, query: str) -> None:
        self.conn, self.clinic_id, self.query = conn, clinic_id, query
        self._after: tuple[str, str] | None = None
        self._seen: set[str] = set()
        self._buffer: list[dict[str, Any]] = []
        self._exhausted = False

    @property
    def done(self) -> bool:
        return self._exhausted and not self._buffer

    def next_page(self, limit: int = 200) -> list[dict[str, Any]]:
        """At most ``limit`` rows; an empty list only at the end."""
        while not self._exhausted and len(self._buffer) < limit:
            page = search_residents(self.conn, self.clinic_id, self.query, limit=limit, after=self._after)
            for row in page.rows:
                if row["id"] not in self._seen:
                    self._seen.add(row["id"])
                    self._buffer.append(row)
            self._after = page.after
            self._exhausted = page.after is None
        out, self._buffer = self._buffer[:limit], self._buffer[limit:]
        return out
